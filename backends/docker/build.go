package docker

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// CacheRepo is the repository of derived (provisioned) images.
const CacheRepo = "devbox-cache/"

// LabelStep is set on cache images: which step (1-based) of how many it holds.
const LabelStep = "dev.devbox.step"

// buildStep is one cached step of a derived image.
type buildStep struct {
	Title  string // for progress
	Script string // run with sh -c
	Tag    string // devbox-cache/<hash>
}

// buildSteps lists the steps of a service's image: packages first, then
// each provision step. Step i's tag hashes the base image ID and steps
// 0..i, so a change to step i keeps the cache of the steps before it.
func buildSteps(baseID string, s *envfile.Service) []buildStep {
	var scripts, titles []string
	if len(s.Packages) > 0 {
		scripts = append(scripts, packageScript(s.Packages))
		titles = append(titles, "packages "+strings.Join(s.Packages, " "))
	}
	for _, p := range s.Provision {
		scripts = append(scripts, p)
		titles = append(titles, firstLine(p))
	}
	out := make([]buildStep, len(scripts))
	for i := range scripts {
		out[i] = buildStep{
			Title:  titles[i],
			Script: scripts[i],
			Tag:    CacheRepo + engine.Hash("image-v1", baseID, scripts[:i+1]),
		}
	}
	return out
}

// buildImage returns the derived image for s on top of base, building only
// the steps after the longest cached prefix.
func (b *Backend) buildImage(ctx context.Context, s *envfile.Service, base image.InspectResponse, ev engine.Ref, p engine.Progress) (string, error) {
	steps := buildSteps(base.ID, s)
	start := 0
	for i := len(steps) - 1; i >= 0; i-- {
		if _, err := b.cli.ImageInspect(ctx, steps[i].Tag); err == nil {
			start = i + 1
			break
		}
	}
	for i := 0; i < start; i++ {
		p(engine.Event{Ref: ev, Status: fmt.Sprintf("step %d/%d: %s (cached)", i+1, len(steps), steps[i].Title)})
	}
	from := base.ID
	if start > 0 {
		from = steps[start-1].Tag
	}
	for i := start; i < len(steps); i++ {
		st := steps[i]
		p(engine.Event{Ref: ev, Status: fmt.Sprintf("step %d/%d: %s", i+1, len(steps), st.Title)})
		if err := b.runStep(ctx, from, base, st, fmt.Sprintf("%d/%d", i+1, len(steps)), ev, p); err != nil {
			return "", fmt.Errorf("docker: build image for service %q, step %d/%d (%s): %w", s.Name, i+1, len(steps), st.Title, err)
		}
		from = st.Tag
	}
	return from, nil
}

// stepLock serialises builds of one tag, so parallel services with the
// same steps build them once.
func (b *Backend) stepLock(tag string) *sync.Mutex {
	b.buildMu.Lock()
	defer b.buildMu.Unlock()
	m, ok := b.buildLocks[tag]
	if !ok {
		m = &sync.Mutex{}
		b.buildLocks[tag] = m
	}
	return m
}

// runStep runs st.Script in a container from image from and commits the
// result as st.Tag. The build container is always removed.
func (b *Backend) runStep(ctx context.Context, from string, base image.InspectResponse, st buildStep, n string, ev engine.Ref, p engine.Progress) error {
	mu := b.stepLock(st.Tag)
	mu.Lock()
	defer mu.Unlock()
	if _, err := b.cli.ImageInspect(ctx, st.Tag); err == nil {
		return nil // built by a parallel service meanwhile
	}
	cfg := &container.Config{
		Image: from,
		Cmd:   []string{"sh", "-c", st.Script},
		User:  "0",
		Env:   []string{"DEBIAN_FRONTEND=noninteractive"},
		// No project label: Docker copies these onto the committed image,
		// and cache images are shared by every project. The step's hash
		// (also on the image) tells whose build a container is.
		Labels: map[string]string{LabelKind: "build", LabelHash: strings.TrimPrefix(st.Tag, CacheRepo)},
	}
	created, err := b.cli.ContainerCreate(ctx, cfg, &container.HostConfig{}, nil, nil, "")
	if err != nil {
		return fmt.Errorf("create build container: %w", err)
	}
	defer func() {
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		_ = b.cli.ContainerRemove(cctx, created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}()
	waitC, errC := b.cli.ContainerWait(ctx, created.ID, container.WaitConditionNextExit)
	if err := b.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("start build container: %w", err)
	}
	out := &tailWriter{max: 4096, line: func(l string) {
		p(engine.Event{Ref: ev, Status: "step " + n + ": " + l})
	}}
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		rc, err := b.cli.ContainerLogs(ctx, created.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
		if err != nil {
			return
		}
		defer rc.Close()
		_, _ = stdcopy.StdCopy(out, out, rc)
	}()
	var code int64
	select {
	case w := <-waitC:
		if w.Error != nil {
			return fmt.Errorf("wait for build container: %s", w.Error.Message)
		}
		code = w.StatusCode
	case err := <-errC:
		return fmt.Errorf("wait for build container: %w", err)
	case <-ctx.Done():
		return ctx.Err()
	}
	<-logsDone
	if code != 0 {
		return fmt.Errorf("exit status %d; output ends with:\n%s", code, out.Tail())
	}
	// The committed config keeps the base image's command, entrypoint and
	// user where it has them (Docker fills empty fields from the build
	// container, which is why services never rely on a cache image's CMD).
	commitCfg := &container.Config{
		Labels: map[string]string{LabelKind: string(engine.KindImage), LabelStep: n, LabelHash: strings.TrimPrefix(st.Tag, CacheRepo)},
	}
	if base.Config != nil {
		commitCfg.Cmd, commitCfg.Entrypoint, commitCfg.User = base.Config.Cmd, base.Config.Entrypoint, base.Config.User
	}
	if _, err := b.cli.ContainerCommit(ctx, created.ID, container.CommitOptions{
		Reference: st.Tag,
		Comment:   "devbox step " + n + ": " + st.Title,
		Config:    commitCfg,
	}); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// packageScript installs the packages that are missing, with whichever
// package manager the image has; when all are present it touches nothing,
// so images with packages baked in build offline.
func packageScript(pkgs []string) string {
	q := make([]string, len(pkgs))
	for i, p := range pkgs {
		q[i] = shellQuote(p)
	}
	return `set -e
set -- ` + strings.Join(q, " ") + `
missing=""
if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -z "$missing" ]; then echo "packages already installed: $*"; exit 0; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends $missing
  rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
  for p in "$@"; do apk info -e "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -z "$missing" ]; then echo "packages already installed: $*"; exit 0; fi
  apk add --no-cache $missing
elif command -v dnf >/dev/null 2>&1; then
  for p in "$@"; do rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -z "$missing" ]; then echo "packages already installed: $*"; exit 0; fi
  dnf install -y $missing
  dnf clean all
else
  echo "devbox: no known package manager (apt-get, apk, dnf) in this image" >&2
  exit 1
fi
`
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// tailWriter keeps the last max bytes written and reports complete lines.
type tailWriter struct {
	mu   sync.Mutex
	max  int
	buf  []byte
	part []byte
	line func(string)
}

func (t *tailWriter) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	if t.line != nil {
		t.part = append(t.part, b...)
		for {
			i := bytes.IndexByte(t.part, '\n')
			if i < 0 {
				break
			}
			if l := strings.TrimSpace(string(t.part[:i])); l != "" {
				t.line(l)
			}
			t.part = t.part[i+1:]
		}
	}
	return len(b), nil
}

// Tail returns what was kept.
func (t *tailWriter) Tail() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimRight(string(t.buf), "\n")
}

// CacheTags lists the cache image tags of a service's build steps, in
// order (none when it has no packages or provision steps), for tools and
// benchmarks that clean up.
func (b *Backend) CacheTags(ctx context.Context, env *envfile.Environment, service string) ([]string, error) {
	s := env.Service(service)
	if s == nil {
		return nil, fmt.Errorf("docker: no service %q in the environment", service)
	}
	if !needsBuild(s) {
		return nil, nil
	}
	base, err := b.cli.ImageInspect(ctx, serviceImage(env, s))
	if err != nil {
		return nil, fmt.Errorf("docker: inspect image %q: %w", serviceImage(env, s), err)
	}
	var out []string
	for _, st := range buildSteps(base.ID, s) {
		out = append(out, st.Tag)
	}
	return out, nil
}
