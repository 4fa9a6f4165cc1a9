package discovery

import (
	"fmt"
	"sort"
	"strings"

	"github.com/devbox-dev/devbox/envfile"
)

// Prefix is the variable prefix for a service: upper case, '-' as '_',
// exactly as Docker derives it from a link alias.
func Prefix(service string) string {
	return strings.ReplaceAll(strings.ToUpper(service), "-", "_")
}

// Vars returns the variables service self sees: for every other service
// with ports, Docker's link variables with addr(service) as the address,
// and that service's env as <PREFIX>_ENV_<VAR>. On docker addr is the
// service name (resolved by the network's DNS), on lxc the shared
// namespace's loopback; either way the names are the same. Vars is Links
// and PeerEnv together; only Links belongs in self's config hash (doc.go).
func Vars(env *envfile.Environment, self string, addr func(service string) string) map[string]string {
	return Merge(Links(env, self, addr), PeerEnv(env, self))
}

// Links returns the part of Vars that says where the other services are:
// <PREFIX>_HOST, _NAME and the _PORT family. A change to it changes how
// self reaches them, so it is part of self's config hash.
func Links(env *envfile.Environment, self string, addr func(service string) string) map[string]string {
	return links(env, self, addr, func(string) bool { return true })
}

// links is Links for the other services that want says.
func links(env *envfile.Environment, self string, addr func(service string) string, want func(service string) bool) map[string]string {
	out := map[string]string{}
	self = group(env, self)
	decl := env.DeclaredServices()
	for i := range decl {
		s := &decl[i]
		if s.Name == self || len(s.Ports) == 0 || !want(s.Name) {
			continue
		}
		ports := make([]hostPort, 0, len(s.Ports))
		for _, p := range s.Ports {
			ports = append(ports, hostPort{proto: proto(p), port: p.Port})
		}
		link(out, s, "/"+self+"/"+s.Name, addr(s.Name), ports)
	}
	return out
}

// PeerEnv returns the part of Vars that copies the other services' env
// (<PREFIX>_ENV_<VAR>, for services with ports, as Docker's links did). It
// is delivered when self's container or unit is (re)created and is in no
// config hash: editing one service's env replaces that service only.
func PeerEnv(env *envfile.Environment, self string) map[string]string {
	out := map[string]string{}
	self = group(env, self)
	decl := env.DeclaredServices()
	for i := range decl {
		s := &decl[i]
		if s.Name == self || len(s.Ports) == 0 {
			continue
		}
		linkEnv(out, s)
	}
	return out
}

// ServiceEnv is the environment service s runs with: every discovery
// variable under its own env.
func ServiceEnv(env *envfile.Environment, s *envfile.Service, addr func(service string) string) map[string]string {
	return Merge(Vars(env, s.Name, addr), s.Env)
}

// HashedEnv is the part of ServiceEnv that belongs in s's config hash: its
// own env over HashedLinks, without the other services' env (PeerEnv).
func HashedEnv(env *envfile.Environment, s *envfile.Service, addr func(service string) string) map[string]string {
	return Merge(HashedLinks(env, s.Name, addr), s.Env)
}

// HashedLinks is the part of Links that belongs in self's config hash: the
// links to the services self depends on, directly or not. A change to
// where one of them is replaces self; a service added, removed or moved
// that self does not depend on replaces nothing (self gets its links when
// it is next created), as Compose recreates nothing for a new service.
func HashedLinks(env *envfile.Environment, self string, addr func(service string) string) map[string]string {
	deps := dependencies(env, self)
	return links(env, self, addr, func(s string) bool { return deps[s] })
}

// dependencies is the depends_on closure of self.
func dependencies(env *envfile.Environment, self string) map[string]bool {
	out := map[string]bool{}
	todo := []string{group(env, self)}
	for len(todo) > 0 {
		s := env.DeclaredService(todo[0])
		todo = todo[1:]
		if s == nil {
			continue
		}
		for _, d := range s.DependsOn {
			if !out[d] {
				out[d] = true
				todo = append(todo, d)
			}
		}
	}
	return out
}

// HostVars returns the variables as seen from the host: only forwarded
// ports, at their host address and port, so an app run on the host can use
// the environment the same way.
func HostVars(env *envfile.Environment) map[string]string {
	out := map[string]string{}
	decl := env.DeclaredServices()
	for i := range decl {
		s := &decl[i]
		var ports []hostPort
		ip := ""
		for _, p := range s.Ports {
			if p.Host == 0 {
				continue
			}
			if ip == "" {
				ip = hostIP(p)
			}
			ports = append(ports, hostPort{proto: proto(p), port: p.Host})
		}
		if len(ports) == 0 {
			continue
		}
		link(out, s, "/host/"+s.Name, ip, ports)
		linkEnv(out, s)
	}
	return out
}

type hostPort struct {
	proto string
	port  int
}

func link(out map[string]string, s *envfile.Service, name, addr string, ports []hostPort) {
	pre := Prefix(s.Name)
	// Docker sorts TCP first, then by number; the first is <ALIAS>_PORT.
	sort.SliceStable(ports, func(i, j int) bool {
		if ports[i].proto != ports[j].proto {
			return ports[i].proto == "tcp"
		}
		return ports[i].port < ports[j].port
	})
	out[pre+"_HOST"] = addr
	out[pre+"_NAME"] = name
	out[pre+"_PORT"] = fmt.Sprintf("%s://%s:%d", ports[0].proto, addr, ports[0].port)
	for _, p := range ports {
		key := fmt.Sprintf("%s_PORT_%d_%s", pre, p.port, strings.ToUpper(p.proto))
		out[key] = fmt.Sprintf("%s://%s:%d", p.proto, addr, p.port)
		out[key+"_ADDR"] = addr
		out[key+"_PORT"] = fmt.Sprint(p.port)
		out[key+"_PROTO"] = p.proto
	}
}

// linkEnv adds s's env as <PREFIX>_ENV_<VAR>.
func linkEnv(out map[string]string, s *envfile.Service) {
	pre := Prefix(s.Name)
	for k, v := range s.Env {
		if k == "HOME" || k == "PATH" {
			continue // Docker leaves these out too
		}
		out[pre+"_ENV_"+k] = v
	}
}

func proto(p envfile.Port) string {
	if p.Protocol == "" {
		return "tcp"
	}
	return p.Protocol
}

func hostIP(p envfile.Port) string {
	if p.HostIP == "" || p.HostIP == "0.0.0.0" {
		return "127.0.0.1"
	}
	return p.HostIP
}

// Merge returns the service's own env laid over the discovery variables:
// a service's explicit setting always wins.
func Merge(discovered, own map[string]string) map[string]string {
	out := make(map[string]string, len(discovered)+len(own))
	for k, v := range discovered {
		out[k] = v
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

// List renders env as sorted KEY=VALUE lines, the form engines take.
func List(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// group is the declared service a service name runs (a replica's, or the
// name itself): discovery speaks of declared services only, so a
// replicated service's variables name the service (its DNS name on
// docker), never one replica, and scaling changes no one's variables.
func group(env *envfile.Environment, name string) string {
	if s := env.Service(name); s != nil {
		return s.Group()
	}
	return name
}
