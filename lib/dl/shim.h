/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers for the lib/dl/ shims (see dl.h and docs/lazyload.md). A shim file
 * lists its library's functions once, in an X-macro SYMS(X), then:
 *
 *   SYMS(DL_SHIM_POINTER)            one static pointer p_NAME per function
 *   DL_SHIM_RESOLVER(DL_CURL, SYMS)  resolve(): dlsym of every name, once
 *   SHIM CURLcode curl_easy_perform(CURL *c)
 *   {
 *       if (!DL_REAL(curl_easy_perform)) return CURLE_FAILED_INIT;
 *       return p_curl_easy_perform(c);
 *   }
 *
 * A pointer is NULL when the library cannot be loaded (or lacks the symbol):
 * the shim then returns the library's own error value. */

#include <pthread.h>

#include "dl/dl.h"

/* Shims are not exported: a library loaded later must never bind to them. */
#define SHIM __attribute__((visibility("hidden")))

#define DL_SHIM_POINTER(name)     static __typeof__(name) *p_##name;
#define DL_SHIM_RESOLVE_ONE(name) p_##name = (__typeof__(name) *)dl_sym(dl_shim_lib, #name);

/* Defines dl_shim_once and dl_shim_resolve() for library LIB. */
#define DL_SHIM_RESOLVER(LIB, SYMS)                                                                \
    static const enum dl_lib dl_shim_lib = LIB;                                                    \
    static pthread_once_t dl_shim_once = PTHREAD_ONCE_INIT;                                        \
    static void dl_shim_resolve(void)                                                              \
    {                                                                                              \
        if (dl_load(dl_shim_lib) < 0) return;                                                      \
        SYMS(DL_SHIM_RESOLVE_ONE)                                                                  \
    }

/* The real function NAME (loading and resolving on first use), or NULL. */
#define DL_REAL(name) (pthread_once(&dl_shim_once, dl_shim_resolve), p_##name)
