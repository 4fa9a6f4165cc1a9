package tools

import (
	"context"
	"testing"
	"time"
)

// TestDirLock: a directory held by a run cannot be taken for unmounting;
// once every run released it, it can, and a run then waits for it.
func TestDirLock(t *testing.T) {
	ctx := context.Background()
	lockDir := t.TempDir()
	a, err := HoldDir(ctx, lockDir, "docker-x", "/src/a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := HoldDir(ctx, lockDir, "docker-x", "/src/a") // runs share
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := TryDir(lockDir, "docker-x", "/src/a"); ok || err != nil {
		t.Fatalf("TryDir on a held directory: ok=%v err=%v", ok, err)
	}
	other, ok, err := TryDir(lockDir, "docker-x", "/src/b")
	if !ok || err != nil {
		t.Fatalf("TryDir on an idle directory: ok=%v err=%v", ok, err)
	}
	other.Release()
	a.Release()
	if _, ok, _ := TryDir(lockDir, "docker-x", "/src/a"); ok {
		t.Fatal("TryDir succeeded while one run still holds the directory")
	}
	b.Release()
	x, ok, err := TryDir(lockDir, "docker-x", "/src/a")
	if !ok || err != nil {
		t.Fatalf("TryDir after every run released: ok=%v err=%v", ok, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := HoldDir(wctx, lockDir, "docker-x", "/src/a"); err == nil {
		t.Fatal("HoldDir got a directory being unmounted")
	}
	if err := x.Share(); err != nil {
		t.Fatal(err)
	}
	c, err := HoldDir(ctx, lockDir, "docker-x", "/src/a")
	if err != nil {
		t.Fatalf("HoldDir after Share: %v", err)
	}
	c.Release()
	x.Release()
	x.Release() // twice is fine
}
