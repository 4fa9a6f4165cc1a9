package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Backend describes one engine.
type Backend struct {
	// Name is how devbox.hcl's backend and --backend choose it: "lxc".
	Name string
	// Open connects to the engine with env's settings.
	Open func(ctx context.Context, env *envfile.Environment) (engine.Backend, error)

	// What doctor says. Daemon is what Installed looks for; Installed
	// checks the host (nil: assume installed, Open will tell); Install
	// and Start are the commands that fix a missing or stopped daemon.
	Daemon    string
	Installed func() bool
	Install   string
	Start     string
}

// Registry lists the backends, the default first.
type Registry []Backend

// Names lists the backends' names, the default first.
func (r Registry) Names() []string {
	out := make([]string, len(r))
	for i, b := range r {
		out[i] = b.Name
	}
	return out
}

// Lookup returns the backend called name; "" is the default.
func (r Registry) Lookup(name string) (Backend, bool) {
	if name == "" && len(r) > 0 {
		return r[0], true
	}
	for _, b := range r {
		if b.Name == name {
			return b, true
		}
	}
	return Backend{}, false
}

// Open connects to the backend called name ("" is the default).
func (r Registry) Open(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
	b, ok := r.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown backend %q: want %s", name, r.Choice())
	}
	if b.Open == nil {
		return nil, fmt.Errorf("backend %s cannot be opened: its registry entry has no Open", b.Name)
	}
	return b.Open(ctx, env)
}

// Choice is the names for a message: "lxc or docker", "a, b or c".
func (r Registry) Choice() string {
	names := r.Names()
	switch len(names) {
	case 0:
		return "(no backends are registered)"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
