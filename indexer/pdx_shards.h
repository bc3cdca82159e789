/*
 * pdx_shards.h — a polidex index split into shards, and Xapian stub files.
 *
 * A sharded index is a directory holding the shard databases shard0 … shardN-1 and a
 * Xapian stub file named XAPIANDB that lists them ("auto shard0", one line each), so
 * that Xapian — and every polidex program — opens the directory as one database. Each
 * document lives in the shard chosen by a stable hash of its unique id, so that an update
 * finds it again. Nothing here touches an index: these are functions over bytes.
 *
 * Stub files (Xapian 1.4 syntax, one database a line; blank lines and '#' comments are
 * ignored; relative paths are relative to the stub file's directory):
 *   auto PATH | glass PATH | chert PATH   a local database (or another stub)
 *   remote HOST:PORT                      a database served by xapian-tcpsrv
 *   remote :PROGRAM ARGS…                 a database served by a program on stdin/stdout
 *   inmemory                              an empty in-memory database
 */
#ifndef INDEXER_PDX_SHARDS_H
#define INDEXER_PDX_SHARDS_H

#include <stddef.h>
#include <stdint.h>

#define PDX_SHARD_STUB "XAPIANDB" /* the stub file inside a sharded index directory */
#define PDX_SHARD_PREFIX "shard"  /* shard directories: shard0, shard1, … */
#define PDX_SHARDS_MAX 64

/* The shard (0 <= result < nshards) of the document whose unique id is id[0, len): the
 * 64-bit FNV-1a hash of the id modulo nshards. Stable across runs, machines and
 * versions: changing it would strand every document of an existing sharded index. */
uint32_t pdx_shard_of(const char *id, size_t len, uint32_t nshards);

enum pdx_stub_kind {
    PDX_STUB_LOCAL = 0,  /* auto/glass/chert PATH: `name` is the path */
    PDX_STUB_REMOTE = 1, /* remote HOST:PORT: `name` is the host, `port` the port */
    PDX_STUB_OTHER = 2   /* remote :PROGRAM…, inmemory: left to Xapian */
};

/* One database named by a stub file. Pointers borrow from the parsed text. */
struct pdx_stub_entry {
    int kind;
    const char *name; /* path or host, not NUL-terminated */
    size_t name_len;
    unsigned port;    /* PDX_STUB_REMOTE only */
    const char *line; /* the whole line, for messages */
    size_t line_len;
    size_t line_no; /* 1-based */
};

/* Called for each entry in order; a nonzero return stops the parse and is returned. */
typedef int (*pdx_stub_fn)(void *ctx, const struct pdx_stub_entry *e);

/* Parses a stub file's text. Returns 0 when every line was read (an empty stub has no
 * entries), the callback's nonzero value when it stopped, or -1 on a line Xapian would
 * reject (unknown type, missing path, bad port), whose number goes to *bad_line. */
int pdx_stub_parse(const char *text, size_t len, pdx_stub_fn fn, void *ctx, size_t *bad_line);

#endif /* INDEXER_PDX_SHARDS_H */
