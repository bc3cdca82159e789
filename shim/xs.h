/*
 * xs.h — a plain-C API over Xapian.
 *
 * This is the only door from polidex's C code into Xapian. It exposes opaque handles
 * (databases, documents, queries, result sets) and never lets a C++ exception cross
 * into C: every function that can fail returns 0 on success or a negative XS_E_* code,
 * and fills the caller-owned `struct xs_error` (which may be NULL) with a message.
 * The shim does no linguistics: terms arrive already folded and stemmed.
 *
 * Conventions:
 *   - Strings in are pointer + length; they need not be NUL-terminated.
 *   - Strings out are borrowed from the handle that produced them and stay valid until
 *     the next call on that same handle (or its free), unless a comment says otherwise.
 *   - Every *_open / *_new has a matching *_close / *_free that accepts NULL.
 *   - On failure a constructor sets *out to NULL.
 */
#ifndef SHIM_XS_H
#define SHIM_XS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (negative). */
enum xs_code {
    XS_OK = 0,
    XS_E_LOCK = -1,      /* the database is locked by another writer */
    XS_E_NOTFOUND = -2,  /* no such document (a missing database is XS_E_OPENING) */
    XS_E_CORRUPT = -3,   /* the database is damaged */
    XS_E_INVALID = -4,   /* an invalid argument (bad term, bad slot, bad operator) */
    XS_E_NOMEM = -5,     /* out of memory */
    XS_E_XAPIAN = -6,    /* any other Xapian error */
    XS_E_STD = -7,       /* a std::exception that is not a Xapian error */
    XS_E_UNKNOWN = -8,   /* anything else thrown */
    XS_E_OPENING = -9,   /* the database could not be opened (missing, wrong format) */
    XS_E_VERSION = -10,  /* the database format is not supported by this Xapian */
    XS_E_MODIFIED = -11, /* the database changed under a reader; reopen and retry */
    XS_E_NETWORK = -12   /* a remote shard could not be reached */
};

/* Filled by a failing call. Caller-owned; the shim never allocates for it. */
struct xs_error {
    int code;
    char message[512];
};

/* Returns a short static name for an XS_E_* code ("lock", "not found", …). */
const char *xs_code_name(int code);

/* ---- databases ------------------------------------------------------------------ */

struct xs_db;  /* read-only (possibly several combined) */
struct xs_wdb; /* writable */

/* Opens the database at `path` (a directory or a stub file) for reading. */
int xs_db_open(const char *path, struct xs_db **out, struct xs_error *err);
/* Adds another database (shard) to an open reader; searches then span them all. */
int xs_db_add(struct xs_db *db, const char *path, struct xs_error *err);
/* A reader over no database at all (0 documents), to which xs_db_add_db adds shards. */
int xs_db_new(struct xs_db **out, struct xs_error *err);
/* Opens, read-only, a database served by xapian-tcpsrv at `host`:`port`. `timeout_ms`
 * bounds each operation and `connect_timeout_ms` the connection (0: no limit). A server
 * that cannot be reached fails with XS_E_NETWORK, the message naming host and port. */
int xs_db_open_remote(const char *host, unsigned port, unsigned timeout_ms,
                      unsigned connect_timeout_ms, struct xs_db **out, struct xs_error *err);
/* Adds every database (shard) of `other` to `db`: searches on `db` then span them all,
 * with statistics over the whole set. `other` is not changed and the caller still closes
 * it; `db` shares its shards, which stay open as long as either handle is. */
int xs_db_add_db(struct xs_db *db, const struct xs_db *other, struct xs_error *err);
/* Number of databases (shards) a reader spans: 1 for a plain database. */
int xs_db_shard_count(const struct xs_db *db, size_t *out, struct xs_error *err);
/* Re-opens at the latest committed revision. */
int xs_db_reopen(struct xs_db *db, struct xs_error *err);
void xs_db_close(struct xs_db *db);

enum xs_wdb_mode {
    XS_WDB_OPEN = 0,                /* open an existing database; fail if missing */
    XS_WDB_CREATE_OR_OPEN = 1,      /* create if missing */
    XS_WDB_CREATE_OR_OVERWRITE = 2, /* start empty, replacing any existing database */
    /* Start empty (replacing any database there) for a scratch database: one that
     * nothing reads while it is written and that is thrown away if the writer stops
     * before closing it. Blocks are rewritten in place instead of copied on write, and
     * commits do not wait for the disk (Xapian's DB_DANGEROUS and DB_NO_SYNC): less
     * to write and no waiting. Nothing in it is durable until it is copied out by
     * xs_compact (which syncs what it writes) or synced by the caller. A transaction
     * on it cannot be cancelled. */
    XS_WDB_CREATE_SCRATCH = 3
};

/* Opens `path` for writing. A database held by another writer fails with XS_E_LOCK. */
int xs_wdb_open(const char *path, int mode, struct xs_wdb **out, struct xs_error *err);
/* Commits pending changes (if any) and closes; accepts NULL. Errors are lost: call
 * xs_wdb_commit first when they matter. */
void xs_wdb_close(struct xs_wdb *db);

/* Transactions: begin; then commit (makes everything since begin durable and visible
 * at once) or cancel (discards it). Flushed transactions commit to disk at the end. */
int xs_wdb_begin(struct xs_wdb *db, struct xs_error *err);
int xs_wdb_commit_transaction(struct xs_wdb *db, struct xs_error *err);
int xs_wdb_cancel_transaction(struct xs_wdb *db, struct xs_error *err);
/* Commits pending changes outside a transaction. */
int xs_wdb_commit(struct xs_wdb *db, struct xs_error *err);

/* Number of documents. */
int xs_db_doccount(const struct xs_db *db, uint32_t *out, struct xs_error *err);
int xs_wdb_doccount(const struct xs_wdb *db, uint32_t *out, struct xs_error *err);

/* Metadata. A missing key gives an empty value and success. The value is borrowed
 * until the next call on the same handle. */
int xs_db_get_metadata(struct xs_db *db, const char *key, size_t key_len, const char **value,
                       size_t *value_len, struct xs_error *err);
int xs_wdb_get_metadata(struct xs_wdb *db, const char *key, size_t key_len, const char **value,
                        size_t *value_len, struct xs_error *err);
int xs_wdb_set_metadata(struct xs_wdb *db, const char *key, size_t key_len, const char *value,
                        size_t value_len, struct xs_error *err);

/* Number of documents indexed by `term` (0 when absent). */
int xs_db_termfreq(const struct xs_db *db, const char *term, size_t term_len, uint32_t *out,
                   struct xs_error *err);

/* ---- documents ------------------------------------------------------------------ */

struct xs_doc;

int xs_doc_new(struct xs_doc **out, struct xs_error *err);
void xs_doc_free(struct xs_doc *doc);
/* Empties the document for reuse (keeps its allocation). */
int xs_doc_clear(struct xs_doc *doc, struct xs_error *err);
/* Adds `wdf` occurrences of a term without positions. */
int xs_doc_add_term(struct xs_doc *doc, const char *term, size_t len, uint32_t wdf,
                    struct xs_error *err);
/* Adds one positioned occurrence (wdf + 1). */
int xs_doc_add_posting(struct xs_doc *doc, const char *term, size_t len, uint32_t pos,
                       struct xs_error *err);
/* Adds a filter term: no wdf, does not affect the document's length or weights. */
int xs_doc_add_boolean_term(struct xs_doc *doc, const char *term, size_t len, struct xs_error *err);
int xs_doc_set_value(struct xs_doc *doc, unsigned slot, const char *value, size_t len,
                     struct xs_error *err);
int xs_doc_set_data(struct xs_doc *doc, const char *data, size_t len, struct xs_error *err);

/* Adds or replaces the document indexed by the unique term `idterm` (which `doc` must
 * also contain, else XS_E_INVALID). *docid (may be NULL) receives its document id. */
int xs_wdb_replace(struct xs_wdb *db, const char *idterm, size_t len, const struct xs_doc *doc,
                   uint32_t *docid, struct xs_error *err);
/* Adds a document without checking for an existing one (fresh builds). */
int xs_wdb_add(struct xs_wdb *db, const struct xs_doc *doc, uint32_t *docid, struct xs_error *err);
/* Deletes every document indexed by `idterm`; absent is not an error. */
int xs_wdb_delete(struct xs_wdb *db, const char *idterm, size_t len, struct xs_error *err);

/* Reads back a stored document's data (borrowed until the next call on `db`). */
int xs_db_get_data(struct xs_db *db, uint32_t docid, const char **data, size_t *len,
                   struct xs_error *err);

/* ---- looking documents up ------------------------------------------------------- */

/* Finds the first document indexed by `term` (typically a unique-id term). *docid
 * receives its id, or 0 when no document has the term (which is not an error). */
int xs_db_find(struct xs_db *db, const char *term, size_t len, uint32_t *docid,
               struct xs_error *err);
int xs_wdb_find(struct xs_wdb *db, const char *term, size_t len, uint32_t *docid,
                struct xs_error *err);

/* Reads value slot `slot` of document `docid` (empty when the slot is unset). The value
 * is borrowed until the next call on the same handle. A missing document is
 * XS_E_NOTFOUND. */
int xs_db_get_value(struct xs_db *db, uint32_t docid, unsigned slot, const char **value,
                    size_t *len, struct xs_error *err);
int xs_wdb_get_value(struct xs_wdb *db, uint32_t docid, unsigned slot, const char **value,
                     size_t *len, struct xs_error *err);

/* Sets value slot `slot` of the stored document `docid`, leaving its terms and data as
 * they are (only the value is rewritten). A missing document is XS_E_NOTFOUND. */
int xs_wdb_set_value(struct xs_wdb *db, uint32_t docid, unsigned slot, const char *value,
                     size_t len, struct xs_error *err);

/* Called for each term of an iteration with the number of documents it indexes. `term`
 * is borrowed for the duration of the call. Return 0 to go on, nonzero to stop. */
typedef int (*xs_term_fn)(void *ctx, const char *term, size_t len, uint32_t termfreq);

/* Calls `fn` for every term beginning with `prefix` (all terms when `len` is 0), in
 * byte order. A callback that stops the iteration makes the function return 0: the
 * caller keeps the reason in `ctx`. `fn` may call the shim's read functions on the same
 * handle, but must not modify the database. */
int xs_db_terms(struct xs_db *db, const char *prefix, size_t len, xs_term_fn fn, void *ctx,
                struct xs_error *err);
int xs_wdb_terms(struct xs_wdb *db, const char *prefix, size_t len, xs_term_fn fn, void *ctx,
                 struct xs_error *err);

/* Called for each document that has a value in the slot of an iteration. `value` is
 * borrowed for the duration of the call. Return 0 to go on, nonzero to stop. */
typedef int (*xs_value_fn)(void *ctx, uint32_t docid, const char *value, size_t len);

/* Calls `fn` for every document with a value in slot `slot`, in increasing docid order
 * (Xapian's value stream: one sequential read, where reading each document's value
 * costs a lookup). A callback that stops the iteration makes the function return 0.
 * `fn` must not modify the database. */
int xs_db_values(struct xs_db *db, unsigned slot, xs_value_fn fn, void *ctx, struct xs_error *err);
int xs_wdb_values(struct xs_wdb *db, unsigned slot, xs_value_fn fn, void *ctx,
                  struct xs_error *err);

/* ---- checking ------------------------------------------------------------------- */

/* Runs Xapian's consistency check on the database at `path` (readers and a writer may
 * have it open). *errors receives the number of problems found (0: consistent). Xapian's
 * report is written into `report` (NUL-terminated, truncated to fit; `report` may be NULL
 * when `report_len` is 0). A database too damaged to be checked at all fails with
 * XS_E_CORRUPT; a missing one with XS_E_OPENING. */
int xs_db_check(const char *path, size_t *errors, char *report, size_t report_len,
                struct xs_error *err);

/* ---- compaction ----------------------------------------------------------------- */

enum xs_compact_flags {
    XS_COMPACT_FULLER = 1 /* pack blocks as tightly as possible (for an index not updated
                             often); otherwise leave room for updates */
};

/* Compacts the `n` databases (or stub files) at `sources` into a new database at `dest`,
 * which must not exist yet, with Xapian's compactor: several sources are merged (their
 * documents renumbered one after the other; for metadata keys present in several, the
 * first source's value is kept). The sources are only read. On failure `dest` may be
 * left half-written: the caller removes it. */
int xs_compact(const char *const *sources, size_t n, const char *dest, int flags,
               struct xs_error *err);

/* ---- queries -------------------------------------------------------------------- */

struct xs_query;

enum xs_op {
    XS_OP_AND = 0,
    XS_OP_OR = 1,
    XS_OP_AND_NOT = 2,   /* first subquery minus the union of the rest */
    XS_OP_FILTER = 3,    /* first subquery, restricted by the rest, which add no weight */
    XS_OP_PHRASE = 4,    /* terms in order within `window` positions (0 = exact) */
    XS_OP_NEAR = 5,      /* terms in any order within `window` positions */
    XS_OP_AND_MAYBE = 6, /* first subquery, weighted up by the rest */
    XS_OP_SYNONYM = 7    /* subqueries weighted as if one term */
};

/* A single term; `wqf` is its within-query frequency (use 1). */
int xs_query_term(const char *term, size_t len, uint32_t wqf, struct xs_query **out,
                  struct xs_error *err);
/* Combines `n` subqueries with `op`. The subqueries are borrowed (copied): the caller
 * still frees them. `window` is used only by PHRASE and NEAR. */
int xs_query_combine(int op, struct xs_query *const *subs, size_t n, uint32_t window,
                     struct xs_query **out, struct xs_error *err);
/* All terms beginning with `prefix`, OR-ed (SYNONYM), at most `max_expansion` of them
 * (0: no limit); more is XS_E_INVALID with a message, reported by xs_db_search. */
int xs_query_wildcard(const char *prefix, size_t len, uint32_t max_expansion, struct xs_query **out,
                      struct xs_error *err);
/* Documents whose value in `slot` lies in [lo, hi] (byte-wise). An empty `hi` means
 * no upper bound. */
int xs_query_value_range(unsigned slot, const char *lo, size_t lo_len, const char *hi,
                         size_t hi_len, struct xs_query **out, struct xs_error *err);
/* Matches every document / no document. */
int xs_query_match_all(struct xs_query **out, struct xs_error *err);
int xs_query_match_nothing(struct xs_query **out, struct xs_error *err);
/* Applies a weight factor (e.g. 0 for a pure filter). */
int xs_query_scale(const struct xs_query *q, double factor, struct xs_query **out,
                   struct xs_error *err);
void xs_query_free(struct xs_query *q);
/* A human-readable description (Xapian's), truncated to fit `buf`. */
int xs_query_describe(const struct xs_query *q, char *buf, size_t buf_len, struct xs_error *err);

/* ---- running a query ------------------------------------------------------------ */

struct xs_mset;

struct xs_search_opts {
    uint32_t offset;         /* first result to return (0-based) */
    uint32_t count;          /* how many results to return */
    uint32_t check_at_least; /* make counts exact up to this many (use UINT32_MAX for exact) */
    int sort_slot;           /* -1: by relevance; otherwise by this value slot */
    int sort_descending;     /* with sort_slot: 1 for descending order */
};

/* Runs `q` on `db` with BM25 and returns a result set the caller frees. */
int xs_db_search(struct xs_db *db, const struct xs_query *q, const struct xs_search_opts *opts,
                 struct xs_mset **out, struct xs_error *err);
void xs_mset_free(struct xs_mset *ms);
/* Number of results held (at most opts.count). */
size_t xs_mset_size(const struct xs_mset *ms);
/* Match counts: the estimate, and its bounds (equal when exact). */
uint32_t xs_mset_estimated(const struct xs_mset *ms);
uint32_t xs_mset_lower_bound(const struct xs_mset *ms);
uint32_t xs_mset_upper_bound(const struct xs_mset *ms);
/* Per-result fields for 0 <= i < xs_mset_size(). rank is 0-based over the whole match. */
uint32_t xs_mset_docid(const struct xs_mset *ms, size_t i);
uint32_t xs_mset_rank(const struct xs_mset *ms, size_t i);
double xs_mset_weight(const struct xs_mset *ms, size_t i);
int xs_mset_percent(const struct xs_mset *ms, size_t i);
/* Document data / a value slot of result i, borrowed until the next call on `ms`. */
int xs_mset_data(struct xs_mset *ms, size_t i, const char **data, size_t *len,
                 struct xs_error *err);
int xs_mset_value(struct xs_mset *ms, size_t i, unsigned slot, const char **value, size_t *len,
                  struct xs_error *err);

/* ---- statistics for facets and corpus tables ------------------------------------ */

/* Calls `fn` for each term of document `docid` that begins with `prefix`, in term order,
 * with the term's wdf as the last argument (0 for boolean terms); a nonzero return stops
 * the walk. The term is borrowed for the duration of the call. */
int xs_db_doc_terms(struct xs_db *db, uint32_t docid, const char *prefix, size_t len, xs_term_fn fn,
                    void *ctx, struct xs_error *err);

/* Called for each document indexed by a term, with its wdf there. */
typedef int (*xs_posting_fn)(void *ctx, uint32_t docid, uint32_t wdf);

/* Calls `fn` for each document that `term` indexes, in docid order; a nonzero return
 * stops the walk. An absent term gives no call and success. */
int xs_db_postings(struct xs_db *db, const char *term, size_t len, xs_posting_fn fn, void *ctx,
                   struct xs_error *err);

/* The total wdf of `term` across the database (its number of occurrences). */
int xs_db_collection_freq(struct xs_db *db, const char *term, size_t len, uint64_t *out,
                          struct xs_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SHIM_XS_H */
