// Package subnet is what devbox's backends share about IPv4 subnets:
// reading the host's route table, telling whether two prefixes overlap, and
// picking a free /24 from a backend's range. Everything here is pure: the
// backends gather what is taken (their engine's networks, the host's routes
// and addresses), each with what takes it, and pass it in, so a clash
// message can say what clashes with what.
package subnet
