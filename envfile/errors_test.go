package envfile

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// lines joins source lines, so test cases read like the file and line
// numbers are easy to count.
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

// svc is a minimal valid service block with extra body lines (from line 3).
func svc(name string, body ...string) string {
	return lines(append(append([]string{`service "` + name + `" {`, `  command = ["x"]`}, body...), "}")...)
}

type badCase struct {
	name      string
	src       string
	line, col int    // where the error's Subject must start
	summary   string // substring of the error's Summary
	detail    string // substring of the error's Detail, optional
	opts      Options
}

var badCases = []badCase{
	// Schema and types.
	{name: "unknown attribute", src: svc("a", `  comand = ["y"]`), line: 3, col: 3, summary: "Unsupported argument"},
	{name: "unknown top-level attribute", src: lines(`name = "x"`), line: 1, col: 1, summary: "Unsupported argument"},
	{name: "unknown block", src: lines(`services "a" {}`), line: 1, col: 1, summary: "Unsupported block type"},
	{name: "unknown nested block", src: svc("a", `  healthcheck {}`), line: 3, col: 3, summary: "Unsupported block type"},
	{name: "block without name", src: lines(`service {`, `}`), line: 1, col: 9, summary: "Missing name for service"},
	{name: "string for list", src: lines(`service "a" {`, `  command = "x"`, `}`), line: 2, col: 13, summary: "Incorrect attribute value type", detail: "list of string required"},
	{name: "string for number", src: svc("a", `  port "p" {`, `    port = "http"`, `  }`), line: 4, col: 12, summary: "Incorrect attribute value type", detail: "a number is required"},
	{name: "fractional number", src: svc("a", `  port "p" {`, `    port = 80.5`, `  }`), line: 4, col: 12, summary: "Invalid number"},
	{name: "string for bool", src: svc("a", `  systemd = "maybe"`), line: 3, col: 13, summary: "Incorrect attribute value type"},
	{name: "null list element", src: lines(`service "a" {`, `  command = ["x", null]`, `}`), line: 2, col: 19, summary: "Invalid null value"},
	{name: "duplicate map key", src: svc("a", `  env = { A = "1", A = "2" }`), line: 3, col: 20, summary: "Duplicate key"},
	{name: "syntax error", src: lines(`service "a" {`, `  command = [`), line: 3, col: 1, summary: "Missing expression"},
	{name: "undeclared variable", src: svc("a", `  user = var.nope`), line: 3, col: 13, summary: "Unsupported attribute"},
	{name: "variable without value", src: lines(`variable "v" {}`), line: 1, col: 1, summary: "Missing value for variable", detail: "--var v=VALUE"},
	{name: "variable referencing variable", src: lines(`variable "a" { default = 1 }`, `variable "b" { default = var.a }`), line: 2, col: 26, summary: "Variables not allowed"},
	{name: "missing file()", src: svc("a", `  user = file("nope.txt")`), line: 3, col: 10, summary: "Error in function call", detail: "nope.txt"},
	{name: "huge format width", src: svc("a", `  user = format("%999999999s", "x")`), line: 3, col: 18, summary: "Invalid function argument", detail: "widths"},
	{name: "duplicate lxc block", src: lines(`lxc {}`, `lxc {}`), line: 2, col: 1, summary: "Duplicate lxc block"},
	{name: "duplicate health block", src: svc("a", `  health { command = ["a"] }`, `  health { command = ["b"] }`), line: 4, col: 3, summary: "Duplicate health block"},

	// Names.
	{name: "service name", src: svc("Web"), line: 1, col: 9, summary: "Invalid service name", detail: `"web"`},
	{name: "network name", src: lines(`network "lan_1" {}`), line: 1, col: 9, summary: "Invalid network name"},
	{name: "mount name", src: lines(`mount "src.d" {`, `  source = "."`, `  target = "/x"`, `}`), line: 1, col: 7, summary: "Invalid mount name"},
	{name: "volume name", src: lines(`volume "-data" {}`), line: 1, col: 8, summary: "Invalid volume name"},
	{name: "tool name", src: lines(`tool "A" {`, `  command = ["a"]`, `}`), line: 1, col: 6, summary: "Invalid tool name"},
	{name: "port name", src: svc("a", `  port "HTTP" { port = 80 }`), line: 3, col: 8, summary: "Invalid port name"},
	{name: "variable name", src: lines(`variable "Port" { default = 1 }`), line: 1, col: 10, summary: "Invalid variable name"},
	{name: "too long name", src: svc(strings.Repeat("a", 64)), line: 1, col: 9, summary: "Invalid service name"},
	{name: "project name", src: lines(`project = "My Shop"`), line: 1, col: 11, summary: "Invalid project name", detail: `"my-shop"`},
	{name: "duplicate service", src: svc("a") + svc("a"), line: 4, col: 9, summary: "Duplicate service name", detail: "file.hcl:1,9"},
	{name: "duplicate volume", src: lines(`volume "v" {}`, `volume "v" {}`), line: 2, col: 8, summary: "Duplicate volume name"},
	{name: "duplicate port", src: svc("a", `  port "p" { port = 80 }`, `  port "p" { port = 81 }`), line: 4, col: 8, summary: "Duplicate port name"},

	// Top level and networks.
	{name: "network mode", src: lines(`network "n" { mode = "host" }`), line: 1, col: 22, summary: "Invalid network mode"},
	{name: "bridged without parent", src: lines(`network "n" { mode = "bridged" }`), line: 1, col: 1, summary: "Bridged network without parent", detail: "parent ="},
	{name: "parent without bridged", src: lines(`network "n" {`, `  parent = "br0"`, `}`), line: 2, col: 12, summary: "Parent on a non-bridged network"},
	{name: "subnet not CIDR", src: lines(`network "n" {`, `  subnet = "10.0.0.0"`, `}`), line: 2, col: 12, summary: "Invalid subnet"},
	{name: "address not IP", src: lines(`network "n" {`, `  address = "10.0.0.300"`, `}`), line: 2, col: 13, summary: "Invalid address"},
	{name: "address outside subnet", src: lines(`network "n" {`, `  subnet  = "10.0.0.0/24"`, `  address = "10.0.1.5"`, `}`), line: 3, col: 13, summary: "Address outside subnet"},
	{name: "cpu limit", src: lines(`lxc {`, `  limits {`, `    cpu = 0`, `  }`, `}`), line: 3, col: 11, summary: "Invalid cpu limit"},
	{name: "memory limit", src: lines(`lxc {`, `  limits {`, `    memory = "lots"`, `  }`, `}`), line: 3, col: 14, summary: "Invalid memory limit"},

	// References between blocks.
	{name: "unknown depends_on", src: svc("web", `  depends_on = ["dbb"]`) + svc("db"), line: 3, col: 17, summary: "Unknown service in depends_on", detail: `Did you mean "db"?`},
	{name: "depends on itself", src: svc("a", `  depends_on = ["a"]`), line: 3, col: 17, summary: "Service depends on itself"},
	{name: "dependency cycle", src: svc("a", `  depends_on = ["b"]`) + svc("b", `  depends_on = ["c"]`) + svc("c", `  depends_on = ["a"]`), line: 11, col: 17, summary: "Dependency cycle", detail: "a -> b -> c -> a"},
	{name: "duplicate depends_on", src: svc("a", `  depends_on = ["b", "b"]`) + svc("b"), line: 3, col: 22, summary: "Duplicate service reference"},
	{name: "undeclared network", src: svc("a", `  networks = ["lan"]`), line: 3, col: 15, summary: "Unknown network", detail: `network "lan"`},
	{name: "undeclared mount", src: svc("a", `  mounts = ["src"]`), line: 3, col: 13, summary: "Unknown mount"},
	{name: "undeclared volume", src: lines(`volume "data" {}`) + svc("a", `  volumes = { date = "/data" }`), line: 4, col: 15, summary: "Unknown volume", detail: `Did you mean "data"?`},

	// Ports.
	{name: "duplicate host port", src: svc("a", `  port "p" {`, `    port = 80`, `    host = 8080`, `  }`) + svc("b", `  port "q" {`, `    port = 81`, `    host = 8080`, `  }`), line: 12, col: 12, summary: "Duplicate host port", detail: `service "a" port "p"`},
	{name: "host port clashes with 0.0.0.0", src: svc("a", `  port "p" {`, `    port    = 80`, `    host    = 8080`, `    host_ip = "0.0.0.0"`, `  }`) + svc("b", `  port "q" {`, `    port = 81`, `    host = 8080`, `  }`), line: 13, col: 12, summary: "Duplicate host port"},
	{name: "port out of range", src: svc("a", `  port "p" { port = 65536 }`), line: 3, col: 21, summary: "Invalid port"},
	{name: "port zero", src: svc("a", `  port "p" { port = 0 }`), line: 3, col: 21, summary: "Invalid port"},
	{name: "host port out of range", src: svc("a", `  port "p" {`, `    port = 80`, `    host = -1`, `  }`), line: 5, col: 12, summary: "Invalid host port"},
	{name: "missing port", src: svc("a", `  port "p" { host = 80 }`), line: 3, col: 3, summary: "Missing port number"},
	{name: "same container port on lxc", src: svc("a", `  port "p" { port = 80 }`) + svc("b", `  port "q" { port = 80 }`), line: 7, col: 21, summary: "Port already used by another service", detail: "lxc"},
	{name: "host_ip not IP", src: svc("a", `  port "p" {`, `    port    = 80`, `    host    = 8080`, `    host_ip = "localhost"`, `  }`), line: 6, col: 15, summary: "Invalid host_ip"},
	{name: "host_ip without host", src: svc("a", `  port "p" {`, `    port    = 80`, `    host_ip = "0.0.0.0"`, `  }`), line: 5, col: 15, summary: "host_ip without host"},
	{name: "protocol", src: svc("a", `  port "p" {`, `    port     = 80`, `    protocol = "sctp"`, `  }`), line: 5, col: 16, summary: "Invalid protocol"},

	// Services.
	{name: "bad interval", src: svc("a", `  health {`, `    command  = ["ok"]`, `    interval = "2 seconds"`, `  }`), line: 5, col: 16, summary: "Invalid duration"},
	{name: "bad timeout", src: svc("a", `  health {`, `    command = ["ok"]`, `    timeout = "-1s"`, `  }`), line: 5, col: 15, summary: "Invalid duration"},
	{name: "health without command", src: svc("a", `  health { interval = "1s" }`), line: 3, col: 3, summary: "Health check has no command"},
	{name: "health retries", src: svc("a", `  health {`, `    command = ["ok"]`, `    retries = 0`, `  }`), line: 5, col: 15, summary: "Invalid retries"},
	{name: "restart", src: svc("a", `  restart = "sometimes"`), line: 3, col: 13, summary: "Invalid restart policy"},
	{name: "no command", src: lines(`service "a" {`, `  user = "x"`, `}`), line: 1, col: 1, summary: "Service has no command", detail: "docker { image"},
	{name: "empty command", src: lines(`service "a" {`, `  command = []`, `}`), line: 2, col: 13, summary: "Service has no command"},
	{name: "relative volume target", src: lines(`volume "v" {}`) + svc("a", `  volumes = { v = "data" }`), line: 4, col: 19, summary: "Relative volume target"},
	{name: "relative workdir", src: svc("a", `  workdir = "src"`), line: 3, col: 13, summary: "Relative workdir"},
	{name: "env name", src: svc("a", `  env = { "1X" = "y" }`), line: 3, col: 11, summary: "Invalid environment variable name"},
	{name: "env name with dash", src: svc("a", `  env = {`, `    OK    = "1"`, `    "A-B" = "2"`, `  }`), line: 5, col: 5, summary: "Invalid environment variable name"},

	// Mounts.
	{name: "missing mount source", src: lines(`mount "m" {`, `  source = "nope"`, `  target = "/x"`, `}`), line: 2, col: 12, summary: "Mount source not found", detail: string(filepath.Separator) + "nope does not exist"},
	{name: "relative mount target", src: lines(`mount "m" {`, `  source = "."`, `  target = "srv"`, `}`), line: 3, col: 12, summary: "Relative mount target", detail: `"/srv"`},
	{name: "mount without source", src: lines(`mount "m" {`, `  target = "/x"`, `}`), line: 1, col: 1, summary: "Missing mount source"},

	// Confinement: mount sources and file() stay inside the project
	// directory unless the user allows more (Options.Allow).
	{name: "mount source /", src: lines(`mount "m" {`, `  source = "/"`, `  target = "/x"`, `}`), line: 2, col: 12, summary: "Mount source outside the project", detail: `resolves to /, which is outside`},
	{name: "mount source up and out", src: lines(`mount "m" {`, `  source = "../../../../../../../../../../etc"`, `  target = "/x"`, `}`), line: 2, col: 12, summary: "Mount source outside the project", detail: "--allow-mount /etc"},
	{name: "mount source absolute", src: lines(`mount "m" {`, `  source = "/etc"`, `  target = "/x"`, `}`), line: 2, col: 12, summary: "Mount source outside the project", detail: "--allow-mount /etc, or add that path on a line of its own to /home/u/.config/devbox/allow-mounts", opts: Options{AllowFile: "/home/u/.config/devbox/allow-mounts", Allow: []Allowed{{Path: "/etc/allow-test", By: "x"}}}},
	{name: "file() outside", src: svc("a", `  user = file("../../../../../../../../../../etc/passwd")`), line: 3, col: 10, summary: "Error in function call", detail: "resolves to /etc/passwd, which is outside the project directory"},
	{name: "file() absolute outside", src: svc("a", `  env = { P = file("/etc/passwd") }`), line: 3, col: 15, summary: "Error in function call", detail: "--allow-mount /etc/passwd"},

	// Values written into lxc unit files, one setting a line.
	{name: "newline in user", src: svc("a", `  user = "root\nExecStartPre=/bin/evil"`), line: 3, col: 10, summary: "Control character in user", detail: "a newline (\\n) at byte 4"},
	{name: "carriage return in workdir", src: svc("a", `  workdir = "/srv\r"`), line: 3, col: 13, summary: "Control character in workdir", detail: "carriage return"},
	{name: "newline in program", src: lines(`service "a" {`, `  command = ["x\ny", "z"]`, `}`), line: 2, col: 14, summary: "Control character in command[0]", detail: "systemd unit file"},
	{name: "NUL in argument", src: lines(`service "a" {`, `  command = ["x", "a\u0000b"]`, `}`), line: 2, col: 19, summary: "Control character in command[1]", detail: "NUL byte"},
	{name: "NUL in env value", src: svc("a", `  env = { A = "1\u0000" }`), line: 3, col: 15, summary: "Control character in env.A", detail: "cannot receive it"},
	{name: "newline in env key", src: svc("a", `  env = { "A\nB" = "1" }`), line: 3, col: 11, summary: "Invalid environment variable name"},

	// Names the engines derive must fit their limits.
	{name: "docker container name", src: lines(`project = "`+strings.Repeat("p", 40)+`"`) + svc(strings.Repeat("s", 23)), line: 2, col: 9, summary: "Name too long for docker", detail: `"` + strings.Repeat("p", 40) + "-" + strings.Repeat("s", 23) + `": 64 characters, more than the 63`, opts: Options{Backend: "docker"}},
	{name: "docker network name", src: lines(`network "`+strings.Repeat("n", 30)+`" {}`) + svc("a", `  networks = ["`+strings.Repeat("n", 30)+`"]`), line: 1, col: 9, summary: "Name too long for docker", detail: "Shorten the network name or the project name", opts: Options{Backend: "docker", Project: strings.Repeat("p", 33)}},
	{name: "docker default network", src: lines(`project = "`+strings.Repeat("p", 56)+`"`) + svc("a"), line: 1, col: 11, summary: "Name too long for docker", detail: "_default", opts: Options{Backend: "docker"}},
	{name: "lxc mount device", src: lines(`mount "`+strings.Repeat("m", 59)+`" {`, `  source = "."`, `  target = "/x"`, `}`), line: 1, col: 7, summary: "Name too long for lxc", detail: "65 characters, more than the 64 Incus allows"},
	{name: "lxc network device", src: lines(`network "` + strings.Repeat("n", 61) + `" {}`), line: 1, col: 9, summary: "Name too long for lxc", detail: "NIC device"},
	{name: "lxc volume device", src: lines(`volume "`+strings.Repeat("v", 59)+`" {}`) + svc("a", `  volumes = { `+strings.Repeat("v", 59)+` = "/v" }`), line: 4, col: 15, summary: "Name too long for lxc", detail: "-0"},
	{name: "lxc port device", src: svc(strings.Repeat("s", 51), `  port "p" {`, `    port = 80`, `    host = 8080`, `  }`), line: 5, col: 12, summary: "Name too long for lxc", detail: "port-" + strings.Repeat("s", 51) + "-8080-tcp"},

	// Tools.
	{name: "tool without command", src: lines(`tool "t" {`, `  image = "debian/12"`, `}`), line: 1, col: 1, summary: "Tool has no command"},
	{name: "tool platform", src: lines(`tool "t" {`, `  command  = ["t"]`, `  platform = "windows/amd64"`, `}`), line: 3, col: 14, summary: "Invalid platform"},
	{name: "tool env name", src: lines(`tool "t" {`, `  command = ["t"]`, `  env     = { "A B" = "1" }`, `}`), line: 3, col: 15, summary: "Invalid environment variable name"},
	{name: "tool pass_env name", src: lines(`tool "t" {`, `  command  = ["t"]`, `  pass_env = ["HOME", "X=1"]`, `}`), line: 3, col: 23, summary: "Invalid environment variable name"},

	// Guards (hashicorp/hcl#809).
	{name: "too large", src: "# " + strings.Repeat("x", MaxFileSize), line: 1, col: 1, summary: "File too large"},
	{name: "nesting too deep", src: lines(`a = ` + strings.Repeat("[", 100)), line: 1, col: 69, summary: "Nesting too deep"},
	{name: "nesting in interpolation", src: lines(`a = "${` + strings.Repeat("(", 70) + `}"`), line: 1, col: 8 + 63, summary: "Nesting too deep"},
	{name: "nesting of blocks", src: strings.Repeat("a {\n", 70), line: 65, col: 3, summary: "Nesting too deep"},
	{name: "nesting of template ifs", src: lines(`a = "` + strings.Repeat("%{if true}", 70) + `"`), line: 1, col: 5 + 1 + 10*63, summary: "Nesting too deep"},
	{name: "unary chain", src: lines(`a = ` + strings.Repeat("!", 300) + "true"), line: 1, col: 5 + MaxOperators, summary: "Expression too complex"},
	{name: "binary chain", src: lines(`a = 1` + strings.Repeat("+1", 300)), line: 1, col: 6 + 2*MaxOperators, summary: "Expression too complex"},
	{name: "splat chain", src: lines(`a = x` + strings.Repeat("[*]", 300)), line: 1, col: 6 + 3*MaxOperators, summary: "Expression too complex"},
}

// parseIn parses src as file.hcl in a fresh directory and returns the
// diagnostics.
func parseIn(t testing.TB, src string, opts Options) (*Environment, Files, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	if opts.LookupEnv == nil {
		opts.LookupEnv = fakeEnv(nil)
	}
	return Parse("file.hcl", []byte(src), opts)
}

func TestBadFiles(t *testing.T) {
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			env, files, diags := parseIn(t, tc.src, tc.opts)
			if !diags.HasErrors() {
				t.Fatalf("no error for:\n%s", tc.src)
			}
			if env != nil {
				t.Errorf("Environment should be nil when there are errors")
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Severity == hcl.DiagError && strings.Contains(d.Summary, tc.summary) {
					found = d
					break
				}
			}
			if found == nil {
				t.Fatalf("no error mentioning %q; got:\n%s", tc.summary, render(files, diags))
			}
			if found.Subject == nil {
				t.Fatalf("%q has no Subject", found.Summary)
			}
			if got := found.Subject.Start; got.Line != tc.line || got.Column != tc.col || found.Subject.Filename != "file.hcl" {
				t.Errorf("%q at %s:%d,%d, want file.hcl:%d,%d\n%s", found.Summary, found.Subject.Filename, got.Line, got.Column,
					tc.line, tc.col, render(files, one(found)))
			}
			if !strings.Contains(found.Detail, tc.detail) {
				t.Errorf("detail %q lacks %q", found.Detail, tc.detail)
			}
			if found.Detail == "" {
				t.Errorf("%q has no Detail telling the user what to do", found.Summary)
			}
			if files["file.hcl"] == nil || files["file.hcl"].Bytes == nil {
				t.Errorf("Files lacks the source")
			}
			out := render(files, one(found))
			if len(tc.src) < 4096 && !strings.Contains(out, "file.hcl:") {
				t.Errorf("rendered diagnostic lacks the location:\n%s", out)
			}
		})
	}
}

// one makes a list of one diagnostic.
func one(d *hcl.Diagnostic) hcl.Diagnostics { return hcl.Diagnostics{d} }

func render(files Files, diags hcl.Diagnostics) string {
	var buf bytes.Buffer
	_ = files.WriteDiagnostics(&buf, diags, false)
	return buf.String()
}

// Errors that do not come from the file have no Subject.
func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opts    Options
		summary string
	}{
		{Options{Project: "Bad Name"}, "Invalid project name"},
		{Options{Vars: map[string]string{"nope": "1"}}, "Undeclared variable"},
	} {
		_, _, diags := parseIn(t, svc("a"), tc.opts)
		if !diags.HasErrors() || diags[0].Summary != tc.summary || diags[0].Detail == "" {
			t.Errorf("%+v: got %v, want %q", tc.opts, diags, tc.summary)
		}
	}
}

// Cases that look suspicious but are fine.
func TestGoodEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		opts Options
	}{
		{"same container port on docker", svc("a", `  port "p" { port = 80 }`) + svc("b", `  port "q" { port = 80 }`), Options{Backend: "docker"}},
		{"same container port twice in one service", svc("a", `  port "p" {`, `    port = 80`, `    host = 8080`, `  }`, `  port "q" {`, `    port = 80`, `    host = 8081`, `  }`), Options{}},
		{"same host port, other protocol", svc("a", `  port "p" {`, `    port = 53`, `    host = 5353`, `  }`) + svc("b", `  port "q" {`, `    port     = 54`, `    host     = 5353`, `    protocol = "udp"`, `  }`), Options{}},
		{"same host port, other IP", svc("a", `  port "p" {`, `    port = 80`, `    host = 8080`, `  }`) + svc("b", `  port "q" {`, `    port    = 81`, `    host    = 8080`, `    host_ip = "127.0.0.2"`, `  }`), Options{}},
		{"no command with docker image", lines(`service "a" {`, `  docker { image = "redis:7" }`, `}`), Options{}},
		{"brackets in strings and comments", lines(`# `+strings.Repeat("[{(", 100), `/* `+strings.Repeat("{", 100)+` */`, `image = "`+strings.Repeat("[", 100)+`"`, `variable "v" {`, `  description = <<EOT`, strings.Repeat("(", 100), `EOT`, `  default = "${"{"}${"}"}"`, `}`, `// `+strings.Repeat("[", 100)) + svc("a"), Options{Project: "p"}},
		{"nesting at the limit", lines(`image = tostring(length(`+strings.Repeat("[", MaxNesting-2)+strings.Repeat("]", MaxNesting-2)+`))`) + svc("a"), Options{}},
		{"long lists", lines(`service "a" {`, `  command = [`+strings.Repeat(`"x", `, 5000)+`]`, `}`), Options{}},
		{"diamond dependencies", svc("a", `  depends_on = ["b", "c"]`) + svc("b", `  depends_on = ["d"]`) + svc("c", `  depends_on = ["d"]`) + svc("d"), Options{}},
		{"variable name with underscore", lines(`variable "pg_port" { default = 1 }`) + svc("a", `  user = var.pg_port`), Options{}},
		{"multi-line script and env value", lines(`service "a" {`, `  command = ["sh", "-c", "echo 1\necho 2\r\n"]`, `  env     = { CERT = "line 1\nline 2" }`, `}`), Options{}},
		{"docker names at the limit", lines(`project = "`+strings.Repeat("p", 31)+`"`, `network "`+strings.Repeat("n", 31)+`" {}`) + svc(strings.Repeat("s", 31), `  networks = ["`+strings.Repeat("n", 31)+`"]`) + svc("b"), Options{Backend: "docker"}},
		{"lxc names at the limit", lines(`mount "`+strings.Repeat("m", 58)+`" {`, `  source = "."`, `  target = "/x"`, `}`, `network "`+strings.Repeat("n", 60)+`" {}`) + svc(strings.Repeat("s", 50), `  port "p" {`, `    port = 80`, `    host = 8080`, `  }`), Options{}},
		{"lxc limits do not apply to docker", lines(`mount "`+strings.Repeat("m", 63)+`" {`, `  source = "."`, `  target = "/x"`, `}`), Options{Backend: "docker"}},
		{"dynamic lists and maps", lines(`variable "pk" { default = ["a", "b"] }`) + svc("a", `  packages = concat(var.pk, ["c"])`, `  env = merge({ A = "1" }, { B = 2 })`), Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, files, diags := parseIn(t, tc.src, tc.opts); len(diags) > 0 {
				t.Fatalf("unexpected diagnostics:\n%s", render(files, diags))
			}
		})
	}
}

// A file nested far beyond the limit must return a diagnostic rather than
// overflow the stack (hashicorp/hcl#809).
func TestDeepNestingDoesNotCrash(t *testing.T) {
	for _, src := range []string{
		"a = " + strings.Repeat("[", 500000),
		"a = " + strings.Repeat("!", 500000) + "true",
		"a = " + strings.Repeat("-", 500000) + "1",
		"a = 1" + strings.Repeat("+1", 300000),
		strings.Repeat("a {\n", 200000),
		`a = "` + strings.Repeat("${", 300000),
	} {
		_, _, diags := Parse("deep.hcl", []byte(src), Options{})
		if !diags.HasErrors() || !strings.Contains(diags[0].Summary, "too") {
			t.Errorf("%.20q...: %v", src, diags)
		}
	}
}
