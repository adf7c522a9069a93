# gpuscatter: make builds build/libgpuscatter.so and build/gpuscatter.
VERSION     := $(shell sed -n 's/^\#define GPUSCATTER_VERSION "\(.*\)"/\1/p' include/gpuscatter.h)
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
LIBEXECDIR  ?= $(PREFIX)/libexec/gpuscatter
INCLUDEDIR  ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

B        := build
CFLAGS   ?= -O2 -g
BASE     := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude
# -fno-builtin: gcc must not turn malloc+memset into a call to calloc (our
# own calloc) or otherwise reason about the functions we are defining.
LIB_CFLAGS := $(BASE) -fPIC -fvisibility=hidden -ftls-model=initial-exec -fno-builtin -fexceptions
# Types and constants only: libdrm_amdgpu itself is dlopen'ed by its backend.
DRM_CFLAGS = $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The folders form a one-way stack: each includes only folders before it
# (tests/integration/layout.sh checks it).
LAYERS := config arena classify runtime bind preload
CONFIG_SRCS   := config/options.c config/parse.c config/log.c config/fault.c config/io.c config/os.c \
	config/privfile.c config/counters.c config/limits.c
ARENA_SRCS    := arena/window.c arena/chunks.c arena/pages.c arena/decay.c arena/hooks.c arena/gpu_arena.c
CLASSIFY_SRCS := classify/modules.c classify/unwind.c classify/rules.c classify/profile.c \
	classify/sites.c classify/records.c classify/classify.c
RUNTIME_SRCS  := runtime/flavor.c runtime/regtable.c runtime/lookup.c runtime/simrt.c
BIND_SRCS     := bind/populate.c bind/calls.c bind/timeline.c bind/ahead.c bind/idle.c bind/thread.c \
	bind/engine.c bind/backends.c bind/rtbind.c bind/cuda.c bind/hip.c \
	bind/amdgpu.c bind/sim.c
PRELOAD_SRCS  := preload/real.c preload/route.c preload/malloc.c preload/new.c \
	preload/register.c preload/hostalloc.c preload/cuda.c preload/hip.c preload/driver.c \
	preload/stats.c preload/api.c \
	preload/fork.c preload/init.c
LIB_SRCS := $(CONFIG_SRCS) $(ARENA_SRCS) $(CLASSIFY_SRCS) $(RUNTIME_SRCS) $(BIND_SRCS) $(PRELOAD_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)

# `make` needs only the build dependencies and never installs anything: it
# says what is missing. `make deps` installs those; the tests, the demo and
# the benchmarks install theirs first (scripts/install-deps.sh).
DEPS_STAMP := $(B)/.deps-build
TEST_DEPS  := $(B)/.deps-test

.PHONY: all deps test-deps check demo bench bench-malloc stress soak fuzz install uninstall clean
all: $(B)/libgpuscatter.so $(B)/gpuscatter $(B)/gpuscatter-env $(B)/gpuscatter-report

deps:
	scripts/install-deps.sh build
$(DEPS_STAMP): scripts/install-deps.sh
	scripts/install-deps.sh check
	@mkdir -p $(B) && touch $@
test-deps: $(TEST_DEPS)
$(TEST_DEPS): scripts/install-deps.sh
	scripts/install-deps.sh test
	@mkdir -p $(B) && touch $@

$(B)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) $(DRM_CFLAGS) -MMD -MP -c $< -o $@

# $ORIGIN first: a libjemalloc.so.2 copied beside the library is used.
$(B)/libgpuscatter.so: $(LIB_OBJS)
	$(CC) -shared -o $@ $^ -Wl,-z,defs -Wl,-rpath,'$$ORIGIN' -ljemalloc -lgcc_s -ldl -lpthread

$(B)/gpuscatter-env: tools/gpuscatter-env.c $(CONFIG_SRCS) | $(DEPS_STAMP)
	$(CC) $(CFLAGS) $(BASE) -o $@ $^

$(B)/gpuscatter-report: scripts/gpuscatter-report
	@mkdir -p $(B)
	install -m 755 $< $@

$(B)/gpuscatter: scripts/gpuscatter
	@mkdir -p $(B)
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@RELLIB@|.|' -e 's|@RELLIBEXEC@|.|' $< > $@
	chmod 755 $@

# --- tests ------------------------------------------------------------------
CHECK_LIBS = $(shell pkg-config --libs check)
FUZZ_BINS := $(B)/fuzz/env $(B)/fuzz/profile $(B)/fuzz/regtable
TEST_BINS := $(B)/tests/check_config $(B)/tests/check_malloc $(B)/tests/check_arena \
	$(B)/tests/model_units \
	$(B)/tests/check_classify \
	$(B)/tests/stress $(B)/tests/forkthreads $(B)/tests/arena_check $(B)/tests/engine_check \
	$(B)/tests/conformance $(B)/tests/amdgpu_check $(B)/tests/drm_rules $(B)/tests/fakedrm.so \
	$(B)/tests/sites_check $(B)/tests/libsiterule.so $(B)/tests/races $(B)/tests/libctorwait.so \
	$(B)/tests/noharm $(B)/tests/malloc_loop $(B)/tests/resident \
	$(FUZZ_BINS)

# The config module has no allocator in it: test it under ASan and UBSan.
$(B)/tests/check_config: tests/unit/check_config.c $(CONFIG_SRCS) | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) $(SAN) -o $@ $^ $(CHECK_LIBS)

# Rules and profiles alone: plain C parsing, under ASan and UBSan.
$(B)/tests/check_classify: tests/unit/check_classify.c classify/rules.c classify/profile.c \
		classify/modules.c $(CONFIG_SRCS) | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) $(SAN) -o $@ $^ $(CHECK_LIBS) -lpthread

# The unit state machine's model check, over the real arena code.
$(B)/tests/model_units: tests/model/units.c $(ARENA_SRCS) $(CONFIG_SRCS) | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) $(SAN) -o $@ $^ -ljemalloc -lpthread

# The arena module linked in directly, jemalloc as a plain library.
$(B)/tests/check_arena: tests/unit/check_arena.c $(ARENA_SRCS) $(CONFIG_SRCS) | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) $(SAN) -o $@ $^ $(CHECK_LIBS) -ljemalloc -lpthread

# Runs with the library preloaded (a preloaded allocator rules out ASan).
$(B)/tests/check_malloc: tests/unit/check_malloc.c $(B)/libgpuscatter.so
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) -fno-builtin -Iinclude -o $@ $< $(CHECK_LIBS) \
		-L$(B) -lgpuscatter -Wl,-rpath,'$$ORIGIN/..' -ldl -lpthread

$(B)/tests/%: tests/programs/%.c | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) -fno-builtin -Iinclude -o $@ $^ -ldl -lpthread

# Dependencies first, also under -j: the build finds what they installed.
check: $(TEST_DEPS)
	$(MAKE) all $(TEST_BINS) $(B)/scatter
	tests/run.sh

# libFuzzer targets (clang): the parsers of everything gpuscatter reads, and
# the registration table against a model.
FUZZ_FLAGS = -g -O1 $(BASE) -fsanitize=fuzzer,address,undefined
$(B)/fuzz/env: tests/fuzz/fuzz_env.c $(CONFIG_SRCS) | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $^
$(B)/fuzz/profile: tests/fuzz/fuzz_profile.c classify/profile.c classify/rules.c \
		classify/modules.c $(CONFIG_SRCS) | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $^ -lpthread
$(B)/fuzz/regtable: tests/fuzz/fuzz_regtable.c runtime/regtable.c | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $^ -ljemalloc -lpthread

fuzz: $(FUZZ_BINS)
	scripts/fuzz.sh

stress: all $(TEST_BINS)
	scripts/stress.sh

soak: all $(TEST_BINS)
	SOAK=1 STRESS_SECONDS=60 scripts/stress.sh

demo: $(TEST_DEPS)
	$(MAKE) all $(B)/scatter
	scripts/demo.sh

bench: $(TEST_DEPS)
	$(MAKE) all $(B)/scatter $(B)/tests/malloc_loop
	scripts/bench.sh
bench-malloc: all $(B)/tests/malloc_loop
	scripts/bench-malloc.sh

$(B)/tests/malloc_loop: bench/malloc_loop.c | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g $(BASE) -fno-builtin -o $@ $^ -lpthread

# --- install ----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(B)/libgpuscatter.so $(DESTDIR)$(LIBDIR)/libgpuscatter.so
	install -m 755 $(B)/gpuscatter-env $(DESTDIR)$(LIBEXECDIR)/gpuscatter-env
	install -m 755 $(B)/gpuscatter-report $(DESTDIR)$(LIBEXECDIR)/gpuscatter-report
	install -m 644 include/gpuscatter.h $(DESTDIR)$(INCLUDEDIR)/gpuscatter.h
	sed -e 's|@VERSION@|$(VERSION)|' \
	    -e "s|@RELLIB@|$$(realpath -m --relative-to=$(BINDIR) $(LIBDIR))|" \
	    -e "s|@RELLIBEXEC@|$$(realpath -m --relative-to=$(BINDIR) $(LIBEXECDIR))|" \
	    scripts/gpuscatter > $(DESTDIR)$(BINDIR)/gpuscatter
	chmod 755 $(DESTDIR)$(BINDIR)/gpuscatter
	@# No Libs: linking with -lgpuscatter would make it the program's
	@# allocator. Programs reach the API through dlsym (gpuscatter.h).
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' \
	  'preload=$${libdir}/libgpuscatter.so' '' \
	  'Name: gpuscatter' 'Description: GPU host-memory registration made nearly free (LD_PRELOAD)' \
	  'Version: $(VERSION)' 'Cflags: -I$${includedir}' \
	  > $(DESTDIR)$(PKGCONFIGDIR)/gpuscatter.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gpuscatter $(DESTDIR)$(LIBDIR)/libgpuscatter.so \
	  $(DESTDIR)$(LIBEXECDIR)/gpuscatter-env $(DESTDIR)$(LIBEXECDIR)/gpuscatter-report \
	  $(DESTDIR)$(INCLUDEDIR)/gpuscatter.h $(DESTDIR)$(PKGCONFIGDIR)/gpuscatter.pc
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

clean:
	rm -rf $(B)

-include $(LIB_OBJS:.o=.d)

# The fake amdgpu render node (test-only LD_PRELOAD), and a program that
# drives it through the real libdrm_amdgpu.
$(B)/tests/fakedrm.so: tests/fakedrm/node.c tests/fakedrm/kernel.c tests/fakedrm/fakedrm.h | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) $(DRM_CFLAGS) -fPIC -shared -o $@ $(filter %.c,$^) -ldl -lpthread
$(B)/tests/drm_rules: tests/programs/drm_rules.c | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) $(DRM_CFLAGS) -o $@ $^ -ldrm_amdgpu -ldrm

# A shared library that call-site rules name (C++: a qualified name).
$(B)/tests/libsiterule.so: tests/programs/siterule.cc | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CXX) $(CFLAGS) -Wall -Wextra -Werror -fPIC -shared -o $@ $^

# A constructor that waits for a thread allocating (races loader).
$(B)/tests/libctorwait.so: tests/programs/ctorwait.c | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) -fno-builtin -fPIC -shared -o $@ $^ -lpthread

# Built without the library: what provides the runtime calls is decided at
# run time (the real runtime, or gpuscatter preloaded).
$(B)/tests/conformance: tests/conformance/conformance.c | $(TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) -o $@ $^ -ldl

$(B)/scatter: bench/scatter.c | $(TEST_DEPS)
	$(CC) $(CFLAGS) $(BASE) -o $@ $^ -ldl -lm
$(B)/reg_layout: bench/reg_layout.c | $(TEST_DEPS)
	$(CC) $(CFLAGS) $(BASE) -o $@ $^ -ldl
