# devbox.hcl: a legacy 32-bit Java tool, run from the host as if installed.
#
# `report` runs a 32-bit JVM in an i386 container (docker: platform
# linux/386; lxc: an i686 instance), in the current directory, as you:
# files it writes belong to you, stdin/stdout and the exit code pass
# through, and the container stays warm so the next call is fast.
#
#   devbox run report --help          # java -jar /opt/report/report.jar --help
#   devbox tools install              # a `report` shim in ~/.local/bin
#   report < in.csv > out.txt         # from any directory
#
# Needs an i386 base image: debian/12/i386 (Incus alias: incus image copy
# images:debian/12/i386 local: --alias debian/12/i386) or debian:12-i386
# (Docker: docker pull --platform linux/386 debian:12), and a host that runs
# i386 binaries: `devbox doctor` says whether it does, and
# `devbox setup emulation` (root) sets up qemu-user where it does not. The
# JVM and the jar are installed once and cached (network access the first
# time).

# project = "legacy"   # default: the directory name
backend = "lxc"        # or "docker"; --backend and $DEVBOX_BACKEND override it
image   = "debian/12"

variable "jar_url" {
  description = "where the tool's jar is downloaded from, once"
  default     = "https://example.com/report.jar"
}

tool "report" {
  platform  = "linux/386"     # a 32-bit userland
  packages  = ["openjdk-17-jre-headless", "curl", "ca-certificates"]
  provision = [
    "mkdir -p /opt/report && curl -fsSL -o /opt/report/report.jar '${var.jar_url}'",
  ]
  command   = ["java", "-jar", "/opt/report/report.jar"]
  env       = { JAVA_TOOL_OPTIONS = "-Xmx512m" }
  pass_env  = ["JAVA_OPTS", "LANG", "TZ"]
}

# A 32-bit shell in the same base image, for poking around: devbox run sh32
tool "sh32" {
  platform = "linux/386"
  command  = ["sh"]
}
