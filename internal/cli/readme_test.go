package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeExampleValidates keeps the README's file-format sample honest:
// it must pass `devbox validate` (on both backends).
func TestReadmeExampleValidates(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```hcl\n")
	if !ok {
		t.Fatal("README has no ```hcl block")
	}
	src, _, _ := strings.Cut(rest, "```")
	for _, backend := range []string{"lxc", "docker"} {
		h := newHarness(t, src)
		if err := os.MkdirAll(filepath.Join(h.dir, "src"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(h.dir, "cache.env"), []byte("MAXMEMORY=64mb\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, errs := h.run("--backend", backend, "validate"); code != 0 {
			t.Errorf("README sample on %s: exit %d\n%s%s", backend, code, out, errs)
		}
	}
}
