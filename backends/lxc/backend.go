package lxc

import (
	"context"
	"fmt"
	"github.com/devbox-dev/devbox/engine"
	"os"
	"path/filepath"
	"sync"
	"time"

	incus "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/cliconfig"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/version"
)

// Backend talks to one Incus server. It is safe for concurrent use by the
// engine's executor.
type Backend struct {
	c        incus.InstanceServer
	remote   string
	endpoint string
	conf     *cliconfig.Config // the incus CLI's config; nil when absent

	// cfgMu serialises read-modify-write updates of the instance config
	// (per-service hash keys are written by parallel service actions).
	cfgMu sync.Mutex

	// netMu serialises subnet picking; hostsMu edits of /etc/hosts.
	netMu, hostsMu sync.Mutex

	cpu engine.CPUMeter // CPU use of units between status calls

	reloadMu sync.Mutex
	reloaded map[string]time.Time // by instance: start of the last daemon-reload

	// installed is, by instance and service, the unit text the host's
	// create installed and no service create has started yet (installUnits).
	unitsMu   sync.Mutex
	installed map[string]map[string]string
	// scales is, by instance, the scale record of an instance deleted to
	// be rebuilt, for its create to write back (scale.go).
	scales map[string]string

	labels   batcher[map[string]string] // instance config writes (setConfig)
	removals batcher[string]            // unit removals (removeUnits)

	// noNAT makes bridges devbox creates skip outbound NAT (tests: test
	// traffic never leaves the machine).
	noNAT bool
}

// NoNATEnv, set to 1, makes every bridge devbox creates skip outbound NAT
// (nat networks become host-only): for air-gapped machines and CI, where
// containers must reach nothing but the host.
const NoNATEnv = "DEVBOX_NO_NAT"

// New connects to the Incus server named by cfg.Remote: "" or "local" is
// the local unix socket, anything else a remote of the incus CLI's config
// ($INCUS_CONF, else ~/.config/incus), reached over HTTPS with its client
// certificate.
func New(ctx context.Context, cfg envfile.LXCConfig) (*Backend, error) {
	conf, confErr := loadCLIConfig()
	b := &Backend{remote: cfg.Remote, conf: conf, reloaded: map[string]time.Time{},
		noNAT: os.Getenv(NoNATEnv) == "1"}
	if b.remote == "" {
		b.remote = "local"
	}
	if b.remote == "local" {
		sock := socketPath()
		b.endpoint = "unix://" + sock
		c, err := incus.ConnectIncusUnixWithContext(ctx, "", nil)
		if err != nil {
			return nil, fmt.Errorf("lxc: cannot reach incusd at %s: %w; start it (incusd, or systemctl start incus) and run devbox doctor", sock, err)
		}
		b.c = c
		return b, nil
	}
	if conf == nil {
		return nil, fmt.Errorf("lxc: remote %q: cannot read the incus CLI config: %w; add it with: incus remote add %s https://HOST:8443", b.remote, confErr, b.remote)
	}
	r, ok := conf.Remotes[b.remote]
	if !ok {
		return nil, fmt.Errorf("lxc: remote %q is not in %s; add it with: incus remote add %s https://HOST:8443", b.remote, conf.ConfigPath("config.yml"), b.remote)
	}
	b.endpoint = r.Addr
	c, err := conf.GetInstanceServer(b.remote)
	if err != nil {
		return nil, fmt.Errorf("lxc: cannot reach incus remote %q at %s: %w; check it with: incus info %s:", b.remote, r.Addr, err, b.remote)
	}
	srv, _, err := c.GetServer()
	if err != nil {
		return nil, fmt.Errorf("lxc: cannot reach incus remote %q at %s: %w; check it with: incus info %s:", b.remote, r.Addr, err, b.remote)
	}
	if srv.Auth != "trusted" {
		return nil, fmt.Errorf("lxc: incus remote %q at %s does not trust this client's certificate (%s); on the server run: incus config trust add-certificate %s",
			b.remote, r.Addr, conf.ConfigPath("client.crt"), conf.ConfigPath("client.crt"))
	}
	b.c = c
	return b, nil
}

// loadCLIConfig reads the incus CLI's config.yml the way the CLI does.
func loadCLIConfig() (*cliconfig.Config, error) {
	dir := os.Getenv("INCUS_CONF")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(home, ".config", "incus")
	}
	path := filepath.Join(dir, "config.yml")
	if _, err := os.Stat(path); err != nil {
		c := cliconfig.NewConfig(dir, true)
		return c, nil
	}
	return cliconfig.LoadConfig(path)
}

// socketPath is where the local incusd listens, as the incus client finds it.
func socketPath() string {
	if p := os.Getenv("INCUS_SOCKET"); p != "" {
		return p
	}
	dir := os.Getenv("INCUS_DIR")
	if dir == "" {
		dir = "/var/lib/incus"
	}
	return filepath.Join(dir, "unix.socket")
}

// Name is "lxc".
func (b *Backend) Name() string { return "lxc" }

// Endpoint is the server's address (unix:///var/lib/incus/unix.socket or https://…).
func (b *Backend) Endpoint() string { return b.endpoint }

// Close releases the connection.
func (b *Backend) Close() error {
	b.c.Disconnect()
	return nil
}

// Server returns the underlying Incus client, for tests and tools.
func (b *Backend) Server() incus.InstanceServer { return b.c }

func devboxVersion() string { return version.Version }

var _ engine.HostContainer = (*Backend)(nil)

// ServicesInHost: every service is a unit in the one instance, so
// deleting the instance removes them; destroy skips removing each first.
func (b *Backend) ServicesInHost() bool { return true }
