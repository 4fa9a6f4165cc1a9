package envfile_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/devbox-dev/devbox/discovery"
	"github.com/devbox-dev/devbox/envfile"
)

// The discovery hash rule holds for env files: db's env file values are
// in db's hashed env and reach web as DB_ENV_ copies, which are in no hash
// but db's, so editing db's env file replaces db only.
func TestEnvFileDiscoveryHashRule(t *testing.T) {
	dir := t.TempDir()
	src := []byte(`service "db" {
  command  = ["db"]
  env_file = ["db.env"]
  port "pg" { port = 5432 }
}
service "web" {
  command = ["web"]
}
`)
	load := func(dotenv string) *envfile.Environment {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "db.env"), []byte(dotenv), 0o644); err != nil {
			t.Fatal(err)
		}
		env, _, diags := envfile.Parse(filepath.Join(dir, "devbox.hcl"), src, envfile.Options{LookupEnv: func(string) (string, bool) { return "", false }})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return env
	}
	name := func(s string) string { return s }
	before, after := load("PGUSER=app\n"), load("PGUSER=other\n")
	if got := discovery.PeerEnv(before, "web")["DB_ENV_PGUSER"]; got != "app" {
		t.Errorf("web's DB_ENV_PGUSER = %q, want the env file's value", got)
	}
	if !reflect.DeepEqual(discovery.HashedEnv(before, before.Service("web"), name), discovery.HashedEnv(after, after.Service("web"), name)) {
		t.Error("editing db's env file changed web's hashed env: web would be replaced")
	}
	if reflect.DeepEqual(discovery.HashedEnv(before, before.Service("db"), name), discovery.HashedEnv(after, after.Service("db"), name)) {
		t.Error("editing db's env file left db's hashed env unchanged: db would not be replaced")
	}
}
