package docker

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// forwarder listens on the build network's gateway (a host address the
// build containers reach) and pipes every connection from that network to
// one address on the host's loopback, the proxy: the only loopback port a
// build can reach, and only while the build runs.
type forwarder struct {
	ln     net.Listener
	target string     // host:port on the loopback
	from   *net.IPNet // the build network: other peers are refused

	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// forward starts a forwarder on gw at an ephemeral port.
func forward(gw net.IP, from *net.IPNet, target string) (*forwarder, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(gw.String(), "0"))
	if err != nil {
		return nil, fmt.Errorf("listen on the build network's gateway %s: %w", gw, err)
	}
	f := &forwarder{ln: ln, target: target, from: from, conns: map[net.Conn]bool{}}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

// Addr is the host:port build containers use for the proxy.
func (f *forwarder) Addr() string { return f.ln.Addr().String() }

// Close stops listening, cuts the connections still open (the build is
// over) and waits for every goroutine.
func (f *forwarder) Close() {
	_ = f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *forwarder) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return // closed
		}
		if a, ok := c.RemoteAddr().(*net.TCPAddr); !ok || !f.from.Contains(a.IP) {
			_ = c.Close()
			continue
		}
		if !f.track(c, true) {
			_ = c.Close()
			return
		}
		f.wg.Add(1)
		go f.pipe(c)
	}
}

// track adds or drops a connection; adding fails once Close has run.
func (f *forwarder) track(c net.Conn, add bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !add {
		delete(f.conns, c)
		return true
	}
	if f.conns == nil {
		return false
	}
	f.conns[c] = true
	return true
}

func (f *forwarder) pipe(c net.Conn) {
	defer f.wg.Done()
	defer c.Close()
	defer f.track(c, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	var d net.Dialer
	up, err := d.DialContext(ctx, "tcp", f.target)
	cancel()
	if err != nil {
		return
	}
	defer up.Close()
	if !f.track(up, true) {
		return
	}
	defer f.track(up, false)
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite() // pass the half-close on: HTTP clients rely on it
		}
		done <- struct{}{}
	}
	go cp(up, c)
	go cp(c, up)
	<-done
	<-done
}
