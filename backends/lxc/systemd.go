package lxc

import (
	"fmt"
	"strings"
)

// systemdPaths are where an image keeps systemd's binary (merged /usr or not).
func systemdPaths() []string { return []string{"/usr/lib/systemd/systemd", "/lib/systemd/systemd"} }

// requireSystemd fails at once for an instance whose image has no systemd
// (busybox, alpine with OpenRC): its services are systemd units, and
// waiting for a systemd that never comes would take minutes. It reads the
// root filesystem through the file API, so it works before the start.
func (b *Backend) requireSystemd(name, image string) error {
	for _, p := range systemdPaths() {
		rc, _, err := b.c.GetInstanceFile(name, p)
		if err == nil {
			rc.Close()
			return nil
		}
	}
	return noSystemd(name, image)
}

func noSystemd(name, image string) error {
	return fmt.Errorf("lxc: image %q has no systemd (no %s in instance %s); devbox runs every service as a systemd unit, so use an image with systemd, such as image = \"debian/12\"",
		image, strings.Join(systemdPaths(), " or "), name)
}

// commandNotFound reports an exec that failed because the program is not
// in the instance (Incus fails the exec instead of exiting 127).
func commandNotFound(err error) bool {
	if code, ok := exitCode(err); ok {
		return code == 127
	}
	return err != nil && strings.Contains(err.Error(), "Command not found")
}
