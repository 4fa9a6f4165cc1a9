package tui

import "github.com/charmbracelet/lipgloss"

// styles are built from the model's own renderer, so NoColor (the ASCII
// profile) drops every colour and attribute and golden files stay plain.
type styles struct {
	plain, title, label, header, selected, faint lipgloss.Style
	key, banner, errText, ok, warn, bad, pane    lipgloss.Style
}

// Basic ANSI colours read well on dark and light backgrounds alike and
// need no terminal query.
func newStyles(r *lipgloss.Renderer) styles {
	c := func(n string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(n)) }
	return styles{
		plain:    r.NewStyle(),
		title:    r.NewStyle().Bold(true),
		label:    c("6"),
		header:   r.NewStyle().Bold(true).Underline(true),
		selected: r.NewStyle().Reverse(true),
		faint:    r.NewStyle().Faint(true),
		key:      c("6").Bold(true),
		banner:   r.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")),
		errText:  c("1"),
		ok:       c("2"),
		warn:     c("3"),
		bad:      c("1").Bold(true),
		pane:     c("6").Bold(true),
	}
}

// state colours a service or environment state.
func (s styles) state(state string) lipgloss.Style {
	switch state {
	case "running", "healthy":
		return s.ok
	case "starting", "partial":
		return s.warn
	case "unhealthy", "exited":
		return s.bad
	default: // stopped, missing, absent
		return s.faint
	}
}
