/*
 * pdx_spelling.h — "did you mean": corrections built from the index's own vocabulary.
 *
 * A word that the index does not hold is compared with the indexed words (folded forms,
 * with positions) that share its first letter, by edit distance (insertions, deletions,
 * substitutions and swaps of neighbours); the closest, then the most frequent, wins. The
 * suggestion is given as written in a document (« coopération », not « cooperation »).
 */
#ifndef SEARCH_PDX_SPELLING_H
#define SEARCH_PDX_SPELLING_H

#include <stddef.h>

#include "pdx_analyzer.h"
#include "xs.h"

/* Largest edit distance accepted for a suggestion (1 for words of 4 letters or fewer). */
#define PDX_SPELL_MAX_DISTANCE 2

/* Suggests a correction for the folded word `folded`. Writes the suggestion, as it is
 * written in an indexed document, into `out` (NUL-terminated) and returns 1; returns 0
 * when the word is indexed or nothing is close enough, -1 on an index error. */
int pdx_spell_suggest(struct pdx_analyzer *a, struct xs_db *db, const char *folded, char *out,
                      size_t out_len);

#endif /* SEARCH_PDX_SPELLING_H */
