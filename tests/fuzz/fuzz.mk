# fuzz.mk: the libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang
# and -fsanitize=fuzzer,address,undefined against lib/ and the program
# sources compiled the same way, apart from the normal build's objects.
# Run from the top directory: make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS=...]
# (the top Makefile's fuzz target calls this file).

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 5
FZ		= tests/fuzz
FZB		= $(FZ)/build
FUZZ_ALL	= jscan singer lines isotime state http normalize load fetch jq
FUZZ_TARGETS	?= $(FUZZ_ALL)

FZ_CFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -Wall -Wno-unused-parameter \
	-Wno-unused-function
FZ_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DFD_VERSION=\"fuzz\" -Ilib -Ifd-load -Ifd-normalize -Ifd-fetch \
	$(shell pkg-config --cflags libcurl sqlite3 libcrypto 2>/dev/null)
FZ_LINK	= -fsanitize=fuzzer,address,undefined
FZ_LIBS	= -ljq $(shell pkg-config --libs libcurl libcrypto 2>/dev/null || \
	echo -lcurl -lcrypto) -lpthread

FZ_LIBSRC = buf config diag digest http idset isotime jscan json lines map naming \
	rate ranges singer state utf8 coltype tool progress
FZ_LIBOBJ = $(FZ_LIBSRC:%=$(FZB)/lib/%.o)
FZ_BIN	= $(FUZZ_ALL:%=$(FZB)/fuzz_%)

fuzz-build: $(FZ_BIN)

$(FZB)/lib/%.o: lib/%.c lib/%.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_CPPFLAGS) -c -o $@ $<
$(FZB)/libfd.a: $(FZ_LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(FZ_LIBOBJ)
$(FZB)/%.o: $(FZ)/%.c $(FZ)/die.h $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_CPPFLAGS) -c -o $@ $<
$(FZB)/row.o: fd-load/row.c fd-load/extern.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_CPPFLAGS) -c -o $@ $<
$(FZB)/flatten.o: fd-normalize/flatten.c fd-normalize/extern.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_CPPFLAGS) -c -o $@ $<
$(FZB)/jq.o: fd-normalize/jq.c fd-normalize/extern.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_CPPFLAGS) -c -o $@ $<
$(FZB)/sql.o: fd-load/sql.c fd-load/sql.h fd-load/extern.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_CPPFLAGS) -c -o $@ $<

# the program sources are compiled into their harnesses
$(FZB)/fuzz_normalize.o: fd-normalize/fd-normalize.c fd-normalize/extern.h
$(FZB)/fuzz_load.o: fd-load/fd-load.c fd-load/extern.h
$(FZB)/fuzz_jq.o: fd-normalize/fd-normalize.c fd-normalize/extern.h
$(FZB)/fuzz_fetch.o: fd-fetch/client.c fd-fetch/sync.c fd-fetch/schema.c \
    fd-fetch/extern.h
$(FZB)/endpoints.o: fd-fetch/endpoints.c fd-fetch/extern.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_CPPFLAGS) -c -o $@ $<

$(FZB)/fuzz_normalize: $(FZB)/fuzz_normalize.o $(FZB)/flatten.o \
    $(FZB)/jq.o $(FZB)/libfd.a
	$(FUZZ_CC) $(FZ_LINK) -o $@ $^ $(FZ_LIBS)
$(FZB)/fuzz_jq: $(FZB)/fuzz_jq.o $(FZB)/flatten.o $(FZB)/jq.o \
    $(FZB)/libfd.a
	$(FUZZ_CC) $(FZ_LINK) -o $@ $^ $(FZ_LIBS)
$(FZB)/fuzz_fetch: $(FZB)/fuzz_fetch.o $(FZB)/endpoints.o $(FZB)/libfd.a
	$(FUZZ_CC) $(FZ_LINK) -o $@ $^ $(FZ_LIBS)
$(FZB)/fuzz_load: $(FZB)/fuzz_load.o $(FZB)/row.o $(FZB)/sql.o \
    $(FZB)/libfd.a
	$(FUZZ_CC) $(FZ_LINK) -o $@ $^ $(FZ_LIBS)
$(FZB)/fuzz_%: $(FZB)/fuzz_%.o $(FZB)/libfd.a
	$(FUZZ_CC) $(FZ_LINK) -o $@ $^ $(FZ_LIBS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh $(FZ)/run.sh $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf $(FZB)

.PHONY: fuzz fuzz-build fuzz-clean
.SECONDARY:
