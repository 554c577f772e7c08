# The README's two commands: `make report` and `make test`.
SWIFT ?= swift
BIN := .build/release/mnist-report

.PHONY: deps build report test bench format

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product mnist-report

report: build
	$(BIN) build

test: deps
	SWIFT=$(SWIFT) bash scripts/test.sh

bench: build
	$(BIN) bench

format:
	$(SWIFT) format -i -r Sources Tests Package.swift
