package docker

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/tools"
)

// TestToolRuns32Bit runs the shared ToolRunner conformance suite on the
// offline i386 image (debian:12-i386, platform linux/386).
func TestToolRuns32Bit(t *testing.T) {
	b := newBackend(t)
	if _, err := b.cli.ImageInspect(context.Background(), "debian:12-i386"); err != nil {
		testenv.Missing(t, "debian:12-i386 missing (run .ci/images-i386): %v", err)
	}
	enginetest.ToolSuite(t, enginetest.ToolTarget{
		Runner:  b,
		Project: testenv.Project(t, "dktool"),
		Remove: func(ctx context.Context, project string) error {
			_, err := b.RemoveTools(ctx, project, nil)
			return err
		},
		WarmID:  func(t *testing.T, project string) string { return toolContainerID(t, b, project) },
		Mounted: func(t *testing.T, project string) []string { return toolMounts(t, b, project) },
	})
}

// toolMounts lists the host directories bind-mounted in the project's
// tool containers, as the daemon reports them.
func toolMounts(t *testing.T, b *Backend, project string) []string {
	t.Helper()
	ctx := context.Background()
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: projectFilter(project, tools.Kind)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		ins, err := b.cli.ContainerInspect(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ins.Mounts {
			if m.Type == "bind" {
				out = append(out, m.Source)
			}
		}
	}
	sort.Strings(out)
	return out
}

func toolContainerID(t *testing.T, b *Backend, project string) string {
	t.Helper()
	cs, err := b.cli.ContainerList(context.Background(), container.ListOptions{All: true, Filters: projectFilter(project, tools.Kind)})
	if err != nil || len(cs) != 1 {
		t.Fatalf("tool containers of %s: %d, %v", project, len(cs), err)
	}
	return cs[0].ID
}

// TestToolConcurrentColdStart: parallel first calls make one container and
// all succeed.
func TestToolConcurrentColdStart(t *testing.T) {
	b := newBackend(t)
	project := testenv.Project(t, "dktoolpar")
	env, _, diags := envfile.Parse(filepath.Join(t.TempDir(), "devbox.hcl"),
		[]byte(`project = "`+project+`"`+"\nimage = \"debian/12\"\ntool \"bits\" {\n  command = [\"sh\", \"-c\"]\n}\n"), envfile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	t.Cleanup(func() { _, _ = b.RemoveTools(context.Background(), project, nil) })
	dir := enginetest.UserDir(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			var out bytes.Buffer
			code, err := b.RunTool(context.Background(), env, "bits", []string{"echo ok"}, engine.ToolOptions{Workdir: dir, UID: 1000, GID: 1000}, engine.Stdio{Out: &out})
			if err == nil && (code != 0 || out.String() != "ok\n") {
				err = fmt.Errorf("exit %d, out %q", code, out.String())
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	toolContainerID(t, b, project) // exactly one
}
