package docker

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/volume"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/envfile"
)

// The scale record keeps `devbox scale`'s counts on the engine, as labels
// on an empty volume devbox owns: Docker labels are immutable, so the
// record is replaced whole, and a volume is the one labelled object that
// needs neither an image nor a network. Its kind label is kindScale, not
// KindVolume, so Observe never reports it: up never plans to touch it,
// and destroy --volumes or orphan handling never shows it as a user
// volume. The CLI removes it on destroy (RecordScales with nil).
const (
	kindScale = "scale"
	// labelScale prefixes one label per scaled service; the value is
	// "<count>/<file's replicas>" ("4/2"; "4/" when the file has none).
	labelScale = "dev.devbox.scale."
)

var _ engine.ScaleRecorder = (*Backend)(nil)

// ScaleVolumeName is the Docker name of a project's scale record. The dot
// keeps it apart from every declared volume (<project>_<name>: names are
// DNS labels, which have no dot).
func ScaleVolumeName(project string) string { return project + "_devbox.scale" }

// Scales reads the project's scale record; none is an empty map.
func (b *Backend) Scales(ctx context.Context, env *envfile.Environment) (map[string]engine.Scale, error) {
	name := ScaleVolumeName(env.Project)
	v, err := b.cli.VolumeInspect(ctx, name)
	if notFound(err) {
		return map[string]engine.Scale{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("docker: read scale record %q: %w", name, err)
	}
	if err := ownScaleRecord(env.Project, v); err != nil {
		return nil, err
	}
	return parseScales(name, v.Labels)
}

// RecordScales replaces the project's scale record with scales; an empty
// map removes it (a missing record is no error).
func (b *Backend) RecordScales(ctx context.Context, env *envfile.Environment, scales map[string]engine.Scale) error {
	name := ScaleVolumeName(env.Project)
	labels, err := b.scaleLabels(env.Project, scales)
	if err != nil {
		return err
	}
	if err := b.removeScaleRecord(ctx, env.Project); err != nil {
		return err
	}
	if len(scales) == 0 {
		return nil
	}
	if _, err := b.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
		return fmt.Errorf("docker: write scale record %q: %w", name, err)
	}
	return nil
}

// removeScaleRecord deletes the record volume if it is there, refusing one
// of that name devbox did not make for project.
func (b *Backend) removeScaleRecord(ctx context.Context, project string) error {
	name := ScaleVolumeName(project)
	v, err := b.cli.VolumeInspect(ctx, name)
	if notFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("docker: inspect scale record %q: %w", name, err)
	}
	if err := ownScaleRecord(project, v); err != nil {
		return err
	}
	if err := b.cli.VolumeRemove(ctx, name, false); err != nil && !notFound(err) {
		return fmt.Errorf("docker: remove scale record %q: %w", name, err)
	}
	return nil
}

func ownScaleRecord(project string, v volume.Volume) error {
	if v.Labels[LabelProject] == project && v.Labels[LabelKind] == kindScale {
		return nil
	}
	return fmt.Errorf("docker: volume %q is not devbox's scale record for project %q (labels %v); remove it (docker volume rm %s)",
		v.Name, project, v.Labels, v.Name)
}

// scaleLabels are the record's labels for scales.
func (b *Backend) scaleLabels(project string, scales map[string]engine.Scale) (map[string]string, error) {
	labels := b.labels(project, kindScale, "devbox.scale", "")
	delete(labels, LabelHash) // nothing to compare: it is replaced whole
	names := make([]string, 0, len(scales))
	for n := range scales {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sc := scales[n]
		if sc.Count < 0 || strings.Contains(sc.File, "/") {
			return nil, fmt.Errorf("docker: record scale of %q: invalid %+v", n, sc)
		}
		labels[labelScale+n] = strconv.Itoa(sc.Count) + "/" + sc.File
	}
	return labels, nil
}

// parseScales reads the per-service labels of a record volume.
func parseScales(volume string, labels map[string]string) (map[string]engine.Scale, error) {
	out := map[string]engine.Scale{}
	for k, v := range labels {
		svc, ok := strings.CutPrefix(k, labelScale)
		if !ok {
			continue
		}
		count, file, _ := strings.Cut(v, "/")
		n, err := strconv.Atoi(count)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("docker: scale record %q: label %s=%q is not <count>/<file replicas>; run devbox scale %s=N again", volume, k, v, svc)
		}
		out[svc] = engine.Scale{Count: n, File: file}
	}
	return out, nil
}
