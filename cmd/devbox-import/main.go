// Command devbox-import is the Compose parser behind `devbox import`,
// kept out of devbox itself (internal/importer says why). devbox runs it;
// it is not meant to be run by hand.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/devbox-dev/devbox/internal/compose"
	"github.com/devbox-dev/devbox/internal/importer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := importer.Serve(ctx, compose.Import)
	stop()
	os.Exit(code)
}
