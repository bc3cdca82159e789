/*
 * pdx_lexicon.h — the index's own table of institution names and acronyms.
 *
 * polidex-index stores, with each document, the names of the institutions it mentions
 * (XN terms: id, canonical name, acronym), including acronyms a document defines itself
 * (« … universelle (CSU) »). At query time this table lets an acronym find the documents
 * that spell the name out, and the reverse, for institutions the compiled gazetteer does
 * not know. Keys are folded words joined by single spaces, so that they compare the way
 * the analyzer sees text. Pillar labels (XL terms) are read too, so that pillar: values
 * resolve without starting the extractors.
 */
#ifndef SEARCH_PDX_LEXICON_H
#define SEARCH_PDX_LEXICON_H

#include <stddef.h>

#include "pdx_analyzer.h"
#include "xs.h"

struct pdx_lexicon;

/* Reads the table from `db`. Returns it (the caller frees it with pdx_lexicon_free), or
 * NULL with `err` filled on an index error or when out of memory. */
struct pdx_lexicon *pdx_lexicon_load(struct pdx_analyzer *a, struct xs_db *db,
                                     struct xs_error *err);
void pdx_lexicon_free(struct pdx_lexicon *lx);

enum pdx_lexicon_kind { PDX_LEXICON_INSTITUTION = 0, PDX_LEXICON_PILLAR = 1 };

/* The id of the institution (name or acronym) or pillar (label) that is exactly `text`
 * (compared folded, word by word), or NULL. The id is borrowed from the lexicon. */
const char *pdx_lexicon_find(const struct pdx_lexicon *lx, struct pdx_analyzer *a, int kind,
                             const char *text, size_t len);

#endif /* SEARCH_PDX_LEXICON_H */
