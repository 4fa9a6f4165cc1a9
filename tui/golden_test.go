package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// Golden files live in testdata/TestView/; regenerate them with
// `go test ./tui -run TestView -update`.

var testOpts = Options{NoColor: true, Now: func() time.Time { return now }}

// step feeds msgs to m in turn, dropping the commands Update returns.
func step(t testing.TB, m tea.Model, msgs ...tea.Msg) tea.Model {
	t.Helper()
	for _, msg := range msgs {
		m, _ = m.Update(msg)
	}
	return m
}

// press is the message bubbletea sends for one key: a named key or a
// single character.
func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// loaded is a model sized w×h that has seen one Snapshot of f.
func loaded(t testing.TB, f *fakeSource, w, h int) tea.Model {
	ctx := context.Background()
	return step(t, New(ctx, f, testOpts), tea.WindowSizeMsg{Width: w, Height: h}, fetchSnapshot(ctx, f)())
}

func TestView(t *testing.T) {
	unreachable := errors.New("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
	states := []struct {
		name  string
		build func(t *testing.T, w, h int) tea.Model
	}{
		{"healthy", func(t *testing.T, w, h int) tea.Model { return loaded(t, newFake(shop()...), w, h) }},
		{"unhealthy", func(t *testing.T, w, h int) tea.Model {
			svcs := shop()
			svcs[1].State, svcs[1].Health, svcs[1].Restarts = "unhealthy", "unhealthy", 3
			f := newFake(svcs...)
			f.snap.State = EnvPartial
			return step(t, loaded(t, f, w, h), press("j"))
		}},
		{"exited", func(t *testing.T, w, h int) tea.Model {
			svcs := shop()
			svcs[2].State, svcs[2].CPU, svcs[2].MemBytes = "exited", 0, 0
			f := newFake(svcs...)
			f.snap.State = EnvPartial
			return loaded(t, f, w, h)
		}},
		{"unreachable", func(t *testing.T, w, h int) tea.Model {
			m := loaded(t, newFake(shop()...), w, h)
			return step(t, m, snapshotMsg{err: unreachable})
		}},
	}
	for _, st := range states {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				view := st.build(t, size[0], size[1]).View().Content
				checkFrame(t, view, size[0], size[1])
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

// TestViewPanes covers the panes and screens at 80×24.
func TestViewPanes(t *testing.T) {
	fixture := func() *fakeSource {
		f := newFake(shop()...)
		f.details["postgres"] = Detail{
			Image: "postgres:16",
			Env: map[string]string{"POSTGRES_PASSWORD": "hunter2", "POSTGRES_USER": "app",
				"DATABASE_URL": "postgres://app:hunter2@postgres:5432/app", "PGDATA": "/var/lib/postgresql/data/pg",
				"API_KEY": "k-123"},
			Mounts:  []string{"./db/init -> /docker-entrypoint-initdb.d (ro)"},
			Volumes: []string{"pgdata -> /var/lib/postgresql/data"},
			Health:  "/var/run/postgresql:5432 - accepting connections\n",
		}
		f.upEvents = upEvents()
		return f
	}
	cases := map[string]func(t *testing.T) tea.Model{
		"detail": func(t *testing.T) tea.Model {
			f := fixture()
			m := step(t, loaded(t, f, 80, 24), press("j"), press("j"), press("j"))
			m, cmd := m.Update(press("enter"))
			return step(t, m, runCmds(cmd)...)
		},
		"up": func(t *testing.T) tea.Model {
			f := fixture()
			m, cmd := loaded(t, f, 80, 24).Update(press("u"))
			return step(t, m, runCmds(cmd)...)
		},
		"filter": func(t *testing.T) tea.Model {
			return step(t, loaded(t, fixture(), 80, 24), press("/"), press("r"), press("e"))
		},
		"scrolled": func(t *testing.T) tea.Model {
			m := loaded(t, newFake(services(30)...), 80, 24)
			for range 25 {
				m = step(t, m, press("j"))
			}
			return m
		},
		"help": func(t *testing.T) tea.Model {
			return step(t, loaded(t, fixture(), 80, 24), press("?"))
		},
		"logs": func(t *testing.T) tea.Model {
			f := fixture()
			m, cmd := loaded(t, f, 80, 24).Update(press("l"))
			started := cmd().(followStartedMsg)
			m = step(t, m, started)
			// Collect the backlog the fake sends.
			var lines []string
			for len(lines) < 30 {
				lines = append(lines, <-started.ch)
			}
			return step(t, m, followLinesMsg{gen: started.gen, ch: started.ch, lines: lines})
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			view := build(t).View().Content
			checkFrame(t, view, 80, 24)
			golden.RequireEqual(t, []byte(view))
		})
	}
}

// runCmds runs cmd (and the commands of a batch) one after the other and
// returns their messages; only for commands without timers.
func runCmds(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, runCmds(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

// TestResize: a model drawn at one size and resized draws exactly what a
// model built at the new size does.
func TestResize(t *testing.T) {
	f := newFake(shop()...)
	m := loaded(t, f, 120, 40)
	_ = m.View().Content
	for _, size := range [][2]int{{80, 24}, {60, 15}, {200, 50}, {120, 40}} {
		m = step(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		got, want := m.View().Content, loaded(t, f, size[0], size[1]).View().Content
		checkFrame(t, got, size[0], size[1])
		if got != want {
			t.Errorf("%dx%d after resize:\n%s\nwant:\n%s", size[0], size[1], got, want)
		}
	}
}

// checkFrame asserts the frame is exactly h lines, none wider than w.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d wide (> %d): %q", i+1, n, w, l)
		}
	}
}

// TestViewSizes: every screen at odd and tiny sizes, in colour and not,
// keeps to the frame and does not panic.
func TestViewSizes(t *testing.T) {
	f := newFake(shop()...)
	f.upEvents = upEvents()
	base := loaded(t, f, 80, 24)
	screens := map[string]tea.Model{
		"table":       base,
		"detail":      step(t, base, press("enter")),
		"filter":      step(t, base, press("/"), press("w")),
		"help":        step(t, base, press("?")),
		"logs":        step(t, base, press("l"), followLinesMsg{gen: 1, lines: []string{"a\tb \x1b[31mred\x1b[0m", strings.Repeat("x", 300)}}),
		"unreachable": step(t, base, snapshotMsg{err: errors.New("down")}),
		"first-error": step(t, New(context.Background(), f, testOpts), snapshotMsg{err: errors.New("down")}),
	}
	for name, m := range screens {
		for _, styled := range []bool{false, true} {
			if styled {
				mm := m.(Model)
				mm.st = newStyles(true)
				m = mm
			}
			for _, w := range []int{1, 10, 33, 80, 131} {
				for _, h := range []int{1, 2, 3, 7, 24} {
					view := step(t, m, tea.WindowSizeMsg{Width: w, Height: h}).View().Content
					checkFrame(t, view, w, h)
					if styled && w >= 80 && h >= 24 && !strings.Contains(view, "\x1b[") {
						t.Errorf("%s: no styling in colour mode", name)
					}
				}
			}
		}
	}
}
