/*
 * pdx_lexicon.h — the index's own table of institution names and acronyms.
 *
 * polidex-index stores, with each document, the names of the institutions it mentions
 * (XN terms: id, canonical name, acronym), including acronyms a document defines itself
 * (« … universelle (CSU) »). At query time this table lets an acronym find the documents
 * that spell the name out, and the reverse, for institutions the compiled gazetteer does
 * not know. Keys are folded words joined by single spaces (pdx_name_key), so that they
 * compare the way the analyzer sees text; each lookup is one seek in the index. Pillar labels (XL
 * terms) are read too, so that pillar: values resolve without starting the extractors.
 */
#ifndef SEARCH_PDX_LEXICON_H
#define SEARCH_PDX_LEXICON_H

#include <stddef.h>

#include "pdx_analyzer.h"
#include "xs.h"

struct pdx_lexicon;

/* A lexicon over `db` (borrowed; it must outlive the lexicon). Returns it (the caller
 * frees it with pdx_lexicon_free), or NULL with `err` filled when out of memory. */
struct pdx_lexicon *pdx_lexicon_load(struct pdx_analyzer *a, struct xs_db *db,
                                     struct xs_error *err);
void pdx_lexicon_free(struct pdx_lexicon *lx);

enum pdx_lexicon_kind { PDX_LEXICON_INSTITUTION = 0, PDX_LEXICON_PILLAR = 1 };

/* Room for any id. */
#define PDX_LEXICON_ID_MAX 256

/* Finds the id of the institution (name or acronym) or pillar (label) that is exactly
 * `text` (compared folded, word by word) and writes it into `id` (NUL-terminated).
 * Returns 1 when found, 0 when not (or when `lx` is NULL, or on an index error: a
 * lookup that fails only loses an expansion). */
int pdx_lexicon_find(const struct pdx_lexicon *lx, struct pdx_analyzer *a, int kind,
                     const char *text, size_t len, char *id, size_t id_len);

#endif /* SEARCH_PDX_LEXICON_H */
