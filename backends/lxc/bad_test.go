package lxc

import (
	"net"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// Bad input gives a clear error and leaves nothing behind.
func TestBadCasesCreateNothing(t *testing.T) {
	b := newBackend(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	routes := hostRoutes() // a subnet the host has a route for
	if len(routes) == 0 {
		t.Fatal("no host routes")
	}
	hostSubnet := routes[len(routes)-1].String()

	for _, tc := range []struct {
		name string
		mut  func(*envfile.Environment)
		want string
	}{
		{"missing image", func(e *envfile.Environment) { e.Image = "nosuch/42" }, `image "nosuch/42" not found`},
		{"port in use", func(e *envfile.Environment) { e.Services[0].Ports[0].Host = busyPort }, "is not free: held by process"},
		{"subnet clash", func(e *envfile.Environment) {
			e.Networks = append(e.Networks, envfile.Network{Name: "lan", Mode: "isolated", Subnet: hostSubnet})
		}, "subnet " + hostSubnet + " overlaps"},
		{"service port conflict", func(e *envfile.Environment) {
			e.Services = append(e.Services, envfile.Service{Name: "other", Ports: []envfile.Port{{Port: 8080}}})
		}, "both listen on 8080/tcp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := webEnv(testenv.Project(t, "lxbad"))
			env.Volumes = []envfile.Volume{{Name: "data"}}
			env.Networks = []envfile.Network{{Name: "net", Mode: "isolated"}}
			tc.mut(env)
			cleanup(t, b, env)
			err := tryUp(t, b, env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			nothingMade(t, b, env)
		})
	}
}
