package enginetest

import (
	"context"
	"maps"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

var _ engine.ScaleRecorder = (*Fake)(nil)

// Scales implements engine.ScaleRecorder.
func (f *Fake) Scales(ctx context.Context, env *envfile.Environment) (map[string]engine.Scale, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := maps.Clone(f.scales[projectOf(env)])
	if out == nil {
		out = map[string]engine.Scale{}
	}
	return out, nil
}

// RecordScales implements engine.ScaleRecorder; the call is recorded as
// "scales" (or "scales -" when it removes the record).
func (f *Fake) RecordScales(ctx context.Context, env *envfile.Environment, scales map[string]engine.Scale) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.scales == nil {
		f.scales = map[string]map[string]engine.Scale{}
	}
	if len(scales) == 0 {
		delete(f.scales, projectOf(env))
		f.calls = append(f.calls, "scales -")
		return nil
	}
	f.scales[projectOf(env)] = maps.Clone(scales)
	f.calls = append(f.calls, "scales")
	return nil
}
