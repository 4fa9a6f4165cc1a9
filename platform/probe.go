package platform

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// probeExit is the exit status of the probe programs: proof they ran.
const probeExit = 42

// ProbeELF returns a tiny static executable for a's compat platform that
// exits with status 42, or nil when devbox has none for a. One byte of
// its ELF header's padding is set, which the kernel's loader ignores but
// every binfmt_misc handler's magic (padding: zeros) rejects: running it
// asks the kernel itself, even where qemu is registered.
func ProbeELF(a Arch) []byte {
	var code []byte
	var flags uint32
	switch a.Platform {
	case "linux/386":
		// mov ebx, 42; mov eax, 1 (exit); int 0x80
		code = []byte{0xbb, probeExit, 0, 0, 0, 0xb8, 1, 0, 0, 0, 0xcd, 0x80}
	case "linux/arm/v7":
		// mov r0, #42; mov r7, #1 (exit); svc #0
		code = []byte{probeExit, 0x00, 0xa0, 0xe3, 0x01, 0x70, 0xa0, 0xe3, 0x00, 0x00, 0x00, 0xef}
		flags = 0x05000000 // EABI version 5
	default:
		return nil
	}
	const base, ehsize, phsize = 0x10000, 52, 32
	size := uint32(ehsize + phsize + len(code))
	b := make([]byte, 0, size)
	le := binary.LittleEndian
	b = append(b, a.Magic()[:16]...)
	b[9] = 'd'                                 // EI_PAD: see above
	b = le.AppendUint16(b, 2)                  // e_type: EXEC
	b = le.AppendUint16(b, a.Machine)          // e_machine
	b = le.AppendUint32(b, 1)                  // e_version
	b = le.AppendUint32(b, base+ehsize+phsize) // e_entry
	b = le.AppendUint32(b, ehsize)             // e_phoff
	b = le.AppendUint32(b, 0)                  // e_shoff
	b = le.AppendUint32(b, flags)              // e_flags
	b = le.AppendUint16(b, ehsize)             // e_ehsize
	b = le.AppendUint16(b, phsize)             // e_phentsize
	b = le.AppendUint16(b, 1)                  // e_phnum
	b = append(b, 0, 0, 0, 0, 0, 0)            // no sections
	b = le.AppendUint32(b, 1)                  // p_type: LOAD
	b = le.AppendUint32(b, 0)                  // p_offset
	b = le.AppendUint32(b, base)               // p_vaddr
	b = le.AppendUint32(b, base)               // p_paddr
	b = le.AppendUint32(b, size)               // p_filesz
	b = le.AppendUint32(b, size)               // p_memsz
	b = le.AppendUint32(b, 5)                  // p_flags: R+X
	b = le.AppendUint32(b, 0x1000)             // p_align
	return append(b, code...)
}

// probeCompat runs a's probe program: Yes when the kernel ran it, No when
// it refused it (ENOEXEC), Unknown with the reason otherwise.
func probeCompat(a Arch, handlers []Handler) (Probe, string) {
	elf := ProbeELF(a)
	if elf == nil {
		return Unknown, "devbox has no probe for " + a.Debian
	}
	for _, h := range handlers {
		if h.Enabled && h.Matches(elf) {
			return Unknown, "binfmt_misc handler " + h.Name + " claims the probe"
		}
	}
	dir, err := os.MkdirTemp("", "devbox-probe-")
	if err != nil {
		return Unknown, err.Error()
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "probe-"+a.Debian)
	if err := os.WriteFile(path, elf, 0o700); err != nil {
		return Unknown, err.Error()
	}
	err = exec.Command(path).Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && ee.ExitCode() == probeExit:
		return Yes, ""
	case errors.Is(err, syscall.ENOEXEC):
		return No, a.Debian + " execve returns ENOEXEC: the kernel's " + compatName(a) + " is off or absent"
	case err == nil:
		return Unknown, "the probe exited 0, not 42"
	}
	return Unknown, fmt.Sprintf("running the probe: %v", err)
}

func compatName(a Arch) string {
	if a.Platform == "linux/386" {
		return "IA-32 emulation"
	}
	return "32-bit (AArch32) support"
}
