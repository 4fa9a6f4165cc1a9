package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Request says which Compose project to import.
type Request struct {
	// Files are the compose files, as `docker compose -f` takes them; none:
	// the file Compose finds from WorkingDir up.
	Files []string `json:"files,omitempty"`
	// WorkingDir is where Compose would run (absolute).
	WorkingDir string `json:"working_dir"`
	// Env is the environment interpolation reads, "KEY=value".
	Env []string `json:"env"`
	// Out is the devbox.hcl to write (absolute); "": beside the first
	// compose file. Paths in the file are relative to it.
	Out string `json:"out,omitempty"`
}

// Row is one thing of the compose file devbox.hcl cannot say.
type Row struct {
	Service string `json:"service,omitempty"` // "" for the project's top level
	Field   string `json:"field"`
	Why     string `json:"why"`
}

// Result is an imported devbox.hcl, not yet written.
type Result struct {
	Files    []string `json:"files"` // the compose files read
	Out      string   `json:"out"`   // where the file belongs
	HCL      []byte   `json:"hcl"`
	Unmapped []Row    `json:"unmapped,omitempty"`
	Services int      `json:"services"`
}

// Func imports a Compose project.
type Func func(ctx context.Context, req Request) (Result, error)

// BadInputError is an import that failed for the user's input (no compose
// file, a file Compose refuses): the CLI exits 2 with its message.
type BadInputError struct{ Msg string }

func (e *BadInputError) Error() string { return e.Msg }

// Binary is the name of the parser's executable.
const Binary = "devbox-import"

// exitBadInput is the parser's exit code for a BadInputError.
const exitBadInput = 2

// Locate finds devbox-import beside the running executable, else on PATH.
func Locate() (string, error) {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), Binary)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath(Binary)
	if err != nil {
		return "", fmt.Errorf("import: %s is not beside devbox nor on PATH; build it with `make build` (bin/%s) or `go install ./cmd/%s`", Binary, Binary, Binary)
	}
	return p, nil
}

// Exec is a Func that runs the parser binary at path.
func Exec(path string) Func {
	return func(ctx context.Context, req Request) (Result, error) {
		in, err := json.Marshal(req)
		if err != nil {
			return Result{}, err
		}
		var out, errb bytes.Buffer
		cmd := exec.CommandContext(ctx, path)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, &errb
		err = cmd.Run()
		msg := strings.TrimSpace(errb.String())
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee) && ee.ExitCode() == exitBadInput:
			return Result{}, &BadInputError{Msg: msg}
		case err != nil:
			return Result{}, fmt.Errorf("import: %s: %w: %s", path, err, msg)
		}
		var res Result
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			return Result{}, fmt.Errorf("import: %s answered: %w", path, err)
		}
		return res, nil
	}
}

// Serve is devbox-import's main: it reads a Request on stdin, runs f and
// writes the Result on stdout, or the error on stderr (exit 2 for bad
// input, 1 otherwise). It returns the exit code.
func Serve(ctx context.Context, f Func) int {
	var req Request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "devbox-import: reading the request:", err)
		return 1
	}
	res, err := f(ctx, req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		var bad *BadInputError
		if errors.As(err, &bad) {
			return exitBadInput
		}
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "devbox-import: writing the result:", err)
		return 1
	}
	return 0
}
