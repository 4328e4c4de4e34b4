# Thin wrapper: the build is Meson's, the tests are scripts/test.sh.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# `make fuzz`: each target this many seconds (the test suite gives 15).
FUZZ_SECONDS ?= 300
DB ?= keygate.db
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all setup build asan fuzz-build fuzz run test install clean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

asan: setup $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# The libFuzzer targets of tests/fuzz: clang, ASan + UBSan, coverage.
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false

fuzz-build: setup $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) fuzz

# Replays the seeds, then fuzzes every target FUZZ_SECONDS, two at once.
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) /usr/bin/python3 tests/run.py \
	    --suite fuzz:$(FUZZ_BUILD)

# Sets up, builds and serves on SQLite at 127.0.0.1:8080.
run: build
	$(BUILD)/src/keygate serve --db $(DB)

# Sets up, builds and runs every test suite; ends with "N passed, N failed".
test: setup
	scripts/test.sh

# Installs the binary, keygate(1), the systemd unit, the example settings
# (PREFIX/etc/keygate/keygate.conf) and the nginx example under PREFIX,
# staged under DESTDIR when set. Reconfigures BUILD only when its prefix
# differs.
install: build
	@if [ "$$(meson introspect $(BUILD) --buildoptions | python3 -c \
	    'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')" \
	    != "$(PREFIX)" ]; then meson configure $(BUILD) -Dprefix=$(PREFIX); fi
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) tests/out
