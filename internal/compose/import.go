package compose

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/devbox-dev/devbox/internal/importer"
)

// Import finds, loads and converts the project req names: the
// importer.Func devbox-import serves. What the user's input gets wrong is
// an *importer.BadInputError.
func Import(ctx context.Context, req importer.Request) (importer.Result, error) {
	opts := LoadOptions{Files: req.Files, WorkingDir: req.WorkingDir, Env: req.Env}
	files, err := Find(opts)
	if errors.Is(err, ErrNoComposeFile) {
		return importer.Result{}, &importer.BadInputError{Msg: fmt.Sprintf(
			"no compose file (compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml) in %s or its parents; pass the file: devbox import FILE", req.WorkingDir)}
	} else if err != nil {
		return importer.Result{}, &importer.BadInputError{Msg: err.Error()}
	}
	opts.Files = files
	out := req.Out
	if out == "" {
		out = filepath.Join(filepath.Dir(files[0]), "devbox.hcl")
	}
	p, err := Load(ctx, opts)
	if err != nil {
		return importer.Result{}, &importer.BadInputError{Msg: err.Error()}
	}
	res, err := Convert(p, out)
	if err != nil {
		return importer.Result{}, err
	}
	return importer.Result{Files: files, Out: out, HCL: res.HCL, Unmapped: res.Unmapped, Services: len(p.Services)}, nil
}
