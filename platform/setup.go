package platform

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Action is one change Plan decided and Apply makes.
type Action struct {
	Mount bool   // mount binfmt_misc at BinfmtDir (Path, Data unused)
	Path  string // file under BinfmtDir to write
	Data  string
	Say   string // what it does, for the user
}

// Setup is what setting up emulation for some platforms means on a host:
// what each platform is now, and the changes that make every one runnable.
type Setup struct {
	Now     []Decision
	Actions []Action
}

// Plan decides, without touching the host, the binfmt_misc changes that
// make each platform runnable: mount binfmt_misc, enable it, drop
// handlers without the F flag, re-enable a disabled F handler, or register
// qemu's. Native and already-emulated platforms need nothing. It fails
// when a needed qemu-user interpreter is not installed.
func Plan(h Host, platforms []string) (Setup, error) {
	var s Setup
	mounted, enabled := h.Mounted, h.Enabled
	for _, p := range platforms {
		d := Decide(h, p)
		s.Now = append(s.Now, d)
		if d.OK() {
			continue
		}
		a, ok := Lookup(p)
		if !ok {
			return s, fmt.Errorf("%s: %s", p, d.Reason)
		}
		if !mounted {
			s.Actions = append(s.Actions, Action{Mount: true, Say: "mount binfmt_misc on " + BinfmtDir})
			mounted, enabled = true, true
		}
		if !enabled {
			s.Actions = append(s.Actions, write("status", "1", "enable binfmt_misc"))
			enabled = true
		}
		own, compat := Native(h.Machine)
		native := p == own || (p == compat && h.Compat == Yes)
		acts, err := handlerActions(h, a, native)
		if err != nil {
			return s, err
		}
		s.Actions = append(s.Actions, acts...)
	}
	return s, nil
}

// handlerActions makes a's handler an enabled one with F, or, where the
// kernel runs a's binaries itself (native), just removes handlers that
// stand in its way.
func handlerActions(h Host, a Arch, native bool) ([]Action, error) {
	var out []Action
	name := HandlerName(a)
	for _, e := range h.Handlers {
		claims := e.Matches(a.Magic())
		switch {
		case claims && e.Fixed() && !e.Enabled:
			return append(out, write(e.Name, "1", "enable the handler "+e.Name+" ("+e.Interpreter+")")), nil
		case claims && !e.Fixed():
			out = append(out, write(e.Name, "-1", "remove the handler "+e.Name+" (no F flag: it fails inside containers)"))
		case e.Name == name && !claims:
			out = append(out, write(e.Name, "-1", "remove the handler "+e.Name+" (it does not match "+a.Debian+" binaries)"))
		}
	}
	if native {
		return out, nil
	}
	qemu := h.Qemu[a.Qemu]
	if qemu == "" {
		return nil, fmt.Errorf("no qemu-%s-static on this host to emulate %s: install Debian's qemu-user-static (apt-get install qemu-user-static), then run this again", a.Qemu, a.Platform)
	}
	return append(out, write("register", RegisterLine(a, qemu),
		fmt.Sprintf("register %s → %s (flags PF) for %s", name, qemu, a.Platform))), nil
}

func write(file, data, say string) Action {
	return Action{Path: filepath.Join(BinfmtDir, file), Data: data, Say: say}
}

// Apply makes the actions, in order, calling done after each. It needs
// root.
func Apply(actions []Action, done func(Action)) error {
	for _, a := range actions {
		var err error
		if a.Mount {
			err = syscall.Mount("binfmt_misc", BinfmtDir, "binfmt_misc", 0, "")
		} else {
			err = writeFile(a.Path, a.Data)
		}
		if err != nil {
			return fmt.Errorf("platform: %s: %w", a.Say, err)
		}
		if done != nil {
			done(a)
		}
	}
	return nil
}

// writeFile writes data in one write(2), as binfmt_misc's files need.
func writeFile(path, data string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write([]byte(data)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
