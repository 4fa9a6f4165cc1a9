package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/importer"
)

type importCmd struct {
	app    *App
	force  bool
	strict bool
	out    string
}

func (c *importCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import [FILE] [--force] [--strict] [-o OUT]",
		Short: "Write a commented devbox.hcl from a Docker Compose file",
		Long: "Write a commented devbox.hcl from a Docker Compose project. FILE defaults to the\n" +
			"file Compose would pick (compose.yaml, compose.yml, docker-compose.yml,\n" +
			"docker-compose.yaml in -C DIR or its parents); .env, interpolation, extends,\n" +
			"include and override files work as in Compose, and every profile's services are\n" +
			"imported with their profiles. OUT defaults to devbox.hcl beside the compose file\n" +
			"and is never overwritten without --force. postgres, redis, nginx, memcached,\n" +
			"mariadb/mysql and python images become Debian packages, so the file runs on lxc\n" +
			"and docker; other images stay docker-only. What devbox.hcl cannot say is listed\n" +
			"on stderr at the end; --strict makes that exit 2.",
		Args: cobra.MaximumNArgs(1),
	}
	cmd.Flags().BoolVar(&c.force, "force", false, "overwrite an existing devbox.hcl")
	cmd.Flags().BoolVar(&c.strict, "strict", false, "exit 2 when anything of the compose file is not mapped")
	cmd.Flags().StringVarP(&c.out, "output", "o", "", "write to `OUT` (default: devbox.hcl beside the compose file)")
	return cmd
}

// Run loads the compose project (through devbox-import, App.Import), maps
// it, writes the file, validates what was written and prints what did not
// map.
func (c *importCmd) Run(ctx context.Context, args []string) error {
	base, err := c.base()
	if err != nil {
		return err
	}
	req := importer.Request{WorkingDir: base, Env: os.Environ()}
	if len(args) == 1 {
		req.Files = []string{abs(base, args[0])}
	}
	if c.out != "" {
		req.Out = abs(base, c.out)
		if fi, err := os.Stat(filepath.Dir(req.Out)); err != nil || !fi.IsDir() {
			return badInput(fmt.Errorf("%s is not a directory; create it, or pick another -o", filepath.Dir(req.Out)))
		}
	}
	imp := c.app.Import
	if imp == nil {
		bin, err := importer.Locate()
		if err != nil {
			return err
		}
		imp = importer.Exec(bin)
	}
	res, err := imp(ctx, req)
	var bad *importer.BadInputError
	if errors.As(err, &bad) {
		return badInput(err)
	} else if err != nil {
		return err
	}
	out := res.Out
	if _, err := os.Stat(out); err == nil && !c.force {
		return badInput(fmt.Errorf("%s already exists; not overwriting it (pass --force to replace it, or -o OUT to write elsewhere)", out))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeFileAtomic(out, res.HCL, 0o644); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := c.validate(out); err != nil {
		return err
	}
	fmt.Fprintf(c.app.Stdout, "wrote %s from %s: %d service(s)\n", out, strings.Join(res.Files, ", "), res.Services)
	if len(res.Unmapped) > 0 {
		writeUnmapped(c.app.Stderr, res.Unmapped)
		if c.strict {
			return &exitError{code: ExitBadInput, err: fmt.Errorf("%d thing(s) of the compose file are not mapped (--strict)", len(res.Unmapped))}
		}
	}
	fmt.Fprintln(c.app.Stdout, "next: read it, then devbox validate && devbox up")
	return nil
}

// validate checks the written file as devbox validate would; a failure is
// a mapping devbox import got wrong. Missing mount sources are warnings:
// Compose creates them at up, and the unmapped table says so.
func (c *importCmd) validate(path string) error {
	opts := envfile.Options{Existing: true, Vars: map[string]string{}}
	opts.LookupEnv = func(k string) (string, bool) { v := c.app.Getenv(k); return v, v != "" }
	env, files, diags := envfile.Load(path, opts)
	if !diags.HasErrors() {
		diags = append(diags, envfile.CheckBackend(env, files, opts, c.app.Backends.Names())...)
	}
	if diags.HasErrors() {
		_ = files.WriteDiagnostics(c.app.Stderr, diags, c.app.color(c.app.Stderr))
		return fmt.Errorf("import: the written %s does not validate (a devbox import bug; please report it with the compose file)", path)
	}
	return nil
}

// base is -C DIR or the working directory, absolute.
func (c *importCmd) base() (string, error) {
	base := c.app.dir
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		base = wd
	}
	return filepath.Abs(base)
}

func abs(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// writeUnmapped prints the rows as a table.
func writeUnmapped(w io.Writer, rows []importer.Row) {
	fmt.Fprintf(w, "not mapped (%d):\n", len(rows))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tFIELD\tWHY")
	for _, r := range rows {
		svc := r.Service
		if svc == "" {
			svc = "(project)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", svc, r.Field, r.Why)
	}
	_ = tw.Flush()
}
