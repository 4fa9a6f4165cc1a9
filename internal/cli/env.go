package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/discovery"
)

type envCmd struct {
	app    *App
	export bool
}

func (c *envCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print the discovery variables as seen from the host (forwarded ports)",
		Long:  "For running an app on the host against the environment: eval \"$(devbox env --export)\".",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&c.export, "export", false, "print shell export statements")
	return cmd
}

// Run prints the host-side variables; they need no engine, only the file.
func (c *envCmd) Run(ctx context.Context, args []string) error {
	env, err := c.app.load()
	if err != nil {
		return err
	}
	vars := discovery.HostVars(env)
	if c.app.json {
		return json.NewEncoder(c.app.Stdout).Encode(vars)
	}
	for _, kv := range discovery.List(vars) {
		if c.export {
			k, v, _ := strings.Cut(kv, "=")
			fmt.Fprintf(c.app.Stdout, "export %s=%s\n", k, shellQuote(v))
			continue
		}
		fmt.Fprintln(c.app.Stdout, kv)
	}
	return nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
