/*
 * pdx_schema.h — what a polidex index holds, in one place.
 *
 * Term prefixes follow Xapian's and Omega's conventions where one exists. The index
 * records the schema and analyzer versions in its metadata; a program that finds other
 * versions refuses to mix terms and tells the user to rebuild.
 *
 *   word          folded word, positioned (phrases, NEAR)
 *   Z<stem>       stem of the folded word (what plain word queries match)
 *   Q<id>         unique document id: the path as given to polidex-index
 *   S<word>       folded title words (positioned from 1 within the title)
 *   XA<word>      lower-case word with its accents, for words written with accents or
 *                 ligatures only (exact-accent queries: =pêche)
 *   D<YYYYMMDD>, M<YYYYMM>, Y<YYYY>   dates mentioned in / dated for the document
 *   XI<id>        institution canonical id;  XP<id>  pillar id (wdf = mentions)
 *   XN<id>\t<name>\t<acronym>   the institution's names, for tables and acronym
 *                 expansion at query time (boolean; the table lives with the documents,
 *                 so it stays right however the index is updated)
 *   XL<id>\t<label>             a pillar's label (boolean)
 *   XK<kind><key>\t<id>          a name, acronym (kind i) or pillar label (kind p)
 *                 as a key of folded words joined by spaces, pointing to its id: a query
 *                 resolves « OMS » or « Organisation mondiale de la santé » in one
 *                 B-tree lookup (boolean)
 *   XK<kind><key>  the key alone (boolean), which a query asks about each of its words
 *                 first: an exact term is looked up with the cursor the search uses
 *                 anyway, where listing the terms that begin with a key takes a cursor of
 *                 its own (0.1 ms and five fresh pages of a search's 7 ms)
 *
 * The stored document (see pdx_docdata_*), in value slot PDX_SLOT_DOC: "polidex3" NUL
 * path NUL title NUL date NUL spans-length NUL spans text, where spans-length is the
 * byte length of the token span table (pdx_spans.h) in decimal, or empty when the
 * document has none. Xapian's own document data is left empty: Xapian compresses it
 * with zlib, with no way to turn that off, so that every search inflated each document
 * it showed (a tenth of its instructions) and the index writer deflated all the text of
 * the corpus. A value is stored as it is given: the index is a quarter larger (still
 * smaller than omindex's), and both searching and indexing are faster (BENCHMARKS.md).
 *
 * A large stored document (PDX_DOCDATA_SPLIT bytes or more) is split. Xapian keeps a
 * slot's values in chunks of consecutive documents, a chunk ending with the value that
 * takes it to 2000 bytes, and reading one value reads its whole chunk: a short document
 * followed by a 50 KB one cost a search the 50 KB. So PDX_SLOT_DOC holds only its head
 * ("polidexh" instead of "polidex3": the same fields, the text cut to its first
 * PDX_DOCDATA_HEAD_TEXT bytes, no span table), and PDX_SLOT_BODY the whole stored
 * document; every value in PDX_SLOT_BODY is over 2000 bytes, so each is a chunk of its
 * own, and the chunks of PDX_SLOT_DOC hold small values only. A search reads the head
 * of each document it shows, and the body only when it needs the whole text.
 */
#ifndef INDEXER_PDX_SCHEMA_H
#define INDEXER_PDX_SCHEMA_H

#include <stddef.h>

#define PDX_SCHEMA_VERSION "7"

#define PDX_PREFIX_STEM "Z"
#define PDX_PREFIX_ID "Q"
#define PDX_PREFIX_TITLE "S"
#define PDX_PREFIX_ACCENTED "XA"
#define PDX_PREFIX_DAY "D"
#define PDX_PREFIX_MONTH "M"
#define PDX_PREFIX_YEAR "Y"
#define PDX_PREFIX_INSTITUTION "XI"
#define PDX_PREFIX_PILLAR "XP"
#define PDX_PREFIX_INSTITUTION_NAME "XN"
#define PDX_PREFIX_PILLAR_LABEL "XL"
#define PDX_PREFIX_NAME_KEY "XK"
#define PDX_NAME_KEY_INSTITUTION 'i'
#define PDX_NAME_KEY_PILLAR 'p'

/* Value slots. */
enum pdx_slot {
    PDX_SLOT_DATE = 0,  /* document date, YYYYMMDD (sortable); absent when unknown */
    PDX_SLOT_HASH = 1,  /* content hash of the source bytes, 16 hex digits */
    PDX_SLOT_TITLE = 2, /* not written: the title is in the stored document (indexes built
                           before 2026-11-23 hold a copy here that nothing reads) */
    PDX_SLOT_PATH = 3,  /* path as indexed */
    PDX_SLOT_SIZE = 4,  /* source size in bytes, decimal */
    PDX_SLOT_MTIME = 5, /* source modification time, seconds since the epoch, decimal */
    PDX_SLOT_DOC = 6,   /* the stored document, or its head when it is large */
    PDX_SLOT_BODY = 7   /* a large document's whole stored document; absent otherwise */
};

/* Metadata keys. */
#define PDX_META_SCHEMA "polidex.schema"
#define PDX_META_ANALYZER "polidex.analyzer"
#define PDX_META_TOOL "polidex.tool"
#define PDX_META_BUILT "polidex.built"
#define PDX_META_MODE "polidex.mode"

#define PDX_TOOL_VERSION "0.1.0"

/* The fields of a stored document; pointers borrow from the stored bytes. */
struct pdx_docdata {
    const char *path;
    size_t path_len;
    const char *title;
    size_t title_len;
    const char *date; /* YYYY-MM-DD or empty */
    size_t date_len;
    const unsigned char *spans; /* the token span table, NULL when there is none */
    size_t spans_len;
    const char *text;
    size_t text_len;
    int head; /* a large document's head: the text's beginning only, no span table */
};

#define PDX_DOCDATA_MAGIC "polidex3"
#define PDX_DOCDATA_HEAD_MAGIC "polidexh"
/* Stored documents of this many bytes or more are split into head and body; it is over
 * Xapian's value chunk size (2000 bytes), so that each body fills a chunk of its own. */
#define PDX_DOCDATA_SPLIT 2048
/* The text a head keeps, in bytes (less, to end on a character): more than a snippet
 * shows when it shows a document's beginning (a query of filters only). */
#define PDX_DOCDATA_HEAD_TEXT 320

/* The head of stored document `d`, borrowing from it: the same fields, the text cut to
 * PDX_DOCDATA_HEAD_TEXT bytes at most on a character boundary, no span table. */
struct pdx_docdata pdx_docdata_head(const struct pdx_docdata *d);

/* Encodes `d` (a head when d->head) into a new heap buffer (*out, *out_len; the caller
 * frees it). Returns 0, or -1 when out of memory or when path, title or date contain a
 * NUL byte. */
int pdx_docdata_encode(const struct pdx_docdata *d, char **out, size_t *out_len);

/* Splits a stored document into its fields (borrowing from `data`). Returns 0, or -1
 * when it was not written by this schema. */
int pdx_docdata_decode(const char *data, size_t len, struct pdx_docdata *d);

/* Reads one metadata key of an index: returns 0 and its value (borrowed; empty when
 * absent), or nonzero when the index cannot be read. */
typedef int (*pdx_meta_fn)(void *ctx, const char *key, const char **value, size_t *len);

/* Compares the schema and analyzer versions an index records with this build's, the one
 * place that decides whether an index's terms can be used. With `empty_ok`, an index that
 * records none (new and empty) agrees. Returns 0 when they agree; 1 when one differs,
 * with "built by schema version '1', this is version 2" in `why`; -1 when `get` failed. */
int pdx_check_versions(pdx_meta_fn get, void *ctx, int empty_ok, char *why, size_t why_len);

/* A 64-bit FNV-1a hash of `len` bytes, written as 16 lower-case hex digits plus NUL into
 * `out` (17 bytes). Used to tell changed files from unchanged ones. */
void pdx_content_hash(const char *bytes, size_t len, char out[17]);

#endif /* INDEXER_PDX_SCHEMA_H */
