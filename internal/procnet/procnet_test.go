package procnet

import (
	"net"
	"os"
	"testing"
)

// From a container running `python3 -m http.server 8001` and connected
// to a peer: 8001 listens (v4 and v6), the connection's ports do not.
const sample = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0
   1: 0B00007F:A3C1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1235 1 0000000000000000 100 0 0 10 0
   2: 0200C80A:1F41 0300C80A:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 1236 1 0000000000000000 20 4 30 10 -1
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F42 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1237 1 0000000000000000 100 0 0 10 0
`

func TestListening(t *testing.T) {
	got := Listening([]byte(sample))
	want := map[int]bool{8001: true, 41921: true, 8002: true}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for p := range want {
		if !got[p] {
			t.Errorf("port %d not listening: %v", p, got)
		}
	}
	if !All(got, []int{8001, 8002}) || All(got, []int{8001, 53}) || !All(got, nil) {
		t.Error("All")
	}
	if len(Listening([]byte("garbage\n\n  x: y z 0A\n"))) != 0 {
		t.Error("garbage parsed")
	}
}

// TestListeningHere: a port this test listens on is in this machine's
// own table, in the real format.
func TestListeningHere(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Skip("no /proc/net/tcp here")
	}
	port := l.Addr().(*net.TCPAddr).Port
	if !Listening(b)[port] {
		t.Errorf("port %d listens but is not found in /proc/net/tcp", port)
	}
}
