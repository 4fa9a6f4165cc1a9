package tui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"
)

// frameRate caps redraws. bubbletea's renderer wakes this often even when
// idle; 30/s feels instant and costs half of the default 60.
const frameRate = 30

// Run shows the dashboard on the terminal (alternate screen, asked for by
// View) until the user quits or ctx ends. It returns nil when the user
// quit.
//
// Nothing here asks the terminal anything and waits for the answer: the
// styles use basic ANSI colours, which read on dark and light backgrounds
// alike, so a terminal that never answers OSC 11 (the Linux console,
// script(1), many CI ptys) costs nothing.
func Run(ctx context.Context, src Source, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends Watch and Follow streams
	p := tea.NewProgram(New(ctx, src, opts), programOptions(ctx, opts)...)
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func programOptions(ctx context.Context, opts Options) []tea.ProgramOption {
	po := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(frameRate)}
	if opts.In != nil {
		po = append(po, tea.WithInput(opts.In))
	}
	if opts.Out != nil {
		po = append(po, tea.WithOutput(opts.Out))
	}
	return po
}
