package proxy

import (
	"net"
	"net/url"
	"sort"
	"strings"
)

// Settings are the proxy variables, as given.
type Settings struct {
	HTTP    string `json:"http,omitempty"`
	HTTPS   string `json:"https,omitempty"`
	NoProxy string `json:"no_proxy,omitempty"`
}

// FromEnv reads the settings through getenv: the lower-case name first,
// as curl and apt do, then the upper-case one.
func FromEnv(getenv func(string) string) Settings {
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return getenv(strings.ToUpper(name))
	}
	return Settings{HTTP: get("http_proxy"), HTTPS: get("https_proxy"), NoProxy: get("no_proxy")}
}

// Empty reports whether no proxy is set.
func (s Settings) Empty() bool { return s.HTTP == "" && s.HTTPS == "" }

// Loopback lists, sorted and once each, the host:port of the proxies that
// listen on the host's loopback (127.0.0.0/8, ::1, localhost): what a
// backend must bring into a container for it to reach them.
func (s Settings) Loopback() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range []string{s.HTTP, s.HTTPS} {
		if hp, ok := loopback(p); ok && !seen[hp] {
			seen[hp] = true
			out = append(out, hp)
		}
	}
	sort.Strings(out)
	return out
}

// OnlyLoopback reports whether every proxy set is on the host's loopback:
// then a container needs no way out but to those.
func (s Settings) OnlyLoopback() bool {
	n := 0
	for _, p := range []string{s.HTTP, s.HTTPS} {
		if _, ok := loopback(p); p != "" && !ok {
			return false
		} else if ok {
			n++
		}
	}
	return n > 0
}

// Rewrite returns the settings with each loopback proxy's host:port
// replaced by to(host:port): the address a container reaches it at.
func (s Settings) Rewrite(to func(hostport string) string) Settings {
	re := func(p string) string {
		hp, ok := loopback(p)
		if !ok {
			return p
		}
		u, _ := parse(p)
		u.Host = to(hp)
		return u.String()
	}
	return Settings{HTTP: re(s.HTTP), HTTPS: re(s.HTTPS), NoProxy: s.NoProxy}
}

// Environ is the settings as environment variables, lower- and upper-case
// (programs differ in which they read). Empty settings give none.
func (s Settings) Environ() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"http_proxy": s.HTTP, "https_proxy": s.HTTPS, "no_proxy": s.NoProxy} {
		if v != "" {
			out[k] = v
			out[strings.ToUpper(k)] = v
		}
	}
	return out
}

// Names are the variables Environ may set: a backend strips them from
// what it keeps.
func Names() []string {
	return []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"}
}

// parse reads a proxy setting; a bare host:port means http://host:port.
func parse(p string) (*url.URL, bool) {
	if p == "" {
		return nil, false
	}
	if !strings.Contains(p, "://") {
		p = "http://" + p
	}
	u, err := url.Parse(p)
	if err != nil || u.Host == "" {
		return nil, false
	}
	return u, true
}

// loopback returns the proxy's host:port (port defaulted by scheme) when
// it is on the loopback.
func loopback(p string) (string, bool) {
	u, ok := parse(p)
	if !ok {
		return "", false
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", false
	}
	return net.JoinHostPort(host, port), true
}
