package envfile

import (
	"bytes"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// scanMode is what HCL's lexer is reading: code, a quoted template or a
// heredoc template.
type scanMode uint8

const (
	inCode scanMode = iota
	inQuoted
	inHeredoc
)

// heredoc is one heredoc being read, as HCL's lexer tracks it.
type heredoc struct {
	marker      []byte
	startOfLine bool // no token yet on this line, so it may be the marker
	lineStart   int
}

// quickScan mirrors the mode machine of HCL's lexer (scan_tokens.rl):
// modes is its call stack, braces and retBraces its brace counting, which
// decides whether a } ends an interpolation. It reports only the tokens
// the nester needs, without positions.
type quickScan struct {
	src       []byte
	i         int
	n         *nester
	modes     []scanMode
	braces    int
	retBraces []int
	heredocs  []heredoc
}

// quickGuard reports whether src is surely within n's limits. It answers
// false when a limit is exceeded or when the file holds anything it does
// not follow exactly as the lexer does (non-ASCII code, an unterminated
// comment, string or heredoc, a stray carriage return in a heredoc): the
// lexer then decides. It may overcount (it never lets an if or for
// directive end, and takes & | and the signs of exponents for operators),
// which only sends more files to the lexer.
func quickGuard(src []byte, n *nester) bool {
	if !utf8.Valid(src) {
		return false
	}
	s := &quickScan{src: src, n: n, modes: append(make([]scanMode, 0, 8), inCode)}
	for s.i < len(src) {
		var ok bool
		switch s.modes[len(s.modes)-1] {
		case inCode:
			ok = s.code()
		case inQuoted:
			ok = s.quoted()
		default:
			ok = s.heredoc()
		}
		if !ok {
			return false
		}
	}
	return len(s.modes) == 1
}

func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

func isIdentByte(c byte) bool { return isIdentStart(c) || c == '-' || (c >= '0' && c <= '9') }

// skipIdent returns the end of the ASCII identifier at i, and false when
// it runs into non-ASCII, which the lexer might take as part of it.
func (s *quickScan) skipIdent(i int) (int, bool) {
	for i < len(s.src) && isIdentByte(s.src[i]) {
		i++
	}
	return i, i == len(s.src) || s.src[i] < utf8.RuneSelf
}

// skipNumber returns the end of the number literal at i: digits, dots and
// exponents, so that the sign of an exponent is not an operator and what
// follows starts a new token, as in the lexer.
func (s *quickScan) skipNumber(i int) int {
	src := s.src
	for i < len(src) {
		switch c := src[i]; {
		case c >= '0' && c <= '9', c == '.':
			i++
		case c|0x20 == 'e':
			j := i + 1
			if j < len(src) && (src[j] == '+' || src[j] == '-') {
				j++
			}
			if j >= len(src) || src[j] < '0' || src[j] > '9' {
				return i
			}
			i = j
		default:
			return i
		}
	}
	return i
}

// code reads one token of code.
func (s *quickScan) code() bool {
	src, c := s.src, s.src[s.i]
	switch {
	case c == ' ' || c == '\t' || c == '\r':
		s.i++
	case c == '\n':
		s.n.newline()
		s.i++
	case isIdentStart(c):
		end, ok := s.skipIdent(s.i)
		s.i = end
		return ok
	case c >= '0' && c <= '9':
		s.i = s.skipNumber(s.i)
	case c >= utf8.RuneSelf:
		return false
	case c == '#' || (c == '/' && s.peek(1) == '/'):
		s.skipLine() // a line comment takes its newline: no newline token
	case c == '/' && s.peek(1) == '*':
		end := bytes.Index(src[s.i+2:], []byte("*/"))
		if end < 0 {
			return false
		}
		s.i += 2 + end + 2
	case c == '"':
		s.modes = append(s.modes, inQuoted)
		s.i++
	case c == '<' && s.peek(1) == '<':
		return s.heredocStart()
	case c == '=':
		s.i++
		if s.peek(0) == '=' {
			s.i++
			return s.n.op()
		}
	case c == '{':
		s.braces++
		s.i++
		return s.n.open(hclsyntax.TokenCBrace, true)
	case c == '}' || (c == '~' && s.peek(1) == '}'):
		return s.closeBrace(c == '~')
	default:
		return s.punct(c)
	}
	return true
}

// punct reads brackets, parentheses, commas, operators and the rest.
func (s *quickScan) punct(c byte) bool {
	s.i++
	switch c {
	case '[':
		if s.splat() && !s.n.op() {
			return false
		}
		return s.n.open(hclsyntax.TokenCBrack, false)
	case '(':
		return s.n.open(hclsyntax.TokenCParen, false)
	case ']':
		s.n.close(hclsyntax.TokenCBrack)
	case ')':
		s.n.close(hclsyntax.TokenCParen)
	case ',':
		s.n.comma()
	case '*', '/', '+', '-', '%', '<', '>', '!', '?', '&', '|':
		return s.n.op()
	}
	return true
}

func (s *quickScan) peek(k int) byte {
	if s.i+k < len(s.src) {
		return s.src[s.i+k]
	}
	return 0
}

// splat reports whether the [ just read opens [*], spaces allowed.
func (s *quickScan) splat() bool {
	j := s.skipSpaces(s.i)
	if j >= len(s.src) || s.src[j] != '*' {
		return false
	}
	j = s.skipSpaces(j + 1)
	return j < len(s.src) && s.src[j] == ']'
}

func (s *quickScan) skipSpaces(j int) int {
	for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t') {
		j++
	}
	return j
}

func (s *quickScan) skipLine() {
	if end := bytes.IndexByte(s.src[s.i:], '\n'); end >= 0 {
		s.i += end + 1
	} else {
		s.i = len(s.src)
	}
}

// closeBrace reads } or ~}: the end of an interpolation or directive when
// the brace count is back where it began, else a closing brace.
func (s *quickScan) closeBrace(tilde bool) bool {
	s.i++
	closer := hclsyntax.TokenCBrace
	if tilde {
		s.i++
		closer = hclsyntax.TokenTemplateSeqEnd
	}
	if r := len(s.retBraces); r > 0 && s.retBraces[r-1] == s.braces {
		s.n.close(hclsyntax.TokenTemplateSeqEnd)
		s.braces--
		s.retBraces = s.retBraces[:r-1]
		s.modes = s.modes[:len(s.modes)-1]
		return len(s.modes) > 0
	}
	s.n.close(closer)
	s.braces--
	return true
}

// heredocStart reads << at s.i: a heredoc introducer (<<ID or <<-ID and a
// newline) or two less-than operators.
func (s *quickScan) heredocStart() bool {
	j := s.i + 2
	if j < len(s.src) && s.src[j] == '-' {
		j++
	}
	if j < len(s.src) && isIdentStart(s.src[j]) {
		end, ok := s.skipIdent(j)
		if !ok {
			return false
		}
		nl := end
		if nl < len(s.src) && s.src[nl] == '\r' {
			nl++
		}
		if nl < len(s.src) && s.src[nl] == '\n' {
			s.heredocs = append(s.heredocs, heredoc{marker: s.src[j:end], startOfLine: true, lineStart: nl + 1})
			s.modes = append(s.modes, inHeredoc)
			s.i = nl + 1
			return true
		}
	}
	s.i++
	return s.n.op()
}

// quoted reads one piece of a quoted template.
func (s *quickScan) quoted() bool {
	switch s.src[s.i] {
	case '"':
		s.modes = s.modes[:len(s.modes)-1]
		s.i++
	case '\\':
		s.i++
		if c := s.peek(0); c != 0 && c != '\r' && c != '\n' {
			s.i++ // escaped, even $ and %
		}
	case '$', '%':
		return s.templateSeq()
	default:
		s.i++
	}
	return true
}

// heredoc reads one piece of a heredoc template.
func (s *quickScan) heredoc() bool {
	doc := &s.heredocs[len(s.heredocs)-1]
	switch c := s.src[s.i]; c {
	case '$', '%':
		doc.startOfLine = false
		return s.templateSeq()
	case '\r':
		s.i++
		return s.peek(0) == '\n' // the lexer stalls on a lone \r here
	case '\n':
		s.i++
		if doc.startOfLine && bytes.Equal(bytes.TrimSpace(s.src[doc.lineStart:s.i]), doc.marker) {
			s.heredocs = s.heredocs[:len(s.heredocs)-1]
			s.modes = s.modes[:len(s.modes)-1]
			s.n.newline() // the lexer emits the marker's newline on its own
			return true
		}
		doc.startOfLine, doc.lineStart = true, s.i
	default:
		s.i++
	}
	return true
}

// templateSeq reads $ or % in a template: ${ or %{ (with an optional ~)
// starts an interpolation or directive, $${ and %%{ are escapes, anything
// else is literal.
func (s *quickScan) templateSeq() bool {
	c := s.src[s.i]
	switch {
	case s.peek(1) == '{':
	case s.peek(1) == c && s.peek(2) == '{':
		s.i += 3
		return true
	default:
		s.i++
		return true
	}
	s.i += 2
	if s.peek(0) == '~' {
		s.i++
	}
	s.braces++
	s.retBraces = append(s.retBraces, s.braces)
	if len(s.heredocs) > 0 {
		s.heredocs[len(s.heredocs)-1].startOfLine = false
	}
	s.modes = append(s.modes, inCode)
	s.n.open(hclsyntax.TokenTemplateSeqEnd, false)
	if c == '%' {
		j := s.skipSpaces(s.i)
		if end, _ := s.skipIdent(j); j < len(s.src) && isIdentStart(s.src[j]) {
			if w := string(s.src[j:end]); w == "if" || w == "for" {
				s.n.directive() // never ended here: overcounting is safe
			}
		}
	}
	return !s.n.tooDeep()
}
