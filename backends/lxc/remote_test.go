package lxc

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lxc/incus/v6/shared/api"
	localtls "github.com/lxc/incus/v6/shared/tls"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
	"github.com/devbox-dev/devbox/internal/testenv"
)

// TestRemoteHTTPS runs an environment through a remote of the incus CLI's
// config: the local incusd on a loopback HTTPS address, with a trusted
// client certificate.
func TestRemoteHTTPS(t *testing.T) {
	local := newBackend(t)
	srv, etag, err := local.c.GetServer()
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Config["core.https_address"]
	if addr == "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
		put := srv.Writable()
		put.Config["core.https_address"] = addr
		if err := local.c.UpdateServer(put, etag); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			s, etag, err := local.c.GetServer()
			if err == nil {
				put := s.Writable()
				delete(put.Config, "core.https_address")
				err = local.c.UpdateServer(put, etag)
			}
			if err != nil {
				t.Errorf("restore core.https_address: %v", err)
			}
		})
	}

	// The CLI's config dir: client cert, pinned server cert, the remote.
	dir := t.TempDir()
	crt, key, err := localtls.GenerateMemCert(true, false)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(dir, "client.crt"), crt, 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "client.key"), key, 0o600))
	must(t, os.MkdirAll(filepath.Join(dir, "servercerts"), 0o700))
	must(t, os.WriteFile(filepath.Join(dir, "servercerts", "shared.crt"), []byte(srv.Environment.Certificate), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "config.yml"), fmt.Appendf(nil,
		"default-remote: local\nremotes:\n  shared:\n    addr: https://%s\n    protocol: incus\n    auth_type: tls\n", addr), 0o600))
	t.Setenv("INCUS_CONF", dir)

	// Untrusted first: a clear error.
	if _, err := New(context.Background(), envfile.LXCConfig{Remote: "shared"}); err == nil || !strings.Contains(err.Error(), "does not trust") {
		t.Fatalf("untrusted client certificate: %v", err)
	}
	block, _ := pem.Decode(crt)
	name := testenv.Project(t, "devbox-test-client")
	if err := local.c.CreateCertificate(api.CertificatesPost{CertificatePut: api.CertificatePut{
		Name: name, Type: "client", Certificate: base64.StdEncoding.EncodeToString(block.Bytes)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		certs, _ := local.c.GetCertificates()
		for _, c := range certs {
			if c.Name == name {
				_ = local.c.DeleteCertificate(c.Fingerprint)
			}
		}
	})

	b, err := New(context.Background(), envfile.LXCConfig{Remote: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Endpoint() != "https://"+addr {
		t.Errorf("endpoint %q", b.Endpoint())
	}
	env := webEnv(testenv.Project(t, "lxrem"))
	cleanup(t, b, env)
	up(t, b, env)
	rs, err := local.Observe(testCtx(t), env.Project) // seen locally too: same server
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, r := range rs {
		if r.Runs() && r.State == engine.StateRunning {
			running++
		}
	}
	if running != 2 {
		t.Errorf("observed through the unix socket: %v", rs)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
