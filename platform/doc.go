// Package platform decides which CPU platforms this host can run, for the
// tools (and images) a devbox.hcl asks for: natively (the kernel's own
// architecture, or a compat mode such as IA-32 emulation on x86_64),
// emulated (a binfmt_misc handler, normally qemu-user, registered with the
// F flag so it works inside containers), or not at all.
//
// The decision (Decide) and the changes that set emulation up (Plan) are
// pure functions of a Host, what Read finds on the machine: uname, a probe
// of the kernel's compat mode, and /proc/sys/fs/binfmt_misc. Apply makes
// Plan's changes, as root. Kernels now ship with IA32 emulation off
// (ia32_emulation=, IA32_EMULATION_DEFAULT_DISABLED) and arm64 hosts have
// no x86 at all, which is why a 32-bit legacy tool needs this.
package platform
