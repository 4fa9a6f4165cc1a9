package docker

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
)

// A build container a killed devbox left is removed by the next build;
// a fresh one (a build in progress) is not.
func TestSweepBuildContainers(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	cfg := &container.Config{Image: "debian:12", Cmd: []string{"true"},
		Labels: map[string]string{LabelKind: "build", LabelHash: "sweep-test"}}
	c, err := b.cli.ContainerCreate(ctx, cfg, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}) })
	exists := func() bool { _, err := b.cli.ContainerInspect(ctx, c.ID); return err == nil }
	b.sweepBuildContainers(ctx, time.Now())
	if !exists() {
		t.Fatal("a fresh build container was removed")
	}
	b.sweepBuildContainers(ctx, time.Now().Add(staleBuildAge+time.Minute))
	if exists() {
		t.Error("a stale build container was kept")
	}
}
