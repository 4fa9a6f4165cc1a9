package lxc

import (
	"context"
	"fmt"

	incus "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/api"

	"github.com/devbox-dev/devbox/images"
)

// baseImage is a resolved image: where it is and what it is.
type baseImage struct {
	Name   string            // as written in the file
	Remote string            // "" for the server itself
	Server incus.ImageServer // nil for the server itself
	Image  api.Image
}

// resolveImage finds name: a local alias (or fingerprint) first, then the
// images: remote (or the remote the name gives) from the incus CLI config.
func (b *Backend) resolveImage(ctx context.Context, name string) (*baseImage, error) {
	remote, alias := images.Incus(name)
	if remote == "" || remote == "local" {
		img, err := b.localImage(alias)
		switch {
		case err == nil:
			return &baseImage{Name: name, Image: *img}, nil
		case ctx.Err() != nil:
			return nil, fmt.Errorf("lxc: look up image %q: %w", name, ctx.Err())
		case !api.StatusErrorCheck(err, 404):
			// Not an absent image (an interrupted client, a server
			// error): a remote lookup would only hide the cause.
			return nil, fmt.Errorf("lxc: look up image %q on the server: %w", name, err)
		case remote == "local":
			return nil, fmt.Errorf("lxc: image %q not found on the server (incus image list); import it (incus image import FILE --alias %s) or copy it (incus image copy images:%s local: --alias %s)", name, alias, alias, alias)
		}
		remote = images.DefaultRemote
	}
	if b.conf == nil {
		return nil, fmt.Errorf("lxc: image %q is not a local alias, and there is no incus CLI config to find remote %q", name, remote)
	}
	srv, err := b.conf.GetImageServer(remote)
	if err == nil {
		var a *api.ImageAliasesEntry
		if a, _, err = srv.GetImageAlias(alias); err == nil {
			var img *api.Image
			if img, _, err = srv.GetImage(a.Target); err == nil {
				return &baseImage{Name: name, Remote: remote, Server: srv, Image: *img}, nil
			}
		}
	}
	return nil, fmt.Errorf("lxc: image %q not found: not a local alias (incus image list) and not on remote %q: %w; import it (incus image import FILE --alias %s) or fix the image name", name, remote, err, alias)
}

// localImage finds an image on the server by alias or fingerprint.
func (b *Backend) localImage(name string) (*api.Image, error) {
	fp := name
	if a, _, err := b.c.GetImageAlias(name); err == nil {
		fp = a.Target
	}
	img, _, err := b.c.GetImage(fp)
	return img, err
}
