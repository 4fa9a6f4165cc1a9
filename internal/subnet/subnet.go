package subnet

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Taken is a prefix in use and what uses it, for error messages.
type Taken struct {
	Net *net.IPNet
	By  string // "host route on eth0", "docker network bridge", …
}

// String is "10.1.0.0/16 (host route on eth0)".
func (t Taken) String() string {
	if t.By == "" {
		return t.Net.String()
	}
	return t.Net.String() + " (" + t.By + ")"
}

// Overlap reports whether a and b share an address. Prefixes of different
// families never do.
func Overlap(a, b *net.IPNet) bool { return a.Contains(b.IP) || b.Contains(a.IP) }

// Clash returns the first of taken that overlaps n, or nil. A nil prefix
// and a /0 clash with nothing: a default route covers every address, and
// a bridge inside it is what every host has.
func Clash(n *net.IPNet, taken []Taken) *Taken {
	for i := range taken {
		t := &taken[i]
		if t.Net == nil {
			continue
		}
		if ones, _ := t.Net.Mask.Size(); ones == 0 {
			continue
		}
		if Overlap(n, t.Net) {
			return t
		}
	}
	return nil
}

// Range is where a backend picks its /24s from: First and Last are the
// network addresses of its first and last /24, both included.
type Range struct{ First, Last netip.Addr }

// String is "10.200.0.0/24 – 10.254.255.0/24".
func (r Range) String() string { return r.First.String() + "/24 – " + r.Last.String() + "/24" }

// span returns r's first /24 as a number (the address without its last
// octet) and how many /24s r holds.
func (r Range) span() (first, count uint32, err error) {
	if !r.First.Is4() || !r.Last.Is4() {
		return 0, 0, fmt.Errorf("subnet range %s: want two IPv4 addresses", r)
	}
	f, l := r.First.As4(), r.Last.As4()
	first, last := binary.BigEndian.Uint32(f[:])>>8, binary.BigEndian.Uint32(l[:])>>8
	if last < first {
		return 0, 0, fmt.Errorf("subnet range %s: the first /24 comes after the last", r)
	}
	return first, last - first + 1, nil
}

// Pick returns the first /24 of r that clashes with none of taken,
// counting from the start-th /24 of r and wrapping around: 0 picks the
// lowest free one, a hash spreads projects over the range.
func Pick(r Range, start uint64, taken []Taken) (*net.IPNet, error) {
	first, count, err := r.span()
	if err != nil {
		return nil, err
	}
	from := uint32(start % uint64(count))
	for i := uint32(0); i < count; i++ {
		n := first + (from+i)%count
		ip := make(net.IP, 4)
		binary.BigEndian.PutUint32(ip, n<<8)
		cand := &net.IPNet{IP: ip, Mask: net.CIDRMask(24, 32)}
		if Clash(cand, taken) == nil {
			return cand, nil
		}
	}
	return nil, fmt.Errorf("no free /24 subnet in %s", r)
}

// ParseRoutes reads the IPv4 routes of a Linux /proc/net/route table
// (Iface Destination Gateway Flags RefCnt Use Metric Mask …, addresses as
// little-endian hex), skipping the header, default routes and lines it
// cannot read. Each route is taken by "host route on IFACE".
func ParseRoutes(table []byte) []Taken {
	var out []Taken
	sc := bufio.NewScanner(bytes.NewReader(table))
	sc.Scan() // header
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 8 {
			continue
		}
		dst, err1 := strconv.ParseUint(fs[1], 16, 32)
		mask, err2 := strconv.ParseUint(fs[7], 16, 32)
		if err1 != nil || err2 != nil || mask == 0 {
			continue
		}
		ip, m := make(net.IP, 4), make(net.IPMask, 4)
		binary.LittleEndian.PutUint32(ip, uint32(dst))
		binary.LittleEndian.PutUint32(m, uint32(mask))
		out = append(out, Taken{Net: &net.IPNet{IP: ip.Mask(m), Mask: m}, By: "host route on " + fs[0]})
	}
	return out
}

// Nets returns the prefixes of taken, in order.
func Nets(taken []Taken) []*net.IPNet {
	out := make([]*net.IPNet, len(taken))
	for i, t := range taken {
		out[i] = t.Net
	}
	return out
}

// Unnamed wraps prefixes whose users are unknown as Taken, each by by.
func Unnamed(nets []*net.IPNet, by string) []Taken {
	out := make([]Taken, len(nets))
	for i, n := range nets {
		out[i] = Taken{Net: n, By: by}
	}
	return out
}
