package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// plan observes the project and returns what an up of env would do.
func plan(t *testing.T, b *Backend, env *envfile.Environment) engine.Plan {
	t.Helper()
	desired, err := b.Desired(env)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := b.Observe(context.Background(), env.Project)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Up(env.Project, b.Name(), desired, obs)
}

func action(p engine.Plan, ref string) (engine.Action, bool) {
	for _, a := range p.Actions {
		if a.Resource.Ref().String() == ref {
			return a, true
		}
	}
	return engine.Action{}, false
}

func planText(p engine.Plan) string {
	var sb strings.Builder
	_ = p.Write(&sb)
	return sb.String()
}

// TestFaultServiceMissingANetwork: a container that carries its final
// labels but is attached to its first network only (what an interrupted
// create leaves) is replaced by the next up, and answers by name on that
// network again.
func TestFaultServiceMissingANetwork(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkdrift")
	env := &envfile.Environment{Project: p, Image: debianImage,
		Networks: []envfile.Network{{Name: "front", Mode: envfile.NetworkNAT}, {Name: "lan", Mode: envfile.NetworkIsolated}},
		Services: []envfile.Service{
			{Name: "app", Networks: []string{"front", "lan"}},
			{Name: "client", Networks: []string{"lan"}},
		}}
	mustUp(t, b, env)
	if err := b.cli.NetworkDisconnect(ctx, NetworkName(p, "lan"), ContainerName(p, "app"), true); err != nil {
		t.Fatal(err)
	}
	if _, code := execOut(t, b, env, "client", "getent", "hosts", "app"); code == 0 {
		t.Fatal("client still resolves app after the disconnect")
	}
	pl := plan(t, b, env)
	a, _ := action(pl, "service/app")
	if a.Op != engine.OpReplace || !strings.Contains(a.Reason, `not attached to network "lan"`) {
		t.Fatalf("plan does not replace app for its missing network:\n%s", planText(pl))
	}
	mustUp(t, b, env)
	if out, code := execOut(t, b, env, "client", "getent", "hosts", "app"); code != 0 || !strings.Contains(out, " app") {
		t.Errorf("client resolves app after the repair: %q exit %d", out, code)
	}
	if pl := plan(t, b, env); pl.Changes() != 0 {
		t.Errorf("plan after the repair:\n%s", planText(pl))
	}
}

// killWaitVar makes the test binary the devbox that gets killed: it runs
// up of the project it names and never returns on its own.
const killWaitVar = "DEVBOX_TEST_KILLWAIT"

func killWaitEnv(project, markers string) *envfile.Environment {
	return &envfile.Environment{Project: project, Image: debianImage,
		Mounts: []envfile.Mount{{Name: "markers", Source: markers, Target: "/markers", ReadOnly: true}},
		Services: []envfile.Service{
			{Name: "db", Command: []string{"sleep", "infinity"}, Mounts: []string{"markers"},
				Health: &envfile.Health{Command: []string{"test", "-f", "/markers/ready"},
					Interval: envfile.Duration(300 * time.Millisecond), Timeout: envfile.Duration(time.Second), Retries: 8}},
			{Name: "web", Command: []string{"sleep", "infinity"}, DependsOn: []string{"db"}},
		}}
}

// TestFaultKilledDuringHealthWait: devbox killed while it waits for db's
// health check leaves db running, not yet healthy. The next up must not
// trust it: web is not started while db is starting or unhealthy, the up
// fails naming db when db never gets healthy, and finishes once it does.
func TestFaultKilledDuringHealthWait(t *testing.T) {
	if v := os.Getenv(killWaitVar); v != "" {
		project, markers, _ := strings.Cut(v, "\n")
		b := newBackend(t)
		_, err := up(t, b, killWaitEnv(project, markers))
		t.Fatalf("the up to be killed returned: %v", err)
	}
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkkill")
	markers := t.TempDir()
	env := killWaitEnv(p, markers)

	child := exec.Command(os.Args[0], "-test.run=^TestFaultKilledDuringHealthWait$", "-test.count=1")
	child.Env = append(os.Environ(), killWaitVar+"="+p+"\n"+markers)
	var childOut bytes.Buffer
	child.Stdout, child.Stderr = &childOut, &childOut
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed once db runs: from then on that devbox only waits for health.
	for {
		c, err := b.cli.ContainerInspect(ctx, ContainerName(p, "db"))
		if err == nil && c.State != nil && c.State.Running {
			break
		}
		if child.ProcessState != nil {
			t.Fatalf("the up ended before db ran:\n%s", childOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = child.Process.Kill()
	_ = child.Wait()

	pl := plan(t, b, env)
	if a, _ := action(pl, "service/db"); a.Op != engine.OpStart && a.Op != engine.OpReplace {
		t.Errorf("db is trusted before its health check passed:\n%s", planText(pl))
	}
	if _, err := up(t, b, env); err == nil || !strings.Contains(err.Error(), `"db"`) {
		t.Errorf("up with db never healthy: %v, want an error naming db", err)
	}
	if _, err := b.cli.ContainerInspect(ctx, ContainerName(p, "web")); !notFound(err) {
		t.Errorf("web was made while db was not healthy (inspect: %v)", err)
	}

	writeFile(t, markers, "ready", "")
	mustUp(t, b, env)
	c, err := b.cli.ContainerInspect(ctx, ContainerName(p, "web"))
	if err != nil || !c.State.Running {
		t.Errorf("web after db got healthy: %v", err)
	}
	if pl := plan(t, b, env); pl.Changes() != 0 {
		t.Errorf("plan after the finishing up:\n%s", planText(pl))
	}
}

// TestFaultDuplicateNetworkRepaired: two networks carrying one project
// network's labels (two concurrent ups on Docker 20.10) do not make later
// ups fail with "network is ambiguous": the up removes the copy without
// containers and joins new containers to the one kept.
func TestFaultDuplicateNetworkRepaired(t *testing.T) {
	b := newBackend(t)
	ctx := context.Background()
	p := project(t, b, "dkdup")
	env := &envfile.Environment{Project: p, Image: debianImage,
		Networks: []envfile.Network{{Name: "lan", Mode: envfile.NetworkNAT}},
		Services: []envfile.Service{{Name: "app", Networks: []string{"lan"}}}}
	mustUp(t, b, env)
	appID := ids(t, b, p)["service/app"]
	orig, err := b.cli.NetworkInspect(ctx, NetworkName(p, "lan"), network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dupID := createDuplicateNetwork(t, b, NetworkName(p, "lan"), orig.Labels)

	env.Services = append(env.Services, envfile.Service{Name: "client", Networks: []string{"lan"}})
	pl := plan(t, b, env)
	want := engine.Resource{Kind: engine.KindNetwork, Name: duplicateName("lan", dupID)}
	if a, _ := action(pl, want.Ref().String()); a.Op != engine.OpRemove || a.Resource.ID != dupID {
		t.Errorf("plan does not remove the duplicate %s:\n%s", dupID, planText(pl))
	}
	mustUp(t, b, env)
	nets, err := b.cli.NetworkList(ctx, network.ListOptions{Filters: projectFilter(p, engine.KindNetwork)})
	if err != nil || len(nets) != 1 || nets[0].ID != orig.ID {
		t.Errorf("networks after up: %d (%v), want only %s", len(nets), err, orig.ID)
	}
	if got := ids(t, b, p)["service/app"]; got != appID {
		t.Errorf("app was replaced (%s, was %s): the network with containers must be kept", got, appID)
	}
	if out, code := execOut(t, b, env, "client", "getent", "hosts", "app"); code != 0 || !strings.Contains(out, " app") {
		t.Errorf("client resolves app: %q exit %d", out, code)
	}
	if pl := plan(t, b, env); pl.Changes() != 0 {
		t.Errorf("plan after the repair:\n%s", planText(pl))
	}
}

// createDuplicateNetwork makes a second network of name with labels, as
// Docker 20.10 does for two concurrent creates: CheckDuplicate false,
// which the client library always sets to true for API < 1.44, so the
// request is posted by hand. No NAT, like every test network.
func createDuplicateNetwork(t *testing.T, b *Backend, name string, labels map[string]string) string {
	t.Helper()
	req := map[string]any{
		"Name": name, "CheckDuplicate": false, "Driver": "bridge", "Labels": labels,
		"Options": map[string]string{"com.docker.network.bridge.enable_ip_masquerade": "false"},
	}
	body, _ := json.Marshal(req)
	url := fmt.Sprintf("http://docker/v%s/networks/create", b.cli.ClientVersion())
	resp, err := b.cli.HTTPClient().Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create duplicate network: %s: %s", resp.Status, out)
	}
	var created struct{ ID string }
	if err := json.Unmarshal(out, &created); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.cli.NetworkRemove(context.Background(), created.ID) })
	return created.ID
}

// TestContainerState: the listed status text gives the health state.
func TestContainerState(t *testing.T) {
	for _, c := range []struct {
		state  container.ContainerState
		status string
		want   string
	}{
		{container.StateRunning, "Up 3 seconds (health: starting)", engine.StateStarting},
		{container.StateRunning, "Up 2 minutes (unhealthy)", engine.StateUnhealthy},
		{container.StateRunning, "Up 2 minutes (healthy)", engine.StateRunning},
		{container.StateRunning, "Up 2 minutes", engine.StateRunning},
		{container.StateExited, "Exited (0) 3 seconds ago", engine.StateStopped},
	} {
		if got := containerState(c.state, c.status); got != c.want {
			t.Errorf("containerState(%s, %q) = %s, want %s", c.state, c.status, got, c.want)
		}
	}
}

// TestNetworkDrift: a container missing a network its label lists drifts;
// one made before the label, or whose network is gone, does not.
func TestNetworkDrift(t *testing.T) {
	keep := map[string]string{"lan": "id-lan", "front": "id-front"}
	c := func(label string, attached ...string) container.Summary {
		s := container.Summary{Labels: map[string]string{LabelNetworks: label},
			NetworkSettings: &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{}}}
		for _, id := range attached {
			s.NetworkSettings.Networks[id] = &network.EndpointSettings{NetworkID: id}
		}
		return s
	}
	for _, tc := range []struct {
		c    container.Summary
		want string
	}{
		{c("front,lan", "id-front", "id-lan"), ""},
		{c("front,lan", "id-front"), `not attached to network "lan"`},
		{c("front,lan", "id-front", "id-lan-duplicate"), `not attached to network "lan"`},
		{c("", "id-front"), ""},
		{c("front,gone", "id-front"), ""},
	} {
		if got := networkDrift(tc.c, keep); got != tc.want {
			t.Errorf("networkDrift(%v) = %q, want %q", tc.c.Labels, got, tc.want)
		}
	}
}
