package platform

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// BinfmtDir is where binfmt_misc is mounted.
const BinfmtDir = "/proc/sys/fs/binfmt_misc"

// Handler is one binfmt_misc entry, as /proc/sys/fs/binfmt_misc/NAME shows
// it.
type Handler struct {
	Name        string
	Enabled     bool
	Interpreter string
	Flags       string // e.g. "POCF"; F: the interpreter was opened at registration
	Offset      int
	Magic, Mask []byte // nil Mask: every bit counts
	Extension   string // for extension (E) entries, which never match by content
}

// Fixed reports whether the handler has the F flag: the kernel holds the
// interpreter open, so it runs inside containers and chroots that do not
// have the interpreter's path.
func (h Handler) Fixed() bool { return strings.Contains(h.Flags, "F") }

// ParseHandler reads an entry file's text.
func ParseHandler(name, text string) (Handler, error) {
	h := Handler{Name: name}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, val, _ := strings.Cut(line, " ")
		var err error
		switch key {
		case "enabled":
			h.Enabled = true
		case "disabled":
			h.Enabled = false
		case "interpreter":
			h.Interpreter = val
		case "flags:":
			h.Flags = val
		case "offset":
			h.Offset, err = strconv.Atoi(val)
		case "magic":
			h.Magic, err = hex.DecodeString(val)
		case "mask":
			h.Mask, err = hex.DecodeString(val)
		case "extension":
			h.Extension = val
		}
		if err != nil {
			return h, fmt.Errorf("binfmt_misc entry %s: %s: %w", name, line, err)
		}
	}
	return h, sc.Err()
}

// Matches reports whether the handler claims a file that starts with head.
func (h Handler) Matches(head []byte) bool {
	if h.Extension != "" || len(h.Magic) == 0 || h.Offset+len(h.Magic) > len(head) {
		return false
	}
	for i, m := range h.Magic {
		b := head[h.Offset+i]
		if h.Mask != nil && i < len(h.Mask) {
			b &= h.Mask[i]
			m &= h.Mask[i]
		}
		if b != m {
			return false
		}
	}
	return true
}

// RegisterLine is what registers a qemu handler for a with the F flag:
// the text written to /proc/sys/fs/binfmt_misc/register. P keeps argv[0]
// (qemu reads it from AT_FLAGS), so multi-call binaries such as busybox
// see the name they were called by.
func RegisterLine(a Arch, interpreter string) string {
	return fmt.Sprintf(":%s:M::%s:%s:%s:PF", HandlerName(a), escape(a.Magic()), escape(a.Mask), interpreter)
}

// HandlerName is the entry name devbox registers for a: qemu's own.
func HandlerName(a Arch) string { return "qemu-" + a.Qemu }

func escape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "\\x%02x", c)
	}
	return s.String()
}
