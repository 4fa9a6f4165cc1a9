package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/devbox-dev/devbox/engine"
)

type mode int

const (
	modeTable mode = iota
	modeLogs
	modeHelp
)

type pane int

const (
	paneNone pane = iota
	paneDetail
	paneUp
)

// Model is the dashboard's bubbletea model. Build it with New.
//
// It keeps the context it was built with because tea.Cmds are created in
// Update and need one; the context ends when the dashboard does.
type Model struct {
	ctx  context.Context
	src  Source
	opts Options
	keys keyMap
	st   styles
	help help.Model

	width, height int

	snap    Snapshot  // last rows; Err set while the engine is unreachable
	loaded  bool      // a Snapshot call has returned at least once
	freshAt time.Time // when snap.Services were last read

	fetching bool // a Snapshot call is in flight
	refetch  bool // another one was asked for meanwhile
	pending  bool // a debounce timer runs

	selected string // name of the selected service
	selIdx   int    // its index among the visible rows

	filter    string
	filtering bool // typing the filter

	mode   mode
	pane   pane
	detail detailState
	logs   logState
	up     upState

	busy      string // the restart or stop/start running, e.g. "restart web"
	status    string
	statusErr bool
	statusID  int
	quitArmed bool
}

type detailState struct {
	service string
	detail  Detail
	logs    []string
	err     error
	loading bool
	scroll  int
}

type logState struct {
	service string
	gen     int
	cancel  context.CancelFunc
	lines   []string
	scroll  int // lines hidden below the bottom; 0 follows
	ended   bool
	err     error
}

type upState struct {
	gen      int
	ch       <-chan upMsg
	running  bool
	finished bool
	err      error
	order    []engine.Ref
	status   map[engine.Ref]string
	failed   map[engine.Ref]bool
	started  time.Time
	elapsed  time.Duration
}

// New returns the dashboard model for src. ctx bounds every call the model
// makes to src.
func New(ctx context.Context, src Source, opts Options) Model {
	opts = opts.withDefaults()
	st := newStyles(!opts.NoColor)
	h := help.New()
	h.Styles = help.Styles{
		ShortKey: st.key, ShortDesc: st.plain, ShortSeparator: st.faint, Ellipsis: st.faint,
		FullKey: st.key, FullDesc: st.plain, FullSeparator: st.faint,
	}
	// fetching: Init makes the first Snapshot call.
	return Model{ctx: ctx, src: src, opts: opts, keys: newKeyMap(), st: st, help: h, fetching: true}
}

// Init starts the first Snapshot, the engine watch and the poll.
func (m Model) Init() tea.Cmd {
	return tea.Batch(fetchSnapshot(m.ctx, m.src), startWatch(m.ctx, m.src), pollAfter(m.opts.PollInterval))
}

// refresh asks for a Snapshot unless one is in flight, in which case
// another is made when it returns.
func (m *Model) refresh() tea.Cmd {
	if m.fetching {
		m.refetch = true
		return nil
	}
	m.fetching = true
	return fetchSnapshot(m.ctx, m.src)
}

// rows are the services the filter lets through, in the Source's order.
func (m Model) rows() []engine.ServiceStatus {
	if m.filter == "" {
		return m.snap.Services
	}
	f := strings.ToLower(m.filter)
	var out []engine.ServiceStatus
	for _, s := range m.snap.Services {
		hay := strings.ToLower(strings.Join([]string{s.Name, s.State, s.Health,
			strings.Join(s.Addresses, " "), strings.Join(s.Ports, " ")}, " "))
		if strings.Contains(hay, f) {
			out = append(out, s)
		}
	}
	return out
}

// current is the selected row, if any.
func (m Model) current() (engine.ServiceStatus, bool) {
	for _, s := range m.rows() {
		if s.Name == m.selected {
			return s, true
		}
	}
	return engine.ServiceStatus{}, false
}

// reselect keeps the selection on the same service across refreshes and
// filter changes, falling back to the same position.
func (m *Model) reselect() {
	rows := m.rows()
	if len(rows) == 0 {
		m.selected, m.selIdx = "", 0
		return
	}
	for i, s := range rows {
		if s.Name == m.selected {
			m.selIdx = i
			return
		}
	}
	m.selIdx = min(max(m.selIdx, 0), len(rows)-1)
	m.selected = rows[m.selIdx].Name
}

// move changes the selection by delta rows (clamped).
func (m *Model) move(delta int) tea.Cmd {
	rows := m.rows()
	if len(rows) == 0 {
		return nil
	}
	m.reselect()
	m.selIdx = min(max(m.selIdx+delta, 0), len(rows)-1)
	if m.selected == rows[m.selIdx].Name {
		return nil
	}
	m.selected = rows[m.selIdx].Name
	return m.openDetailIfShown()
}

// openDetailIfShown reloads the detail pane for the selection when the
// pane is open and shows another service.
func (m *Model) openDetailIfShown() tea.Cmd {
	if m.pane != paneDetail || m.detail.service == m.selected {
		return nil
	}
	return m.loadDetail()
}

func (m *Model) loadDetail() tea.Cmd {
	if m.selected == "" {
		m.detail = detailState{}
		return nil
	}
	if m.detail.service != m.selected {
		m.detail = detailState{service: m.selected}
	}
	m.detail.loading = true
	return fetchDetail(m.ctx, m.src, m.selected)
}

// setStatus shows msg in the header; unless sticky it goes away after a
// few seconds.
func (m *Model) setStatus(msg string, isErr, sticky bool) tea.Cmd {
	m.statusID++
	m.status, m.statusErr = msg, isErr
	if sticky {
		return nil
	}
	return clearStatusAfter(m.statusID)
}

func (m *Model) stopFollow() {
	if m.logs.cancel != nil {
		m.logs.cancel()
	}
	m.logs = logState{gen: m.logs.gen + 1}
}

func (m *Model) quit() tea.Cmd {
	m.stopFollow()
	return tea.Quit
}

func (m Model) size() (int, int) {
	w, h := m.width, m.height
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 24
	}
	return w, h
}

// running reports whether a service state counts as up for `x`.
func running(state string) bool { return engine.Running(state) }
