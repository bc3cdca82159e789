/*
 * pdx_query.h — the polidex query language: parsing, building a Xapian query, and
 * telling which words of a text the query matched (for snippets).
 *
 * Every word is analysed by the indexer's analyzer (pdx_analyzer.h), exactly as at
 * index time, so accents, elisions, ligatures, case and hyphens agree on both sides.
 *
 * Syntax (see the README for examples):
 *   word word      all words required (AND), ranked by BM25; a word matches its stem
 *   a OR b, a AND b, a NOT b, -word, +word, ( … )
 *   "a phrase"     the folded words in this order (stop words included); one quoted
 *                  word matches that exact folded form, without stemming
 *   a NEAR b, a NEAR/n b   the words within n positions (default 10), in any order
 *   hôp*           every folded word that begins with "hop"
 *   title:word     the word (or "phrase") in the title
 *   institution:OMS, pillar:csu, date:2023-11, date:2023..2025, path:corpus/x.txt
 *                  filters (see pdx_filters.h): no weight; values of one field are
 *                  OR-ed, different fields AND-ed
 * Operators are recognised only in capitals; in lower case they are ordinary words.
 */
#ifndef SEARCH_PDX_QUERY_H
#define SEARCH_PDX_QUERY_H

#include <stddef.h>

#include "pdx_analyzer.h"
#include "pdx_extract.h"
#include "xs.h"

/* Limits that keep a hostile query from exhausting memory or stack. */
#define PDX_QUERY_MAX_BYTES 16384
#define PDX_QUERY_MAX_DEPTH 32
#define PDX_QUERY_MAX_WORDS 256
#define PDX_QUERY_WILDCARD_MAX 1000

struct pdx_query;

/* A parse or build error: a one-line message and the byte offset in the query string
 * of the offending part. */
struct pdx_query_error {
    char message[640];
    size_t offset;
};

/* Parses `text` using analyzer `a` (borrowed: it must outlive the query). Returns the
 * parsed query, which the caller frees with pdx_query_free, or NULL with `err` filled
 * (syntax error, limit exceeded, out of memory). */
struct pdx_query *pdx_query_parse(struct pdx_analyzer *a, const char *text, size_t len,
                                  struct pdx_query_error *err);
/* The same, with an extractor (borrowed, may be NULL) that resolves the values of
 * institution: and pillar: to the ids the indexer stored. */
struct pdx_query *pdx_query_parse_ex(struct pdx_analyzer *a, struct pdx_extractor *ex,
                                     const char *text, size_t len, struct pdx_query_error *err);
/* The same, also expanding the institution names and acronyms of the index's own table
 * (`lx`, borrowed, may be NULL; see pdx_lexicon.h). */
struct pdx_lexicon;
struct pdx_query *pdx_query_parse_lx(struct pdx_analyzer *a, struct pdx_extractor *ex,
                                     const struct pdx_lexicon *lx, const char *text, size_t len,
                                     struct pdx_query_error *err);
void pdx_query_free(struct pdx_query *q);

/* Builds the Xapian query. Returns 0 and a query the caller frees with xs_query_free,
 * or -1 with `err` filled. */
int pdx_query_build(const struct pdx_query *q, struct xs_query **out, struct pdx_query_error *err);

/* Does a token of a document match a positive word of the query? Returns the index of
 * the query word it matches (0-based, < pdx_query_word_count), or -1. */
int pdx_query_match_token(const struct pdx_query *q, const struct pdx_token *tok);

/* Marks in `first` (256 entries, cleared here) the first byte of the stem of every word
 * that pdx_query_match_token compares by stem: only tokens starting with one of them
 * need stemming (see pdx_analyzer_stem_only). */
void pdx_query_stem_first_bytes(const struct pdx_query *q, unsigned char first[256]);

/* Fills `f` (cleared here) with the tokens pdx_query_match_token can match, by the first
 * bytes of their folded form: no other token needs folding (see
 * pdx_analyzer_report_only). */
void pdx_query_report_filter(const struct pdx_query *q, struct pdx_report_filter *f);

/* How many institution: and pillar: values the index's table did not know: with none,
 * parsing with an extractor gives the same filters as parsing without one. */
size_t pdx_query_unknown_names(const struct pdx_query *q);

/* Number of distinct positive query words (for snippet scoring). */
size_t pdx_query_word_count(const struct pdx_query *q);

/* Does the query filter (positively) on this exact filter term, e.g. "XIoms"? */
int pdx_query_filters_on(const struct pdx_query *q, const char *term);

/* Calls `fn` for each plain positive word of the query (not in a phrase, field or
 * wildcard), with its byte span in the query text and its folded form and stem. */
typedef void (*pdx_query_word_fn)(void *ctx, size_t start, size_t len, const char *folded,
                                  const char *stem);
void pdx_query_each_word(const struct pdx_query *q, pdx_query_word_fn fn, void *ctx);

/* Writes a readable account of how the query was understood (tokens, folded forms,
 * stems, operators) into `buf` (NUL-terminated, truncated to fit). */
void pdx_query_explain(const struct pdx_query *q, char *buf, size_t buf_len);

#endif /* SEARCH_PDX_QUERY_H */
