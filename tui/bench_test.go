package tui

import (
	"bytes"
	"context"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// BenchmarkFirstFrame: build the model, take the first Snapshot (from the
// fake, so this is the dashboard's own cost) and draw it; 8 services.
func BenchmarkFirstFrame(b *testing.B) {
	f := newFake(services(8)...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		m := New(ctx, f, testOpts)
		_ = m.Init()
		var tm tea.Model = m
		tm, _ = tm.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		tm, _ = tm.Update(fetchSnapshot(ctx, f)())
		_ = tm.View()
	}
}

// BenchmarkRefresh is the steady cost of one poll: Snapshot, Update, View.
func BenchmarkRefresh(b *testing.B) {
	f := newFake(services(8)...)
	ctx := context.Background()
	tm := loaded(b, f, 120, 40)
	b.ReportAllocs()
	for b.Loop() {
		tm, _ = tm.Update(fetchSnapshot(ctx, f)())
		_ = tm.View()
	}
}

// firstFrameWriter signals once the program has written want.
type firstFrameWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want []byte
	once sync.Once
	done chan struct{}
}

func (w *firstFrameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if bytes.Contains(w.buf.Bytes(), w.want) {
		w.once.Do(func() { close(w.done) })
	}
	return len(p), nil
}

func (w *firstFrameWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// BenchmarkFirstFrameProgram is the wall time from starting a bubbletea
// program until the last of 8 rows reaches the terminal (renderer frame
// pacing included).
func BenchmarkFirstFrameProgram(b *testing.B) {
	f := newFake(services(8)...)
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		w := &firstFrameWriter{want: []byte("svc-08"), done: make(chan struct{})}
		opts := append(programOptions(ctx, Options{}), tea.WithInput(nil), tea.WithOutput(w), tea.WithoutSignals(), tea.WithWindowSize(80, 24))
		p := tea.NewProgram(New(ctx, f, testOpts), opts...)
		errc := make(chan error, 1)
		go func() { _, err := p.Run(); errc <- err }()
		<-w.done
		p.Quit()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}
