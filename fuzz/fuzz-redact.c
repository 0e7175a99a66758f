/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the secret redactor must never crash or overrun, and its
 * output must never grow past its documented bound. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf b = BUF_INIT(size * 2 + 64);
    int r = redact_append(&b, (const char *)data, size);
    if (r < 0 && r != -12 /* ENOMEM */ && r != -7 /* E2BIG */) abort();
    buf_release(&b);
    return 0;
}
