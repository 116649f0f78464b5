# fd: Freshdesk to tables.  One plain GNU Makefile, no configure step.
#
#   make            build the three programs
#   make check      install missing Debian packages, build, run every test
#   make demo       install missing packages, build, run the pipeline
#   make sync       one run of the pipeline for a real account (cron)
#   make install    PREFIX, DESTDIR, BINDIR, MANDIR as usual
#   make SAN=1 ...  build with AddressSanitizer and UBSan
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each (tests/fuzz)
#   make check-valgrind  unit tests and some bats suites under valgrind
#
# CFLAGS belongs to the user; the flags fd needs live in FD_CFLAGS.
# Library flags come from pkg-config and can be overridden on the
# command line or in the environment (libjq 1.6 ships no .pc file).

VERSION	= 0.1.0

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man

CC	?= cc
CFLAGS	?= -O2 -g
PKG_CONFIG ?= pkg-config

CURL_CFLAGS	?= $(shell $(PKG_CONFIG) --cflags libcurl 2>/dev/null)
CURL_LIBS	?= $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl)
JQ_CFLAGS	?=
JQ_LIBS		?= -ljq
SQLITE_CFLAGS	?= $(shell $(PKG_CONFIG) --cflags sqlite3 2>/dev/null)
SQLITE_LIBS	?= $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null || echo -lsqlite3)
CRYPTO_CFLAGS	?= $(shell $(PKG_CONFIG) --cflags libcrypto 2>/dev/null)
CRYPTO_LIBS	?= $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)
PQ_CFLAGS	?= $(shell $(PKG_CONFIG) --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
PQ_LIBS		?= $(shell $(PKG_CONFIG) --libs libpq 2>/dev/null || echo -lpq)

FD_CFLAGS = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter
FD_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DFD_VERSION=\"$(VERSION)\" -Ilib
ifeq ($(SAN),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif

COMPILE = $(CC) $(FD_CFLAGS) $(FD_CPPFLAGS) $(CPPFLAGS) $(SAN_FLAGS) $(CFLAGS) -MMD -MP
LINK	= $(CC) $(SAN_FLAGS) $(CFLAGS) $(LDFLAGS)

LIBSRC	= lib/buf.c lib/config.c lib/diag.c lib/digest.c lib/http.c lib/isotime.c \
	lib/jscan.c lib/json.c lib/lines.c lib/map.c lib/naming.c lib/rate.c \
	lib/singer.c lib/state.c lib/utf8.c lib/coltype.c lib/tool.c \
	lib/idset.c lib/ranges.c lib/progress.c
LIBOBJ	= $(LIBSRC:.c=.o)
FETCHOBJ = fd-fetch/fd-fetch.o fd-fetch/client.o fd-fetch/endpoints.o \
	fd-fetch/schema.o fd-fetch/sync.o
NORMOBJ	= fd-normalize/fd-normalize.o fd-normalize/flatten.o \
	fd-normalize/jq.o
LOADOBJ	= fd-load/fd-load.o fd-load/row.o fd-load/sql.o fd-load/sqlite.o \
	fd-load/pg.o fd-load/files.o fd-load/writer.o
UNITOBJ	= tests/unit/unit.o tests/unit/t_buf.o tests/unit/t_diag.o \
	tests/unit/t_jscan.o tests/unit/t_lines.o tests/unit/t_singer.o \
	tests/unit/t_state.o tests/unit/t_http.o tests/unit/t_rate.o \
	tests/unit/t_naming.o tests/unit/t_isotime.o tests/unit/t_map.o \
	tests/unit/t_coltype.o tests/unit/t_flatten.o tests/unit/t_sql.o \
	tests/unit/t_idset.o tests/unit/t_ranges.o \
	tests/unit/t_config.o tests/unit/t_progress.o
OBJ	= $(LIBOBJ) $(FETCHOBJ) $(NORMOBJ) $(LOADOBJ) $(UNITOBJ)

BIN	= fd-fetch/fd-fetch fd-normalize/fd-normalize fd-load/fd-load \
	fd-load/fd-sync
MAN1	= man/fd-fetch.1 man/fd-normalize.1 man/fd-load.1 man/fd-sync.1
MAN7	= man/fd.7

all: $(BIN)

# Objects are rebuilt when the compiler or its flags change (SAN=1 and
# back), so a sanitizer build never links with plain objects.
.flags: FORCE
	@printf '%s\n' '$(COMPILE) $(LINK)' | cmp -s - $@ || \
	    printf '%s\n' '$(COMPILE) $(LINK)' > $@
$(OBJ): .flags

lib/libfd.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

fd-fetch/fd-fetch: $(FETCHOBJ) lib/libfd.a
	$(LINK) -pthread -o $@ $(FETCHOBJ) lib/libfd.a $(CURL_LIBS) $(JQ_LIBS)
fd-normalize/fd-normalize: $(NORMOBJ) lib/libfd.a
	$(LINK) -o $@ $(NORMOBJ) lib/libfd.a $(JQ_LIBS) $(CRYPTO_LIBS)
fd-load/fd-load: $(LOADOBJ) lib/libfd.a
	$(LINK) -pthread -o $@ $(LOADOBJ) lib/libfd.a $(SQLITE_LIBS) $(PQ_LIBS) $(JQ_LIBS)
tests/unit/unit: $(UNITOBJ) fd-normalize/flatten.o fd-load/sql.o lib/libfd.a
	$(LINK) -o $@ $(UNITOBJ) fd-normalize/flatten.o fd-load/sql.o \
	    lib/libfd.a $(CURL_LIBS) $(JQ_LIBS) $(CRYPTO_LIBS)

fd-fetch/%.o: fd-fetch/%.c
	$(COMPILE) $(CURL_CFLAGS) $(JQ_CFLAGS) -c -o $@ $<
fd-load/%.o: fd-load/%.c
	$(COMPILE) $(SQLITE_CFLAGS) $(PQ_CFLAGS) $(JQ_CFLAGS) -c -o $@ $<
lib/http.o: lib/http.c
	$(COMPILE) $(CURL_CFLAGS) -c -o $@ $<
lib/digest.o: lib/digest.c
	$(COMPILE) $(CRYPTO_CFLAGS) -c -o $@ $<
%.o: %.c
	$(COMPILE) $(JQ_CFLAGS) -c -o $@ $<

-include $(OBJ:.o=.d)

# deps installs the Debian packages that the build and the tests need
# when one is missing (as root), or prints the apt-get line and fails.
deps:
	@sh tests/deps.sh

# check: every test, with the freshly built programs first on PATH.
TESTPATH = $(CURDIR)/fd-fetch:$(CURDIR)/fd-normalize:$(CURDIR)/fd-load:$(PATH)
BATS_SUITES ?= tests/sim tests/fetch tests/normalize tests/load tests/build \
	tests/hardening tests/e2e
# BATS_JOBS test files run at once (GNU parallel), the tests of a file
# one after another: each file starts its own simulator and PostgreSQL,
# and no test depends on the machine's pace.  BATS_JOBS=1 runs them in
# order.
BATS_JOBS ?= 3
BATS_PAR = $(if $(filter-out 0 1,$(BATS_JOBS)),--jobs $(BATS_JOBS) \
	--no-parallelize-within-files)
check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all tests/unit/unit
	$(MAKE) --no-print-directory lint
	tests/unit/unit
	PATH="$(TESTPATH)" FD_TOP="$(CURDIR)" SAN="$(SAN)" \
	    bats $(BATS_PAR) $(wildcard $(BATS_SUITES))

# check-valgrind: the unit tests and a subset of the bats suites
# (VALGRIND_SUITES) under valgrind's memcheck, the programs built
# without SAN (tests/valgrind/run.sh).  Fails on any valgrind error or
# definite leak, whether or not the test noticed it.
check-valgrind:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all tests/unit/unit SAN=
	sh tests/valgrind/run.sh $(VALGRIND_SUITES)

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN7)

# bench: speed against baselines measured in the same run (ratios,
# not timings: machines here are noisy).  Not part of check.
bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh

# fuzz: each libFuzzer target for FUZZ_SECONDS after its regression
# inputs; fails on a crash (tests/fuzz/fuzz.mk, tests/fuzz/run.sh).
# Not part of check.
FUZZ_SECONDS ?= 5
fuzz:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk fuzz \
	    FUZZ_SECONDS=$(FUZZ_SECONDS)

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh

# sync: fd-sync (fd-load/fd-sync.sh, fd-sync(1)) once, for cron:
#
#   make -s sync SYNC_DOMAIN=acme SYNC_KEY_FILE=/etc/fd/key \
#       SYNC_STATE=/var/lib/fd/state.json SYNC_TO=sqlite:/var/lib/fd/fd.db
#
# SYNC_ENDPOINTS names the endpoints (default: fd-fetch's six; "all"),
# SYNC_FETCH_FLAGS and SYNC_LOAD_FLAGS the programs' options, SYNC_LOCK
# the flock(1) lock that keeps a second sync of the same state out:
# each variable becomes an option of fd-sync.  Silent on success; on
# failure one line on stderr, after the programs' own: "try later" (the
# API's rate limit or the network, the lock held: status 75) or
# "failed" (status 1: fix something first, such as a setting; 2: a
# usage error, such as an endpoint that does not exist).  make exits 2
# for any; "make -s sync-script > fd-sync-acme" writes a script that
# runs fd-sync with these settings, whose exit status is fd-sync's: 0,
# 75, 1 or 2.  The programs built here come first on PATH, then
# installed ones.
SYNC_DOMAIN	?= $(FRESHDESK_DOMAIN)
SYNC_KEY_FILE	?= $(FRESHDESK_API_KEY_FILE)
SYNC_STATE	?= state.json
SYNC_TO		?= sqlite:freshdesk.db
SYNC_LOCK	?= $(SYNC_STATE).sync.lock
SYNC_ENDPOINTS	?=
SYNC_FETCH_FLAGS ?= -q --max-wait 900
SYNC_LOAD_FLAGS	?= -q

# fd-sync is a script.  The build writes the version into it and, into
# the checkout's copy (fd-load/fd-sync), the directories of the
# checkout's programs, which that copy runs first; "make install" writes
# none, and the installed copy runs the programs beside it.  The copy
# is rewritten only when its text changes: a moved checkout gets its
# new directories, an unchanged one is not written to.
SYNC_PATH = $(CURDIR)/fd-fetch:$(CURDIR)/fd-normalize:$(CURDIR)/fd-load
SYNC_BUILD = sed -e 's|@VERSION@|$(VERSION)|' -e 's|@BUILD_PATH@|$(1)|' \
	fd-load/fd-sync.sh
fd-load/fd-sync: fd-load/fd-sync.sh FORCE
	@$(call SYNC_BUILD,$(SYNC_PATH)) | cmp -s - $@ || \
	    { $(call SYNC_BUILD,$(SYNC_PATH)) > $@ && chmod 0755 $@; }

# SYNC_SH: fd-sync with the SYNC_* settings as options.  It checks the
# two settings without a default itself, so that its message names the
# variable (a configuration error: status 1, as fd-sync's).
define SYNC_SH
#!/bin/sh
# fd-sync with the settings of "make sync" (written by "make
# sync-script"): exit 0, 75 (try later), 1 (failed, or a setting
# missing) or 2 (a usage error), as fd-sync(1) says.  The programs built in the checkout come first.
PATH='$(TESTPATH)'
domain='$(SYNC_DOMAIN)' key='$(SYNC_KEY_FILE)' state='$(SYNC_STATE)'
to='$(SYNC_TO)' lock='$(SYNC_LOCK)' endpoints='$(SYNC_ENDPOINTS)'
fetchflags='$(SYNC_FETCH_FLAGS)' loadflags='$(SYNC_LOAD_FLAGS)'
say() { echo "fd-sync: $$*" >&2; }
[ -n "$$domain" ] || { say "no domain: set SYNC_DOMAIN"; exit 1; }
[ -n "$$key" ] || [ -n "$${FRESHDESK_API_KEY:-}" ] ||
    { say "no key: set SYNC_KEY_FILE"; exit 1; }
command -v fd-sync >/dev/null ||
    { say "not in $(CURDIR)/fd-load nor on PATH: run make"; exit 1; }
set -f
set -- --domain "$$domain" --key-file "$$key" -s "$$state" -t "$$to"
set -- "$$@" --lock "$$lock" --fetch-flags "$$fetchflags"
exec fd-sync "$$@" --load-flags "$$loadflags" -- $$endpoints
endef
export SYNC_SH

sync:
	@sh -c "$$SYNC_SH" fd-sync

sync-script:
	@printf '%s\n' "$$SYNC_SH"

# install: the programs, and fd-sync without the checkout's directories
install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(filter-out fd-load/fd-sync,$(BIN)) $(DESTDIR)$(BINDIR)
	$(call SYNC_BUILD,) > $(DESTDIR)$(BINDIR)/fd-sync
	chmod 0755 $(DESTDIR)$(BINDIR)/fd-sync
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fd-fetch $(DESTDIR)$(BINDIR)/fd-normalize \
	    $(DESTDIR)$(BINDIR)/fd-load $(DESTDIR)$(BINDIR)/fd-sync
	rm -f $(DESTDIR)$(MANDIR)/man1/fd-fetch.1 \
	    $(DESTDIR)$(MANDIR)/man1/fd-normalize.1 \
	    $(DESTDIR)$(MANDIR)/man1/fd-load.1 \
	    $(DESTDIR)$(MANDIR)/man1/fd-sync.1 $(DESTDIR)$(MANDIR)/man7/fd.7

clean:
	rm -f $(BIN) $(OBJ) $(OBJ:.o=.d) lib/libfd.a tests/unit/unit .flags

FORCE:
.PHONY: all bench check check-valgrind deps demo fuzz install uninstall clean lint sync \
	sync-script FORCE
