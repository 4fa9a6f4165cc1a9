package tui

import (
	"context"
	"os/exec"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/devbox-dev/devbox/engine"
)

// Timeouts and sizes for the commands the model issues.
const (
	callTimeout   = 10 * time.Second // Snapshot, Detail, Logs
	actionTimeout = 5 * time.Minute  // Restart, StopStart
	rewatchDelay  = 5 * time.Second  // after Watch failed or its stream broke
	statusTTL     = 6 * time.Second  // how long a footer message stays
	detailLogTail = 10               // log lines in the detail pane
	followTail    = 200              // log lines shown when `l` opens
	maxLogLines   = 2000             // kept in the log follower
	maxBatch      = 256              // lines or events folded into one message
)

// Messages. Every tea.Cmd below returns one of these.
type (
	snapshotMsg struct {
		snap Snapshot
		err  error
	}
	pollMsg         struct{}
	debounceMsg     struct{}
	rewatchMsg      struct{}
	watchStartedMsg struct {
		ch  <-chan struct{}
		err error
	}
	// watchEventMsg reports notifications; closed is set when the stream
	// ended right after them.
	watchEventMsg struct {
		ch     <-chan struct{}
		closed bool
	}
	detailMsg struct {
		service string
		detail  Detail
		logs    []string
		err     error
	}
	followStartedMsg struct {
		gen int
		ch  <-chan string
		err error
	}
	followLinesMsg struct {
		gen   int
		ch    <-chan string
		lines []string
		ended bool
	}
	actionMsg struct {
		verb, service string
		err           error
	}
	upMsg struct {
		gen    int
		events []engine.Event
		done   bool
		err    error
	}
	shellCmdMsg struct {
		service string
		cmd     *exec.Cmd // nil: no shell can be opened
	}
	shellDoneMsg struct {
		service string
		err     error
	}
	clearStatusMsg struct{ id int }
)

// shellCommand asks the source for the shell command off the Update path.
func shellCommand(src Source, service string) tea.Cmd {
	return func() tea.Msg { return shellCmdMsg{service: service, cmd: src.ShellCommand(service)} }
}

func fetchSnapshot(ctx context.Context, src Source) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		snap, err := src.Snapshot(ctx)
		return snapshotMsg{snap: snap, err: err}
	}
}

func pollAfter(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return pollMsg{} })
}

func startWatch(ctx context.Context, src Source) tea.Cmd {
	return func() tea.Msg {
		ch, err := src.Watch(ctx)
		return watchStartedMsg{ch: ch, err: err}
	}
}

// waitWatch blocks (in its own goroutine) until the next notification,
// folding any that are already queued into it.
func waitWatch(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return watchEventMsg{closed: true}
		}
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return watchEventMsg{closed: true}
				}
			default:
				return watchEventMsg{ch: ch}
			}
		}
	}
}

func fetchDetail(ctx context.Context, src Source, service string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		d, err := src.Detail(ctx, service)
		logs, lerr := src.Logs(ctx, service, detailLogTail)
		if err == nil {
			err = lerr
		}
		return detailMsg{service: service, detail: d, logs: logs, err: err}
	}
}

func startFollow(ctx context.Context, src Source, service string, gen int) tea.Cmd {
	return func() tea.Msg {
		ch, err := src.Follow(ctx, service, followTail)
		return followStartedMsg{gen: gen, ch: ch, err: err}
	}
}

// readFollow waits for the next log line and returns it with whatever else
// is already queued, so a chatty service costs one message per batch.
func readFollow(ch <-chan string, gen int) tea.Cmd {
	return func() tea.Msg {
		line, ok := <-ch
		if !ok {
			return followLinesMsg{gen: gen, ended: true}
		}
		lines := []string{line}
		for len(lines) < maxBatch {
			select {
			case line, ok := <-ch:
				if !ok {
					return followLinesMsg{gen: gen, lines: lines, ended: true}
				}
				lines = append(lines, line)
			default:
				return followLinesMsg{gen: gen, ch: ch, lines: lines}
			}
		}
		return followLinesMsg{gen: gen, ch: ch, lines: lines}
	}
}

func runAction(ctx context.Context, verb, service string, fn func(context.Context, string) error) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		return actionMsg{verb: verb, service: service, err: fn(ctx, service)}
	}
}

// runUp runs Up in its own goroutine, feeding its events into ch and
// closing ch with a final upMsg when it returns.
func runUp(ctx context.Context, src Source, ch chan<- upMsg, gen int) tea.Cmd {
	return func() tea.Msg {
		err := src.Up(ctx, func(e engine.Event) {
			select {
			case ch <- upMsg{gen: gen, events: []engine.Event{e}}:
			case <-ctx.Done():
			}
		})
		select {
		case ch <- upMsg{gen: gen, done: true, err: err}:
		case <-ctx.Done():
		}
		close(ch)
		return nil
	}
}

// readUp returns the next batch of up events (or its end).
func readUp(ch <-chan upMsg, gen int) tea.Cmd {
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return upMsg{gen: gen, done: true}
		}
		for !m.done && len(m.events) < maxBatch {
			select {
			case n, ok := <-ch:
				if !ok {
					m.done = true
					return m
				}
				m.events = append(m.events, n.events...)
				m.done, m.err = n.done, n.err
			default:
				return m
			}
		}
		return m
	}
}

func clearStatusAfter(id int) tea.Cmd {
	return tea.Tick(statusTTL, func(time.Time) tea.Msg { return clearStatusMsg{id: id} })
}
