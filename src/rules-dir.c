/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules-dir.h"
#include "tshoot.h"

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *builtin_rules_dir(void)
{
    static char found[PATH_MAX];
    if (found[0]) return found;
    const char *env = getenv("TSHOOT_RULES_DIR");
    if (env && *env) {
        snprintf(found, sizeof found, "%s", env);
        return found;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        static const char *const rel[] = { "/../rules", "/../share/tshoot/rules", "/rules" };
        for (size_t i = 0; i < ELEMENTSOF(rel); i++) {
            char cand[PATH_MAX];
            if ((size_t)snprintf(cand, sizeof cand, "%s%s", exe, rel[i]) >= sizeof cand) continue;
            if (is_dir(cand)) {
                char *rp = realpath(cand, NULL);
                snprintf(found, sizeof found, "%s", rp ? rp : cand);
                free(rp);
                return found;
            }
        }
    }
    if (is_dir("/usr/share/tshoot/rules")) {
        snprintf(found, sizeof found, "/usr/share/tshoot/rules");
        return found;
    }
    return NULL;
}
