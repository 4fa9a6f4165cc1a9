// Package bench holds benchmarks that compare devbox against the raw
// engines and print ratios (`go test -run '^$' -bench . ./bench`), plus
// scripts for what a Go benchmark cannot drive: dashboard.sh (first frame
// and idle CPU of `devbox status` in tmux) and docker_plain.sh (the plain
// docker CLI baseline). Nothing here asserts timings; figures go in notes.
package bench
