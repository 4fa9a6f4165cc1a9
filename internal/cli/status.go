package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/tui"
)

type statusCmd struct {
	app   *App
	noTUI bool
}

func (c *statusCmd) command() *cobra.Command {
	cmd := &cobra.Command{Use: "status", Short: "Show each service's state, health, addresses and ports", Args: cobra.NoArgs}
	cmd.Flags().BoolVar(&c.noTUI, "no-tui", false, "print a table even on a terminal")
	return cmd
}

// Run prints the status table (or JSON).
func (c *statusCmd) Run(ctx context.Context, args []string) error {
	env, b, err := c.app.connectExisting(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	if !c.app.json && !c.noTUI && isTTY(c.app.Stdout) && isTTYReader(c.app.Stdin) {
		return tui.Run(ctx, &dashboard{app: c.app, b: b, env: env}, tui.Options{NoColor: c.app.Getenv("NO_COLOR") != "", In: c.app.Stdin, Out: c.app.Stdout})
	}
	st, ok := b.(engine.Statuser)
	if !ok {
		return fmt.Errorf("the %s backend cannot report status", b.Name())
	}
	rows, err := st.Status(ctx, env)
	if err != nil {
		return err
	}
	if c.app.json {
		// The JSON has cpu_percent and mem_bytes; the table has neither,
		// so only JSON pays for reading them.
		addUsage(ctx, b, env, rows)
		enc := json.NewEncoder(c.app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"project": env.Project, "backend": b.Name(), "endpoint": b.Endpoint(), "services": rows,
		})
	}
	fmt.Fprintf(c.app.Stdout, "project %s on %s (%s)\n", env.Project, b.Name(), b.Endpoint())
	return writeStatusTable(c.app.Stdout, rows)
}

// addUsage fills CPU and memory into rows from a backend whose Status
// leaves them out (docker); a failed read leaves them blank, as a
// service's own failed read does.
func addUsage(ctx context.Context, b engine.Backend, env *envfile.Environment, rows []engine.ServiceStatus) {
	ur, ok := b.(engine.UsageReporter)
	if !ok {
		return
	}
	u, err := ur.Usage(ctx, env)
	if err != nil {
		return
	}
	for i := range rows {
		if x, ok := u[rows[i].Name]; ok {
			rows[i].CPU, rows[i].MemBytes = x.CPU, x.MemBytes
		}
	}
}

func writeStatusTable(w io.Writer, rows []engine.ServiceStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tSTATE\tHEALTH\tUPTIME\tRESTARTS\tADDRESSES\tPORTS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Name, r.State, dash(r.Health),
			uptime(r.StartedAt, r.State), r.Restarts, dash(strings.Join(r.Addresses, ",")), dash(strings.Join(r.Ports, ",")))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func uptime(started, state string) string {
	t, err := time.Parse(time.RFC3339Nano, started)
	if err != nil || state != engine.StateRunning {
		return "-"
	}
	return time.Since(t).Round(time.Second).String()
}
