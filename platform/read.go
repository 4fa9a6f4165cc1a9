package platform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Read looks at this machine: the kernel's architecture, its compat mode
// (by running a probe), binfmt_misc and its handlers, and which qemu-user
// static interpreters are installed.
func Read() Host {
	h := Host{Machine: machine(), Qemu: map[string]string{}}
	h.Handlers, h.Mounted, h.Enabled = readBinfmt(BinfmtDir)
	if _, compat := Native(h.Machine); compat != "" {
		a, _ := Lookup(compat)
		h.Compat, h.CompatDetail = probeCompat(a, h.Handlers)
	}
	for _, a := range arches() {
		if p := findQemu(a); p != "" {
			h.Qemu[a.Qemu] = p
		}
	}
	return h
}

func machine() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return ""
	}
	var b strings.Builder
	for _, c := range u.Machine {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}

// readBinfmt lists dir's handlers. Unreadable entries are left out: what
// cannot be read cannot be relied on.
func readBinfmt(dir string) (hs []Handler, mounted, enabled bool) {
	if _, err := os.Stat(filepath.Join(dir, "register")); err != nil {
		return nil, false, false
	}
	st, _ := os.ReadFile(filepath.Join(dir, "status"))
	enabled = strings.TrimSpace(string(st)) == "enabled"
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() == "register" || e.Name() == "status" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if h, err := ParseHandler(e.Name(), string(b)); err == nil {
			hs = append(hs, h)
		}
	}
	return hs, true, enabled
}

// findQemu returns the static qemu-user interpreter for a, if installed.
// Only a static one works with F inside containers, which lack its
// libraries.
func findQemu(a Arch) string {
	name := "qemu-" + a.Qemu + "-static"
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/bin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}
