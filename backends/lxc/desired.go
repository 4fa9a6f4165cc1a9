package lxc

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/devbox-dev/devbox/discovery"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// hostSpec is everything that shapes the instance: a change to any of it
// rebuilds the instance. It is also what Create turns into devices.
type hostSpec struct {
	Image    string            `json:"image"`
	Profiles []string          `json:"profiles"`
	Limits   envfile.LXCLimits `json:"limits"`
	Packages []string          `json:"packages"`
	Steps    []string          `json:"steps"`
	Networks []envfile.Network `json:"networks"`
	Mounts   []envfile.Mount   `json:"mounts"`
	Volumes  []volMount        `json:"volumes"`
	// Ports are applied live (portsync.go): in the services' hashes, not
	// the instance's.
	Ports []portForward `json:"-"`

	// BaseFP is the resolved base image's fingerprint, known only at
	// create time: recorded on cache layers, in no hash.
	BaseFP string `json:"-"`
}

type volMount struct {
	Volume string `json:"volume"`
	Path   string `json:"path"`
}

type portForward struct {
	Service string `json:"service"`
	Proto   string `json:"proto"`
	HostIP  string `json:"host_ip"`
	Host    int    `json:"host"`
	Port    int    `json:"port"`
}

func (p portForward) String() string {
	return fmt.Sprintf("%s:%d->%d/%s", p.HostIP, p.Host, p.Port, p.Proto)
}

// specOf derives the host spec from env. Packages are the sorted union of
// every service's; steps are every service's provision steps in file order.
// Both, and the volumes, come from the declared services, so a replicated
// service counts once however many replicas run (none included): scaling
// never rebuilds the instance.
func specOf(env *envfile.Environment) (hostSpec, error) {
	s := hostSpec{Image: env.Image, Profiles: env.LXC.Profiles, Limits: env.LXC.Limits, Mounts: env.Mounts}
	if len(s.Profiles) == 0 {
		s.Profiles = []string{"default"}
	}
	if err := replicaPorts(env); err != nil {
		return s, err
	}
	pk := map[string]bool{}
	type portKey struct {
		proto string
		port  int
	}
	ports := map[portKey]string{}
	vols := map[volMount]bool{}
	decl := env.DeclaredServices()
	for i := range decl {
		svc := &decl[i]
		for _, p := range svc.Packages {
			pk[p] = true
		}
		s.Steps = append(s.Steps, svc.Provision...)
		for _, p := range svc.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = "tcp"
			}
			k := portKey{proto, p.Port}
			if other, ok := ports[k]; ok {
				return s, fmt.Errorf("lxc: services %q and %q both listen on %d/%s; on lxc all services share one network namespace, so give one of them another port", other, svc.Name, p.Port, proto)
			}
			ports[k] = svc.Name
		}
		names := make([]string, 0, len(svc.Volumes))
		for v := range svc.Volumes {
			names = append(names, v)
		}
		sort.Strings(names)
		for _, v := range names {
			vm := volMount{Volume: v, Path: svc.Volumes[v]}
			if !vols[vm] {
				vols[vm] = true
				s.Volumes = append(s.Volumes, vm)
			}
		}
	}
	// Forwards are the running services' (a replica's under its own name),
	// applied live (portsync.go).
	hostPorts := map[string]string{}
	for i := range env.Services {
		for _, f := range forwards(&env.Services[i]) {
			hk := fmt.Sprintf("%s:%d/%s", f.HostIP, f.Host, f.Proto)
			if other, ok := hostPorts[hk]; ok {
				return s, fmt.Errorf("lxc: services %q and %q both forward host port %s", other, f.Service, hk)
			}
			hostPorts[hk] = f.Service
			s.Ports = append(s.Ports, f)
		}
	}
	for p := range pk {
		s.Packages = append(s.Packages, p)
	}
	sort.Strings(s.Packages)
	s.Networks = append(s.Networks, networks(env)...)
	return s, nil
}

// replicaPorts fails for a service whose replicas (more than one) would
// all listen on a fixed port: they share the instance's network namespace,
// so only one could bind it. It runs before the check of two services on
// one port, which would name two replicas of one service instead.
func replicaPorts(env *envfile.Environment) error {
	for _, svc := range env.DeclaredServices() {
		n := env.ReplicaCount(svc.Name)
		if len(svc.Ports) == 0 || n <= 1 {
			continue
		}
		p := svc.Ports[0]
		return fmt.Errorf("lxc: service %q: its %d replicas share the instance's network, so they cannot all listen on port %d; "+
			"drop the port block and have the command listen on $%s (each replica gets a free port of its own), or run it with backend = \"docker\"",
			svc.Name, n, p.Port, envfile.EnvPort)
	}
	return nil
}

// Desired turns env into resources: networks and volumes, the one host
// (the instance), and a service (a systemd unit) per service. It is pure.
func (b *Backend) Desired(env *envfile.Environment) ([]engine.Resource, error) {
	return Desired(env)
}

// Desired is Backend.Desired without a backend, for tests and plans.
func Desired(env *envfile.Environment) ([]engine.Resource, error) {
	spec, err := specOf(env)
	if err != nil {
		return nil, err
	}
	var out []engine.Resource
	host := engine.Resource{Kind: engine.KindHost, Name: InstanceName(env.Project), Hash: engine.Hash("host", spec)}
	for _, n := range networks(env) {
		r := engine.Resource{Kind: engine.KindNetwork, Name: n.Name, Hash: networkHash(n)}
		out = append(out, r)
		host.Needs = append(host.Needs, r.Ref())
	}
	for _, v := range env.Volumes {
		r := engine.Resource{Kind: engine.KindVolume, Name: v.Name, Hash: engine.Hash("volume", v.Name)}
		out = append(out, r)
		host.Needs = append(host.Needs, r.Ref())
	}
	out = append(out, host)
	for i := range env.Services {
		svc := &env.Services[i]
		r := engine.Resource{Kind: engine.KindService, Name: svc.Name, Hash: serviceHash(env, svc), Needs: []engine.Ref{host.Ref()}}
		for _, d := range svc.DependsOn {
			// A replicated dependency is all of its replicas.
			for _, m := range env.Members(d) {
				r.After = append(r.After, engine.Ref{Kind: engine.KindService, Name: m})
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// DefaultNetwork is the network of a file that declares none, as on
// docker: without it the instance would have only lo (the default profile
// has no NIC), no address and no way out.
const DefaultNetwork = "default"

// networks is env's networks, or the implicit default (nat) when it
// declares none.
func networks(env *envfile.Environment) []envfile.Network {
	if len(env.Networks) > 0 {
		return env.Networks
	}
	return []envfile.Network{{Name: DefaultNetwork, Mode: envfile.NetworkNAT}}
}

// network is the network named name of networks(env), or nil.
func network(env *envfile.Environment, name string) *envfile.Network {
	for _, n := range networks(env) {
		if n.Name == name {
			return &n
		}
	}
	return nil
}

// networkHash covers what the Incus network is made from. Address is per
// instance (a NIC setting) and lives in the host hash.
func networkHash(n envfile.Network) string {
	return engine.Hash("network", n.Mode, n.Parent, n.Subnet)
}

// serviceEnv is the environment of a service's unit: discovery variables
// (every service name resolves inside the instance, as on docker) under
// the service's own env.
func serviceEnv(env *envfile.Environment, svc *envfile.Service) map[string]string {
	return discovery.ServiceEnv(env, svc, byName)
}

// serviceHash covers the unit file (command, user, workdir, env with
// discovery Links, restart, depends_on) and the health check. The unit is
// hashed as rendered without the other services' env (DB_ENV_…), which the
// written unit carries as of its (re)creation: editing one service's env
// replaces that service's unit only (package discovery says why). Where no
// other service has env the text, and so the hash, is what it always was.
func serviceHash(env *envfile.Environment, svc *envfile.Service) string {
	unit := renderUnit(svc, discovery.HashedEnv(env, svc, byName))
	if fwd := forwards(svc); len(fwd) > 0 {
		// Its forwards too: they are applied when it is created.
		return engine.Hash("unit", unit, svc.Health, svc.Systemd, fwd)
	}
	return engine.Hash("unit", unit, svc.Health, svc.Systemd)
}

// forwards are svc's forwarded ports as specOf makes them.
func forwards(svc *envfile.Service) []portForward {
	var out []portForward
	for _, p := range svc.Ports {
		if p.Host == 0 {
			continue
		}
		f := portForward{Service: svc.Name, Proto: p.Protocol, HostIP: p.HostIP, Host: p.Host, Port: p.Port}
		if f.Proto == "" {
			f.Proto = "tcp"
		}
		if f.HostIP == "" {
			f.HostIP = "127.0.0.1"
		}
		out = append(out, f)
	}
	return out
}

// byName is the discovery address of a service on lxc: its name, which
// /etc/hosts maps to the shared namespace's loopback.
func byName(service string) string { return service }

func itoa(n int) string { return strconv.Itoa(n) }
