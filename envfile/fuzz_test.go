package envfile

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// FuzzParse checks that Parse never panics or overflows the stack, and
// that its results are consistent, whatever the input.
//
//	go test -fuzz=FuzzParse ./envfile
func FuzzParse(f *testing.F) {
	f.Add([]byte(fullFile))
	f.Add([]byte(""))
	f.Add([]byte(svc("a", `  port "p" {`, `    port = 80`, `    host = 8080`, `  }`, `  depends_on = ["b"]`) + svc("b", `  depends_on = ["a"]`)))
	f.Add([]byte(lines(`variable "v" { default = [1, "a", { b = true }] }`, `image = "${var.v[0]}-%{if true}x%{else}y%{endif}"`)))
	f.Add([]byte(lines(`a = <<-EOT`, `  ${upper("x")} %{for i in [1, 2]}${i}%{endfor}`, `  EOT`)))
	f.Add([]byte(lines(`network "n" {`, `  mode    = "bridged"`, `  subnet  = "10.0.0.0/8"`, `  address = "10.1.2.3"`, `}`)))
	f.Add([]byte(lines(`a = [for k, v in { a = 1 } : k if v > 0]`, `b = { for x in ["a"] : x => x... }`, `c = x[*].y.*.z`)))
	f.Add([]byte("a = " + strings.Repeat("[", 100)))
	f.Add([]byte("a = " + strings.Repeat("!-", 200) + "1"))
	f.Add([]byte(`a = "${"${"${"x"}"}"}" /* { */ # [` + "\n"))
	for _, tc := range badCases {
		if len(tc.src) < 10000 {
			f.Add([]byte(tc.src))
		}
	}
	lookup := fakeEnv(map[string]string{"HOME": "/root"})
	f.Fuzz(func(t *testing.T, src []byte) {
		env, files, diags := Parse("fuzz.hcl", src, Options{LookupEnv: lookup})
		if files == nil || files["fuzz.hcl"] == nil {
			t.Fatal("Files lacks the source")
		}
		if diags.HasErrors() != (env == nil) {
			t.Fatalf("errors %v but environment %v", diags.HasErrors(), env != nil)
		}
		for _, d := range diags {
			if d.Summary == "" || (d.Severity == hcl.DiagError && d.Detail == "" && d.Subject == nil) {
				t.Fatalf("unhelpful diagnostic %#v", d)
			}
		}
		if err := files.WriteDiagnostics(io.Discard, diags, false); err != nil {
			t.Fatal(err)
		}
		if env != nil {
			if _, err := json.Marshal(env); err != nil {
				t.Fatal(err)
			}
		}
	})
}
