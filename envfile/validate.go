package envfile

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// validate runs the checks that span blocks: references between blocks,
// dependency cycles and port clashes.
func (p *parser) validate() {
	env := p.env
	declared := func(names []string) map[string]bool {
		m := make(map[string]bool, len(names))
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	var netNames, mountNames, volNames, svcNames []string
	for _, n := range env.Networks {
		netNames = append(netNames, n.Name)
	}
	for _, m := range env.Mounts {
		mountNames = append(mountNames, m.Name)
	}
	for _, v := range env.Volumes {
		volNames = append(volNames, v.Name)
	}
	for _, s := range env.Services {
		svcNames = append(svcNames, s.Name)
	}
	nets, mounts, vols, svcs := declared(netNames), declared(mountNames), declared(volNames), declared(svcNames)

	for i, s := range env.Services {
		src := &p.services[i]
		p.refs(src.networks, "network", nets, netNames)
		p.refs(src.mounts, "mount", mounts, mountNames)
		keys := make([]item, len(src.volumes))
		for j, e := range src.volumes {
			keys[j] = item{e.key, e.keyRng}
		}
		p.refs(keys, "volume", vols, volNames)
		var deps []item
		for _, d := range src.dependsOn {
			if d.val == s.Name {
				p.errorf(d.rng, "Service depends on itself",
					"Service %q lists itself in depends_on; remove %q from the list.", s.Name, d.val)
				continue
			}
			deps = append(deps, d)
		}
		p.refs(deps, "service", svcs, svcNames)
	}
	p.cycles()
	p.ports()
	p.engineNames()
}

// refs reports references to undeclared names and repeated references.
func (p *parser) refs(items []item, kind string, known map[string]bool, names []string) {
	seen := map[string]hcl.Range{}
	for _, it := range items {
		if prev, dup := seen[it.val]; dup {
			p.errorf(it.rng, "Duplicate "+kind+" reference", "%s %q is already listed at %s; remove one of them.", kind, it.val, prev)
			continue
		}
		seen[it.val] = it.rng
		if known[it.val] {
			continue
		}
		summary := "Unknown " + kind
		if kind == "service" {
			summary = "Unknown service in depends_on"
		}
		p.errorf(it.rng, summary, "No %s named %q is declared. %s", kind, it.val, suggest(kind, it.val, names))
	}
}

// suggest tells the user what names exist, leading with the closest match.
func suggest(kind, name string, names []string) string {
	if len(names) == 0 {
		return fmt.Sprintf("Declare it with a %s %q { ... } block.", kind, name)
	}
	best, bestDist := "", len(name)/3+2
	for _, n := range names {
		if d := levenshtein(name, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	list := fmt.Sprintf("Declared %ss: %s.", kind, strings.Join(names, ", "))
	if len(names) > 10 {
		list = fmt.Sprintf("%d %ss are declared.", len(names), kind)
	}
	if best != "" {
		return fmt.Sprintf("Did you mean %q? %s", best, list)
	}
	return fmt.Sprintf("Declare it with a %s block or fix the name. %s", kind, list)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// cycles reports each dependency cycle once, at the depends_on element
// that closes it, with the path "a -> b -> a".
func (p *parser) cycles() {
	index := map[string]int{}
	for i, s := range p.env.Services {
		if _, dup := index[s.Name]; !dup {
			index[s.Name] = i
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(p.env.Services))
	var stack []int
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		stack = append(stack, i)
		for _, d := range p.services[i].dependsOn {
			j, ok := index[d.val]
			if !ok || j == i {
				continue // unknown or self: reported by validate
			}
			switch color[j] {
			case white:
				visit(j)
			case grey:
				var path []string
				for k := len(stack) - 1; k >= 0; k-- {
					if stack[k] == j {
						for _, n := range stack[k:] {
							path = append(path, p.env.Services[n].Name)
						}
						break
					}
				}
				path = append(path, d.val)
				p.errorf(d.rng, "Dependency cycle", "Services depend on each other in a cycle: %s. Remove one of these depends_on entries.",
					strings.Join(path, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
	}
	for i := range p.env.Services {
		if color[i] == white {
			visit(i)
		}
	}
}

// portUse is a port already claimed by a service.
type portUse struct {
	svc, port string
	ip        netip.Addr
	rng       hcl.Range
}

// ports reports host ports forwarded twice and, on lxc, container ports
// that two services listen on.
func (p *parser) ports() {
	hostPorts := map[string][]portUse{}
	ctrPorts := map[string]portUse{}
	for i, s := range p.env.Services {
		own := map[string]bool{}
		for j, pt := range s.Ports {
			src := p.services[i].ports[j]
			if pt.Host > 0 {
				key := fmt.Sprintf("%s/%d", pt.Protocol, pt.Host)
				ip, _ := netip.ParseAddr(pt.HostIP)
				for _, u := range hostPorts[key] {
					if u.ip == ip || u.ip.IsUnspecified() || ip.IsUnspecified() {
						p.errorf(src.host, "Duplicate host port",
							"Host port %s %s:%d is already forwarded by service %q port %q at %s; pick another host port.",
							pt.Protocol, pt.HostIP, pt.Host, u.svc, u.port, u.rng)
						break
					}
				}
				hostPorts[key] = append(hostPorts[key], portUse{s.Name, pt.Name, ip, src.host})
			}
			if p.env.Backend != "lxc" || pt.Port < 1 {
				continue
			}
			key := fmt.Sprintf("%s/%d", pt.Protocol, pt.Port)
			if u, taken := ctrPorts[key]; taken && !own[key] {
				p.errorf(src.port, "Port already used by another service",
					"Service %q already listens on %s port %d (at %s). With the lxc backend all services share one "+
						"network namespace, so change one of the ports; the docker backend allows this.",
					u.svc, pt.Protocol, pt.Port, u.rng)
			} else if !taken {
				ctrPorts[key] = portUse{svc: s.Name, port: pt.Name, rng: src.port}
			}
			own[key] = true
		}
	}
}
