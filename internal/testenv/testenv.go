// Package testenv gates integration tests on real daemons, the way Nomad's
// testutil does: a test that needs Docker or Incus calls Require, which
// skips when the daemon is absent, unless DEVBOX_INTEGRATION=1 (set by CI),
// where an absent daemon is a failure: CI must never pass by skipping.
package testenv

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Strict reports whether integration tests must run (CI).
func Strict() bool { return os.Getenv("DEVBOX_INTEGRATION") == "1" }

// Require skips or fails t when probe reports the named daemon unusable.
func Require(t testing.TB, name string, probe func() error) {
	t.Helper()
	if testing.Short() && !Strict() {
		t.Skipf("%s integration test skipped in -short mode", name)
	}
	if err := probe(); err != nil {
		if Strict() {
			t.Fatalf("%s is required (DEVBOX_INTEGRATION=1) but unusable: %v", name, err)
		}
		t.Skipf("%s not available: %v", name, err)
	}
}

// Project returns a project name unique to this test run, for engine objects.
func Project(t testing.TB, base string) string {
	t.Helper()
	return base + "-" + itoa(os.Getpid()%100000)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// Missing skips t because something it needs is absent, or fails it when
// integration tests are required (CI), where a skip would hide the gap.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("required (DEVBOX_INTEGRATION=1): "+format, args...)
	}
	t.Skipf(format, args...)
}

// CacheShared holds, until t ends, a lock that keeps `devbox cache prune`
// tests (in other packages, run in parallel) from deleting the cached
// layers t relies on. CacheExclusive is what a pruning test holds.
func CacheShared(t testing.TB) { lock(t, "layer-cache", syscall.LOCK_SH) }

// CacheExclusive waits until no test relies on the layer cache, and keeps
// them waiting until t ends.
func CacheExclusive(t testing.TB) { lock(t, "layer-cache", syscall.LOCK_EX) }

// EmulationShared holds, until t ends, a lock that keeps tests that turn
// the host's i386 emulation off (in other packages, run in parallel) from
// doing so while t runs 32-bit programs. EmulationExclusive is what such a
// test holds.
func EmulationShared(t testing.TB) { lock(t, "binfmt", syscall.LOCK_SH) }

// EmulationExclusive waits until no test runs foreign-platform programs,
// and keeps them waiting until t ends.
func EmulationExclusive(t testing.TB) { lock(t, "binfmt", syscall.LOCK_EX) }

func lock(t testing.TB, name string, how int) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "devbox-test-"+name+".lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatalf("%s lock: %v", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		t.Fatalf("%s lock: %v", name, err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the flock
}

// PackageProxy is the caching proxy .ci/proxy runs on the host's loopback:
// how tests install real Debian packages (containers reach nothing else).
const PackageProxy = "http://127.0.0.1:3128"

// RequireProxy skips t (fails it in CI) when PackageProxy does not answer.
func RequireProxy(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(PackageProxy, "http://"), 2*time.Second)
	if err != nil {
		Missing(t, "no package proxy at %s (bash .ci/proxy): %v", PackageProxy, err)
		return
	}
	c.Close()
}
