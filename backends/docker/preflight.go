package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"

	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// Preflight checks, before anything is created, what would make an up
// fail half-way: every service's image (pulled once if missing), bind
// mount sources, forwarded host ports (those the project's own running
// containers publish are fine), and given subnets that clash. It returns
// all problems found, joined.
func (b *Backend) Preflight(ctx context.Context, env *envfile.Environment) error {
	var errs []error
	seen := map[string]bool{}
	var refs []string
	for i := range env.Services {
		ref := serviceImage(env, &env.Services[i])
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	sort.Strings(refs)
	for _, ref := range refs {
		if _, err := b.ensureImage(ctx, ref, engine.Ref{Kind: engine.KindImage, Name: ref}, nil); err != nil {
			errs = append(errs, err)
		}
	}
	skip, err := b.ownPorts(ctx, env.Project)
	if err != nil {
		return err
	}
	for i := range env.Services {
		s := &env.Services[i]
		if err := checkMounts(env, s); err != nil {
			errs = append(errs, err)
		}
		if err := b.checkPorts(ctx, s, skip); err != nil {
			errs = append(errs, err)
		}
	}
	if err := b.checkSubnets(ctx, env); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkSubnets fails for a network with a given subnet that clashes with
// another Docker network or a host route; the project's own networks are
// not counted.
func (b *Backend) checkSubnets(ctx context.Context, env *envfile.Environment) error {
	var want []envfile.Network
	for _, n := range usedNetworks(env) {
		spec, err := networkSpec(env, n)
		if err != nil {
			return err
		}
		if spec.Subnet != "" && spec.Mode != envfile.NetworkBridged {
			want = append(want, spec)
		}
	}
	if len(want) == 0 {
		return nil
	}
	ours, err := b.cli.NetworkList(ctx, network.ListOptions{Filters: projectFilter(env.Project, engine.KindNetwork)})
	if err != nil {
		return fmt.Errorf("docker: list networks: %w", err)
	}
	mine := map[string]bool{}
	for _, n := range ours {
		mine["docker network "+n.Name] = true
	}
	used, err := b.usedSubnets(ctx)
	if err != nil {
		return fmt.Errorf("docker: %w", err)
	}
	var others []usedNet
	for _, u := range used {
		if !mine[u.By] {
			others = append(others, u)
		}
	}
	var errs []error
	for _, n := range want {
		_, ipn, err := net.ParseCIDR(n.Subnet)
		if err != nil {
			errs = append(errs, fmt.Errorf("docker: network %q: subnet %q: %w", n.Name, n.Subnet, err))
			continue
		}
		if u := clash(ipn, others); u != nil {
			errs = append(errs, fmt.Errorf("docker: network %q: subnet %s overlaps %s (%s); pick another subnet or leave it empty to auto-pick", n.Name, ipn, u.Net, u.By))
		}
	}
	return errors.Join(errs...)
}
