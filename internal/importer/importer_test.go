package importer_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/internal/importer"
)

// TestExecRunsTheParserBinary builds devbox-import and imports a fixture
// through it, as `devbox import` does: the result comes back over the
// pipe, and a directory without a compose file is bad input.
func TestExecRunsTheParserBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/devbox-import")
	}
	bin := filepath.Join(t.TempDir(), importer.Binary)
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/devbox-import").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fixture, err := filepath.Abs("../compose/testdata/webapp")
	if err != nil {
		t.Fatal(err)
	}
	imp := importer.Exec(bin)
	ctx := context.Background()
	res, err := imp(ctx, importer.Request{WorkingDir: fixture, Env: os.Environ(), Out: filepath.Join(t.TempDir(), "devbox.hcl")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Services == 0 || !strings.Contains(string(res.HCL), `service "db"`) || len(res.Files) == 0 {
		t.Errorf("result: %d services, files %v\n%s", res.Services, res.Files, res.HCL)
	}
	_, err = imp(ctx, importer.Request{WorkingDir: t.TempDir(), Env: os.Environ()})
	var bad *importer.BadInputError
	if !errors.As(err, &bad) || !strings.Contains(err.Error(), "no compose file") {
		t.Errorf("no compose file: %v", err)
	}
}

// TestDevboxLinksNoComposeParser: the parser's JSON-schema library runs
// ~20 ms of package init in every process that links it; devbox must not.
func TestDevboxLinksNoComposeParser(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/devbox").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range []string{"santhosh-tekuri/jsonschema", "compose-go/v2/loader", "internal/compose"} {
		if strings.Contains(string(out), pkg) {
			t.Errorf("cmd/devbox links %s (keep it in cmd/devbox-import)", pkg)
		}
	}
}
