package docker

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// assertNothing fails if the project has any object.
func assertNothing(t *testing.T, b *Backend, project string) {
	t.Helper()
	obs, err := b.Observe(context.Background(), project)
	if err != nil || len(obs) != 0 {
		t.Errorf("objects were created: %+v %v", obs, err)
	}
}

func TestPreflightUnknownImage(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkbadimg")
	// A registry on a closed local port: the pull fails at once, offline.
	img := "127.0.0.1:1/devbox/no-such-image:1"
	env := &envfile.Environment{Project: p, Image: img, Services: []envfile.Service{{Name: "app"}}}
	err := b.Preflight(context.Background(), env)
	if err == nil {
		t.Fatal("preflight passed with an unknown image")
	}
	t.Log(err)
	for _, want := range []string{img, "devbox doctor", "pulling it failed", "is not available"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	assertNothing(t, b, p)
	// Create alone fails the same way, before making the container.
	if _, err := up(t, b, env); err == nil || !strings.Contains(err.Error(), img) {
		t.Errorf("up: %v", err)
	}
	if _, err := b.cli.ContainerInspect(context.Background(), ContainerName(p, "app")); !notFound(err) {
		t.Errorf("container exists: %v", err)
	}
}

func TestPreflightPortInUse(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkbadport")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	env := &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{{Name: "web",
		Command: []string{"sleep", "infinity"}, Ports: []envfile.Port{{Port: 80, Host: port}}}}}
	err = b.Preflight(context.Background(), env)
	if err == nil {
		t.Fatal("preflight passed with the port taken")
	}
	t.Log(err)
	for _, want := range []string{fmt.Sprintf("127.0.0.1:%d", port), `service "web"`, fmt.Sprintf("process %d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	assertNothing(t, b, p)
	if _, err := up(t, b, env); err == nil || !strings.Contains(err.Error(), "is not free") {
		t.Errorf("up: %v", err)
	}
	if _, err := b.cli.ContainerInspect(context.Background(), ContainerName(p, "web")); !notFound(err) {
		t.Errorf("container exists: %v", err)
	}
}

func TestPreflightMissingMount(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dkbadmnt")
	missing := filepath.Join(t.TempDir(), "nope")
	env := &envfile.Environment{Project: p, Image: debianImage,
		Mounts:   []envfile.Mount{{Name: "src", Source: missing, Target: "/src"}},
		Services: []envfile.Service{{Name: "app", Command: []string{"sleep", "infinity"}, Mounts: []string{"src"}}}}
	err := b.Preflight(context.Background(), env)
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("preflight: %v", err)
	}
	t.Log(err)
	assertNothing(t, b, p)
	if _, err := up(t, b, env); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("up: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("devbox created the mount source: %v", err)
	}
}

func TestPortHeldByContainer(t *testing.T) {
	b := newBackend(t)
	p1 := project(t, b, "dkport1")
	p2 := project(t, b, "dkport2")
	port := freePort(t)
	mk := func(p string) *envfile.Environment {
		return &envfile.Environment{Project: p, Image: debianImage, Services: []envfile.Service{{Name: "web",
			Command: []string{"sleep", "infinity"}, Ports: []envfile.Port{{Port: 80, Host: port}}}}}
	}
	mustUp(t, b, mk(p1))
	// Its own project's port is no conflict.
	if err := b.Preflight(context.Background(), mk(p1)); err != nil {
		t.Errorf("preflight of the running project: %v", err)
	}
	err := b.Preflight(context.Background(), mk(p2))
	if err == nil || !strings.Contains(err.Error(), "published by container "+ContainerName(p1, "web")) {
		t.Errorf("preflight: %v", err)
	}
	t.Log(err)
}

func TestSubnetClash(t *testing.T) {
	b := newBackend(t)
	p := project(t, b, "dksubnet")
	env := &envfile.Environment{Project: p, Image: debianImage,
		Networks: []envfile.Network{{Name: "lan", Mode: envfile.NetworkNAT, Subnet: "127.0.0.0/8"}},
		Services: []envfile.Service{{Name: "app", Networks: []string{"lan"}}}}
	// 127/8 is no route here; use the default bridge's subnet instead.
	nw, err := b.cli.NetworkInspect(context.Background(), "bridge", networkInspectOpts())
	if err != nil || len(nw.IPAM.Config) == 0 {
		testenv.Missing(t, "no default bridge: %v", err)
	}
	env.Networks[0].Subnet = nw.IPAM.Config[0].Subnet
	err = b.Preflight(context.Background(), env)
	if err == nil || !strings.Contains(err.Error(), "overlaps") || !strings.Contains(err.Error(), "docker network bridge") {
		t.Fatalf("preflight: %v", err)
	}
	t.Log(err)
	if _, err := up(t, b, env); err == nil || !strings.Contains(err.Error(), "overlaps") {
		t.Errorf("up: %v", err)
	}
	assertNothing(t, b, p)
}
