package envfile

import "github.com/hashicorp/hcl/v2"

// Schemas of devbox.hcl, one per block type. Attributes are all optional
// at the schema level; required ones are checked while decoding so the
// diagnostics can say what to do.

func attrs(names ...string) []hcl.AttributeSchema {
	out := make([]hcl.AttributeSchema, len(names))
	for i, n := range names {
		out[i] = hcl.AttributeSchema{Name: n}
	}
	return out
}

var named = []string{"name"}

var rootSchema = &hcl.BodySchema{
	Attributes: attrs("project", "backend", "image"),
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: named},
		{Type: "lxc"},
		{Type: "docker"},
		{Type: "network", LabelNames: named},
		{Type: "mount", LabelNames: named},
		{Type: "volume", LabelNames: named},
		{Type: "service", LabelNames: named},
		{Type: "tool", LabelNames: named},
	},
}

var variableSchema = &hcl.BodySchema{Attributes: attrs("default", "description")}

var lxcSchema = &hcl.BodySchema{
	Attributes: attrs("remote", "profiles"),
	Blocks:     []hcl.BlockHeaderSchema{{Type: "limits"}},
}

var limitsSchema = &hcl.BodySchema{Attributes: attrs("cpu", "memory")}

var dockerSchema = &hcl.BodySchema{Attributes: attrs("host")}

var networkSchema = &hcl.BodySchema{Attributes: attrs("mode", "parent", "subnet", "address")}

var mountSchema = &hcl.BodySchema{Attributes: attrs("source", "target", "read_only")}

var volumeSchema = &hcl.BodySchema{}

var serviceSchema = &hcl.BodySchema{
	Attributes: attrs("packages", "provision", "command", "user", "workdir", "env",
		"volumes", "mounts", "networks", "depends_on", "restart", "systemd",
		"env_file", "profiles", "replicas"),
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "port", LabelNames: named},
		{Type: "health"},
		{Type: "docker"},
	},
}

var portSchema = &hcl.BodySchema{Attributes: attrs("port", "host", "host_ip", "protocol")}

var healthSchema = &hcl.BodySchema{Attributes: attrs("command", "interval", "timeout", "retries")}

var serviceDockerSchema = &hcl.BodySchema{Attributes: attrs("image")}

var toolSchema = &hcl.BodySchema{
	Attributes: attrs("image", "platform", "packages", "provision", "command", "env", "pass_env"),
}
