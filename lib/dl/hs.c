/* SPDX-License-Identifier: MIT */
/* Hyperscan (libhs), loaded on first use (dl.h). lib/rca/signatures.c calls it;
 * tools/gen-sigdb links the real library instead of these shims. */
#include <hs/hs.h>
#include <stddef.h>

#include "dl/shim.h"

#define SYMS(X)                                                                                    \
    X(hs_version)                                                                                  \
    X(hs_compile_multi)                                                                            \
    X(hs_compile_ext_multi)                                                                        \
    X(hs_expression_info)                                                                          \
    X(hs_free_compile_error)                                                                       \
    X(hs_free_database)                                                                            \
    X(hs_serialize_database)                                                                       \
    X(hs_deserialize_database)                                                                     \
    X(hs_serialized_database_size)                                                                 \
    X(hs_serialized_database_info)                                                                 \
    X(hs_alloc_scratch)                                                                            \
    X(hs_clone_scratch)                                                                            \
    X(hs_free_scratch)                                                                             \
    X(hs_scan)                                                                                     \
    X(hs_open_stream)                                                                              \
    X(hs_scan_stream)                                                                              \
    X(hs_close_stream)                                                                             \
    X(hs_reset_stream)

SYMS(DL_SHIM_POINTER)
DL_SHIM_RESOLVER(DL_HS, SYMS)

/* What the compile functions hand back when libhs cannot be loaded: a compile
 * error like any other (expression -1: not one expression's fault), which
 * hs_free_compile_error() below recognises and does not pass on. */
static hs_compile_error_t unavailable = { .message = "libhs.so.5 cannot be loaded",
                                          .expression = -1 };

static hs_error_t no_compile(hs_database_t **db, hs_compile_error_t **error)
{
    if (db) *db = NULL;
    if (error) *error = &unavailable;
    return HS_COMPILER_ERROR;
}

SHIM const char *hs_version(void)
{
    if (!DL_REAL(hs_version)) return "unavailable";
    return p_hs_version();
}

SHIM hs_error_t hs_compile_multi(const char *const *expressions, const unsigned int *flags,
                                 const unsigned int *ids, unsigned int elements, unsigned int mode,
                                 const hs_platform_info_t *platform, hs_database_t **db,
                                 hs_compile_error_t **error)
{
    if (!DL_REAL(hs_compile_multi)) return no_compile(db, error);
    return p_hs_compile_multi(expressions, flags, ids, elements, mode, platform, db, error);
}

SHIM hs_error_t hs_compile_ext_multi(const char *const *expressions, const unsigned int *flags,
                                     const unsigned int *ids, const hs_expr_ext_t *const *ext,
                                     unsigned int elements, unsigned int mode,
                                     const hs_platform_info_t *platform, hs_database_t **db,
                                     hs_compile_error_t **error)
{
    if (!DL_REAL(hs_compile_ext_multi)) return no_compile(db, error);
    return p_hs_compile_ext_multi(expressions, flags, ids, ext, elements, mode, platform, db,
                                  error);
}

SHIM hs_error_t hs_expression_info(const char *expression, unsigned int flags,
                                   hs_expr_info_t **info, hs_compile_error_t **error)
{
    if (!DL_REAL(hs_expression_info)) {
        if (info) *info = NULL;
        return no_compile(NULL, error);
    }
    return p_hs_expression_info(expression, flags, info, error);
}

SHIM hs_error_t hs_free_compile_error(hs_compile_error_t *error)
{
    if (!error || error == &unavailable) return HS_SUCCESS;
    if (!DL_REAL(hs_free_compile_error)) return HS_INVALID;
    return p_hs_free_compile_error(error);
}

/* Only libhs makes databases and scratch: without it there is nothing but
 * NULL to free, which libhs accepts too. */
SHIM hs_error_t hs_free_database(hs_database_t *db)
{
    if (!db) return HS_SUCCESS;
    if (!DL_REAL(hs_free_database)) return HS_INVALID;
    return p_hs_free_database(db);
}

SHIM hs_error_t hs_serialize_database(const hs_database_t *db, char **bytes, size_t *length)
{
    if (!DL_REAL(hs_serialize_database)) return HS_INVALID;
    return p_hs_serialize_database(db, bytes, length);
}

SHIM hs_error_t hs_deserialize_database(const char *bytes, const size_t length, hs_database_t **db)
{
    if (!DL_REAL(hs_deserialize_database)) return HS_INVALID;
    return p_hs_deserialize_database(bytes, length, db);
}

SHIM hs_error_t hs_serialized_database_size(const char *bytes, const size_t length,
                                            size_t *deserialized_size)
{
    if (!DL_REAL(hs_serialized_database_size)) return HS_INVALID;
    return p_hs_serialized_database_size(bytes, length, deserialized_size);
}

SHIM hs_error_t hs_serialized_database_info(const char *bytes, size_t length, char **info)
{
    if (!DL_REAL(hs_serialized_database_info)) return HS_INVALID;
    return p_hs_serialized_database_info(bytes, length, info);
}

SHIM hs_error_t hs_alloc_scratch(const hs_database_t *db, hs_scratch_t **scratch)
{
    if (!DL_REAL(hs_alloc_scratch)) return HS_INVALID;
    return p_hs_alloc_scratch(db, scratch);
}

SHIM hs_error_t hs_clone_scratch(const hs_scratch_t *src, hs_scratch_t **dest)
{
    if (!DL_REAL(hs_clone_scratch)) return HS_INVALID;
    return p_hs_clone_scratch(src, dest);
}

SHIM hs_error_t hs_free_scratch(hs_scratch_t *scratch)
{
    if (!scratch) return HS_SUCCESS;
    if (!DL_REAL(hs_free_scratch)) return HS_INVALID;
    return p_hs_free_scratch(scratch);
}

SHIM hs_error_t hs_scan(const hs_database_t *db, const char *data, unsigned int length,
                        unsigned int flags, hs_scratch_t *scratch, match_event_handler onEvent,
                        void *context)
{
    if (!DL_REAL(hs_scan)) return HS_INVALID;
    return p_hs_scan(db, data, length, flags, scratch, onEvent, context);
}

SHIM hs_error_t hs_open_stream(const hs_database_t *db, unsigned int flags, hs_stream_t **stream)
{
    if (!DL_REAL(hs_open_stream)) return HS_INVALID;
    return p_hs_open_stream(db, flags, stream);
}

SHIM hs_error_t hs_scan_stream(hs_stream_t *id, const char *data, unsigned int length,
                               unsigned int flags, hs_scratch_t *scratch,
                               match_event_handler onEvent, void *ctxt)
{
    if (!DL_REAL(hs_scan_stream)) return HS_INVALID;
    return p_hs_scan_stream(id, data, length, flags, scratch, onEvent, ctxt);
}

SHIM hs_error_t hs_close_stream(hs_stream_t *id, hs_scratch_t *scratch, match_event_handler onEvent,
                                void *ctxt)
{
    if (!DL_REAL(hs_close_stream)) return HS_INVALID;
    return p_hs_close_stream(id, scratch, onEvent, ctxt);
}

SHIM hs_error_t hs_reset_stream(hs_stream_t *id, unsigned int flags, hs_scratch_t *scratch,
                                match_event_handler onEvent, void *context)
{
    if (!DL_REAL(hs_reset_stream)) return HS_INVALID;
    return p_hs_reset_stream(id, flags, scratch, onEvent, context);
}
