package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/devbox-dev/devbox/engine"
)

// paneView draws the open pane (detail or up) in h lines: a title rule,
// then its content.
func (m Model) paneView(w, h int) []string {
	if h <= 0 {
		return nil
	}
	var title string
	var body []string
	scroll := 0
	switch m.pane {
	case paneDetail:
		title, body = m.detailLines(w)
		scroll = m.detail.scroll
	case paneUp:
		title, body = m.upLines()
		// Show the latest lines when they do not fit.
		scroll = max(len(body)-(h-1), 0)
	}
	rule := "── " + title + " "
	rule += strings.Repeat("─", max(w-len([]rune(rule)), 0))
	lines := []string{m.st.pane.Render(fit(rule, w))}
	scroll = min(scroll, max(len(body)-(h-1), 0))
	for _, l := range body[scroll:] {
		if len(lines) == h {
			break
		}
		lines = append(lines, l)
	}
	return lines
}

// detailLines is the detail pane: the row's fields in full, environment
// (masked), mounts, volumes, health output and the last log lines.
func (m Model) detailLines(w int) (string, []string) {
	st, d := m.st, m.detail
	s, ok := m.current()
	if !ok {
		return "detail", []string{st.faint.Render("no service selected")}
	}
	title := "detail: " + s.Name + " (enter closes, pgup/pgdn scroll)"
	var out []string
	section := func(label string, values []string) {
		if len(values) == 0 {
			values = []string{"-"}
		}
		for i, v := range values {
			l := strings.Repeat(" ", 10)
			if i == 0 {
				l = st.label.Render(fmt.Sprintf("%-10s", label))
			}
			out = append(out, l+fit(clean(v), max(w-10, 1)))
		}
	}
	state := s.State
	if s.Health != "" {
		state += " (" + s.Health + ")"
	}
	section("state", []string{fmt.Sprintf("%s, up %s, %d restarts", state,
		uptime(m.opts.Now(), s.StartedAt, s.State), s.Restarts)})
	if d.service != s.Name || (d.loading && d.detail.Env == nil && d.err == nil) {
		section("ports", s.Ports)
		out = append(out, st.faint.Render("loading…"))
		return title, out
	}
	if d.detail.Image != "" {
		section("image", []string{d.detail.Image})
	}
	section("addresses", s.Addresses)
	section("ports", s.Ports)
	if d.err != nil {
		out = append(out, st.errText.Render("error: "+oneLine(d.err.Error())))
	}
	section("env", maskEnv(d.detail.Env))
	section("mounts", d.detail.Mounts)
	section("volumes", d.detail.Volumes)
	section("health", nonEmptyLines(d.detail.Health))
	section("logs", d.logs)
	return title, out
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// upLines is the up pane: one line per resource with its latest status.
func (m Model) upLines() (string, []string) {
	st, u := m.st, m.up
	title := "up: running…"
	switch {
	case u.running:
	case u.err != nil:
		title = "up failed after " + shortDuration(u.elapsed) + " (esc closes)"
	case u.finished:
		title = "up finished in " + shortDuration(u.elapsed) + " (esc closes)"
	}
	width := 0
	for _, r := range u.order {
		width = max(width, len(r.String()))
	}
	var out []string
	for _, r := range u.order {
		status := u.status[r]
		style := st.plain
		switch {
		case u.failed[r]:
			style = st.errText
		case status == "done":
			style = st.ok
		}
		out = append(out, fmt.Sprintf("%-*s  %s", width, r.String(), style.Render(oneLine(status))))
	}
	if u.err != nil {
		out = append(out, st.errText.Render("error: "+oneLine(u.err.Error())))
	}
	if len(out) == 0 {
		out = append(out, st.faint.Render("planning…"))
	}
	if u.finished && u.err == nil {
		out = append(out, m.summary()...)
	}
	return title, out
}

// summary lists each service's addresses and forwarded ports after up.
func (m Model) summary() []string {
	svcs := append([]engine.ServiceStatus(nil), m.snap.Services...)
	sort.SliceStable(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	width := 0
	for _, s := range svcs {
		width = max(width, len(s.Name))
	}
	out := []string{m.st.title.Render("services")}
	for _, s := range svcs {
		out = append(out, strings.TrimRight(fmt.Sprintf("  %-*s  %-8s  %s  %s", width, s.Name, dash(s.State),
			dash(strings.Join(s.Addresses, ",")), strings.Join(s.Ports, ", ")), " "))
	}
	return out
}
