package lxc

import (
	"path"
	"sort"
	"strings"

	"github.com/devbox-dev/devbox/envfile"
)

// renderUnit writes the systemd unit of a service. It is pure; its text is
// part of the service hash.
// A replica's text is the drop-in that defines its template instance
// (names.go): the same sections, no [Install] (its wants link is made by
// hand, as every unit's is), and its own slice setting.
func renderUnit(svc *envfile.Service, env map[string]string) string {
	var b strings.Builder
	b.WriteString("# Written by devbox; changes are overwritten by devbox up.\n[Unit]\n")
	b.WriteString("Description=devbox service " + svc.Name + "\n")
	b.WriteString("StartLimitIntervalSec=0\n")
	if len(svc.DependsOn) > 0 {
		deps := make([]string, len(svc.DependsOn))
		for i, d := range svc.DependsOn {
			deps[i] = UnitName(d)
		}
		b.WriteString("After=" + strings.Join(deps, " ") + "\n")
		// Wants=, not Requires=: with Requires= replacing a dependency
		// would stop its dependants, and nothing would start them again.
		b.WriteString("Wants=" + strings.Join(deps, " ") + "\n")
	}
	b.WriteString("\n[Service]\n")
	if len(svc.Command) == 0 {
		b.WriteString("Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n")
	} else {
		b.WriteString("Type=simple\nExecStart=" + execLine(stdioCommand(svc.Name, svc.Command)) + "\n")
		// The journal names lines after the program, not the wrapper.
		b.WriteString("SyslogIdentifier=" + strings.ReplaceAll(path.Base(svc.Command[0]), "%", "%%") + "\n")
	}
	if svc.User != "" {
		b.WriteString("User=" + svc.User + "\n")
	}
	if svc.Workdir != "" {
		b.WriteString("WorkingDirectory=" + strings.ReplaceAll(svc.Workdir, "%", "%%") + "\n")
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("Environment=" + quoteUnit(k+"="+env[k], false) + "\n")
	}
	b.WriteString("Restart=" + restartPolicy(svc.Restart) + "\nRestartSec=1\n")
	// Accounting gives status CPU and memory figures per unit (off by default on cgroup v1).
	b.WriteString("CPUAccounting=yes\nMemoryAccounting=yes\n")
	if svc.ReplicaOf != "" {
		// Template instances go to a slice of their own by default
		// (system-devbox\x2dworker.slice); in system.slice, like every
		// other service, their cgroups are where cpuclock reads them.
		b.WriteString("Slice=system.slice\n")
		return b.String()
	}
	b.WriteString("\n[Install]\nWantedBy=multi-user.target\n")
	return b.String()
}

// renderTemplate is the template unit of group's replicas. It defines
// nothing an instance runs (each one's drop-in does, renderUnit), so it is
// the same whatever the file says and writing it again changes no replica;
// an instance without its drop-in has no ExecStart and does not start.
func renderTemplate(group string) string {
	return "# Written by devbox; changes are overwritten by devbox up.\n" +
		"# Replica %i of service " + group + "; each replica's drop-in (devbox-" + group + "@<i>.service.d/devbox.conf) defines it.\n" +
		"[Unit]\nDescription=devbox service " + group + " replica %i\n"
}

// stdioWrapper makes fd 1 and 2 pipes into the journal, then execs the
// program. systemd hands a service journal sockets, and open() cannot
// reopen a socket (ENXIO), so a program that opens /dev/stdout or
// /dev/stderr by path (nginx's error_log /dev/stderr, as container images
// configure it) fails; a pipe can be reopened. Everything execs in place,
// so the main PID is the program's and signals and exit status are
// unchanged. The cats ignore SIGTERM: on stop they read to the program's
// last line and end with it. bash's process substitution needs no files;
// without bash (a busybox image) two FIFOs in a private temporary
// directory do the same, and without those the program keeps the journal
// sockets. $0 names the service in the shell's own errors.
const stdioWrapper = `if command -v bash >/dev/null 2>&1; then ` +
	`exec bash -c 'exec > >(trap "" TERM; exec cat) 2> >(trap "" TERM; exec cat >&2); exec "$@"' "$0" "$@"; fi; ` +
	`d=$(mktemp -d 2>/dev/null) && mkfifo "$d/1" "$d/2" || exec "$@"; ` +
	`(trap "" TERM; exec cat <"$d/1") & (trap "" TERM; exec cat <"$d/2" >&2) & ` +
	`exec >"$d/1" 2>"$d/2"; rm -rf "$d"; exec "$@"`

// stdioCommand is cmd run through stdioWrapper.
func stdioCommand(service string, cmd []string) []string {
	return append([]string{"/bin/sh", "-c", stdioWrapper, "devbox-" + service}, cmd...)
}

// restartPolicy maps devbox's (docker's) restart names onto systemd's.
func restartPolicy(r string) string {
	switch r {
	case "no":
		return "no"
	case "always", "unless-stopped":
		return "always"
	default:
		return "on-failure"
	}
}

// execLine quotes every argument for ExecStart=, where $ expands variables
// and % specifiers; both are escaped so arguments arrive verbatim.
func execLine(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = quoteUnit(a, true)
	}
	return strings.Join(q, " ")
}

// quoteUnit double-quotes s with systemd's C-style escapes, doubling % (a
// specifier) and, in command lines, $ (a variable reference).
func quoteUnit(s string, dollar bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '%':
			b.WriteString("%%")
		case '$':
			if dollar {
				b.WriteString("$$")
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
