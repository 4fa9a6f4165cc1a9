package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/platform"
)

type setupCmd struct {
	app       *App
	platforms []string
	dryRun    bool
}

func (c *setupCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Set up the host for what the file needs (emulation: foreign-architecture tools through qemu-user)",
		Args:  cobra.NoArgs,
	}
	em := &cobra.Command{
		Use:   "emulation",
		Short: "Register qemu-user in binfmt_misc (F flag) for the platforms the file's tools need and the host cannot run (root)",
		Long: "For each platform the file's tools use (and each --platform), decide whether this host runs it:\n" +
			"natively, emulated by a binfmt_misc handler with the F flag, or not at all. For the last, mount\n" +
			"binfmt_misc if needed and register the qemu-user static interpreter with the F flag, so the\n" +
			"platform's programs run on the host and inside containers. Installs nothing: the interpreters\n" +
			"come from Debian's qemu-user-static. Idempotent; says what it changed. Needs root to change anything.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return c.emulation(cmd.Context()) },
	}
	em.Flags().StringArrayVar(&c.platforms, "platform", nil, "a platform to set up besides the file's, e.g. linux/386 (repeatable)")
	em.Flags().BoolVar(&c.dryRun, "dry-run", false, "say what would change, change nothing")
	cmd.AddCommand(em)
	return cmd
}

// Run without a subcommand says what there is to set up.
func (c *setupCmd) Run(ctx context.Context, args []string) error {
	return badInput(fmt.Errorf("say what to set up: devbox setup emulation [--platform P]"))
}

func (c *setupCmd) emulation(ctx context.Context) error {
	platforms, err := c.wanted()
	if err != nil {
		return err
	}
	h := c.app.host()
	s, err := platform.Plan(h, platforms)
	out := c.app.Stdout
	for _, d := range s.Now {
		fmt.Fprintf(out, "%s: %s (%s)\n", d.Platform, d.Verdict, d.Reason)
	}
	if err != nil {
		return fmt.Errorf("setup emulation: %w", err)
	}
	if len(s.Actions) == 0 {
		fmt.Fprintln(out, "nothing to change")
		return nil
	}
	if c.dryRun {
		for _, a := range s.Actions {
			fmt.Fprintln(out, "would", a.Say)
		}
		return nil
	}
	euid := os.Geteuid
	if c.app.Euid != nil {
		euid = c.app.Euid
	}
	if euid() != 0 {
		var says []string
		for _, a := range s.Actions {
			says = append(says, a.Say)
		}
		return fmt.Errorf("setup emulation needs root to %s: run it as root (sudo devbox setup emulation%s)",
			strings.Join(says, ", "), platformFlags(c.platforms))
	}
	err = platform.Apply(s.Actions, func(a platform.Action) { fmt.Fprintln(out, "changed:", a.Say) })
	if err != nil {
		return fmt.Errorf("setup emulation: %w", err)
	}
	return c.verify(platforms)
}

// wanted is the file's platforms and --platform's, which must be known.
func (c *setupCmd) wanted() ([]string, error) {
	var ps []string
	if _, err := c.app.findFile(); err == nil {
		env, err := c.app.load()
		if err != nil {
			return nil, err
		}
		ps = platformsOf(env)
	}
	for _, p := range c.platforms {
		if _, ok := platform.Lookup(p); !ok {
			return nil, badInput(fmt.Errorf("--platform %q: devbox knows %s", p, strings.Join(platform.Names(), ", ")))
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil, badInput(fmt.Errorf("no platform to set up: no devbox.hcl tool names one; pass --platform, e.g. --platform linux/386"))
	}
	return ps, nil
}

// verify reads the host again: every platform must now run.
func (c *setupCmd) verify(platforms []string) error {
	h := c.app.host()
	for _, p := range platforms {
		d := platform.Decide(h, p)
		if err := d.Err(); err != nil {
			return fmt.Errorf("setup emulation: after the changes: %w", err)
		}
		fmt.Fprintf(c.app.Stdout, "%s: now %s (%s)\n", p, d.Verdict, d.Reason)
	}
	return nil
}

func platformFlags(ps []string) string {
	var s string
	for _, p := range ps {
		s += " --platform " + p
	}
	return s
}
