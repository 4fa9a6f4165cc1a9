package docker

import (
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/system"
)

// systemdCommand runs when a systemd service has no command.
func systemdCommand() []string { return []string{"/sbin/init"} }

// applySystemd sets what systemd as PID 1 needs, found on this project's
// cgroup v1 (hybrid) hosts and matching the usual cgroup v2 setup:
//
//   - a private cgroup namespace, so systemd sees its own subtree as "/";
//   - CAP_SYS_ADMIN, so systemd can mount its own cgroup2 (unified) tree
//     inside that namespace — without it, systemd 252 exits with "Failed to
//     create /init.scope control group: Read-only file system";
//   - tmpfs on /run and /run/lock, container=docker, stop signal
//     SIGRTMIN+3 (systemd's clean shutdown).
//
// On AppArmor hosts the docker-default profile forbids mount, so the
// container runs unconfined there.
func applySystemd(cfg *container.Config, hc *container.HostConfig, info system.Info) {
	cfg.StopSignal = "SIGRTMIN+3"
	cfg.Env = append(cfg.Env, "container=docker")
	if hc.Tmpfs == nil {
		hc.Tmpfs = map[string]string{}
	}
	hc.Tmpfs["/run"] = "rw,nosuid,nodev,mode=755"
	hc.Tmpfs["/run/lock"] = "rw,nosuid,nodev,noexec,mode=1777"
	hc.CgroupnsMode = container.CgroupnsModePrivate
	hc.CapAdd = append(hc.CapAdd, "SYS_ADMIN")
	for _, o := range info.SecurityOptions {
		if strings.Contains(o, "name=apparmor") {
			hc.SecurityOpt = append(hc.SecurityOpt, "apparmor=unconfined")
		}
	}
}
