# ixfwd: user-space forwarding on Intel 82599-family NICs.
#
#   make            build build/ixfwd
#   make test       build and run the test suite (root runs every test)
#   make demo       bridge two network namespaces through ixfwd on emulated NICs
#   make bench      benchmarks: tests/bench/results.md and a plot (root: ~2 min)
#   make soak       mixed traffic through a bridge for SOAK_SECONDS (600; root)
#   make fuzz       run each fuzz target FUZZ_SECONDS (60) s (clang libFuzzer)
#   make test SANITIZE=1   the same suite, everything built with ASan + UBSan
#                   into build-asan/ (the normal build/ is left alone)
#   make tsan       the threaded unit tests built with TSan (build-tsan/)
#   make deps       install the Debian packages needed to build and test
#   make install    PREFIX=/usr/local DESTDIR= (make print-install: the files)

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
UNITDIR		?= /lib/systemd/system
PKG_CONFIG	?= pkg-config
INSTALL		?= install

B		 = build
# SANITIZE=1 (or address): AddressSanitizer + UndefinedBehaviorSanitizer;
# SANITIZE=thread: ThreadSanitizer.  Each has its own build directory so
# that sanitized and plain objects never mix; tests/run.sh finds the
# binaries through IXFWD_BUILD and sets the sanitizer options.
SANITIZE	?=
ifneq ($(filter 1 address,$(SANITIZE)),)
B		 = build-asan
SAN_FLAGS	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
# static runtimes: the shared libubsan beside libasan ignores log_path and
# reports on stderr, where a daemon started by an e2e script is not seen
SAN_LDFLAGS	 = -static-libasan -static-libubsan
else ifeq ($(SANITIZE),thread)
B		 = build-tsan
SAN_FLAGS	 = -fsanitize=thread -fno-omit-frame-pointer
else ifneq ($(SANITIZE),)
$(error SANITIZE=$(SANITIZE): use SANITIZE=1 (ASan + UBSan) or SANITIZE=thread)
endif
VERSION		?= 0.9.0
PKGS		 = yaml-0.1 libpcap libbsd
# the daemon's control socket (JSON) and metrics (HTTP); ixfwdctl's top
CMD_PKGS	 = jansson libmicrohttpd
CTL_PKGS	 = jansson ncursesw
CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 -Wall -Wextra -Werror -pthread -MMD -MP $(SAN_FLAGS)
LDFLAGS		+= $(SAN_FLAGS) $(SAN_LDFLAGS)
CPPFLAGS	+= -D_GNU_SOURCE -Idriver -Iconf -Ipipeline
CPPFLAGS	+= -DIXFWD_VERSION=\"$(VERSION)\"
CPPFLAGS	+= $(shell $(PKG_CONFIG) --cflags $(PKGS) $(CMD_PKGS) $(CTL_PKGS) 2>/dev/null)
LDLIBS		+= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -pthread

# Debian packages to build, test and run the demo (make deps).
DEB_PACKAGES	 = build-essential pkg-config libyaml-dev libpcap-dev libbsd-dev \
		   iproute2 iputils-ping ethtool netcat-openbsd tcpdump mandoc \
		   python3 systemd libjansson-dev libmicrohttpd-dev libncurses-dev \
		   prometheus tmux curl clang libclang-rt-14-dev

LIB_SRCS	:= $(wildcard driver/*.c conf/*.c pipeline/*.c)
LIB_OBJS	:= $(LIB_SRCS:%.c=$(B)/%.o)
IXFWD_SRCS	:= $(filter-out cmd/ixfwdctl.c,$(wildcard cmd/*.c))
IXFWD_OBJS	:= $(IXFWD_SRCS:%.c=$(B)/%.o)
TEST_SRCS	:= $(wildcard tests/unit/test_*.c)
TEST_BINS	:= $(TEST_SRCS:tests/unit/%.c=$(B)/tests/%)
# bench_filter and bench_bridge are built by tests/bench/run.sh, which
# reports them skipped if they do not build.
BENCH_BINS	 = $(B)/bench/bench_fwd $(B)/bench/bench_capture $(B)/bench/bench_xcore \
		   $(B)/bench/bench_jumbo $(B)/bench/bench_membw

all: $(B)/ixfwd $(B)/ixfwdctl

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libixfwd.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/ixfwd: $(IXFWD_OBJS) $(B)/libixfwd.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(IXFWD_OBJS) $(B)/libixfwd.a $(LDLIBS) \
		$(shell $(PKG_CONFIG) --libs $(CMD_PKGS) 2>/dev/null)

$(B)/ixfwdctl: $(B)/cmd/ixfwdctl.o $(B)/cmd/control_parse.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ \
		$(shell $(PKG_CONFIG) --libs $(CTL_PKGS) 2>/dev/null) -pthread

$(B)/tests/%: tests/unit/%.c tests/unit/t.h $(wildcard tests/unit/*.h) $(B)/libixfwd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libixfwd.a $(LDLIBS)

# Fuzz targets (tests/fuzz/fuzz_*.c), built by gcc into the regression
# test: each file's LLVMFuzzerTestOneInput renamed fuzz_one_NAME, run on
# every input in tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME.
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES	:= $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_REG_OBJS	:= $(FUZZ_NAMES:%=$(B)/fuzz-regress/fuzz_%.o)

$(B)/fuzz-regress/fuzz_%.o: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Icmd -DLLVMFuzzerTestOneInput=fuzz_one_$* $(CFLAGS) -c -o $@ $<

$(B)/tests/test_fuzz_regress: tests/unit/test_fuzz_regress.c tests/unit/t.h \
    $(FUZZ_REG_OBJS) $(B)/cmd/control_parse.o $(B)/libixfwd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) \
		-o $@ $< \
		$(FUZZ_REG_OBJS) $(B)/cmd/control_parse.o $(B)/libixfwd.a $(LDLIBS)

# The same targets under libFuzzer, ASan and UBSan: clang, objects of their
# own in build-fuzz/.  make fuzz runs each for FUZZ_SECONDS and fails on a
# crash, a leak, a timeout or a differential mismatch (an abort); a
# crashing input is left in build-fuzz/crashes/NAME/.
FB		 = build-fuzz
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS	 = -O1 -g -std=gnu11 -Wall -Wextra -Werror -pthread -MMD -MP \
		   $(FUZZ_SAN)
FUZZ_LIB_OBJS	:= $(LIB_SRCS:%.c=$(FB)/%.o) $(FB)/cmd/control_parse.o
FUZZ_BINS	:= $(FUZZ_NAMES:%=$(FB)/fuzz_%)

$(FB)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -Icmd $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) -Icmd $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_LIB_OBJS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@FB=$(FB) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_NAMES)

$(B)/bench/%: tests/bench/%.c $(B)/libixfwd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libixfwd.a $(LDLIBS)

# Programs the end-to-end scripts use (tests/tools/*.c).
TOOL_BINS	:= $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))

$(B)/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

tests: $(TEST_BINS) $(TOOL_BINS)

test: all tests
	@IXFWD_BUILD=$(B) IXFWD_SANITIZE=$(SANITIZE) sh tests/run.sh

# The unit tests whose threads share memory: the bridge's lock-free MAC
# table, the capture rings and writer, the pipeline's workers and control
# thread, the emulated NIC's engine thread against the driver.
TSAN_TESTS	 = test_bridge test_capture test_pipeline test_pipeline_txq test_emu \
		   test_ixgbe test_rss test_faults

tsan:
	@$(MAKE) --no-print-directory SANITIZE=thread \
		$(addprefix build-tsan/tests/,$(filter $(TSAN_TESTS),$(TEST_SRCS:tests/unit/%.c=%)))
	@IXFWD_BUILD=build-tsan IXFWD_SANITIZE=thread IXFWD_E2E=0 \
		TESTS="$(TSAN_TESTS)" sh tests/run.sh

demo: all
	@sh tests/e2e/test_bridge.sh --demo

# tests/e2e/test_soak.sh for longer than the 60 s of make test, once
# (not again over the emulated VFIO), under the e2e lock.
SOAK_SECONDS	?= 600
soak: all tests
	@SOAK_SECONDS=$(SOAK_SECONDS) TEST_TIMEOUT=$$(($(SOAK_SECONDS) + 300)) \
	    TESTS=e2e_test_soak IXFWD_E2E_VFIO=0 sh tests/run.sh

bench: all $(BENCH_BINS)
	@B=$(B) MAKE="$(MAKE)" sh tests/bench/run.sh

print-deps:
	@echo $(DEB_PACKAGES)

deps:
	@missing=; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# What make install puts under $(DESTDIR), one path a line (make
# print-install); make uninstall removes exactly these (the example
# configuration only while it is the one installed).
SYSUSERSDIR	?= /usr/lib/sysusers.d
TMPFILESDIR	?= /usr/lib/tmpfiles.d
CTL_BIN		:= $(if $(wildcard cmd/ixfwdctl.c),$(SBINDIR)/ixfwdctl)
CTL_MAN		:= $(if $(wildcard man/ixfwdctl.8),$(MANDIR)/man8/ixfwdctl.8)
INSTALLED	 = $(SBINDIR)/ixfwd $(CTL_BIN) $(MANDIR)/man8/ixfwd.8 \
		   $(CTL_MAN) $(MANDIR)/man5/ixfwd.yaml.5 \
		   $(UNITDIR)/ixfwd.service \
		   $(SYSCONFDIR)/sysctl.d/60-ixfwd-hugepages.conf \
		   $(SYSUSERSDIR)/ixfwd.conf $(TMPFILESDIR)/ixfwd.conf \
		   $(SYSCONFDIR)/ixfwd/ixfwd.yaml
EXAMPLE_CONF	 = conf/examples/bridge.yaml

print-install:
	@for f in $(INSTALLED); do echo $$f; done

install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 755 $(B)/ixfwd $(DESTDIR)$(SBINDIR)/ixfwd
	$(if $(CTL_BIN),$(INSTALL) -m 755 $(B)/ixfwdctl $(DESTDIR)$(CTL_BIN))
	$(INSTALL) -m 644 man/ixfwd.8 $(DESTDIR)$(MANDIR)/man8/ixfwd.8
	$(if $(CTL_MAN),$(INSTALL) -m 644 man/ixfwdctl.8 $(DESTDIR)$(CTL_MAN))
	$(INSTALL) -m 644 man/ixfwd.yaml.5 $(DESTDIR)$(MANDIR)/man5/ixfwd.yaml.5
	$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/ixfwd.service.in \
		> $(DESTDIR)$(UNITDIR)/ixfwd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/ixfwd.service
	$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR)/sysctl.d $(DESTDIR)$(SYSCONFDIR)/ixfwd
	$(INSTALL) -m 644 systemd/60-ixfwd-hugepages.conf $(DESTDIR)$(SYSCONFDIR)/sysctl.d/
	$(INSTALL) -d $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	$(INSTALL) -m 644 systemd/ixfwd.sysusers $(DESTDIR)$(SYSUSERSDIR)/ixfwd.conf
	$(INSTALL) -m 644 systemd/ixfwd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/ixfwd.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/ixfwd/ixfwd.yaml ] || \
		$(INSTALL) -m 644 $(EXAMPLE_CONF) $(DESTDIR)$(SYSCONFDIR)/ixfwd/ixfwd.yaml

uninstall:
	cmp -s $(EXAMPLE_CONF) $(DESTDIR)$(SYSCONFDIR)/ixfwd/ixfwd.yaml && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/ixfwd/ixfwd.yaml; \
		rmdir $(DESTDIR)$(SYSCONFDIR)/ixfwd 2>/dev/null; true
	rm -f $(addprefix $(DESTDIR),$(filter-out $(SYSCONFDIR)/ixfwd/ixfwd.yaml,$(INSTALLED)))

clean:
	rm -rf $(B) $(FB) build-asan build-tsan

.PHONY: all tests test tsan demo soak bench fuzz fuzz-build deps print-deps print-install install uninstall clean
.SECONDARY:

-include $(shell find $(B) $(FB) -name '*.d' 2>/dev/null)
