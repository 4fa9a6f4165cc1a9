package tools

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/devbox-dev/devbox/engine"
)

// DirLock is a flock on one tool container's mount of one host directory.
// Every run holds it shared for its whole duration; a mount is taken away
// only by whoever gets it exclusively, so a running program never loses
// its working directory, and the directories no run uses are unmounted.
type DirLock struct{ f *os.File }

// dirLockPath is the lock file of owner (the backend and tool container
// name, "docker-devbox-tool-shop-jq-u1000") and dir.
func dirLockPath(lockDir, owner, dir string) string {
	return filepath.Join(lockDir, owner+"-dir-"+engine.Hash(dir)[:12]+".lock")
}

func openDirLock(lockDir, owner, dir string) (*os.File, error) {
	if fi, err := os.Stat(lockDir); err != nil || !fi.IsDir() {
		// Like engine.Lock's directory: every user makes lock files in it.
		if err := os.MkdirAll(lockDir, 0o755); err != nil {
			return nil, fmt.Errorf("lock directory: %w", err)
		}
		_ = os.Chmod(lockDir, 0o777|os.ModeSticky)
	}
	path := dirLockPath(lockDir, owner, dir)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w (another user's lock file? its owner can remove it)", path, err)
	}
	_ = f.Chmod(0o666) // past the umask
	return f, nil
}

// HoldDir takes owner's lock on dir shared, waiting while a mount change
// holds it (a moment) or until ctx ends.
func HoldDir(ctx context.Context, lockDir, owner, dir string) (*DirLock, error) {
	f, err := openDirLock(lockDir, owner, dir)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return &DirLock{f: f}, nil
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TryDir takes owner's lock on dir exclusively when no run holds it, and
// never waits: ok is false when dir is in use.
func TryDir(lockDir, owner, dir string) (l *DirLock, ok bool, err error) {
	f, err := openDirLock(lockDir, owner, dir)
	if err != nil {
		return nil, false, err
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return &DirLock{f: f}, true, nil
}

// Share turns an exclusive lock into a shared one, for the run that made
// the mount: it keeps the lock from then on.
func (l *DirLock) Share() error {
	if err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_SH); err != nil {
		return fmt.Errorf("lock %s: %w", l.f.Name(), err)
	}
	return nil
}

// Release drops the lock. A nil lock is fine.
func (l *DirLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}
