package docker

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/go-connections/nat"

	"github.com/devbox-dev/devbox/discovery"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Health check defaults, as the envfile parser fills them.
const (
	defaultInterval = 2 * time.Second
	defaultTimeout  = 5 * time.Second
	defaultRetries  = 30
)

// containerSpec is everything ContainerCreate needs for one service.
type containerSpec struct {
	Name     string
	Config   *container.Config
	Host     *container.HostConfig
	Networks []string // Docker network names; the first is joined at create
	Aliases  []string // the names it answers to on each network
}

// Labels on a replica's container: the declared service and the index, so
// they are found without parsing names (docker ps --filter
// label=dev.devbox.replica-of=worker). In no hash.
const (
	LabelReplicaOf = "dev.devbox.replica-of"
	LabelReplica   = "dev.devbox.replica"
)

// aliases are the DNS names a service's container answers to: its own,
// and for a replica the declared service's too, which Docker's DNS then
// answers with every replica's address (round robin), as Compose's scale
// does. Discovery variables (WORKER_HOST=worker) name the service.
func aliases(s *envfile.Service) []string {
	if s.ReplicaOf == "" {
		return []string{s.Name}
	}
	return []string{s.ReplicaOf, s.Name}
}

// serviceEnv is what a service's container sees: the discovery variables
// for the other services, overlaid by its own env.
func serviceEnv(env *envfile.Environment, s *envfile.Service) []string {
	vars := discovery.Vars(env, s.Name, func(name string) string { return name })
	return discovery.List(discovery.Merge(vars, s.Env))
}

// buildSpec turns a service into container settings. img is the image to
// run (derived or as is); base is the image before provisioning, whose CMD
// is the default command.
func (b *Backend) buildSpec(env *envfile.Environment, s *envfile.Service, r engine.Resource, img string, base image.InspectResponse, info system.Info) (*containerSpec, error) {
	cfg := &container.Config{
		Image:        img,
		Hostname:     s.Name,
		User:         s.User,
		WorkingDir:   s.Workdir,
		Env:          serviceEnv(env, s),
		Labels:       b.labels(env.Project, engine.KindService, s.Name, r.Hash),
		ExposedPorts: nat.PortSet{},
	}
	hc := &container.HostConfig{
		PortBindings:  nat.PortMap{},
		RestartPolicy: restartPolicy(s.Restart),
	}
	switch {
	case len(s.Command) > 0:
		cfg.Cmd = s.Command
	case s.Systemd:
		cfg.Cmd = systemdCommand()
	case base.Config != nil && len(base.Config.Cmd) > 0:
		// The base image's, set explicitly: a cache image's CMD is its
		// last build step and must never run.
		cfg.Cmd = base.Config.Cmd
	case base.Config != nil && len(base.Config.Entrypoint) > 0:
		// the entrypoint runs alone
	default:
		// Imported images have no CMD: keep the container up so exec and
		// shell work, like an lxc system container.
		cfg.Cmd = []string{"sleep", "infinity"}
	}
	for _, p := range s.Ports {
		port, err := nat.NewPort(protocol(p), strconv.Itoa(p.Port))
		if err != nil {
			return nil, fmt.Errorf("docker: service %q: port %d: %w", s.Name, p.Port, err)
		}
		cfg.ExposedPorts[port] = struct{}{}
		if p.Host != 0 {
			hc.PortBindings[port] = append(hc.PortBindings[port], nat.PortBinding{HostIP: hostIP(p), HostPort: strconv.Itoa(p.Host)})
		}
	}
	if s.Health != nil && len(s.Health.Command) > 0 {
		cfg.Healthcheck = healthConfig(s.Health)
	}
	for _, name := range s.Mounts {
		m := env.Mount(name)
		if m == nil {
			return nil, fmt.Errorf("docker: service %q: mount %q is not declared", s.Name, name)
		}
		hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeBind, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	for _, v := range sortedKeys(s.Volumes) {
		hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeVolume, Source: VolumeName(env.Project, v), Target: s.Volumes[v]})
	}
	if s.Systemd {
		applySystemd(cfg, hc, info)
	} else {
		// A small init as PID 1 forwards signals and reaps zombies: a
		// program that installs no SIGTERM handler (most, as PID 1 ignores
		// it) still stops at once on down instead of after the timeout.
		init := true
		hc.Init = &init
	}
	cfg.Labels[LabelNetworks] = strings.Join(serviceNetworks(s), ",")
	if s.ReplicaOf != "" {
		cfg.Labels[LabelReplicaOf] = s.ReplicaOf
		cfg.Labels[LabelReplica] = strconv.Itoa(s.Replica)
	}
	if d := engine.FileDir(env); d != "" {
		cfg.Labels[LabelDir] = d // for devbox ls; in no hash
	}
	spec := &containerSpec{Name: ContainerName(env.Project, s.Name), Config: cfg, Host: hc, Aliases: aliases(s)}
	for _, n := range serviceNetworks(s) {
		spec.Networks = append(spec.Networks, NetworkName(env.Project, n))
	}
	return spec, nil
}

// endpoint is how a container joins a network: reachable by service name
// (and a replica by its own name too).
func (c *containerSpec) endpoint() *network.EndpointSettings {
	return &network.EndpointSettings{Aliases: append([]string(nil), c.Aliases...)}
}

func restartPolicy(r string) container.RestartPolicy {
	switch r {
	case "no":
		return container.RestartPolicy{Name: container.RestartPolicyDisabled}
	case "always":
		return container.RestartPolicy{Name: container.RestartPolicyAlways}
	case "unless-stopped":
		return container.RestartPolicy{Name: container.RestartPolicyUnlessStopped}
	default: // "on-failure", the default
		return container.RestartPolicy{Name: container.RestartPolicyOnFailure}
	}
}

// healthConfig is Docker's HEALTHCHECK for a health block: an exec check,
// or a shell check when the command is one string with spaces.
func healthConfig(h *envfile.Health) *container.HealthConfig {
	test := append([]string{"CMD"}, h.Command...)
	if len(h.Command) == 1 && strings.ContainsAny(h.Command[0], " |&;<>$") {
		test = []string{"CMD-SHELL", h.Command[0]}
	}
	return &container.HealthConfig{
		Test:     test,
		Interval: orDefault(h.Interval.D(), defaultInterval),
		Timeout:  orDefault(h.Timeout.D(), defaultTimeout),
		Retries:  healthRetries(h),
	}
}

func healthRetries(h *envfile.Health) int {
	if h.Retries <= 0 {
		return defaultRetries
	}
	return h.Retries
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// checkMounts fails when a bind mount source is missing: devbox never
// creates directories in the user's tree.
func checkMounts(env *envfile.Environment, s *envfile.Service) error {
	for _, name := range s.Mounts {
		m := env.Mount(name)
		if m == nil {
			return fmt.Errorf("docker: service %q: mount %q is not declared", s.Name, name)
		}
		if _, err := os.Stat(m.Source); err != nil {
			return fmt.Errorf("docker: service %q: mount %q: source %s does not exist; create it or fix the mount's source (devbox never creates it)", s.Name, name, m.Source)
		}
	}
	return nil
}
