package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/devbox-dev/devbox/engine"
)

// styles are decided once, from Options.NoColor: without colour every
// style is the empty one, which adds neither colour nor attribute, so
// golden files stay plain. With colour, the Program downsamples to what
// the terminal supports.
type styles struct {
	plain, title, label, header, selected, faint lipgloss.Style
	key, banner, errText, ok, warn, bad, pane    lipgloss.Style
}

// Basic ANSI colours read well on dark and light backgrounds alike and
// need no terminal query.
func newStyles(colour bool) styles {
	s := lipgloss.NewStyle
	if !colour {
		p := s()
		return styles{plain: p, title: p, label: p, header: p, selected: p, faint: p,
			key: p, banner: p, errText: p, ok: p, warn: p, bad: p, pane: p}
	}
	c := func(n color.Color) lipgloss.Style { return s().Foreground(n) }
	return styles{
		plain:    s(),
		title:    s().Bold(true),
		label:    c(lipgloss.Cyan),
		header:   s().Bold(true).Underline(true),
		selected: s().Reverse(true),
		faint:    s().Faint(true),
		key:      c(lipgloss.Cyan).Bold(true),
		banner:   s().Bold(true).Foreground(lipgloss.BrightWhite).Background(lipgloss.Red),
		errText:  c(lipgloss.Red),
		ok:       c(lipgloss.Green),
		warn:     c(lipgloss.Yellow),
		bad:      c(lipgloss.Red).Bold(true),
		pane:     c(lipgloss.Cyan).Bold(true),
	}
}

// state colours a service or environment state.
func (s styles) state(state string) lipgloss.Style {
	switch state {
	case engine.StateRunning, engine.HealthHealthy: // and EnvRunning
		return s.ok
	case engine.StateStarting, EnvPartial:
		return s.warn
	case engine.StateUnhealthy, engine.StateExited:
		return s.bad
	default: // stopped, missing, absent
		return s.faint
	}
}
