package cli

import "strings"

// activeProfiles are the service profiles to activate: --profile (each
// value may also list several, comma-separated) or, when no flag is given,
// $DEVBOX_PROFILES=a,b, as Compose's --profile and COMPOSE_PROFILES.
func (a *App) activeProfiles() []string {
	from := a.profiles
	if len(from) == 0 {
		from = []string{a.Getenv("DEVBOX_PROFILES")}
	}
	var out []string
	for _, v := range from {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
