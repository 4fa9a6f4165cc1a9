package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/templates"
)

type templatesCmd struct{ app *App }

func (c *templatesCmd) command() *cobra.Command {
	return &cobra.Command{Use: "templates", Short: "List the templates devbox init can write", Args: cobra.NoArgs}
}

// Run prints one line per template.
func (c *templatesCmd) Run(ctx context.Context, args []string) error {
	if c.app.json {
		return json.NewEncoder(c.app.Stdout).Encode(templates.List())
	}
	w := tabwriter.NewWriter(c.app.Stdout, 0, 4, 2, ' ', 0)
	for _, t := range templates.List() {
		fmt.Fprintf(w, "%s\t%s\n", t.Name, t.Description)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.app.Stdout, "\ndevbox init --template NAME writes one; without --template the project's files pick it.")
	return nil
}
