package registry

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/devbox-dev/devbox/engine"
	"github.com/devbox-dev/devbox/engine/enginetest"
	"github.com/devbox-dev/devbox/envfile"
)

func TestRegistry(t *testing.T) {
	fake := enginetest.New()
	var opened []string
	open := func(name string) func(context.Context, *envfile.Environment) (engine.Backend, error) {
		return func(context.Context, *envfile.Environment) (engine.Backend, error) {
			opened = append(opened, name)
			return fake, nil
		}
	}
	r := Registry{{Name: "one", Open: open("one")}, {Name: "two", Open: open("two")}, {Name: "broken"}}
	if got := r.Names(); !slices.Equal(got, []string{"one", "two", "broken"}) {
		t.Errorf("Names = %v", got)
	}
	if got := r.Choice(); got != "one, two or broken" {
		t.Errorf("Choice = %q", got)
	}
	for _, name := range []string{"two", "", "one"} {
		if b, err := r.Open(context.Background(), name, &envfile.Environment{}); err != nil || b != fake {
			t.Errorf("Open(%q) = %v, %v", name, b, err)
		}
	}
	if !slices.Equal(opened, []string{"two", "one", "one"}) {
		t.Errorf("opened %v, want two, then the default twice", opened)
	}
	if _, err := r.Open(context.Background(), "podman", nil); err == nil || err.Error() != `unknown backend "podman": want one, two or broken` {
		t.Errorf("unknown: %v", err)
	}
	if _, err := r.Open(context.Background(), "broken", nil); err == nil || !strings.Contains(err.Error(), "no Open") {
		t.Errorf("no Open: %v", err)
	}
	if _, ok := (Registry{}).Lookup(""); ok {
		t.Error("an empty registry has a default")
	}
	if got := (Registry{{Name: "solo"}}).Choice(); got != "solo" {
		t.Errorf("Choice of one = %q", got)
	}
}
