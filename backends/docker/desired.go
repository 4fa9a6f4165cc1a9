package docker

import (
	"fmt"
	"sort"

	"github.com/devbox-dev/devbox/discovery"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/images"
)

// volumeHash is constant: a volume is never replaced (that would lose its
// data); it only exists or not.
const volumeHash = "volume-v1"

// Desired turns env into the resources this backend creates: the networks
// services use (plus the default network when a service has none), every
// declared volume, and one container per service. It does no I/O.
func (b *Backend) Desired(env *envfile.Environment) ([]engine.Resource, error) {
	return Desired(env)
}

// Desired is the pure function behind Backend.Desired.
func Desired(env *envfile.Environment) ([]engine.Resource, error) {
	var out []engine.Resource
	for _, n := range usedNetworks(env) {
		spec, err := networkSpec(env, n)
		if err != nil {
			return nil, err
		}
		out = append(out, engine.Resource{Kind: engine.KindNetwork, Name: n, Hash: networkHash(env, spec)})
	}
	for _, v := range env.Volumes {
		out = append(out, engine.Resource{Kind: engine.KindVolume, Name: v.Name, Hash: volumeHash})
	}
	for i := range env.Services {
		s := &env.Services[i]
		h, err := serviceHash(env, s)
		if err != nil {
			return nil, err
		}
		r := engine.Resource{Kind: engine.KindService, Name: s.Name, Hash: h}
		for _, n := range serviceNetworks(s) {
			r.Needs = append(r.Needs, engine.Ref{Kind: engine.KindNetwork, Name: n})
		}
		for _, v := range sortedKeys(s.Volumes) {
			r.Needs = append(r.Needs, engine.Ref{Kind: engine.KindVolume, Name: v})
		}
		// depends_on names declared services; one that is replicated
		// means all of its replicas.
		for _, d := range s.DependsOn {
			for _, m := range env.Members(d) {
				r.After = append(r.After, engine.Ref{Kind: engine.KindService, Name: m})
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// serviceNetworks is the service's networks, or the default one.
func serviceNetworks(s *envfile.Service) []string {
	if len(s.Networks) == 0 {
		return []string{DefaultNetwork}
	}
	return s.Networks
}

// usedNetworks lists, sorted, the networks some declared service joins.
// Declared, not expanded: a network stays while its only service is
// scaled to 0, so scaling never creates or removes a network.
func usedNetworks(env *envfile.Environment) []string {
	seen := map[string]bool{}
	var out []string
	decl := env.DeclaredServices()
	for i := range decl {
		for _, n := range serviceNetworks(&decl[i]) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// networkSpec is the declared network, or the implicit default (nat).
func networkSpec(env *envfile.Environment, name string) (envfile.Network, error) {
	if n := env.Network(name); n != nil {
		return *n, nil
	}
	if name == DefaultNetwork {
		return envfile.Network{Name: DefaultNetwork, Mode: envfile.NetworkNAT}, nil
	}
	return envfile.Network{}, fmt.Errorf("docker: network %q is used by a service but not declared", name)
}

func networkHash(env *envfile.Environment, n envfile.Network) string {
	mode := n.Mode
	if mode == "" {
		mode = envfile.NetworkNAT
	}
	return engine.Hash("network", mode, n.Parent, n.Subnet, internal(env, n))
}

// internal reports whether a network is made with Docker's Internal flag:
// isolated networks are, unless a service on them forwards a host port —
// Docker publishes no ports on internal networks, so such a network is a
// bridge with IP masquerading off instead (still no NAT, so no way out).
// The declared services decide, so scaling one to 0 does not change the
// network's hash (and with it every container on it).
func internal(env *envfile.Environment, n envfile.Network) bool {
	if n.Mode != envfile.NetworkIsolated {
		return false
	}
	decl := env.DeclaredServices()
	for i := range decl {
		s := &decl[i]
		if !contains(serviceNetworks(s), n.Name) {
			continue
		}
		for _, p := range s.Ports {
			if p.Host != 0 {
				return false
			}
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// serviceImage is the image a service's container starts from before
// packages and provision: the docker override, or the environment image.
func serviceImage(env *envfile.Environment, s *envfile.Service) string {
	if s.Docker.Image != "" {
		return s.Docker.Image
	}
	return images.Docker(env.Image)
}

// needsBuild reports whether the service gets a derived image.
func needsBuild(s *envfile.Service) bool {
	return s.Docker.Image == "" && (len(s.Packages) > 0 || len(s.Provision) > 0)
}

// hashedMount is what of a mount goes into a service's hash.
type hashedMount struct {
	Source, Target string
	ReadOnly       bool
}

// serviceHash covers everything that shapes the container: the service
// block, the resolved image, its mounts, the networks' Docker names and
// config, and the discovery links to the services it depends on (so a
// change to a dependency's name or ports replaces its dependants). The
// other links and the other services' env (DB_ENV_…) are left out: they
// are delivered when the container is created, and editing or adding one
// service replaces that one only (package discovery says why).
func serviceHash(env *envfile.Environment, s *envfile.Service) (string, error) {
	var mounts []hashedMount
	for _, m := range s.Mounts {
		mt := env.Mount(m)
		if mt == nil {
			return "", fmt.Errorf("docker: service %q: mount %q is not declared", s.Name, m)
		}
		mounts = append(mounts, hashedMount{mt.Source, mt.Target, mt.ReadOnly})
	}
	var nets []string
	for _, n := range serviceNetworks(s) {
		spec, err := networkSpec(env, n)
		if err != nil {
			return "", fmt.Errorf("docker: service %q: %w", s.Name, err)
		}
		nets = append(nets, NetworkName(env.Project, n)+"="+networkHash(env, spec))
	}
	for v := range s.Volumes {
		if !hasVolume(env, v) {
			return "", fmt.Errorf("docker: service %q: volume %q is not declared", s.Name, v)
		}
	}
	// The tag stays service-v1: where no other service has env, the hash is
	// what it was, so an upgrade replaces nothing that did not change.
	links := discovery.HashedLinks(env, s.Name, byName)
	// Which files the env came from, and the profiles that enable the
	// service, do not shape the container: its env (values) does. Nor does
	// the file's replicas count: a replica is the same container whatever
	// the count (its name, index and DEVBOX_PORT are in the hash).
	hs := *s
	hs.EnvFile, hs.Profiles, hs.Replicas = nil, nil, nil
	return engine.Hash("service-v1", &hs, serviceImage(env, s), mounts, nets, links), nil
}

// byName is the discovery address of a service on docker: its name,
// answered by the network's DNS.
func byName(service string) string { return service }

func hasVolume(env *envfile.Environment, name string) bool {
	for _, v := range env.Volumes {
		if v.Name == name {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
