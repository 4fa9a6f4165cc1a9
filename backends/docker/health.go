package docker

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// waitHealthy polls the container until its health check passes. It fails
// with the check's last output when the check reports unhealthy, when the
// container exits, or after the check's whole budget (interval+timeout per
// retry) has passed.
func (b *Backend) waitHealthy(ctx context.Context, id string, s *envfile.Service, ev engine.Ref, p engine.Progress) error {
	if s.Health == nil || len(s.Health.Command) == 0 {
		return nil
	}
	h := healthConfig(s.Health)
	budget := time.Duration(h.Retries+1)*(h.Interval+h.Timeout) + 10*time.Second
	if d := engine.HealthTimeout(ctx); d > 0 && d < budget {
		budget = d // up --timeout
	}
	deadline := time.Now().Add(budget)
	poll := min(h.Interval/2, 500*time.Millisecond)
	p(engine.Event{Ref: ev, Status: "waiting for health check"})
	var last string
	for {
		c, err := b.cli.ContainerInspect(ctx, id)
		if err != nil {
			return fmt.Errorf("docker: service %q: inspect: %w", s.Name, err)
		}
		if c.State == nil {
			return fmt.Errorf("docker: service %q: no state", s.Name)
		}
		if !c.State.Running {
			return fmt.Errorf("docker: service %q exited (status %d) before its health check passed%s", s.Name, c.State.ExitCode, b.logTail(ctx, id))
		}
		if c.State.Health != nil {
			if n := len(c.State.Health.Log); n > 0 {
				last = strings.TrimSpace(c.State.Health.Log[n-1].Output)
			}
			switch c.State.Health.Status {
			case container.Healthy:
				p(engine.Event{Ref: ev, Status: "healthy"})
				return nil
			case container.Unhealthy:
				if len(c.State.Health.Log) == 0 {
					// Docker marks a dying container unhealthy before it
					// shows as stopped: look again, and report the exit.
					break
				}
				return fmt.Errorf("docker: service %q is unhealthy after %d checks; last check output: %s", s.Name, h.Retries, orNone(last))
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("docker: service %q: health check did not pass within %s; last check output: %s%s", s.Name, budget.Round(time.Millisecond), orNone(last), b.logTail(ctx, id))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// logTail returns the last lines of a container's logs, for errors.
func (b *Backend) logTail(ctx context.Context, id string) string {
	var w tailWriter
	w.max = 2048
	if err := b.copyLogs(ctx, id, false, 20, &w); err != nil {
		return ""
	}
	if t := w.Tail(); t != "" {
		return "; its output ends with:\n" + t
	}
	return ""
}
