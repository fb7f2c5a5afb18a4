# sinter: the only build entry.
#   make deps    install the Debian packages the build and the tests need (as root)
#   make         build build/bin/sinter (with build/libexec/sinter-llvm) and build/lib/libsinter.a
#   make run     build and run the main example
#   make test    run every test; the last line is "N passed, N failed[, N skipped]"
#   make bench   run the benchmarks against the reference tools
#   make fuzz    run the libFuzzer targets for a bounded time (FUZZ_SECONDS each)
#   SAN=1        build with AddressSanitizer and UndefinedBehaviorSanitizer (into build/san)

SAN ?= 0
ifeq ($(SAN),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD := build
SANFLAGS :=
endif

CC := gcc
CLANG := clang
LLVM_CONFIG := llvm-config-19
# Expanded when a recipe runs, not when the Makefile is read: on a new machine `make deps`
# installs LLVM during this very run, after the Makefile was parsed.
LLVM_CFLAGS = $(shell $(LLVM_CONFIG) --cflags)
LLVM_LIBS = $(shell $(LLVM_CONFIG) --ldflags) -lLLVM-19

# Packages the build and `make test` need; bench adds the Python reference tools.
DEPS_BUILD := gcc make clang libclang-rt-14-dev libomp-14-dev llvm-19-dev llvm-19-tools re2c lemon \
              libopenblas-dev libedit-dev libcjson-dev bsdutils time pkg-config zlib1g-dev libplplot-dev \
              plplot-driver-cairo dataset-fashion-mnist
DEPS_BENCH := python3 python3-numpy python3-scipy python3-pot python3-torch

WARN := -Wall -Wextra -Werror
OPT := -O2 -g
# The runtime's kernels are built for the host CPU: libsinter is linked into programs built here.
RT_OPT := -O3 -g -march=native
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude $(SANFLAGS)
# PLplot (runtime/plot) and zlib (runtime/io/idx.c), through pkg-config; expanded when a recipe
# runs, as `make deps` may install them during this very run.
PKG_CFLAGS = $(shell pkg-config --cflags plplot 2>/dev/null || echo -I/usr/include/plplot)
PKG_LIBS = $(shell pkg-config --libs plplot zlib 2>/dev/null || echo -lplplot -lz)
# The runtime's threads are its own (runtime/core/parallel.c); -fopenmp-simd honours its `omp simd`
# loops without OpenMP's threads or libgomp.
CFLAGS_RT = $(CFLAGS_COMMON) $(RT_OPT) -Iruntime -fopenmp-simd -fPIC $(PKG_CFLAGS)
CFLAGS_CC = $(CFLAGS_COMMON) $(OPT) -Icompiler -I$(BUILD)/gen $(LLVM_CFLAGS)

# What `sinter build` links a program with (baked into the compiler, so it matches this build).
RT_LINK = -lopenblas -lcjson $(PKG_LIBS) -lm -lpthread
PROG_LINK = $(SANFLAGS) $(RT_LINK)

# The runtime's layers are its folders (docs/design.md): a new file in one needs no edit here.
RT_SRC := $(wildcard runtime/*/*.c)
RT_HDR := include/sinter.h $(wildcard include/sinter/*.h)
RT_OBJ := $(RT_SRC:runtime/%.c=$(BUILD)/obj/runtime/%.o)
CC_SRC := $(filter-out compiler/front.c,$(wildcard compiler/*.c))
STDLIB_SRC := $(sort $(wildcard stdlib/*.dsl))
CC_OBJ := $(CC_SRC:compiler/%.c=$(BUILD)/obj/compiler/%.o) $(BUILD)/obj/gen/lexer.o $(BUILD)/obj/gen/grammar.o \
          $(BUILD)/obj/gen/prelude.o
FRONT_OBJ := $(filter-out $(BUILD)/obj/compiler/main.o,$(CC_OBJ))
UNIT_SRC := $(wildcard tests/runtime/*.c)
UNIT_BIN := $(UNIT_SRC:tests/runtime/%.c=$(BUILD)/tests/%)
CUNIT_SRC := $(wildcard tests/compiler/*.c)
CUNIT_BIN := $(CUNIT_SRC:tests/compiler/%.c=$(BUILD)/tests/%)

# `sinter` is two programs (docs/design.md, "sinter run keeps what it compiled"): $(SINTER), the
# front (compiler/front.c), links the front end and the runtime but no LLVM, runs the programs
# `sinter run` keeps in its cache, and hands every other command to the full compiler.
SINTER := $(BUILD)/bin/sinter
SINTER_LLVM := $(BUILD)/libexec/sinter-llvm
LLVM_CC_OBJ := $(patsubst %,$(BUILD)/obj/compiler/%.o,main repl jit codegen_llvm driver_llvm)
FRONT_BIN_OBJ := $(BUILD)/obj/compiler/front.o $(filter-out $(LLVM_CC_OBJ),$(CC_OBJ))
LIBSINTER := $(BUILD)/lib/libsinter.a
RUNNER := $(BUILD)/bin/sinter-test
FUZZ_RT_SRC := $(wildcard tests/fuzz/fuzz_rt_*.c)
FUZZ_BIN := $(BUILD)/fuzz/fuzz_front $(FUZZ_RT_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all deps deps-bench run test bench fuzz clean
.DEFAULT_GOAL := all

all: deps $(SINTER) $(SINTER_LLVM) $(LIBSINTER)

deps:
	@tools/deps.sh $(DEPS_BUILD)

deps-bench: deps
	@tools/deps.sh $(DEPS_BENCH)

run: all
	$(SINTER) run examples/main.dsl

test: all $(RUNNER) $(UNIT_BIN) $(CUNIT_BIN) $(FUZZ_BIN)
	@$(RUNNER) --build $(BUILD) $(if $(filter 1,$(SAN)),--timeout-scale 4)

bench: all deps-bench
	@bench/run.sh $(BUILD)

fuzz: all $(FUZZ_BIN)
	@tools/fuzz.sh $(BUILD) $${FUZZ_SECONDS:-60}

clean:
	rm -rf build

# --- generated front end (never committed) -------------------------------------------------
$(BUILD)/gen/lexer.c: compiler/lexer.re | deps
	@mkdir -p $(@D)
	re2c -W --no-generation-date -o $@ $<

# One run of lemon writes both files: a grouped target (&:), so make -j runs it once.
$(BUILD)/gen/grammar.c $(BUILD)/gen/grammar.h &: compiler/grammar.y | deps
	@mkdir -p $(BUILD)/gen
	cp compiler/grammar.y $(BUILD)/gen/grammar.y
	lemon -q -T/usr/share/lemon/lempar.c $(BUILD)/gen/grammar.y

# The stdlib's sources are compiled into the compiler (compiler/prelude.h).
$(BUILD)/gen/prelude.c: tools/embed.sh $(STDLIB_SRC)
	@mkdir -p $(@D)
	tools/embed.sh $@ $(STDLIB_SRC)

$(BUILD)/obj/gen/prelude.o: $(BUILD)/gen/prelude.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_CC) -MMD -MP -c $< -o $@

$(BUILD)/obj/gen/lexer.o: $(BUILD)/gen/lexer.c $(BUILD)/gen/grammar.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_CC) -MMD -MP -c $< -o $@

# Lemon's parser template declares locals some configurations never read.
$(BUILD)/obj/gen/grammar.o: $(BUILD)/gen/grammar.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_CC) -MMD -MP -Wno-unused-parameter -Wno-unused-variable -Wno-unused-but-set-variable -c $< -o $@

# --- compiler ----------------------------------------------------------------------------
$(BUILD)/obj/compiler/%.o: compiler/%.c $(BUILD)/gen/grammar.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_CC) -MMD -MP \
	  -DSN_PROG_LINK='"$(PROG_LINK)"' -DSN_VERSION='"$(shell cat VERSION)"' -c $< -o $@

# main.o bakes PROG_LINK in: a change of the link line must rebuild it.
$(BUILD)/obj/compiler/main.o: Makefile

$(SINTER): $(FRONT_BIN_OBJ) $(LIBSINTER)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) $(FRONT_BIN_OBJ) $(LIBSINTER) -Wl,--as-needed $(RT_LINK) -o $@

# The cache's key names the compiler by its build ID (compiler/cache.c).
$(SINTER_LLVM): $(CC_OBJ) $(LIBSINTER)
	@mkdir -p $(@D)
	$(CC) $(SANFLAGS) -Wl,--build-id $(CC_OBJ) $(LIBSINTER) $(LLVM_LIBS) -ledit $(RT_LINK) -o $@

# --- runtime -----------------------------------------------------------------------------
$(BUILD)/obj/runtime/%.o: runtime/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_RT) -MMD -MP -c $< -o $@

$(LIBSINTER): $(RT_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# --- tests -------------------------------------------------------------------------------
$(RUNNER): tests/runner.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(OPT) $< -o $@ -lutil

$(BUILD)/tests/%: tests/runtime/%.c tests/runtime/check.h tests/runtime/rt_test.h $(LIBSINTER)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_RT) $(TEST_CFLAGS) -Iruntime $< $(LIBSINTER) $(RT_LINK) -o $@

# Compiler unit tests link the compiler without LLVM (what the front links).
CUNIT_OBJ := $(filter-out $(BUILD)/obj/compiler/front.o,$(FRONT_BIN_OBJ))
$(CUNIT_BIN): $(BUILD)/tests/%: tests/compiler/%.c tests/runtime/check.h $(CUNIT_OBJ) $(LIBSINTER)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_CC) $(SANFLAGS) -Itests/runtime $< $(CUNIT_OBJ) $(LIBSINTER) $(RT_LINK) -o $@

# GCC 12.2's SLP vectoriser miscompiles this test's f64 -> f32 -> f64 data loops at -O3
# -march=native (docs/design.md); the runtime it tests is built as usual.
$(BUILD)/tests/test_transport_sinkhorn_kernel: TEST_CFLAGS := -fno-tree-slp-vectorize

# The AVX2 kernels of runtime/math/expsum.c, compiled into their test for a CPU without AVX-512.
$(BUILD)/tests/test_expsum_avx2: TEST_CFLAGS := -march=x86-64-v3
$(BUILD)/tests/test_expsum_avx2: runtime/math/expsum.c

# The fuzz target always builds with clang's libFuzzer and ASan, whatever SAN says. At -O1
# clang cannot honour the runtime's `omp simd` loops and says so (-Wpass-failed): expected here.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Iruntime -Icompiler -I$(BUILD)/gen $(LLVM_CFLAGS) \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Wno-pass-failed
# The front-end target covers lexer, parser, sema and the IR passes (not LLVM or the JIT).
FUZZ_SRC := $(filter-out compiler/main.c compiler/repl.c compiler/jit.c compiler/codegen_llvm.c compiler/driver.c \
              compiler/driver_llvm.c compiler/cli.c compiler/cache.c,$(CC_SRC))
$(BUILD)/fuzz/fuzz_front: tests/fuzz/fuzz_front.c $(FUZZ_SRC) $(BUILD)/gen/lexer.c $(BUILD)/gen/grammar.c $(BUILD)/gen/prelude.c $(RT_SRC) | deps
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fopenmp-simd -Wno-unused-parameter $(PKG_CFLAGS) $^ -o $@ -lopenblas -lcjson $(PKG_LIBS) -lm -lpthread

# Runtime fuzz targets (tests/fuzz/fuzz_rt_*.c) link the runtime's sources built the same way.
$(BUILD)/fuzz/fuzz_rt_%: tests/fuzz/fuzz_rt_%.c $(RT_SRC) $(RT_HDR) | deps
	@mkdir -p $(@D)
	$(CLANG) -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Iruntime $(PKG_CFLAGS) -fopenmp-simd \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Wno-pass-failed \
	  $< $(RT_SRC) -o $@ -lopenblas -lcjson $(PKG_LIBS) -lm -lpthread

-include $(RT_OBJ:.o=.d) $(CC_OBJ:.o=.d) $(BUILD)/obj/compiler/front.d
