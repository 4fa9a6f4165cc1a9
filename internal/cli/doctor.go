package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/registry"
	"github.com/devbox-dev/devbox/platform"
)

type doctorCmd struct{ app *App }

func (c *doctorCmd) command() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check Incus and Docker (daemons, versions, storage, bridges, base images) and the platforms the file's tools need; say how to fix",
		Args:  cobra.NoArgs,
	}
}

// report is doctor's result for one engine.
type report struct {
	Backend string         `json:"backend"`
	OK      bool           `json:"ok"`
	Checks  []engine.Check `json:"checks"`
}

// Run checks every engine (or only --backend). It works without a
// devbox.hcl, using defaults; with one, it checks that file's image.
func (c *doctorCmd) Run(ctx context.Context, args []string) error {
	env := &envfile.Environment{Image: "debian/12", LXC: envfile.LXCConfig{Remote: "local"}}
	if _, err := c.app.findFile(); err == nil {
		if env, err = c.app.load(); err != nil {
			return err
		}
	}
	list := c.app.Backends
	if c.app.backend != "" {
		b, found := list.Lookup(c.app.backend)
		if !found {
			return badInput(fmt.Errorf("--backend %q: want %s", c.app.backend, list.Choice()))
		}
		list = registry.Registry{b}
	}
	var reports []report
	ok := true
	for _, b := range list {
		r := c.check(ctx, b, env)
		ok = ok && r.OK
		reports = append(reports, r)
	}
	if r := c.hostReport(env); len(r.Checks) > 0 {
		ok = ok && r.OK
		reports = append(reports, r)
	}
	if c.app.json {
		enc := json.NewEncoder(c.app.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
	} else {
		writeReports(c.app.Stdout, reports)
	}
	if !ok {
		return &exitError{code: ExitFailure, err: fmt.Errorf("doctor found problems"), printed: c.app.json}
	}
	return nil
}

// check is one engine's report: installed (the registry's host check),
// reachable (Open), then the engine's own checks.
func (c *doctorCmd) check(ctx context.Context, be registry.Backend, env *envfile.Environment) report {
	r := report{Backend: be.Name}
	if be.Installed != nil && !be.Installed() {
		r.Checks = append(r.Checks, engine.Check{Name: "installed", Detail: be.Daemon + " not found", Fix: be.Install})
		return r
	}
	r.Checks = append(r.Checks, engine.Check{Name: "installed", OK: true, Detail: be.Daemon})
	b, err := c.app.Backends.Open(ctx, be.Name, env)
	if err != nil {
		r.Checks = append(r.Checks, engine.Check{Name: "daemon", Detail: err.Error(), Fix: be.Start})
		return r
	}
	defer b.Close()
	if d, ok := b.(engine.Doctor); ok {
		r.Checks = append(r.Checks, d.Doctor(ctx, env)...)
	}
	r.OK = true
	for _, ch := range r.Checks {
		r.OK = r.OK && ch.OK
	}
	return r
}

// hostReport is one line per platform the file's tools use (and the
// kernel's own): native, emulated, or unavailable with the fix.
func (c *doctorCmd) hostReport(env *envfile.Environment) report {
	h := c.app.host()
	ps := platformsOf(env)
	if own, _ := platform.Native(h.Machine); own != "" && !slices.Contains(ps, own) {
		ps = append([]string{own}, ps...)
	}
	r := report{Backend: "host (platforms)", OK: true}
	for _, p := range ps {
		d := platform.Decide(h, p)
		r.OK = r.OK && d.OK()
		r.Checks = append(r.Checks, engine.Check{Name: p, OK: d.OK(), Detail: string(d.Verdict) + ": " + d.Reason, Fix: d.Fix})
	}
	return r
}

func writeReports(w io.Writer, reports []report) {
	for _, r := range reports {
		fmt.Fprintf(w, "%s:\n", r.Backend)
		for _, ch := range r.Checks {
			mark := "ok  "
			if !ch.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  [%s] %-14s %s\n", mark, ch.Name, ch.Detail)
			if !ch.OK && ch.Fix != "" {
				fmt.Fprintf(w, "         fix: %s\n", ch.Fix)
			}
		}
	}
}
