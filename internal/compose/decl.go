package compose

import (
	"encoding/json"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// declarations appends the network, mount and volume blocks the services use.
func (c *converter) declarations(body *hclwrite.Body) {
	nets := sortedKeys(c.nets)
	if len(nets) > 0 {
		body.AppendNewline()
	}
	for _, n := range nets {
		cfg := c.p.Networks[n]
		mode := "nat"
		switch {
		case cfg.Internal:
			mode = "isolated"
		case cfg.Driver == "macvlan" || cfg.Driver == "ipvlan":
			if parent := cfg.DriverOpts["parent"]; parent != "" {
				mode = "bridged"
			} else {
				c.row("", "networks."+n, "driver %s without driver_opts.parent; mapped to a nat network", cfg.Driver)
			}
		case cfg.Driver != "" && cfg.Driver != "bridge":
			c.row("", "networks."+n, "driver %q: devbox networks are nat, isolated or bridged; mapped to nat", cfg.Driver)
		}
		if cfg.External {
			c.row("", "networks."+n, "external: devbox creates its own networks; services do not join the existing one")
		}
		nb := body.AppendNewBlock("network", []string{label(n)}).Body()
		nb.SetAttributeValue("mode", cty.StringVal(mode))
		if mode == "bridged" {
			nb.SetAttributeValue("parent", cty.StringVal(cfg.DriverOpts["parent"]))
		}
		if len(cfg.Ipam.Config) > 0 && cfg.Ipam.Config[0].Subnet != "" {
			nb.SetAttributeValue("subnet", cty.StringVal(cfg.Ipam.Config[0].Subnet))
		}
	}
	if len(c.mounts) > 0 {
		body.AppendNewline()
	}
	for _, m := range c.mounts {
		mb := body.AppendNewBlock("mount", []string{m.name}).Body()
		mb.SetAttributeValue("source", cty.StringVal(c.rel(m.source)))
		mb.SetAttributeValue("target", cty.StringVal(m.target))
		if m.readOnly {
			mb.SetAttributeValue("read_only", cty.True)
		}
	}
	vols := sortedKeys(c.vols)
	if len(vols) > 0 {
		body.AppendNewline()
	}
	for _, v := range vols {
		body.AppendNewBlock("volume", []string{v})
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// topLevel reports the project's top-level sections devbox has no
// equivalent for.
func (c *converter) topLevel() {
	for _, n := range sortedKeys(keysOf(c.p.Secrets)) {
		c.row("", "secrets."+n, "devbox has no secrets; pass the value through env (env(\"NAME\")) or an env_file kept out of git")
	}
	for _, n := range sortedKeys(keysOf(c.p.Configs)) {
		c.row("", "configs."+n, "devbox has no configs; mount the file from the project instead")
	}
	if len(c.p.Models) > 0 {
		c.row("", "models", "devbox has no models")
	}
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// mapped are the service keys Convert maps (or reports on its own).
var mapped = map[string]bool{
	"name": true, "image": true, "build": true, "command": true, "entrypoint": true,
	"environment": true, "env_file": true, "ports": true, "expose": true, "volumes": true,
	"networks": true, "depends_on": true, "healthcheck": true, "restart": true,
	"user": true, "working_dir": true, "profiles": true,
	// links become depends_on (compose-go adds them), and devbox writes
	// the link variables itself; devbox's docker containers run an init.
	"links": true, "init": true,
}

// why says why a service key has no devbox equivalent.
var why = map[string]string{
	"deploy":            "devbox runs one instance of each service, without resource limits or placement",
	"cap_add":           "devbox grants no extra capabilities",
	"cap_drop":          "devbox drops no capabilities",
	"devices":           "devbox passes no devices through",
	"secrets":           "devbox has no secrets; use env (env(\"NAME\")) or an env_file kept out of git",
	"configs":           "devbox has no configs; mount the file from the project instead",
	"extra_hosts":       "devbox writes no extra /etc/hosts entries",
	"network_mode":      "devbox services join devbox networks only",
	"pid":               "devbox shares no PID namespace",
	"ipc":               "devbox shares no IPC namespace",
	"tmpfs":             "devbox mounts no tmpfs",
	"ulimits":           "devbox sets no ulimits",
	"logging":           "logs go to the engine's default (devbox logs reads them)",
	"labels":            "devbox labels its objects itself",
	"container_name":    "devbox names containers <project>-<service>",
	"hostname":          "the host name is the service's name (docker) or the environment's (lxc)",
	"privileged":        "devbox runs no privileged services",
	"security_opt":      "devbox sets no security options",
	"stop_signal":       "devbox stops services with SIGTERM",
	"stop_grace_period": "devbox uses the engine's stop timeout",
	"sysctls":           "devbox sets no sysctls",
	"platform":          "services run on the host's platform (tools have platform)",
	"pull_policy":       "devbox pulls only images that are missing",
	"dns":               "name resolution is the engine's",
	"shm_size":          "devbox sets no shm size",
	"volumes_from":      "devbox shares volumes by name: give both services the volume",
	"tty":               "services run without a terminal (devbox exec -t / shell give one)",
	"stdin_open":        "services run without stdin",
}

// unmapped reports every key of the service that Convert did not map.
func (c *converter) unmapped(name string, s types.ServiceConfig) {
	raw, err := json.Marshal(s)
	if err != nil {
		c.row(name, "*", "cannot inspect the service: %v", err)
		return
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		c.row(name, "*", "cannot inspect the service: %v", err)
		return
	}
	for _, k := range sortedKeys(keysOf(keys)) {
		if mapped[k] || string(keys[k]) == "null" || string(keys[k]) == "false" {
			continue
		}
		reason := why[k]
		if reason == "" {
			reason = "devbox.hcl has no equivalent"
		}
		c.row(name, k, "%s", reason)
	}
}
