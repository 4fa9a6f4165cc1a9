# devbox — see README.md.
# sudo's secure_path drops /usr/local/go/bin: find go there too.
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)

.PHONY: build test unit fault demo bench fuzz lint

# devbox-import (the Compose parser of `devbox import`) is a binary of its
# own beside devbox: internal/importer says why.
build:
	$(GO) build -o bin/devbox ./cmd/devbox
	$(GO) build -o bin/devbox-import ./cmd/devbox-import

# The test command: unit tests plus integration tests against the real Incus
# and Docker daemons (they skip when a daemon is absent, and fail instead
# when DEVBOX_INTEGRATION=1, as in CI).
test: lint
	$(GO) test -count=1 -timeout 75m ./...

unit:
	$(GO) test -short -count=1 ./...

# The fault-injection tests against the real engines: Ctrl-C and kills
# mid-up, health waits, drift by hand, name collisions, foreign objects,
# hostile files (README "What survives what" lists them). Part of `test`.
FAULT = Fault|Interrupted|CtrlC|Collide|Foreign|OutsideProject|Symlinked|Shadow|NotUp|LockDir|BadFiles|EngineName|DaemonDown
fault:
	DEVBOX_INTEGRATION=1 DEVBOX_NO_NAT=1 $(GO) test -count=1 -timeout 40m -run '$(FAULT)' ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

# Sets up both engines and images (root), then brings the example up.
demo: build
	bash .ci/setup
	./bin/devbox -C examples/shop up
	./bin/devbox -C examples/shop status --no-tui

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./envfile
