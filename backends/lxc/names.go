package lxc

import (
	"strconv"
	"strings"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
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
	keyReplica  = "user.devbox.replica." // + service name: the declared service it is a replica of
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

// UnitName is the systemd unit of a service that is not a replica.
func UnitName(service string) string { return "devbox-" + service + ".service" }

// UnitPath is where the unit file lives in the instance.
func UnitPath(service string) string { return unitDir + UnitName(service) }

const unitDir = "/etc/systemd/system/"

// Replicas are instances of a template unit: replica i of service worker
// (envfile's worker-i) is devbox-worker@i.service, an instance of
// devbox-worker@.service. The template holds nothing but a description;
// each instance's drop-in (ReplicaDropIn) is its whole definition, so
// replicas created at different times each run the file they were created
// from, as separate units would, and writing one never changes another.

// ReplicaUnit is the unit of replica i of declared service group.
func ReplicaUnit(group string, i int) string {
	return "devbox-" + group + "@" + strconv.Itoa(i) + ".service"
}

// TemplatePath is the template unit file of group's replicas.
func TemplatePath(group string) string { return unitDir + "devbox-" + group + "@.service" }

// ReplicaDropIn is the drop-in that defines replica i of group.
func ReplicaDropIn(group string, i int) string { return dropIn(ReplicaUnit(group, i)) }

// dropIn is devbox's drop-in of unit.
func dropIn(unit string) string { return unitDir + unit + ".d/devbox.conf" }

// unitOf is the unit of a service of the file.
func unitOf(svc *envfile.Service) string {
	if svc.ReplicaOf != "" {
		return ReplicaUnit(svc.ReplicaOf, svc.Replica)
	}
	return UnitName(svc.Name)
}

// labelledUnit is the unit of service as the instance's labels record it
// (config): a replica's template instance when keyReplica says it is one.
// Observe, ls and removals go by it, not by the file, which may have
// changed since.
func labelledUnit(config map[string]string, service string) string {
	if g := config[keyReplica+service]; g != "" {
		if i, err := strconv.Atoi(strings.TrimPrefix(service, g+"-")); err == nil && strings.HasPrefix(service, g+"-") {
			return ReplicaUnit(g, i)
		}
	}
	return UnitName(service)
}

// unitGroup is the declared service of a replica unit
// (devbox-worker@2.service: worker), "" for any other unit.
func unitGroup(unit string) string {
	name, ok := strings.CutPrefix(unit, "devbox-")
	if !ok {
		return ""
	}
	g, _, ok := strings.Cut(name, "@")
	if !ok {
		return ""
	}
	return g
}
