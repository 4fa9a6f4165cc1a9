package lxc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// healthDir holds, in the instance, one file per service with a health
// check: "healthy <InvocationID>" once the check passed for that run of
// the unit, "unhealthy <InvocationID>" when its retries ran out. /run is
// a tmpfs, so a restarted instance starts with none, and a unit systemd
// restarted has a new InvocationID: either way the service is starting
// again until the check passes.
const healthDir = "/run/devbox/health"

func hasHealth(svc *envfile.Service) bool {
	return svc.Health != nil && len(svc.Health.Command) > 0
}

// markHealth records the outcome of a health wait for the unit's current run.
func (b *Backend) markHealth(ctx context.Context, inst string, svc *envfile.Service, state string) error {
	script := `mkdir -p "$3" && printf '%s %s\n' "$2" "$(systemctl show -p InvocationID --value "$1")" >"$3/$4"`
	if _, err := b.output(ctx, inst, "/bin/sh", "-c", script, "sh", unitOf(svc), state, healthDir, svc.Name); err != nil {
		return fmt.Errorf("lxc: record health of %s in %q: %w", unitOf(svc), inst, err)
	}
	return nil
}

// unitStates maps services to devbox states with one exec: a unit that is
// not active is stopped; an active one with a health check (health[s]) is
// running only when the check passed for its current run, unhealthy when
// its retries ran out, and starting otherwise. units maps a service to
// its unit where that is not UnitName (a replica's).
func (b *Backend) unitStates(ctx context.Context, instance string, services []string, units map[string]string, health map[string]bool) (map[string]string, error) {
	list := make([]string, len(services))
	for i, s := range services {
		list[i] = unitIn(units, s)
	}
	script := "systemctl show -p Id,ActiveState,InvocationID " + strings.Join(list, " ") +
		"\nfor f in " + healthDir + `/*; do [ -f "$f" ] && printf '\nId=health:%s\nMark=%s\n' "${f##*/}" "$(cat "$f")"; done; true`
	out, err := b.output(ctx, instance, "/bin/sh", "-c", script)
	if err != nil {
		return nil, fmt.Errorf("lxc: unit states in %q: %w", instance, err)
	}
	return unitStatesOf(parseShow(out), services, units, health), nil
}

// unitIn is service's unit in units, else UnitName.
func unitIn(units map[string]string, service string) string {
	if u := units[service]; u != "" {
		return u
	}
	return UnitName(service)
}

// unitStatesOf is the pure part of unitStates.
func unitStatesOf(shown map[string]map[string]string, services []string, units map[string]string, health map[string]bool) map[string]string {
	states := map[string]string{}
	for _, s := range services {
		u := shown[unitIn(units, s)]
		switch {
		case u["ActiveState"] != "active" && u["ActiveState"] != "reloading":
			states[s] = engine.StateStopped
		case !health[s]:
			states[s] = engine.StateRunning
		default:
			mark, run, _ := strings.Cut(shown["health:"+s]["Mark"], " ")
			switch {
			case run != u["InvocationID"]:
				states[s] = engine.StateStarting
			case mark == "healthy":
				states[s] = engine.StateRunning
			case mark == "unhealthy":
				states[s] = engine.StateUnhealthy
			default:
				states[s] = engine.StateStarting
			}
		}
	}
	return states
}

// waitHealthy runs the health check in the service's context every
// interval until it passes or retries run out, and records the outcome
// (markHealth). A service without a check has nothing to wait for here:
// startUnit made sure it did not fail straight away.
func (b *Backend) waitHealthy(ctx context.Context, env *envfile.Environment, svc *envfile.Service, r engine.Resource, p engine.Progress) error {
	inst := InstanceName(env.Project)
	if !hasHealth(svc) {
		return nil
	}
	h := healthDefaults(*svc.Health)
	bound := engine.HealthTimeout(ctx) // up --timeout; 0: the retries are the bound
	deadline := time.Now().Add(bound)
	var last healthResult
	for i := 1; i <= h.Retries; i++ {
		res, err := b.healthOnce(ctx, env, svc, h)
		if err != nil {
			return err
		}
		if res.OK {
			p(engine.Event{Ref: r.Ref(), Status: "healthy"})
			return b.markHealth(ctx, inst, svc, "healthy")
		}
		last = res
		if st, _ := b.output(ctx, inst, "systemctl", "is-active", unitOf(svc)); strings.TrimSpace(st) == "failed" {
			return fmt.Errorf("lxc: service %q failed while starting%s", svc.Name, b.journalTail(ctx, inst, unitOf(svc)))
		}
		wait := h.Interval.D()
		if bound > 0 {
			// Not marked unhealthy: the unit stays starting, and the next
			// up waits for it again.
			if time.Until(deadline) <= 0 {
				return fmt.Errorf("lxc: service %q: health check did not pass within %s: %s%s", svc.Name, bound, last.describe(h), b.journalTail(ctx, inst, unitOf(svc)))
			}
			wait = min(wait, time.Until(deadline))
		}
		p(engine.Event{Ref: r.Ref(), Status: fmt.Sprintf("waiting for health (%d/%d)", i, h.Retries)})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	if err := b.markHealth(ctx, inst, svc, "unhealthy"); err != nil {
		return err
	}
	return fmt.Errorf("lxc: service %q unhealthy after %d checks: %s%s", svc.Name, h.Retries, last.describe(h), b.journalTail(ctx, inst, unitOf(svc)))
}

func healthDefaults(h envfile.Health) envfile.Health {
	if h.Interval <= 0 {
		h.Interval = envfile.Duration(2 * time.Second)
	}
	if h.Timeout <= 0 {
		h.Timeout = envfile.Duration(5 * time.Second)
	}
	if h.Retries <= 0 {
		h.Retries = 30
	}
	return h
}

// healthResult is one run of a health check.
type healthResult struct {
	OK       bool
	Code     int    // exit code; -1 when it timed out
	TimedOut bool   // killed after the check's timeout
	Out      string // stdout and stderr, interleaved
}

// describe says how the last check failed, with its output's tail.
func (r healthResult) describe(h envfile.Health) string {
	how := fmt.Sprintf("the last check %q exited %d", strings.Join(h.Command, " "), r.Code)
	if r.TimedOut {
		how = fmt.Sprintf("the last check %q timed out after %s", strings.Join(h.Command, " "), h.Timeout.D())
	}
	out := strings.TrimSpace(r.Out)
	if out == "" {
		return how + " with no output"
	}
	return how + ", its output:\n" + lastLines(out, 5)
}

// healthOnce runs the health command once; err is only for infrastructure
// failures, not for an unhealthy service.
func (b *Backend) healthOnce(ctx context.Context, env *envfile.Environment, svc *envfile.Service, h envfile.Health) (healthResult, error) {
	req, err := b.serviceExec(ctx, env, svc, h.Command)
	if err != nil {
		return healthResult{}, err
	}
	var out bytes.Buffer
	req.Stdout, req.Stderr = &out, &out
	req.Kill = func() {} // a check past its timeout gets SIGKILL, not a wait
	cctx, cancel := context.WithTimeout(ctx, h.Timeout.D())
	defer cancel()
	code, err := b.run(cctx, InstanceName(env.Project), req)
	if ctx.Err() != nil {
		return healthResult{}, ctx.Err()
	}
	if errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return healthResult{Code: -1, TimedOut: true, Out: out.String()}, nil
	}
	if err != nil {
		return healthResult{}, err
	}
	return healthResult{OK: code == 0, Code: code, Out: out.String()}, nil
}
