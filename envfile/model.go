package envfile

import (
	"encoding/json"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/devbox-dev/devbox/proxy"
)

// Environment is a parsed, evaluated and validated devbox.hcl. It is the
// normalised form every other package works from: paths are absolute,
// defaults are filled in, lists are in file order.
type Environment struct {
	// File is the absolute path of the devbox.hcl this came from; Dir its directory.
	File string `json:"file"`
	Dir  string `json:"dir"`

	Project string `json:"project"`
	Backend string `json:"backend"` // "lxc" or "docker"
	Image   string `json:"image"`   // engine-neutral name, e.g. "debian/12"

	LXC    LXCConfig    `json:"lxc"`
	Docker DockerConfig `json:"docker"`

	Networks []Network `json:"networks"`
	Mounts   []Mount   `json:"mounts"`
	Volumes  []Volume  `json:"volumes"`
	Services []Service `json:"services"`
	Tools    []Tool    `json:"tools"`

	// ActiveProfiles are the service profiles in effect (--profile,
	// DEVBOX_PROFILES), sorted; DisabledServices the services of the file
	// left out of Services because none of their profiles is active. up
	// keeps what exists of those; destroy removes it with the rest. (Not
	// lxc.profiles, which are Incus profiles.)
	ActiveProfiles   []string `json:"active_profiles"`
	DisabledServices []string `json:"disabled_services"`

	// Declared are the enabled services as the file declares them, before
	// ExpandReplicas turned each replicated one into its replicas in
	// Services (replicas.go); discovery and depends_on speak of these.
	Declared []Service `json:"-"`

	// What the file reaches on the host, for config and plan; no backend
	// hashes these. Sources are the values that came from env() and
	// file(), HostEnv the names (never the values) of the host variables
	// env() read, sorted, and Outside the paths outside the project
	// directory that the user allowed the file to use.
	Sources []Source  `json:"sources"`
	HostEnv []string  `json:"host_env"`
	Outside []Outside `json:"outside"`

	// Proxy is the HTTP proxy of devbox's own environment (http_proxy …),
	// for provisioning only: transport, so it is in no config hash, cache
	// key, built layer or service environment.
	Proxy proxy.Settings `json:"proxy,omitempty"`
}

// LXCConfig is the top-level lxc block.
type LXCConfig struct {
	Remote   string    `json:"remote"`   // incus CLI remote name; "local" by default
	Profiles []string  `json:"profiles"` // default ["default"]
	Limits   LXCLimits `json:"limits"`
}

// LXCLimits maps to limits.cpu / limits.memory on the instance.
type LXCLimits struct {
	CPU    int    `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

// DockerConfig is the top-level docker block.
type DockerConfig struct {
	Host string `json:"host,omitempty"` // empty: DOCKER_HOST / default socket
}

// Network modes.
const (
	NetworkNAT      = "nat"      // private bridge with outbound NAT
	NetworkIsolated = "isolated" // private bridge, no NAT
	NetworkBridged  = "bridged"  // attached to a host bridge or interface (parent)
)

// Network is a network block.
type Network struct {
	Name    string `json:"name"`
	Mode    string `json:"mode"`
	Parent  string `json:"parent,omitempty"`  // bridged only
	Subnet  string `json:"subnet,omitempty"`  // CIDR; empty: auto-picked
	Address string `json:"address,omitempty"` // optional static address of the environment

	Range hcl.Range `json:"-"`
}

// Mount is a bind mount of a host directory.
type Mount struct {
	Name     string `json:"name"`
	Source   string `json:"source"` // absolute, symlinks evaluated; inside the project unless allowed
	Target   string `json:"target"`
	ReadOnly bool   `json:"read_only,omitempty"`

	Range hcl.Range `json:"-"`
}

// Volume is a named volume that survives down and destroy.
type Volume struct {
	Name string `json:"name"`

	Range hcl.Range `json:"-"`
}

// Port is a port a service listens on, optionally forwarded to the host.
type Port struct {
	Name     string `json:"name"`
	Port     int    `json:"port"`              // inside the container
	Host     int    `json:"host,omitempty"`    // 0: not forwarded
	HostIP   string `json:"host_ip,omitempty"` // default 127.0.0.1 when Host != 0
	Protocol string `json:"protocol"`          // "tcp" (default) or "udp"

	Range hcl.Range `json:"-"`
}

// Health is a service's health check.
type Health struct {
	Command  []string `json:"command"`
	Interval Duration `json:"interval"` // default 2s
	Timeout  Duration `json:"timeout"`  // default 5s
	Retries  int      `json:"retries"`  // default 30
}

// ServiceDocker is the per-service docker override block.
type ServiceDocker struct {
	Image string `json:"image,omitempty"` // used as is, skipping packages/provision
}

// Service is one service block.
type Service struct {
	Name      string            `json:"name"`
	Packages  []string          `json:"packages,omitempty"`
	Provision []string          `json:"provision,omitempty"`
	Command   []string          `json:"command,omitempty"`
	User      string            `json:"user,omitempty"`
	Workdir   string            `json:"workdir,omitempty"`
	Env       map[string]string `json:"env,omitempty"`      // env_file values under the service's own env
	EnvFile   []string          `json:"env_file,omitempty"` // as written, relative to Dir; their values are in Env
	Profiles  []string          `json:"profiles,omitempty"` // service profiles; none: always enabled
	Ports     []Port            `json:"ports,omitempty"`
	Volumes   map[string]string `json:"volumes,omitempty"` // volume name -> target path
	Mounts    []string          `json:"mounts,omitempty"`  // mount names
	Networks  []string          `json:"networks,omitempty"`
	DependsOn []string          `json:"depends_on,omitempty"`
	Health    *Health           `json:"health,omitempty"`
	Restart   string            `json:"restart"` // "no", "always", "on-failure" (default), "unless-stopped"
	Systemd   bool              `json:"systemd,omitempty"`
	Docker    ServiceDocker     `json:"docker"`
	// Replicas is the file's replicas attribute (nil: not written, one
	// unindexed service). It is in no hash: scaling replaces nothing.
	Replicas *int `json:"-"`
	// ReplicaOf and Replica are set on the services ExpandReplicas makes of
	// a replicated one: "worker-2" is replica 2 of "worker".
	ReplicaOf string `json:"replica_of,omitempty"`
	Replica   int    `json:"replica,omitempty"`

	Range hcl.Range `json:"-"`
}

// Tool is a legacy program wrapped in a container and run from the host.
type Tool struct {
	Name      string            `json:"name"`
	Image     string            `json:"image"`              // default: the environment image
	Platform  string            `json:"platform,omitempty"` // e.g. "linux/386"
	Packages  []string          `json:"packages,omitempty"`
	Provision []string          `json:"provision,omitempty"`
	Command   []string          `json:"command"`
	Env       map[string]string `json:"env,omitempty"`
	PassEnv   []string          `json:"pass_env,omitempty"`

	Range hcl.Range `json:"-"`
}

// Service returns the service with the given name, or nil.
func (e *Environment) Service(name string) *Service {
	for i := range e.Services {
		if e.Services[i].Name == name {
			return &e.Services[i]
		}
	}
	return nil
}

// Tool returns the tool with the given name, or nil.
func (e *Environment) Tool(name string) *Tool {
	for i := range e.Tools {
		if e.Tools[i].Name == name {
			return &e.Tools[i]
		}
	}
	return nil
}

// Network returns the network with the given name, or nil.
func (e *Environment) Network(name string) *Network {
	for i := range e.Networks {
		if e.Networks[i].Name == name {
			return &e.Networks[i]
		}
	}
	return nil
}

// Mount returns the mount with the given name, or nil.
func (e *Environment) Mount(name string) *Mount {
	for i := range e.Mounts {
		if e.Mounts[i].Name == name {
			return &e.Mounts[i]
		}
	}
	return nil
}

// Duration is a time.Duration that reads and writes as "1s" in JSON.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// TCPPorts are the container ports of the service's TCP port blocks: what
// it listens on once it is up.
func (s *Service) TCPPorts() []int {
	var ports []int
	for _, p := range s.Ports {
		if p.Protocol == "" || p.Protocol == DefaultProtocol {
			ports = append(ports, p.Port)
		}
	}
	return ports
}
