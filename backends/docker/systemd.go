package docker

import (
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/system"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// systemdCommand runs when a systemd service has no command.
func systemdCommand() []string { return []string{"/sbin/init"} }

// applySystemd sets what systemd as PID 1 needs, measured on this
// project's cgroup v1 (hybrid) hosts with Debian 12's systemd 252:
//
//   - a private cgroup namespace, so systemd sees its own subtree as "/";
//   - CAP_SYS_ADMIN, so systemd can mount its own cgroup tree inside that
//     namespace — without it systemd 252 exits with "Failed to create
//     /init.scope control group: Read-only file system" (Docker mounts
//     the cgroup hierarchies read-only; a tmpfs over them fails with "No
//     such file or directory"; only a rw bind of the host's tree, all of
//     it, would do, since the container's own path holds its ID);
//   - CAP_MKNOD dropped: SYS_ADMIN lets the container mount a cgroup v1
//     devices hierarchy and widen devices.allow, so no device node may be
//     made (systemd needs none: /dev is Docker's);
//   - tmpfs on /run and /run/lock, container=docker, stop signal
//     SIGRTMIN+3 (systemd's clean shutdown) and a stop timeout of
//     systemdStopTimeout: systemd stops every unit and flushes its
//     journal, which under disk load can outlast Docker's 10 s, and a
//     kill then cuts off what the units were writing.
//
// On AppArmor hosts the docker-default profile forbids mount, so the
// container runs unconfined there. The daemon's cgroup version comes from
// info (the engine may be remote); cgroup v2 gets the same set.
// systemdStopTimeout is the seconds a systemd = true container gets to
// halt before it is killed.
const systemdStopTimeout = 60

func applySystemd(cfg *container.Config, hc *container.HostConfig, info system.Info) {
	cfg.StopSignal = "SIGRTMIN+3"
	t := systemdStopTimeout
	cfg.StopTimeout = &t
	cfg.Env = append(cfg.Env, "container=docker")
	if hc.Tmpfs == nil {
		hc.Tmpfs = map[string]string{}
	}
	hc.Tmpfs["/run"] = "rw,nosuid,nodev,mode=755"
	hc.Tmpfs["/run/lock"] = "rw,nosuid,nodev,noexec,mode=1777"
	hc.CgroupnsMode = container.CgroupnsModePrivate
	hc.CapAdd = append(hc.CapAdd, "SYS_ADMIN")
	hc.CapDrop = append(hc.CapDrop, "MKNOD")
	if apparmor(info) {
		hc.SecurityOpt = append(hc.SecurityOpt, "apparmor=unconfined")
	}
}

func apparmor(info system.Info) bool {
	for _, o := range info.SecurityOptions {
		if strings.Contains(o, "name=apparmor") {
			return true
		}
	}
	return false
}

// systemdPrivileges says, for plan, what applySystemd grants beyond a
// default container. Plan needs no daemon, so AppArmor is named as
// possible rather than looked up.
func systemdPrivileges(s *envfile.Service) string {
	return fmt.Sprintf("service %q: systemd = true: private cgroup namespace, CAP_SYS_ADMIN (mounts; it can rewrite its own cgroups, devices.allow included), CAP_MKNOD dropped, AppArmor unconfined where the daemon uses AppArmor", s.Name)
}

var _ engine.Privileger = (*Backend)(nil)

// Privileges lists, one line per service, what the backend gives a
// service beyond a default container: only systemd = true does.
func (b *Backend) Privileges(env *envfile.Environment) []string {
	var out []string
	for i := range env.Services {
		if s := &env.Services[i]; s.Systemd {
			out = append(out, systemdPrivileges(s))
		}
	}
	return out
}
