package engine

import (
	"context"
	"time"
)

type healthTimeoutKey struct{}

// WithHealthTimeout bounds every health-check wait a backend does under
// ctx (`up --timeout`): a service whose check has not passed within d
// fails its create or start, naming it. Only the wait is bounded, not
// image builds or provisioning before it, which is why this is a value
// the backends read and not a deadline on ctx. d <= 0 leaves the file's
// own budget (retries × interval) as the only bound.
func WithHealthTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, healthTimeoutKey{}, d)
}

// HealthTimeout is the bound WithHealthTimeout set on ctx, or 0.
func HealthTimeout(ctx context.Context) time.Duration {
	d, _ := ctx.Value(healthTimeoutKey{}).(time.Duration)
	return max(d, 0)
}
