package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/internal/version"
)

type versionCmd struct{ app *App }

func (c *versionCmd) command() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print devbox's version", Args: cobra.NoArgs}
}

// Run prints the version.
func (c *versionCmd) Run(ctx context.Context, args []string) error {
	if c.app.json {
		return json.NewEncoder(c.app.Stdout).Encode(map[string]string{
			"version": version.Version, "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH,
		})
	}
	fmt.Fprintf(c.app.Stdout, "devbox %s (%s, %s/%s)\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
