package lxc

import (
	"net"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// threeTier is the 3-service example: web serves what it reads from db and
// cache (busybox httpd everywhere), found through discovery variables.
func threeTier(project string) *envfile.Environment {
	serve := func(name string, port int) []string {
		return []string{"/bin/sh", "-c", "mkdir -p /srv/" + name + " && echo " + name + "-ok >/srv/" + name + "/index.html && exec busybox httpd -f -p " + itoa(port) + " -h /srv/" + name}
	}
	web := `mkdir -p /tmp/www && cd /tmp/www && while true; do
  echo "db=$(busybox wget -q -O- http://$DB_HOST:$DB_PORT_5432_TCP_PORT/) cache=$(busybox wget -q -O- $(echo $CACHE_PORT | sed s,^tcp:,http:,)/)" >index.tmp && mv index.tmp index.html
  sleep 0.5; done & exec busybox httpd -f -p 8080 -h /tmp/www`
	return &envfile.Environment{
		Project: project, Backend: "lxc", Image: "debian/12",
		Services: []envfile.Service{
			{Name: "db", Command: serve("db", 5432),
				Ports: []envfile.Port{{Name: "pg", Port: 5432, Protocol: "tcp"}}, Env: map[string]string{"PGDATA": "/data"}, Restart: "on-failure"},
			{Name: "cache", Command: serve("cache", 6379),
				Ports: []envfile.Port{{Name: "redis", Port: 6379, Protocol: "tcp"}}, Restart: "on-failure"},
			{Name: "web", Command: []string{"/bin/sh", "-c", web}, User: "nobody", Workdir: "/tmp",
				Ports: []envfile.Port{{Name: "http", Port: 8080, Host: 18080, Protocol: "tcp"}}, DependsOn: []string{"db", "cache"}, Restart: "always",
				Health: &envfile.Health{Command: []string{"/bin/sh", "-c", "busybox wget -q -O- http://127.0.0.1:8080/ | grep -q db=db-ok"}, Interval: envfile.Duration(200e6), Retries: 50}},
		},
	}
}

func byRef(rs []engine.Resource) map[engine.Ref]engine.Resource {
	m := map[engine.Ref]engine.Resource{}
	for _, r := range rs {
		m[r.Ref()] = r
	}
	return m
}

func TestDesiredShape(t *testing.T) {
	env := threeTier("shop")
	env.Networks = []envfile.Network{{Name: "lan", Mode: "nat"}}
	env.Volumes = []envfile.Volume{{Name: "data"}}
	env.Services[0].Volumes = map[string]string{"data": "/data"}
	rs, err := Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	m := byRef(rs)
	host, ok := m[engine.Ref{Kind: engine.KindHost, Name: "devbox-shop"}]
	if !ok || len(rs) != 6 {
		t.Fatalf("resources = %+v", rs)
	}
	if len(host.Needs) != 2 {
		t.Errorf("host needs = %v", host.Needs)
	}
	web := m[engine.Ref{Kind: engine.KindService, Name: "web"}]
	if len(web.Needs) != 1 || web.Needs[0] != host.Ref() || len(web.After) != 2 {
		t.Errorf("web = %+v", web)
	}
}

// A file without networks gets the default network (nat), as on docker;
// one with networks gets only those.
func TestDesiredDefaultNetwork(t *testing.T) {
	rs, err := Desired(threeTier("shop"))
	if err != nil {
		t.Fatal(err)
	}
	m := byRef(rs)
	def := engine.Ref{Kind: engine.KindNetwork, Name: DefaultNetwork}
	host := m[engine.Ref{Kind: engine.KindHost, Name: "devbox-shop"}]
	if _, ok := m[def]; !ok || len(host.Needs) != 1 || host.Needs[0] != def {
		t.Errorf("resources %+v", rs)
	}
	if n := network(threeTier("shop"), DefaultNetwork); n == nil || n.Mode != envfile.NetworkNAT {
		t.Errorf("default network %+v", n)
	}
	env := threeTier("shop")
	env.Networks = []envfile.Network{{Name: "lan", Mode: "isolated"}}
	rs, _ = Desired(env)
	if _, ok := byRef(rs)[def]; ok {
		t.Errorf("default network next to a declared one: %+v", rs)
	}
}

func TestHashesSeparateHostAndService(t *testing.T) {
	a, _ := Desired(threeTier("p"))
	env := threeTier("p")
	env.Services[1].Command = append(env.Services[1].Command, "x")
	b, _ := Desired(env)
	ma, mb := byRef(a), byRef(b)
	for ref, ra := range ma {
		changed := ra.Hash != mb[ref].Hash
		if want := ref.Name == "cache"; changed != want {
			t.Errorf("%s: hash changed = %v, want %v", ref, changed, want)
		}
	}
	// A package or a step rebuilds the host.
	for _, mut := range []func(*envfile.Environment){
		func(e *envfile.Environment) { e.Services[0].Packages = []string{"x"} },
		func(e *envfile.Environment) { e.Services[2].Provision = []string{"true"} },
		func(e *envfile.Environment) { e.LXC.Limits.CPU = 2 },
	} {
		env := threeTier("p")
		mut(env)
		c, _ := Desired(env)
		if byRef(c)[engine.Ref{Kind: engine.KindHost, Name: "devbox-p"}].Hash == ma[engine.Ref{Kind: engine.KindHost, Name: "devbox-p"}].Hash {
			t.Errorf("host hash unchanged by a mutation")
		}
	}
}

// A forwarded port is applied live: changing one's host port, or adding a
// service that forwards one, changes that service's hash only.
func TestPortsAreNotInTheHostHash(t *testing.T) {
	base, _ := Desired(threeTier("p"))
	mb := byRef(base)
	for name, c := range map[string]struct {
		mut     func(*envfile.Environment)
		changed string
	}{
		"host port": {func(e *envfile.Environment) { e.Services[2].Ports[0].Host = 18081 }, "web"},
		"service added": {func(e *envfile.Environment) {
			e.Services = append(e.Services, envfile.Service{Name: "admin", Command: []string{"sleep", "1"},
				Ports: []envfile.Port{{Name: "h", Port: 8081, Host: 18082, Protocol: "tcp"}}})
		}, "admin"},
	} {
		env := threeTier("p")
		c.mut(env)
		got, _ := Desired(env)
		for ref, r := range byRef(got) {
			old, had := mb[ref]
			if changed := !had || r.Hash != old.Hash; changed != (ref.Name == c.changed) {
				t.Errorf("%s: %s changed = %v", name, ref, changed)
			}
		}
	}
}

// Editing one service's env changes that service's hash only; the others'
// units still carry it (DB_ENV_X) when they are written.
func TestOneEnvEditChangesOneHash(t *testing.T) {
	base, _ := Desired(threeTier("p"))
	mb := byRef(base)
	for i, s := range threeTier("p").Services {
		t.Run(s.Name, func(t *testing.T) {
			env := threeTier("p")
			if env.Services[i].Env == nil {
				env.Services[i].Env = map[string]string{}
			}
			env.Services[i].Env["X"] = "1"
			got, _ := Desired(env)
			for ref, r := range byRef(got) {
				if want := ref.Kind == engine.KindService && ref.Name == s.Name; (r.Hash != mb[ref].Hash) != want {
					t.Errorf("%s: hash changed = %v, want %v", ref, r.Hash != mb[ref].Hash, want)
				}
			}
			unit := renderUnit(env.Service("web"), serviceEnv(env, env.Service("web")))
			if i == 0 && !strings.Contains(unit, `Environment="DB_ENV_X=1"`) {
				t.Errorf("web's unit lacks DB_ENV_X:\n%s", unit)
			}
		})
	}
}

// A change to where db is (its port) changes the hash of the services
// that depend on db (web), not of the others (cache). (db's own unit does
// not name the port: its command does.)
func TestPortChangeChangesDependants(t *testing.T) {
	base, _ := Desired(threeTier("p"))
	env := threeTier("p")
	env.Services[0].Ports[0].Port = 5433
	got, _ := Desired(env)
	mb, mg := byRef(base), byRef(got)
	for name, want := range map[string]bool{"web": true, "cache": false} {
		ref := engine.Ref{Kind: engine.KindService, Name: name}
		if changed := mg[ref].Hash != mb[ref].Hash; changed != want {
			t.Errorf("%s: hash changed by db's port = %v, want %v", name, changed, want)
		}
	}
}

func TestDesiredRejectsSharedPort(t *testing.T) {
	env := threeTier("p")
	env.Services[1].Ports[0].Port = 5432
	if _, err := Desired(env); err == nil || !strings.Contains(err.Error(), "both listen on 5432/tcp") {
		t.Fatalf("err = %v", err)
	}
}

func TestNames(t *testing.T) {
	if n := NetworkName("a-very-long-project-name", "network-name"); len(n) != 15 {
		t.Errorf("NetworkName = %q (%d chars)", n, len(n))
	}
	if n := InstanceName(strings.Repeat("x", 70)); len(n) > 63 {
		t.Errorf("InstanceName too long: %q", n)
	}
	if NetworkName("p", "a") == NetworkName("p", "b") || NetworkName("p", "a") == NetworkName("q", "a") {
		t.Error("network names collide")
	}
}

func TestRenderUnit(t *testing.T) {
	svc := &envfile.Service{Name: "web", Command: []string{"/bin/sh", "-c", `echo "$HOME" 100% \ok`}, User: "www-data",
		Workdir: "/srv", DependsOn: []string{"db"}, Restart: "unless-stopped"}
	u := renderUnit(svc, map[string]string{"B": `a "q"`, "A": "x y"})
	for _, want := range []string{
		`ExecStart="/bin/sh" "-c" "if command -v bash`,
		`"devbox-web" "/bin/sh" "-c" "echo \"$$HOME\" 100%% \\ok"` + "\n", "SyslogIdentifier=sh\n",
		"User=www-data\n", "WorkingDirectory=/srv\n",
		"Environment=\"A=x y\"\nEnvironment=\"B=a \\\"q\\\"\"\n",
		"After=devbox-db.service\n", "Wants=devbox-db.service\n", "Restart=always\n",
	} {
		if !strings.Contains(u, want) {
			t.Errorf("unit lacks %q:\n%s", want, u)
		}
	}
	if u2 := renderUnit(&envfile.Service{Name: "x"}, nil); !strings.Contains(u2, "Type=oneshot") {
		t.Errorf("no-command unit:\n%s", u2)
	}
}

func TestPickSubnet(t *testing.T) {
	cidr := func(s string) *net.IPNet { _, n, _ := net.ParseCIDR(s); return n }
	first, err := pickSubnet("seed", nil)
	if err != nil {
		t.Fatal(err)
	}
	if ip := first.IP.To4(); ip[0] != 10 || ip[1] < 201 || ip[1] > 254 || ip[3] != 0 {
		t.Errorf("picked %s outside the range", first)
	}
	again, _ := pickSubnet("seed", []*net.IPNet{first})
	if again.String() == first.String() {
		t.Errorf("picked a taken subnet %s", again)
	}
	// A route covering everything but one /24 leaves exactly that one.
	all := []*net.IPNet{cidr("10.201.0.0/16"), cidr("10.202.0.0/15"), cidr("10.204.0.0/14"), cidr("10.208.0.0/12"),
		cidr("10.224.0.0/12"), cidr("10.240.0.0/13"), cidr("10.248.0.0/14"), cidr("10.252.0.0/15"), cidr("10.254.0.0/17"),
		cidr("10.254.128.0/18"), cidr("10.254.192.0/19"), cidr("10.254.224.0/20"), cidr("10.254.240.0/21"), cidr("10.254.248.0/22"),
		cidr("10.254.252.0/23"), cidr("10.254.255.0/24")}
	got, err := pickSubnet("other", all)
	if err != nil || got.String() != "10.254.254.0/24" {
		t.Errorf("pickSubnet = %v, %v; want 10.254.254.0/24", got, err)
	}
	if _, err := pickSubnet("x", []*net.IPNet{cidr("10.0.0.0/8")}); err == nil {
		t.Error("want an error when everything is taken")
	}
	if g := gateway(cidr("10.201.7.0/24")); g != "10.201.7.1/24" {
		t.Errorf("gateway = %s", g)
	}
}

// replicated is a front end in front of a worker with replicas = 2 in
// the file, scaled to counts (nil: the file's).
func replicated(t *testing.T, counts map[string]int) *envfile.Environment {
	t.Helper()
	two := 2
	env := &envfile.Environment{Project: "p", Backend: "lxc", Image: "debian/12", Services: []envfile.Service{
		{Name: "worker", Replicas: &two, Command: []string{"sh", "-c", "exec python3 -m http.server $DEVBOX_PORT"},
			Packages: []string{"python3"}, Provision: []string{"true"}, Volumes: map[string]string{"data": "/data"}},
		{Name: "front", Command: []string{"sleep", "infinity"}, DependsOn: []string{"worker"},
			Ports: []envfile.Port{{Name: "http", Port: 8080, Host: 18080, Protocol: "tcp"}}},
	}, Volumes: []envfile.Volume{{Name: "data"}}}
	if err := env.ExpandReplicas(counts); err != nil {
		t.Fatal(err)
	}
	return env
}

// Scaling changes no hash but the replicas' own: not a kept replica's
// (its hash is its index's, not the count's), not a dependant's, not the
// instance's, at 0 replicas neither.
func TestScalingChangesNoOtherHash(t *testing.T) {
	two, err := Desired(replicated(t, map[string]int{"worker": 2}))
	if err != nil {
		t.Fatal(err)
	}
	m2 := byRef(two)
	for _, n := range []int{4, 1, 0} {
		rs, err := Desired(replicated(t, map[string]int{"worker": n}))
		if err != nil {
			t.Fatal(err)
		}
		m := byRef(rs)
		for ref, r := range m2 {
			got, ok := m[ref]
			if strings.HasPrefix(ref.Name, "worker-") && !ok {
				continue // scaled away
			}
			if !ok || got.Hash != r.Hash {
				t.Errorf("worker=%d: %s hash %q, at worker=2 %q", n, ref, got.Hash, r.Hash)
			}
		}
		front := m[engine.Ref{Kind: engine.KindService, Name: "front"}]
		if len(front.After) != n {
			t.Errorf("worker=%d: front after %v, want every replica", n, front.After)
		}
	}
	// Nor does a service becoming replicated: front depends on the
	// declared worker, whose unit name and address stay.
	env := replicated(t, nil)
	env.Declared[0].Replicas = nil
	if err := env.ExpandReplicas(nil); err != nil {
		t.Fatal(err)
	}
	plain, err := Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []engine.Ref{{Kind: engine.KindHost, Name: "devbox-p"}, {Kind: engine.KindService, Name: "front"}} {
		if byRef(plain)[kind].Hash != m2[kind].Hash {
			t.Errorf("%s: hash changed when worker became replicated", kind)
		}
	}
}

func TestReplicaPortIsAnError(t *testing.T) {
	env := replicated(t, nil)
	env.Declared[0].Ports = []envfile.Port{{Name: "http", Port: 8000, Protocol: "tcp"}}
	// Another service on the port too: the replicas' error still comes first.
	env.Declared[1].Ports = append(env.Declared[1].Ports, envfile.Port{Name: "alt", Port: 8000, Protocol: "tcp"})
	if err := env.ExpandReplicas(map[string]int{"worker": 3}); err != nil {
		t.Fatal(err)
	}
	_, err := Desired(env)
	want := `lxc: service "worker": its 3 replicas share the instance's network, so they cannot all listen on port 8000; ` +
		`drop the port block and have the command listen on $DEVBOX_PORT (each replica gets a free port of its own), or run it with backend = "docker"`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	// One replica may listen on it.
	env.Declared[1].Ports = env.Declared[1].Ports[:1]
	if err := env.ExpandReplicas(map[string]int{"worker": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Desired(env); err != nil {
		t.Errorf("one replica with a port: %v", err)
	}
}

// A replica is a template instance defined by its drop-in; a dependant
// names the declared service's unit.
func TestReplicaUnits(t *testing.T) {
	env := replicated(t, nil)
	w2 := env.Service("worker-2")
	if got := unitOf(w2); got != "devbox-worker@2.service" {
		t.Fatalf("unit of worker-2 = %s", got)
	}
	text := renderUnit(w2, serviceEnv(env, w2))
	for _, want := range []string{"Environment=\"DEVBOX_REPLICA=2\"\n", "Environment=\"DEVBOX_PORT=", "Slice=system.slice\n",
		`"sh" "-c" "exec python3 -m http.server $$DEVBOX_PORT"`} {
		if !strings.Contains(text, want) {
			t.Errorf("replica unit lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "[Install]") {
		t.Errorf("a drop-in with [Install]:\n%s", text)
	}
	files := unitFiles(w2, text)
	if len(files) != 2 || files[0].path != "/etc/systemd/system/devbox-worker@.service" || files[0].wants != "" ||
		files[1].path != "/etc/systemd/system/devbox-worker@2.service.d/devbox.conf" ||
		files[1].wants != "/etc/systemd/system/multi-user.target.wants/devbox-worker@2.service" || files[1].target != "../devbox-worker@.service" {
		t.Errorf("files = %+v", files)
	}
	if tmpl := renderTemplate("worker"); strings.Contains(tmpl, "ExecStart") || strings.Contains(tmpl, "[Install]") {
		t.Errorf("template:\n%s", tmpl)
	}
	front := env.Service("front")
	if u := renderUnit(front, nil); !strings.Contains(u, "After=devbox-worker.service\n") {
		t.Errorf("front:\n%s", u)
	}
	names := strings.Join(hostNames(env), " ")
	if names != "worker-1 worker-2 front worker" {
		t.Errorf("hosts names = %q", names)
	}
}

// Removals go by the labels: a replica takes its drop-in and link, the
// template goes with the last replica.
func TestUnitRemovals(t *testing.T) {
	config := map[string]string{
		keyService + "web": "h", keyService + "worker-1": "h", keyService + "worker-2": "h", keyService + "worker-3": "h",
		keyReplica + "worker-1": "worker", keyReplica + "worker-2": "worker", keyReplica + "worker-3": "worker",
	}
	units, files := unitRemovals(config, []string{"worker-3", "worker-2"})
	if strings.Join(units, " ") != "devbox-worker@3.service devbox-worker@2.service" {
		t.Errorf("units = %v", units)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "@.service") {
			t.Errorf("template removed while worker-1 is left: %v", files)
		}
	}
	if len(files) != 6 || files[0] != "/etc/systemd/system/devbox-worker@3.service.d/devbox.conf" || files[1] != "/etc/systemd/system/devbox-worker@3.service.d" {
		t.Errorf("files = %v", files)
	}
	_, files = unitRemovals(config, []string{"web", "worker-1", "worker-2", "worker-3"})
	if files[0] != "/etc/systemd/system/devbox-web.service" || files[len(files)-1] != "/etc/systemd/system/devbox-worker@.service" {
		t.Errorf("files = %v", files)
	}
	// A plain service whose name looks like a replica's is a plain unit.
	if u := labelledUnit(map[string]string{keyService + "api-2": "h"}, "api-2"); u != "devbox-api-2.service" {
		t.Errorf("api-2: %s", u)
	}
}

func TestParseScales(t *testing.T) {
	got, err := parseScales("i", `{"worker":{"count":3,"file":"2"}}`)
	if err != nil || got["worker"] != (engine.Scale{Count: 3, File: "2"}) {
		t.Errorf("parseScales = %v, %v", got, err)
	}
	if got, err := parseScales("i", ""); err != nil || got == nil || len(got) != 0 {
		t.Errorf("none = %v, %v", got, err)
	}
	if _, err := parseScales("i", "{"); err == nil || !strings.Contains(err.Error(), "incus config unset i user.devbox.scale") {
		t.Errorf("bad record: %v", err)
	}
}

// exec takes a replica's name; a replicated service's declared name is
// refused with its replicas (the command line resolves it first).
func TestReplicaAddressing(t *testing.T) {
	env := replicated(t, map[string]int{"worker": 3})
	if s, err := execService(env, "worker-3"); err != nil || s.Name != "worker-3" {
		t.Errorf("exec worker-3: %v, %v", s, err)
	}
	if s, err := execService(env, "front"); err != nil || s.Name != "front" {
		t.Errorf("exec front: %v, %v", s, err)
	}
	if _, err := execService(env, "worker"); err == nil || !strings.Contains(err.Error(), "worker-1, worker-2, worker-3: name one") {
		t.Errorf("exec worker: %v", err)
	}
	if _, err := execService(env, "worker-4"); err == nil || !strings.Contains(err.Error(), `no service "worker-4"`) {
		t.Errorf("exec of a replica beyond the count: %v", err)
	}
	env = replicated(t, map[string]int{"worker": 0})
	if _, err := execService(env, "worker"); err == nil || !strings.Contains(err.Error(), "devbox scale worker=1") {
		t.Errorf("exec at 0 replicas: %v", err)
	}
	// Stop goes by the observed unit, else the file's.
	if u := stopUnit(env, engine.Resource{Kind: engine.KindService, Name: "worker-2", ID: "devbox-worker@2.service"}); u != "devbox-worker@2.service" {
		t.Errorf("stop unit = %s", u)
	}
}
