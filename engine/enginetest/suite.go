package enginetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// SuiteOptions is what BackendSuite needs of a backend besides the
// Backend itself: the few things only done "by hand", behind devbox's back.
type SuiteOptions struct {
	// Project is the base of the project names (made unique per run with
	// testenv.Project), e.g. "dkconf".
	Project string
	// StopByHand stops a running service through the engine directly
	// (docker stop, systemctl stop), as a user would. Required.
	StopByHand func(ctx context.Context, project, service string) error
	// ProjectLabel reads the project label straight off the engine object
	// behind an observed resource (found by its ID, not through Observe).
	// Optional: without it only Observe's filtering is checked.
	ProjectLabel func(ctx context.Context, project string, r engine.Resource) (string, error)
	// Timeout bounds each step (not an assertion: it only keeps a hung
	// engine from hanging the run). Five minutes when zero.
	Timeout time.Duration
}

// suiteHCL is the environment BackendSuite runs: three services, one
// depending on another, a volume and an isolated network (no NAT). Each
// service writes a fresh UUID to /tmp/devbox-suite-<name> when it starts,
// so the suite can tell a service that kept running from one restarted.
// workerSleep is what the edit of the replace step changes.
func suiteHCL(project, workerSleep string) string {
	svc := func(name, sleep, extra string) string {
		return fmt.Sprintf(`
service %q {
  command  = ["sh", "-c", "cat /proc/sys/kernel/random/uuid >/tmp/devbox-suite-%s; exec sleep %s"]
  networks = ["lan"]
%s}
`, name, name, sleep, extra)
	}
	return fmt.Sprintf("project = %q\nimage   = \"debian/12\"\n", project) +
		"network \"lan\" { mode = \"isolated\" }\nvolume \"data\" {}\n" +
		svc("db", "infinity", "  volumes  = { data = \"/data\" }\n") +
		svc("cache", "infinity", "") +
		svc("worker", workerSleep, "  depends_on = [\"db\"]\n")
}

// smallHCL is a second project's environment: one service on a network
// of the same name, so names that collide across projects show.
func smallHCL(project string) string {
	return fmt.Sprintf("project = %q\nimage   = \"debian/12\"\n", project) +
		"network \"lan\" { mode = \"isolated\" }\n" +
		"service \"db\" {\n  command  = [\"sleep\", \"infinity\"]\n  networks = [\"lan\"]\n}\n"
}

// suite is one run of BackendSuite: a backend and the project it owns.
type suite struct {
	b       engine.Backend
	open    func(t *testing.T) engine.Backend
	opts    SuiteOptions
	project string
	env     *envfile.Environment
}

// BackendSuite is the conformance test of an engine.Backend, run by each
// backend against its real engine (and by this package against the fake,
// in both shapes), as Nomad's drivers all run one suite. On a small
// environment it checks, step by step:
//
//   - Desired is pure: the same file gives the same resources and hashes,
//     on a second (closed) connection too, and env is left as it was;
//   - Create: after an up, Observe finds every desired resource by its
//     labels, with its hash, running; a second plan is empty;
//   - Labels: no other project's Observe sees the objects, which carry the
//     project label; a second project beside it leaves it untouched;
//   - Replace: editing one service's command replaces that service and
//     nothing else (the others keep running), then the plan is empty;
//   - StopStart: down stops every running resource, keeping it; up starts
//     them again;
//   - Drift: a service stopped by hand is planned as a start;
//   - RemoveKeepsVolumes: destroy keeps the volume and its data, which a
//     new up finds; destroy --volumes removes it.
//
// open must return a new connection each call (the suite closes one).
// Steps share one environment; after a failed step the suite brings it
// back with an up and goes on only if that converges.
func BackendSuite(t *testing.T, open func(t *testing.T) engine.Backend, opts SuiteOptions) {
	if opts.StopByHand == nil {
		t.Fatal("BackendSuite: SuiteOptions.StopByHand is required")
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	s := &suite{b: open(t), open: open, opts: opts, project: testenv.Project(t, opts.Project)}
	s.env = s.parse(t, suiteHCL(s.project, "infinity"))
	s.destroy(t, s.project, true) // leftovers of an earlier, killed run
	t.Cleanup(func() { s.destroy(t, s.project, true) })

	steps := []struct {
		name string
		run  func(*suite, *testing.T)
	}{
		{"Desired", (*suite).desired},
		{"Create", (*suite).create},
		{"Labels", (*suite).labels},
		{"Replace", (*suite).replace},
		{"StopStart", (*suite).stopStart},
		{"Drift", (*suite).drift},
		{"RemoveKeepsVolumes", (*suite).removeKeepsVolumes},
	}
	for i, st := range steps {
		if t.Run(st.name, func(t *testing.T) { st.run(s, t) }) || i == 0 || i == len(steps)-1 {
			continue
		}
		if !s.recover(t) {
			t.Fatalf("step %s failed and an up does not bring the environment back; later steps not run", st.name)
		}
	}
}

// parse reads src as a devbox.hcl in a fresh directory.
func (s *suite) parse(t *testing.T, src string) *envfile.Environment {
	t.Helper()
	return parseIn(t, t.TempDir(), src)
}

// parseIn reads src as dir/devbox.hcl.
func parseIn(t *testing.T, dir, src string) *envfile.Environment {
	t.Helper()
	env, _, diags := envfile.Parse(filepath.Join(dir, "devbox.hcl"), []byte(src), envfile.Options{})
	if diags.HasErrors() {
		t.Fatalf("suite environment: %v", diags)
	}
	return env
}

func (s *suite) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// recover brings the environment back to the base file after a failed
// step, reporting whether a plan after that is empty.
func (s *suite) recover(t *testing.T) bool {
	t.Helper()
	if err := s.tryUp(t, s.env); err != nil {
		t.Logf("recovering: %v", err)
		return false
	}
	p, err := s.planUp(t, s.env)
	return err == nil && p.Changes() == 0
}

// observe is Observe of project, failing t on error.
func (s *suite) observe(t *testing.T, project string) []engine.Resource {
	t.Helper()
	obs, err := s.b.Observe(s.ctx(t), project)
	if err != nil {
		t.Fatalf("Observe(%s): %v", project, err)
	}
	return obs
}

func (s *suite) desiredOf(t *testing.T, env *envfile.Environment) []engine.Resource {
	t.Helper()
	d, err := s.b.Desired(env)
	if err != nil {
		t.Fatalf("Desired: %v", err)
	}
	return d
}

// planUp is the plan an up of env would apply now.
func (s *suite) planUp(t *testing.T, env *envfile.Environment) (engine.Plan, error) {
	t.Helper()
	d, err := s.b.Desired(env)
	if err != nil {
		return engine.Plan{}, fmt.Errorf("Desired: %w", err)
	}
	obs, err := s.b.Observe(s.ctx(t), env.Project)
	if err != nil {
		return engine.Plan{}, fmt.Errorf("Observe: %w", err)
	}
	return engine.Up(env.Project, s.b.Name(), d, obs), nil
}

// apply carries out p, failing t (with the plan) on error.
func (s *suite) apply(t *testing.T, env *envfile.Environment, p engine.Plan) {
	t.Helper()
	if err := engine.Apply(s.ctx(t), s.b, env, p, logProgress(t)); err != nil {
		t.Fatalf("apply: %v\n%s", err, planText(p))
	}
}

func (s *suite) tryUp(t *testing.T, env *envfile.Environment) error {
	t.Helper()
	p, err := s.planUp(t, env)
	if err != nil {
		return err
	}
	if err := engine.Apply(s.ctx(t), s.b, env, p, logProgress(t)); err != nil {
		return fmt.Errorf("apply: %w\n%s", err, planText(p))
	}
	return nil
}

// up plans and applies env and returns the plan it applied.
func (s *suite) up(t *testing.T, env *envfile.Environment) engine.Plan {
	t.Helper()
	p, err := s.planUp(t, env)
	if err != nil {
		t.Fatal(err)
	}
	s.apply(t, env, p)
	return p
}

// converged checks that a plan of env now changes nothing.
func (s *suite) converged(t *testing.T, env *envfile.Environment, after string) {
	t.Helper()
	p, err := s.planUp(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes() != 0 {
		t.Errorf("plan after %s is not empty:\n%s", after, planText(p))
	}
}

// destroy removes everything of project (volumes too when asked),
// reporting but not stopping on error: it also runs in cleanups.
func (s *suite) destroy(t *testing.T, project string, volumes bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	obs, err := s.b.Observe(ctx, project)
	if err != nil {
		t.Errorf("observe %s: %v", project, err)
		return
	}
	if err := engine.Apply(ctx, s.b, nil, engine.Destroy(project, s.b.Name(), obs, volumes), logProgress(t)); err != nil {
		t.Errorf("destroy %s: %v", project, err)
	}
}

// execer is the backend's Execer, or nil: checks that look inside a
// service (incarnations, volume data) are left out without one.
func (s *suite) execer() engine.Execer {
	x, _ := s.b.(engine.Execer)
	return x
}

// sh runs script in service and returns its output.
func (s *suite) sh(t *testing.T, service, script string) string {
	t.Helper()
	var out strings.Builder
	code, err := s.execer().Exec(s.ctx(t), s.env, service, []string{"sh", "-c", script}, engine.Stdio{Out: &out, Err: &out})
	if err != nil || code != 0 {
		t.Fatalf("exec in %s %q: exit %d, %v: %s", service, script, code, err, out.String())
	}
	return out.String()
}

// incarnations reads, for every service, the UUID it wrote when it last
// started (waiting until it has: Create may return before the command's
// first line ran). Nil without an Execer.
func (s *suite) incarnations(t *testing.T) map[string]string {
	t.Helper()
	if s.execer() == nil {
		t.Log("backend has no Execer: restarts are not checked")
		return nil
	}
	out := map[string]string{}
	for _, svc := range s.env.Services {
		f := "/tmp/devbox-suite-" + svc.Name
		out[svc.Name] = strings.TrimSpace(s.sh(t, svc.Name, "while [ ! -s "+f+" ]; do sleep 0.1; done; cat "+f))
	}
	return out
}

// token is a random value, so data found in a volume is this run's.
func token(t *testing.T) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}
