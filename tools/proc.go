package tools

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
)

// NSPid returns the PID that host process pid has in its innermost PID
// namespace (a container's), from /proc/PID/status; 0 when unknown.
func NSPid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.Atoi(f[len(f)-1])
			return n
		}
	}
	return 0
}

// RunIDVar is set in every tool program's environment to a token unique to
// the call; its processes and their children carry it, so a cancelled
// call can find them all (KillScript).
const RunIDVar = "DEVBOX_RUN_ID"

// NewRunID returns a fresh token for RunIDVar.
func NewRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// KillScript, run in the container as the run's user with a run ID and a
// signal number, signals every process of that run (the program and whatever it
// started, found by RunIDVar in /proc/PID/environ).
const KillScript = `for p in /proc/[0-9]*; do
  tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qx "` + RunIDVar + `=$1" && kill -"$2" "${p#/proc/}" 2>/dev/null
done
exit 0`
