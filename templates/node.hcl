# devbox.hcl: a Node.js project.
#
# The project directory is mounted at /srv/app; `app` installs the
# dependencies and runs `npm start` there. `node` and `npm` are tools:
#
#   devbox up
#   curl http://127.0.0.1:3000/
#   devbox run npm install left-pad   # npm in the container, files owned by you
#   devbox tools install              # then just: npm test
#
# nodejs and npm are installed once and cached (needs network access the
# first time).

# project = "myapp"    # default: the directory name
backend = "lxc"        # or "docker"; --backend and $DEVBOX_BACKEND override it
image   = "debian/12"

variable "http_port" {
  description = "host port the app is forwarded to"
  default     = 3000
}

network "lan" { mode = "nat" }

mount "src" {
  source = "."
  target = "/srv/app"
}

service "app" {
  packages = ["nodejs", "npm"]
  command  = ["sh", "-c", "npm install && exec npm start"]
  workdir  = "/srv/app"
  env = {
    NODE_ENV = "development"
    PORT     = "3000"
  }
  port "http" {
    port = 3000
    host = var.http_port
  }
  mounts   = ["src"]
  networks = ["lan"]
  restart  = "on-failure"
}

tool "node" {
  packages = ["nodejs"]
  command  = ["node"]
  pass_env = ["NODE_OPTIONS"]
}

tool "npm" {
  packages = ["nodejs", "npm"]
  command  = ["npm"]
  pass_env = ["NODE_OPTIONS", "NPM_CONFIG_REGISTRY"]
}
