package tui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func (m Model) onKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return m, m.quit()
	}
	switch {
	case m.filtering:
		return m.onFilterKey(msg)
	case m.mode == modeHelp:
		if key.Matches(msg, m.keys.Quit) {
			return m, m.quit()
		}
		m.mode = modeTable
		return m, nil
	case m.mode == modeLogs:
		return m.onLogsKey(msg)
	}
	return m.onTableKey(msg)
}

func (m Model) onTableKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if !key.Matches(msg, k.Quit) {
		m.quitArmed = false
	}
	switch {
	case key.Matches(msg, k.Quit):
		if m.up.running && !m.quitArmed {
			m.quitArmed = true
			return m, m.setStatus("up is running: press q again to abort it and quit", true, true)
		}
		return m, m.quit()
	case key.Matches(msg, k.Up):
		return m, m.move(-1)
	case key.Matches(msg, k.Down):
		return m, m.move(1)
	case key.Matches(msg, k.Top):
		return m, m.move(-len(m.snap.Services))
	case key.Matches(msg, k.Bottom):
		return m, m.move(len(m.snap.Services))
	case key.Matches(msg, k.PageUp), key.Matches(msg, k.PageDown):
		if m.pane == paneDetail {
			w, _ := m.size()
			_, body := m.detailLines(w)
			step := 5
			if key.Matches(msg, k.PageUp) {
				step = -step
			}
			m.detail.scroll = min(max(m.detail.scroll+step, 0), max(len(body)-1, 0))
		}
		return m, nil
	case key.Matches(msg, k.Detail):
		if m.pane == paneDetail {
			m.pane = paneNone
			return m, nil
		}
		m.pane = paneDetail
		m.detail.scroll = 0
		return m, m.loadDetail()
	case key.Matches(msg, k.Back):
		switch {
		case m.pane != paneNone:
			m.pane = paneNone
		case m.filter != "":
			m.filter = ""
			m.reselect()
		}
		return m, nil
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m, nil
	case key.Matches(msg, k.Help):
		m.mode = modeHelp
		return m, nil
	case key.Matches(msg, k.Do):
		return m, m.startUp()
	}

	// The rest act on the selected service.
	m.reselect()
	s, ok := m.current()
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Logs):
		m.stopFollow()
		ctx, cancel := context.WithCancel(m.ctx)
		m.mode = modeLogs
		m.logs.service, m.logs.cancel = s.Name, cancel
		return m, startFollow(ctx, m.src, s.Name, m.logs.gen)
	case key.Matches(msg, k.Shell):
		return m, shellCommand(m.src, s.Name)
	case m.busy != "" && (key.Matches(msg, k.Restart) || key.Matches(msg, k.StopStart)):
		return m, m.setStatus("wait: "+m.busy+" is still running", true, false)
	case key.Matches(msg, k.Restart):
		m.busy = "restart " + s.Name
		return m, tea.Batch(m.setStatus("restarting "+s.Name+"…", false, true),
			runAction(m.ctx, "restart", s.Name, m.src.Restart))
	case key.Matches(msg, k.StopStart):
		verb := "start"
		if running(s.State) {
			verb = "stop"
		}
		m.busy = verb + " " + s.Name
		return m, tea.Batch(m.setStatus(fmt.Sprintf("%sing %s…", verbStem(verb), s.Name), false, true),
			runAction(m.ctx, verb, s.Name, m.src.StopStart))
	}
	return m, nil
}

func verbStem(verb string) string {
	if verb == "stop" {
		return "stopp"
	}
	return verb
}

func (m Model) onFilterKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case msg.Code == tea.KeyEscape:
		m.filter, m.filtering = "", false
	case msg.Code == tea.KeyEnter:
		m.filtering = false
	case msg.Code == tea.KeyBackspace:
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	case msg.Code == tea.KeyUp:
		return m, m.move(-1)
	case msg.Code == tea.KeyDown:
		return m, m.move(1)
	case msg.Text != "": // printable, space included; ctrl and alt combos have none
		m.filter += msg.Text
	default:
		return m, nil
	}
	m.reselect()
	return m, m.openDetailIfShown()
}

func (m Model) onLogsKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	_, h := m.size()
	page := max(h-3, 1)
	l := &m.logs
	switch {
	case key.Matches(msg, k.Quit):
		return m, m.quit()
	case key.Matches(msg, k.Back), key.Matches(msg, k.Logs):
		m.stopFollow()
		m.mode = modeTable
	case key.Matches(msg, k.Up):
		l.scroll++
	case key.Matches(msg, k.Down):
		l.scroll--
	case key.Matches(msg, k.PageUp):
		l.scroll += page
	case key.Matches(msg, k.PageDown):
		l.scroll -= page
	case key.Matches(msg, k.Top):
		l.scroll = len(l.lines)
	case key.Matches(msg, k.Bottom):
		l.scroll = 0
	}
	l.scroll = min(max(l.scroll, 0), max(len(l.lines)-page, 0))
	return m, nil
}
