package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/devbox-dev/devbox/engine"
)

type execCmd struct{ app *App }

func (c *execCmd) command() *cobra.Command {
	return &cobra.Command{
		Use:   "exec SERVICE -- COMMAND [ARG...]",
		Short: "Run a command in a service (its user, env and workdir); the exit code is passed through",
		Args:  cobra.MinimumNArgs(2),

		ValidArgsFunction: firstArg(c.app.completeServices),
	}
}

// Run executes the command.
func (c *execCmd) Run(ctx context.Context, args []string) error {
	return runIn(ctx, c.app, args[0], args[1:])
}

type shellCmd struct{ app *App }

func (c *shellCmd) command() *cobra.Command {
	return &cobra.Command{Use: "shell [SERVICE]", Short: "Open a shell in a service (default: the first)", Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: firstArg(c.app.completeServices)}
}

// Run opens bash when the image has it, else sh.
func (c *shellCmd) Run(ctx context.Context, args []string) error {
	name := ""
	if len(args) == 1 {
		name = args[0]
	}
	return runIn(ctx, c.app, name, []string{"/bin/sh", "-c", "command -v bash >/dev/null && exec bash -l || exec sh -l"})
}

// runIn runs cmd in service name (empty: the first service), with a raw
// terminal when stdin is one, and turns the exit code into ours.
func runIn(ctx context.Context, app *App, name string, cmd []string) error {
	if name != "" {
		app.enable = []string{name} // a named service, whatever its profiles
	}
	env, err := app.loadExisting()
	if err != nil {
		return err
	}
	if name == "" {
		if len(env.Services) == 0 {
			return badInput(fmt.Errorf("%s has no services", env.File))
		}
		name = env.Services[0].Name
	}
	b, err := app.open(ctx, env)
	if err != nil {
		return err
	}
	defer b.Close()
	// After open, which knows devbox scale's replicas; a replicated
	// service means its first replica.
	if name, err = oneService(env, name); err != nil {
		return err
	}
	ex, ok := b.(engine.Execer)
	if !ok {
		return fmt.Errorf("the %s backend cannot exec", b.Name())
	}
	stdio := engine.Stdio{In: app.Stdin, Out: app.Stdout, Err: app.Stderr}
	if f, ok := app.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) && isTTY(app.Stdout) {
		stdio.TTY = true
		old, err := term.MakeRaw(int(f.Fd()))
		if err == nil {
			defer term.Restore(int(f.Fd()), old)
		}
		// Ctrl-C travels as a byte on the raw terminal; resizes need a signal.
		stdio.Size = termSize(app.Stdout)
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		defer signal.Stop(winch)
		stdio.Signals = winch
	}
	code, err := ex.Exec(ctx, env, name, cmd, stdio)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{code: code, err: fmt.Errorf("exit status %d", code), printed: true}
	}
	return nil
}
