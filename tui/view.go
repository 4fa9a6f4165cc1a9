package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// View is the frame on the alternate screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.frame())
	v.AltScreen = true
	return v
}

// frame draws the whole screen: exactly as many lines as the terminal has,
// none wider than it.
func (m Model) frame() string {
	w, h := m.size()
	var lines []string
	switch m.mode {
	case modeLogs:
		lines = m.logsView(w, h)
	case modeHelp:
		lines = m.helpView(w, h)
	default:
		lines = m.mainView(w, h)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	for i := range lines {
		lines[i] = strings.TrimRight(fit(lines[i], w), " ")
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m Model) mainView(w, h int) []string {
	top := m.headerLines(w)
	footer := m.footer(w)
	bodyH := max(h-len(top)-1, 1)

	rows := m.rows()
	tableH := bodyH
	var paneLines []string
	if m.pane != paneNone {
		tableH = min(1+max(len(rows), 1), max(bodyH/2, 3))
		paneLines = m.paneView(w, bodyH-tableH)
	}
	lines := append(top, m.table(w, tableH, rows)...)
	lines = append(lines, paneLines...)
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	return append(lines[:h-1], footer)
}

// headerLines: the environment line, then the unreachable banner and the
// status message when there are any.
func (m Model) headerLines(w int) []string {
	st, s := m.st, m.snap
	state := "…"
	if s.State != "" {
		state = st.state(s.State).Render(s.State)
	}
	up, total := 0, len(s.Services)
	for _, svc := range s.Services {
		if running(svc.State) {
			up++
		}
	}
	var notes []string
	if total > 0 {
		notes = append(notes, fmt.Sprintf("%d/%d up", up, total))
	}
	if s.Err != nil {
		state = st.faint.Render(dash(s.State))
		notes = append(notes, "stale")
	}
	if len(notes) > 0 {
		state += " (" + strings.Join(notes, ", ") + ")"
	}
	lines := []string{strings.Join([]string{
		st.title.Render("devbox"),
		st.label.Render("project") + " " + dash(s.Project),
		st.label.Render("state") + " " + state,
		dash(s.Backend) + " @ " + dash(s.Endpoint),
	}, "  ")}
	if s.Err != nil {
		msg := "engine unreachable: " + oneLine(s.Err.Error()) + " — retrying"
		if !m.freshAt.IsZero() {
			msg += " (rows as of " + m.freshAt.Format("15:04:05") + ")"
		}
		// Wrapped, at most three lines: the message matters more than rows.
		wrapped := strings.Split(ansi.Wrap(msg, w, ""), "\n")
		if len(wrapped) > 3 {
			wrapped = wrapped[:3]
		}
		for _, l := range wrapped {
			lines = append(lines, st.banner.Render(l))
		}
	}
	if m.status != "" {
		style := st.warn
		if m.statusErr {
			style = st.errText
		}
		lines = append(lines, style.Render(fit(oneLine(m.status), w)))
	}
	return lines
}

func (m Model) footer(w int) string {
	if m.filtering {
		return m.st.key.Render("/") + m.filter + "█  " + m.st.faint.Render("enter:keep  esc:clear")
	}
	sep := " "
	if w >= 100 {
		sep = "  "
	}
	help := inlineHelp(m.keys.ShortHelp(), sep)
	if m.filter != "" {
		help = m.st.key.Render("filter:") + m.filter + " " + m.st.faint.Render("(esc clears)") + sep + help
	}
	return m.st.faint.Render(fit(help, w))
}

func (m Model) helpView(w, h int) []string {
	lines := []string{m.st.title.Render("devbox status — keys"), ""}
	m.help.SetWidth(w)
	lines = append(lines, strings.Split(m.help.FullHelpView(m.keys.FullHelp()), "\n")...)
	lines = append(lines, "",
		"Rows follow engine events; CPU, memory and uptime refresh every few seconds.",
		"The detail pane masks secrets (keys with PASS, SECRET, TOKEN or KEY).")
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	return append(lines[:h-1], m.st.faint.Render("any key returns · q quits"))
}

func (m Model) logsView(w, h int) []string {
	l := m.logs
	st := m.st
	state := "following"
	switch {
	case l.err != nil:
		state = st.errText.Render("error: " + oneLine(l.err.Error()))
	case l.ended:
		state = "stream ended"
	case l.scroll > 0:
		state = fmt.Sprintf("paused, %d newer lines below (G follows)", l.scroll)
	}
	lines := []string{st.title.Render("logs") + " " + st.label.Render(l.service) + "  " + st.faint.Render(state)}
	bodyH := max(h-2, 1)
	end := max(len(l.lines)-l.scroll, 0)
	start := max(end-bodyH, 0)
	for _, line := range l.lines[start:end] {
		lines = append(lines, clean(line))
	}
	if len(l.lines) == 0 && l.err == nil {
		lines = append(lines, st.faint.Render("waiting for log lines…"))
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	return append(lines[:h-1], st.faint.Render(fit(inlineHelp(m.keys.logsHelp(), " "), w)))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
