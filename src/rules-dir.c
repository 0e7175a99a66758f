/* SPDX-License-Identifier: MIT */
#include "rules-dir.h"
#include "rca/kb.h"

const char *builtin_rules_dir(void)
{
    return kb_default_dir();
}
