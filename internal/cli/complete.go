package cli

import (
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/devbox-dev/devbox/envfile"
)

// Shell completion of names from devbox.hcl. cobra's hidden __complete
// command calls these with the flags of the line already parsed, so -f
// and -C given earlier pick the file. A file that cannot be read or is
// invalid completes nothing: a completion must not print diagnostics into
// the user's prompt, nor fail.

// completer is cobra's ValidArgsFunction.
type completer = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// quietEnv loads the file as the verbs that act on what exists do (a
// missing mount source or env file is no error), with diagnostics
// discarded; nil when there is no usable file.
func (a *App) quietEnv() *envfile.Environment {
	stderr := a.Stderr
	a.Stderr = io.Discard
	defer func() { a.Stderr = stderr }()
	env, err := a.loadFor(true)
	if err != nil {
		return nil
	}
	return env
}

// completeServices completes the file's service names, those disabled by
// their profiles too (naming a service enables it), leaving out the ones
// already on the line.
func (a *App) completeServices(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	env := a.quietEnv()
	if env == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, s := range env.Services {
		if s.ReplicaOf != "" && s.Replica == 1 {
			names = append(names, s.ReplicaOf) // the service: all its replicas
		}
		names = append(names, s.Name)
	}
	return matching(append(names, env.DisabledServices...), args, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeTools completes the file's tool names not already on the line.
func (a *App) completeTools(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	env := a.quietEnv()
	if env == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, t := range env.Tools {
		names = append(names, t.Name)
	}
	return matching(names, args, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// firstArg completes the first argument with f; later ones (a command and
// its arguments) get the shell's default completion.
func firstArg(f completer) completer {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return f(cmd, args, toComplete)
	}
}

// matching is names that start with prefix and are not in used, sorted.
func matching(names, used []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !slices.Contains(used, n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
