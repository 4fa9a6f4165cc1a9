package lxc

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/lxc/incus/v6/shared/api"
)

// batcher coalesces calls on one instance that arrive while an earlier
// flush runs: they are flushed together, in one round trip, and all get
// its error. A call that finds no flush running flushes at once, so
// batching never delays a lone call; parallel service creates that finish
// together (one level of a depends_on tree) share one instance update.
// The zero value is ready to use.
type batcher[T any] struct {
	mu   sync.Mutex // guards open
	open map[string]*batch[T]
	run  sync.Mutex // one flush at a time
}

type batch[T any] struct {
	items []T
	done  chan struct{}
	err   error
}

// do adds item to key's open batch and returns once that batch is flushed.
func (q *batcher[T]) do(key string, item T, flush func(items []T) error) error {
	q.mu.Lock()
	if q.open == nil {
		q.open = map[string]*batch[T]{}
	}
	bt := q.open[key]
	if bt == nil {
		bt = &batch[T]{done: make(chan struct{})}
		q.open[key] = bt
	}
	bt.items = append(bt.items, item)
	q.mu.Unlock()

	q.run.Lock()
	defer q.run.Unlock()
	q.mu.Lock()
	mine := q.open[key] == bt
	if mine {
		delete(q.open, key)
	}
	q.mu.Unlock()
	if !mine {
		// Another call flushed this batch while we waited for run; it
		// closed done before releasing run.
		<-bt.done
		return bt.err
	}
	bt.err = flush(bt.items)
	close(bt.done)
	return bt.err
}

// setConfig sets (or, for "", unsets) instance config keys. Concurrent
// calls on one instance are merged into one update (see batcher), and an
// update that would change nothing is skipped.
func (b *Backend) setConfig(name string, kv map[string]string) error {
	return b.labels.do(name, kv, func(items []map[string]string) error {
		merged := map[string]string{}
		for _, kv := range items {
			for k, v := range kv {
				merged[k] = v
			}
		}
		return b.updateConfig(name, merged)
	})
}

func (b *Backend) updateConfig(name string, kv map[string]string) error {
	b.cfgMu.Lock()
	defer b.cfgMu.Unlock()
	inst, etag, err := b.c.GetInstance(name)
	if err != nil {
		return fmt.Errorf("lxc: get instance %q: %w", name, err)
	}
	put := inst.Writable()
	changed := false
	for k, v := range kv {
		old, had := put.Config[k]
		switch {
		case v == "" && had:
			delete(put.Config, k)
			changed = true
		case v != "" && old != v:
			put.Config[k] = v
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if err := wait(b.c.UpdateInstance(name, put, etag)); err != nil {
		return fmt.Errorf("lxc: label instance %q: %w", name, err)
	}
	return nil
}

// removeUnits stops, disables and deletes the units of services and then
// forgets their hashes, for every removal of the batch at once: a destroy
// removes the units level by level of the depends_on tree, and each level
// costs one exec and one update, not one per unit. A replica takes its
// drop-in and wants link only; the template goes with the last replica of
// its service.
func (b *Backend) removeUnits(ctx context.Context, inst string, services []string) error {
	b.forgetInstalled(inst, services...)
	i, _, err := b.c.GetInstance(inst)
	if err != nil {
		if api.StatusErrorCheck(err, 404) {
			return nil
		}
		return fmt.Errorf("lxc: get instance %q: %w", inst, err)
	}
	units, files := unitRemovals(i.Config, services)
	labels := map[string]string{}
	for _, s := range services {
		labels[keyService+s], labels[keyHealth+s], labels[keyReplica+s] = "", "", ""
	}
	if i.StatusCode == api.Running {
		// No daemon-reload: the stopped units stay loaded until the next
		// one, which a replacing create does anyway.
		// Units, "--", files. Unit names need no quoting (service names
		// are DNS labels). systemctl stop waits for the units to stop.
		script := `u=; while [ "$1" != -- ]; do u="$u $1"; shift; done; shift; ` +
			`systemctl stop $u; rm -rf "$@"; systemctl reset-failed $u 2>/dev/null; true`
		args := append(append([]string{"/bin/sh", "-c", script, "sh"}, units...), "--")
		if _, err := b.output(ctx, inst, append(args, files...)...); err != nil {
			return fmt.Errorf("lxc: remove %s in %q: %w", strings.Join(units, " "), inst, err)
		}
	} else {
		// In order: a drop-in before its (then empty) directory.
		for _, f := range files {
			_ = b.c.DeleteInstanceFile(inst, f)
		}
	}
	return b.setConfig(inst, labels)
}

// unitRemovals are the units of services, as the instance's labels
// (config) record them, and the files to delete with them.
func unitRemovals(config map[string]string, services []string) (units, files []string) {
	gone := map[string]bool{}
	for _, s := range services {
		gone[s] = true
	}
	groups := map[string]bool{}
	for _, s := range services {
		u := labelledUnit(config, s)
		units = append(units, u)
		g := unitGroup(u)
		if g == "" {
			files = append(files, UnitPath(s), wantsPath(u))
			continue
		}
		files = append(files, dropIn(u), path.Dir(dropIn(u)), wantsPath(u))
		groups[g] = true
	}
	// A template stays while a replica of its service is left.
	for k, g := range config {
		if s, ok := strings.CutPrefix(k, keyReplica); ok && groups[g] && !gone[s] && config[keyService+s] != "" {
			delete(groups, g)
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		files = append(files, TemplatePath(g))
	}
	return units, files
}
