package lxc

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// stepsEnv has three provision steps that each log which instance ran them.
func stepsEnv(project, nonce string) *envfile.Environment {
	step := func(n string) string { return fmt.Sprintf(`echo "%s-%s $(hostname)" >>/steps.log`, n, nonce) }
	return &envfile.Environment{Project: project, Image: "debian/12", Services: []envfile.Service{{
		Name: "app", Packages: []string{"busybox", "procps"}, // installed already: works offline
		Provision: []string{step("s1"), step("s2")}, Command: []string{"sleep", "infinity"},
	}, {
		Name: "worker", Provision: []string{step("s3")}, Command: []string{"sleep", "infinity"},
	}}}
}

func stepsLog(t *testing.T, b *Backend, env *envfile.Environment) []string {
	t.Helper()
	out, err := b.output(testCtx(t), InstanceName(env.Project), "cat", "/steps.log")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(out), "\n")
}

func TestLayerCache(t *testing.T) {
	b := newBackend(t)
	testenv.CacheShared(t) // its second environment needs the first one's layers
	nonce := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	a := stepsEnv(testenv.Project(t, "lxca"), nonce)
	bb := stepsEnv(testenv.Project(t, "lxcb"), nonce)
	cleanup(t, b, a)
	cleanup(t, b, bb)
	var keys []string
	t.Cleanup(func() {
		more, _ := b.CacheKeys(testCtx(t), bb)
		keys = append(keys, more...)
		_, err := b.PruneCache(testCtx(t), func(e engine.CacheEntry) bool { return slices.Contains(keys, e.Name) })
		if err != nil {
			t.Error(err)
		}
	})
	var err error
	if keys, err = b.CacheKeys(testCtx(t), a); err != nil {
		t.Fatal(err)
	}

	up(t, b, a)
	ia := InstanceName(a.Project)
	want := []string{"s1-" + nonce + " " + ia, "s2-" + nonce + " " + ia, "s3-" + nonce + " " + ia}
	if got := stepsLog(t, b, a); !slices.Equal(got, want) {
		t.Fatalf("first build ran %q, want %q", got, want)
	}
	list, err := b.Cache(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range list {
		if slices.Contains(keys, e.Name) {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d cached layers, want 4 (packages + 3 steps)", n)
	}

	// A second environment from the same file provisions nothing.
	up(t, b, bb)
	if got := stepsLog(t, b, bb); !slices.Equal(got, want) {
		t.Errorf("second environment: steps log %q, want %q (all from the cache)", got, want)
	}

	// Changing the last step runs only that step.
	bb.Services[1].Provision = []string{fmt.Sprintf(`echo "s3b-%s $(hostname)" >>/steps.log`, nonce)}
	p := up(t, b, bb)
	if ops(p)["host/"+InstanceName(bb.Project)] != engine.OpReplace {
		t.Errorf("changed step did not replace the host: %v", ops(p))
	}
	want[2] = "s3b-" + nonce + " " + InstanceName(bb.Project)
	if got := stepsLog(t, b, bb); !slices.Equal(got, want) {
		t.Errorf("after changing the last step: %q, want %q", got, want)
	}
}

// TestCacheEntryForwardLosesNothing: the lxc-only CacheEntry that
// CacheList and CachePrune still hand to cacher.go converts back to the
// engine's entry unchanged.
func TestCacheEntryForwardLosesNothing(t *testing.T) {
	e := engine.CacheEntry{Name: cachePrefix + "abc", ID: "f1e2", Step: 3, Size: 4096,
		Created: time.Unix(1700000000, 0).UTC(), LastUsed: time.Unix(1700000600, 0).UTC()}
	if got := toEntry(fromEntry(e)); got != e {
		t.Errorf("round trip: %+v, want %+v", got, e)
	}
}
