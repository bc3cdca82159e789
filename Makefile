# polidex — build, test, run, install.
#
#   make            build everything into build/
#   make run        build, index corpus/ into a fresh index, run a sample search
#   make test       build and run every test
#   make install    install the programs (PREFIX, DESTDIR)
#   make asan|ubsan build and test a sanitizer variant into build/<variant>/
#   make valgrind   run the unit, replay and end-to-end tests under valgrind
#   make fuzz       build the libFuzzer targets (clang) and run each FUZZ_SECONDS
#   make format     apply .clang-format; make lint checks it
#   make bench      benchmark against omindex, recollindex, quest (BENCH_SMALL=1: a tenth)
#
# The first build installs the Debian packages it needs when they are missing.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
VARIANT ?=
ifeq ($(VARIANT),)
B := build
else
B := build/$(VARIANT)
endif

CC ?= cc
CXX ?= g++
DEPS_PKGS := g++ pkg-config libxapian-dev libstemmer-dev libpcre2-dev libicu-dev libcmocka-dev xapian-tools

# Recursive (=) so that pkg-config runs only after the packages are installed.
PKGS = icu-uc icu-i18n libpcre2-8 xapian-core
LIB_CFLAGS = $(shell pkg-config --cflags icu-uc icu-i18n libpcre2-8)
LIB_LIBS = $(shell pkg-config --libs $(PKGS)) -lstemmer
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
XAPIAN_CFLAGS = $(shell pkg-config --cflags xapian-core)

WARN_C := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla -Werror
WARN_CXX := -std=c++17 -Wall -Wextra -Wpedantic -Werror
OPT ?= -O2 -g
SAN_asan := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_ubsan := -fsanitize=undefined -fno-sanitize-recover=all
SAN_libfuzzer := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
SAN := $(SAN_$(VARIANT))

CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -Iindexer -Ishim -Isearch -I$(B)/gen -MMD -MP
CFLAGS_ALL = $(WARN_C) $(OPT) $(SAN) $(LIB_CFLAGS) $(CFLAGS)
CXXFLAGS_ALL = $(WARN_CXX) $(OPT) $(SAN) $(XAPIAN_CFLAGS) $(CXXFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

# Every indexer/polidex-*.c and search/polidex-*.c is a program's main file.
PROGRAMS := $(basename $(notdir $(wildcard indexer/polidex-*.c search/polidex-*.c)))

INDEXER_SRC := $(filter-out indexer/polidex-%.c,$(wildcard indexer/*.c))
SEARCH_SRC := $(filter-out search/polidex-%.c,$(wildcard search/*.c))
SHIM_SRC := $(wildcard shim/*.cc)
DATA_FILES := $(sort $(wildcard indexer/data/*.txt))
TEST_SRC := $(wildcard tests/test_*.c)

INDEXER_OBJ := $(INDEXER_SRC:%.c=$(B)/obj/%.o) $(B)/obj/gen/pdx_data.o
SEARCH_OBJ := $(SEARCH_SRC:%.c=$(B)/obj/%.o)
SHIM_OBJ := $(SHIM_SRC:%.cc=$(B)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
PROG_BIN := $(PROGRAMS:%=$(B)/%)

LIBPDX := $(B)/libpdx.a
LIBSEARCH := $(B)/libpdxsearch.a
LIBXS := $(B)/libxs.a
ALL_LIBS = $(LIBSEARCH) $(LIBPDX) $(LIBXS)
LINK_LIBS = $(LIB_LIBS) -lstdc++ -lm
# The programs take Snowball and PCRE2 from their static libraries (in the same -dev
# packages): a search is a short process, and loading the shared ones meant thousands of
# relocations (libstemmer's tables for all its languages), a page fault for each page they
# write. They are not position-independent either, so that those tables need no
# relocating at all (PIE: 100 page faults more per run). ICU they do not link at all:
# indexer/icu.c loads its shared libraries when first needed (see indexer/pdx_icu.h),
# which a search for plain words never is; linked in, even statically, ICU cost every run
# eight pages of relocations before main. Xapian ships no static library. The sanitizer
# variants link the shared libraries, ICU still left out; the tests and fuzz drivers link
# ICU too (some call it directly). Snowball comes first so that its code and tables are
# placed next to ours.
ifeq ($(SAN),)
PROG_LDFLAGS = -no-pie
PROG_LIBS = -Wl,-Bstatic -lstemmer $(shell pkg-config --libs libpcre2-8) \
            -Wl,-Bdynamic $(shell pkg-config --libs xapian-core) -lstdc++ -lm
else
PROG_LIBS = $(shell pkg-config --libs libpcre2-8 xapian-core) -lstemmer -lstdc++ -lm
endif

DEPS_STAMP := build/.deps-installed
# Tools only the hardening targets need; never installed by `make test`.
FUZZ_DEPS_STAMP := build/.deps-fuzz-installed
VALGRIND_DEPS_STAMP := build/.deps-valgrind-installed
$(DEPS_STAMP): PKGS_WANTED = $(DEPS_PKGS)
$(FUZZ_DEPS_STAMP): PKGS_WANTED = clang libclang-rt-14-dev
$(VALGRIND_DEPS_STAMP): PKGS_WANTED = valgrind

# Fuzz targets (tests/fuzz/fuzz_*.c). In every variant but `libfuzzer` each builds as a
# replay driver (-DPDX_FUZZ_REPLAY) that `make test` runs over tests/fuzz/seeds/<name>/
# and tests/fuzz/crashers/<name>/ (see tests/run-tests.sh); in the `libfuzzer` variant
# (make fuzz) as a libFuzzer binary.
FUZZ_NAMES := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN := $(FUZZ_NAMES:%=$(B)/fuzz/%)

.SECONDARY:
.PHONY: FORCE all deps run test test-unit test-e2e install uninstall clean format lint asan ubsan \
        valgrind fuzz fuzz-run bench

all: $(PROG_BIN)

# ---- Debian packages ---------------------------------------------------------------
deps: $(DEPS_STAMP)
$(DEPS_STAMP) $(FUZZ_DEPS_STAMP) $(VALGRIND_DEPS_STAMP):
	@missing=""; \
	for p in $(PKGS_WANTED); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "polidex: installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	  else echo "polidex: missing packages:$$missing; run as root or install sudo, then: apt-get install$$missing" >&2; exit 1; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing \
	    || { echo "polidex: could not install:$$missing" >&2; exit 1; }; \
	fi
	@mkdir -p $(dir $@) && touch $@

# ---- compiling ---------------------------------------------------------------------
$(B)/obj/%.o: %.c | $(DEPS_STAMP) $(B)/gen/pdx_data.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(B)/obj/gen/pdx_data.o: $(B)/gen/pdx_data.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(B)/obj/%.o: %.cc | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS_ALL) $(CXXFLAGS_ALL) -c $< -o $@

# Each data file becomes a byte array (a string literal that long would break C's
# 4095-byte portability limit under -Wpedantic); od is in every coreutils.
$(B)/gen/pdx_data.c: $(DATA_FILES) Makefile
	@mkdir -p $(dir $@)
	@{ echo '/* generated from indexer/data/ by the Makefile; do not edit */'; \
	  echo '#include "pdx_data.h"'; echo '#include <string.h>'; \
	  for f in $(DATA_FILES); do \
	    n=$$(basename $$f .txt | tr -c 'a-zA-Z0-9_\n' '_'); \
	    echo "static const unsigned char data_$$n[] = {"; \
	    od -An -v -tu1 $$f | sed 's/  */ /g; s/^ //; s/ $$//; s/ /, /g; s/$$/,/'; \
	    echo '    0};'; \
	  done; \
	  echo 'const char *pdx_data_get(const char *name, size_t *len)'; echo '{'; \
	  for f in $(DATA_FILES); do \
	    b=$$(basename $$f .txt); n=$$(echo $$b | tr -c 'a-zA-Z0-9_\n' '_'); \
	    echo "    if (strcmp(name, \"$$b\") == 0) { if (len) *len = sizeof data_$$n - 1; return (const char *)data_$$n; }"; \
	  done; \
	  echo '    if (len) *len = 0;'; echo '    return NULL;'; echo '}'; } > $@.tmp && mv $@.tmp $@

# Each archive also depends on a file listing its members, rewritten only when the list
# changes: a source file removed or moved to another module then rebuilds the archive
# without it, where a stale member would go on shadowing the function's new home.
$(B)/members-%: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' $(MEMBERS_$*) | cmp -s - $@ || printf '%s\n' $(MEMBERS_$*) > $@
MEMBERS_pdx = $(INDEXER_OBJ)
MEMBERS_search = $(SEARCH_OBJ)
MEMBERS_xs = $(SHIM_OBJ)
FORCE:

$(LIBPDX): $(INDEXER_OBJ) $(B)/members-pdx
	@rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(LIBSEARCH): $(SEARCH_OBJ) $(B)/members-search
	@rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(LIBXS): $(SHIM_OBJ) $(B)/members-xs
	@rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(B)/polidex-index: $(B)/obj/indexer/polidex-index.o $(ALL_LIBS)
	$(CC) $(LDFLAGS_ALL) $(PROG_LDFLAGS) $< $(ALL_LIBS) $(PROG_LIBS) -o $@
$(B)/polidex-extract: $(B)/obj/indexer/polidex-extract.o $(ALL_LIBS)
	$(CC) $(LDFLAGS_ALL) $(PROG_LDFLAGS) $< $(ALL_LIBS) $(PROG_LIBS) -o $@
$(B)/polidex-search: $(B)/obj/search/polidex-search.o $(ALL_LIBS)
	$(CC) $(LDFLAGS_ALL) $(PROG_LDFLAGS) $< $(ALL_LIBS) $(PROG_LIBS) -o $@

$(B)/tests/%: $(B)/obj/tests/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) $< $(ALL_LIBS) $(LINK_LIBS) $(CMOCKA_LIBS) -o $@

# The library tests/e2e_faults.sh preloads to make system calls fail (tests/faults.c).
# Built without a sanitizer in every variant: a preloaded library comes before the
# program's own, so a sanitizer runtime it needed would not be loaded first.
FAULTS_LIB := $(B)/tests/libfaults.so
$(FAULTS_LIB): tests/faults.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Wpedantic -Werror -fPIC -shared $< -o $@ -ldl

ifeq ($(VARIANT),libfuzzer)
# libFuzzer supplies main(); clang++ links the shim's C++ sanitizer runtime.
FUZZ_LINK = $(CXX) -fsanitize=fuzzer
else
$(B)/obj/tests/fuzz/%.o: CPPFLAGS_ALL += -DPDX_FUZZ_REPLAY
FUZZ_LINK = $(CC)
endif
$(B)/fuzz/%: $(B)/obj/tests/fuzz/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(FUZZ_LINK) $(LDFLAGS_ALL) $< $(ALL_LIBS) $(LINK_LIBS) -o $@

# ---- using it ----------------------------------------------------------------------
RUN_INDEX := $(B)/run.db
run: $(PROG_BIN)
	@rm -rf $(RUN_INDEX)
	$(B)/polidex-index -i $(RUN_INDEX) corpus
	$(B)/polidex-search -i $(RUN_INDEX) -n 3 "soins de santé primaires"
	$(B)/polidex-search -i $(RUN_INDEX) -n 3 "l'OMS"

test: $(PROG_BIN) $(TEST_BIN) $(FUZZ_BIN) $(FAULTS_LIB)
	@B=$(B) FAULTS_LIB=$(CURDIR)/$(FAULTS_LIB) sh tests/run-tests.sh $(TEST_BIN) $(FUZZ_BIN)

install: $(PROG_BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(PROG_BIN) $(DESTDIR)$(BINDIR)/

uninstall:
	rm -f $(PROGRAMS:%=$(DESTDIR)$(BINDIR)/%)

# ---- benchmark ---------------------------------------------------------------------
# polidex against omindex, recollindex, quest and the raw-Xapian ceiling on
# ../shared/corpus/frhealth.tar.xz; installs the peers when missing, writes BENCHMARKS.md
# (BENCH_SMALL=1: a tenth of the corpus, report in build/bench/; BENCH_RUNS, default 3).
bench: $(PROG_BIN) $(ALL_LIBS)
	@BENCH_SMALL="$(BENCH_SMALL)" bash tests/bench/bench.sh

# ---- hardening ---------------------------------------------------------------------
# A sanitizer report fails the process with an exit code no program uses (86 ASan/LSan,
# 87 UBSan), and ASan's reports also go to files (log_path; gcc's UBSan ignores it and
# writes to stderr), so that a report is never lost in a test that only looks at stdout:
# any report file fails the target. LeakSanitizer is on in asan.
# new_delete_type_mismatch=0: Debian's libxapian 1.4 (not instrumented) deletes an
# object through a base of another size inside Xapian::Database::check(); nothing of ours.
SANLOG = $(CURDIR)/build/$@/sanitizer-logs
asan ubsan:
	@rm -rf $(SANLOG) && mkdir -p $(SANLOG)
	@ASAN_OPTIONS=detect_leaks=1:new_delete_type_mismatch=0:exitcode=86:log_path=$(SANLOG)/asan \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87:log_path=$(SANLOG)/ubsan \
	  $(MAKE) VARIANT=$@ OPT="-O1 -g" test; rc=$$?; \
	  if [ -n "$$(ls -A $(SANLOG))" ]; then cat $(SANLOG)/*; \
	    echo "$@: sanitizer reports in $(SANLOG)" >&2; rc=1; fi; exit $$rc

# valgrind: build/valgrind/ holds one wrapper script per program, unit test and replay
# driver, each exec'ing valgrind on the plain build; the whole suite then runs with
# B=build/valgrind, so the e2e scripts need no change. Any error or definite leak makes
# a non-empty log file (-q), which fails the target.
VG_DIR := build/valgrind
VALGRIND = valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
           --show-leak-kinds=definite --error-exitcode=88 --log-file=$(CURDIR)/$(VG_DIR)/logs/%p.log
valgrind: $(PROG_BIN) $(TEST_BIN) $(FUZZ_BIN) $(FAULTS_LIB) | $(VALGRIND_DEPS_STAMP)
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)/tests $(VG_DIR)/fuzz $(VG_DIR)/logs
	@for f in $(filter-out $(FAULTS_LIB),$^); do \
	  w=$(VG_DIR)/$${f#$(B)/}; \
	  printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(VALGRIND)' "$(CURDIR)/$$f" > $$w; \
	  chmod +x $$w; \
	done
	@B=$(VG_DIR) FAULTS_LIB=$(CURDIR)/$(FAULTS_LIB) sh tests/run-tests.sh $(TEST_BIN:$(B)/%=$(VG_DIR)/%) \
	  $(FUZZ_BIN:$(B)/%=$(VG_DIR)/%); rc=$$?; \
	  for l in $(VG_DIR)/logs/*.log; do [ -s "$$l" ] && { cat "$$l"; rc=1; }; done; \
	  [ $$rc -eq 0 ] || echo "valgrind: errors or definite leaks (logs in $(VG_DIR)/logs)" >&2; \
	  exit $$rc

# make fuzz: each target runs FUZZ_SECONDS (one process at a time, the machine is shared;
# FUZZ_TARGETS="fuzz_query fuzz_dates" picks some)
# from its seeds and past crashers; new inputs go to build/libfuzzer/corpus/<name>/,
# crashes to build/libfuzzer/crashes/<name>/ — copy a crash into
# tests/fuzz/crashers/<name>/ once fixed, so that `make test` replays it for ever.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_FLAGS ?= -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
# clang's -Wformat=2 adds -Wformat-nonliteral (printf-like helpers without a format
# attribute), which gcc's does not: reported, not fatal, in this clang-only build.
fuzz: | $(FUZZ_DEPS_STAMP)
	$(MAKE) VARIANT=libfuzzer CC=clang CXX=clang++ OPT="-O1 -g" \
	  CFLAGS="-Wno-error=format-nonliteral $(CFLAGS)" fuzz-run
fuzz-run: $(FUZZ_BIN)
	@for f in $(FUZZ_TARGETS); do \
	  n=$${f#fuzz_}; mkdir -p $(B)/corpus/$$n $(B)/crashes/$$n; \
	  echo "== $$f: $(FUZZ_SECONDS) s"; \
	  $(B)/fuzz/$$f $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(B)/crashes/$$n/ $(B)/corpus/$$n tests/fuzz/seeds/$$n \
	    $$(ls -d tests/fuzz/crashers/$$n 2>/dev/null) || exit 1; \
	done

clean:
	rm -rf build/obj build/gen build/tests build/fuzz build/libfuzzer build/asan build/ubsan \
	  build/valgrind build/*.a build/members-* $(PROG_BIN) $(RUN_INDEX)

FORMAT_SRC = $(wildcard indexer/*.[ch] search/*.[ch] shim/*.h shim/*.cc tests/*.[ch] \
                        tests/fuzz/*.[ch])
format:
	clang-format -i $(FORMAT_SRC)
lint:
	clang-format --dry-run -Werror $(FORMAT_SRC)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
