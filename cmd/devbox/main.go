// Command devbox turns a project's devbox.hcl into a running development
// environment on LXC (Incus) or Docker. See internal/cli for the verbs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/devbox-dev/devbox/backends"
	"github.com/devbox-dev/devbox/internal/cli"
)

func main() {
	// Ctrl-C cancels ctx: up stops starting new work and the next up repairs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], &cli.App{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Backends: backends.Registry(),
	})
	stop()
	os.Exit(code)
}
