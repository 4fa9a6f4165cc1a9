package engine

// Services the file has but leaves out (profiles not active) are not
// orphans, as in Compose: up keeps what exists of them, running or not,
// and only destroy removes them with the rest of the project.

// keepDisabled decides for an observed resource missing from desired: an
// action that keeps a disabled service, or false when it is an orphan
// that up removes. decided holds the plan's decisions so far: a disabled
// service that lives in a host being replaced goes with it, and the plan
// says so rather than claiming to keep it.
func keepDisabled(o Resource, disabled map[string]bool, decided map[Ref]Op) (Action, bool) {
	// A replica (worker-2) of a disabled service is disabled with it.
	if o.Kind != KindService || (!disabled[o.Name] && !orphanReplica(o.Name, disabled)) {
		return Action{}, false
	}
	for _, n := range o.Needs {
		if op := decided[n]; op == OpReplace || op == OpCreate {
			return Action{Op: OpRemove, Resource: o, Reason: "its profile is not active and " + n.String() + " is " + pastTense(op)}, true
		}
	}
	return Action{Op: OpKeep, Resource: o, Reason: "profile not active; kept"}, true
}

// disabledSet is the names as a set.
func disabledSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
