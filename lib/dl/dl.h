/* SPDX-License-Identifier: MIT */
#pragma once

/* Optional shared libraries, loaded with dlopen on first use (docs/lazyload.md).
 *
 * tshoot does not link libcurl, Hyperscan (libhs), libsystemd or libfyaml: the
 * files lib/dl/curl.c, hs.c, journal.c and fyaml.c define (hidden) functions with
 * the libraries' own names and signatures that load the library on their first
 * call, resolve the real symbols once and forward. When the library cannot be
 * loaded they return the library's own error value (CURLE_FAILED_INIT, HS_INVALID,
 * -ELIBACC, NULL), so callers keep their error paths; dl_error() then says which
 * library and which Debian package. A command that does not call into a library
 * (`watch` without --alertmanager/--webhook, `collect`) never maps it.
 *
 * TSHOOT_DL_DISABLE=curl,hs,journal,fyaml (a comma-separated list of names, or
 * "all") makes those libraries fail to load as if they were not installed: for
 * tests of the error paths. It can only disable, never point at another file. */

#include <stdbool.h>

enum dl_lib {
    DL_CURL,    /* libcurl.so.4 (libcurl4) */
    DL_HS,      /* libhs.so.5 (libhyperscan5) */
    DL_JOURNAL, /* libsystemd.so.0 (libsystemd0) */
    DL_FYAML,   /* libfyaml.so.0 (libfyaml0) */
    _DL_MAX,
};

/* Load the library once (thread-safe, RTLD_NOW | RTLD_LOCAL, by exact SONAME).
 * Returns 0, or -ELIBACC when it cannot be loaded (missing, disabled by
 * TSHOOT_DL_DISABLE): the failure is remembered, later calls fail the same way
 * without retrying, and dl_error() describes it. */
int dl_load(enum dl_lib lib);

/* The address of symbol NAME in the library (loading it first), or NULL when
 * the library cannot be loaded or has no such symbol. */
void *dl_sym(enum dl_lib lib, const char *name);

/* One line naming the library that could not be loaded and the Debian package
 * to install, e.g. "libcurl.so.4 cannot be loaded (install the Debian package
 * libcurl4): ...", or NULL when every library asked for so far loaded.
 * Static storage, valid for the life of the process. */
const char *dl_error(void);

/* The library's SONAME ("libcurl.so.4") and Debian package ("libcurl4"). */
const char *dl_soname(enum dl_lib lib);
const char *dl_package(enum dl_lib lib);

/* True once the library has been loaded by this process (for tests). */
bool dl_loaded(enum dl_lib lib);
