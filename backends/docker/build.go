package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/provision"
	"github.com/devbox-dev/devbox/proxy"
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
// the steps after the longest cached prefix. px is the proxy the steps
// use: transport only, in no tag and no committed config.
func (b *Backend) buildImage(ctx context.Context, s *envfile.Service, base image.InspectResponse, px proxy.Settings, ev engine.Ref, p engine.Progress) (string, error) {
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
	if start == len(steps) {
		return from, nil
	}
	b.sweep.Do(func() { b.sweepBuildContainers(ctx, time.Now()) })
	sn, err := b.stepTransport(ctx, px, ev, p)
	if err != nil {
		return "", fmt.Errorf("docker: build image for service %q: %w", s.Name, err)
	}
	defer sn.Close()
	for i := start; i < len(steps); i++ {
		st := steps[i]
		p(engine.Event{Ref: ev, Status: fmt.Sprintf("step %d/%d: %s", i+1, len(steps), st.Title)})
		if err := b.runStep(ctx, from, base, st, sn, fmt.Sprintf("%d/%d", i+1, len(steps)), ev, p); err != nil {
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

// stepWrapper exports the variables read from stdin, one NAME=value a
// line, then runs the step ($1): so the proxy reaches the step's process
// but never the container's Config.Env, which docker commit would keep.
const stepWrapper = `while IFS= read -r kv; do export "$kv"; done; exec sh -c "$1"`

// runStep runs st.Script in a container from image from and commits the
// result as st.Tag. The build container is always removed.
func (b *Backend) runStep(ctx context.Context, from string, base image.InspectResponse, st buildStep, sn *stepNet, n string, ev engine.Ref, p engine.Progress) error {
	mu := b.stepLock(st.Tag)
	mu.Lock()
	defer mu.Unlock()
	if _, err := b.cli.ImageInspect(ctx, st.Tag); err == nil {
		return nil // built by a parallel service meanwhile
	}
	cfg := &container.Config{
		Image: from,
		Cmd:   []string{"sh", "-c", stepWrapper, "devbox-step", st.Script},
		User:  "0",
		Env:   []string{"DEBIAN_FRONTEND=noninteractive"},
		// Stdin carries the step's proxy variables, then closes.
		OpenStdin: true, StdinOnce: true, AttachStdin: true,
		// No project label: Docker copies these onto the committed image,
		// and cache images are shared by every project. The step's hash
		// (also on the image) tells whose build a container is.
		Labels: map[string]string{LabelKind: "build", LabelHash: strings.TrimPrefix(st.Tag, CacheRepo)},
	}
	hc := &container.HostConfig{NetworkMode: container.NetworkMode(sn.network)}
	created, err := b.cli.ContainerCreate(ctx, cfg, hc, nil, nil, "")
	if err != nil {
		return fmt.Errorf("create build container: %w", err)
	}
	defer func() {
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		_ = b.cli.ContainerRemove(cctx, created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}()
	out := &tailWriter{max: 4096, line: func(l string) {
		p(engine.Event{Ref: ev, Status: "step " + n + ": " + l})
	}}
	code, err := b.runToExit(ctx, created.ID, sn.env, out)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("exit status %d; output ends with:\n%s", code, out.Tail())
	}
	return b.commitStep(ctx, created.ID, base, st, n)
}

// runToExit starts a build container, feeds env to its stdin, copies its
// output to out and returns its exit status.
func (b *Backend) runToExit(ctx context.Context, id string, env []string, out io.Writer) (int64, error) {
	// Attached before start, so nothing the step reads is lost.
	in, err := b.cli.ContainerAttach(ctx, id, container.AttachOptions{Stream: true, Stdin: true})
	if err != nil {
		return 0, fmt.Errorf("attach to build container: %w", err)
	}
	defer in.Close()
	waitC, errC := b.cli.ContainerWait(ctx, id, container.WaitConditionNextExit)
	if err := b.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return 0, fmt.Errorf("start build container: %w", err)
	}
	var lines strings.Builder
	for _, kv := range env {
		lines.WriteString(strings.ReplaceAll(kv, "\n", "") + "\n")
	}
	if _, err := io.WriteString(in.Conn, lines.String()); err != nil {
		return 0, fmt.Errorf("write to build container: %w", err)
	}
	_ = in.CloseWrite()
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		rc, err := b.cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
		if err != nil {
			return
		}
		defer rc.Close()
		_, _ = stdcopy.StdCopy(out, out, rc)
	}()
	select {
	case w := <-waitC:
		<-logsDone
		if w.Error != nil {
			return 0, fmt.Errorf("wait for build container: %s", w.Error.Message)
		}
		return w.StatusCode, nil
	case err := <-errC:
		return 0, fmt.Errorf("wait for build container: %w", err)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// commitStep commits a finished build container as st.Tag. The committed
// config keeps the base image's command, entrypoint and user where it has
// them (Docker fills empty fields from the build container, which is why
// services never rely on a cache image's CMD).
func (b *Backend) commitStep(ctx context.Context, id string, base image.InspectResponse, st buildStep, n string) error {
	commitCfg := &container.Config{
		Labels: map[string]string{LabelKind: string(engine.KindImage), LabelStep: n, LabelHash: strings.TrimPrefix(st.Tag, CacheRepo)},
	}
	if base.Config != nil {
		commitCfg.Cmd, commitCfg.Entrypoint, commitCfg.User = base.Config.Cmd, base.Config.Entrypoint, base.Config.User
	}
	if _, err := b.cli.ContainerCommit(ctx, id, container.CommitOptions{
		Reference: st.Tag,
		Comment:   "devbox step " + n + ": " + st.Title,
		Config:    commitCfg,
	}); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// packageScript is provision's package install: only what is missing,
// no daemon started or enabled by the packages.
func packageScript(pkgs []string) string { return provision.PackagesScript(pkgs) }

func shellQuote(s string) string { return provision.Quote(s) }

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
