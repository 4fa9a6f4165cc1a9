package provision

import (
	"os/exec"
	"strings"
	"testing"
)

func TestPackagesScriptParsesAndQuotes(t *testing.T) {
	s := PackagesScript([]string{"redis-server", "it's"})
	if !strings.Contains(s, `set -- 'redis-server' 'it'\''s'`) {
		t.Errorf("packages not quoted:\n%s", s)
	}
	if out, err := exec.Command("sh", "-n", "-c", s).CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v\n%s", err, out)
	}
}
