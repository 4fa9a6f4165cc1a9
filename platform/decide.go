package platform

import "fmt"

// Probe is what a run of a tiny compat-mode program found: Yes, No, or
// Unknown ("").
type Probe string

// Probe results.
const (
	Unknown Probe = ""
	Yes     Probe = "yes"
	No      Probe = "no"
)

// Host is what Read finds on this machine: all Decide and Plan look at.
type Host struct {
	Machine      string            // uname -m
	Compat       Probe             // does the kernel run its compat platform (Native's second)?
	CompatDetail string            // why, for messages: "i386 execve returns ENOEXEC"
	Mounted      bool              // binfmt_misc is mounted
	Enabled      bool              // binfmt_misc's status is enabled
	Handlers     []Handler         // its entries
	Qemu         map[string]string // qemu name ("i386") → static interpreter found on the host
}

// Decide says whether the host runs platform's binaries, why, and the fix
// when it does not.
func Decide(h Host, platform string) Decision {
	d := Decision{Platform: platform}
	a, ok := Lookup(platform)
	if !ok {
		d.Verdict, d.Reason, d.Fix = Unavailable, "devbox does not know this platform", "use one of "+fmt.Sprint(Names())
		return d
	}
	own, compat := Native(h.Machine)
	if platform == own {
		d.Verdict, d.Reason = NativeRun, "the kernel's own architecture ("+h.Machine+")"
		return d
	}
	// binfmt_misc is asked before the kernel's own ELF loader, so a
	// handler decides even where the kernel could run the binary itself.
	fixed, loose, off := handlersFor(h, a)
	if h.Mounted && h.Enabled {
		if loose != nil {
			d.Verdict = Unavailable
			d.Reason = fmt.Sprintf("the binfmt_misc handler %s claims %s binaries without the F flag, so its interpreter %s is not found inside containers",
				loose.Name, a.Debian, loose.Interpreter)
			d.Fix = fixCmd(h, a)
			return d
		}
		if fixed != nil {
			d.Verdict = Emulated
			d.Reason = fmt.Sprintf("binfmt_misc handler %s (%s, F flag)", fixed.Name, fixed.Interpreter)
			return d
		}
	}
	if platform == compat && h.Compat == Yes {
		d.Verdict, d.Reason = NativeRun, fmt.Sprintf("the %s kernel runs %s binaries (compat mode)", h.Machine, a.Debian)
		return d
	}
	d.Verdict = Unavailable
	d.Reason = kernelWhy(h, a, platform == compat) + "; " + binfmtWhy(h, a, off)
	d.Fix = fixCmd(h, a)
	return d
}

// handlersFor returns the enabled handlers that claim a's binaries, with
// and without F, and a disabled one.
func handlersFor(h Host, a Arch) (fixed, loose, off *Handler) {
	magic := a.Magic()
	for i := range h.Handlers {
		e := &h.Handlers[i]
		switch {
		case !e.Matches(magic):
		case !e.Enabled:
			off = e
		case e.Fixed():
			fixed = e
		default:
			loose = e
		}
	}
	return fixed, loose, off
}

func kernelWhy(h Host, a Arch, compat bool) string {
	switch {
	case h.Machine == "":
		return "the kernel's architecture is unknown"
	case !compat:
		return fmt.Sprintf("this is an %s kernel, which cannot run %s binaries itself", h.Machine, a.Debian)
	case h.Compat == No && h.CompatDetail != "":
		return fmt.Sprintf("this kernel does not run %s binaries (%s)", a.Debian, h.CompatDetail)
	case h.Compat == No:
		return fmt.Sprintf("this kernel does not run %s binaries", a.Debian)
	}
	return fmt.Sprintf("whether this kernel runs %s binaries could not be probed (%s)", a.Debian, h.CompatDetail)
}

func binfmtWhy(h Host, a Arch, off *Handler) string {
	switch {
	case !h.Mounted:
		return "binfmt_misc (for emulation) is not mounted"
	case !h.Enabled:
		return "binfmt_misc (for emulation) is disabled"
	case off != nil:
		return fmt.Sprintf("the binfmt_misc handler %s for them is disabled", off.Name)
	}
	return fmt.Sprintf("no qemu-%s handler is registered in binfmt_misc", a.Qemu)
}

func fixCmd(h Host, a Arch) string {
	cmd := "as root: devbox setup emulation --platform " + a.Platform
	if h.Qemu[a.Qemu] == "" {
		return "apt-get install qemu-user-static (Debian/Ubuntu), then " + cmd
	}
	return cmd
}
