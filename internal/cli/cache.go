package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
)

type cacheCmd struct {
	app *App
	all bool
}

func (c *cacheCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache ls|prune",
		Short: "List or prune the provisioning layer cache",
		Long: "Every packages/provision prefix is cached as an image, so a fresh checkout of an unchanged " +
			"project provisions nothing. prune removes the layers the current devbox.hcl no longer uses " +
			"(all of them with --all).",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"ls", "prune"},
	}
	cmd.Flags().BoolVar(&c.all, "all", false, "prune: remove every cached layer")
	return cmd
}

// Run lists or prunes.
func (c *cacheCmd) Run(ctx context.Context, args []string) error {
	if args[0] != "ls" && args[0] != "prune" {
		return badInput(fmt.Errorf("cache %s: want ls or prune", args[0]))
	}
	env, b, err := c.app.connectExisting(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	ch, ok := b.(engine.Cacher)
	if !ok {
		return fmt.Errorf("the %s backend has no layer cache", b.Name())
	}
	inUse, err := ch.CacheInUse(ctx, env)
	if err != nil {
		return err
	}
	var list []engine.CacheEntry
	if args[0] == "ls" {
		list, err = ch.Cache(ctx)
	} else {
		list, err = ch.PruneCache(ctx, func(e engine.CacheEntry) bool { return c.all || !inUse[e.Name] })
	}
	if err != nil {
		return err
	}
	if c.app.json {
		return json.NewEncoder(c.app.Stdout).Encode(list)
	}
	if args[0] == "prune" {
		var size int64
		for _, e := range list {
			size += e.Size
		}
		fmt.Fprintf(c.app.Stdout, "removed %d cached layer(s), %.1f MiB\n", len(list), float64(size)/(1<<20))
		return nil
	}
	tw := tabwriter.NewWriter(c.app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tSTEP\tSIZE\tCREATED\tUSED BY THIS FILE")
	for _, e := range list {
		used := "-"
		if inUse[e.Name] {
			used = "yes"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f MiB\t%s\t%s\n", e.Name, e.Step, float64(e.Size)/(1<<20), e.Created.Format(time.DateTime), used)
	}
	return tw.Flush()
}
