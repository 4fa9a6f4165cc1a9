package tui

import (
	"context"
	"errors"
	"github.com/charmbracelet/lipgloss"

	tea "github.com/charmbracelet/bubbletea"
)

// frameRate caps redraws. bubbletea's renderer wakes this often even when
// idle; 30/s feels instant and costs half of the default 60.
const frameRate = 30

// Run shows the dashboard on the terminal (alternate screen) until the
// user quits or ctx ends. It returns nil when the user quit.
func Run(ctx context.Context, src Source, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends Watch and Follow streams
	// Ask the terminal for its background colour now, before the Program
	// owns the terminal and would swallow the answer (bubbletea's own
	// package-init query is patched out: see third_party/bubbletea/DEVBOX.md).
	_ = lipgloss.HasDarkBackground()
	p := tea.NewProgram(New(ctx, src, opts), programOptions(ctx, opts)...)
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func programOptions(ctx context.Context, opts Options) []tea.ProgramOption {
	po := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithFPS(frameRate)}
	if opts.In != nil {
		po = append(po, tea.WithInput(opts.In))
	}
	if opts.Out != nil {
		po = append(po, tea.WithOutput(opts.Out))
	}
	return po
}
