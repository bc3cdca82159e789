/*
 * pdx_docbuild.h — turning a decoded document into the Xapian document polidex stores.
 *
 * This is where the index schema of pdx_schema.h is applied: the analyzer's tokens
 * become positioned words and Z stems, the title becomes S terms, the path the unique
 * Q term, and the value slots (the stored document among them) are filled. Extracted
 * mentions become filter terms: every calendar date mentioned (and the document's own
 * date) as Y, M and D terms at the precision it was written, every institution as XI+id
 * and every pillar as XP+id, each with a wdf equal to its number of mentions (so that
 * corpus tables can count mentions without re-reading documents). It builds the
 * document only; writing it is the caller's business.
 */
#ifndef INDEXER_PDX_DOCBUILD_H
#define INDEXER_PDX_DOCBUILD_H

#include <stddef.h>

#include "pdx_analyzer.h"
#include "pdx_document.h"
#include "pdx_extract.h"
#include "xs.h"

/* Xapian refuses terms over 245 bytes; unique-id terms stay under this. */
#define PDX_IDTERM_MAX 240

struct pdx_docbuild_input {
    const char *path;                        /* document id: the path as given, NUL-terminated */
    const struct pdx_document *doc;          /* decoded text and title */
    const char *hash;                        /* content hash, 16 hex digits, NUL-terminated */
    long long size;                          /* source size in bytes */
    long long mtime;                         /* source modification time */
    const char *date;                        /* document date YYYY-MM-DD, or NULL: then the
                                                extraction's own document date, if any */
    const struct pdx_extraction *extraction; /* what the extractors found, or NULL */
};

/* Writes the unique-id term of `path` ("Q" + path; a long path is cut and ended by a
 * hash of the whole path so ids stay unique) into `out` (NUL-terminated; at least
 * PDX_IDTERM_MAX + 1 bytes). Returns its length. */
size_t pdx_idterm(const char *path, char *out, size_t out_len);

/* Writes the key under which a name, acronym or label is looked up: its words, folded
 * by the analyzer, joined by single spaces, elided articles and joined compounds left
 * out (« l’Organisation mondiale de la santé » → "organisation mondiale de la sante").
 * Returns the key's length, or 0 when it is empty or does not fit in `out`. */
size_t pdx_name_key(struct pdx_analyzer *a, const char *text, size_t len, char *out,
                    size_t out_len);

/* Fills `out` (cleared first) from `in`. Returns 0, or -1 with a one-line reason in
 * `errbuf` (a shim error or an analyzer failure). */
int pdx_docbuild(struct pdx_analyzer *a, const struct pdx_docbuild_input *in, struct xs_doc *out,
                 char *errbuf, size_t errbuf_len);

#endif /* INDEXER_PDX_DOCBUILD_H */
