/*
 * walk.c — recursive directory walk in name order, with loop detection.
 */
#include "pdx_walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Directories on the current descent path, to detect links that lead back up. */
struct visited {
    dev_t dev;
    ino_t ino;
    const struct visited *parent;
};

static int has_txt_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int report_error(const char *path, int error, pdx_walk_fn fn, void *ctx)
{
    struct pdx_walk_entry e = {.kind = PDX_WALK_ERROR, .path = path, .error = error};
    return fn(ctx, &e);
}

static int walk_path(const char *path, int top, const struct visited *up, pdx_walk_fn fn,
                     void *ctx);

static int walk_dir(const char *path, const struct stat *st, const struct visited *up,
                    pdx_walk_fn fn, void *ctx)
{
    for (const struct visited *v = up; v; v = v->parent) {
        if (v->dev == st->st_dev && v->ino == st->st_ino) {
            struct pdx_walk_entry e = {.kind = PDX_WALK_LOOP, .path = path};
            return fn(ctx, &e);
        }
    }
    struct visited here = {st->st_dev, st->st_ino, up};
    DIR *dir = opendir(path);
    if (!dir)
        return report_error(path, errno, fn, ctx);

    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* ".", ".." and hidden files such as editor backups */
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **grown = realloc(names, ncap * sizeof *names);
            if (!grown) {
                rc = -1;
                break;
            }
            names = grown;
            cap = ncap;
        }
        names[count] = strdup(de->d_name);
        if (!names[count]) {
            rc = -1;
            break;
        }
        count++;
    }
    closedir(dir);
    if (rc == 0 && count > 1) /* an empty directory has no array at all */
        qsort(names, count, sizeof *names, by_name);

    size_t plen = strlen(path);
    int slash = plen > 0 && path[plen - 1] == '/';
    for (size_t i = 0; i < count && rc == 0; i++) {
        size_t nlen = strlen(names[i]);
        char *child = malloc(plen + 1 + nlen + 1);
        if (!child) {
            rc = -1;
            break;
        }
        memcpy(child, path, plen);
        size_t at = plen;
        if (!slash)
            child[at++] = '/';
        memcpy(child + at, names[i], nlen + 1);
        rc = walk_path(child, 0, &here, fn, ctx);
        free(child);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int walk_path(const char *path, int top, const struct visited *up, pdx_walk_fn fn, void *ctx)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return report_error(path, errno, fn, ctx);
    if (S_ISDIR(st.st_mode))
        return walk_dir(path, &st, up, fn, ctx);
    if (!top && !has_txt_suffix(path))
        return 0;
    if (!S_ISREG(st.st_mode)) {
        /* Named explicitly but not a file (a FIFO, a device): say so rather than block. */
        return top ? report_error(path, EINVAL, fn, ctx) : 0;
    }
    struct pdx_walk_entry e = {
        .kind = PDX_WALK_FILE, .path = path, .size = st.st_size, .mtime = (long long)st.st_mtime};
    return fn(ctx, &e);
}

int pdx_walk(const char *path, pdx_walk_fn fn, void *ctx)
{
    return walk_path(path, 1, NULL, fn, ctx);
}
