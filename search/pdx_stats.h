/*
 * pdx_stats.h — counting what the matching documents hold: facets (institutions,
 * pillars, years among the results) and corpus tables (one row per institution, pillar
 * or year, with documents, mentions and the first and last document dates).
 *
 * Everything is read from the index's filter terms (XI, XP, Y with their wdf as the
 * number of mentions, XN/XL for names) and the document-date value slot, so a table
 * costs one pass over the matching documents' term lists, never a re-analysis.
 */
#ifndef SEARCH_PDX_STATS_H
#define SEARCH_PDX_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "xs.h"

enum pdx_stats_kind { PDX_STATS_INSTITUTION, PDX_STATS_PILLAR, PDX_STATS_YEAR };

/* Most matching documents a facet or table looks at. */
#define PDX_STATS_MAX_DOCS 1000000u

struct pdx_stats_row {
    char *id;      /* owned: institution id, pillar id or year */
    char *name;    /* owned: canonical name / label, or NULL */
    char *acronym; /* owned, or NULL */
    uint32_t docs; /* matching documents that mention it */
    uint64_t mentions;
    char first[9], last[9]; /* earliest and latest document date YYYYMMDD, or "" */
};

struct pdx_stats {
    struct pdx_stats_row *rows; /* owned, sorted by docs (desc), then mentions, then id */
    size_t n, cap;
    uint32_t docs_seen; /* matching documents examined */
    int truncated;      /* 1 when more than PDX_STATS_MAX_DOCS matched */
};

/* Parses "institution(s)", "pillar(s)", "year(s)"; returns the kind or -1. */
int pdx_stats_kind_from_name(const char *name);
/* The singular name of a kind ("institution" …). */
const char *pdx_stats_kind_name(int kind);

/* Counts `kind` over the documents matching `q` (NULL: every document) into `out`
 * (zeroed by the caller, released with pdx_stats_free). Returns 0, or -1 with the shim's
 * error in `err`. */
int pdx_stats_count(struct xs_db *db, const struct xs_query *q, int kind, struct pdx_stats *out,
                    struct xs_error *err);
void pdx_stats_free(struct pdx_stats *s);

#endif /* SEARCH_PDX_STATS_H */
