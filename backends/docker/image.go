package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/image"

	"github.com/devbox-dev/devbox/engine"
)

// ErrImage marks errors about a missing image that could not be pulled.
var ErrImage = errors.New("is not available")

// ensureImage returns the image, pulling it once if it is not present.
func (b *Backend) ensureImage(ctx context.Context, ref string, ev engine.Ref, p engine.Progress) (image.InspectResponse, error) {
	img, err := b.cli.ImageInspect(ctx, ref)
	if err == nil {
		return img, nil
	}
	if !notFound(err) {
		return img, fmt.Errorf("docker: inspect image %q: %w", ref, err)
	}
	if p != nil {
		p(engine.Event{Ref: ev, Status: "pulling " + ref})
	}
	if err := b.pull(ctx, ref, "", ev, p); err != nil {
		return img, fmt.Errorf("docker: image %q %w: it is not present locally and pulling it failed: %v; import or pull it (docker pull %s) and run devbox doctor", ref, ErrImage, err, ref)
	}
	img, err = b.cli.ImageInspect(ctx, ref)
	if err != nil {
		return img, fmt.Errorf("docker: inspect image %q after pull: %w", ref, err)
	}
	return img, nil
}

// pull pulls ref (for platform, "" meaning the daemon's), reporting the
// daemon's progress messages and returning its error.
func (b *Backend) pull(ctx context.Context, ref, platform string, ev engine.Ref, p engine.Progress) error {
	rc, err := b.cli.ImagePull(ctx, ref, image.PullOptions{Platform: platform})
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var m struct {
			Status   string `json:"status"`
			Progress string `json:"progress"`
			ID       string `json:"id"`
			Error    string `json:"error"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
		if p != nil && m.Status != "" {
			p(engine.Event{Ref: ev, Status: fmt.Sprintf("pull %s: %s %s %s", ref, m.ID, m.Status, m.Progress)})
		}
	}
}
