package tui

import (
	"context"
	"io"
	"os/exec"
	"time"

	"github.com/devbox-dev/devbox/engine"
)

// Environment states reported in Snapshot.State.
const (
	EnvRunning = "running" // every service runs
	EnvPartial = "partial" // some services run
	EnvStopped = "stopped" // services exist, none runs
	EnvAbsent  = "absent"  // nothing created yet
)

// Snapshot is everything the dashboard shows at one moment.
type Snapshot struct {
	Project, Backend string
	// Endpoint is "local" or the remote engine's URL.
	Endpoint string
	// State is the environment's state: EnvRunning, EnvPartial, EnvStopped
	// or EnvAbsent.
	State    string
	Services []engine.ServiceStatus
	// Err is set when the engine could not be reached. A Source may return
	// the error from Snapshot or set it here (to still report Project,
	// Backend and Endpoint); the model treats both alike: it shows a banner
	// and keeps the last known rows, marked stale.
	Err error
}

// Detail is what the detail pane shows for one service besides its row and
// its last log lines.
type Detail struct {
	Image string
	// Env is the service's environment, unmasked; the TUI masks values of
	// keys matching PASS, SECRET, TOKEN or KEY and passwords in URLs.
	Env map[string]string
	// Mounts are bind mounts, pre-formatted: "./src -> /app (rw)".
	Mounts []string
	// Volumes are named volumes, pre-formatted: "pgdata -> /var/lib/postgresql/data".
	Volumes []string
	// Health is the output of the last health check ("" when there is none).
	Health string
}

// Source is the dashboard's only view of the engine. Methods may block
// (they run in tea.Cmds) and must honour ctx.
type Source interface {
	// Snapshot reads the environment and every service's status, including
	// CPU and memory figures.
	Snapshot(ctx context.Context) (Snapshot, error)
	// Watch sends a value whenever the engine reports a change to the
	// project (Docker events, Incus events). The channel is closed when ctx
	// ends or the stream breaks; the model then relies on polling and calls
	// Watch again later. A Source with no event stream may return a channel
	// that is only closed when ctx ends: polling then does all the work.
	Watch(ctx context.Context) (<-chan struct{}, error)
	// Logs returns the service's last tail log lines.
	Logs(ctx context.Context, service string, tail int) ([]string, error)
	// Follow sends the service's last tail log lines, then each new line as
	// it is written, until ctx ends (or the stream ends); then it closes the
	// channel.
	Follow(ctx context.Context, service string, tail int) (<-chan string, error)
	// Detail returns the service's environment, mounts, volumes and health
	// check output.
	Detail(ctx context.Context, service string) (Detail, error)
	// Restart stops and starts the service.
	Restart(ctx context.Context, service string) error
	// StopStart stops the service if it runs, else starts it.
	StopStart(ctx context.Context, service string) error
	// Up applies `devbox up`, reporting progress as it goes. progress is
	// safe to call from several goroutines.
	Up(ctx context.Context, progress engine.Progress) error
	// ShellCommand returns the command that opens an interactive shell in
	// the service (run with the terminal handed over), or nil when the
	// backend cannot open one.
	ShellCommand(service string) *exec.Cmd
}

// Options tune the dashboard.
type Options struct {
	// NoColor renders without colours or other styling (NO_COLOR).
	NoColor bool
	// In and Out are the terminal Run reads keys from and draws on; nil
	// means the process's stdin and stdout.
	In  io.Reader
	Out io.Writer
	// Now is the clock for uptimes; nil means time.Now.
	Now func() time.Time
	// PollInterval is how often the dashboard polls Snapshot for figures
	// events cannot tell; 0 means 2s.
	PollInterval time.Duration
	// Debounce coalesces bursts of Watch notifications; 0 means 200ms.
	Debounce time.Duration
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.Debounce <= 0 {
		o.Debounce = 200 * time.Millisecond
	}
	return o
}
