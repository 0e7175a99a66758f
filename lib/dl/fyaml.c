/* SPDX-License-Identifier: MIT */
/* libfyaml, loaded on first use (dl.h): the knowledge base (lib/rca/kb.c) and
 * bundle dependency files (lib/rca/bundle.c) are YAML; `watch` and `collect`
 * read none. fy_node_is_mapping/_scalar/_sequence are inline functions of
 * libfyaml.h over fy_node_get_type(). libfyaml.h declares its functions with
 * default visibility, so these cannot be marked hidden: the executable still
 * does not export them (it is not linked with -rdynamic, no library refers to
 * them at link time; tests/cli/t5101 checks with nm -D). */
#include <libfyaml.h>
#include <string.h>

#include "dl/shim.h"

#define SYMS(X)                                                                                    \
    X(fy_diag_cfg_default)                                                                         \
    X(fy_diag_create)                                                                              \
    X(fy_diag_destroy)                                                                             \
    X(fy_document_build_from_string)                                                               \
    X(fy_document_destroy)                                                                         \
    X(fy_document_root)                                                                            \
    X(fy_node_get_type)                                                                            \
    X(fy_node_get_scalar)                                                                          \
    X(fy_node_get_scalar0)                                                                         \
    X(fy_node_get_scalar_token)                                                                    \
    X(fy_node_mapping_iterate)                                                                     \
    X(fy_node_sequence_iterate)                                                                    \
    X(fy_node_pair_key)                                                                            \
    X(fy_node_pair_value)                                                                          \
    X(fy_token_start_mark)

SYMS(DL_SHIM_POINTER)
DL_SHIM_RESOLVER(DL_FYAML, SYMS)

void fy_diag_cfg_default(struct fy_diag_cfg *cfg)
{
    if (DL_REAL(fy_diag_cfg_default))
        p_fy_diag_cfg_default(cfg);
    else if (cfg)
        memset(cfg, 0, sizeof *cfg);
}

struct fy_diag *fy_diag_create(const struct fy_diag_cfg *cfg)
{
    if (!DL_REAL(fy_diag_create)) return NULL;
    return p_fy_diag_create(cfg);
}

void fy_diag_destroy(struct fy_diag *diag)
{
    if (diag && DL_REAL(fy_diag_destroy)) p_fy_diag_destroy(diag);
}

struct fy_document *fy_document_build_from_string(const struct fy_parse_cfg *cfg, const char *str,
                                                  size_t len)
{
    if (!DL_REAL(fy_document_build_from_string)) return NULL;
    return p_fy_document_build_from_string(cfg, str, len);
}

void fy_document_destroy(struct fy_document *fyd)
{
    if (fyd && DL_REAL(fy_document_destroy)) p_fy_document_destroy(fyd);
}

/* Without the library there is no document, node or token: NULL in, so
 * the answers libfyaml gives for NULL. */
struct fy_node *fy_document_root(struct fy_document *fyd)
{
    if (!DL_REAL(fy_document_root)) return NULL;
    return p_fy_document_root(fyd);
}

enum fy_node_type fy_node_get_type(struct fy_node *fyn)
{
    if (!DL_REAL(fy_node_get_type)) return FYNT_SCALAR;
    return p_fy_node_get_type(fyn);
}

const char *fy_node_get_scalar(struct fy_node *fyn, size_t *lenp)
{
    if (!DL_REAL(fy_node_get_scalar)) return NULL;
    return p_fy_node_get_scalar(fyn, lenp);
}

const char *fy_node_get_scalar0(struct fy_node *fyn)
{
    if (!DL_REAL(fy_node_get_scalar0)) return NULL;
    return p_fy_node_get_scalar0(fyn);
}

struct fy_token *fy_node_get_scalar_token(struct fy_node *fyn)
{
    if (!DL_REAL(fy_node_get_scalar_token)) return NULL;
    return p_fy_node_get_scalar_token(fyn);
}

struct fy_node_pair *fy_node_mapping_iterate(struct fy_node *fyn, void **prevp)
{
    if (!DL_REAL(fy_node_mapping_iterate)) return NULL;
    return p_fy_node_mapping_iterate(fyn, prevp);
}

struct fy_node *fy_node_sequence_iterate(struct fy_node *fyn, void **prevp)
{
    if (!DL_REAL(fy_node_sequence_iterate)) return NULL;
    return p_fy_node_sequence_iterate(fyn, prevp);
}

struct fy_node *fy_node_pair_key(struct fy_node_pair *fynp)
{
    if (!DL_REAL(fy_node_pair_key)) return NULL;
    return p_fy_node_pair_key(fynp);
}

struct fy_node *fy_node_pair_value(struct fy_node_pair *fynp)
{
    if (!DL_REAL(fy_node_pair_value)) return NULL;
    return p_fy_node_pair_value(fynp);
}

const struct fy_mark *fy_token_start_mark(struct fy_token *fyt)
{
    if (!DL_REAL(fy_token_start_mark)) return NULL;
    return p_fy_token_start_mark(fyt);
}
