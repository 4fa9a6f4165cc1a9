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

// guardClosers maps each opening token to the token that closes it.
var guardClosers = map[hclsyntax.TokenType]hclsyntax.TokenType{
	hclsyntax.TokenOBrack:          hclsyntax.TokenCBrack,
	hclsyntax.TokenOBrace:          hclsyntax.TokenCBrace,
	hclsyntax.TokenOParen:          hclsyntax.TokenCParen,
	hclsyntax.TokenTemplateInterp:  hclsyntax.TokenTemplateSeqEnd,
	hclsyntax.TokenTemplateControl: hclsyntax.TokenTemplateSeqEnd,
}

// guardFrame is one open bracket (or the file's top level) while scanning.
type guardFrame struct {
	closer hclsyntax.TokenType // token closing this frame
	ops    int                 // operators in the current expression
	lines  bool                // newlines separate items in this frame
}

// guard checks a file of size bytes, starting with src, against
// MaxFileSize, MaxNesting and MaxOperators using HCL's own lexer, which is
// iterative and safe on any input, so brackets in strings and comments are
// never miscounted. size is passed because Load reads only MaxFileSize+1
// bytes of a larger file.
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
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	stack := []guardFrame{{lines: true}}
	depth := 0 // len(stack)-1 plus open template if/for directives
	var directives []int
	for i := range tokens {
		tok := &tokens[i]
		top := &stack[len(stack)-1]
		switch tok.Type {
		case hclsyntax.TokenOBrack:
			if i+2 < len(tokens) && tokens[i+1].Type == hclsyntax.TokenStar && tokens[i+2].Type == hclsyntax.TokenCBrack {
				top.ops++ // [*] splat: nests like an operator
				if top.ops > MaxOperators {
					return tooComplex(tok.Range)
				}
			}
			fallthrough
		case hclsyntax.TokenOBrace, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			stack = append(stack, guardFrame{closer: guardClosers[tok.Type], lines: tok.Type == hclsyntax.TokenOBrace})
			depth++
			if tok.Type == hclsyntax.TokenTemplateControl && i+1 < len(tokens) && tokens[i+1].Type == hclsyntax.TokenIdent {
				switch string(tokens[i+1].Bytes) {
				case "if", "for":
					depth++
					directives = append(directives, depth)
				case "endif", "endfor":
					if len(directives) > 0 {
						directives = directives[:len(directives)-1]
						depth--
					}
				}
			}
			if depth > MaxNesting {
				return tooDeep(tok.Range)
			}
		case hclsyntax.TokenCBrack, hclsyntax.TokenCBrace, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
			// Pop to the matching frame; a stray closer is left for the
			// parser to report.
			for j := len(stack) - 1; j > 0; j-- {
				if stack[j].closer == tok.Type {
					depth -= len(stack) - j
					stack = stack[:j]
					break
				}
			}
		case hclsyntax.TokenComma:
			top.ops = 0
		case hclsyntax.TokenNewline:
			if top.lines {
				top.ops = 0
			}
		case hclsyntax.TokenStar, hclsyntax.TokenSlash, hclsyntax.TokenPlus, hclsyntax.TokenMinus,
			hclsyntax.TokenPercent, hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual,
			hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThan,
			hclsyntax.TokenGreaterThanEq, hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenBang,
			hclsyntax.TokenQuestion:
			top.ops++
			if top.ops > MaxOperators {
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
