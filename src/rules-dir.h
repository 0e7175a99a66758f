/* SPDX-License-Identifier: MIT */
/*
 * rules-dir.h: where the built-in knowledge base comes from. The shipped
 * rules/NAME.yaml files are embedded in the binary; $TSHOOT_RULES_DIR, when set,
 * names a directory that replaces them (--rules DIR only extends them).
 */
#ifndef TSHOOT_RULES_DIR_H
#define TSHOOT_RULES_DIR_H

/* Borrowed string ($TSHOOT_RULES_DIR), or NULL: use the embedded rules. */
const char *builtin_rules_dir(void);

#endif
