package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/tools"
)

type runCmd struct{ app *App }

func (c *runCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run TOOL [ARG...]",
		Short: "Run a tool block's program in the current directory, as you; its exit code is passed through",
		Long: "Run a tool's command with ARGs in its warm container (docker) or instance (lxc), created\n" +
			"on first use from the tool's image, platform, packages and provision steps. The current\n" +
			"directory is mounted at the same path and is the working directory; the program runs as\n" +
			"your uid and gid, with the TTY, stdin/stdout/stderr and signals passed through. Flags\n" +
			"after TOOL are the tool's.",
		Args: cobra.MinimumNArgs(1),

		ValidArgsFunction: firstArg(c.app.completeTools),
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// Run finds the tool, connects to the backend and runs it.
func (c *runCmd) Run(ctx context.Context, args []string) error {
	env, err := c.app.load()
	if err != nil {
		return err
	}
	t := env.Tool(args[0])
	if t == nil {
		return badInput(fmt.Errorf("no tool %q in %s%s", args[0], env.File, toolNames(env)))
	}
	wd, err := c.app.workdir()
	if err != nil {
		return err
	}
	if err := tools.CheckWorkdir(wd); err != nil {
		return badInput(err)
	}
	if err := c.app.checkToolPlatform(env, t); err != nil {
		return err
	}
	b, err := c.app.open(ctx, env)
	if err != nil {
		return err
	}
	defer b.Close()
	tr, ok := b.(engine.ToolRunner)
	if !ok {
		return fmt.Errorf("the %s backend cannot run tools", b.Name())
	}
	stdio := engine.Stdio{In: c.app.Stdin, Out: c.app.Stdout, Err: c.app.Stderr}
	opts := engine.ToolOptions{Workdir: wd, UID: os.Getuid(), GID: os.Getgid()}
	if f, ok := c.app.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) && isTTY(c.app.Stdout) {
		stdio.TTY = true
		if old, err := term.MakeRaw(int(f.Fd())); err == nil {
			defer term.Restore(int(f.Fd()), old)
		}
		stdio.Size = termSize(c.app.Stdout)
	}
	lookup := func(k string) (string, bool) {
		v := c.app.Getenv(k)
		return v, v != ""
	}
	opts.Env = tools.Environ(t, lookup, stdio.TTY)
	if isTTY(c.app.Stderr) {
		opts.Progress = func(e engine.Event) {
			fmt.Fprintf(c.app.Stderr, "devbox: tool %s: %s\r\n", t.Name, e.Status)
		}
	}
	// Signals go to the program, not to devbox: Ctrl-C interrupts the
	// tool, which decides what to do, and devbox returns its exit code.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH)
	defer signal.Stop(sigs)
	stdio.Signals = sigs
	code, err := tr.RunTool(context.WithoutCancel(ctx), env, t.Name, args[1:], opts, stdio)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{code: code, err: fmt.Errorf("exit status %d", code), printed: true}
	}
	return nil
}

// workdir is -C DIR, else the working directory, absolute.
func (a *App) workdir() (string, error) {
	if a.dir != "" {
		return filepath.Abs(a.dir)
	}
	return os.Getwd()
}

func toolNames(env *envfile.Environment) string {
	if len(env.Tools) == 0 {
		return " (it has no tool blocks)"
	}
	var n []string
	for _, t := range env.Tools {
		n = append(n, t.Name)
	}
	sort.Strings(n)
	return "; its tools: " + strings.Join(n, ", ")
}
