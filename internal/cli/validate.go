package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

type validateCmd struct{ app *App }

func (c *validateCmd) command() *cobra.Command {
	return &cobra.Command{Use: "validate", Short: "Check devbox.hcl and report problems with file:line:col", Args: cobra.NoArgs}
}

// Run loads the file; diagnostics are printed by load and exit 2.
func (c *validateCmd) Run(ctx context.Context, args []string) error {
	env, err := c.app.load()
	if err != nil {
		return err
	}
	if c.app.json {
		return json.NewEncoder(c.app.Stdout).Encode(map[string]any{"valid": true, "file": env.File})
	}
	fmt.Fprintf(c.app.Stdout, "%s is valid: project %q, backend %s, %d service(s), %d network(s), %d tool(s)\n",
		env.File, env.Project, env.Backend, len(env.Services), len(env.Networks), len(env.Tools))
	return nil
}

type configCmd struct{ app *App }

func (c *configCmd) command() *cobra.Command {
	return &cobra.Command{Use: "config", Short: "Print the normalised configuration as JSON", Args: cobra.NoArgs}
}

// Run prints the evaluated environment: variables resolved, defaults filled.
func (c *configCmd) Run(ctx context.Context, args []string) error {
	env, err := c.app.load()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(c.app.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(env)
}
