// Package importer is the seam between `devbox import` and the Compose
// parser. compose-go links a JSON-schema library whose package init
// compiles its meta-schemas (~20 ms), and Go runs every linked package's
// init in every process: linked into devbox, it would slow every verb
// (validate, plan, run) by that much. So the parser lives in its own
// binary, devbox-import (cmd/devbox-import, installed beside devbox), and
// devbox runs it through Exec: a Request as JSON on its stdin, a Result as
// JSON on its stdout. This package has no dependencies beyond the
// standard library, so devbox links nothing of compose-go.
package importer
