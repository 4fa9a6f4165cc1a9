// Package tools holds what both backends and the CLI share about tool
// blocks (`devbox run TOOL`): names and labels of warm tool containers,
// the config hash that decides when one is rebuilt, which image serves a
// platform, the environment a tool sees, which working directories may be
// mounted, and the shims `devbox tools install` writes so a tool runs from
// the host by its name.
package tools
