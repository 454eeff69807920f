# strata — GNU make build. `make` builds build/strata; `make SANITIZE=1` builds ASan+UBSan into build-san/.
# `make test` and `make demo` first install missing Debian packages (scripts/install-deps), then
# re-enter make so that pkg-config answers with the freshly installed libraries.
# CC, CFLAGS (default: $(OPT) -g), LDFLAGS and LDLIBS from the command line or the environment
# are the user's: the project's own flags (STRATA_CFLAGS, STRATA_LDFLAGS) are appended to them.
# `make EBPF=0` builds everything but the eBPF back-end into build-noebpf/ (`strata record` then
# says so), for machines without bpftool, clang or the kernel's BTF (/sys/kernel/btf/vmlinux).

EBPF ?= 1
BUILD ?= build$(if $(filter 1,$(SANITIZE)),-san)$(if $(filter 0,$(EBPF)),-noebpf)
ifeq ($(SANITIZE),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
SANFLAGS :=
endif

# make's built-in default is cc; a CC from the command line or the environment wins
ifeq ($(origin CC),default)
CC := gcc
endif
OPT ?= -O2
PKGS := libelf libdw nettle libzstd $(if $(filter 1,$(EBPF)),libbpf)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS ?= $(OPT) -g
# -fPIC: the same objects also make libstrata-ref.so (src/ref, NEMU's difftest API); with
# -fno-semantic-interposition the executable's code is what -fPIE gave.
STRATA_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -MMD -MP \
	-fPIC -fno-semantic-interposition \
	-DSTRATA_EBPF=$(EBPF) $(SANFLAGS) $(PKG_CFLAGS) $(OBJ_CFLAGS)
STRATA_LDFLAGS = $(SANFLAGS)
# LLVM's C disassembler and libiberty's demangler (src/symbols/). Only LLVM's include directory:
# its --cflags add -D_GNU_SOURCE, which clashes with sources that #define it themselves.
LLVM_CONFIG ?= llvm-config-14
LLVM_INCDIR = $(shell $(LLVM_CONFIG) --includedir 2>/dev/null)
LLVM_LIBS = $(addprefix -L,$(shell $(LLVM_CONFIG) --libdir 2>/dev/null)) $(shell $(LLVM_CONFIG) --libs 2>/dev/null)
# -lz: crc32 for the trace file's chunk checksums (src/trace/tfile.c); strata console: ncurses
# (wide characters), and a thread that reads the trace (src/console/)
STRATA_LIBS = $(PKG_LIBS) $(LLVM_LIBS) -liberty -lfdt -lm -lz -lncursesw -ltinfo -lpthread

ALL_SRCS := $(shell find src -name '*.c' ! -name '*.bpf.c' | sort)
TEST_SRCS := $(filter %_test.c,$(ALL_SRCS))
MAIN_SRCS := src/cli/main.c
# what needs libbpf and the BPF skeleton: left out by EBPF=0
EBPF_SRCS := src/ebpf/session.c src/ebpf/attach.c src/cli/cmd_record.c
LIB_SRCS := $(filter-out $(TEST_SRCS) $(MAIN_SRCS) $(if $(filter 0,$(EBPF)),$(EBPF_SRCS)),$(ALL_SRCS))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
TEST_BINS := $(TEST_SRCS:src/%_test.c=$(BUILD)/unit/%_test)

.PHONY: all deps test check demo bench guests clean format unit linux-image fuzz ref
all: $(BUILD)/strata

# strata as NEMU's difftest reference (docs/NEMU.md): the library's objects, only
# difftest_* and strata_ref_* exported, bound to themselves (the DUT's names never interpose).
$(BUILD)/libstrata-ref.so: $(BUILD)/libstrata.a src/ref/ref.map
	$(CC) $(LDFLAGS) $(STRATA_LDFLAGS) -shared -Wl,-Bsymbolic -Wl,--version-script=src/ref/ref.map \
		-o $@ -Wl,--whole-archive $(BUILD)/libstrata.a -Wl,--no-whole-archive $(LDLIBS) $(STRATA_LIBS)
ref: $(BUILD)/libstrata-ref.so

# Objects are rebuilt when the compile flags change, which leaves no source newer than its object
# (a tree built before -fPIC would not link libstrata-ref.so): the stamp is rewritten only then.
FLAGS_STAMP := $(BUILD)/.cflags
FLAGS_NOW := $(CC) $(CFLAGS) $(STRATA_CFLAGS)
ifneq ($(shell cat $(FLAGS_STAMP) 2>/dev/null),$(strip $(FLAGS_NOW)))
$(shell mkdir -p $(BUILD) && echo '$(strip $(FLAGS_NOW))' >$(FLAGS_STAMP))
endif

$(BUILD)/obj/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(STRATA_CFLAGS) -c -o $@ $<

# The interpreter is one large computed-goto function; -O3 measured 10-15% faster there
# (bench/run), and nowhere else matters as much.
$(BUILD)/obj/cpu/exec.o: OBJ_CFLAGS += -O3
$(BUILD)/obj/symbols/disasm.o: OBJ_CFLAGS += -I$(LLVM_INCDIR)
# The viewer page is embedded with .incbin (src/viewer/assets.c).
$(BUILD)/obj/viewer/assets.o: src/viewer/app.html src/viewer/app.css src/viewer/app.js

# eBPF programs (src/ebpf/*.bpf.c): clang -target bpf against the running kernel's BTF, then a
# libbpf skeleton (bpftool gen skeleton) that the loader includes.
BPFTOOL ?= bpftool
BPF_CLANG ?= clang
$(BUILD)/bpf/vmlinux.h:
	@missing=; \
	command -v $(BPFTOOL) >/dev/null || missing="$$missing $(BPFTOOL) (package bpftool)"; \
	command -v $(BPF_CLANG) >/dev/null || missing="$$missing $(BPF_CLANG) (package clang)"; \
	[ -r /sys/kernel/btf/vmlinux ] || missing="$$missing /sys/kernel/btf/vmlinux (a kernel with BTF)"; \
	if [ -n "$$missing" ]; then \
		echo "strata: the eBPF back-end (strata record) needs:$$missing;" \
			"install them (scripts/install-deps) or build without it: make EBPF=0" >&2; \
		exit 1; \
	fi
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c >$@.tmp && mv $@.tmp $@
$(BUILD)/bpf/%.bpf.o: src/ebpf/%.bpf.c src/ebpf/probe_event.h $(BUILD)/bpf/vmlinux.h
	$(BPF_CLANG) -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -Isrc -c -o $@ $<
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/ebpf/%.o: OBJ_CFLAGS += -I$(BUILD)/bpf
$(BUILD)/obj/ebpf/session.o: $(BUILD)/bpf/record.skel.h

$(BUILD)/libstrata.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/strata: $(BUILD)/obj/cli/main.o $(BUILD)/libstrata.a
	$(CC) $(LDFLAGS) $(STRATA_LDFLAGS) -o $@ $^ $(LDLIBS) $(STRATA_LIBS)
ifeq ($(EBPF),0)
	@echo "strata: built without the eBPF back-end (EBPF=0): strata record is not available"
endif

$(BUILD)/unit/%_test: $(BUILD)/obj/%_test.o $(BUILD)/libstrata.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(STRATA_LDFLAGS) -o $@ $^ $(LDLIBS) $(STRATA_LIBS)

unit: $(TEST_BINS)

# libFuzzer target for the GDB stub's packet path (tests/fuzz, run by tests/e2e/fuzz.sh): clang's
# fuzzer runtime with ASan and UBSan, whatever SANITIZE says.
FUZZ_CC ?= clang
FUZZ_SRCS := tests/fuzz/rsp_stub_fuzz.c src/gdb/rsp.c src/gdb/stub.c src/gdb/xml.c
$(BUILD)/fuzz/rsp_stub_fuzz: $(FUZZ_SRCS) $(wildcard src/gdb/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o $@ $(FUZZ_SRCS)
fuzz: $(BUILD)/fuzz/rsp_stub_fuzz

deps:
	@scripts/install-deps

# Guest programs (bare-metal RISC-V) used by tests and benchmarks.
guests:
	@$(MAKE) --no-print-directory -C tests/guests
	@$(MAKE) --no-print-directory -C bench/guest

# The README's test command: install, build, run every test. Last line: "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory check

# The Linux images, Xvisor and the AM programs are built (or found in their caches) before the
# tests start, so that their build time never counts against the per-test timeout of the first
# test that uses them (on a fresh machine they are most of CI's time: docs/TESTING.md).
check: all unit guests fuzz ref
	@scripts/linux/build.sh -q >/dev/null || echo "check: the Linux image did not build (scripts/linux/build.sh); its tests will fail"
	@scripts/linux/build.sh -q --variant kvm >/dev/null || echo "check: the KVM Linux image did not build (scripts/linux/build.sh --variant kvm); e2e/kvm will fail"
	@scripts/xvisor/build.sh -q >/dev/null || echo "check: Xvisor did not build (scripts/xvisor/build.sh); its tests will fail"
	@for a in riscv64-nemu riscv32-nemu riscv32e-nemu spike; do \
		scripts/am/build $$a >/dev/null 2>&1 || echo "check: AM programs for $$a did not build (scripts/am/build $$a); e2e/am will fail"; \
	done
	@[ "$(SANITIZE)" = 1 ] || scripts/linux-x86/build.sh -q >/dev/null || echo "check: the x86-64 Linux image did not build (scripts/linux-x86/build.sh); e2e/attach_x86 will fail"
	@BUILD=$(BUILD) tests/run

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo $(BUILD)/strata

bench: all guests
	@bench/run $(BUILD)/strata

# Linux guest (kernel, init, initramfs, ext2 disk) for tests/e2e/linux.sh; prints its cache directory.
linux-image:
	@scripts/linux/build.sh -q

format:
	clang-format -i $$(find src tests bench -name '*.[ch]')

clean:
	rm -rf build build-san build-noebpf build-san-noebpf
	@$(MAKE) --no-print-directory -C tests/guests clean 2>/dev/null || true
	@$(MAKE) --no-print-directory -C bench/guest clean 2>/dev/null || true

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
