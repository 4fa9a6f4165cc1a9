package procnet

import (
	"bufio"
	"bytes"
	"strconv"
)

// tcpListen is the kernel's TCP_LISTEN state, as /proc/net/tcp prints it.
const tcpListen = "0A"

// Listening returns the local ports of the sockets in LISTEN state in the
// text of /proc/net/tcp or tcp6 (several concatenated are fine; header
// lines and other text are skipped).
func Listening(table []byte) map[int]bool {
	out := map[int]bool{}
	sc := bufio.NewScanner(bytes.NewReader(table))
	for sc.Scan() {
		// "  0: 00000000:1F90 00000000:0000 0A ..." — sl, local, remote, st.
		f := bytes.Fields(sc.Bytes())
		if len(f) < 4 || !bytes.HasSuffix(f[0], []byte(":")) || string(f[3]) != tcpListen {
			continue
		}
		i := bytes.LastIndexByte(f[1], ':')
		if i < 0 {
			continue
		}
		if port, err := strconv.ParseUint(string(f[1][i+1:]), 16, 16); err == nil {
			out[int(port)] = true
		}
	}
	return out
}

// All reports whether every port is in listening (true for none).
func All(listening map[int]bool, ports []int) bool {
	for _, p := range ports {
		if !listening[p] {
			return false
		}
	}
	return true
}
