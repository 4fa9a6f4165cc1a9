package lxc

import (
	"context"
	"testing"

	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/internal/testenv"
	"github.com/devbox-dev/devbox/tools"
)

// TestToolRuns32Bit runs the shared ToolRunner conformance suite on the
// offline i386 image (debian/12/i386, an i686 instance).
func TestToolRuns32Bit(t *testing.T) {
	b := newBackend(t)
	if _, err := b.localImage("debian/12/i386"); err != nil {
		testenv.Missing(t, "debian/12/i386 missing (run .ci/images-i386): %v", err)
	}
	enginetest.ToolSuite(t, enginetest.ToolTarget{
		Runner:  b,
		Project: testenv.Project(t, "lxtool"),
		Remove: func(ctx context.Context, project string) error {
			_, err := b.RemoveTools(ctx, project, nil)
			return err
		},
		WarmID: func(t *testing.T, project string) string { return toolContainerID(t, b, project) },
	})
}

// toolContainerID identifies the tool's instance: its name and creation
// time (a replaced instance has a new one).
func toolContainerID(t *testing.T, b *Backend, project string) string {
	t.Helper()
	name := tools.Name(project, "bits", 1000)
	inst, _, err := b.c.GetInstance(name)
	if err != nil {
		t.Fatalf("tool instance %s: %v", name, err)
	}
	if inst.Architecture != "i686" {
		t.Errorf("tool instance architecture %s, want i686", inst.Architecture)
	}
	return name + "@" + inst.CreatedAt.String()
}
