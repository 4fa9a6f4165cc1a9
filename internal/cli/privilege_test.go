package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
)

type privFake struct{ *enginetest.Fake }

func (privFake) Privileges(env *envfile.Environment) []string {
	return []string{`service "web": systemd = true: private cgroup namespace`}
}

// TestPlanShowsExtraPrivilege: what a backend grants beyond a default
// container is printed with the plan, before up does anything.
func TestPlanShowsExtraPrivilege(t *testing.T) {
	h := newHarness(t, shopHCL)
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return privFake{h.fake}, nil
	}
	for _, verb := range []string{"plan", "up"} {
		code, out, errs := h.run(verb)
		if code != ExitOK || !strings.Contains(out, `extra privilege: service "web": systemd = true`) {
			t.Errorf("%s: exit %d, want the privilege line\n%s%s", verb, code, out, errs)
		}
	}
}
