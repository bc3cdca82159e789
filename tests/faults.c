/*
 * faults.c — a library tests/e2e_faults.sh preloads (LD_PRELOAD) into the programs to
 * make chosen calls fail the way a broken or full system makes them fail, so that the
 * programs' answers to those failures are tested and not only read:
 *
 *   PDX_FAULT_MKDIR=GLOB     mkdir of a directory whose last path component matches GLOB
 *                            (fnmatch, with extended patterns) fails with ENOSPC
 *   PDX_FAULT_DLOPEN=TEXT    dlopen of a library whose name contains TEXT fails
 *
 * With neither set, every call goes straight to the C library.
 */
#define _GNU_SOURCE /* RTLD_NEXT, FNM_EXTMATCH */
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The C library's definition of `name`, the next one after this library's. */
static void *next_definition(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

int mkdir(const char *path, mode_t mode)
{
    int (*real)(const char *, mode_t);
    void *sym = next_definition("mkdir");
    memcpy(&real, &sym, sizeof real); /* ISO C has no object-to-function pointer cast */
    const char *glob = getenv("PDX_FAULT_MKDIR");
    if (glob != NULL) {
        const char *slash = strrchr(path, '/');
        if (fnmatch(glob, slash ? slash + 1 : path, FNM_EXTMATCH) == 0) {
            errno = ENOSPC;
            return -1;
        }
    }
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(path, mode);
}

void *dlopen(const char *name, int flags)
{
    void *(*real)(const char *, int);
    void *sym = next_definition("dlopen");
    memcpy(&real, &sym, sizeof real);
    const char *text = getenv("PDX_FAULT_DLOPEN");
    if ((text != NULL && name != NULL && strstr(name, text) != NULL) || real == NULL)
        return NULL;
    return real(name, flags);
}
