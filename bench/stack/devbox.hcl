# The side-by-side stack of bench/vs_compose.sh: eight python3 http.server
# services on one isolated network, each port forwarded, a 2-level
# depends_on tree. compose.yaml beside it is the same stack for Compose.
image = "debian/12"

network "lan" { mode = "isolated" }

service "s1" {
  command  = ["python3", "-m", "http.server", "8001"]
  env      = { ID = "1" }
  networks = ["lan"]
  port "http" {
    port = 8001
    host = 18001
  }
}

service "s2" {
  command  = ["python3", "-m", "http.server", "8002"]
  env      = { ID = "2" }
  networks = ["lan"]
  depends_on = ["s1"]
  port "http" {
    port = 8002
    host = 18002
  }
}

service "s3" {
  command  = ["python3", "-m", "http.server", "8003"]
  env      = { ID = "3" }
  networks = ["lan"]
  depends_on = ["s1"]
  port "http" {
    port = 8003
    host = 18003
  }
}

service "s4" {
  command  = ["python3", "-m", "http.server", "8004"]
  env      = { ID = "4" }
  networks = ["lan"]
  depends_on = ["s1"]
  port "http" {
    port = 8004
    host = 18004
  }
}

service "s5" {
  command  = ["python3", "-m", "http.server", "8005"]
  env      = { ID = "5" }
  networks = ["lan"]
  depends_on = ["s2"]
  port "http" {
    port = 8005
    host = 18005
  }
}

service "s6" {
  command  = ["python3", "-m", "http.server", "8006"]
  env      = { ID = "6" }
  networks = ["lan"]
  depends_on = ["s2"]
  port "http" {
    port = 8006
    host = 18006
  }
}

service "s7" {
  command  = ["python3", "-m", "http.server", "8007"]
  env      = { ID = "7" }
  networks = ["lan"]
  depends_on = ["s3"]
  port "http" {
    port = 8007
    host = 18007
  }
}

service "s8" {
  command  = ["python3", "-m", "http.server", "8008"]
  env      = { ID = "8" }
  networks = ["lan"]
  depends_on = ["s4"]
  port "http" {
    port = 8008
    host = 18008
  }
}

