/*
 * pdx_filters.h — turning a field's value (institution:, pillar:, date:, path:) into the
 * filter terms of the index schema (pdx_schema.h).
 *
 * Institutions and pillars are resolved with the very extractor that indexed them, so
 * `institution:OMS`, `institution:"Organisation mondiale de la santé"` and
 * `institution:oms` give the same id. Dates and date ranges become the fewest Y, M and
 * D terms that cover them exactly.
 */
#ifndef SEARCH_PDX_FILTERS_H
#define SEARCH_PDX_FILTERS_H

#include <stddef.h>

#include "pdx_analyzer.h"
#include "pdx_extract.h"
#include "pdx_lexicon.h"

enum pdx_field {
    PDX_FIELD_INSTITUTION = 1,
    PDX_FIELD_PILLAR = 2,
    PDX_FIELD_DATE = 3,
    PDX_FIELD_PATH = 4
};

/* Most terms one filter may expand to (a date range over centuries is refused). */
#define PDX_FILTER_MAX_TERMS 2000

/* The terms a filter value stands for, OR-ed: owned, freed by pdx_filter_terms_free.
 * `prefix_match` is set when the single term is a prefix to expand (path:dir/). */
struct pdx_filter_terms {
    char **terms;
    size_t n;
    int prefix_match;
    char resolved[160]; /* a readable account for --explain: "oms (Organisation …)" */
    int unknown_name;   /* an institution or pillar the index's table did not know (the
                           extractor, when given, was asked next) */
};

/* Resolves `value` for `field`: through the index's own table `lx` first, then the
 * extractor `ex`, then as an id derived from the value itself (`lx` and `ex` may be
 * NULL). Returns 0, or -1 with a one-line reason in `errbuf` (an impossible date or
 * range, an empty value, out of memory). */
int pdx_filter_terms(struct pdx_analyzer *a, const struct pdx_lexicon *lx, struct pdx_extractor *ex,
                     int field, const char *value, size_t len, struct pdx_filter_terms *out,
                     char *errbuf, size_t errbuf_len);
void pdx_filter_terms_free(struct pdx_filter_terms *t);

/* Parses a field name ("institution", "pillar", "date", "path", "doc"); returns its
 * PDX_FIELD_* value or 0. */
int pdx_field_from_name(const char *name, size_t len);

#endif /* SEARCH_PDX_FILTERS_H */
