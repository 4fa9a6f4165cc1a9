package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/importer"
	"github.com/devbox-dev/devbox/internal/registry"
	"github.com/devbox-dev/devbox/platform"
	"github.com/devbox-dev/devbox/proxy"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitBadInput = 2
)

// exitError carries an exit code; printed says the message was already shown.
type exitError struct {
	code    int
	err     error
	printed bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// badInput marks err as the user's input being wrong (exit 2).
func badInput(err error) error { return &exitError{code: ExitBadInput, err: err} }

// App is the state shared by all verbs: streams, global flags, and how to
// reach engines.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Backends are the engines devbox can open, the default first; the
	// file's backend and --backend name one of them. cmd/devbox passes
	// the real ones, tests fakes.
	Backends registry.Registry
	// Host reads what this machine runs (nil: platform.Read); Euid is the
	// effective uid (nil: os.Geteuid). Tests fake both.
	Host func() platform.Host
	Euid func() int
	// Import runs the Compose parser for `devbox import` (nil: the
	// devbox-import binary, see internal/importer; tests pass
	// compose.Import).
	Import importer.Func

	file    string
	dir     string
	backend string
	remote  string
	project string
	vars    []string
	json    bool
	// allowMounts are --allow-mount paths: outside the project, yet
	// usable by mount sources and file().
	allowMounts []string
	// profiles are --profile names: the service profiles to activate.
	profiles []string
	// enable names services to enable whatever the profiles (up SERVICE…).
	enable []string
	// scales is what open read of the backend's scale records; existing
	// says the file was loaded for a verb that creates nothing.
	scales   scaleState
	existing bool
}

// Main runs devbox with args and returns the process exit code.
func Main(ctx context.Context, args []string, app *App) int {
	root := app.root()
	root.SetArgs(followShorthand(args))
	root.SetOut(app.Stdout)
	root.SetErr(app.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.printed {
			fmt.Fprintln(app.Stderr, "devbox:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(app.Stderr, "devbox:", err)
	if strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "unknown flag") ||
		strings.Contains(err.Error(), "arg(s)") || strings.HasPrefix(err.Error(), "invalid argument") {
		return ExitBadInput
	}
	return ExitFailure
}

func (a *App) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "devbox",
		Short:         "One devbox.hcl, a running dev environment on LXC (Incus) or Docker",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return badInput(err) })
	f := root.PersistentFlags()
	f.StringVarP(&a.file, "file", "f", "", "path to devbox.hcl (default: ./devbox.hcl, then parent directories)")
	f.StringVarP(&a.dir, "directory", "C", "", "run as if started in `DIR`")
	f.StringVar(&a.backend, "backend", "", a.Backends.Choice()+" (default: the file's backend, or $DEVBOX_BACKEND)")
	f.StringVar(&a.remote, "remote", "", "lxc: incus remote to run on (default: the file's lxc.remote)")
	f.StringVarP(&a.project, "project", "p", "", "project name (default: the file's project, or its directory name)")
	f.StringArrayVar(&a.vars, "var", nil, "set a variable, `name=value` (repeatable)")
	f.BoolVar(&a.json, "json", false, "print JSON")
	f.StringArrayVar(&a.allowMounts, "allow-mount", nil,
		"let the file mount or file() read `PATH` and what is under it, outside the project directory (repeatable; also ~/.config/devbox/allow-mounts)")
	f.StringArrayVar(&a.profiles, "profile", nil, "activate the service profile `NAME` (repeatable; default: $DEVBOX_PROFILES, comma-separated)")

	verbs := []verb{
		&validateCmd{app: a}, &configCmd{app: a}, &planCmd{app: a},
		&upCmd{app: a}, &downCmd{app: a}, &destroyCmd{app: a},
		&stopCmd{app: a}, &startCmd{app: a}, &restartCmd{app: a}, &scaleCmd{app: a},
		&statusCmd{app: a}, &logsCmd{app: a}, &execCmd{app: a}, &shellCmd{app: a}, &envCmd{app: a},
		&cacheCmd{app: a}, &doctorCmd{app: a}, &versionCmd{app: a},
		&initCmd{app: a}, &importCmd{app: a}, &templatesCmd{app: a}, &runCmd{app: a}, &toolsCmd{app: a}, &setupCmd{app: a},
		&lsCmd{app: a}, &portCmd{app: a}, &cpCmd{app: a},
	}
	for _, v := range verbs {
		c := v.command()
		c.RunE = func(cmd *cobra.Command, args []string) error { return v.Run(cmd.Context(), args) }
		root.AddCommand(c)
	}
	return root
}

// verb is one subcommand: its cobra definition (flags bound to its fields)
// and its Run.
type verb interface {
	command() *cobra.Command
	Run(ctx context.Context, args []string) error
}

// findFile resolves -C and -f, or searches the working directory and its
// parents for devbox.hcl, the way git finds its repository.
func (a *App) findFile() (string, error) {
	base := a.dir
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		base = wd
	}
	if a.file != "" {
		if filepath.IsAbs(a.file) {
			return a.file, nil
		}
		return filepath.Join(base, a.file), nil
	}
	for dir := base; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "devbox.hcl")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return "", badInput(fmt.Errorf("no devbox.hcl in %s or its parents; create one with `devbox init`, or pass -f FILE", base))
}

// load finds, parses and validates devbox.hcl, printing diagnostics (exit 2).
func (a *App) load() (*envfile.Environment, error) { return a.loadFor(false) }

// loadExisting is load for verbs that act on what exists and create
// nothing (down, destroy, status, logs, exec): a deleted mount source must
// not stop a user from tearing down or looking.
func (a *App) loadExisting() (*envfile.Environment, error) { return a.loadFor(true) }

func (a *App) loadFor(existing bool) (*envfile.Environment, error) {
	a.existing = existing
	path, err := a.findFile()
	if err != nil {
		return nil, err
	}
	opts := envfile.Options{Backend: a.backend, Project: a.project, Vars: map[string]string{}, Existing: existing,
		ActiveProfiles: a.activeProfiles(), Enable: a.enable}
	if opts.Backend == "" {
		opts.Backend = a.Getenv("DEVBOX_BACKEND")
	}
	for _, kv := range a.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, badInput(fmt.Errorf("--var %q: want name=value", kv))
		}
		opts.Vars[k] = v
	}
	if opts.Allow, err = a.allowed(); err != nil {
		return nil, err
	}
	opts.AllowFile = a.allowFile()
	// env() reads through App.Getenv (the process environment, faked in
	// tests); an empty variable counts as unset, which env() treats alike.
	opts.LookupEnv = func(k string) (string, bool) { v := a.Getenv(k); return v, v != "" }
	env, files, diags := envfile.Load(path, opts)
	if !diags.HasErrors() {
		diags = append(diags, envfile.CheckBackend(env, files, opts, a.Backends.Names())...)
	}
	if len(diags) > 0 {
		_ = files.WriteDiagnostics(a.Stderr, diags, a.color(a.Stderr))
	}
	if diags.HasErrors() {
		return nil, &exitError{code: ExitBadInput, err: fmt.Errorf("%s is not valid", path), printed: true}
	}
	if a.remote != "" {
		env.LXC.Remote = a.remote
	}
	env.Proxy = proxy.FromEnv(a.Getenv)
	return env, nil
}

// open connects to env's backend.
func (a *App) open(ctx context.Context, env *envfile.Environment) (engine.Backend, error) {
	b, err := a.Backends.Open(ctx, env.Backend, env)
	if err != nil {
		return nil, err
	}
	// The services' replica counts are the file's, or devbox scale's while
	// the file still says what it said then.
	if err := a.applyScales(ctx, b, env); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// connect loads the file and opens its backend: what every engine verb
// starts with. The caller closes the backend.
func (a *App) connect(ctx context.Context) (*envfile.Environment, engine.Backend, error) {
	return a.connectFor(ctx, false)
}

// connectExisting is connect with loadExisting.
func (a *App) connectExisting(ctx context.Context) (*envfile.Environment, engine.Backend, error) {
	return a.connectFor(ctx, true)
}

func (a *App) connectFor(ctx context.Context, existing bool) (*envfile.Environment, engine.Backend, error) {
	env, err := a.loadFor(existing)
	if err != nil {
		return nil, nil, err
	}
	b, err := a.open(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	return env, b, nil
}

// isTTY reports whether w is a terminal.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termSize returns a func reporting w's terminal size (0, 0 when unknown).
func termSize(w io.Writer) func() (cols, rows int) {
	return func() (int, int) {
		f, ok := w.(*os.File)
		if !ok {
			return 0, 0
		}
		cols, rows, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0, 0
		}
		return cols, rows
	}
}

// isTTYReader reports whether r is a terminal.
func isTTYReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// color reports whether to use colour on w (a terminal, and NO_COLOR unset).
func (a *App) color(w io.Writer) bool {
	return isTTY(w) && a.Getenv("NO_COLOR") == ""
}
