/*
 * document.c — bytes of a file → UTF-8 NFC text with a title (see pdx_document.h).
 *
 * Checks run in this order, so that the most telling diagnosis wins: a NUL byte or a
 * high share of C0 control bytes means BINARY (a UTF-16 file has NULs, so it lands here
 * until encodings other than UTF-8 are supported); then strict UTF-8 (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF, no truncated sequence); then NFC;
 * then EMPTY; then the title.
 */
#include "pdx_document.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* More than one control byte in BINARY_CTRL_RATIO (other than TAB LF VT FF CR) makes
 * the input binary. */
#define BINARY_CTRL_RATIO 100

/* ICU counts in int32_t and NFC may grow a string up to three times: inputs that need
 * ICU and are larger than this are refused (PDX_DOC_NOMEM). */
#define NFC_MAX_BYTES ((size_t)INT32_MAX / 4)

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Returns 1 if s[0, n) is strict UTF-8; otherwise 0 with *bad set to the offset of the
 * first byte that starts no valid sequence (the lead byte of a bad sequence, or a stray
 * continuation byte), so that s[0, *bad) is valid. *has_high is set when a code point
 * ≥ U+0300 occurs: below it every character is NFC as it stands. */
static int utf8_validate(const unsigned char *s, size_t n, size_t *bad, int *has_high)
{
    size_t i = 0;
    int high = 0;

    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            *bad = i; /* C0, C1, F5..FF or a stray continuation byte */
            return 0;
        }
        if (n - i <= need || s[i + 1] < lo || s[i + 1] > hi) {
            *bad = i;
            return 0;
        }
        for (size_t k = 2; k <= need; k++) {
            if (!is_cont(s[i + k])) {
                *bad = i;
                return 0;
            }
        }
        if (c >= 0xCC)
            high = 1;
        i += need + 1;
    }
    *has_high = high;
    return 1;
}

/* Returns 1 if s[0, n) looks binary, with *where the offset of its first NUL, or else of
 * its first control byte. */
static int looks_binary(const unsigned char *s, size_t n, size_t *where)
{
    const unsigned char *nul = memchr(s, '\0', n);
    if (nul != NULL) {
        *where = (size_t)(nul - s);
        return 1;
    }
    size_t ctrl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x20 && (c < '\t' || c > '\r')) {
            if (ctrl++ == 0)
                *where = i;
        }
    }
    return ctrl > n / BINARY_CTRL_RATIO;
}

/* Byte length of the white-space character at s[i] (0 if there is none). `newline`
 * says whether LF counts. Besides ASCII white space: NBSP, the U+2000 spaces, narrow
 * NBSP, medium mathematical space, ideographic space and a stray U+FEFF. */
static size_t space_len(const unsigned char *s, size_t i, size_t n, int newline)
{
    unsigned char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f')
        return 1;
    if (c == '\n')
        return newline ? 1 : 0;
    if (c == 0xC2 && i + 1 < n && s[i + 1] == 0xA0)
        return 2;
    if (i + 2 >= n)
        return 0;
    unsigned char c1 = s[i + 1], c2 = s[i + 2];
    if (c == 0xE2 && c1 == 0x80 && (c2 <= 0x8A || c2 == 0xAF))
        return 3;
    if ((c == 0xE2 && c1 == 0x81 && c2 == 0x9F) || (c == 0xE3 && c1 == 0x80 && c2 == 0x80) ||
        (c == 0xEF && c1 == 0xBB && c2 == 0xBF))
        return 3;
    return 0;
}

static int is_blank(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = space_len(s, i, n, 1);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* The first line that is not blank, trimmed. The text is known not to be blank. */
static void find_title(const unsigned char *s, size_t n, size_t *start, size_t *end)
{
    size_t line = 0;
    while (line < n) {
        const unsigned char *nl = memchr(s + line, '\n', n - line);
        size_t line_end = nl ? (size_t)(nl - s) : n;
        size_t b = line;
        size_t k;
        while (b < line_end && (k = space_len(s, b, line_end, 0)) > 0)
            b += k;
        if (b < line_end) {
            /* Trim the end by walking forward: white space is multi-byte at times. */
            size_t e = b, i = b;
            while (i < line_end) {
                k = space_len(s, i, line_end, 0);
                if (k > 0) {
                    i += k;
                } else {
                    i++;
                    while (i < line_end && is_cont(s[i]))
                        i++;
                    e = i;
                }
            }
            *start = b;
            *end = e;
            return;
        }
        line = line_end + 1;
    }
    *start = *end = 0;
}

static int copy_text(const char *s, size_t n, struct pdx_document *doc)
{
    doc->text = malloc(n + 1);
    if (doc->text == NULL)
        return PDX_DOC_NOMEM;
    memcpy(doc->text, s, n);
    doc->text[n] = '\0';
    doc->len = n;
    return PDX_DOC_OK;
}

/* Stores s[0, n) (valid UTF-8) into doc in NFC, byte for byte when already NFC. */
static int store_nfc(const char *s, size_t n, struct pdx_document *doc)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    if (U_FAILURE(st))
        return PDX_DOC_INTERNAL;
    if (n > NFC_MAX_BYTES)
        return PDX_DOC_NOMEM;

    int rc = PDX_DOC_INTERNAL;
    int32_t n16 = 0;
    UChar *u16 = malloc(((size_t)n + 1) * sizeof *u16); /* UTF-16 units ≤ UTF-8 bytes */
    UChar *norm = NULL;
    if (u16 == NULL)
        return PDX_DOC_NOMEM;
    u_strFromUTF8(u16, (int32_t)n + 1, &n16, s, (int32_t)n, &st);
    if (U_FAILURE(st))
        goto out;

    UNormalizationCheckResult qc = unorm2_quickCheck(nfc, u16, n16, &st);
    if (U_FAILURE(st))
        goto out;
    if (qc == UNORM_YES || (qc == UNORM_MAYBE && unorm2_isNormalized(nfc, u16, n16, &st))) {
        rc = U_FAILURE(st) ? PDX_DOC_INTERNAL : copy_text(s, n, doc);
        goto out;
    }
    if (U_FAILURE(st))
        goto out;

    int32_t cap = n16 + n16 / 2 + 16;
    for (;;) {
        norm = malloc((size_t)cap * sizeof *norm);
        if (norm == NULL) {
            rc = PDX_DOC_NOMEM;
            goto out;
        }
        int32_t got = unorm2_normalize(nfc, u16, n16, norm, cap, &st);
        if (st == U_BUFFER_OVERFLOW_ERROR) {
            free(norm);
            norm = NULL;
            st = U_ZERO_ERROR;
            cap = got;
            continue;
        }
        if (U_FAILURE(st))
            goto out;
        n16 = got;
        break;
    }

    int32_t n8 = 0;
    u_strToUTF8(NULL, 0, &n8, norm, n16, &st); /* preflight */
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
        goto out;
    st = U_ZERO_ERROR;
    doc->text = malloc((size_t)n8 + 1);
    if (doc->text == NULL) {
        rc = PDX_DOC_NOMEM;
        goto out;
    }
    u_strToUTF8(doc->text, n8 + 1, NULL, norm, n16, &st);
    if (U_FAILURE(st)) {
        free(doc->text);
        doc->text = NULL;
        goto out;
    }
    doc->len = (size_t)n8;
    doc->normalized = 1;
    rc = PDX_DOC_OK;
out:
    free(norm);
    free(u16);
    return rc;
}

int pdx_document_decode(const char *bytes, size_t len, struct pdx_document *doc,
                        size_t *error_offset)
{
    const unsigned char *u = (const unsigned char *)bytes;
    size_t bom = 0;
    size_t bad = 0;
    int has_high = 0;
    int rc;

    memset(doc, 0, sizeof *doc);
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        bom = 3;

    if (looks_binary(u + bom, len - bom, &bad)) {
        if (error_offset != NULL)
            *error_offset = bom + bad;
        return PDX_DOC_BINARY;
    }
    if (!utf8_validate(u + bom, len - bom, &bad, &has_high)) {
        if (error_offset != NULL)
            *error_offset = bom + bad;
        return PDX_DOC_INVALID_UTF8;
    }

    if (has_high)
        rc = store_nfc(bytes + bom, len - bom, doc);
    else
        rc = copy_text(bytes + bom, len - bom, doc);
    if (rc != PDX_DOC_OK) {
        pdx_document_free(doc);
        return rc;
    }
    if (is_blank((const unsigned char *)doc->text, doc->len)) {
        pdx_document_free(doc);
        return PDX_DOC_EMPTY;
    }
    find_title((const unsigned char *)doc->text, doc->len, &doc->title_start, &doc->title_end);
    doc->bom_len = bom;
    doc->encoding = bom ? "UTF-8 (BOM)" : "UTF-8";
    return PDX_DOC_OK;
}

void pdx_document_free(struct pdx_document *doc)
{
    if (doc == NULL)
        return;
    free(doc->text);
    memset(doc, 0, sizeof *doc);
}

const char *pdx_document_status_message(int status)
{
    switch (status) {
    case PDX_DOC_OK:
        return "ok";
    case PDX_DOC_INVALID_UTF8:
        return "invalid UTF-8";
    case PDX_DOC_BINARY:
        return "binary file";
    case PDX_DOC_EMPTY:
        return "empty document";
    case PDX_DOC_NOMEM:
        return "out of memory";
    case PDX_DOC_INTERNAL:
        return "internal error (ICU)";
    default:
        return "unknown status";
    }
}
