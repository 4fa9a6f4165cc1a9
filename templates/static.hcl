# devbox.hcl: a static site served by nginx.
#
# The project directory is the document root, mounted read-only; edit a file
# and reload the page.
#
#   devbox up
#   curl http://127.0.0.1:8080/
#
# nginx is installed once and cached (needs network access the first time);
# on docker, uncomment `docker { image = "nginx:1.25" }` to use the official
# image as is instead.

# project = "mysite"   # default: the directory name
backend = "lxc"        # or "docker"; --backend and $DEVBOX_BACKEND override it
image   = "debian/12"

variable "http_port" {
  description = "host port the site is forwarded to"
  default     = 8080
}

network "lan" { mode = "nat" }

mount "site" {
  source    = "."
  target    = "/srv/site"
  read_only = true
}

service "web" {
  packages  = ["nginx"]
  # Serve /srv/site instead of the default document root, in the foreground.
  provision = [
    "sed -i 's#root /var/www/html;#root /srv/site;#' /etc/nginx/sites-available/default",
  ]
  command   = ["nginx", "-g", "daemon off;"]
  port "http" {
    port = 80
    host = var.http_port
  }
  mounts    = ["site"]
  networks  = ["lan"]
  health {
    command  = ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/80"]
    interval = "1s"
  }
  # docker { image = "nginx:1.25" }   # docker only: the official image, as is
}
