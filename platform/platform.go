package platform

import (
	"fmt"
	"sort"
)

// Arch is what devbox knows of one platform's binaries.
type Arch struct {
	Platform string // "linux/386"
	Debian   string // Debian's architecture name, also the suffix of per-arch image names: "i386"
	Qemu     string // qemu-user's name: "i386" (qemu-i386-static)
	Docker   string // image Architecture: "386"
	Variant  string // image Variant: "v7" for linux/arm/v7
	Incus    string // instance architecture: "i686"
	Repo     string // Docker official images' per-arch namespace: "i386"
	Class    byte   // ELF class: 1 = 32-bit, 2 = 64-bit
	Machine  uint16 // ELF e_machine
	// Mask is the binfmt_misc mask qemu registers this ELF header with
	// (QEMU's scripts/qemu-binfmt-conf.sh); Magic is header() below.
	Mask []byte
}

// x86Mask ignores the OS ABI byte and the ELF type's low bit (EXEC/DYN);
// armMask ignores only the ELF type's low bit.
var (
	x86Mask = []byte("\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff")
	armMask = []byte("\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff")
)

// arches are the platforms devbox.hcl accepts. A function, not a mutable
// package variable.
func arches() []Arch {
	return []Arch{
		{Platform: "linux/amd64", Debian: "amd64", Qemu: "x86_64", Docker: "amd64", Incus: "x86_64", Repo: "amd64",
			Class: 2, Machine: 62, Mask: x86Mask},
		{Platform: "linux/386", Debian: "i386", Qemu: "i386", Docker: "386", Incus: "i686", Repo: "i386",
			Class: 1, Machine: 3, Mask: x86Mask},
		{Platform: "linux/arm64", Debian: "arm64", Qemu: "aarch64", Docker: "arm64", Incus: "aarch64", Repo: "arm64v8",
			Class: 2, Machine: 183, Mask: armMask},
		{Platform: "linux/arm/v7", Debian: "armhf", Qemu: "arm", Docker: "arm", Variant: "v7", Incus: "armv7l", Repo: "arm32v7",
			Class: 1, Machine: 40, Mask: armMask},
	}
}

// Lookup returns the platform's Arch.
func Lookup(platform string) (Arch, bool) {
	for _, a := range arches() {
		if a.Platform == platform {
			return a, true
		}
	}
	return Arch{}, false
}

// Names lists the known platforms, sorted.
func Names() []string {
	var out []string
	for _, a := range arches() {
		out = append(out, a.Platform)
	}
	sort.Strings(out)
	return out
}

// Magic is the first 20 bytes of an ordinary executable of this platform:
// what a binfmt_misc handler for it matches.
func (a Arch) Magic() []byte {
	h := []byte{0x7f, 'E', 'L', 'F', a.Class, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0}
	h[18], h[19] = byte(a.Machine), byte(a.Machine>>8)
	return h
}

// Native returns the platform a kernel machine name (uname -m) runs as its
// own, and the one it may run in a compat mode ("" when none).
func Native(machine string) (own, compat string) {
	switch machine {
	case "x86_64", "amd64":
		return "linux/amd64", "linux/386"
	case "i686", "i586", "i386":
		return "linux/386", ""
	case "aarch64", "arm64":
		return "linux/arm64", "linux/arm/v7"
	case "armv7l", "armv8l":
		return "linux/arm/v7", ""
	}
	return "", ""
}

// Verdict is whether the host runs a platform's binaries.
type Verdict string

// The three verdicts.
const (
	NativeRun   Verdict = "native"
	Emulated    Verdict = "emulated"
	Unavailable Verdict = "unavailable"
)

// Decision is the verdict for one platform with its reason and, when it is
// unavailable, the fix.
type Decision struct {
	Platform string  `json:"platform"`
	Verdict  Verdict `json:"verdict"`
	Reason   string  `json:"reason"`
	Fix      string  `json:"fix,omitempty"`
}

// OK reports whether the platform's programs can run.
func (d Decision) OK() bool { return d.Verdict != Unavailable }

// Err is nil when the platform runs, else an error saying what, why, and
// the fix.
func (d Decision) Err() error {
	if d.OK() {
		return nil
	}
	return fmt.Errorf("platform %s is unavailable on this host: %s; fix: %s", d.Platform, d.Reason, d.Fix)
}

// String is the decision on one line.
func (d Decision) String() string {
	s := d.Platform + ": " + string(d.Verdict) + " (" + d.Reason + ")"
	if d.Fix != "" {
		s += "; fix: " + d.Fix
	}
	return s
}
