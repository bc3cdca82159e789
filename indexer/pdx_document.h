/*
 * pdx_document.h — turning the bytes of a file into the text polidex analyses.
 *
 * A document is UTF-8 text in Unicode NFC; its title is its first non-empty line
 * (trimmed of white space; a line ends at LF, CR LF or a lone CR). Valid UTF-8 that is
 * already NFC is kept byte for byte (only a BOM is dropped), so that offsets into the
 * text are offsets into the file plus `bom_len`; line endings are left as they are (CR
 * is white space to the analyzer).
 *
 * Other encodings are converted to UTF-8 (then `converted` is 1 and offsets are into the
 * converted text): UTF-16 with a byte-order mark (either byte order), and legacy 8-bit
 * text that ICU's charset detector recognises as ISO-8859-1 or Windows-1252 with enough
 * confidence. Input that is not valid UTF-8 but contains valid multi-byte UTF-8
 * sequences is damaged UTF-8, never guessed to be Latin-1. Decoding never mangles
 * silently: invalid input is reported with what is wrong and where (byte offset in the
 * original bytes).
 */
#ifndef INDEXER_PDX_DOCUMENT_H
#define INDEXER_PDX_DOCUMENT_H

#include <stddef.h>

/* Outcome of decoding. */
enum pdx_doc_status {
    PDX_DOC_OK = 0,
    PDX_DOC_INVALID_UTF8 = 1, /* `error_offset` is the first bad byte */
    PDX_DOC_BINARY = 2,       /* looks like a binary file (NUL bytes, control bytes) */
    PDX_DOC_EMPTY = 3,        /* nothing but white space */
    PDX_DOC_NOMEM = 4,
    PDX_DOC_INTERNAL = 5,     /* an ICU failure */
    PDX_DOC_INVALID_UTF16 = 6 /* UTF-16 with a BOM: `error_offset` is the bad code unit */
};

struct pdx_document {
    char *text;         /* owned: UTF-8, NFC, NUL-terminated */
    size_t len;         /* bytes in text, without the NUL */
    size_t title_start; /* the title is text[title_start, title_end) */
    size_t title_end;
    size_t bom_len;       /* bytes of byte-order mark dropped from the start (0 or 3) */
    int normalized;       /* 1 when NFC changed the text (offsets no longer match) */
    const char *encoding; /* static: "UTF-8", "UTF-8 (BOM)", "UTF-16LE (BOM)",
                             "ISO-8859-1 (detected)", "windows-1252 (detected)", … */
    int converted;        /* 1 when converted from another encoding (see above) */
};

/* Decodes `len` bytes into `doc` (which the caller zero-initialises and later releases
 * with pdx_document_free). On failure returns a PDX_DOC_* status, sets *error_offset
 * (may be NULL) where meaningful, and leaves `doc` empty. */
int pdx_document_decode(const char *bytes, size_t len, struct pdx_document *doc,
                        size_t *error_offset);

/* Releases what `doc` owns; leaves it zeroed. Accepts a zeroed document. */
void pdx_document_free(struct pdx_document *doc);

/* Returns the length of the longest prefix of s[0, n) that is strict UTF-8 (n when all
 * of it is). Useful to check or display file names. */
size_t pdx_utf8_valid_prefix(const char *s, size_t n);

/* A short static message for a PDX_DOC_* status ("invalid UTF-8", …). */
const char *pdx_document_status_message(int status);

#endif /* INDEXER_PDX_DOCUMENT_H */
