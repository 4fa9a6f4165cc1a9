package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Kind is the sort of engine object a Resource stands for.
type Kind string

// Resource kinds, in bring-up order: networks and volumes first, then the
// host (the lxc system container; docker has none), then services.
const (
	KindNetwork Kind = "network"
	KindVolume  Kind = "volume"
	KindImage   Kind = "image" // a built (provisioned) image; never removed by down
	KindHost    Kind = "host"
	KindService Kind = "service"
)

// rank orders kinds for bring-up; teardown runs it backwards.
func (k Kind) rank() int {
	switch k {
	case KindNetwork, KindVolume:
		return 0
	case KindImage:
		return 1
	case KindHost:
		return 2
	default:
		return 3
	}
}

// States a resource can be observed in. Networks, volumes and images only
// ever exist (StateExists); hosts and services run or not. A running
// service with a health check is observed as StateStarting until the check
// first passes and StateUnhealthy when it fails, so an up that was killed
// during a health wait is finished (or the service replaced) by the next.
const (
	StateExists    = "exists"
	StateRunning   = "running"
	StateStarting  = "starting"
	StateUnhealthy = "unhealthy"
	StateStopped   = "stopped"
	// Status rows only: a service whose program failed (non-zero exit, not
	// a stop), and one the file has that the engine lacks.
	StateExited  = "exited"
	StateMissing = "missing"
)

// Health values of a status row; "" means the service has no check.
const (
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthStarting  = "starting"
)

// Running reports whether an observed state is one of a running object.
func Running(state string) bool {
	return state == StateRunning || state == StateStarting || state == StateUnhealthy
}

// Ref names a resource within a project.
type Ref struct {
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
}

func (r Ref) String() string { return string(r.Kind) + "/" + r.Name }

// Resource is one object devbox manages, as desired (from the file) or as
// observed (from the engine's labels).
type Resource struct {
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
	// Hash is the config hash; a desired/observed mismatch means replace.
	Hash string `json:"hash,omitempty"`
	// ID is the engine's identifier (observed only).
	ID string `json:"id,omitempty"`
	// State is the observed state; empty for desired resources.
	State string `json:"state,omitempty"`
	// Needs are resources this one lives in or on: they are brought up
	// first, and replacing one of them replaces this one too.
	Needs []Ref `json:"needs,omitempty"`
	// After are resources brought up (and healthy) before this one, without
	// replace propagation: depends_on.
	After []Ref `json:"after,omitempty"`
	// Drift, observed only, says how the object differs from what its
	// labels claim (a network it is not attached to, a port device removed
	// by hand): the plan replaces it, whatever the hash says.
	Drift string `json:"drift,omitempty"`
}

// Ref returns the resource's reference.
func (r Resource) Ref() Ref { return Ref{Kind: r.Kind, Name: r.Name} }

// Runs reports whether this kind of resource has a running state.
func (r Resource) Runs() bool { return r.Kind == KindHost || r.Kind == KindService }

// Hash returns a short, stable hash of the JSON encoding of v. Map keys are
// sorted by encoding/json, so equal values give equal hashes.
func Hash(v ...any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unsupported types fail; that is a programming error.
		panic(fmt.Sprintf("engine: hash: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:20]
}

// CPUMeter turns cumulative CPU time readings into a percentage of one
// core between successive readings, per key. Engines report CPU as a
// counter; a status poll sees one reading, so the meter keeps the last.
type CPUMeter struct {
	mu   sync.Mutex
	last map[string]cpuSample
}

type cpuSample struct {
	ns uint64
	at time.Time
}

// Percent records a reading of key's cumulative CPU time and returns the
// use since the previous reading; for the first reading, the average since
// started (0 when that is unknown, or after a counter reset).
func (m *CPUMeter) Percent(key string, cpuNS uint64, at, started time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last == nil {
		m.last = map[string]cpuSample{}
	}
	prev, ok := m.last[key]
	m.last[key] = cpuSample{ns: cpuNS, at: at}
	if !ok {
		prev = cpuSample{at: started}
	}
	wall := at.Sub(prev.at)
	if prev.at.IsZero() || cpuNS < prev.ns || wall <= 0 {
		return 0
	}
	return float64(cpuNS-prev.ns) / float64(wall.Nanoseconds()) * 100
}
