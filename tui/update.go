package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/devbox-dev/devbox/engine"
)

// Update applies one message. It never blocks: every call to the Source
// happens in a returned tea.Cmd.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case tea.KeyPressMsg:
		// Keys typed faster than a read arrive as one press each ("jjl"
		// is three), so every one is a command outside the filter box.
		return m.onKey(msg)
	case tea.PasteMsg:
		if m.filtering {
			m.filter += oneLine(msg.Content)
			m.reselect()
			return m, m.openDetailIfShown()
		}
		return m, nil
	case snapshotMsg:
		return m.onSnapshot(msg)
	case pollMsg:
		return m, tea.Batch(m.refresh(), pollAfter(m.opts.PollInterval))
	case watchStartedMsg:
		if msg.err != nil || msg.ch == nil {
			return m, tea.Tick(rewatchDelay, func(time.Time) tea.Msg { return rewatchMsg{} })
		}
		return m, waitWatch(msg.ch)
	case watchEventMsg:
		var cmds []tea.Cmd
		if !m.pending {
			m.pending = true
			cmds = append(cmds, tea.Tick(m.opts.Debounce, func(time.Time) tea.Msg { return debounceMsg{} }))
		}
		if msg.closed {
			cmds = append(cmds, tea.Tick(rewatchDelay, func(time.Time) tea.Msg { return rewatchMsg{} }))
		} else {
			cmds = append(cmds, waitWatch(msg.ch))
		}
		return m, tea.Batch(cmds...)
	case debounceMsg:
		m.pending = false
		return m, m.refresh()
	case rewatchMsg:
		return m, startWatch(m.ctx, m.src)
	case detailMsg:
		if msg.service == m.detail.service {
			m.detail.detail, m.detail.logs, m.detail.err, m.detail.loading = msg.detail, msg.logs, msg.err, false
		}
		return m, nil
	case followStartedMsg:
		if msg.gen != m.logs.gen {
			return m, nil
		}
		if msg.err != nil {
			m.logs.err, m.logs.ended = msg.err, true
			return m, nil
		}
		return m, readFollow(msg.ch, msg.gen)
	case followLinesMsg:
		return m.onLogLines(msg)
	case actionMsg:
		return m.onAction(msg)
	case upMsg:
		return m.onUp(msg)
	case shellCmdMsg:
		if msg.cmd == nil {
			return m, m.setStatus("cannot open a shell in "+msg.service, true, false)
		}
		name := msg.service
		return m, tea.ExecProcess(msg.cmd, func(err error) tea.Msg { return shellDoneMsg{service: name, err: err} })
	case shellDoneMsg:
		var cmd tea.Cmd
		if msg.err != nil {
			cmd = m.setStatus(fmt.Sprintf("shell in %s: %v", msg.service, msg.err), true, false)
		}
		return m, tea.Batch(cmd, m.refresh())
	case clearStatusMsg:
		if msg.id == m.statusID {
			m.status, m.statusErr = "", false
		}
		return m, nil
	}
	return m, nil
}

func (m Model) onSnapshot(msg snapshotMsg) (tea.Model, tea.Cmd) {
	m.fetching, m.loaded = false, true
	var cmds []tea.Cmd
	if m.refetch {
		m.refetch = false
		cmds = append(cmds, m.refresh())
	}
	err := msg.err
	if err == nil {
		err = msg.snap.Err
	}
	if err != nil {
		// Keep the last rows (stale) and whatever header fields came back.
		keep := m.snap
		if msg.snap.Project != "" {
			keep.Project, keep.Backend, keep.Endpoint = msg.snap.Project, msg.snap.Backend, msg.snap.Endpoint
		}
		keep.Err = err
		m.snap = keep
		return m, tea.Batch(cmds...)
	}
	before, had := m.current()
	m.snap = msg.snap
	m.freshAt = m.opts.Now()
	m.reselect()
	if after, ok := m.current(); ok && m.pane == paneDetail {
		if !had || before.State != after.State || before.Health != after.Health ||
			before.Restarts != after.Restarts || before.StartedAt != after.StartedAt {
			cmds = append(cmds, m.loadDetail())
		}
	}
	return m, tea.Batch(cmds...)
}

func (m Model) onLogLines(msg followLinesMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.logs.gen {
		return m, nil
	}
	l := &m.logs
	l.lines = append(l.lines, msg.lines...)
	if n := len(l.lines) - maxLogLines; n > 0 {
		l.lines = append([]string(nil), l.lines[n:]...)
	}
	if l.scroll > 0 {
		l.scroll = min(l.scroll+len(msg.lines), len(l.lines))
	}
	if msg.ended {
		l.ended = true
		return m, nil
	}
	return m, readFollow(msg.ch, msg.gen)
}

func (m Model) onAction(msg actionMsg) (tea.Model, tea.Cmd) {
	m.busy = ""
	var status tea.Cmd
	if msg.err != nil {
		status = m.setStatus(fmt.Sprintf("%s %s: %v", msg.verb, msg.service, msg.err), true, false)
	} else {
		status = m.setStatus(fmt.Sprintf("%s %s: done", msg.verb, msg.service), false, false)
	}
	cmds := []tea.Cmd{status, m.refresh()}
	if m.pane == paneDetail && m.detail.service == msg.service {
		cmds = append(cmds, m.loadDetail())
	}
	return m, tea.Batch(cmds...)
}

func (m Model) onUp(msg upMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.up.gen {
		return m, nil
	}
	u := &m.up
	var cmds []tea.Cmd
	anyDone := false
	for _, e := range msg.events {
		if _, seen := u.status[e.Ref]; !seen {
			u.order = append(u.order, e.Ref)
		}
		st := e.Status
		if e.Done && e.Error != "" {
			st, u.failed[e.Ref] = "failed: "+e.Error, true
		}
		u.status[e.Ref] = st
		anyDone = anyDone || e.Done
	}
	if anyDone {
		cmds = append(cmds, m.refresh())
	}
	if !msg.done {
		return m, tea.Batch(append(cmds, readUp(u.ch, u.gen))...)
	}
	u.running, u.finished, u.err, u.ch = false, true, msg.err, nil
	u.elapsed = m.opts.Now().Sub(u.started)
	if msg.err != nil {
		cmds = append(cmds, m.setStatus("up failed: "+msg.err.Error(), true, false))
	} else {
		cmds = append(cmds, m.setStatus("up finished", false, false))
	}
	m.quitArmed = false
	return m, tea.Batch(append(cmds, m.refresh())...)
}

// startUp opens the up pane and runs Up.
func (m *Model) startUp() tea.Cmd {
	if m.up.running {
		m.pane = paneUp
		return m.setStatus("up is already running", false, false)
	}
	ch := make(chan upMsg, maxBatch)
	m.up = upState{
		gen: m.up.gen + 1, ch: ch, running: true, started: m.opts.Now(),
		status: map[engine.Ref]string{}, failed: map[engine.Ref]bool{},
	}
	m.pane = paneUp
	return tea.Batch(runUp(m.ctx, m.src, ch, m.up.gen), readUp(ch, m.up.gen))
}
