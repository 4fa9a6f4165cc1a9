package lxc

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestPortsApplyLive: adding a service that forwards a port, changing its
// host port and removing it each change that service only: the instance
// and the other unit are kept, and the host ports follow the file.
func TestPortsApplyLive(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	serve := func(name string, port, host int) envfile.Service {
		return envfile.Service{Name: name, Command: []string{"python3", "-m", "http.server", fmt.Sprint(port)},
			Ports: []envfile.Port{{Name: "http", Port: port, Host: host, Protocol: "tcp"}}}
	}
	env := &envfile.Environment{Project: testenv.Project(t, "lxports"), Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{serve("a", 8001, 19801)}}
	cleanup(t, b, env)
	up(t, b, env)
	inst := InstanceName(env.Project)
	started := func(svc string) string {
		out, err := b.output(ctx, inst, "systemctl", "show", "-p", "ExecMainStartTimestampMonotonic", "--value", UnitName(svc))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out)
	}
	answers := func(port int) bool {
		c := http.Client{Timeout: 2 * time.Second}
		for range 30 {
			if r, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", port)); err == nil {
				r.Body.Close()
				return true
			}
			time.Sleep(200 * time.Millisecond)
		}
		return false
	}
	closed := func(port int) bool {
		c := http.Client{Timeout: time.Second}
		r, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err == nil {
			r.Body.Close()
		}
		return err != nil
	}
	if !answers(19801) {
		t.Fatal("a does not answer on 19801")
	}
	aStart := started("a")
	check := func(step string, want map[string]engine.Op, p engine.Plan) {
		t.Helper()
		got := ops(p)
		for ref, op := range want {
			if got[ref] != op {
				t.Errorf("%s: %s is %q, want %q (plan %v)", step, ref, got[ref], op, got)
			}
		}
		if s := started("a"); s != aStart {
			t.Errorf("%s: a was restarted (%s → %s)", step, aStart, s)
		}
	}

	env.Services = append(env.Services, serve("b", 8002, 19802))
	check("b added", map[string]engine.Op{"host/" + inst: engine.OpKeep, "service/a": engine.OpKeep, "service/b": engine.OpCreate}, up(t, b, env))
	if !answers(19802) || !answers(19801) {
		t.Error("after b was added: 19801 or 19802 does not answer")
	}

	env.Services[1].Ports[0].Host = 19803
	check("b's host port moved", map[string]engine.Op{"host/" + inst: engine.OpKeep, "service/b": engine.OpReplace}, up(t, b, env))
	if !answers(19803) || !closed(19802) {
		t.Error("after b's port moved: 19803 does not answer or 19802 still does")
	}

	env.Services = env.Services[:1]
	check("b removed", map[string]engine.Op{"host/" + inst: engine.OpKeep, "service/b": engine.OpRemove}, up(t, b, env))
	if !closed(19803) || !answers(19801) {
		t.Error("after b was removed: 19803 still answers or 19801 does not")
	}
	if p := up(t, b, env); p.Changes() != 0 {
		t.Errorf("plan after the changes: %v", ops(p))
	}
}
