package lxc

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

func TestStatusLogsExecDown(t *testing.T) {
	b := newBackend(t)
	ctx := testCtx(t)
	env := &envfile.Environment{Project: testenv.Project(t, "lxverb"), Image: "debian/12", Services: []envfile.Service{{
		Name: "app", User: "nobody", Workdir: "/tmp", Env: map[string]string{"GREETING": "it's \"quoted\" $HOME 100%"},
		Command: []string{"/bin/sh", "-c", `echo "hello from app: $GREETING"; exec sleep infinity`},
		Ports:   []envfile.Port{{Name: "p", Port: 7000, Host: hostPort(1), Protocol: "tcp"}},
		Health:  &envfile.Health{Command: []string{"true"}, Interval: envfile.Duration(100 * time.Millisecond), Retries: 5},
	}, {
		Name: "crashy", Command: []string{"/bin/sh", "-c", "echo crashing; exit 3"}, Restart: "no",
	}}}
	cleanup(t, b, env)
	err := tryUp(t, b, env)
	if err == nil || !strings.Contains(err.Error(), `service "crashy" failed`) || !strings.Contains(err.Error(), "crashing") {
		t.Fatalf("up with a crashing service: %v", err)
	}
	env.Services = env.Services[:1]
	up(t, b, env)

	st, err := b.Status(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].State != "running" || st[0].Health != "healthy" || st[0].StartedAt == "" ||
		len(st[0].Ports) != 1 || !strings.HasPrefix(st[0].Ports[0], "127.0.0.1:") {
		t.Errorf("status: %+v", st)
	}

	var logs bytes.Buffer
	if err := b.Logs(ctx, env, "app", false, 10, &logs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `hello from app: it's "quoted" $HOME 100%`) {
		t.Errorf("logs:\n%s", logs.String())
	}
	// Following stops with ctx.
	fctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	logs.Reset()
	start := time.Now()
	if err := b.Logs(fctx, env, "app", true, 5, &logs); err != nil || time.Since(start) > 10*time.Second {
		t.Errorf("logs -f: %v after %s", err, time.Since(start))
	}
	if !strings.Contains(logs.String(), "hello from app") {
		t.Errorf("logs -f:\n%s", logs.String())
	}

	var out bytes.Buffer
	code, err := b.Exec(ctx, env, "app", []string{"/bin/sh", "-c", `echo "$(id -un) $(pwd) $GREETING"; exit 7`}, engine.Stdio{Out: &out})
	if err != nil || code != 7 {
		t.Errorf("exec: code %d, %v", code, err)
	}
	if got := strings.TrimSpace(out.String()); got != `nobody /tmp it's "quoted" $HOME 100%` {
		t.Errorf("exec output %q", got)
	}
	out.Reset()
	code, err = b.Exec(ctx, env, "app", []string{"cat"}, engine.Stdio{In: strings.NewReader("piped\n"), Out: &out})
	if err != nil || code != 0 || out.String() != "piped\n" {
		t.Errorf("exec with stdin: %d, %v, %q", code, err, out.String())
	}

	// down stops, up starts again.
	observed, err := b.Observe(ctx, env.Project)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Apply(ctx, b, env, engine.Down(env.Project, "lxc", observed), nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.Status(ctx, env); st[0].State != "stopped" {
		t.Errorf("after down: %+v", st)
	}
	p := up(t, b, env)
	if o := ops(p); o["host/"+InstanceName(env.Project)] != engine.OpStart || o["service/app"] != engine.OpStart {
		t.Errorf("up after down: %v", o)
	}
	if st, _ := b.Status(ctx, env); st[0].State != "running" {
		t.Errorf("after up: %+v", st)
	}
}
