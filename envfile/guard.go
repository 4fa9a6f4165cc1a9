package envfile

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Limits applied before the HCL parser runs. HCL's recursive-descent parser
// and evaluator have no depth limit of their own (hashicorp/hcl#809), so a
// hostile or corrupted file could otherwise overflow the Go stack, which
// kills the process rather than returning an error.
const (
	// MaxFileSize is the largest devbox.hcl accepted, in bytes.
	MaxFileSize = 1 << 20
	// MaxNesting is the deepest nesting of brackets, braces, parentheses,
	// template interpolations and template if/for directives accepted.
	MaxNesting = 64
	// MaxOperators is the largest number of operators (unary, binary,
	// conditional, splat) accepted in one expression outside brackets.
	// Operator chains nest in the syntax tree just like brackets do.
	MaxOperators = 256
)

// guard checks a file of size bytes, starting with src, against
// MaxFileSize, MaxNesting and MaxOperators. size is passed because Load
// reads only MaxFileSize+1 bytes of a larger file.
//
// The authority is HCL's own lexer (lexGuard), which is iterative and safe
// on any input, so brackets in strings and comments are never miscounted.
// Lexing costs as much as parsing, though, so a file first goes through
// quickGuard, a byte scanner that follows the lexer's modes without
// building tokens; only a file it cannot vouch for is lexed.
func guard(filename string, src []byte, size int64) hcl.Diagnostics {
	if size > MaxFileSize || len(src) > MaxFileSize {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "File too large",
			Detail: fmt.Sprintf("This file is %d bytes; devbox accepts at most %d bytes (1 MiB). "+
				"Check that this is the right file, or move data into files read with file().", max(size, int64(len(src))), MaxFileSize),
			Subject: &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	if quickGuard(src, newNester(MaxNesting, MaxOperators)) {
		return nil
	}
	return lexGuard(filename, src, newNester(MaxNesting, MaxOperators))
}

// guardFrame is one open bracket (or the file's top level) while scanning.
type guardFrame struct {
	closer hclsyntax.TokenType // token closing this frame
	ops    int                 // operators in the current expression
	lines  bool                // newlines separate items in this frame
}

// nester applies the limits to a file's brackets and operators, fed one
// token at a time by lexGuard or quickGuard. Its methods report false when
// a limit is exceeded. deepest and most record the highest depth and
// operator count seen, for tests comparing the two scanners.
type nester struct {
	maxDepth, maxOps int
	stack            []guardFrame
	depth            int // len(stack)-1 plus open template if/for directives
	directives       int
	deepest, most    int
}

func newNester(maxDepth, maxOps int) *nester {
	return &nester{maxDepth: maxDepth, maxOps: maxOps, stack: append(make([]guardFrame, 0, 16), guardFrame{lines: true})}
}

// open enters a bracket that closer closes; lines says newlines separate
// items inside it (braces).
func (n *nester) open(closer hclsyntax.TokenType, lines bool) bool {
	n.stack = append(n.stack, guardFrame{closer: closer, lines: lines})
	n.depth++
	n.deepest = max(n.deepest, n.depth)
	return n.depth <= n.maxDepth
}

// directive enters a template if or for, which nests like a bracket on
// top of the one its %{ opened.
func (n *nester) directive() bool {
	n.directives++
	n.depth++
	n.deepest = max(n.deepest, n.depth)
	return n.depth <= n.maxDepth
}

// tooDeep reports whether the current depth exceeds the limit.
func (n *nester) tooDeep() bool { return n.depth > n.maxDepth }

// endDirective leaves a template if or for.
func (n *nester) endDirective() {
	if n.directives > 0 {
		n.directives--
		n.depth--
	}
}

// close pops to the innermost frame that closer closes; a stray closer is
// left for the parser to report.
func (n *nester) close(closer hclsyntax.TokenType) {
	for j := len(n.stack) - 1; j > 0; j-- {
		if n.stack[j].closer == closer {
			n.depth -= len(n.stack) - j
			n.stack = n.stack[:j]
			return
		}
	}
}

// op counts an operator in the current expression.
func (n *nester) op() bool {
	top := &n.stack[len(n.stack)-1]
	top.ops++
	n.most = max(n.most, top.ops)
	return top.ops <= n.maxOps
}

// comma ends an item of a list, object or call.
func (n *nester) comma() { n.stack[len(n.stack)-1].ops = 0 }

// newline ends an attribute, or an item of an object.
func (n *nester) newline() {
	if top := &n.stack[len(n.stack)-1]; top.lines {
		top.ops = 0
	}
}

// lexGuard is the guard on HCL's own tokens; it reports where a limit is
// exceeded.
func lexGuard(filename string, src []byte, n *nester) hcl.Diagnostics {
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	for i := range tokens {
		tok := &tokens[i]
		switch tok.Type {
		case hclsyntax.TokenOBrack:
			if i+2 < len(tokens) && tokens[i+1].Type == hclsyntax.TokenStar && tokens[i+2].Type == hclsyntax.TokenCBrack &&
				!n.op() { // [*] splat: nests like an operator
				return tooComplex(tok.Range)
			}
			if !n.open(hclsyntax.TokenCBrack, false) {
				return tooDeep(tok.Range)
			}
		case hclsyntax.TokenOBrace:
			if !n.open(hclsyntax.TokenCBrace, true) {
				return tooDeep(tok.Range)
			}
		case hclsyntax.TokenOParen:
			if !n.open(hclsyntax.TokenCParen, false) {
				return tooDeep(tok.Range)
			}
		case hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			n.open(hclsyntax.TokenTemplateSeqEnd, false)
			if tok.Type == hclsyntax.TokenTemplateControl && i+1 < len(tokens) && tokens[i+1].Type == hclsyntax.TokenIdent {
				switch string(tokens[i+1].Bytes) {
				case "if", "for":
					n.directive()
				case "endif", "endfor":
					n.endDirective()
				}
			}
			if n.tooDeep() { // checked after the directive, as %{endif} leaves one
				return tooDeep(tok.Range)
			}
		case hclsyntax.TokenCBrack, hclsyntax.TokenCBrace, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
			n.close(tok.Type)
		case hclsyntax.TokenComma:
			n.comma()
		case hclsyntax.TokenNewline:
			n.newline()
		case hclsyntax.TokenStar, hclsyntax.TokenSlash, hclsyntax.TokenPlus, hclsyntax.TokenMinus,
			hclsyntax.TokenPercent, hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual,
			hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThan,
			hclsyntax.TokenGreaterThanEq, hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenBang,
			hclsyntax.TokenQuestion:
			if !n.op() {
				return tooComplex(tok.Range)
			}
		}
	}
	return nil
}

func tooDeep(rng hcl.Range) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Nesting too deep",
		Detail: fmt.Sprintf("Brackets, braces, parentheses and template directives are nested more than %d levels deep here. "+
			"devbox refuses such files because the HCL parser could crash on them; flatten the structure.", MaxNesting),
		Subject: rng.Ptr(),
	}}
}

func tooComplex(rng hcl.Range) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Expression too complex",
		Detail: fmt.Sprintf("This expression chains more than %d operators. "+
			"devbox refuses such files because the HCL parser could crash on them; simplify the expression.", MaxOperators),
		Subject: rng.Ptr(),
	}}
}
