package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/devbox-dev/devbox/engine"
)

// column is one table column. Flexible columns (min > 0) shrink down to
// min before any column is dropped; columns are dropped lowest keep first.
type column struct {
	title string
	width int
	min   int // 0: fixed width
	keep  int // higher survives longer on narrow terminals
	right bool
}

const (
	colName = iota
	colState
	colHealth
	colUptime
	colRestarts
	colCPU
	colMem
	colAddr
	colPorts
	numCols
)

func (m Model) cells(s engine.ServiceStatus) [numCols]string {
	now := m.opts.Now()
	ports := make([]string, len(s.Ports))
	for i, p := range s.Ports {
		ports[i] = shortPort(p)
	}
	return [numCols]string{
		colName:     s.Name,
		colState:    dash(s.State),
		colHealth:   dash(s.Health),
		colUptime:   uptime(now, s.StartedAt, s.State),
		colRestarts: strconv.Itoa(s.Restarts),
		colCPU:      cpuCell(s.CPU, s.State),
		colMem:      memCell(s.MemBytes, s.State),
		colAddr:     dash(strings.Join(s.Addresses, ",")),
		colPorts:    dash(strings.Join(ports, ",")),
	}
}

// layout sizes the columns for width w; a zero width means dropped.
func layout(w int, cells [][numCols]string) ([numCols]column, int) {
	restarts := "RESTARTS"
	if w < 100 {
		restarts = "RST"
	}
	cols := [numCols]column{
		colName:     {title: "SERVICE", min: 12, keep: 9},
		colState:    {title: "STATE", width: 9, keep: 8},
		colHealth:   {title: "HEALTH", width: 9, keep: 1}, // STATE already says unhealthy/starting
		colUptime:   {title: "UPTIME", width: 6, keep: 5},
		colRestarts: {title: restarts, width: len(restarts), keep: 4, right: true},
		colCPU:      {title: "CPU", width: 5, keep: 3, right: true},
		colMem:      {title: "MEM", width: 5, keep: 2, right: true},
		colAddr:     {title: "ADDRESSES", min: 15, keep: 6},
		colPorts:    {title: "PORTS", min: 11, keep: 7},
	}
	flex := []int{colName, colPorts, colAddr} // in the order spare room goes
	var natural [numCols]int
	for _, i := range flex {
		natural[i] = len(cols[i].title)
		for _, c := range cells {
			natural[i] = max(natural[i], ansi.StringWidth(c[i]))
		}
		if i == colName {
			natural[i] = min(natural[i], 24)
		}
		cols[i].width = natural[i]
		cols[i].min = min(cols[i].min, natural[i])
	}
	for _, c := range cells {
		cols[colRestarts].width = max(cols[colRestarts].width, len(c[colRestarts]))
	}
	gap := 1
	if w >= 100 {
		gap = 2
	}
	total := func() int {
		n, t := 0, 2 // the selection marker
		for _, c := range cols {
			if c.width > 0 {
				t += c.width
				n++
			}
		}
		return t + gap*max(n-1, 0)
	}
	// Too wide: shrink the widest flexible column down to its min, a bit
	// at a time; then drop columns, least important first.
	for over := total() - w; over > 0; over = total() - w {
		best := -1
		for _, i := range flex {
			if cols[i].width > cols[i].min && (best < 0 || cols[i].width > cols[best].width) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		cols[best].width -= min(over, cols[best].width-cols[best].min)
	}
	for total() > w {
		drop := -1
		for i, c := range cols {
			if c.width > 0 && c.keep < 9 && (drop < 0 || c.keep < cols[drop].keep) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		cols[drop].width = 0
	}
	// Room freed by dropping goes back to the flexible columns.
	for _, i := range flex {
		if cols[i].width > 0 {
			cols[i].width += max(min(w-total(), natural[i]-cols[i].width), 0)
		}
	}
	return cols, gap
}

// renderRow lays cells out in cols; style, when set, dresses each padded
// cell (so colours never shift the layout).
func renderRow(cols [numCols]column, gap int, cells [numCols]string, style func(col int, cell string) string) string {
	var b strings.Builder
	first := true
	for i, c := range cols {
		if c.width == 0 {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", gap))
		}
		first = false
		v := fit(cells[i], c.width)
		if c.right {
			v = strings.Repeat(" ", c.width-ansi.StringWidth(v)) + v
		} else {
			v = pad(v, c.width)
		}
		if style != nil {
			v = style(i, v)
		}
		b.WriteString(v)
	}
	return strings.TrimRight(b.String(), " ")
}

// table draws the header and as many rows as fit in h lines, scrolled so
// the selection shows.
func (m Model) table(w, h int, rows []engine.ServiceStatus) []string {
	st := m.st
	if !m.loaded {
		return []string{st.faint.Render("  loading…")}
	}
	if len(rows) == 0 {
		msg := "  no services"
		switch {
		case m.filter != "":
			msg = "  no service matches " + strconv.Quote(m.filter)
		case m.snap.Err != nil:
			msg = "  no data yet"
		case m.snap.State == EnvAbsent || m.snap.State == "":
			msg = "  nothing created yet — press u to bring the environment up"
		}
		return []string{st.faint.Render(msg)}
	}
	cells := make([][numCols]string, len(rows))
	for i, r := range rows {
		cells[i] = m.cells(r)
	}
	cols, gap := layout(w, cells)
	var titles [numCols]string
	for i, c := range cols {
		titles[i] = c.title
	}
	lines := []string{st.header.Render("  " + renderRow(cols, gap, titles, nil))}

	// Scroll: keep the selection inside the window.
	n := max(h-1, 1)
	more := len(rows) > n
	if more && n > 1 {
		n-- // the last line says how many rows are hidden
	}
	sel := 0
	for i, r := range rows {
		if r.Name == m.selected {
			sel = i
		}
	}
	off := max(sel-n+1, 0)
	stale := m.snap.Err != nil
	colour := func(col int, cell string) string {
		if col == colState || col == colHealth {
			return st.state(strings.TrimSpace(cell)).Render(cell)
		}
		return cell
	}
	for i := off; i < len(rows) && i < off+n; i++ {
		switch {
		case i == sel:
			lines = append(lines, st.selected.Render("> "+renderRow(cols, gap, cells[i], nil)))
		case stale:
			lines = append(lines, st.faint.Render("  "+renderRow(cols, gap, cells[i], nil)))
		default:
			lines = append(lines, "  "+renderRow(cols, gap, cells[i], colour))
		}
	}
	if more {
		below := max(len(rows)-off-n, 0)
		lines = append(lines, st.faint.Render(fmt.Sprintf("  … %d above, %d below", off, below)))
	}
	return lines
}
