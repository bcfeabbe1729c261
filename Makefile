# paperclip_locks — PGXS build: make, make install, make installcheck.
# paperclip_locks owns its tables; paperclip_locks_attach (SPEC §8) puts the
# same rules, from the same module, on an existing Paperclip schema.
EXTENSION = paperclip_locks paperclip_locks_attach
EXTVERSION = 1.1
MODULE_big = paperclip_locks

CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
PG_SRCS = $(sort $(wildcard src/pg/*.cpp src/functions/*.cpp src/triggers/*.cpp)) src/module.cpp
OBJS = $(patsubst %.cpp,%.o,$(CORE_SRCS) $(PG_SRCS))

DATA = $(foreach e,$(EXTENSION),$(wildcard sql/$(e)--*.sql))

# One regression file per capability, in sql/ and expected/; each file is
# self-contained, so they are discovered rather than listed.
REGRESS = $(sort $(filter-out $(addsuffix --%,$(EXTENSION)),$(basename $(notdir $(wildcard sql/*.sql)))))
REGRESS_OPTS = --load-extension=paperclip_locks

# Isolation specs live in specs/, their expected output in expected/.
ISOLATION = $(basename $(notdir $(wildcard specs/*.spec)))
ISOLATION_OPTS = --load-extension=paperclip_locks

PG_CONFIG ?= pg_config
SERVER_INCLUDEDIR := $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)

WARNINGS = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers
ifdef ERROR_ON_WARNING
WARNINGS += -Werror
endif
PG_CPPFLAGS = -Isrc -isystem $(SERVER_INCLUDEDIR)
# -MMD -MP: header dependencies (distribution PostgreSQL is built without
# autodepend, and PGXS overrides CXXFLAGS, so they go here).
PG_CXXFLAGS = -std=c++17 -fPIC $(WARNINGS) -Wno-register -MMD -MP
SHLIB_LINK = -lstdc++
EXTRA_CLEAN = build results output_iso regression.diffs regression.out

# Debian builds PostgreSQL with LLVM; PGXS would also build JIT bitcode with
# clang without our C++17 flags. JIT inlining of these functions buys nothing.
override with_llvm = no

# `make demo` and `make test` first install what is missing (tools/deps.sh),
# so they must get that far on a machine without PostgreSQL's headers.
SETUP_GOALS = demo test deps deps-package package-test
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else ifneq ($(filter-out $(SETUP_GOALS),$(or $(MAKECMDGOALS),all)),)
$(error pg_config (PGXS) not found: run `make deps` as root, or `sudo apt-get install postgresql-server-dev-15`)
endif

-include $(OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d)

.PHONY: test demo demo-attach deps deps-package package-test
# Every suite on a throwaway PostgreSQL: regress, isolation, unit, client,
# upgrade, pg_cron, ... (test/README.md). Installs missing packages first.
test:
	tools/deps.sh test
	test/run_all.sh
# A throwaway PostgreSQL with the extension and a short session.
demo:
	tools/deps.sh demo
	test/demo.sh
# The adoption demo: upstream Paperclip's real schema (npm migrations), a
# zombie lock, attach in compat mode, the DBA's force-release (SPEC §8).
demo-attach:
	test/demo_attach.sh
# Only the set-up: the packages `make test` needs (and the .deb build).
deps:
	tools/deps.sh test
deps-package:
	tools/deps.sh package
# The Debian package: build, dpkg -i, use, remove (as root; .ci/package).
package-test:
	.ci/package

.PHONY: dist
# The PGXN distribution: the committed tree as paperclip_locks-<META.json version>.zip.
DISTVERSION = $(shell perl -MJSON::PP -e 'local $$/; print decode_json(<STDIN>)->{version}' <META.json)
dist:
	git archive --format zip --prefix=paperclip_locks-$(DISTVERSION)/ -o paperclip_locks-$(DISTVERSION).zip HEAD

.PHONY: bench bench-small bench-profile
# The benchmark (bench/run.sh): its own throwaway cluster; both schemas, the
# extension's own tables and upstream Paperclip's real schema (pinned npm
# packages, test/upstream/install.sh); results in bench/results/latest/
# (report.md, throughput.png, throughput_upstream.png). See BENCHMARKS.md.
# Then the run leases' figures (bench/leases.sh: reaper latency, renew cost;
# a preloaded cluster of its own, about 2 minutes).
# bench-small: 10,000 issues, short points: a functional check, no targets.
bench:
	bench/run.sh
	bench/leases.sh
bench-small:
	bench/run.sh --small
# Instruction profile under callgrind (bench/profile.sh), ~10 minutes.
bench-profile:
	bench/profile.sh
