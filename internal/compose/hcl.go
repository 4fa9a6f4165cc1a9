package compose

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// comment appends "# text" lines to body, one per line of text.
func comment(body *hclwrite.Body, text string) {
	var toks hclwrite.Tokens
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte(strings.TrimRight("# "+line, " ") + "\n")})
	}
	body.AppendUnstructuredTokens(toks)
}

// str is a quoted HCL string; hclwrite escapes ${ and %{ so the value
// stays literal.
func str(s string) hclwrite.Tokens { return hclwrite.TokensForValue(cty.StringVal(s)) }

// strList is a list of strings; an element with a line break is written
// as a heredoc, as a script reads best.
func strList(list []string) hclwrite.Tokens {
	elems := make([]hclwrite.Tokens, len(list))
	for i, s := range list {
		if strings.Contains(strings.TrimRight(s, "\n"), "\n") {
			elems[i] = heredoc(s)
		} else {
			elems[i] = str(s)
		}
	}
	return hclwrite.TokensForTuple(elems)
}

// heredoc is s as an indented <<-SH heredoc. HCL would read ${ and %{
// in it as templates, so they are escaped ($${, %%{).
func heredoc(s string) hclwrite.Tokens {
	s = strings.NewReplacer("${", "$${", "%{", "%%{").Replace(strings.TrimRight(s, "\n"))
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if line != "" {
			b.WriteString("    " + line)
		}
		b.WriteString("\n")
	}
	return hclwrite.Tokens{
		{Type: hclsyntax.TokenOHeredoc, Bytes: []byte("<<-SH\n")},
		{Type: hclsyntax.TokenStringLit, Bytes: []byte(b.String())},
		{Type: hclsyntax.TokenCHeredoc, Bytes: []byte("    SH")},
		{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")},
	}
}

// envValue is one env entry: a literal, or env("NAME") for a variable
// Compose passes through from the host (`environment: [NAME]`).
type envValue struct {
	name, value string
	fromHost    bool
}

// envObject is a map of environment variables, in the given order.
func envObject(vals []envValue) hclwrite.Tokens {
	attrs := make([]hclwrite.ObjectAttrTokens, len(vals))
	for i, v := range vals {
		val := str(v.value)
		if v.fromHost {
			val = hclwrite.TokensForFunctionCall("env", str(v.name))
		}
		attrs[i] = hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForIdentifier(v.name), Value: val}
	}
	return hclwrite.TokensForObject(attrs)
}

// strMap is a map of strings with identifier keys, in the given order.
func strMap(keys []string, m map[string]string) hclwrite.Tokens {
	attrs := make([]hclwrite.ObjectAttrTokens, len(keys))
	for i, k := range keys {
		attrs[i] = hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForIdentifier(k), Value: str(m[k])}
	}
	return hclwrite.TokensForObject(attrs)
}

func ctyStr(s string) cty.Value { return cty.StringVal(s) }
