package lxc

import "testing"

func TestWatchIgnoresItsOwnReads(t *testing.T) {
	for action, want := range map[string]bool{
		"instance-exec":        false,
		"instance-file-pushed": false,
		"instance-started":     true,
		"instance-stopped":     true,
		"instance-restarted":   true,
		"instance-updated":     true,
	} {
		if got := changes(action); got != want {
			t.Errorf("changes(%q) = %v, want %v", action, got, want)
		}
	}
}
