/*
 * pdx_open.h — opening one or several indexes, local or remote, as one reader.
 *
 * An index is a database directory, a sharded index (a directory holding a XAPIANDB stub
 * file, see pdx_shards.h) or a stub file naming local databases and remote ones
 * ("remote HOST:PORT", served by xapian-tcpsrv). Stubs are read here, one entry at a
 * time, rather than by Xapian in one go, so that a shard that cannot be opened is named,
 * and so that an unreachable remote shard can be left out when partial results are
 * acceptable. Every shard ends up in one Xapian reader: results, counts and statistics
 * are those of a single index holding all the documents.
 */
#ifndef SEARCH_PDX_OPEN_H
#define SEARCH_PDX_OPEN_H

#include <stddef.h>

#include "xs.h"

/* Stubs naming stubs are followed this deep. */
#define PDX_OPEN_DEPTH_MAX 8

/* Called for a remote shard left out under allow_partial: `where` names it ("HOST:PORT
 * (STUB line N)"), `why` is the error. Both are borrowed for the call. */
typedef void (*pdx_open_warn_fn)(void *ctx, const char *where, const char *why);

/* Called for each shard once opened (e.g. to check its versions); a nonzero return stops
 * the opening and is returned by pdx_index_open. `where` is borrowed for the call. */
typedef int (*pdx_open_check_fn)(void *ctx, struct xs_db *shard, const char *where);

struct pdx_open_opts {
    int allow_partial;           /* leave out remote shards that cannot be reached */
    unsigned timeout_ms;         /* each remote operation (0: no limit) */
    unsigned connect_timeout_ms; /* connecting to a remote shard (0: no limit) */
    pdx_open_warn_fn warn;       /* may be NULL */
    pdx_open_check_fn check;     /* may be NULL */
    void *ctx;
};

/* Opens the `n` indexes at `paths` as one reader (*out, which the caller closes with
 * xs_db_close; NULL on failure). Returns 0; a negative XS_E_* code with `err` filled
 * and `where` (NUL-terminated, truncated to `where_len`) naming the shard that failed
 * (XS_E_NETWORK: a remote shard down; XS_E_OPENING also for an unreadable or malformed
 * stub, or when allow_partial left no shard at all); or the check callback's value. */
int pdx_index_open(const char *const *paths, size_t n, const struct pdx_open_opts *o,
                   struct xs_db **out, char *where, size_t where_len, struct xs_error *err);

#endif /* SEARCH_PDX_OPEN_H */
