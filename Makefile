# The two commands the README promises work on a fresh Debian machine with the Swift toolchain.
.PHONY: run test build release bench lint format

# Run the gateway on its embedded default: mock provider, in-memory state, API :8080, metrics :9090.
run:
	./scripts/build-deps.sh
	swift run llm-gateway serve

# Run every test (installs what the tests need: a Python venv with the openai SDK and pytest).
test:
	./scripts/test.sh

build:
	./scripts/build-deps.sh
	swift build

release:
	./scripts/build-deps.sh
	swift build -c release

# Baseline benchmark: direct vs llm-gateway vs haproxy against one nginx upstream (see bench/README.md).
bench:
	./bench/run.sh

lint:
	swift format lint --strict -r Sources Tests Package.swift

format:
	swift format format -i -r Sources Tests Package.swift
