package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
)

// viewFake is the in-memory fake with canned Status rows and projects.
type viewFake struct {
	*enginetest.Fake
	rows     []engine.ServiceStatus
	projects []engine.ProjectInfo
}

func (f *viewFake) Status(ctx context.Context, env *envfile.Environment) ([]engine.ServiceStatus, error) {
	return f.rows, nil
}

func (f *viewFake) ListProjects(ctx context.Context) ([]engine.ProjectInfo, error) {
	return f.projects, nil
}

func TestParseCopyArgs(t *testing.T) {
	cases := []struct {
		src, dst string
		want     copySpec
		err      string
	}{
		{src: "web:/etc/nginx", dst: "./nginx", want: copySpec{service: "web", containerPath: "/etc/nginx", hostPath: "./nginx"}},
		{src: "site", dst: "web:srv/www", want: copySpec{service: "web", containerPath: "srv/www", hostPath: "site", toService: true}},
		{src: "./a:b", dst: "web:/x", want: copySpec{service: "web", containerPath: "/x", hostPath: "./a:b", toService: true}},
		{src: "/tmp/a:b", dst: "db_1:/x", want: copySpec{service: "db_1", containerPath: "/x", hostPath: "/tmp/a:b", toService: true}},
		{src: "web:/a", dst: "db:/b", err: "both SRC and DST"},
		{src: "a", dst: "b", err: "must be SERVICE:PATH"},
		{src: "web:", dst: "out", err: "want SERVICE:PATH HOSTPATH"},
		{src: "in", dst: "web:", err: "want HOSTPATH SERVICE:PATH"},
		{src: "-x:/a", dst: "b", err: "must be SERVICE:PATH"},
	}
	for _, c := range cases {
		got, err := parseCopyArgs(c.src, c.dst)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseCopyArgs(%q, %q) = %+v, %v; want error %q", c.src, c.dst, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseCopyArgs(%q, %q) = %+v, %v; want %+v", c.src, c.dst, got, err, c.want)
		}
	}
}

func TestParsePortArg(t *testing.T) {
	for in, want := range map[string]string{"8080": "8080/tcp", "53/udp": "53/udp", "80/TCP": "80/tcp"} {
		n, proto, err := parsePortArg(in)
		if err != nil || strconv.Itoa(n)+"/"+proto != want {
			t.Errorf("parsePortArg(%q) = %d %q %v, want %s", in, n, proto, err, want)
		}
	}
	for _, bad := range []string{"", "http", "0", "70000", "80/sctp", "-1"} {
		if _, _, err := parsePortArg(bad); err == nil {
			t.Errorf("parsePortArg(%q): no error", bad)
		}
	}
}

func TestPublishedAt(t *testing.T) {
	ports := []string{"127.0.0.1:18080->80/tcp", "127.0.0.1:15353->53/udp", "0.0.0.0:19000->9000/tcp", ":::19000->9000/tcp"}
	for _, c := range []struct {
		port  int
		proto string
		want  string
	}{{80, "tcp", "127.0.0.1:18080"}, {53, "udp", "127.0.0.1:15353"}, {9000, "tcp", "0.0.0.0:19000"}, {53, "tcp", ""}, {8, "tcp", ""}} {
		got, ok := publishedAt(ports, c.port, c.proto)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("publishedAt(%d/%s) = %q %v, want %q", c.port, c.proto, got, ok, c.want)
		}
	}
}

// TestPortVerb: the address on stdout; an unpublished port exits 1 and
// says so; an unknown service exits 2; a stopped service exits 1.
func TestPortVerb(t *testing.T) {
	h := newHarness(t, shopHCL)
	f := &viewFake{Fake: h.fake, rows: []engine.ServiceStatus{
		{Name: "db", State: engine.StateRunning, Ports: []string{"127.0.0.1:15432->5432/tcp"}},
		{Name: "web", State: engine.StateStopped},
	}}
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return f, nil
	}
	if code, out, errs := h.run("port", "db", "5432"); code != 0 || out != "127.0.0.1:15432\n" {
		t.Errorf("port db 5432: exit %d, out %q\n%s", code, out, errs)
	}
	if code, _, errs := h.run("port", "db", "5433"); code != ExitFailure || !strings.Contains(errs, "does not publish 5433/tcp") {
		t.Errorf("port db 5433: exit %d\n%s", code, errs)
	}
	if code, _, errs := h.run("port", "web", "80"); code != ExitFailure || !strings.Contains(errs, `"web" is stopped`) {
		t.Errorf("port web 80 (stopped): exit %d\n%s", code, errs)
	}
	if code, _, errs := h.run("port", "nope", "80"); code != ExitBadInput || !strings.Contains(errs, `no service "nope"`) {
		t.Errorf("port nope 80: exit %d\n%s", code, errs)
	}
	if code, _, _ := h.run("port", "db", "x"); code != ExitBadInput {
		t.Errorf("port db x: exit %d, want 2", code)
	}
}

// TestLsVerb: every engine is listed without a devbox.hcl, in registry
// order; an engine that cannot be opened is a warning line, not a failure;
// --json is the same rows; none reachable is a failure.
func TestLsVerb(t *testing.T) {
	h := newHarness(t, shopHCL)
	h.dir = t.TempDir() // no devbox.hcl here
	f := &viewFake{Fake: h.fake, projects: []engine.ProjectInfo{
		{Project: "shop", State: "partial", Running: 1, Total: 2, Dir: "/src/shop"},
		{Project: "old", State: "stopped", Total: 1},
	}}
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		if name == "lxc" {
			return nil, errors.New("lxc: cannot reach incusd")
		}
		return f, nil
	}
	code, out, errs := h.run("ls")
	if code != 0 {
		t.Fatalf("ls: exit %d\n%s%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "PROJECT BACKEND STATE SERVICES DIR" ||
		strings.Join(strings.Fields(lines[1]), " ") != "shop docker partial 1/2 /src/shop" ||
		strings.Join(strings.Fields(lines[2]), " ") != "old docker stopped 0/1 -" {
		t.Errorf("ls table:\n%s", out)
	}
	if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "lxc skipped: lxc: cannot reach incusd") {
		t.Errorf("ls warning: %q, want one line about lxc", errs)
	}
	code, out, _ = h.run("ls", "--json")
	var rows []engine.ProjectInfo
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 2 || rows[0].Backend != "docker" || rows[0].Running != 1 || rows[1].Dir != "" {
		t.Errorf("ls --json: exit %d, %v, %+v\n%s", code, err, rows, out)
	}
	h.open = func(ctx context.Context, name string, env *envfile.Environment) (engine.Backend, error) {
		return nil, errors.New(name + ": down")
	}
	if code, _, errs := h.run("ls"); code != ExitFailure || !strings.Contains(errs, "no engine could be reached") {
		t.Errorf("ls, every engine down: exit %d\n%s", code, errs)
	}
	if code, _, _ := h.run("ls", "--backend", "nope"); code != ExitBadInput {
		t.Errorf("ls --backend nope: exit %d, want 2", code)
	}
}

// TestCpVerbBadInput: usage errors exit 2 before any engine is asked.
func TestCpVerbBadInput(t *testing.T) {
	h := newHarness(t, shopHCL)
	for _, args := range [][]string{{"cp", "a", "b"}, {"cp", "web:/a", "db:/b"}, {"cp", "nope:/a", "out"}, {"cp", "one"}} {
		if code, _, errs := h.run(args...); code != ExitBadInput {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errs)
		}
	}
	// The fake cannot copy: a clear runtime error.
	if code, _, errs := h.run("cp", "web:/a", t.TempDir()); code != ExitFailure || !strings.Contains(errs, "cannot copy") {
		t.Errorf("cp on a backend without Copier: exit %d\n%s", code, errs)
	}
}
