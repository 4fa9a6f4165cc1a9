package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/templates"
)

type initCmd struct {
	app      *App
	template string
	force    bool
}

func (c *initCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init [--template NAME] [--backend " + strings.Join(c.app.Backends.Names(), "|") + "] [--force]",
		Short: "Write a commented devbox.hcl from a template (picked from the project's files by default)",
		Long: "Write a commented devbox.hcl from a template. Without --template the project's files\n" +
			"decide: go.mod → go, package.json → node, pyproject.toml or requirements.txt → web\n" +
			"(Python), index.html → static, anything else → web. An existing devbox.hcl is never\n" +
			"overwritten without --force. devbox templates lists the templates.",
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVarP(&c.template, "template", "t", "", "template `NAME` (see devbox templates)")
	cmd.Flags().BoolVar(&c.force, "force", false, "overwrite an existing devbox.hcl")
	return cmd
}

// Run renders the template, checks it parses in its destination and
// writes it.
func (c *initCmd) Run(ctx context.Context, args []string) error {
	path, dir, err := c.target()
	if err != nil {
		return err
	}
	backend := c.app.backend
	if _, ok := c.app.Backends.Lookup(backend); backend != "" && !ok {
		return badInput(fmt.Errorf("--backend %q: want %s", backend, c.app.Backends.Choice()))
	}
	name, reason := c.template, "--template"
	if name == "" {
		name, reason = templates.Detect(dir)
	}
	src, err := templates.Render(name, templates.Options{Backend: backend})
	if err != nil {
		return badInput(err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return badInput(fmt.Errorf("%s is not a directory", dir))
	}
	if _, err := os.Stat(path); err == nil && !c.force {
		return badInput(fmt.Errorf("%s already exists; not overwriting it (pass --force to replace it)", path))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// The template must be valid where it lands (mount sources resolve
	// relative to it); a failure here is a bug in the template.
	env, files, diags := envfile.Parse(path, src, envfile.Options{})
	if !diags.HasErrors() {
		diags = envfile.CheckBackend(env, files, envfile.Options{}, c.app.Backends.Names())
	}
	if diags.HasErrors() {
		var b strings.Builder
		_ = files.WriteDiagnostics(&b, diags, false)
		return fmt.Errorf("template %s does not validate in %s:\n%s", name, dir, b.String())
	}
	if err := writeFileAtomic(path, src, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.app.Stdout, "wrote %s from template %s (%s)\n", path, name, reason)
	fmt.Fprintln(c.app.Stdout, "next: read it, then devbox validate && devbox up")
	return nil
}

// target is where to write: -f FILE (relative to -C or the working
// directory), else devbox.hcl in -C or the working directory.
func (c *initCmd) target() (path, dir string, err error) {
	base := c.app.dir
	if base == "" {
		if base, err = os.Getwd(); err != nil {
			return "", "", err
		}
	}
	base, err = filepath.Abs(base)
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(base, envfile.DefaultFile)
	if f := c.app.file; f != "" {
		if !filepath.IsAbs(f) {
			f = filepath.Join(base, f)
		}
		path = f
	}
	return path, filepath.Dir(path), nil
}

// writeFileAtomic writes data to a temporary file next to path and renames
// it into place, so a crash never leaves half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
