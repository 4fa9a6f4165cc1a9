package lxc

import (
	"strings"

	"github.com/devbox-dev/devbox/engine"
)

// Config keys devbox writes on the objects it makes.
const (
	keyProject  = "user.devbox.project"
	keyHash     = "user.devbox.hash"
	keyName     = "user.devbox.name"
	keyVersion  = "user.devbox.version"
	keyService  = "user.devbox.service." // + service name: unit hash
	keyHealth   = "user.devbox.health."  // + service name: "1" when it has a health check
	keyBridged  = "user.devbox.network." // + network name: bridged NIC hash
	cachePrefix = "devbox-cache/"
)

// InstanceName is the instance of a project: devbox-<project>, shortened
// with a hash when it would exceed the 63 characters of a hostname.
func InstanceName(project string) string {
	n := "devbox-" + project
	if len(n) > 63 {
		n = n[:54] + "-" + engine.Hash(project)[:8]
	}
	return strings.TrimRight(n, "-")
}

// NetworkName is the Incus bridge for network net of project: devbox-<8 hex>,
// 15 characters, because bridge names become kernel interface names.
func NetworkName(project, net string) string {
	return "devbox-" + engine.Hash("network", project, net)[:8]
}

// VolumeName is the custom storage volume for volume vol of project:
// <project>_<volume>. Both are DNS labels, which have no "_", so no two
// (project, volume) pairs share a name (with "-", project app's volume
// x-data and project app-x's volume data did).
func VolumeName(project, vol string) string { return project + "_" + vol }

// legacyVolumeName is the name volumes had before VolumeName was
// injective: still used for a volume of that name labelled as this one.
func legacyVolumeName(project, vol string) string { return project + "-" + vol }

// UnitName is the systemd unit of a service.
func UnitName(service string) string { return "devbox-" + service + ".service" }

// UnitPath is where the unit file lives in the instance.
func UnitPath(service string) string { return "/etc/systemd/system/" + UnitName(service) }
