package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCtrlCDuringUpIsRepairedByNextUp interrupts the real binary's `up`
// with SIGINT while a service is being provisioned, on each engine: up
// stops and says how to finish, and the next up completes the
// environment, after which nothing is left to do.
func TestCtrlCDuringUpIsRepairedByNextUp(t *testing.T) {
	bin := buildDevbox(t)
	for _, name := range []string{"docker", "lxc"} {
		t.Run(name, func(t *testing.T) {
			requireEngine(t, name)
			dir := t.TempDir()
			marker := fmt.Sprintf("%s-%d", name, time.Now().UnixNano())
			hcl := fmt.Sprintf(`image = "debian/12"
service "slow" {
  provision = ["echo %s > /etc/step1", "sleep 4", "echo done > /etc/step3"]
  command   = ["sleep", "infinity"]
}
service "quick" {
  command = ["sleep", "infinity"]
}
`, marker)
			if err := os.WriteFile(filepath.Join(dir, "devbox.hcl"), []byte(hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			base := []string{"-C", dir, "--backend", name, "-p", fmt.Sprintf("ctrlc-%s-%d", name, os.Getpid()%10000)}
			devbox := func(args ...string) *exec.Cmd {
				return exec.Command(bin, append(append([]string{}, base...), args...)...)
			}
			t.Cleanup(func() { devbox("destroy").Run() })

			up := devbox("up")
			var out lockedBuffer
			up.Stdout, up.Stderr = &out, &out
			if err := up.Start(); err != nil {
				t.Fatal(err)
			}
			// Interrupt once the slow step is running.
			deadline := time.Now().Add(90 * time.Second)
			for !strings.Contains(out.String(), "sleep 4") && !strings.Contains(out.String(), "step 2") {
				if time.Now().After(deadline) {
					up.Process.Kill()
					t.Fatalf("never saw the slow step start:\n%s", out.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			up.Process.Signal(syscall.SIGINT)
			err := up.Wait()
			if err == nil {
				t.Fatalf("interrupted up exited 0:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "devbox up") {
				t.Errorf("interrupted up does not say how to finish:\n%s", out.String())
			}

			if b, err := devbox("up").CombinedOutput(); err != nil {
				t.Fatalf("repairing up failed: %v\n%s", err, b)
			}
			b, err := devbox("plan").CombinedOutput()
			if err != nil || !strings.Contains(string(b), "0 change(s)") {
				t.Errorf("after the repairing up, plan is not empty: %v\n%s", err, b)
			}
			b, err = devbox("exec", "slow", "--", "cat", "/etc/step1", "/etc/step3").CombinedOutput()
			if err != nil || string(b) != marker+"\ndone\n" {
				t.Errorf("provisioning incomplete after repair: %v %q", err, b)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
