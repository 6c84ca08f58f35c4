# PGXS build of the sanctions extension.  Every src/*.c is part of the module,
# every sql/*.sql is a pg_regress suite, every test/*.sql a pgTAP suite and
# every test/t/*.pl a TAP test that starts its own clusters.
EXTENSION   = sanctions
MODULE_big  = sanctions
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA        = sanctions--1.0.sql
REGRESS     = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --encoding=UTF8 --inputdir=. --outputdir=. --load-extension=sanctions
TAP_TESTS   = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))
EXTRA_CLEAN = results regression.diffs regression.out tmp_check tmp_check_iso log

ICU_CFLAGS := $(shell pkg-config --cflags icu-uc icu-i18n)
ICU_LIBS   := $(shell pkg-config --libs icu-uc icu-i18n)
PG_CPPFLAGS = -I$(srcdir)/src $(ICU_CFLAGS)
PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = $(ICU_LIBS)

# No LLVM bitcode: JIT inlining is not worth a clang dependency.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
