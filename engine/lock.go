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
	if err := sharedDir(dir); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	path := filepath.Join(dir, backend+"-"+project+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("lock: %w (another user's lock file? its owner can remove it)", err)
	}
	_ = f.Chmod(0o666) // past the umask: every user must be able to open it
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

// sharedDir makes dir as a directory every user may make lock files in.
func sharedDir(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil && fi.IsDir() {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.Chmod(dir, 0o777|os.ModeSticky)
}

// LockDir is where project locks live: one directory for every user of
// the machine (/run/lock/devbox, else /tmp/devbox-locks), world-writable
// and sticky, so two shells whose environments differ (sudo, ssh, an IDE:
// another $XDG_RUNTIME_DIR) still take the same lock. getenv is kept for
// callers' symmetry and tests; DEVBOX_LOCK_DIR overrides.
func LockDir(getenv func(string) string) string {
	if d := getenv("DEVBOX_LOCK_DIR"); d != "" {
		return d
	}
	if fi, err := os.Stat("/run/lock"); err == nil && fi.IsDir() && fi.Mode().Perm()&0o002 != 0 {
		return "/run/lock/devbox"
	}
	return "/tmp/devbox-locks"
}
