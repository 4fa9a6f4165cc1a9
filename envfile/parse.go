package envfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Options control evaluation.
type Options struct {
	// Vars are --var name=value overrides of variable defaults. A value is
	// a number or bool when it reads as one in HCL, otherwise a string.
	Vars map[string]string
	// Backend overrides the file's backend; "" keeps the file's value,
	// which defaults to "lxc".
	Backend string
	// LookupEnv serves env("X"); nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Project overrides the file's project; "" keeps the file's value,
	// which defaults to the directory name sanitised to a DNS label.
	Project string
	// Allow lists the host paths outside the project directory (the
	// directory of devbox.hcl) that mount sources, file() and a
	// symlinked devbox.hcl may resolve into. The CLI fills it from
	// --allow-mount and the user's allow-mounts file.
	Allow []Allowed
	// AllowFile is the user's allow-mounts file, named in the fix of a
	// confinement error; "" names none.
	AllowFile string
	// Existing says the file is read to act on what already exists (down,
	// destroy, status, logs, exec), not to create anything: a missing mount
	// source is then a warning, since nothing will be mounted, and a user
	// who deleted a directory can still tear the environment down.
	Existing bool
	// ActiveProfiles are the service profiles in effect (--profile,
	// DEVBOX_PROFILES; "*" is all of them): a service with profiles is
	// enabled only when one of them is active. Not lxc.profiles.
	ActiveProfiles []string
	// Enable names services to enable whatever the active profiles, as
	// Compose does for services named on the command line (up SERVICE…):
	// their profiles are activated.
	Enable []string
}

// Files maps file names to parsed HCL files so diagnostics can show
// source lines.
type Files map[string]*hcl.File

// DefaultFile is the conventional name of the environment file.
const DefaultFile = "devbox.hcl"

// Load reads the file at path and parses it like [Parse].
// A devbox.hcl that is a symlink to a file outside its directory (and the
// allowed paths) is refused before it is read, so none of its lines is
// echoed in a diagnostic.
func Load(path string, opts Options) (*Environment, Files, hcl.Diagnostics) {
	target, err := checkFileLink(path, opts)
	if err != nil {
		return nil, Files{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Environment file outside the project",
			Detail:   err.Error() + ".",
		}}
	}
	src, size, err := readSource(target)
	if err != nil {
		return nil, Files{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read environment file",
			Detail: fmt.Sprintf("%s. Create %s (see the README for the format), "+
				"or point devbox at another file with -f FILE or another directory with -C DIR.", err, path),
		}}
	}
	return parse(path, src, size, opts)
}

// readSource reads at most MaxFileSize+1 bytes of path, enough for the
// size guard to notice an oversized file without reading all of it, and
// returns the file's size, which the guard reports.
func readSource(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err // *PathError: "open PATH: reason"
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil {
		if st.IsDir() {
			return nil, 0, fmt.Errorf("%s is a directory, not a file", path)
		}
		size = st.Size()
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	return src, max(size, int64(len(src))), nil
}

// Parse parses, evaluates and validates the contents of a devbox.hcl.
// filename is used in diagnostics as given; Environment.File and Dir are
// made absolute from it. When the diagnostics contain errors the
// Environment is nil, but Files always holds the source so diagnostics can
// be printed with it.
func Parse(filename string, src []byte, opts Options) (*Environment, Files, hcl.Diagnostics) {
	return parse(filename, src, int64(len(src)), opts)
}

// parse is Parse of a file of size bytes, of which src may hold only the
// first MaxFileSize+1.
func parse(filename string, src []byte, size int64, opts Options) (*Environment, Files, hcl.Diagnostics) {
	if filename == "" {
		filename = DefaultFile
	}
	files := Files{filename: {Bytes: src}}
	if diags := guard(filename, src, size); diags.HasErrors() {
		return nil, files, diags
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if file != nil {
		files[filename] = file
	}
	if diags.HasErrors() {
		return nil, files, diags
	}
	abs, err := filepath.Abs(filename)
	if err != nil {
		return nil, files, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot resolve file path",
			Detail:   fmt.Sprintf("Making %s absolute failed: %s. Run devbox from an existing directory.", filename, err),
		})
	}
	env, more := decodeFile(file.Body, abs, opts)
	diags = append(diags, more...)
	if diags.HasErrors() {
		return nil, files, diags
	}
	return env, files, diags
}

// WriteDiagnostics prints diags in HCL's text format, each headed by its
// file:line,col and, without color, with a caret line under the subject.
// With color, text is wrapped at 100 columns.
func (f Files) WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, color bool) error {
	var width uint
	if color {
		width = 100
	}
	var buf bytes.Buffer
	tw := hcl.NewDiagnosticTextWriter(&buf, map[string]*hcl.File(f), width, color)
	for _, d := range diags {
		buf.Reset()
		if d.Subject != nil {
			fmt.Fprintf(&buf, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		if err := tw.WriteDiagnostic(d); err != nil {
			return fmt.Errorf("rendering diagnostic: %w", err)
		}
		out := buf.Bytes()
		if !color && d.Subject != nil {
			out = f.addCaret(out, *d.Subject)
		}
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("writing diagnostics: %w", err)
		}
	}
	return nil
}

// addCaret inserts a line of carets under the subject's first source line
// in a rendered diagnostic.
func (f Files) addCaret(out []byte, subj hcl.Range) []byte {
	file := f[subj.Filename]
	if file == nil || subj.Start.Byte > len(file.Bytes) || subj.Start.Byte < 0 {
		return out
	}
	src := file.Bytes
	lineStart := bytes.LastIndexByte(src[:subj.Start.Byte], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[subj.Start.Byte:], '\n'); i >= 0 {
		lineEnd = subj.Start.Byte + i
	}
	end := min(max(subj.End.Byte, subj.Start.Byte), lineEnd)
	var caret strings.Builder
	for _, r := range string(src[lineStart:subj.Start.Byte]) {
		if r == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	caret.WriteString(strings.Repeat("^", max(1, utf8.RuneCount(src[subj.Start.Byte:end]))))

	prefix := fmt.Sprintf("%4d: ", subj.Start.Line)
	marker := []byte("\n" + prefix)
	i := bytes.Index(out, marker)
	if i < 0 {
		return out
	}
	eol := bytes.IndexByte(out[i+1:], '\n')
	if eol < 0 {
		return out
	}
	at := i + 1 + eol + 1
	ins := strings.Repeat(" ", len(prefix)) + strings.TrimRight(caret.String(), " ") + "\n"
	if strings.TrimSpace(ins) == "" {
		return out
	}
	res := make([]byte, 0, len(out)+len(ins))
	res = append(res, out[:at]...)
	res = append(res, ins...)
	return append(res, out[at:]...)
}
