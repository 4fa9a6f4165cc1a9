package docker

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// TestExecLogsStatus covers exec (exit codes, stdin, TTY, user, workdir),
// logs (tail, follow) and status, plus a failing health check.
func TestExecLogsStatus(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkverbs")
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{
		{Name: "talker", Command: []string{"sh", "-c", "echo one; echo two >&2; echo three; while sleep 0.2; do echo tick; done"},
			User: "nobody", Workdir: "/tmp"},
		{Name: "sick", Command: []string{"sleep", "infinity"}, Restart: "no",
			Health: &envfile.Health{Command: []string{"sh", "-c", "echo not ready; exit 1"},
				Interval: envfile.Duration(200 * time.Millisecond), Timeout: envfile.Duration(time.Second), Retries: 2}},
	}}
	_, err := up(t, b, env)
	if err == nil || !strings.Contains(err.Error(), `"sick" is unhealthy`) || !strings.Contains(err.Error(), "not ready") {
		t.Fatalf("up with a failing health check: %v", err)
	}
	t.Log(err)

	// exec
	if _, code := execOut(t, b, env, "talker", "sh", "-c", "exit 3"); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if out, _ := execOut(t, b, env, "talker", "sh", "-c", "id -un; pwd"); out != "nobody\n/tmp\n" {
		t.Errorf("user/workdir: %q", out)
	}
	var out bytes.Buffer
	code, err := b.Exec(ctx, env, "talker", []string{"cat"}, engine.Stdio{In: strings.NewReader("piped\n"), Out: &out})
	if err != nil || code != 0 || out.String() != "piped\n" {
		t.Errorf("stdin: %q %d %v", out.String(), code, err)
	}
	out.Reset()
	code, err = b.Exec(ctx, env, "talker", []string{"tty"}, engine.Stdio{Out: &out, TTY: true})
	if err != nil || code != 0 || !strings.HasPrefix(out.String(), "/dev/pts/") {
		t.Errorf("tty: %q %d %v", out.String(), code, err)
	}
	if _, err := b.Exec(ctx, env, "sick", []string{"true"}, engine.Stdio{}); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("exec in a stopped service: %v", err)
	}
	if _, err := b.Exec(ctx, env, "nope", []string{"true"}, engine.Stdio{}); err == nil {
		t.Error("exec in an unknown service")
	}

	// logs
	var logs bytes.Buffer
	if err := b.Logs(ctx, env, "talker", false, -1, &logs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "one\n") || !strings.Contains(logs.String(), "two\n") || !strings.Contains(logs.String(), "three\n") {
		t.Errorf("logs: %q", logs.String())
	}
	logs.Reset()
	if err := b.Logs(ctx, env, "talker", false, 1, &logs); err != nil || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("logs tail 1: %q %v", logs.String(), err)
	}
	fctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	var follow syncBuffer
	start := time.Now()
	if err := b.Logs(fctx, env, "talker", true, 0, &follow); err != nil {
		t.Errorf("follow: %v", err)
	}
	if time.Since(start) < time.Second || strings.Count(follow.String(), "tick") < 2 {
		t.Errorf("follow returned after %s with %q", time.Since(start), follow.String())
	}

	// status
	st, err := b.Status(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Name != "talker" || st[0].State != "running" || st[0].StartedAt == "" {
		t.Errorf("talker status %+v", st)
	}
	if st[1].Name != "sick" || st[1].State == "running" {
		t.Errorf("sick status %+v", st[1])
	}
	env.Services = append(env.Services, envfile.Service{Name: "ghost"})
	if st, _ := b.Status(ctx, env); st[2].State != "missing" {
		t.Errorf("ghost status %+v", st[2])
	}

	// The next up starts the stopped sick service again (and it fails again).
	desired, _ := b.Desired(env)
	obs, _ := b.Observe(ctx, p)
	if op := ops(engine.Up(p, "docker", desired, obs))["service/sick"]; op != string(engine.OpStart) {
		t.Errorf("next up would %s the unhealthy service, want start", op)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
