package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/tools"
)

type toolsCmd struct {
	app   *App
	dir   string
	all   bool
	force bool
}

func (c *toolsCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tools",
		Short: "Shims that run the file's tools by name from the host (install, ls, uninstall) and their containers (rm)",
		Args:  cobra.NoArgs,
	}
	dirFlag := func(sub *cobra.Command) {
		sub.Flags().StringVar(&c.dir, "dir", "", "shim directory (default ~/.local/bin)")
	}
	sub := func(use, short string, run func(ctx context.Context, args []string) error) *cobra.Command {
		s := &cobra.Command{Use: use, Short: short, RunE: func(cmd *cobra.Command, args []string) error { return run(cmd.Context(), args) }}
		cmd.AddCommand(s)
		return s
	}
	install := sub("install [TOOL...]", "Write a shim per tool (default: all) that runs it through devbox with this devbox.hcl", c.install)
	dirFlag(install)
	install.ValidArgsFunction = c.app.completeTools
	install.Flags().BoolVar(&c.force, "force", false, "write a shim even when it would shadow a command of that name on PATH")
	ls := sub("ls", "List the shims devbox wrote, and this file's tools", c.ls)
	ls.Args = cobra.NoArgs
	dirFlag(ls)
	un := sub("uninstall [TOOL...]", "Remove the shims devbox wrote for this devbox.hcl (--all: every devbox shim)", c.uninstall)
	dirFlag(un)
	un.ValidArgsFunction = c.app.completeTools
	un.Flags().BoolVar(&c.all, "all", false, "remove every devbox shim in the directory, whatever file it runs")
	sub("rm [TOOL...]", "Remove the warm tool containers (docker) or instances (lxc) of this project", c.rm).ValidArgsFunction = c.app.completeTools
	return cmd
}

// Run without a subcommand lists, like ls.
func (c *toolsCmd) Run(ctx context.Context, args []string) error { return c.ls(ctx, args) }

func (c *toolsCmd) shimDir() (string, error) {
	if c.dir != "" {
		return filepath.Abs(c.dir)
	}
	return tools.DefaultDir(c.app.Getenv)
}

// selected returns the named tools of env (all for none), or a bad-input error.
func selected(env *envfile.Environment, names []string) ([]string, error) {
	if len(names) == 0 {
		for _, t := range env.Tools {
			names = append(names, t.Name)
		}
		if len(names) == 0 {
			return nil, badInput(fmt.Errorf("%s has no tool blocks", env.File))
		}
		return names, nil
	}
	for _, n := range names {
		if env.Tool(n) == nil {
			return nil, badInput(fmt.Errorf("no tool %q in %s%s", n, env.File, toolNames(env)))
		}
	}
	return names, nil
}

func (c *toolsCmd) install(ctx context.Context, args []string) error {
	env, err := c.app.load()
	if err != nil {
		return err
	}
	names, err := selected(env, args)
	if err != nil {
		return err
	}
	dir, err := c.shimDir()
	if err != nil {
		return err
	}
	if strings.ContainsAny(env.File, "\n\r") {
		return badInput(fmt.Errorf("cannot write a shim for a file whose path has a newline: %q", env.File))
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the devbox binary: %w", err)
	}
	// Global flags that change what the file means are kept in the shim.
	var keep []string
	if c.app.backend != "" {
		keep = append(keep, "--backend", c.app.backend)
	}
	if c.app.remote != "" {
		keep = append(keep, "--remote", c.app.remote)
	}
	for _, v := range c.app.vars {
		keep = append(keep, "--var", v)
	}
	for _, p := range c.app.allowMounts {
		abs, err := c.app.allowPath(p) // the shim runs from any directory
		if err != nil {
			return err
		}
		keep = append(keep, "--allow-mount", abs)
	}
	var failed []error
	for _, n := range names {
		if cmd := tools.Shadowed(dir, n, c.app.Getenv("PATH")); cmd != "" && !c.force {
			err := fmt.Errorf("a shim named %q would shadow %s on your PATH; refusing, since the tool's name comes from %s "+
				"(pass --force if you mean to replace that command)", n, cmd, env.File)
			failed = append(failed, err)
			fmt.Fprintf(c.app.Stderr, "devbox: shim %s: %v\n", n, err)
			continue
		}
		path, err := tools.InstallShim(dir, n, env.File, bin, keep)
		if err != nil {
			failed = append(failed, err)
			fmt.Fprintf(c.app.Stderr, "devbox: shim %s: %v\n", n, err)
			continue
		}
		fmt.Fprintf(c.app.Stdout, "installed %s -> devbox run %s (%s)\n", path, n, env.File)
	}
	if !tools.OnPath(dir, c.app.Getenv("PATH")) {
		fmt.Fprintf(c.app.Stdout, "note: %s is not on your PATH; add it, e.g. export PATH=\"%s:$PATH\"\n", dir, dir)
	}
	if len(failed) > 0 {
		return &exitError{code: ExitBadInput, err: errors.Join(failed...), printed: true}
	}
	return nil
}

func (c *toolsCmd) ls(ctx context.Context, args []string) error {
	dir, err := c.shimDir()
	if err != nil {
		return err
	}
	shims, err := tools.ListShims(dir)
	if err != nil {
		return err
	}
	// This file's tools, when there is a file: not installed ones show too.
	var env *envfile.Environment
	if _, ferr := c.app.findFile(); ferr == nil {
		if env, err = c.app.load(); err != nil {
			return err
		}
	}
	type row struct {
		Tool  string `json:"tool"`
		Shim  string `json:"shim,omitempty"`
		File  string `json:"file"`
		State string `json:"state"`
	}
	var rows []row
	seen := map[string]bool{}
	for _, s := range shims {
		st := "ok"
		if s.Moved() {
			st = "file moved or deleted"
		} else if env != nil && s.File == env.File && env.Tool(s.Tool) == nil {
			st = "tool no longer in file"
		}
		rows = append(rows, row{s.Tool, s.Path, s.File, st})
		if env != nil && s.File == env.File {
			seen[s.Tool] = true
		}
	}
	if env != nil {
		for _, t := range env.Tools {
			if !seen[t.Name] {
				rows = append(rows, row{t.Name, "", env.File, "not installed"})
			}
		}
	}
	if c.app.json {
		if rows == nil {
			rows = []row{}
		}
		return json.NewEncoder(c.app.Stdout).Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(c.app.Stdout, "no devbox shims in %s\n", dir)
		return nil
	}
	w := tabwriter.NewWriter(c.app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TOOL\tSHIM\tFILE\tSTATE")
	for _, r := range rows {
		shim := r.Shim
		if shim == "" {
			shim = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.Tool, shim, r.File, r.State)
	}
	return w.Flush()
}

func (c *toolsCmd) uninstall(ctx context.Context, args []string) error {
	dir, err := c.shimDir()
	if err != nil {
		return err
	}
	file := ""
	if !c.all {
		f, err := c.app.findFile()
		if err != nil {
			return badInput(fmt.Errorf("%v; or pass --all to remove every devbox shim in %s", err, dir))
		}
		if file, err = filepath.Abs(f); err != nil {
			return err
		}
	}
	shims, err := tools.ListShims(dir)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, a := range args {
		want[a] = true
	}
	n := 0
	for _, s := range shims {
		if (file != "" && s.File != file) || (len(want) > 0 && !want[s.Tool]) {
			continue
		}
		if err := tools.RemoveShim(s.Path); err != nil {
			return err
		}
		n++
		fmt.Fprintf(c.app.Stdout, "removed %s\n", s.Path)
	}
	if n == 0 {
		fmt.Fprintf(c.app.Stdout, "no matching devbox shims in %s\n", dir)
	}
	return nil
}

// toolRemover is implemented by backends that keep warm tool containers.
type toolRemover interface {
	RemoveTools(ctx context.Context, project string, names []string) ([]string, error)
}

func (c *toolsCmd) rm(ctx context.Context, args []string) error {
	env, err := c.app.load()
	if err != nil {
		return err
	}
	if len(args) > 0 {
		if _, err := selected(env, args); err != nil {
			return err
		}
	}
	b, err := c.app.open(ctx, env)
	if err != nil {
		return err
	}
	defer b.Close()
	r, ok := b.(toolRemover)
	if !ok {
		return fmt.Errorf("the %s backend keeps no tool containers", b.Name())
	}
	gone, err := r.RemoveTools(ctx, env.Project, args)
	for _, g := range gone {
		fmt.Fprintf(c.app.Stdout, "removed %s\n", g)
	}
	if err == nil && len(gone) == 0 {
		fmt.Fprintln(c.app.Stdout, "no warm tool containers")
	}
	return err
}
