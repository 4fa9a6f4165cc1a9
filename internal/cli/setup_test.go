package cli

import (
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/platform"
)

// ia32Off is this project's CI machine before `devbox setup emulation`:
// x86_64, the kernel refuses i386, qemu-user-static installed.
func ia32Off(qemu bool) platform.Host {
	h := platform.Host{Machine: "x86_64", Compat: platform.No, CompatDetail: "i386 execve returns ENOEXEC", Mounted: true, Enabled: true,
		Qemu: map[string]string{}}
	if qemu {
		h.Qemu["i386"] = "/usr/bin/qemu-i386-static"
	}
	return h
}

// TestRunUnavailablePlatformFailsFirst: the tool is never run (no
// container), exit 1, and the message says what, why and the fix.
func TestRunUnavailablePlatformFailsFirst(t *testing.T) {
	h, f := toolHarness(t)
	h.host = ia32Off(true)
	code, out, errs := h.run("run", "sh32", "-c", "true")
	if code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
	}
	for _, want := range []string{`tool "sh32"`, "platform linux/386 is unavailable", "this kernel does not run i386 binaries",
		"fix: as root: devbox setup emulation --platform linux/386"} {
		if !strings.Contains(errs, want) {
			t.Errorf("message lacks %q:\n%s", want, errs)
		}
	}
	if f.tool != "" {
		t.Errorf("the backend ran %q anyway", f.tool)
	}
	// Emulated: it runs.
	h.host.Handlers = []platform.Handler{emulator()}
	if code, _, errs := h.run("run", "sh32"); code != 0 || f.tool != "sh32" {
		t.Errorf("emulated: exit %d, ran %q: %s", code, f.tool, errs)
	}
	// A remote Docker engine has its own kernel: not this host's business.
	f.tool = ""
	h.host.Handlers = nil
	h.env = map[string]string{"DOCKER_HOST": "tcp://10.0.0.1:2375"}
	if code, _, errs := h.run("run", "sh32"); code != 0 || f.tool != "sh32" {
		t.Errorf("remote engine: exit %d, ran %q: %s", code, f.tool, errs)
	}
}

func emulator() platform.Handler {
	a, _ := platform.Lookup("linux/386")
	return platform.Handler{Name: "qemu-i386", Enabled: true, Interpreter: "/usr/bin/qemu-i386-static", Flags: "PF", Magic: a.Magic(), Mask: a.Mask}
}

func TestDoctorShowsPlatforms(t *testing.T) {
	h := newHarness(t, toolsHCL)
	h.host = ia32Off(false)
	code, out, _ := h.run("doctor", "--backend", "docker")
	if code != ExitFailure {
		t.Errorf("doctor with an unavailable platform: exit %d", code)
	}
	for _, want := range []string{"host (platforms):", "[ok  ] linux/amd64    native", "[FAIL] linux/386      unavailable: this kernel does not run i386",
		"fix: apt-get install qemu-user-static (Debian/Ubuntu), then as root: devbox setup emulation --platform linux/386"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q:\n%s", want, out)
		}
	}
	h.host.Handlers = []platform.Handler{emulator()}
	if _, out, _ := h.run("doctor", "--backend", "docker"); !strings.Contains(out, "[ok  ] linux/386      emulated: binfmt_misc handler qemu-i386") {
		t.Errorf("emulated:\n%s", out)
	}
}

func TestSetupEmulation(t *testing.T) {
	h := newHarness(t, toolsHCL)
	h.host = ia32Off(true)
	code, out, errs := h.run("setup", "emulation", "--dry-run")
	if code != 0 || !strings.Contains(out, "linux/386: unavailable") || !strings.Contains(out, "would register qemu-i386 → /usr/bin/qemu-i386-static (flags PF)") {
		t.Errorf("dry run: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = h.run("setup", "emulation")
	if code != ExitFailure || !strings.Contains(errs, "needs root to register qemu-i386") || !strings.Contains(errs, "sudo devbox setup emulation") {
		t.Errorf("not root: exit %d: %s", code, errs)
	}
	h.euid = 0
	h.host = ia32Off(false)
	code, _, errs = h.run("setup", "emulation")
	if code != ExitFailure || !strings.Contains(errs, "no qemu-i386-static") || !strings.Contains(errs, "apt-get install qemu-user-static") {
		t.Errorf("no qemu: exit %d: %s", code, errs)
	}
	h.host.Handlers = []platform.Handler{emulator()}
	if code, out, _ := h.run("setup", "emulation"); code != 0 || !strings.Contains(out, "linux/386: emulated") || !strings.Contains(out, "nothing to change") {
		t.Errorf("already emulated: exit %d\n%s", code, out)
	}
	if code, _, errs := h.run("setup", "emulation", "--platform", "linux/s390x"); code != ExitBadInput {
		t.Errorf("unknown platform: exit %d %s", code, errs)
	}
	if code, _, _ := h.run("setup"); code != ExitBadInput {
		t.Errorf("setup alone: exit %d", code)
	}
	empty := newHarness(t, "project = \"p\"\nimage = \"debian/12\"\n")
	if code, _, errs := empty.run("setup", "emulation"); code != ExitBadInput || !strings.Contains(errs, "--platform linux/386") {
		t.Errorf("no platforms: exit %d %s", code, errs)
	}
}
