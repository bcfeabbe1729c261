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
SERVER_INCLUDEDIR := $(shell $(PG_CONFIG) --includedir-server)

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

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d)

.PHONY: test demo demo-attach
# Every suite on a throwaway PostgreSQL: regress, isolation, unit, client.
test:
	test/run_all.sh
# A throwaway PostgreSQL with the extension and a short session.
demo:
	test/demo.sh
# The adoption demo: upstream Paperclip's real schema (npm migrations), a
# zombie lock, attach in compat mode, the DBA's force-release (SPEC §8).
demo-attach:
	test/demo_attach.sh

.PHONY: bench bench-small bench-profile
# The benchmark (bench/run.sh): its own throwaway cluster, ~15 minutes;
# results in bench/results/latest/report.md. See BENCHMARKS.md.
bench:
	bench/run.sh
bench-small:
	bench/run.sh --small
# Instruction profile under callgrind (bench/profile.sh), ~10 minutes.
bench-profile:
	bench/profile.sh
