package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
)

type portCmd struct{ app *App }

func (c *portCmd) command() *cobra.Command {
	return &cobra.Command{
		Use:   "port SERVICE PORT[/PROTO]",
		Short: "Print the host address a service's port is published on (127.0.0.1:18080)",
		Long: "Print the host address a service's container port is published on, as the engine reports it. " +
			"PROTO is tcp (default) or udp. Exit 1 when the port is not published (or the service is not running), " +
			"2 for a service not in the file.",
		Args: cobra.ExactArgs(2),
	}
}

// Run looks the port up in the service's observed status.
func (c *portCmd) Run(ctx context.Context, args []string) error {
	port, proto, err := parsePortArg(args[1])
	if err != nil {
		return badInput(err)
	}
	env, b, err := c.app.connectExisting(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	name, err := oneService(env, args[0])
	if err != nil {
		return err
	}
	st, ok := b.(engine.Statuser)
	if !ok {
		return fmt.Errorf("the %s backend cannot report ports", b.Name())
	}
	rows, err := st.Status(ctx, env)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Name != name {
			continue
		}
		if r.State == engine.StateMissing || r.State == engine.StateStopped {
			return fmt.Errorf("service %q is %s: its ports are published while it runs (devbox up)", r.Name, r.State)
		}
		if addr, ok := publishedAt(r.Ports, port, proto); ok {
			fmt.Fprintln(c.app.Stdout, addr)
			return nil
		}
	}
	return fmt.Errorf("service %q does not publish %d/%s on the host; give its port block a host = … to forward it", name, port, proto)
}

// parsePortArg reads PORT[/PROTO]: "8080", "53/udp".
func parsePortArg(s string) (int, string, error) {
	num, proto, hasProto := strings.Cut(s, "/")
	if !hasProto {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" {
		return 0, "", fmt.Errorf("port %q: protocol %q: want tcp or udp", s, proto)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 {
		return 0, "", fmt.Errorf("port %q: want a number from 1 to 65535, optionally /tcp or /udp", s)
	}
	return n, proto, nil
}

// publishedAt finds port/proto in status ports ("127.0.0.1:18080->80/tcp")
// and returns its host side ("127.0.0.1:18080"); the first when several.
func publishedAt(ports []string, port int, proto string) (string, bool) {
	want := strconv.Itoa(port) + "/" + proto
	for _, p := range ports {
		host, inner, ok := strings.Cut(p, "->")
		if ok && inner == want && host != "" {
			return host, true
		}
	}
	return "", false
}
