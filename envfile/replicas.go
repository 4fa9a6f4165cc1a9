package envfile

import (
	"fmt"
	"hash/fnv"
	"maps"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Replicas: `replicas = N` (or `devbox scale`) runs N identical copies of a
// service. ExpandReplicas turns such a service into N services named
// "<service>-<i>" (i from 1), each with ReplicaOf, Replica, and two
// variables in its env: DEVBOX_REPLICA (i) and DEVBOX_PORT, a port of its
// own that no other service of the file uses — the same on both engines,
// so one command line works on both (on lxc the replicas share the
// instance's network, so they cannot all listen on one fixed port). A
// service without replicas in the file and no scale stays one service
// under its own name, as before.
const (
	// MaxReplicas bounds a service's replicas (a DEVBOX_PORT block holds
	// this many).
	MaxReplicas = 99
	// Each service gets a block of 100 ports from replicaPortBase, picked
	// by a hash of its name and moved on past a block another service (in
	// name order) or a declared port already holds.
	replicaPortBase   = 20000
	replicaPortBlocks = 300
)

// Replica variables in a replica's environment.
const (
	EnvReplica = "DEVBOX_REPLICA"
	EnvPort    = "DEVBOX_PORT"
)

// ReplicaName is the name of replica i of service.
func ReplicaName(service string, i int) string { return service + "-" + strconv.Itoa(i) }

// ParseReplica splits a replica name ("worker-2") into the service's name
// and the index; ok is false for a name not of the form NAME-N, N ≥ 1.
func ParseReplica(name string) (service string, index int, ok bool) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return name[:i], n, true
}

// Group is the declared service s belongs to: ReplicaOf for a replica,
// else its own name.
func (s *Service) Group() string {
	if s.ReplicaOf != "" {
		return s.ReplicaOf
	}
	return s.Name
}

// DeclaredServices are the services as the file declares them (one per
// replicated service), whether or not ExpandReplicas ran.
func (e *Environment) DeclaredServices() []Service {
	if e.Declared != nil {
		return e.Declared
	}
	return e.Services
}

// Declared service by name, or nil.
func (e *Environment) DeclaredService(name string) *Service {
	ds := e.DeclaredServices()
	for i := range ds {
		if ds[i].Name == name {
			return &ds[i]
		}
	}
	return nil
}

// Members are the services that run declared service name: its replicas
// in index order, or the service itself; nil when name is no declared
// service. depends_on names a declared service: it means all of these.
func (e *Environment) Members(name string) []string {
	if e.DeclaredService(name) == nil {
		return nil
	}
	out := []string{}
	for i := range e.Services {
		if s := &e.Services[i]; s.Name == name || s.ReplicaOf == name {
			out = append(out, s.Name)
		}
	}
	return out
}

// ReplicaCount is how many replicas of declared service name run in
// Services (1 for a service that is not replicated).
func (e *Environment) ReplicaCount(name string) int { return len(e.Members(name)) }

// Replicated reports whether declared service s runs as indexed replicas:
// the file gives it replicas, or counts (scale) does.
func replicated(s *Service, counts map[string]int) (int, bool) {
	if n, ok := counts[s.Name]; ok {
		return n, true
	}
	if s.Replicas != nil {
		return *s.Replicas, true
	}
	return 1, false
}

// ExpandReplicas rebuilds Services from the declared services, each
// replicated one (file replicas, or counts — `devbox scale` — which win)
// as its replicas. It is pure and may run again with other counts. A
// count above 1 for a service that forwards a fixed host port is an
// error: only one replica could have it.
func (e *Environment) ExpandReplicas(counts map[string]int) error {
	decl := e.DeclaredServices()
	ports := replicaPorts(decl)
	names := map[string]bool{}
	for i := range decl {
		names[decl[i].Name] = true
	}
	var out []Service
	any := false
	for i := range decl {
		s := &decl[i]
		n, ok := replicated(s, counts)
		if !ok {
			out = append(out, *s)
			continue
		}
		any = true
		if n < 0 || n > MaxReplicas {
			return fmt.Errorf("service %q: %d replicas: want 0 to %d", s.Name, n, MaxReplicas)
		}
		if p := fixedHostPort(s); n > 1 && p != nil {
			return fmt.Errorf("service %q: %d replicas cannot all forward host port %d (only one could have it); "+
				"forward a port of the service in front of them instead, or drop host = %d: the replicas answer by name (%s)",
				s.Name, n, p.Host, p.Host, ReplicaName(s.Name, 1))
		}
		for r := 1; r <= n; r++ {
			rs := *s
			rs.Name, rs.ReplicaOf, rs.Replica = ReplicaName(s.Name, r), s.Name, r
			if names[rs.Name] {
				return fmt.Errorf("service %q: its replica %d would be named %q, which another service has; rename one of them", s.Name, r, rs.Name)
			}
			rs.Env = maps.Clone(s.Env)
			if rs.Env == nil {
				rs.Env = map[string]string{}
			}
			rs.Env[EnvReplica] = strconv.Itoa(r)
			rs.Env[EnvPort] = strconv.Itoa(ports[s.Name] + r)
			out = append(out, rs)
		}
	}
	if !any {
		e.Declared, e.Services = nil, decl
		return nil
	}
	if out == nil {
		out = []Service{}
	}
	e.Declared, e.Services = decl, out
	return nil
}

// fixedHostPort is the first port s forwards to the host, or nil.
func fixedHostPort(s *Service) *Port {
	for i := range s.Ports {
		if s.Ports[i].Host != 0 {
			return &s.Ports[i]
		}
	}
	return nil
}

// replicaPorts gives each declared service the base of its DEVBOX_PORT
// block (replica i gets base+i).
func replicaPorts(decl []Service) map[string]int {
	taken := map[int]bool{} // blocks
	for i := range decl {
		for _, p := range decl[i].Ports {
			if p.Port >= replicaPortBase {
				taken[(p.Port-replicaPortBase)/100] = true
			}
		}
	}
	// Every declared service holds a block, replicated or not, so that
	// scaling one (or making it replicated) moves no other's ports: they
	// depend only on which services the file declares.
	names := make([]string, 0, len(decl))
	for i := range decl {
		names = append(names, decl[i].Name)
	}
	sort.Strings(names)
	out := map[string]int{}
	for _, n := range names {
		h := fnv.New32a()
		h.Write([]byte(n))
		b := int(h.Sum32() % replicaPortBlocks)
		for taken[b] {
			b = (b + 1) % replicaPortBlocks
		}
		taken[b] = true
		out[n] = replicaPortBase + 100*b
	}
	return out
}

// replicas decodes a service's replicas attribute.
func (p *parser) replicas(a *hcl.Attribute) *int {
	n, ok := p.integer(a)
	if !ok {
		return nil
	}
	if n < 0 || n > MaxReplicas {
		p.errorf(a.Expr.Range(), "Invalid replicas", "replicas must be 0 to %d, got %d.", MaxReplicas, n)
		return nil
	}
	return &n
}

// checkReplicaPorts: several replicas cannot share one forwarded host port.
func (p *parser) checkReplicaPorts(s *Service, src []portSrc) {
	if s.Replicas == nil || *s.Replicas <= 1 {
		return
	}
	if p.env.Backend == "lxc" && len(s.Ports) > 0 {
		p.errorf(src[0].port, "Replicas share one network on lxc",
			"Service %q has replicas = %d, but on lxc every service runs in the one instance, so its replicas cannot all listen on port %d. Drop the port block and have the command listen on $DEVBOX_PORT (each replica gets a free port of its own there, on docker too), e.g. command = [\"sh\", \"-c\", \"exec server --port $DEVBOX_PORT\"]; or run the project with backend = \"docker\".",
			s.Name, *s.Replicas, s.Ports[0].Port)
		return
	}
	for i, pt := range s.Ports {
		if pt.Host == 0 {
			continue
		}
		p.errorf(src[i].host, "Replicas share a host port",
			"Service %q has replicas = %d, but only one of them could forward host port %d. Forward a port of the service in front of them (a router or proxy) instead, or drop host: the replicas answer by name (%s, …) and by the service's name.",
			s.Name, *s.Replicas, pt.Host, ReplicaName(s.Name, 1))
		return
	}
}

// expandDeclared is ExpandReplicas at decode: an error (a replica's name
// taken by another service) is a diagnostic at the replicated service.
func (p *parser) expandDeclared() {
	err := p.env.ExpandReplicas(nil)
	if err == nil {
		return
	}
	rng := hcl.Range{}
	for _, s := range p.env.DeclaredServices() {
		if s.Replicas != nil {
			rng = s.Range
			break
		}
	}
	p.errorf(rng, "Invalid replicas", "%s", err)
}

// replicaOf is the declared service a replica name ("worker-2") is one
// of, or nil: names on the command line may name replicas, which exist
// only once the file is expanded.
func replicaOf(env *Environment, name string) *Service {
	if group, _, ok := ParseReplica(name); ok {
		return env.Service(group)
	}
	return nil
}

// NotAService says why name, which e.Service does not find, is no one
// service: a replicated service's declared name stands for its replicas,
// and a backend's verbs take one of those (the command line resolves the
// declared name first).
func (e *Environment) NotAService(name string) error {
	if e.DeclaredService(name) == nil {
		return fmt.Errorf("no service %q in the environment", name)
	}
	if m := e.Members(name); len(m) > 0 {
		return fmt.Errorf("service %q runs as replicas %s: name one", name, strings.Join(m, ", "))
	}
	return fmt.Errorf("service %q has no replicas (scaled to 0; devbox scale %s=1 starts one)", name, name)
}
