package lxc

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/discovery"
	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// hostPort is a host port unique to this test process.
func hostPort(n int) int { return 20000 + (os.Getpid()%2000)*4 + n }

func get(t *testing.T, url string) string {
	t.Helper()
	var last error
	for i := 0; i < 50; i++ {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return string(b)
			}
			err = &httpErr{resp.Status}
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s: %v", url, last)
	return ""
}

type httpErr struct{ s string }

func (e *httpErr) Error() string { return e.s }

// unitPIDs is every unit's MainPID and start time, and the instance's init PID.
func unitPIDs(t *testing.T, b *Backend, env *envfile.Environment) map[string]string {
	t.Helper()
	ctx := testCtx(t)
	inst := InstanceName(env.Project)
	st, _, err := b.c.GetInstanceState(inst)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"instance": itoa(int(st.Pid))}
	cmd := []string{"systemctl", "show", "-p", "Id,MainPID,ExecMainStartTimestamp"}
	for i := range env.Services {
		cmd = append(cmd, unitOf(&env.Services[i]))
	}
	text, err := b.output(ctx, inst, cmd...)
	if err != nil {
		t.Fatal(err)
	}
	for id, u := range parseShow(text) {
		out[id] = u["MainPID"] + "@" + u["ExecMainStartTimestamp"]
	}
	return out
}

func TestUpThreeServices(t *testing.T) {
	b := newBackend(t)
	env := threeTier(testenv.Project(t, "lx3"))
	port := hostPort(0)
	env.Services[2].Ports[0].Host = port
	cleanup(t, b, env)

	p := up(t, b, env)
	if p.Changes() != 5 { // the default network, the host, three units
		t.Errorf("first up: %d changes, want 5:\n%v", p.Changes(), p)
	}
	ctx := testCtx(t)
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	hosts := 0
	for _, r := range observed {
		if r.Kind == engine.KindHost {
			hosts++
		}
		if r.Runs() && r.State != engine.StateRunning {
			t.Errorf("%s is %s", r.Ref(), r.State)
		}
	}
	if hosts != 1 || len(observed) != 5 {
		t.Errorf("observed %v", observed)
	}

	// The forwarded port answers on the host, and web reached db and cache.
	body := get(t, "http://127.0.0.1:"+itoa(port)+"/")
	if !strings.Contains(body, "db=db-ok") || !strings.Contains(body, "cache=cache-ok") {
		t.Errorf("web says %q", body)
	}

	// web sees exactly docker's discovery variable names.
	var out bytes.Buffer
	code, err := b.Exec(ctx, env, "web", []string{"env"}, engine.Stdio{Out: &out})
	if err != nil || code != 0 {
		t.Fatalf("exec env: %d, %v", code, err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			got[k] = v
		}
	}
	want := discovery.Vars(env, "web", func(s string) string { return s })
	var missing []string
	for k, v := range want {
		if got[k] != v {
			missing = append(missing, k+"="+v+" (got "+got[k]+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || len(want) == 0 {
		t.Errorf("discovery variables differ: %v", missing)
	}
	if got["USER"] != "nobody" {
		t.Errorf("exec runs as %q, want nobody", got["USER"])
	}

	// Re-up: nothing changes, nothing restarts.
	before := unitPIDs(t, b, env)
	p = up(t, b, env)
	if p.Changes() != 0 {
		t.Errorf("re-up plan has changes:\n%+v", p.Actions)
	}
	if after := unitPIDs(t, b, env); !equal(before, after) {
		t.Errorf("re-up restarted something:\n before %v\n after  %v", before, after)
	}

	// One changed service: only its unit restarts.
	env.Services[1].Restart = "always" // not part of anyone else's discovery variables
	p = up(t, b, env)
	if o := ops(p); p.Changes() != 1 || o["service/cache"] != engine.OpReplace {
		t.Errorf("single-service change plan: %v", o)
	}
	after := unitPIDs(t, b, env)
	for k, v := range before {
		changed := after[k] != v
		if want := k == UnitName("cache"); changed != want {
			t.Errorf("%s changed = %v, want %v (%s -> %s)", k, changed, want, v, after[k])
		}
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
