package discovery

import (
	"reflect"
	"testing"

	"github.com/devbox-dev/devbox/envfile"
)

func testEnv() *envfile.Environment {
	return &envfile.Environment{Services: []envfile.Service{
		{Name: "web", Ports: []envfile.Port{{Name: "http", Port: 8080, Host: 18080}}},
		{Name: "db", Env: map[string]string{"PGDATA": "/d", "PATH": "/x", "HOME": "/h"},
			Ports: []envfile.Port{{Name: "pg", Port: 5432, Host: 15432, HostIP: "127.0.0.2"}}},
		{Name: "my-cache", Ports: []envfile.Port{{Port: 9000, Protocol: "udp"}, {Port: 6379}}},
		{Name: "worker"},
	}}
}

func TestVarsMatchDockerLinks(t *testing.T) {
	got := Vars(testEnv(), "web", func(s string) string { return s })
	want := map[string]string{
		"DB_HOST":                      "db",
		"DB_NAME":                      "/web/db",
		"DB_PORT":                      "tcp://db:5432",
		"DB_PORT_5432_TCP":             "tcp://db:5432",
		"DB_PORT_5432_TCP_ADDR":        "db",
		"DB_PORT_5432_TCP_PORT":        "5432",
		"DB_PORT_5432_TCP_PROTO":       "tcp",
		"DB_ENV_PGDATA":                "/d",
		"MY_CACHE_HOST":                "my-cache",
		"MY_CACHE_NAME":                "/web/my-cache",
		"MY_CACHE_PORT":                "tcp://my-cache:6379", // TCP sorts before UDP
		"MY_CACHE_PORT_6379_TCP":       "tcp://my-cache:6379",
		"MY_CACHE_PORT_6379_TCP_ADDR":  "my-cache",
		"MY_CACHE_PORT_6379_TCP_PORT":  "6379",
		"MY_CACHE_PORT_6379_TCP_PROTO": "tcp",
		"MY_CACHE_PORT_9000_UDP":       "udp://my-cache:9000",
		"MY_CACHE_PORT_9000_UDP_ADDR":  "my-cache",
		"MY_CACHE_PORT_9000_UDP_PORT":  "9000",
		"MY_CACHE_PORT_9000_UDP_PROTO": "udp",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Vars:\n got %v\nwant %v", got, want)
	}
}

func TestHostVarsUseForwardedPorts(t *testing.T) {
	got := HostVars(testEnv())
	if got["DB_PORT_15432_TCP_ADDR"] != "127.0.0.2" || got["WEB_HOST"] != "127.0.0.1" {
		t.Errorf("HostVars = %v", got)
	}
	if _, ok := got["MY_CACHE_HOST"]; ok {
		t.Errorf("unforwarded service in host vars: %v", got)
	}
}

func TestMergeOwnWins(t *testing.T) {
	got := Merge(map[string]string{"A": "1", "B": "2"}, map[string]string{"B": "3"})
	if got["A"] != "1" || got["B"] != "3" {
		t.Errorf("Merge = %v", got)
	}
	if l := List(got); !reflect.DeepEqual(l, []string{"A=1", "B=3"}) {
		t.Errorf("List = %v", l)
	}
}

// Vars is exactly Links and PeerEnv; only PeerEnv holds <NAME>_ENV_ keys.
func TestVarsSplitIntoLinksAndPeerEnv(t *testing.T) {
	addr := func(s string) string { return s }
	links, peer := Links(testEnv(), "web", addr), PeerEnv(testEnv(), "web")
	if !reflect.DeepEqual(Merge(links, peer), Vars(testEnv(), "web", addr)) {
		t.Errorf("Links+PeerEnv != Vars")
	}
	if !reflect.DeepEqual(peer, map[string]string{"DB_ENV_PGDATA": "/d"}) {
		t.Errorf("PeerEnv = %v", peer)
	}
	if _, ok := links["DB_ENV_PGDATA"]; ok || links["DB_PORT"] != "tcp://db:5432" {
		t.Errorf("Links = %v", links)
	}
	env := testEnv()
	web := &env.Services[0]
	web.Env = map[string]string{"DB_HOST": "override", "OWN": "1"}
	h, all := HashedEnv(env, web, addr), ServiceEnv(env, web, addr)
	if h["DB_HOST"] != "override" || h["OWN"] != "1" || h["DB_ENV_PGDATA"] != "" {
		t.Errorf("HashedEnv = %v", h)
	}
	if all["DB_HOST"] != "override" || all["DB_ENV_PGDATA"] != "/d" {
		t.Errorf("ServiceEnv = %v", all)
	}
}

// HashedLinks holds the links to what a service depends on (transitively)
// only: a service added, or moved, that it does not depend on leaves its
// hash alone; a dependency's port change does not.
func TestHashedLinksFollowDependsOn(t *testing.T) {
	addr := func(s string) string { return s }
	env := testEnv()
	env.Services[0].DependsOn = []string{"db"}
	env.Services[1].DependsOn = []string{"my-cache"}
	h := HashedLinks(env, "web", addr)
	if h["DB_PORT"] != "tcp://db:5432" || h["MY_CACHE_PORT"] != "tcp://my-cache:6379" {
		t.Errorf("links to dependencies (db, and my-cache through db) missing: %v", h)
	}
	if _, ok := HashedLinks(env, "worker", addr)["DB_PORT"]; ok {
		t.Error("worker depends on nothing, yet db's links are in its hash")
	}
	before := HashedLinks(env, "web", addr)
	added := testEnv()
	added.Services[0].DependsOn = []string{"db"}
	added.Services[1].DependsOn = []string{"my-cache"}
	added.Services = append(added.Services, envfile.Service{Name: "db-admin", Ports: []envfile.Port{{Port: 8081}}})
	if after := HashedLinks(added, "web", addr); !reflect.DeepEqual(before, after) {
		t.Errorf("adding db-admin changed web's hashed links:\n%v\n%v", before, after)
	}
	if _, ok := Links(added, "web", addr)["DB_ADMIN_PORT"]; !ok {
		t.Error("web is not given db-admin's links at all")
	}
	added.Services[1].Ports[0].Port = 5433
	if after := HashedLinks(added, "web", addr); after["DB_PORT"] != "tcp://db:5433" {
		t.Errorf("db's port change not in web's hashed links: %v", after)
	}
}
