/* SPDX-License-Identifier: MIT */
#include "dl/dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name; /* for TSHOOT_DL_DISABLE */
    const char *soname;
    const char *package;
} libs[_DL_MAX] = {
    [DL_CURL] = { "curl", "libcurl.so.4", "libcurl4" },
    [DL_HS] = { "hs", "libhs.so.5", "libhyperscan5" },
    [DL_JOURNAL] = { "journal", "libsystemd.so.0", "libsystemd0" },
    [DL_FYAML] = { "fyaml", "libfyaml.so.0", "libfyaml0" },
};

static struct {
    pthread_once_t once;
    void *handle;
    char err[256];
} state[_DL_MAX] = {
    [DL_CURL] = { .once = PTHREAD_ONCE_INIT },
    [DL_HS] = { .once = PTHREAD_ONCE_INIT },
    [DL_JOURNAL] = { .once = PTHREAD_ONCE_INIT },
    [DL_FYAML] = { .once = PTHREAD_ONCE_INIT },
};

/* the first library that failed to load, +1 (0: none) */
static atomic_int first_failure;

/* Whether TSHOOT_DL_DISABLE names NAME (or "all"). */
static bool disabled(const char *name)
{
    const char *v = getenv("TSHOOT_DL_DISABLE");
    if (!v) return false;
    size_t n = strlen(name);
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ", ");
        if ((len == n && strncmp(p, name, n) == 0) || (len == 3 && strncmp(p, "all", 3) == 0))
            return true;
        p += len;
        p += strspn(p, ", ");
    }
    return false;
}

static void load(enum dl_lib lib)
{
    const char *why;
    if (disabled(libs[lib].name))
        why = "disabled by TSHOOT_DL_DISABLE";
    else {
        void *h = dlopen(libs[lib].soname, RTLD_NOW | RTLD_LOCAL);
        if (h) {
            __atomic_store_n(&state[lib].handle, h, __ATOMIC_RELEASE);
            return;
        }
        why = dlerror();
        if (!why) why = "not found";
    }
    /* dlerror() starts with the soname: keep the line short */
    size_t sl = strlen(libs[lib].soname);
    if (strncmp(why, libs[lib].soname, sl) == 0 && why[sl] == ':') why += sl + 1;
    while (*why == ' ') why++;
    snprintf(state[lib].err, sizeof state[lib].err,
             "%s cannot be loaded (install the Debian package %s): %s", libs[lib].soname,
             libs[lib].package, why);
    int none = 0;
    atomic_compare_exchange_strong(&first_failure, &none, (int)lib + 1);
}

/* pthread_once takes no argument: one trampoline per library */
static void load_curl(void)
{
    load(DL_CURL);
}
static void load_hs(void)
{
    load(DL_HS);
}
static void load_journal(void)
{
    load(DL_JOURNAL);
}
static void load_fyaml(void)
{
    load(DL_FYAML);
}

int dl_load(enum dl_lib lib)
{
    static void (*const loaders[_DL_MAX])(void) = {
        [DL_CURL] = load_curl,
        [DL_HS] = load_hs,
        [DL_JOURNAL] = load_journal,
        [DL_FYAML] = load_fyaml,
    };
    if ((unsigned)lib >= _DL_MAX) return -EINVAL;
    pthread_once(&state[lib].once, loaders[lib]);
    return state[lib].handle ? 0 : -ELIBACC;
}

void *dl_sym(enum dl_lib lib, const char *name)
{
    if (dl_load(lib) < 0) return NULL;
    return dlsym(state[lib].handle, name);
}

const char *dl_error(void)
{
    int f = atomic_load(&first_failure);
    return f ? state[f - 1].err : NULL;
}

const char *dl_soname(enum dl_lib lib)
{
    return (unsigned)lib < _DL_MAX ? libs[lib].soname : NULL;
}

const char *dl_package(enum dl_lib lib)
{
    return (unsigned)lib < _DL_MAX ? libs[lib].package : NULL;
}

bool dl_loaded(enum dl_lib lib)
{
    return (unsigned)lib < _DL_MAX && __atomic_load_n(&state[lib].handle, __ATOMIC_ACQUIRE);
}
