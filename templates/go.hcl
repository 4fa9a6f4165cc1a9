# devbox.hcl: a Go project.
#
# The project directory is mounted at /src; `app` runs `go run .` there, and
# the `go` tool runs the toolchain in the same container image from the host:
#
#   devbox up                      # build and run the app
#   curl http://127.0.0.1:8080/
#   devbox run go test ./...       # the Go toolchain, no local install
#   devbox tools install           # then just: go build ./...
#
# The golang package is installed once and cached (debian/12 needs network
# access for it the first time).

# project = "myapp"    # default: the directory name
backend = "lxc"        # or "docker"; --backend and $DEVBOX_BACKEND override it
image   = "debian/12"

variable "http_port" {
  description = "host port the app is forwarded to"
  default     = 8080
}

network "lan" { mode = "nat" }     # outbound access for go mod download

mount "src" {
  source = "."
  target = "/src"
}

volume "gocache" {}                # module and build cache, kept across rebuilds

service "app" {
  packages = ["golang-go", "ca-certificates", "git"]
  command  = ["go", "run", "."]
  workdir  = "/src"
  env = {
    GOPATH     = "/var/cache/go"
    GOCACHE    = "/var/cache/go/build"
    GOFLAGS    = "-buildvcs=false"
  }
  port "http" {
    port = 8080
    host = var.http_port
  }
  mounts   = ["src"]
  volumes  = { gocache = "/var/cache/go" }
  networks = ["lan"]
}

# `devbox run go ...` runs in the current directory, as you, with your files.
tool "go" {
  packages = ["golang-go", "ca-certificates", "git"]
  command  = ["go"]
  env      = { GOFLAGS = "-buildvcs=false" }
  pass_env = ["GOOS", "GOARCH", "CGO_ENABLED", "GOPROXY"]
}
