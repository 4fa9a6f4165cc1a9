package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lock takes an exclusive per-project lock so that two `up`s (or an up and a
// destroy) on one project never interleave. It waits until ctx is done,
// calling waiting once if the lock is held by someone else.
func Lock(ctx context.Context, dir, backend, project string, waiting func()) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	path := filepath.Join(dir, backend+"-"+project+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock: another devbox is working on project %q (%s): %w", project, path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// LockDir is where project locks live: $XDG_RUNTIME_DIR/devbox, else the
// user cache dir. getenv is os.Getenv, or a test's.
func LockDir(getenv func(string) string) string {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "devbox", "locks")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "devbox", "locks")
	}
	return filepath.Join(os.TempDir(), "devbox-locks")
}
