package envfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// envFiles decodes a service's env_file (a path or a list of them,
// relative to the project directory) and lays their variables under the
// service's env, with Compose's semantics: the files are read in order
// into one map that starts from the service's env, so a later file wins
// over an earlier one and ${VAR} in a file sees the host's variables
// first, then the service's env, then what earlier lines and files set;
// the service's env wins over every file. The values are part of the
// service's env from here on, so they are hashed, shown by config and
// copied to other services as <NAME>_ENV_<VAR> exactly like env.
func (p *parser) envFiles(a *hcl.Attribute, s *Service) {
	items := p.strOrList(a)
	if len(items) == 0 {
		return
	}
	s.EnvFile = values(items)
	own := s.Env
	vars := make(map[string]string, len(own))
	for k, v := range own {
		vars[k] = v
	}
	for i, it := range items {
		p.use.path, p.use.rng = p.path(fmt.Sprintf("env_file[%d]", i)), it.rng
		p.use.record(fmt.Sprintf("env_file(%q)", it.val))
		p.readEnvFile(it, own, vars)
	}
	for k, v := range own {
		vars[k] = v
	}
	if len(vars) > 0 {
		s.Env = vars
	}
}

// strOrList decodes an attribute that is one string or a list of them.
func (p *parser) strOrList(a *hcl.Attribute) []item {
	if a == nil {
		return nil
	}
	if _, diags := hcl.ExprList(a.Expr); !diags.HasErrors() {
		return p.strList(a)
	}
	v, ok := p.eval(a.Expr, cty.DynamicPseudoType, a.Name, true)
	if !ok {
		return nil
	}
	if v.Type() == cty.String {
		return []item{{v.AsString(), a.Expr.Range()}}
	}
	return p.strList(a)
}

// readEnvFile reads one env file into vars, checking that it exists and
// resolves inside the project (or an allowed path), like a mount source
// and file(): devbox.hcl may come from someone else's repository, and an
// env_file of ~/.aws/credentials would hand its secrets to a container.
func (p *parser) readEnvFile(it item, own, vars map[string]string) {
	path := it.val
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.env.Dir, path)
	}
	path = filepath.Clean(path)
	if _, err := os.Stat(path); err != nil {
		switch {
		case os.IsNotExist(err) && p.opts.Existing:
			p.warnf(it.rng, "Env file not found", "%s does not exist; ignored, since this command creates nothing. "+
				"`devbox up` needs it: create it, or fix env_file.", path)
		case os.IsNotExist(err):
			p.errorf(it.rng, "Env file not found", "%s does not exist (env_file %q is relative to %s). "+
				"Create it (KEY=VALUE lines), or remove it from env_file.", path, it.val, p.env.Dir)
		default:
			p.errorf(it.rng, "Env file not accessible", "%s cannot be read: %s. Fix its permissions, or fix env_file.", path, err)
		}
		return
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		p.errorf(it.rng, "Env file not accessible", "%s cannot be resolved: %s. Fix its permissions, or fix env_file.", path, err)
		return
	}
	by, ok := p.use.confine(real)
	if !ok {
		p.errorf(it.rng, "Env file outside the project",
			"env_file %q resolves to %s, which is outside the project directory %s. A devbox.hcl reads only its own "+
				"project's files, because it may come from someone else's repository; %s.",
			it.val, real, p.use.dir, p.use.fix(real))
		return
	}
	src, err := readLimited(real, maxReadFile)
	if err != nil {
		p.errorf(it.rng, "Env file not readable", "%s: %s. Fix env_file.", path, err)
		return
	}
	if !utf8.Valid(src) {
		p.errorf(it.rng, "Env file not text", "%s is not valid UTF-8 text; env files hold KEY=VALUE lines. Fix env_file.", path)
		return
	}
	if by != "" {
		p.use.addOutside(Outside{Kind: "env_file", Name: it.val, Path: real, AllowedBy: by})
	}
	before := make(map[string]string, len(vars))
	for k, v := range vars {
		before[k] = v
	}
	lookup := func(k string) (string, bool) {
		// What the host process has comes first, as in Compose; the
		// names read are listed in host_env like env()'s.
		p.use.envVars[k] = true
		if v, ok := p.opts.LookupEnv(k); ok {
			return v, true
		}
		v, ok := own[k]
		return v, ok
	}
	if err := dotenv.ParseWithFormat(bytes.NewReader(src), path, vars, lookup, ""); err != nil {
		p.envFileError(it, path, err)
		return
	}
	for k, v := range vars {
		if ov, had := before[k]; had && ov == v {
			continue // unchanged by this file: checked where it came from
		}
		p.checkEnvFileVar(it, path, src, k, v)
	}
}

// lineErr is how the dotenv parser names the line it stopped at.
var lineErr = regexp.MustCompile(`^line (\d+): (.*)$`)

// The diagnostics about an env file's contents point at its element of
// env_file and name the file and line in the detail: the line itself is
// not shown, since its value may be a secret.

// envFileError reports a parse error of the env file at path, naming the
// line when the parser does.
func (p *parser) envFileError(it item, path string, err error) {
	inner := err // "failed to read PATH: line N: why"; the path is ours to print
	for errors.Unwrap(inner) != nil {
		inner = errors.Unwrap(inner)
	}
	msg := inner.Error()
	if m := lineErr.FindStringSubmatch(msg); m != nil {
		p.errorf(it.rng, "Invalid env file line", "%s:%s: %s. Env files hold KEY=VALUE lines (# comments, blank lines, "+
			"'single' or \"double\" quotes, an optional export prefix, KEY alone to pass the host's value); fix that line.",
			path, m[1], m[2])
		return
	}
	p.errorf(it.rng, "Invalid env file", "%s: %s. Fix the file.", path, msg)
}

// checkEnvFileVar applies env's rules to a variable an env file set: a
// name the engines take, and no NUL in the value.
func (p *parser) checkEnvFileVar(it item, path string, src []byte, key, val string) {
	where := fmt.Sprintf("%s:%d", path, keyLine(src, key))
	if !envName.MatchString(key) {
		p.errorf(it.rng, "Invalid environment variable name", "%s: %q is not a valid environment variable name; "+
			"use letters, digits and underscores, not starting with a digit (e.g. MY_VAR).", where, key)
	}
	if strings.IndexByte(val, 0) >= 0 {
		p.errorf(it.rng, "Control character in env file value", "%s: the value of %s contains a NUL byte, "+
			"which a program cannot receive in its environment. Remove it.", where, key)
	}
}

// keyLine is the line of src that sets key (the last one, which wins), or
// 1 when none plainly does (a quoted value spanning lines).
func keyLine(src []byte, key string) int {
	found := 1
	for i, l := range strings.Split(string(src), "\n") {
		l = strings.TrimLeft(l, " \t")
		if rest, ok := strings.CutPrefix(l, "export"); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "\t")) {
			l = strings.TrimLeft(rest, " \t")
		}
		if rest, ok := strings.CutPrefix(l, key); ok && (rest == "" || strings.ContainsAny(rest[:1], "=: \t\r")) {
			found = i + 1
		}
	}
	return found
}
