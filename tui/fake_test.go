package tui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/devbox-dev/devbox/engine"
)

// now is the fixed clock of every test.
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) string { return now.Add(-d).Format(time.RFC3339Nano) }

// fakeSource is an in-memory Source. Actions change its rows and notify
// watchers, like an engine's event stream would.
type fakeSource struct {
	mu       sync.Mutex
	snap     Snapshot
	err      error // returned by Snapshot while set
	details  map[string]Detail
	logs     map[string][]string
	calls    []string
	watchers []chan struct{}
	follows  []chan string
	upEvents []engine.Event
	nSnap    int
}

func newFake(services ...engine.ServiceStatus) *fakeSource {
	f := &fakeSource{
		snap: Snapshot{Project: "shop", Backend: "docker", Endpoint: "local", State: EnvRunning,
			Services: services},
		details: map[string]Detail{},
		logs:    map[string][]string{},
	}
	for _, s := range services {
		for i := 1; i <= 30; i++ {
			f.logs[s.Name] = append(f.logs[s.Name], fmt.Sprintf("%s line %d", s.Name, i))
		}
	}
	return f
}

// shop is the usual fixture: six healthy services.
func shop() []engine.ServiceStatus {
	return []engine.ServiceStatus{
		{Name: "web", State: "running", Health: "healthy", StartedAt: ago(3*time.Hour + 12*time.Minute),
			Addresses: []string{"172.20.0.5"}, Ports: []string{"127.0.0.1:13000->3000/tcp"}, CPU: 1.3, MemBytes: 182 << 20},
		{Name: "api", State: "running", Health: "healthy", StartedAt: ago(3*time.Hour + 11*time.Minute), Restarts: 1,
			Addresses: []string{"172.20.0.6"}, Ports: []string{"127.0.0.1:18080->8080/tcp"}, CPU: 4.75, MemBytes: 96 << 20},
		{Name: "worker", State: "running", StartedAt: ago(47 * time.Minute),
			Addresses: []string{"172.20.0.7"}, CPU: 0.2, MemBytes: 41 << 20},
		{Name: "postgres", State: "running", Health: "healthy", StartedAt: ago(26*time.Hour + 5*time.Minute),
			Addresses: []string{"172.20.0.2"}, Ports: []string{"127.0.0.1:15432->5432/tcp"}, CPU: 0.9, MemBytes: 1288 << 20},
		{Name: "redis", State: "running", Health: "healthy", StartedAt: ago(26 * time.Hour),
			Addresses: []string{"172.20.0.3"}, Ports: []string{"127.0.0.1:16379->6379/tcp"}, CPU: 0.4, MemBytes: 9 << 20},
		{Name: "mailhog", State: "running", StartedAt: ago(42 * time.Second),
			Addresses: []string{"172.20.0.4"}, Ports: []string{"127.0.0.1:18025->8025/tcp", "127.0.0.1:11025->1025/tcp"},
			CPU: 0, MemBytes: 12 << 20},
	}
}

// services is n generic running services, for scrolling and benchmarks.
func services(n int) []engine.ServiceStatus {
	out := make([]engine.ServiceStatus, n)
	for i := range out {
		out[i] = engine.ServiceStatus{
			Name: fmt.Sprintf("svc-%02d", i+1), State: "running", Health: "healthy",
			StartedAt: ago(time.Duration(i+1) * time.Hour), Addresses: []string{fmt.Sprintf("172.20.0.%d", i+10)},
			Ports: []string{fmt.Sprintf("127.0.0.1:%d->80/tcp", 18000+i)}, CPU: float64(i) / 3, MemBytes: uint64(i+1) << 24,
		}
	}
	return out
}

func (f *fakeSource) Snapshot(ctx context.Context) (Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nSnap++
	if f.err != nil {
		return Snapshot{}, f.err
	}
	s := f.snap
	s.Services = slices.Clone(f.snap.Services)
	return s, nil
}

func (f *fakeSource) Watch(ctx context.Context) (<-chan struct{}, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{}, 1)
	f.watchers = append(f.watchers, ch)
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.watchers = slices.DeleteFunc(f.watchers, func(c chan struct{}) bool { return c == ch })
		close(ch)
	}()
	return ch, nil
}

// notify must be called with f.mu held.
func (f *fakeSource) notify() {
	for _, ch := range f.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (f *fakeSource) Logs(ctx context.Context, service string, tail int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.logs[service]
	return slices.Clone(l[max(len(l)-tail, 0):]), nil
}

func (f *fakeSource) Follow(ctx context.Context, service string, tail int) (<-chan string, error) {
	f.mu.Lock()
	l := slices.Clone(f.logs[service])
	f.calls = append(f.calls, "follow "+service)
	f.mu.Unlock()
	ch := make(chan string)
	go func() {
		defer close(ch)
		for _, line := range l[max(len(l)-tail, 0):] {
			select {
			case ch <- line:
			case <-ctx.Done():
				return
			}
		}
		<-ctx.Done()
	}()
	return ch, nil
}

func (f *fakeSource) Detail(ctx context.Context, service string) (Detail, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.details[service]; ok {
		return d, nil
	}
	return Detail{}, nil
}

func (f *fakeSource) edit(service string, fn func(*engine.ServiceStatus)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.snap.Services {
		if f.snap.Services[i].Name == service {
			fn(&f.snap.Services[i])
			f.notify()
			return nil
		}
	}
	return errors.New("no such service " + service)
}

func (f *fakeSource) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

type fakeStatus = engine.ServiceStatus

func (f *fakeSource) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
	f.notify()
}

func (f *fakeSource) nSnapshots() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nSnap
}

// upEvents is what the fake's Up reports.
func upEvents() []engine.Event {
	return []engine.Event{
		{Ref: engine.Ref{Kind: engine.KindNetwork, Name: "shop"}, Status: "done", Done: true},
		{Ref: engine.Ref{Kind: engine.KindImage, Name: "web"}, Status: "step 2/4: npm ci"},
		{Ref: engine.Ref{Kind: engine.KindService, Name: "postgres"}, Status: "waiting for health"},
		{Ref: engine.Ref{Kind: engine.KindService, Name: "worker"}, Status: "creating"},
		{Ref: engine.Ref{Kind: engine.KindService, Name: "worker"}, Done: true, Error: "port 9000 is taken"},
	}
}

func (f *fakeSource) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeSource) Restart(ctx context.Context, service string) error {
	f.record("restart " + service)
	return f.edit(service, func(s *engine.ServiceStatus) {
		s.Restarts++
		s.State, s.StartedAt = "running", ago(0)
	})
}

func (f *fakeSource) StopStart(ctx context.Context, service string) error {
	f.record("stopstart " + service)
	return f.edit(service, func(s *engine.ServiceStatus) {
		if running(s.State) {
			s.State, s.Health = "stopped", ""
		} else {
			s.State, s.StartedAt = "running", ago(0)
		}
	})
}

func (f *fakeSource) Up(ctx context.Context, progress engine.Progress) error {
	f.record("up")
	f.mu.Lock()
	events := slices.Clone(f.upEvents)
	f.mu.Unlock()
	for _, e := range events {
		progress(e)
	}
	return nil
}

func (f *fakeSource) ShellCommand(service string) *exec.Cmd {
	f.record("shell " + service)
	return exec.Command("true")
}
