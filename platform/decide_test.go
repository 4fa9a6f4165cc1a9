package platform

import (
	"strings"
	"testing"
)

// qemuHandler is a handler as Read finds it after `devbox setup emulation`.
func qemuHandler(qemu, flags string, enabled bool) Handler {
	var a Arch
	for _, x := range arches() {
		if x.Qemu == qemu {
			a = x
		}
	}
	return Handler{Name: "qemu-" + qemu, Enabled: enabled, Interpreter: "/usr/bin/qemu-" + qemu + "-static",
		Flags: flags, Magic: a.Magic(), Mask: a.Mask}
}

var allQemu = map[string]string{"i386": "/usr/bin/qemu-i386-static", "x86_64": "/usr/bin/qemu-x86_64-static",
	"aarch64": "/usr/bin/qemu-aarch64-static", "arm": "/usr/bin/qemu-arm-static"}

func TestDecide(t *testing.T) {
	ia32Off := Host{Machine: "x86_64", Compat: No, CompatDetail: "i386 execve returns ENOEXEC", Mounted: true, Enabled: true, Qemu: allQemu}
	with := func(h Host, hs ...Handler) Host { h.Handlers = hs; return h }
	cases := []struct {
		name     string
		host     Host
		platform string
		want     Verdict
		reason   []string // substrings of Reason
		fix      string   // substring of Fix
	}{
		{"x86_64 own", ia32Off, "linux/amd64", NativeRun, []string{"own architecture"}, ""},
		{"x86_64 IA32 on", Host{Machine: "x86_64", Compat: Yes, Mounted: true, Enabled: true}, "linux/386", NativeRun, []string{"compat mode"}, ""},
		{"x86_64 IA32 on, binfmt not mounted", Host{Machine: "x86_64", Compat: Yes}, "linux/386", NativeRun, nil, ""},
		{"x86_64 IA32 off, qemu-i386 F", with(ia32Off, qemuHandler("i386", "PF", true)), "linux/386", Emulated, []string{"qemu-i386", "F flag"}, ""},
		{"x86_64 IA32 off, qemu-i386 without F", with(ia32Off, qemuHandler("i386", "P", true)), "linux/386", Unavailable,
			[]string{"without the F flag", "inside containers"}, "devbox setup emulation --platform linux/386"},
		{"x86_64 IA32 on but qemu-i386 without F claims first", with(Host{Machine: "x86_64", Compat: Yes, Mounted: true, Enabled: true}, qemuHandler("i386", "", true)),
			"linux/386", Unavailable, []string{"without the F flag"}, "devbox setup emulation"},
		{"x86_64 IA32 off, qemu-i386 disabled", with(ia32Off, qemuHandler("i386", "F", false)), "linux/386", Unavailable,
			[]string{"does not run i386 binaries (i386 execve returns ENOEXEC)", "qemu-i386 for them is disabled"}, "devbox setup emulation"},
		{"x86_64 IA32 off, nothing registered", ia32Off, "linux/386", Unavailable,
			[]string{"this kernel does not run i386 binaries", "no qemu-i386 handler is registered"}, "as root: devbox setup emulation --platform linux/386"},
		{"x86_64 IA32 off, nothing registered, no qemu", Host{Machine: "x86_64", Compat: No, Mounted: true, Enabled: true}, "linux/386", Unavailable,
			nil, "apt-get install qemu-user-static"},
		{"x86_64 binfmt not mounted", Host{Machine: "x86_64", Compat: No, Qemu: allQemu}, "linux/386", Unavailable, []string{"not mounted"}, "devbox setup emulation"},
		{"x86_64 binfmt disabled", with(Host{Machine: "x86_64", Compat: No, Mounted: true, Qemu: allQemu}, qemuHandler("i386", "F", true)), "linux/386", Unavailable,
			[]string{"binfmt_misc (for emulation) is disabled"}, "devbox setup emulation"},
		{"x86_64 other handler for arm only", with(ia32Off, qemuHandler("arm", "F", true)), "linux/386", Unavailable, []string{"no qemu-i386 handler"}, ""},
		{"x86_64 arm64 emulated", with(ia32Off, qemuHandler("aarch64", "OCF", true)), "linux/arm64", Emulated, []string{"qemu-aarch64"}, ""},
		{"x86_64 arm64 nothing", ia32Off, "linux/arm64", Unavailable, []string{"x86_64 kernel, which cannot run arm64 binaries"}, "--platform linux/arm64"},
		{"arm64 own", Host{Machine: "aarch64"}, "linux/arm64", NativeRun, nil, ""},
		{"arm64 with qemu-x86_64", with(Host{Machine: "aarch64", Mounted: true, Enabled: true}, qemuHandler("x86_64", "F", true)), "linux/amd64", Emulated, []string{"qemu-x86_64"}, ""},
		{"arm64 with qemu-i386", with(Host{Machine: "aarch64", Mounted: true, Enabled: true}, qemuHandler("i386", "F", true)), "linux/386", Emulated, []string{"qemu-i386"}, ""},
		{"arm64 qemu-x86_64 does not serve 386", with(Host{Machine: "aarch64", Mounted: true, Enabled: true}, qemuHandler("x86_64", "F", true)), "linux/386", Unavailable,
			[]string{"aarch64 kernel, which cannot run i386"}, "apt-get install qemu-user-static"},
		{"arm64 AArch32 unprobed", Host{Machine: "aarch64", Mounted: true, Enabled: true, CompatDetail: "no probe"}, "linux/arm/v7", Unavailable, []string{"could not be probed"}, ""},
		{"arm64 AArch32 on", Host{Machine: "aarch64", Compat: Yes}, "linux/arm/v7", NativeRun, nil, ""},
		{"i686 own", Host{Machine: "i686"}, "linux/386", NativeRun, nil, ""},
		{"unknown platform", ia32Off, "linux/s390x", Unavailable, []string{"does not know"}, "linux/386"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decide(c.host, c.platform)
			if d.Verdict != c.want {
				t.Fatalf("verdict %s, want %s: %s", d.Verdict, c.want, d)
			}
			for _, r := range c.reason {
				if !strings.Contains(d.Reason, r) {
					t.Errorf("reason %q lacks %q", d.Reason, r)
				}
			}
			if !strings.Contains(d.Fix, c.fix) {
				t.Errorf("fix %q lacks %q", d.Fix, c.fix)
			}
			if (d.Err() == nil) != (c.want != Unavailable) {
				t.Errorf("Err() = %v for %s", d.Err(), d.Verdict)
			}
			if c.want == Unavailable && d.Fix == "" {
				t.Errorf("unavailable without a fix: %s", d)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	off := Host{Machine: "x86_64", Compat: No, Mounted: true, Enabled: true, Qemu: allQemu}
	cases := []struct {
		name string
		host Host
		want []string // Say of each action, in order (substrings)
		err  string
	}{
		{"native: nothing", Host{Machine: "x86_64", Compat: Yes, Mounted: true, Enabled: true}, nil, ""},
		{"already emulated: nothing", Host{Machine: "x86_64", Compat: No, Mounted: true, Enabled: true,
			Handlers: []Handler{qemuHandler("i386", "F", true)}}, nil, ""},
		{"not mounted", Host{Machine: "x86_64", Compat: No, Qemu: allQemu}, []string{"mount binfmt_misc", "register qemu-i386"}, ""},
		{"disabled binfmt", Host{Machine: "x86_64", Compat: No, Mounted: true, Qemu: allQemu}, []string{"enable binfmt_misc", "register qemu-i386"}, ""},
		{"registered", off, []string{"register qemu-i386 → /usr/bin/qemu-i386-static (flags PF)"}, ""},
		{"disabled F handler is re-enabled", Host{Machine: "x86_64", Compat: No, Mounted: true, Enabled: true, Qemu: allQemu,
			Handlers: []Handler{qemuHandler("i386", "F", false)}}, []string{"enable the handler qemu-i386"}, ""},
		{"handler without F is replaced", Host{Machine: "x86_64", Compat: No, Mounted: true, Enabled: true, Qemu: allQemu,
			Handlers: []Handler{qemuHandler("i386", "P", true)}}, []string{"remove the handler qemu-i386 (no F flag", "register qemu-i386"}, ""},
		{"native, but a handler without F claims i386: only removed", Host{Machine: "x86_64", Compat: Yes, Mounted: true, Enabled: true,
			Handlers: []Handler{qemuHandler("i386", "", true)}}, []string{"remove the handler qemu-i386"}, ""},
		{"no qemu installed", Host{Machine: "x86_64", Compat: No, Mounted: true, Enabled: true}, nil, "apt-get install qemu-user-static"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Plan(c.host, []string{"linux/386", "linux/amd64"})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Now) != 2 {
				t.Errorf("Now: %v", s.Now)
			}
			if len(s.Actions) != len(c.want) {
				t.Fatalf("actions %+v, want %q", s.Actions, c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(s.Actions[i].Say, w) {
					t.Errorf("action %d %q, want %q", i, s.Actions[i].Say, w)
				}
			}
		})
	}
}
