package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/version"
)

// Labels devbox puts on every Docker object it creates.
const (
	LabelProject = "dev.devbox.project"
	LabelKind    = "dev.devbox.kind"
	LabelName    = "dev.devbox.name"
	LabelHash    = "dev.devbox.hash"
	LabelVersion = "dev.devbox.version"
)

// DefaultNetwork is the network services without `networks` join.
const DefaultNetwork = "default"

// Backend drives one Docker engine. It is safe for concurrent use: the
// executor runs independent actions in parallel.
type Backend struct {
	cli *client.Client
	// Version is written to the dev.devbox.version label.
	Version string

	netMu sync.Mutex // serialises subnet picking + network creation

	cpu engine.CPUMeter // CPU use between status calls

	buildMu    sync.Mutex
	buildLocks map[string]*sync.Mutex // per cache tag: one build of a step at a time
	sweep      sync.Once              // stale build containers, once per process

	// noNAT: no container devbox makes is NATed to the outside (tests):
	// nat networks get IP masquerading off, builds run on the internal
	// BuildNetworkNoNAT.
	noNAT bool
}

var _ engine.Backend = (*Backend)(nil)

// NoNATEnv, set to 1, makes every network and build container devbox
// creates skip outbound NAT: for air-gapped machines and CI, where
// containers must reach nothing but the host (and its package proxy).
const NoNATEnv = "DEVBOX_NO_NAT"

// New connects to the Docker engine named by cfg.Host, else DOCKER_HOST,
// else the default socket, and checks that it answers.
func New(ctx context.Context, cfg envfile.DockerConfig) (*Backend, error) {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if cfg.Host != "" {
		opts = append(opts, client.WithHost(cfg.Host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker: client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		host := cli.DaemonHost()
		cli.Close()
		return nil, fmt.Errorf("docker: cannot reach the Docker daemon at %s: %w; start it (dockerd, or systemctl start docker) and run devbox doctor", host, err)
	}
	return &Backend{cli: cli, Version: version.Version, buildLocks: map[string]*sync.Mutex{},
		noNAT: os.Getenv(NoNATEnv) == "1"}, nil
}

// Name returns "docker".
func (b *Backend) Name() string { return "docker" }

// Endpoint is the daemon address, e.g. unix:///var/run/docker.sock.
func (b *Backend) Endpoint() string { return b.cli.DaemonHost() }

// Close releases the client.
func (b *Backend) Close() error { return b.cli.Close() }

// Client exposes the Docker client, for tests and tools.
func (b *Backend) Client() *client.Client { return b.cli }

// NetworkName is the Docker name of a project network.
func NetworkName(project, network string) string { return project + "_" + network }

// VolumeName is the Docker name of a project volume.
func VolumeName(project, volume string) string { return project + "_" + volume }

// ContainerName is the Docker name of a service's container.
func ContainerName(project, service string) string { return project + "-" + service }

func (b *Backend) labels(project string, kind engine.Kind, name, hash string) map[string]string {
	return map[string]string{
		LabelProject: project,
		LabelKind:    string(kind),
		LabelName:    name,
		LabelHash:    hash,
		LabelVersion: b.Version,
	}
}

func projectFilter(project string, kind engine.Kind) filters.Args {
	f := filters.NewArgs(filters.Arg("label", LabelProject+"="+project))
	if kind != "" {
		f.Add("label", LabelKind+"="+string(kind))
	}
	return f
}

func notFound(err error) bool {
	return err != nil && (cerrdefs.IsNotFound(err) || client.IsErrNotFound(err))
}

// cleanupCtx outlives a cancelled ctx so that an interrupted action still
// removes what it made half-way (build containers).
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

func errUnknownKind(r engine.Resource) error {
	return errors.New("docker: unsupported resource kind " + string(r.Kind) + " (" + r.Ref().String() + ")")
}
