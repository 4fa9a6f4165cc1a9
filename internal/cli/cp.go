package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
)

type cpCmd struct{ app *App }

func (c *cpCmd) command() *cobra.Command {
	return &cobra.Command{
		Use:   "cp SRC DST",
		Short: "Copy files or directories between a service and the host (SERVICE:PATH on one side)",
		Long: "Copy a file or a directory (recursively) between the host and a service, as docker compose cp:\n" +
			"  devbox cp web:/etc/nginx ./nginx     out of the service\n" +
			"  devbox cp ./site web:/srv/www        into the service\n" +
			"A destination that is an existing directory receives the source inside it; otherwise the source " +
			"is created as the destination. A relative service path is relative to the service's root (/), " +
			"as in docker cp. Modes are kept; files copied in belong to root, files copied out to you. " +
			"On lxc every service shares the one instance's filesystem, which must be running.",
		Args: cobra.ExactArgs(2),
	}
}

// copySpec is a parsed cp: which service, which way, which paths.
type copySpec struct {
	service       string
	containerPath string
	hostPath      string
	toService     bool
}

// Run copies.
func (c *cpCmd) Run(ctx context.Context, args []string) error {
	spec, err := parseCopyArgs(args[0], args[1])
	if err != nil {
		return badInput(err)
	}
	env, err := c.app.loadExisting()
	if err != nil {
		return err
	}
	b, err := c.app.open(ctx, env)
	if err != nil {
		return err
	}
	defer b.Close()
	if spec.service, err = oneService(env, spec.service); err != nil {
		return err
	}
	cp, ok := b.(engine.Copier)
	if !ok {
		return fmt.Errorf("the %s backend cannot copy files", b.Name())
	}
	if spec.toService {
		return cp.CopyTo(ctx, env, spec.service, spec.hostPath, spec.containerPath)
	}
	return cp.CopyFrom(ctx, env, spec.service, spec.containerPath, spec.hostPath)
}

// parseCopyArgs tells the service side from the host side. An argument is
// SERVICE:PATH when it has a colon after a service-like name and does not
// start with / or . (so ./a:b and /x:y are host paths), as docker cp.
func parseCopyArgs(src, dst string) (copySpec, error) {
	sSvc, sPath, sIn := splitServicePath(src)
	dSvc, dPath, dIn := splitServicePath(dst)
	switch {
	case sIn && dIn:
		return copySpec{}, errors.New("cp: both SRC and DST name a service; copy through the host, one side at a time")
	case !sIn && !dIn:
		return copySpec{}, errors.New("cp: one of SRC and DST must be SERVICE:PATH (web:/etc/nginx)")
	case sIn:
		if sPath == "" || dst == "" {
			return copySpec{}, fmt.Errorf("cp %s %s: want SERVICE:PATH HOSTPATH", src, dst)
		}
		return copySpec{service: sSvc, containerPath: sPath, hostPath: dst}, nil
	default:
		if dPath == "" || src == "" {
			return copySpec{}, fmt.Errorf("cp %s %s: want HOSTPATH SERVICE:PATH", src, dst)
		}
		return copySpec{service: dSvc, containerPath: dPath, hostPath: src, toService: true}, nil
	}
}

// splitServicePath splits "web:/etc" into web and /etc; ok is false for a
// host path.
func splitServicePath(arg string) (service, p string, ok bool) {
	if strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", "", false
	}
	service, p, ok = strings.Cut(arg, ":")
	if !ok || !serviceLike(service) {
		return "", "", false
	}
	return service, p, true
}

// serviceLike reports whether s can be a service name: letters, digits,
// '-' and '_', starting with a letter or digit.
func serviceLike(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || r != '-' && r != '_') {
			return false
		}
	}
	return true
}
