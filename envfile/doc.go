// Package envfile reads devbox.hcl, the checked-in description of a
// development environment, and turns it into a normalised, validated
// [Environment] that the engine, the backends and the CLI work from.
//
// Decoding happens in stages, in the style of HCL's own guide and Nomad's
// jobspec2:
//
//  1. guard and parse: files over [MaxFileSize] or with brackets nested
//     deeper than [MaxNesting] are rejected before the HCL parser sees them
//     (hashicorp/hcl#809: deep nesting overflows the Go stack), then the
//     file is parsed and checked against the schema;
//  2. variables: `variable` blocks are evaluated and [Options.Vars]
//     overrides applied;
//  3. everything else is evaluated with an [hcl.EvalContext] offering
//     var.NAME, env("X"), file("rel/path") and the cty standard library
//     functions, defaults are filled in and the result validated.
//
// A service's env_file (Compose's env-file format, read with compose-go's
// dotenv parser, confined to the project like mount sources and file()) is
// laid under its env while decoding, so its values are env from then on.
// Service profiles (Compose's `profiles`, not lxc.profiles) are applied
// last, after validation: services none of whose profiles is active
// ([Options.ActiveProfiles], [Options.Enable]) move from
// [Environment.Services] to [Environment.DisabledServices].
//
// Every problem is reported as an [hcl.Diagnostic] whose Subject points at
// the offending expression or block; [Files.WriteDiagnostics] prints them
// with file:line,col, the source line and a caret.
package envfile
