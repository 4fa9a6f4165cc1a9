package compose

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadOptions says which compose project to load.
type LoadOptions struct {
	// Files are the compose files, as `docker compose -f` takes them; none:
	// the file Compose finds in WorkingDir or its parents (compose.yaml,
	// compose.yml, docker-compose.yml, docker-compose.yaml, plus its
	// override file).
	Files []string
	// WorkingDir is where Compose would run; "" is the process's.
	WorkingDir string
	// Env is the environment interpolation reads, "KEY=value" (the
	// process's, for the CLI); .env in the project directory is read on
	// top of it, as Compose does.
	Env []string
}

// ErrNoComposeFile is returned when no compose file is found.
var ErrNoComposeFile = errors.New("no compose file found")

// Load loads a compose project the way Docker Compose does, with every
// profile enabled. The services' environment is left as written: env_file
// contents are not merged into it (the files are referenced instead).
func Load(ctx context.Context, opts LoadOptions) (*types.Project, error) {
	files, err := Find(opts)
	if err != nil {
		return nil, err
	}
	// The project directory is the first file's, as when Compose finds
	// the file itself: .env and relative paths are read from there.
	po, err := cli.NewProjectOptions(files,
		cli.WithEnv(opts.Env),
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithProfiles([]string{"*"}),
		cli.WithoutEnvironmentResolution,
	)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	p, err := cli.ProjectFromOptions(ctx, po)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return p, nil
}

// Find returns the compose files Load would read: opts.Files, or those
// COMPOSE_FILE names, or the file Compose finds from opts.WorkingDir up.
func Find(opts LoadOptions) ([]string, error) {
	po, err := cli.NewProjectOptions(opts.Files,
		cli.WithWorkingDirectory(opts.WorkingDir),
		cli.WithEnv(opts.Env),
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
	)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if len(po.ConfigPaths) == 0 {
		return nil, ErrNoComposeFile
	}
	out := make([]string, len(po.ConfigPaths))
	for i, f := range po.ConfigPaths {
		if !filepath.IsAbs(f) {
			base, err := po.GetWorkingDir()
			if err != nil {
				return nil, fmt.Errorf("compose: %w", err)
			}
			f = filepath.Join(base, f)
		}
		out[i] = f
	}
	return out, nil
}
