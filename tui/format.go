package tui

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// secretKey matches environment keys whose values are masked.
var secretKey = regexp.MustCompile(`(?i)PASS|SECRET|TOKEN|KEY`)

const mask = "*****"

// maskEnv renders env as sorted KEY=value lines with secrets masked: whole
// values for secret-looking keys, and the password of any URL.
func maskEnv(env map[string]string) []string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		v := env[k]
		switch {
		case secretKey.MatchString(k) && v != "":
			v = mask
		default:
			v = maskURLPassword(v)
		}
		out = append(out, k+"="+v)
	}
	return out
}

func maskURLPassword(v string) string {
	if !strings.Contains(v, "://") || !strings.Contains(v, "@") {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return v
	}
	if _, ok := u.User.Password(); !ok {
		return v
	}
	// Rebuild by hand: url.URL.String would escape the mask.
	i := strings.Index(v, "://") + 3
	at := strings.Index(v[i:], "@")
	if at < 0 {
		return v
	}
	return v[:i] + u.User.Username() + ":" + mask + v[i+at:]
}

// uptime is a compact duration since started (RFC 3339), "-" when unknown.
func uptime(now time.Time, started, state string) string {
	if !running(state) {
		return "-"
	}
	t, err := time.Parse(time.RFC3339Nano, started)
	if err != nil || t.IsZero() {
		return "-"
	}
	return shortDuration(now.Sub(t))
}

func shortDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	case s < 100*86400:
		return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
	default:
		return fmt.Sprintf("%dd", s/86400)
	}
}

func cpuCell(s float64, state string) string {
	if !running(state) {
		return "-"
	}
	if s >= 100 {
		return fmt.Sprintf("%.0f%%", s)
	}
	return fmt.Sprintf("%.1f%%", s)
}

// memCell is a compact binary size: 980K, 12M, 1.5G.
func memCell(b uint64, state string) string {
	if b == 0 || !running(state) {
		return "-"
	}
	v, units := float64(b), "BKMGTP"
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v < 10 && i > 0 {
		return fmt.Sprintf("%.1f%c", v, units[i])
	}
	return fmt.Sprintf("%.0f%c", v, units[i])
}

// shortPort turns "127.0.0.1:15432->5432/tcp" into "15432->5432": the
// loopback host and /tcp are the common case and say nothing.
func shortPort(p string) string {
	p = strings.TrimSuffix(p, "/tcp")
	for _, h := range []string{"127.0.0.1:", "localhost:", "[::1]:"} {
		p = strings.TrimPrefix(p, h)
	}
	return p
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fit truncates s (which may hold ANSI styling) to w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad truncates or right-pads plain s to exactly w cells.
func pad(s string, w int) string {
	s = fit(s, w)
	if n := w - ansi.StringWidth(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// clean makes a log line safe to draw: no escape sequences, no tabs or
// carriage returns.
func clean(s string) string {
	s = ansi.Strip(s)
	s = strings.ReplaceAll(s, "\t", "    ")
	s = strings.TrimRight(s, "\r\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
