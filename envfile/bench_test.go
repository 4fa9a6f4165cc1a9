package envfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// genServices returns a devbox.hcl with n services, each with two ports,
// an env map, a health check, and depends_on chains back to earlier ones.
func genServices(n int) string {
	var b strings.Builder
	b.WriteString("project = \"bench\"\nvariable \"base\" { default = 10000 }\n")
	b.WriteString("network \"lan\" { mode = \"nat\" }\nmount \"src\" {\n  source = \".\"\n  target = \"/srv\"\n}\nvolume \"data\" {}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "service \"svc-%d\" {\n", i)
		fmt.Fprintf(&b, "  packages = [\"pkg-%d\", \"common\"]\n", i)
		fmt.Fprintf(&b, "  command  = [\"/usr/bin/server\", \"--port\", \"%d\", \"--name\", upper(\"svc-%d\")]\n", 10000+i, i)
		fmt.Fprintf(&b, "  env      = { ID = \"%d\", NAME = \"svc-%d\", HOME = env(\"HOME\") }\n", i, i)
		b.WriteString("  networks = [\"lan\"]\n  mounts   = [\"src\"]\n")
		if i%10 == 0 {
			fmt.Fprintf(&b, "  volumes  = { data = \"/data/%d\" }\n", i)
		}
		var deps []string
		for _, d := range []int{i - 1, i - 7, i - 50} {
			if d >= 0 {
				deps = append(deps, fmt.Sprintf("%q", fmt.Sprintf("svc-%d", d)))
			}
		}
		fmt.Fprintf(&b, "  depends_on = [%s]\n", strings.Join(deps, ", "))
		fmt.Fprintf(&b, "  port \"http\" {\n    port = var.base + %d\n    host = %d\n  }\n", i, 20000+i)
		fmt.Fprintf(&b, "  port \"metrics\" {\n    port     = %d\n    protocol = \"udp\"\n  }\n", 30000+i)
		b.WriteString("  health {\n    command  = [\"/bin/true\"]\n    interval = \"1s\"\n  }\n}\n")
	}
	return b.String()
}

func BenchmarkParse500Services(b *testing.B) {
	src := []byte(genServices(500))
	path := filepath.Join(b.TempDir(), "devbox.hcl")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		b.Fatal(err)
	}
	opts := Options{LookupEnv: fakeEnv(map[string]string{"HOME": "/root"})}
	env, files, diags := Parse(path, src, opts)
	if len(diags) > 0 || len(env.Services) != 500 {
		b.Fatalf("generated file does not parse cleanly:\n%s", render(files, diags))
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, diags := Parse(path, src, opts); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// The parse stage of a 500-service file: what envfile does before decoding
// (guard, then HCL's parser) against HCL's parser alone on the same bytes.
// The guard's share is the first minus the second.
func BenchmarkParseStage500Services(b *testing.B) {
	src := []byte(genServices(500))
	b.Run("envfile", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if diags := guard("devbox.hcl", src, int64(len(src))); diags.HasErrors() {
				b.Fatal(diags)
			}
			if _, diags := hclsyntax.ParseConfig(src, "devbox.hcl", hcl.InitialPos); diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("hclparse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, diags := hclparse.NewParser().ParseHCL(src, "devbox.hcl"); diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("guard", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if diags := guard("devbox.hcl", src, int64(len(src))); diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
}
