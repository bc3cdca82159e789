/*
 * pdx_snippet.h — the passage of a document that best shows why it matched.
 *
 * The stored text's tokens are folded and stemmed again by the indexer's analyzer, so a
 * word is highlighted where it really occurs, in whatever form it was written (« l’OMS »,
 * « Hôpital », « œuvre », a plural that shares the query's stem). Where the tokens are
 * comes from the span table the indexer stored with the text (pdx_spans.h); without
 * one (spans NULL) or with one that does not fit, the text is word-broken again.
 */
#ifndef SEARCH_PDX_SNIPPET_H
#define SEARCH_PDX_SNIPPET_H

#include <stddef.h>

#include "pdx_analyzer.h"
#include "pdx_query.h"

/* Highlighted spans at most per snippet. */
#define PDX_SNIPPET_MAX_HIGHLIGHTS 64

struct pdx_snippet {
    char *text; /* owned: the passage, white space collapsed, "…" where cut */
    size_t len;
    size_t nhl; /* highlighted spans: byte ranges of `text` */
    size_t hl_start[PDX_SNIPPET_MAX_HIGHLIGHTS];
    size_t hl_end[PDX_SNIPPET_MAX_HIGHLIGHTS];
    size_t doc_start, doc_end; /* the passage's byte range in the document */
};

/* Chooses the passage of about `width` bytes of `text` holding the most distinct query
 * words (the start of the document when none occurs) and fills `out` (zeroed by the
 * caller, released with pdx_snippet_free). Returns 0, or -1 when out of memory or when
 * the analyzer fails. */
int pdx_snippet_make(struct pdx_analyzer *a, const struct pdx_query *q, const char *text,
                     size_t len, const unsigned char *spans, size_t spans_len, size_t width,
                     struct pdx_snippet *out);
void pdx_snippet_free(struct pdx_snippet *s);

/* Calls `fn` with the byte span of every word of `text` that the query matches, in
 * text order (for keyword-in-context lines); a nonzero return stops. Returns 0, the
 * callback's value, or -1 when the analyzer fails. */
typedef int (*pdx_match_fn)(void *ctx, size_t start, size_t end);
int pdx_snippet_each_match(struct pdx_analyzer *a, const struct pdx_query *q, const char *text,
                           size_t len, const unsigned char *spans, size_t spans_len,
                           pdx_match_fn fn, void *ctx);

#endif /* SEARCH_PDX_SNIPPET_H */
