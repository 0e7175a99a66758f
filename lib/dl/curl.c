/* SPDX-License-Identifier: MIT */
/* libcurl, loaded on first use (dl.h). Only lib/metrics/http.c calls it. */
#include <curl/curl.h>
#include <stdarg.h>

#include "dl/shim.h"

#define SYMS(X)                                                                                    \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_easy_escape)                                                                            \
    X(curl_free)                                                                                   \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)

SYMS(DL_SHIM_POINTER)
DL_SHIM_RESOLVER(DL_CURL, SYMS)

SHIM CURLcode curl_global_init(long flags)
{
    if (!DL_REAL(curl_global_init)) return CURLE_FAILED_INIT;
    return p_curl_global_init(flags);
}

SHIM CURL *curl_easy_init(void)
{
    if (!DL_REAL(curl_easy_init)) return NULL;
    return p_curl_easy_init();
}

SHIM void curl_easy_cleanup(CURL *curl)
{
    /* a handle exists only if libcurl loaded */
    if (curl && DL_REAL(curl_easy_cleanup)) p_curl_easy_cleanup(curl);
}

/* The argument's type follows from the option number (curl.h CURLOPTTYPE_*):
 * read it as that type and pass it on as that type. The parentheses keep
 * curl's type-checking macro of the same name out. */
SHIM CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
    if (!DL_REAL(curl_easy_setopt)) return CURLE_FAILED_INIT;
    va_list ap;
    CURLcode r;
    va_start(ap, option);
    if (option < CURLOPTTYPE_OBJECTPOINT)
        r = p_curl_easy_setopt(curl, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT) /* also string, slist, callback data */
        r = p_curl_easy_setopt(curl, option, va_arg(ap, void *));
    else if (option < CURLOPTTYPE_OFF_T)
        r = p_curl_easy_setopt(curl, option, va_arg(ap, void (*)(void)));
    else if (option < CURLOPTTYPE_BLOB)
        r = p_curl_easy_setopt(curl, option, va_arg(ap, curl_off_t));
    else if (option < CURLOPTTYPE_BLOB + 10000)
        r = p_curl_easy_setopt(curl, option, va_arg(ap, struct curl_blob *));
    else
        r = CURLE_BAD_FUNCTION_ARGUMENT;
    va_end(ap);
    return r;
}

/* Every CURLINFO_* takes a pointer (char **, long *, double *, struct curl_slist **,
 * curl_socket_t *, curl_off_t *): the type bits only tell which. */
SHIM CURLcode(curl_easy_getinfo)(CURL *curl, CURLINFO info, ...)
{
    if (!DL_REAL(curl_easy_getinfo)) return CURLE_FAILED_INIT;
    switch (info & CURLINFO_TYPEMASK) {
    case CURLINFO_STRING:
    case CURLINFO_LONG:
    case CURLINFO_DOUBLE:
    case CURLINFO_SLIST:
    case CURLINFO_SOCKET:
    case CURLINFO_OFF_T: break;
    default: return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    va_list ap;
    va_start(ap, info);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return p_curl_easy_getinfo(curl, info, arg);
}

SHIM CURLcode curl_easy_perform(CURL *curl)
{
    if (!DL_REAL(curl_easy_perform)) return CURLE_FAILED_INIT;
    return p_curl_easy_perform(curl);
}

SHIM const char *curl_easy_strerror(CURLcode code)
{
    if (!DL_REAL(curl_easy_strerror)) return dl_error() ? dl_error() : "libcurl unavailable";
    return p_curl_easy_strerror(code);
}

SHIM char *curl_easy_escape(CURL *curl, const char *string, int length)
{
    if (!DL_REAL(curl_easy_escape)) return NULL;
    return p_curl_easy_escape(curl, string, length);
}

SHIM void curl_free(void *p)
{
    /* only libcurl hands out what curl_free frees */
    if (p && DL_REAL(curl_free)) p_curl_free(p);
}

SHIM struct curl_slist *curl_slist_append(struct curl_slist *list, const char *string)
{
    if (!DL_REAL(curl_slist_append)) return NULL;
    return p_curl_slist_append(list, string);
}

SHIM void curl_slist_free_all(struct curl_slist *list)
{
    if (list && DL_REAL(curl_slist_free_all)) p_curl_slist_free_all(list);
}
