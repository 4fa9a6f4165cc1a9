package platform

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/internal/testenv"
)

// entry is /proc/sys/fs/binfmt_misc/qemu-i386 after `devbox setup emulation`.
const entry = `enabled
interpreter /usr/bin/qemu-i386-static
flags: PF
offset 0
magic 7f454c4601010100000000000000000002000300
mask fffffffffffefe00fffffffffffffffffeffffff
`

func TestParseHandler(t *testing.T) {
	h, err := ParseHandler("qemu-i386", entry)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Enabled || !h.Fixed() || h.Interpreter != "/usr/bin/qemu-i386-static" || h.Offset != 0 {
		t.Fatalf("%+v", h)
	}
	i386, _ := Lookup("linux/386")
	amd64, _ := Lookup("linux/amd64")
	if !h.Matches(i386.Magic()) {
		t.Error("does not match an i386 header")
	}
	if h.Matches(amd64.Magic()) {
		t.Error("matches an amd64 header")
	}
	dyn := i386.Magic()
	dyn[16] = 3 // ET_DYN: PIE executables, masked in
	if !h.Matches(dyn) {
		t.Error("does not match an i386 PIE header")
	}
	if h.Matches(ProbeELF(i386)) {
		t.Error("matches the probe, which must reach the kernel's own loader")
	}
	off, _ := ParseHandler("x", strings.Replace(entry, "enabled", "disabled", 1))
	if off.Enabled {
		t.Error("disabled entry parsed as enabled")
	}
	if _, err := ParseHandler("bad", "magic zz\n"); err == nil {
		t.Error("bad magic accepted")
	}
	ext, _ := ParseHandler("jar", "enabled\ninterpreter /usr/bin/jexec\nflags: \nextension .jar\n")
	if ext.Matches(i386.Magic()) {
		t.Error("an extension entry matched by content")
	}
}

// TestRegisterLine checks the line written to register against what the
// kernel then shows for it.
func TestRegisterLine(t *testing.T) {
	a, _ := Lookup("linux/386")
	line := RegisterLine(a, "/usr/bin/qemu-i386-static")
	f := strings.Split(line, ":")
	if len(f) != 8 || f[1] != "qemu-i386" || f[2] != "M" || f[6] != "/usr/bin/qemu-i386-static" || f[7] != "PF" {
		t.Fatalf("fields %q", f)
	}
	magic := strings.ReplaceAll(f[4], `\x`, "")
	if !strings.Contains(entry, "magic "+magic+"\n") || !strings.Contains(entry, "mask "+strings.ReplaceAll(f[5], `\x`, "")+"\n") {
		t.Errorf("magic/mask %s %s differ from the kernel's entry", f[4], f[5])
	}
}

// TestProbeELFRuns runs each probe program under its qemu-user
// interpreter directly (not binfmt_misc): it must exit 42.
func TestProbeELFRuns(t *testing.T) {
	for _, p := range []string{"linux/386", "linux/arm/v7"} {
		a, _ := Lookup(p)
		qemu := findQemu(a)
		if qemu == "" {
			testenv.Missing(t, "qemu-%s-static not installed (Debian's qemu-user-static)", a.Qemu)
			continue
		}
		path := filepath.Join(t.TempDir(), "probe")
		if err := os.WriteFile(path, ProbeELF(a), 0o755); err != nil {
			t.Fatal(err)
		}
		var errb bytes.Buffer
		cmd := exec.Command(qemu, path)
		cmd.Stderr = &errb
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != probeExit {
			t.Errorf("%s probe under %s: exit %d (%v) %s", p, qemu, code, err, errb.String())
		}
	}
	amd64, _ := Lookup("linux/amd64")
	if ProbeELF(amd64) != nil {
		t.Error("amd64 has no compat probe")
	}
}

// TestReadThisHost checks Read against the machine: the kernel's own
// platform is native, and the compat probe gave an answer on x86_64.
func TestReadThisHost(t *testing.T) {
	h := Read()
	own, compat := Native(h.Machine)
	if own == "" {
		t.Skipf("unknown machine %q", h.Machine)
	}
	if d := Decide(h, own); d.Verdict != NativeRun {
		t.Errorf("own platform: %s", d)
	}
	if h.Machine == "x86_64" && h.Compat == Unknown {
		t.Errorf("IA-32 probe gave no answer: %s", h.CompatDetail)
	}
	t.Logf("machine %s, %s compat: %q %s; binfmt mounted %v enabled %v, %d handlers", h.Machine, compat, h.Compat, h.CompatDetail, h.Mounted, h.Enabled, len(h.Handlers))
}
