package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockExcludesSecondHolder(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(context.Background(), dir, "docker", "shop", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	waited := false
	_, err = Lock(ctx, dir, "docker", "shop", func() { waited = true })
	if err == nil || !waited || !strings.Contains(err.Error(), "another devbox") {
		t.Fatalf("second lock: err=%v waited=%v", err, waited)
	}
	unlock()
	unlock2, err := Lock(context.Background(), dir, "docker", "shop", nil)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	unlock2()
}

// TestLockDirIsShared: two shells whose environments differ (sudo, ssh,
// an IDE) lock in one place; the lock file is usable by every user.
func TestLockDirIsShared(t *testing.T) {
	env := func(xdg string) func(string) string {
		return func(k string) string {
			if k == "XDG_RUNTIME_DIR" {
				return xdg
			}
			return ""
		}
	}
	if a, b := LockDir(env("/run/user/0")), LockDir(env("/run/user/1000")); a != b {
		t.Fatalf("lock dirs differ: %s, %s", a, b)
	}
	dir := filepath.Join(t.TempDir(), "locks")
	unlock, err := Lock(context.Background(), dir, "lxc", "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	fi, err := os.Stat(filepath.Join(dir, "lxc-p.lock"))
	if err != nil || fi.Mode().Perm() != 0o666 {
		t.Errorf("lock file mode %v, %v", fi.Mode(), err)
	}
	if d, _ := os.Stat(dir); d.Mode()&os.ModeSticky == 0 || d.Mode().Perm() != 0o777 {
		t.Errorf("lock dir mode %v", d.Mode())
	}
}
