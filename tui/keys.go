package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyMap holds the dashboard's bindings; it doubles as help.KeyMap.
type keyMap struct {
	Up, Down, Top, Bottom  key.Binding
	Detail, Logs, Shell    key.Binding
	Restart, StopStart, Do key.Binding
	Filter, Help, Quit     key.Binding
	Back, PageUp, PageDown key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last / follow")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "scroll down")),
		Detail:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "detail")),
		Logs:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs")),
		Shell:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "shell")),
		Restart:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart")),
		StopStart: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop/start")),
		Do:        key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "up")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Back:      key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back / clear")),
	}
}

// ShortHelp is the footer of the table view.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Detail, k.Logs, k.Shell, k.Restart, k.StopStart, k.Do, k.Filter, k.Help, k.Quit}
}

// FullHelp is the `?` screen, one column per group.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Detail, k.Logs, k.Shell, k.Restart, k.StopStart, k.Do},
		{k.Filter, k.Back, k.Help, k.Quit},
	}
}

// logsHelp is the footer of the log follower.
func (k keyMap) logsHelp() []key.Binding {
	back := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
	return []key.Binding{back, k.Up, k.Down, k.PageUp, k.PageDown, k.Bottom, k.Quit}
}

// inlineHelp renders bindings as "key:desc" pairs; compact enough that
// the table's full footer fits in 80 columns.
func inlineHelp(bs []key.Binding, sep string) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		if !b.Enabled() {
			continue
		}
		h := b.Help()
		parts = append(parts, h.Key+":"+h.Desc)
	}
	return strings.Join(parts, sep)
}
