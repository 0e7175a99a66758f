/* SPDX-License-Identifier: MIT */
/*
 * rules-dir.h: where the built-in knowledge base lives. Looked up in order:
 * $TSHOOT_RULES_DIR, <dir of the binary>/../rules (a build tree),
 * <dir of the binary>/../share/tshoot/rules (an install), /usr/share/tshoot/rules.
 */
#ifndef TSHOOT_RULES_DIR_H
#define TSHOOT_RULES_DIR_H

/* Borrowed static string, or NULL when no rules directory is found. */
const char *builtin_rules_dir(void);

#endif
