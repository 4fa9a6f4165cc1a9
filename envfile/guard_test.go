package envfile

import (
	"strings"
	"testing"
)

// guardCorpus is source that exercises every mode of HCL's lexer that
// quickGuard follows: strings, heredocs, interpolations, directives,
// comments, escapes, numbers, splats.
func guardCorpus() []string {
	srcs := []string{
		fullFile, genServices(60), "", "a = 1",
		lines(`a = "${"${"${"x"}"}"}" /* { */ # [`, `b = [`, `  1, # ]`, `  2 // )`, `]`),
		lines(`a = <<EOT`, `  ${upper("}")} %{for i in [1, 2]}${i}%{endfor} $${ %%{ $ %`, `  EOT x`, `EOT`, `b = (1 + 2)`),
		lines(`a = <<-EOT`, `  ${`, `  {x = 1}`, `  }EOT`, `  EOT`, `c = 1`),
		lines(`a = <<EOT`, `${<<INNER`, `}}}`, `INNER`, `}`, `EOT`, `b = [[1]]`),
		"a = <<EOT\r\n{[(\r\nEOT\r\nb = {\r\n  c = 1 + 2\r\n}\r\n",
		lines(`a = "\"${x}\\" + 1`, `b = "\${[[[" + "%%{ if true }"`, `c = "$${" + "$$${y}"`),
		lines(`a = "%{ if x }${"y"}%{~ else ~}z%{ endif ~}"`, `b = "%{for k, v in m}%{if v}[${k}]%{endif}%{endfor}"`),
		lines(`a = 1e-5 - 1.5e+3 * x1e5-3 / (2 % 3)`, `b = !a && b || c == d != e < f <= g > h >= i ? j : k`),
		lines(`a = x[*].y.*.z[ * ]`, `b = [for k, v in { a = 1 } : k if v > 0]`, `c = { for x in ["a"] : x => x... }`),
		lines(`a = { b = { c = { d = [ ( "}" ) ] } } }`, `e = "}" }`, `f = ] ) ~} }`),
		lines(`a = "multi`, `line ${1 +`, `2} string"`, `b = 1`),
		lines(`a = <<EOT`, `unterminated`),
		"a = /* unterminated [[[",
		"a = \"unterminated ${ [[[",
		"a = \"é ${ \"ü\" } \" # ñ\nb = 1",
		"é = 1",
		"a = <<EOT\rEOT\n",
		"a = <<EOTé\nx\nEOTé\n",
		"a = 1 <<< 2\nb = 1 << 2",
		"a = \"\xff\"",
	}
	for _, tc := range badCases {
		srcs = append(srcs, tc.src)
	}
	for _, d := range []int{MaxNesting - 1, MaxNesting, MaxNesting + 1} {
		srcs = append(srcs, "a = "+strings.Repeat("[", d)+strings.Repeat("]", d),
			`a = "`+strings.Repeat("%{if true}", d/2)+`"`,
			`a = "`+strings.Repeat("%{if true}%{endif}", d+5)+`"`,
			"a = 1"+strings.Repeat(" + 1", MaxOperators-1+d-MaxNesting))
	}
	return srcs
}

// checkQuickGuard: where quickGuard vouches for src, HCL's lexer finds no
// deeper nesting and no longer operator chain, so the lexer would have
// passed it too.
func checkQuickGuard(t *testing.T, src []byte) {
	t.Helper()
	const unlimited = 1 << 30
	quick, lexed := newNester(unlimited, unlimited), newNester(unlimited, unlimited)
	sure := quickGuard(src, quick)
	if diags := lexGuard("g.hcl", src, lexed); diags.HasErrors() {
		t.Fatalf("lexGuard without limits: %v", diags)
	}
	if sure && (quick.deepest < lexed.deepest || quick.most < lexed.most) {
		t.Errorf("%.60q: quickGuard saw depth %d, %d operators; the lexer %d, %d",
			src, quick.deepest, quick.most, lexed.deepest, lexed.most)
	}
	if quickGuard(src, newNester(MaxNesting, MaxOperators)) {
		if diags := lexGuard("g.hcl", src, newNester(MaxNesting, MaxOperators)); diags.HasErrors() {
			t.Errorf("%.60q: quickGuard passed what the lexer refuses: %v", src, diags)
		}
	}
}

func TestQuickGuardNeverUndercounts(t *testing.T) {
	for _, src := range guardCorpus() {
		checkQuickGuard(t, []byte(src))
	}
}

// Ordinary files take the fast path; otherwise quickGuard saves nothing.
func TestQuickGuardVouchesForOrdinaryFiles(t *testing.T) {
	for _, src := range []string{fullFile, genServices(60), guardCorpus()[5], guardCorpus()[8]} {
		if !quickGuard([]byte(src), newNester(MaxNesting, MaxOperators)) {
			t.Errorf("quickGuard sent an ordinary file to the lexer:\n%.200s", src)
		}
	}
}

// FuzzQuickGuard looks for input on which quickGuard undercounts.
//
//	go test -fuzz=FuzzQuickGuard ./envfile
func FuzzQuickGuard(f *testing.F) {
	for _, src := range guardCorpus() {
		if len(src) < 10000 {
			f.Add([]byte(src))
		}
	}
	f.Fuzz(checkQuickGuard)
}
