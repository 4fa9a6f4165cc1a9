package lxc

import (
	"context"
	"fmt"
	"strings"
	"time"

	incus "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/api"
)

// idleWait bounds how long devbox waits for an operation another client
// left running on an instance: creating from an image on a dir pool
// unpacks the whole root filesystem.
const idleWait = 2 * time.Minute

// waitIdle waits for the Incus tasks (create, start, stop, delete, …) still
// running on instance name. A devbox killed during a create leaves the
// create running in incusd, and until it ends every change to the
// instance fails with "Instance is busy running a create operation". say,
// when set, hears what is waited for. Exec sessions (websocket
// operations, such as a devbox shell) are not waited for.
func (b *Backend) waitIdle(ctx context.Context, name string, say func(string)) error {
	ops, err := b.c.GetOperations()
	if err != nil {
		return nil // cannot tell: the change itself will say if it is busy
	}
	for _, op := range ops {
		if op.Class != api.OperationClassTask || op.StatusCode.IsFinal() || !opOn(op, name) {
			continue
		}
		if say != nil {
			say(fmt.Sprintf("waiting for Incus to finish %q on instance %s, left running by an interrupted devbox (up to %s)",
				strings.ToLower(op.Description), name, idleWait))
		}
		if err := b.waitOperation(ctx, op.ID); err != nil {
			return fmt.Errorf("lxc: instance %q is busy: %s (operation %s): %w; wait for it (incus operation list) and run devbox again",
				name, strings.ToLower(op.Description), op.ID, err)
		}
	}
	return nil
}

// waitOperation waits, at most idleWait and while ctx lasts, for
// operation id to end (it may fail: only its end matters).
func (b *Backend) waitOperation(ctx context.Context, id string) error {
	deadline := time.Now().Add(idleWait)
	for {
		op, _, err := b.c.GetOperationWait(id, 1)
		switch {
		case err != nil && api.StatusErrorCheck(err, 404):
			return nil // gone: it ended
		case err == nil && op.StatusCode.IsFinal():
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case time.Now().After(deadline):
			return fmt.Errorf("still running after %s", idleWait)
		case err != nil:
			// A timed-out wait is not an error of the operation; anything
			// else, wait a little and look again.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
}

// opOn reports whether op acts on instance name.
func opOn(op api.Operation, name string) bool {
	for _, r := range op.Resources["instances"] {
		path, _, _ := strings.Cut(r, "?")
		if path == "/1.0/instances/"+name {
			return true
		}
	}
	return false
}

// createInstance creates an instance, returning when ctx ends (waitCtx).
func (b *Backend) createInstance(ctx context.Context, req api.InstancesPost) error {
	op, err := b.c.CreateInstance(req)
	return waitCtx(ctx, op, err)
}

// waitCtx waits for op until ctx ends; then it asks Incus to cancel op
// (creates cannot be: the next devbox waits for them, see waitIdle) and
// returns at once instead of when the server is done.
func waitCtx(ctx context.Context, op incus.Operation, err error) error {
	if err != nil {
		return err
	}
	if err := op.WaitContext(ctx); err != nil {
		if ctx.Err() != nil {
			_ = op.Cancel()
			return ctx.Err()
		}
		return err
	}
	return nil
}

// waitRemoteCtx is waitCtx for an operation across servers (a create from
// a remote image).
func waitRemoteCtx(ctx context.Context, op incus.RemoteOperation, err error) error {
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- op.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = op.CancelTarget()
		return ctx.Err()
	}
}
