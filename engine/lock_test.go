package engine

import (
	"context"
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
