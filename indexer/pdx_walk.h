/*
 * pdx_walk.h — finding the documents to index under the paths a user names.
 *
 * A path that names a file is taken whatever its name; a directory is walked
 * recursively for `*.txt` files, in byte order of names so that runs are repeatable.
 * Symbolic links are followed, but a directory already visited (a loop) is reported
 * and not entered twice. Nothing here prints: every file and every problem goes to the
 * caller's callback.
 */
#ifndef INDEXER_PDX_WALK_H
#define INDEXER_PDX_WALK_H

#include <stddef.h>
#include <sys/types.h>

/* What the walk found. */
enum pdx_walk_kind {
    PDX_WALK_FILE = 0,  /* a regular file to index; `size` and `mtime` are set */
    PDX_WALK_ERROR = 1, /* a path that could not be read; `error` says why */
    PDX_WALK_LOOP = 2   /* a directory reached again through a link, skipped */
};

struct pdx_walk_entry {
    int kind;
    const char *path; /* borrowed for the duration of the callback */
    off_t size;
    long long mtime;
    int error; /* errno for PDX_WALK_ERROR */
};

/* Called for each entry; return nonzero to stop the walk (returned by pdx_walk). */
typedef int (*pdx_walk_fn)(void *ctx, const struct pdx_walk_entry *e);

/* Walks `path`. Returns 0 when the walk completed, the callback's nonzero value when it
 * stopped the walk, or -1 when out of memory. */
int pdx_walk(const char *path, pdx_walk_fn fn, void *ctx);

#endif /* INDEXER_PDX_WALK_H */
