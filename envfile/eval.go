package envfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxReadFile caps what file() reads, so a stray reference to a huge file
// cannot exhaust memory.
const maxReadFile = 4 << 20

// functions returns the functions available in devbox.hcl expressions.
// Functions that can build unbounded values from small inputs (range,
// indent, setproduct, …) and jsondecode (unbounded nesting) are left out.
func functions(dir string, lookupEnv func(string) (string, bool), use *hostUse) map[string]function.Function {
	return map[string]function.Function{
		"env":          envFunc(lookupEnv, use),
		"file":         fileFunc(dir, use),
		"abs":          stdlib.AbsoluteFunc,
		"ceil":         stdlib.CeilFunc,
		"chomp":        stdlib.ChompFunc,
		"coalesce":     stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc,
		"compact":      stdlib.CompactFunc,
		"concat":       stdlib.ConcatFunc,
		"contains":     stdlib.ContainsFunc,
		"distinct":     stdlib.DistinctFunc,
		"element":      stdlib.ElementFunc,
		"flatten":      stdlib.FlattenFunc,
		"floor":        stdlib.FloorFunc,
		"format":       limitFormat(stdlib.FormatFunc),
		"formatlist":   limitFormat(stdlib.FormatListFunc),
		"join":         stdlib.JoinFunc,
		"jsonencode":   stdlib.JSONEncodeFunc,
		"keys":         stdlib.KeysFunc,
		"length":       stdlib.LengthFunc,
		"lookup":       stdlib.LookupFunc,
		"lower":        stdlib.LowerFunc,
		"max":          stdlib.MaxFunc,
		"merge":        stdlib.MergeFunc,
		"min":          stdlib.MinFunc,
		"parseint":     stdlib.ParseIntFunc,
		"regex":        stdlib.RegexFunc,
		"regexall":     stdlib.RegexAllFunc,
		"replace":      stdlib.ReplaceFunc,
		"reverse":      stdlib.ReverseListFunc,
		"slice":        stdlib.SliceFunc,
		"sort":         stdlib.SortFunc,
		"split":        stdlib.SplitFunc,
		"strlen":       stdlib.StrlenFunc,
		"strrev":       stdlib.ReverseFunc,
		"substr":       stdlib.SubstrFunc,
		"title":        stdlib.TitleFunc,
		"tobool":       stdlib.MakeToFunc(cty.Bool),
		"tolist":       stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":        stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":     stdlib.MakeToFunc(cty.Number),
		"toset":        stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":     stdlib.MakeToFunc(cty.String),
		"trim":         stdlib.TrimFunc,
		"trimprefix":   stdlib.TrimPrefixFunc,
		"trimspace":    stdlib.TrimSpaceFunc,
		"trimsuffix":   stdlib.TrimSuffixFunc,
		"upper":        stdlib.UpperFunc,
		"values":       stdlib.ValuesFunc,
		"zipmap":       stdlib.ZipmapFunc,
	}
}

// envFunc implements env("NAME"): the variable's value, "" when unset.
// Every name read is recorded in use, so config and plan can show which
// host variables a file reads.
func envFunc(lookupEnv func(string) (string, bool), use *hostUse) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable of the devbox process, or \"\" when it is unset.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			use.envVars[name] = true
			use.record(fmt.Sprintf("env(%q)", name))
			v, _ := lookupEnv(name)
			if !utf8.ValidString(v) {
				return cty.NilVal, function.NewArgErrorf(0, "environment variable %q is not valid UTF-8", args[0].AsString())
			}
			return cty.StringVal(v), nil
		},
	})
}

// fileFunc implements file("rel/path"): the contents of a file, relative
// to the directory of devbox.hcl. Like mount sources, the file must
// resolve inside the project directory unless the user allowed its path:
// otherwise file("../../../etc/shadow") would put a host secret into a
// service's environment or command.
func fileFunc(dir string, use *hostUse) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the contents of a file, resolved relative to the directory of devbox.hcl.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			arg := args[0].AsString()
			use.record(fmt.Sprintf("file(%q)", arg))
			p := arg
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading %s (paths are relative to %s): %w", p, dir, err)
			}
			by, ok := use.confine(real)
			if !ok {
				return cty.NilVal, fmt.Errorf("%s resolves to %s, which is outside the project directory %s; "+
					"file() reads only the project's files, because devbox.hcl may come from someone else's repository; %s",
					arg, real, use.dir, use.fix(real))
			}
			b, err := readLimited(real, maxReadFile)
			if err != nil {
				return cty.NilVal, fmt.Errorf("reading %s (paths are relative to %s): %w", p, dir, err)
			}
			if !utf8.Valid(b) {
				return cty.NilVal, fmt.Errorf("%s is not valid UTF-8 text", p)
			}
			if by != "" {
				use.addOutside(Outside{Kind: "file", Name: arg, Path: real, AllowedBy: by})
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

// readLimited reads at most limit bytes of a regular file.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", path, st.Size(), limit)
	}
	b := make([]byte, st.Size())
	n, err := f.ReadAt(b, 0)
	if err != nil && n != len(b) {
		return nil, fmt.Errorf("read: %w", err)
	}
	return b[:n], nil
}

// maxFormatWidth caps widths and precisions in format verbs: cty pads
// strings itself, so "%999999999s" would allocate gigabytes.
const maxFormatWidth = 9999

// limitFormat wraps format or formatlist, rejecting oversized widths.
func limitFormat(f function.Function) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        f.ReturnTypeForValues,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 0 && args[0].Type() == cty.String && args[0].IsWhollyKnown() && !args[0].IsNull() {
				if hugeFormatWidth(args[0].AsString()) {
					return cty.NilVal, function.NewArgErrorf(0, "format widths and precisions above %d are not supported", maxFormatWidth)
				}
			}
			return f.Call(args)
		},
	})
}

// hugeFormatWidth reports whether a verb in format has a number over
// maxFormatWidth between its % and its letter.
func hugeFormatWidth(format string) bool {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		digits := 0
		for i++; i < len(format); i++ {
			c := format[i]
			if c >= '0' && c <= '9' {
				digits++
				if digits > len(fmt.Sprint(maxFormatWidth)) {
					return true
				}
				continue
			}
			digits = 0
			if c == '%' || (c|0x20 >= 'a' && c|0x20 <= 'z') {
				break
			}
		}
	}
	return false
}

// parseVarOverride turns a --var value into a cty value: a number or bool
// when it reads as one in HCL, otherwise the string itself.
func parseVarOverride(s string) cty.Value {
	switch t := strings.TrimSpace(s); t {
	case "true":
		return cty.True
	case "false":
		return cty.False
	default:
		if t != "" && strings.IndexFunc(t, func(r rune) bool { return !strings.ContainsRune("0123456789.-+eE", r) }) < 0 {
			if v, err := cty.ParseNumberVal(t); err == nil {
				return v
			}
		}
	}
	return cty.StringVal(s)
}
