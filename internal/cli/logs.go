package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/engine"
)

type logsCmd struct {
	app    *App
	follow bool
	tail   int
}

func (c *logsCmd) command() *cobra.Command {
	cmd := &cobra.Command{Use: "logs [SERVICE...]", Short: "Show service logs, multiplexed with service prefixes",
		ValidArgsFunction: c.app.completeServices}
	// -f after `logs` means --follow (see followShorthand); before the verb it is the file.
	cmd.Flags().BoolVar(&c.follow, "follow", false, "keep following new lines (-f)")
	cmd.Flags().IntVarP(&c.tail, "tail", "n", -1, "lines from the end of each log (-1: all)")
	return cmd
}

// Run streams each service's log through a prefixing line writer.
func (c *logsCmd) Run(ctx context.Context, args []string) error {
	c.app.enable = args // named services, whatever their profiles
	env, err := c.app.loadExisting()
	if err != nil {
		return err
	}
	b, err := c.app.open(ctx, env)
	if err != nil {
		return err
	}
	defer b.Close()
	// After open: the replicas are devbox scale's. `logs worker` is every
	// replica, each line prefixed with its name (worker-2).
	names, err := serviceNames(env, args)
	if err != nil {
		return err
	}
	names = namedOrAll(env, names)
	lg, ok := b.(engine.Logger)
	if !ok {
		return fmt.Errorf("the %s backend cannot show logs", b.Name())
	}
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	var (
		mu   sync.Mutex // one line at a time on stdout
		wg   sync.WaitGroup
		errs = make([]error, len(names))
	)
	for i, n := range names {
		prefix := n
		if len(names) == 1 {
			prefix = ""
		}
		pw := &prefixWriter{mu: &mu, w: c.app.Stdout, prefix: fmt.Sprintf("%-*s | ", width, prefix)}
		if prefix == "" {
			pw.prefix = ""
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = lg.Logs(ctx, env, n, c.follow, c.tail, pw)
			pw.flush()
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil // Ctrl-C ends a follow: not an error
	}
	return errors.Join(errs...)
}

// prefixWriter writes whole lines, each with prefix, under a shared mutex.
type prefixWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		p.mu.Lock()
		_, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf[:i])
		p.mu.Unlock()
		p.buf = p.buf[i+1:]
		if err != nil {
			return len(b), err
		}
	}
}

func (p *prefixWriter) flush() {
	if len(p.buf) > 0 {
		p.mu.Lock()
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf)
		p.mu.Unlock()
		p.buf = nil
	}
}

// followShorthand rewrites `-f` after the logs verb to --follow, so both
// `devbox -f x.hcl logs` and `devbox logs -f` work, as in docker compose.
func followShorthand(args []string) []string {
	out := append([]string(nil), args...)
	valued := map[string]bool{"-f": true, "--file": true, "-C": true, "--directory": true,
		"--backend": true, "--remote": true, "--var": true, "-p": true, "--project": true, "--profile": true}
	for i := 0; i < len(out); i++ {
		if out[i] == cobra.ShellCompRequestCmd || out[i] == cobra.ShellCompNoDescRequestCmd {
			continue // completing: the verb follows
		}
		if valued[out[i]] {
			i++ // skip the flag's value
			continue
		}
		if strings.HasPrefix(out[i], "-") {
			continue
		}
		if out[i] != "logs" {
			return out // another verb
		}
		for j := i + 1; j < len(out) && out[j] != "--"; j++ {
			if out[j] == "-f" {
				out[j] = "--follow"
			}
		}
		return out
	}
	return out
}
