/*
 * open.c — opening indexes, sharded, stubbed or remote, as one reader (see pdx_open.h).
 */
#include "pdx_open.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "pdx_shards.h"

/* A stub file is a few lines; anything much larger is not one. */
#define STUB_MAX (1 << 20)
#define PATH_MAX_LEN 4096

struct opener {
    const struct pdx_open_opts *o;
    struct xs_db *all; /* the combined reader */
    size_t opened;     /* shards added */
    char *where;
    size_t where_len;
    struct xs_error *err;
    int depth;
    const char *stub; /* the stub being read, for messages */
    const char *base; /* its directory, for relative paths */
};

/* Fills err with `code` and the message `what` + `detail`. */
static void set_err(struct xs_error *err, int code, const char *what, const char *detail)
{
    if (!err)
        return;
    err->code = code;
    snprintf(err->message, sizeof err->message, "%s%s", what, detail);
}

static int open_path(struct opener *op, const char *path);

/* Adds one opened shard to the combined reader, after the caller's check. */
static int add_shard(struct opener *op, struct xs_db *db)
{
    int rc = 0;
    if (op->o && op->o->check)
        rc = op->o->check(op->o->ctx, db, op->where);
    if (rc == 0 && (rc = xs_db_add_db(op->all, db, op->err)) == 0)
        op->opened++;
    xs_db_close(db);
    return rc;
}

static int on_entry(void *ctx, const struct pdx_stub_entry *e)
{
    struct opener *op = ctx;
    char name[PATH_MAX_LEN];
    if (e->name_len >= sizeof name) {
        snprintf(op->where, op->where_len, "%s line %zu", op->stub, e->line_no);
        set_err(op->err, XS_E_OPENING, "name too long", "");
        return XS_E_OPENING;
    }
    memcpy(name, e->name, e->name_len);
    name[e->name_len] = '\0';
    if (e->kind == PDX_STUB_REMOTE) {
        snprintf(op->where, op->where_len, "%s:%u (%s line %zu)", name, e->port, op->stub,
                 e->line_no);
        struct xs_db *db = NULL;
        unsigned t = op->o ? op->o->timeout_ms : 10000;
        unsigned ct = op->o ? op->o->connect_timeout_ms : 10000;
        int rc = xs_db_open_remote(name, e->port, t, ct, &db, op->err);
        if (rc == XS_E_NETWORK && op->o && op->o->allow_partial) {
            if (op->o->warn)
                op->o->warn(op->o->ctx, op->where, op->err ? op->err->message : "unreachable");
            return 0;
        }
        return rc != 0 ? rc : add_shard(op, db);
    }
    /* A local path: relative to the stub's directory, as Xapian reads it. */
    char full[PATH_MAX_LEN];
    int n = name[0] == '/' ? snprintf(full, sizeof full, "%s", name)
                           : snprintf(full, sizeof full, "%s/%s", op->base, name);
    if (n < 0 || (size_t)n >= sizeof full) {
        snprintf(op->where, op->where_len, "%s line %zu", op->stub, e->line_no);
        set_err(op->err, XS_E_OPENING, "path too long", "");
        return XS_E_OPENING;
    }
    return open_path(op, full);
}

/* 1 when the stub has an entry this module leaves to Xapian (remote programs, inmemory). */
static int has_other(void *ctx, const struct pdx_stub_entry *e)
{
    (void)ctx;
    return e->kind == PDX_STUB_OTHER;
}

static int open_stub(struct opener *op, const char *stub, const char *base)
{
    if (op->depth >= PDX_OPEN_DEPTH_MAX) {
        snprintf(op->where, op->where_len, "%s", stub);
        set_err(op->err, XS_E_OPENING, "stubs nested too deep (a loop?)", "");
        return XS_E_OPENING;
    }
    FILE *f = fopen(stub, "rb");
    char *text = malloc(STUB_MAX + 1);
    size_t len = f && text ? fread(text, 1, STUB_MAX + 1, f) : 0;
    int readerr = !f || !text || ferror(f) || len > STUB_MAX;
    int saved = errno;
    if (f)
        fclose(f);
    if (readerr) {
        free(text);
        snprintf(op->where, op->where_len, "%s", stub);
        set_err(op->err, XS_E_OPENING,
                "cannot read the stub file: ", len > STUB_MAX ? "too large" : strerror(saved));
        return XS_E_OPENING;
    }
    size_t bad = 0;
    int rc = pdx_stub_parse(text, len, has_other, NULL, &bad);
    if (rc == 1) {
        /* Left to Xapian whole: its shards are not named one by one. */
        struct xs_db *db = NULL;
        snprintf(op->where, op->where_len, "%s", stub);
        rc = xs_db_open(stub, &db, op->err);
        rc = rc != 0 ? rc : add_shard(op, db);
    } else if (rc == 0) {
        const char *saved_stub = op->stub, *saved_base = op->base;
        op->stub = stub;
        op->base = base;
        op->depth++;
        rc = pdx_stub_parse(text, len, on_entry, op, &bad);
        op->depth--;
        op->stub = saved_stub;
        op->base = saved_base;
    }
    if (rc == -1) {
        char line[160];
        snprintf(line, sizeof line,
                 "%zu: not 'auto PATH', 'glass PATH', 'chert PATH' or 'remote HOST:PORT'", bad);
        snprintf(op->where, op->where_len, "%s", stub);
        set_err(op->err, XS_E_OPENING, "malformed stub file at line ", line);
        rc = XS_E_OPENING;
    }
    free(text);
    return rc;
}

static int open_path(struct opener *op, const char *path)
{
    struct stat st;
    char stub[PATH_MAX_LEN];
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        int n = snprintf(stub, sizeof stub, "%s/" PDX_SHARD_STUB, path);
        if (n > 0 && (size_t)n < sizeof stub && stat(stub, &st) == 0 && S_ISREG(st.st_mode))
            return open_stub(op, stub, path);
    } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        snprintf(stub, sizeof stub, "%s", path);
        char *slash = strrchr(stub, '/');
        if (slash == stub)
            stub[1] = '\0';
        else if (slash)
            *slash = '\0';
        else
            snprintf(stub, sizeof stub, ".");
        return open_stub(op, path, stub);
    }
    /* A database directory, or nothing: Xapian says which. */
    struct xs_db *db = NULL;
    snprintf(op->where, op->where_len, "%s", path);
    int rc = xs_db_open(path, &db, op->err);
    return rc != 0 ? rc : add_shard(op, db);
}

static int open_once(const char *const *paths, size_t n, const struct pdx_open_opts *o,
                     struct xs_db **out, char *where, size_t where_len, struct xs_error *err)
{
    char scratch[8];
    if (where == NULL || where_len == 0) {
        where = scratch;
        where_len = sizeof scratch;
    }
    where[0] = '\0';
    *out = NULL;
    struct opener op = {.o = o, .where = where, .where_len = where_len, .err = err};
    int rc = xs_db_new(&op.all, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        op.stub = paths[i];
        rc = open_path(&op, paths[i]);
    }
    if (rc == 0 && op.opened == 0) {
        snprintf(where, where_len, "%s", n ? paths[0] : "");
        set_err(err, XS_E_OPENING, "no shard could be opened", "");
        rc = XS_E_OPENING;
    }
    if (rc != 0) {
        xs_db_close(op.all);
        return rc;
    }
    *out = op.all;
    return 0;
}

/* A rebuild swaps the new index in with one rename; a reader that opens the index's
 * files at that very moment may see some from each side, which Xapian refuses. Trying
 * again a moment later finds one whole index. */
#define OPEN_TRIES 4

int pdx_index_open(const char *const *paths, size_t n, const struct pdx_open_opts *o,
                   struct xs_db **out, char *where, size_t where_len, struct xs_error *err)
{
    int rc = 0;
    for (int t = 0; t < OPEN_TRIES; t++) {
        rc = open_once(paths, n, o, out, where, where_len, err);
        if (rc != XS_E_OPENING && rc != XS_E_CORRUPT && rc != XS_E_MODIFIED)
            return rc;
        struct timespec pause = {0, 20 * 1000 * 1000L * (t + 1)};
        nanosleep(&pause, NULL);
    }
    return rc;
}
