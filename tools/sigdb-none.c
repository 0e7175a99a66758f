/* SPDX-License-Identifier: MIT */
/*
 * sigdb-none.c: no build-time pattern database (lib/rca/signatures.h
 * sigdb_builtin). Linked into tools/gen-sigdb itself and the fuzzers;
 * sigdb_build then compiles every pattern at run time.
 */
#include "rca/signatures.h"

const struct sigdb_blob sigdb_builtin = { 0 };
