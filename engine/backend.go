package engine

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/devbox-dev/devbox/envfile"
)

// Backend is the small core every engine implements. Desired is pure (no
// I/O) so plans can be computed and tested without a daemon; the other
// methods act on one resource and make no decisions of their own.
type Backend interface {
	// Name is "lxc" or "docker".
	Name() string
	// Endpoint describes where the engine is, e.g. "unix:///var/run/docker.sock".
	Endpoint() string
	// Desired turns the environment into the resources this backend creates.
	Desired(env *envfile.Environment) ([]Resource, error)
	// Observe lists the project's resources, found by their labels.
	Observe(ctx context.Context, project string) ([]Resource, error)
	// Create makes a desired resource and, for hosts and services, starts it
	// (waiting for its health check when it has one).
	Create(ctx context.Context, env *envfile.Environment, r Resource, p Progress) error
	// Start starts an existing, stopped resource.
	Start(ctx context.Context, env *envfile.Environment, r Resource, p Progress) error
	// Stop stops a running resource, keeping it.
	Stop(ctx context.Context, env *envfile.Environment, r Resource, p Progress) error
	// Remove deletes an observed resource. Volumes are only removed when a
	// destroy plan asked for it; user files are never touched.
	Remove(ctx context.Context, env *envfile.Environment, r Resource, p Progress) error
	// Close releases the connection.
	Close() error
}

// Check is one finding of a doctor run.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	// Fix is the command or step that repairs a failed check.
	Fix string `json:"fix,omitempty"`
}

// Preparer is implemented by backends whose Create has work that needs no
// other service up (an image, a build, a container made but not started).
// Apply calls Prepare for a resource with After as soon as its Needs are
// up, while the services it comes after start; once those are up it calls
// Finish, which does what Create would have done next, and if they do not
// come up, Abandon, which undoes the prepare: a service whose dependency
// failed is not left made.
type Preparer interface {
	Prepare(ctx context.Context, env *envfile.Environment, r Resource, p Progress) (Prepared, error)
}

// Prepared is a prepared create's two ways on.
type Prepared struct {
	Finish  func(context.Context) error
	Abandon func(context.Context)
}

// Doctor is implemented by backends that can check their own setup.
type Doctor interface {
	Doctor(ctx context.Context, env *envfile.Environment) []Check
}

// ServiceStatus is what status shows for one service.
type ServiceStatus struct {
	Name      string   `json:"name"`
	State     string   `json:"state"`            // starting, running, unhealthy, exited, stopped, missing
	Health    string   `json:"health,omitempty"` // healthy, unhealthy, starting, "" (no check)
	StartedAt string   `json:"started_at,omitempty"`
	Restarts  int      `json:"restarts"`
	Addresses []string `json:"addresses,omitempty"`
	Ports     []string `json:"ports,omitempty"` // "127.0.0.1:15432->5432/tcp"
	CPU       float64  `json:"cpu_percent,omitempty"`
	MemBytes  uint64   `json:"mem_bytes,omitempty"`
}

// Statuser reports per-service status.
type Statuser interface {
	Status(ctx context.Context, env *envfile.Environment) ([]ServiceStatus, error)
}

// Usage is one service's CPU (percent of one CPU since the previous
// reading) and memory in use.
type Usage struct {
	CPU      float64 `json:"cpu_percent"`
	MemBytes uint64  `json:"mem_bytes"`
}

// UsageReporter is implemented by backends whose Status leaves CPU and
// memory out because reading them is slow (docker's stats wait for the
// daemon's collection cycle, about a second): callers that show usage ask
// for it, the others do not pay for it. Services not running are absent.
type UsageReporter interface {
	Usage(ctx context.Context, env *envfile.Environment) (map[string]Usage, error)
}

// Stdio carries the streams of an exec or shell.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
	TTY      bool
	// Signals, when set, delivers signals to forward to the program;
	// SIGWINCH resizes its TTY to Size().
	Signals <-chan os.Signal
	// Size reports the terminal's columns and rows, for a TTY.
	Size func() (cols, rows int)
}

// Execer runs a command in a service's context and returns its exit code.
type Execer interface {
	Exec(ctx context.Context, env *envfile.Environment, service string, cmd []string, io Stdio) (int, error)
}

// Logger writes a service's logs, following them when asked.
type Logger interface {
	Logs(ctx context.Context, env *envfile.Environment, service string, follow bool, tail int, w io.Writer) error
}

// Event reports progress on one resource.
type Event struct {
	Ref    Ref    `json:"ref"`
	Status string `json:"status"`          // e.g. "creating", "step 2/4: apt-get install", "healthy", "done"
	Done   bool   `json:"done,omitempty"`  // the action on Ref finished
	Error  string `json:"error,omitempty"` // set with Done when it failed
}

// Progress receives events; it must be safe for concurrent use and must not block long.
type Progress func(Event)

// Discard is a Progress that drops everything.
func Discard(Event) {}

// Preflighter checks, before anything is created, what would make an up
// fail half-way: host ports taken, mount sources missing, base image absent.
// Ports held by the project's own running objects are not conflicts.
type Preflighter interface {
	Preflight(ctx context.Context, env *envfile.Environment) error
}

// Watcher streams change notifications for a project from the engine's
// event stream (Docker events, Incus lifecycle events), so views refresh on
// change instead of polling. The channel closes when ctx ends or the stream
// breaks; callers fall back to polling and watch again.
type Watcher interface {
	Watch(ctx context.Context, project string) (<-chan struct{}, error)
}

// ToolRunner runs a tool block's program the way `devbox run` needs.
type ToolRunner interface {
	RunTool(ctx context.Context, env *envfile.Environment, tool string, args []string, opts ToolOptions, io Stdio) (int, error)
}

// ToolOptions say how `devbox run` runs a tool: in Workdir (a host
// directory, mounted at the same path), as UID:GID, with Env (the tool's
// env and pass_env, already resolved) on top of the image's.
type ToolOptions struct {
	Workdir  string
	UID, GID int
	Env      map[string]string
	// Progress, when set, hears about a cold start (image build, create).
	Progress Progress
}

// CacheEntry is one cached provisioning layer (an image built from a base
// plus a prefix of packages and provision steps).
type CacheEntry struct {
	Name     string    `json:"name"` // devbox-cache/<hash>
	ID       string    `json:"id"`   // image ID or fingerprint
	Step     int       `json:"step"` // how many steps the layer holds
	Size     int64     `json:"size"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// Cacher lists and prunes the provisioning layer cache (`devbox cache`).
type Cacher interface {
	Cache(ctx context.Context) ([]CacheEntry, error)
	// InUse names the layers env's current file would use.
	CacheInUse(ctx context.Context, env *envfile.Environment) (map[string]bool, error)
	// PruneCache removes the entries for which remove is true and returns them.
	PruneCache(ctx context.Context, remove func(CacheEntry) bool) ([]CacheEntry, error)
}

// Privileger is implemented by backends that can give a service more than a
// default container gets (docker's systemd = true, say): plan shows each
// line, so nobody is surprised by what a cloned file asks for.
type Privileger interface {
	Privileges(env *envfile.Environment) []string
}

// ToolObserver lists and removes the warm tool containers (docker) or
// instances (lxc) `devbox run` makes, so plans show them and destroy
// removes them.
type ToolObserver interface {
	// ObserveTools lists the project's tool containers: those of one tool
	// and user, or all of them when tool is "". InUse is left empty.
	ObserveTools(ctx context.Context, project, tool string, uid int) ([]ToolContainer, error)
	// RemoveTool deletes one by name, running or not.
	RemoveTool(ctx context.Context, name string) error
}

// ToolBackend is the primitives `devbox run` is built from (tools.Ensure
// locks, observes, plans with PlanTool and applies); it decides nothing.
type ToolBackend interface {
	ToolObserver
	Name() string
	// ToolImage resolves the tool's base image for its platform.
	ToolImage(ctx context.Context, t *envfile.Tool, p Progress) (ToolImage, error)
	// CreateTool makes c (named, hashed and with the directories a plan
	// gave it) from img, starts it and sets opts' user up.
	CreateTool(ctx context.Context, env *envfile.Environment, t *envfile.Tool, img ToolImage, c ToolContainer, opts ToolOptions) (ToolContainer, error)
	// StartTool starts a stopped one.
	StartTool(ctx context.Context, c ToolContainer) error
	// ExecTool runs the tool's command with args in c, as opts says.
	ExecTool(ctx context.Context, c ToolContainer, t *envfile.Tool, args []string, opts ToolOptions, io Stdio) (int, error)
}

// ToolMounter is a ToolBackend that mounts and unmounts host directories
// of a running tool container, so one container serves every directory.
type ToolMounter interface {
	MountTool(ctx context.Context, c ToolContainer, mount string, unmount []string) error
}
