package envfile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Service profiles, as in Compose: a service without profiles is always
// enabled, one with profiles only when one of them is active
// (Options.ActiveProfiles; "*" activates every profile). They have
// nothing to do with lxc { profiles = [...] }, the Incus profiles of the
// instance.

// AllProfiles, among the active profiles, enables every service.
const AllProfiles = "*"

// profileName is Compose's rule for profile names.
var profileName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// profiles decodes a service's profiles attribute.
func (p *parser) profiles(a *hcl.Attribute) []string {
	items := p.strList(a)
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if !profileName.MatchString(it.val) {
			p.errorf(it.rng, "Invalid profile name",
				"%q is not a valid profile name: use letters, digits, '_', '.' and '-', starting with a letter or digit (e.g. \"debug\").", it.val)
			continue
		}
		if !seen[it.val] {
			seen[it.val] = true
			out = append(out, it.val)
		}
	}
	return out
}

// applyProfiles leaves the services none of whose profiles is active out
// of env.Services, recording them in env.DisabledServices. It runs after
// validate, so the whole file is checked whatever the profiles. A service
// in Options.Enable is enabled by activating its profiles, as Compose's
// WithServicesEnabled does (so other services of those profiles come
// too). An enabled service must not depend on a disabled one.
func (p *parser) applyProfiles() {
	env := p.env
	active := map[string]bool{}
	for _, a := range p.opts.ActiveProfiles {
		if a = strings.TrimSpace(a); a != "" {
			active[a] = true
		}
	}
	names := make([]string, 0, len(env.Services))
	for _, s := range env.Services {
		names = append(names, s.Name)
	}
	for _, n := range p.opts.Enable {
		s := env.Service(n)
		if s == nil {
			s = replicaOf(env, n) // worker-2: a replica of worker
		}
		if s == nil {
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown service",
				Detail: fmt.Sprintf("No service named %q is declared in %s. %s", n, env.File, suggest("service", n, names))})
			continue
		}
		for _, pr := range s.Profiles {
			active[pr] = true
		}
	}
	var keep []Service
	var keepSrc []serviceSrc
	disabled := map[string]*Service{}
	env.DisabledServices = []string{}
	for i := range env.Services {
		s := &env.Services[i]
		if enabledBy(s.Profiles, active) {
			keep = append(keep, *s)
			keepSrc = append(keepSrc, p.services[i])
			continue
		}
		disabled[s.Name] = s
		env.DisabledServices = append(env.DisabledServices, s.Name)
	}
	for i, s := range keep {
		for _, d := range keepSrc[i].dependsOn {
			if ds := disabled[d.val]; ds != nil {
				report := p.errorf
				if p.opts.Existing {
					report = p.warnf // down, destroy, status: nothing is started
				}
				report(d.rng, "Dependency on a disabled service",
					"Service %q depends on %q, which is enabled only with profile %s and none is active. "+
						"Activate it with --profile %s (or DEVBOX_PROFILES=%s), or give %q a profile of %q's.",
					s.Name, d.val, quotedChoice(ds.Profiles), ds.Profiles[0], ds.Profiles[0], s.Name, d.val)
			}
		}
	}
	// An active profile no service has is no error, as in Compose:
	// DEVBOX_PROFILES may be exported for several projects.
	env.ActiveProfiles = []string{}
	for a := range active {
		env.ActiveProfiles = append(env.ActiveProfiles, a)
	}
	slices.Sort(env.ActiveProfiles)
	if keep == nil {
		keep = []Service{}
	}
	env.Services, p.services = keep, keepSrc
}

// enabledBy reports whether a service with profiles is enabled when the
// active ones are: Compose's matchesProfiles.
func enabledBy(profiles []string, active map[string]bool) bool {
	if len(profiles) == 0 || active[AllProfiles] {
		return true
	}
	for _, pr := range profiles {
		if active[pr] {
			return true
		}
	}
	return false
}
