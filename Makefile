# tshoot: the two commands are `make run` and `make test`; everything else is
# a convenience. Meson + ninja do the building; this file only sequences.
MESON   ?= meson
BUILD   ?= build
ASAN    ?= build-asan
CLANGB  ?= build-clang
FUZZB   ?= build-fuzz
FUZZ_SECONDS ?= 60
SOURCES  = $(shell find lib src tests fuzz bench -name '*.[ch]' 2>/dev/null)

.PHONY: all deps build run test unit clang-check format format-check fuzz fuzz-smoke bench clean

all: build

deps:
	@scripts/deps.sh

# Re-running setup each time picks up new source files (sources are listed
# from the tree, see scripts/list-sources.sh).
build: deps
	@if [ -f $(BUILD)/build.ninja ]; then $(MESON) setup --reconfigure $(BUILD) >/dev/null; \
	 else $(MESON) setup $(BUILD) >/dev/null; fi
	@ninja -C $(BUILD) tshoot

run: build
	@scripts/run-main.sh $(BUILD)/tshoot

# Every test, built with AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps format-check clang-check
	@if [ -f $(ASAN)/build.ninja ]; then $(MESON) setup --reconfigure $(ASAN) >/dev/null; \
	 else $(MESON) setup $(ASAN) --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false >/dev/null; fi
	@ninja -C $(ASAN)
	@$(MESON) test -C $(ASAN) --print-errorlogs --num-processes 2
	@$(MAKE) --no-print-directory fuzz-smoke
	@scripts/test-summary.sh $(ASAN)

unit: deps
	@if [ -f $(ASAN)/build.ninja ]; then $(MESON) setup --reconfigure $(ASAN) >/dev/null; \
	 else $(MESON) setup $(ASAN) --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false >/dev/null; fi
	@ninja -C $(ASAN)
	@$(MESON) test -C $(ASAN) --print-errorlogs --num-processes 2 $(T)

# The same tree must build warning-free with clang (-Werror).
clang-check: deps
	@if [ -f $(CLANGB)/build.ninja ]; then $(MESON) setup --reconfigure $(CLANGB) >/dev/null; \
	 else CC=clang $(MESON) setup $(CLANGB) >/dev/null; fi
	@ninja -C $(CLANGB) tshoot

format:
	@clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run -Werror $(SOURCES) && echo "format: ok"

fuzz: deps
	@if [ -f $(FUZZB)/build.ninja ]; then $(MESON) setup --reconfigure $(FUZZB) >/dev/null; \
	 else CC=clang $(MESON) setup $(FUZZB) --buildtype=debugoptimized -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null; fi
	@ninja -C $(FUZZB)

# Run every fuzzer on its seed corpus (fuzz/corpus/NAME): a fixed seed and
# FUZZ_RUNS inputs (default 20000), FUZZ_SECONDS at most.
fuzz-smoke: fuzz
	@scripts/fuzz-smoke.sh $(FUZZB) $(FUZZ_SECONDS)

bench: build
	@scripts/deps.sh full
	@bench/run-all.sh $(BUILD)/tshoot

clean:
	rm -rf $(BUILD) $(ASAN) $(CLANGB) $(FUZZB) out
