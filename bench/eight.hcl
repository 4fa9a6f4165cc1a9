# Eight independent services on the offline base image, for benchmarks.
image = "debian/12"

service "s1" {
  command = ["sleep", "infinity"]
}
service "s2" {
  command = ["sleep", "infinity"]
}
service "s3" {
  command = ["sleep", "infinity"]
}
service "s4" {
  command = ["sleep", "infinity"]
}
service "s5" {
  command = ["sleep", "infinity"]
}
service "s6" {
  command = ["sleep", "infinity"]
}
service "s7" {
  command = ["sleep", "infinity"]
}
service "s8" {
  command = ["sleep", "infinity"]
}
