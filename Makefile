# exray build. Everything goes under build/; sources are found by directory:
#   schema/*.c     -> build/libexray-schema.a (segment codec, shared)
#   bpf/*.bpf.c    -> build/bpf/NAME.bpf.o -> build/bpf/NAME.skel.h
#   recorder/*.c   -> build/exray-record   (main.c holds main())
#   analyzer/*/*.c -> build/exray          (cmd/main.c holds main(); one
#                     folder per stage, README.md; basenames stay unique)
#   tests/unit/test_*.c -> build/tests/test_*  (cmocka, one binary per module)
# `make V=1` shows the commands; `make SANITIZE=1` builds userspace with
# ASan+UBSan (into build/san/ so the two builds never mix). `make fuzz` builds
# the libFuzzer harnesses tests/fuzz/fuzz_*.c (build/fuzz/) and runs each for
# FUZZ_SECONDS.

.DELETE_ON_ERROR:
# keep intermediates (.bpf.o, test objects): rebuilding them is wasted time
.SECONDARY:
.SUFFIXES:

ifeq ($(SANITIZE),1)
BUILD ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS :=
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_H := bpf/$(ARCH)/vmlinux.h

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
	  -D_GNU_SOURCE -Ischema -Ianalyzer -I$(BUILD)/bpf -MMD -MP $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
LDLIBS_SCHEMA := -lzstd -lz -lsodium
LDLIBS_RECORD := -lbpf -lelf -lpthread -ljansson $(LDLIBS_SCHEMA)
LDLIBS_ANALYZE := -lsqlite3 -lm $(LDLIBS_SCHEMA)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function \
	      -I$(dir $(VMLINUX_H)) -Ischema -Ibpf -MMD -MP

SCHEMA_SRCS := $(wildcard schema/*.c)
BPF_SRCS := $(wildcard bpf/*.bpf.c)
RECORDER_SRCS := $(wildcard recorder/*.c)
ANALYZER_SRCS := $(wildcard analyzer/*/*.c)
# ar keeps one member per basename: two stages' foo.c would silently drop one
ANALYZER_DUP := $(shell printf '%s\n' $(notdir $(ANALYZER_SRCS)) | sort | uniq -d)
ifneq ($(ANALYZER_DUP),)
$(error analyzer sources must have unique basenames: $(ANALYZER_DUP))
endif
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
TESTLIB_SRCS := $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c))
BENCH_SRCS := $(wildcard bench/*.c)
TOOL_SRCS := $(wildcard tests/tools/*.c)
FIXTURE_SRCS := $(wildcard fixtures/runner/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
SCHEMA_OBJS := $(call obj,$(SCHEMA_SRCS))
RECORDER_OBJS := $(call obj,$(filter-out recorder/main.c,$(RECORDER_SRCS)))
ANALYZER_OBJS := $(call obj,$(filter-out analyzer/cmd/main.c,$(ANALYZER_SRCS)))
TESTLIB_OBJS := $(call obj,$(TESTLIB_SRCS))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst %.bpf.o,%.skel.h,$(BPF_OBJS))

# Data compiled into exray: the schema and the built-in rules.
EMBED_FILES := $(wildcard schema/schema.sql) $(sort $(wildcard analyzer/rules/*.sql))
EMBED_OBJ := $(BUILD)/gen/embedded.o
ANALYZER_OBJS += $(EMBED_OBJ)

LIB_SCHEMA := $(BUILD)/libexray-schema.a
LIB_RECORDER := $(BUILD)/libexray-recorder.a
LIB_ANALYZER := $(BUILD)/libexray-analyzer.a
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
FIXTURE_BINS := $(patsubst fixtures/runner/%.c,$(BUILD)/fixtures/%,$(FIXTURE_SRCS))

PROGS :=
ifneq ($(wildcard recorder/main.c),)
PROGS += $(BUILD)/exray-record
endif
ifneq ($(wildcard analyzer/cmd/main.c),)
PROGS += $(BUILD)/exray
endif

.PHONY: all
all: $(SKELS) $(PROGS) $(UNIT_BINS) $(BENCH_BINS) $(TOOL_BINS) $(FIXTURE_BINS)

# ------------------------------------------------------------------ BPF side
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H) | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Regenerate the committed CO-RE header from this machine's kernel BTF.
.PHONY: vmlinux
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX_H)

# ----------------------------------------------------------------- userspace
$(BUILD)/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/embedded.c: analyzer/casedb/embed.sh $(EMBED_FILES) Makefile
	$(call msg,EMBED,$@)
	@mkdir -p $(@D)
	$(Q)analyzer/casedb/embed.sh $@ $(EMBED_FILES)

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB_SCHEMA): $(SCHEMA_OBJS)
$(LIB_RECORDER): $(RECORDER_OBJS)
$(LIB_ANALYZER): $(ANALYZER_OBJS)
$(LIB_SCHEMA) $(LIB_RECORDER) $(LIB_ANALYZER):
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/exray-record: $(BUILD)/recorder/main.o $(LIB_RECORDER) $(LIB_SCHEMA)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS_RECORD) -o $@

$(BUILD)/exray: $(BUILD)/analyzer/cmd/main.o $(LIB_ANALYZER) $(LIB_SCHEMA)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS_ANALYZE) -o $@

# Every unit test links every library; the archives pull in only what it uses.
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(TESTLIB_OBJS) $(LIB_ANALYZER) $(LIB_RECORDER) $(LIB_SCHEMA)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ -lcmocka -lsqlite3 -lsodium -lm $(LDLIBS_RECORD) -o $@

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB_ANALYZER) $(LIB_SCHEMA)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS_ANALYZE) -lpthread -o $@

# Small helper programs used by tests and fixtures (workloads, raw SYN
# senders); static so they also run inside a busybox container.
$(BUILD)/tools/%: tests/tools/%.c
	$(call msg,CC-STATIC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -Wall -Wextra -D_GNU_SOURCE -Ischema -static $< -o $@ $(TOOL_LIBS)
# io_uring submissions through liburing (Debian's liburing-dev, static)
$(BUILD)/tools/exr-uring: TOOL_LIBS := -luring

# The trivial static binary the exec storms run (not linked with exray).
BENCH_BINS += $(BUILD)/bench/exr-true
$(BUILD)/bench/exr-true: bench/static/exr-true.c
	$(call msg,CC-STATIC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -Wall -Wextra -static $< -o $@

# Fixture helpers that read and write segments (fixtures/runner/*.c).
$(BUILD)/fixtures/%: $(BUILD)/fixtures/runner/%.o $(LIB_SCHEMA)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS_SCHEMA) -o $@

$(BUILD)/bpf:
	@mkdir -p $@

# -------------------------------------------------------------------- tasks
DEB_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev \
	    libsqlite3-dev libcmocka-dev libjansson-dev zstd sqlite3 runc busybox-static jq \
	    iproute2 make gcc libc6-dev pkg-config util-linux procps libclang-rt-14-dev \
	    python3 libcap2-bin gawk libsodium-dev chromium mmdebstrap liburing-dev

# Packages only tests use (tests/integration/clickhouse_fleet.sh); one that
# cannot be installed makes its tests skip with the reason, not deps fail.
TEST_DEB_PKGS := clickhouse-server clickhouse-client

# Installs only what is missing; safe to run any number of times.
.PHONY: deps test-deps
deps: test-deps
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all installed"; exit 0; fi; \
	echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	if [ "$$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing

test-deps:
	@missing=$$(for p in $(TEST_DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "deps: installing test packages$$(echo $$missing | sed 's/^/ /')"; \
	if [ "$$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	{ $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; } || \
		echo "deps: could not install$$(echo $$missing | sed 's/^/ /'): the tests that need them skip"

.PHONY: test
test: all fuzzers
	@BUILD=$(BUILD) tests/run-tests.sh

# Benchmarks (bench/README.md): the peers they compare with, then the runs.
BENCH_DEB_PKGS := libbpf-tools bpftrace auditd linux-perf time bc
.PHONY: bench-deps bench
bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_DEB_PKGS)"

bench: $(PROGS) $(BENCH_BINS)
	@BUILD=$(BUILD) bench/run-all.sh

# Re-record the fixtures (root): fixtures/run-scenarios.sh, docs/fixtures.md.
.PHONY: fixtures
fixtures: $(PROGS) $(TOOL_BINS) $(FIXTURE_BINS)
	@BUILD=$(BUILD) fixtures/run-scenarios.sh record $(SCENARIOS)

.PHONY: eval eval-rootfs
# The detection-rate evaluation (docs/detection-rates.md, eval/run.sh): as
# root, install what is missing (deps), build the Debian rootfs the larger
# scenarios use (cached in
# /var/cache/exray-eval), record every scenario of eval/scenarios in a real
# runc container, and print the table per category.
eval-rootfs: deps
	@eval/rootfs.sh

eval: deps $(PROGS) $(TOOL_BINS) $(FIXTURE_BINS) eval-rootfs
	@BUILD=$(BUILD) eval/run.sh record
	@BUILD=$(BUILD) eval/run.sh score $(BUILD)/eval/corpus

.PHONY: demo
demo:
	@tests/demo.sh

.PHONY: clean
clean:
	rm -rf build

# ------------------------------------------------------------------- fuzzing
# Harnesses are built with clang, libFuzzer, ASan and UBSan against the
# codec and analyzer sources compiled the same way, kept in an archive so a
# harness links only what it uses.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Ischema -Ianalyzer -MMD -MP \
	       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(SCHEMA_SRCS) \
		 $(filter-out analyzer/cmd/main.c,$(ANALYZER_SRCS))) $(FUZZ_DIR)/obj/embedded.o
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

$(FUZZ_DIR)/obj/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(@D)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/libfuzzlib.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/libfuzzlib.a
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) -fsanitize=fuzzer,address,undefined $^ -lsqlite3 -lsodium -lzstd -lz -lm -o $@

.PHONY: fuzzers fuzz
fuzzers: $(FUZZ_BINS)

fuzz: fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

-include $(shell find build -name '*.d' 2>/dev/null)
