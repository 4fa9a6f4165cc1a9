package tools

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
)

func TestName(t *testing.T) {
	if got := Name("shop", "report", 1000); got != "devbox-tool-shop-report-u1000" {
		t.Errorf("Name = %q", got)
	}
	long := Name(strings.Repeat("p", 40), strings.Repeat("t", 40), 1000)
	if len(long) > 63 || !strings.HasPrefix(long, "devbox-tool-ppp") {
		t.Errorf("long name %q (%d)", long, len(long))
	}
	if long == Name(strings.Repeat("p", 40), strings.Repeat("t", 40), 1001) {
		t.Error("shortened names of two users collide")
	}
}

func TestHash(t *testing.T) {
	a := &envfile.Tool{Name: "x", Image: "debian/12", Platform: "linux/386", Packages: []string{"p"}, Command: []string{"a"}}
	b := *a
	b.Command = []string{"b"}
	b.Env = map[string]string{"K": "v"}
	if Hash(a, "sha256:1") != Hash(&b, "sha256:1") {
		t.Error("command and env must not change the container")
	}
	for _, change := range []func(*envfile.Tool){
		func(t *envfile.Tool) { t.Platform = "" },
		func(t *envfile.Tool) { t.Packages = nil },
		func(t *envfile.Tool) { t.Provision = []string{"true"} },
	} {
		c := *a
		change(&c)
		if Hash(a, "sha256:1") == Hash(&c, "sha256:1") {
			t.Errorf("change %+v kept the hash", c)
		}
	}
	if Hash(a, "sha256:1") == Hash(a, "sha256:2") {
		t.Error("a new base image kept the hash")
	}
}

func TestCandidates(t *testing.T) {
	cases := []struct {
		image, platform string
		docker, incus   []string
	}{
		{"debian/12", "", []string{"debian:12"}, []string{"debian/12"}},
		{"debian/12", "linux/386", []string{"debian:12-i386", "i386/debian:12", "debian:12"}, []string{"debian/12/i386", "debian/12"}},
		{"debian/12", "linux/arm/v7", []string{"debian:12-armhf", "arm32v7/debian:12", "debian:12"}, []string{"debian/12/armhf", "debian/12"}},
		{"images:debian/12", "linux/386", nil, []string{"images:debian/12/i386", "images:debian/12"}},
		{"debian/12/i386", "linux/386", []string{"debian/12/i386:latest-i386", "debian/12/i386"}, []string{"debian/12/i386"}},
		{"registry.example.com/team/tool:1.2", "linux/386", []string{"registry.example.com/team/tool:1.2-i386", "registry.example.com/team/tool:1.2"}, nil},
		{"localhost:5000/tool", "linux/386", []string{"localhost:5000/tool:latest-i386", "localhost:5000/tool"}, nil},
	}
	for _, c := range cases {
		if got := DockerCandidates(c.image, c.platform); c.docker != nil && !reflect.DeepEqual(got, c.docker) {
			t.Errorf("DockerCandidates(%q, %q) = %q, want %q", c.image, c.platform, got, c.docker)
		}
		if c.incus == nil {
			continue
		}
		if got := IncusCandidates(c.image, c.platform); !reflect.DeepEqual(got, c.incus) {
			t.Errorf("IncusCandidates(%q, %q) = %q, want %q", c.image, c.platform, got, c.incus)
		}
	}
}

func TestEnviron(t *testing.T) {
	tool := &envfile.Tool{Env: map[string]string{"A": "1", "JAVA_OPTS": "from-file"}, PassEnv: []string{"JAVA_OPTS", "UNSET"}}
	host := map[string]string{"JAVA_OPTS": "-Xmx1g", "TERM": "screen", "SECRET": "no"}
	lookup := func(k string) (string, bool) { v, ok := host[k]; return v, ok }
	got := Environ(tool, lookup, false)
	want := map[string]string{"A": "1", "JAVA_OPTS": "-Xmx1g"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Environ = %v, want %v", got, want)
	}
	if got := Environ(tool, lookup, true)["TERM"]; got != "screen" {
		t.Errorf("TERM with a TTY = %q", got)
	}
	if l := List(want); !reflect.DeepEqual(l, []string{"A=1", "JAVA_OPTS=-Xmx1g"}) {
		t.Errorf("List = %q", l)
	}
}

func TestCheckWorkdir(t *testing.T) {
	for _, ok := range []string{"/home/u/project", "/tmp/x", "/srv/app", "/var/tmp/x", "/usr/src/linux"} {
		if err := CheckWorkdir(ok); err != nil {
			t.Errorf("CheckWorkdir(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"/", "/usr", "/etc", "/proc/1", "/sys/fs", "/dev/shm", "relative", "/usr/"} {
		if err := CheckWorkdir(bad); err == nil {
			t.Errorf("CheckWorkdir(%q) accepted", bad)
		}
	}
}

func TestNSPid(t *testing.T) {
	if got := NSPid(os.Getpid()); got <= 0 {
		t.Errorf("NSPid(self) = %d", got)
	}
	if got := NSPid(1 << 30); got != 0 {
		t.Errorf("NSPid(no such pid) = %d", got)
	}
}

// TestNoImageErrorSaysHowToGetOne: the message names a user's command for
// the engine, never a CI script.
func TestNoImageErrorSaysHowToGetOne(t *testing.T) {
	d := NoImageError("docker", "debian/12", "linux/386", DockerCandidates("debian/12", "linux/386"), nil).Error()
	if !strings.Contains(d, "docker pull --platform linux/386 debian:12") || !strings.Contains(d, "as debian:12-i386") {
		t.Errorf("docker: %s", d)
	}
	l := NoImageError("lxc", "debian/12", "linux/386", IncusCandidates("debian/12", "linux/386"), nil).Error()
	if !strings.Contains(l, "incus image copy images:debian/12/i386 local: --alias debian/12/i386") {
		t.Errorf("lxc: %s", l)
	}
	if strings.Contains(d+l, ".ci/") || strings.Contains(d+l, "sudo") {
		t.Errorf("names a CI script: %s %s", d, l)
	}
}
