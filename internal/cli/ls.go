package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/registry"
)

type lsCmd struct{ app *App }

func (c *lsCmd) command() *cobra.Command {
	return &cobra.Command{
		Use:   "ls",
		Short: "List the devbox environments on every engine (no devbox.hcl needed)",
		Long: "List every devbox environment on the engines devbox can reach: project, backend, state " +
			"(running, stopped or partial), services running/total, and the directory of the devbox.hcl " +
			"it was brought up from (- for environments made by an older devbox). An engine that cannot " +
			"be reached is a warning. --backend lists one engine only.",
		Args: cobra.NoArgs,
	}
}

// engineList is what one engine answered.
type engineList struct {
	name     string
	projects []engine.ProjectInfo
	err      error
}

// Run lists every registered engine at once (an engine that is down costs
// its connect timeout, not the sum of them) and prints them in registry
// order.
func (c *lsCmd) Run(ctx context.Context, args []string) error {
	backends := c.app.Backends
	name := c.app.backend
	if name != "" {
		b, ok := backends.Lookup(name)
		if !ok {
			return badInput(fmt.Errorf("--backend %q: want %s", name, backends.Choice()))
		}
		backends = registry.Registry{b}
	}
	results := make([]engineList, len(backends))
	var wg sync.WaitGroup
	for i, rb := range backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.list(ctx, rb)
		}()
	}
	wg.Wait()
	rows := []engine.ProjectInfo{}
	failed := 0
	for _, r := range results {
		if r.err != nil {
			failed++
			fmt.Fprintf(c.app.Stderr, "devbox: ls: %s skipped: %v\n", r.name, r.err)
			continue
		}
		rows = append(rows, r.projects...)
	}
	if failed == len(results) && failed > 0 {
		return errors.New("ls: no engine could be reached")
	}
	if c.app.json {
		enc := json.NewEncoder(c.app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return writeLsTable(c.app.Stdout, rows)
}

// list opens one engine without a file and asks it for its projects.
func (c *lsCmd) list(ctx context.Context, rb registry.Backend) engineList {
	out := engineList{name: rb.Name}
	if rb.Open == nil {
		out.err = fmt.Errorf("its registry entry has no Open")
		return out
	}
	env := &envfile.Environment{Backend: rb.Name}
	env.LXC.Remote = c.app.remote
	b, err := rb.Open(ctx, env)
	if err != nil {
		out.err = err
		return out
	}
	defer b.Close()
	l, ok := b.(engine.Lister)
	if !ok {
		out.err = fmt.Errorf("the %s backend cannot list projects", rb.Name)
		return out
	}
	out.projects, out.err = l.ListProjects(ctx)
	for i := range out.projects {
		out.projects[i].Backend = rb.Name
	}
	return out
}

func writeLsTable(w io.Writer, rows []engine.ProjectInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tBACKEND\tSTATE\tSERVICES\tDIR")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Project, r.Backend, r.State,
			strconv.Itoa(r.Running)+"/"+strconv.Itoa(r.Total), dash(r.Dir))
	}
	return tw.Flush()
}
