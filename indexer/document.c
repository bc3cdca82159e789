/*
 * document.c — bytes of a file → UTF-8 NFC text with a title (see pdx_document.h).
 *
 * A UTF-16 byte-order mark selects UTF-16, decoded here (a NUL or a high share of
 * control characters means BINARY, an unpaired surrogate or an odd byte INVALID_UTF16).
 * Otherwise checks run in this order, so that the most telling diagnosis wins: a NUL
 * byte or a high share of C0 control bytes means BINARY; then strict UTF-8 (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF, no truncated sequence) — input
 * that fails it without a UTF-8 BOM and without a single valid multi-byte sequence is
 * offered to ICU's charset detector, and converted when it is Latin-1 or Windows-1252;
 * then NFC; then EMPTY; then the title.
 */
#include "pdx_document.h"
#include "pdx_icu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* More than one control byte in BINARY_CTRL_RATIO (other than TAB LF VT FF CR) makes
 * the input binary. */
#define BINARY_CTRL_RATIO 100

/* ICU counts in int32_t and NFC may grow a string up to three times: inputs that need
 * ICU and are larger than this are refused (PDX_DOC_NOMEM). */
#define NFC_MAX_BYTES ((size_t)INT32_MAX / 4)

/* The charset detector's confidence (0-100) needed to convert legacy 8-bit text. Short
 * French phrases in Latin-1 score 90 and more; a stray byte in ASCII text scores 50 or
 * less, and is better reported than guessed. */
#define LEGACY_MIN_CONFIDENCE 60

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

/* The end of the line starting at `from`: the next LF or CR, or n. */
static size_t line_end_at(const unsigned char *s, size_t from, size_t n)
{
    size_t i = from;
    while (i < n && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

/* The first line that is not blank, trimmed. Lines end at LF, CR LF or a lone CR (old
 * Mac files). The text is known not to be blank. */
static void find_title(const unsigned char *s, size_t n, size_t *start, size_t *end)
{
    size_t line = 0;
    while (line < n) {
        size_t line_end = line_end_at(s, line, n);
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

/* Is valid UTF-8 s[0, n) NFC by construction? True when every character is below
 * U+0300 (no combining mark, nothing with a canonical decomposition that NFC would
 * recompose differently) or one of the punctuation French text uses — U+2010–U+2027
 * (dashes, quotes, bullet, ellipsis), U+202F, U+2030–U+205E, U+20AC, U+2122 — all
 * NFC_Quick_Check=Yes. Most documents pass, and skip the UTF-16 round trip. */
static int surely_nfc(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c < 0x80) {
            i++;
        } else if (c < 0xCC) { /* two bytes, U+0080..U+02FF */
            i += 2;
        } else if (c == 0xE2 && i + 2 < n) {
            unsigned cp = ((c & 0x0Fu) << 12) | ((u[i + 1] & 0x3Fu) << 6) | (u[i + 2] & 0x3Fu);
            if (!((cp >= 0x2010 && cp <= 0x2027) || cp == 0x202F ||
                  (cp >= 0x2030 && cp <= 0x205E) || cp == 0x20AC || cp == 0x2122))
                return 0;
            i += 3;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Stores s[0, n) (valid UTF-8) into doc in NFC, byte for byte when already NFC. */
static int store_nfc(const char *s, size_t n, struct pdx_document *doc)
{
    if (surely_nfc(s, n))
        return copy_text(s, n, doc);
    const struct pdx_icu *icu = pdx_icu();
    if (icu == NULL)
        return PDX_DOC_INTERNAL;
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfc = icu->unorm2_getNFCInstance(&st);
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
    icu->u_strFromUTF8(u16, (int32_t)n + 1, &n16, s, (int32_t)n, &st);
    if (U_FAILURE(st))
        goto out;

    UNormalizationCheckResult qc = icu->unorm2_quickCheck(nfc, u16, n16, &st);
    if (U_FAILURE(st))
        goto out;
    if (qc == UNORM_YES || (qc == UNORM_MAYBE && icu->unorm2_isNormalized(nfc, u16, n16, &st))) {
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
        int32_t got = icu->unorm2_normalize(nfc, u16, n16, norm, cap, &st);
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
    icu->u_strToUTF8(NULL, 0, &n8, norm, n16, &st); /* preflight */
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
        goto out;
    st = U_ZERO_ERROR;
    doc->text = malloc((size_t)n8 + 1);
    if (doc->text == NULL) {
        rc = PDX_DOC_NOMEM;
        goto out;
    }
    icu->u_strToUTF8(doc->text, n8 + 1, NULL, norm, n16, &st);
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

/* Appends code point `cp` (valid, not a surrogate) to buf as UTF-8; returns the bytes. */
static size_t put_utf8(unsigned long cp, char *buf)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes s[0, n) (UTF-16 after its BOM) into a new UTF-8 buffer (*out, *out_len; the
 * caller frees it). On failure returns a status with *bad the offset in s of the
 * offending code unit (a NUL or the first control character for BINARY). */
static int utf16_to_utf8(const unsigned char *s, size_t n, int big_endian, char **out,
                         size_t *out_len, size_t *bad)
{
    if (n > NFC_MAX_BYTES)
        return PDX_DOC_NOMEM;
    /* A unit gives at most 3 bytes, a surrogate pair (2 units) 4. */
    char *buf = malloc(n / 2 * 3 + 1);
    if (buf == NULL)
        return PDX_DOC_NOMEM;
    size_t o = 0, i = 0, ctrl = 0, first_ctrl = 0;
    int rc = PDX_DOC_OK;
    while (i + 1 < n) {
        size_t at = i;
        unsigned long u =
            big_endian ? (unsigned long)s[i] << 8 | s[i + 1] : (unsigned long)s[i + 1] << 8 | s[i];
        i += 2;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
            unsigned long lo = big_endian ? (unsigned long)s[i] << 8 | s[i + 1]
                                          : (unsigned long)s[i + 1] << 8 | s[i];
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i += 2;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            rc = PDX_DOC_INVALID_UTF16; /* unpaired surrogate */
            *bad = at;
            break;
        }
        if (u == 0) {
            rc = PDX_DOC_BINARY;
            *bad = at;
            break;
        }
        if (u < 0x20 && (u < '\t' || u > '\r') && ctrl++ == 0)
            first_ctrl = at;
        o += put_utf8(u, buf + o);
    }
    if (rc == PDX_DOC_OK && i < n) {
        rc = PDX_DOC_INVALID_UTF16; /* an odd byte at the end */
        *bad = i;
    }
    if (rc == PDX_DOC_OK && ctrl > (n / 2) / BINARY_CTRL_RATIO) {
        rc = PDX_DOC_BINARY;
        *bad = first_ctrl;
    }
    if (rc != PDX_DOC_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = o;
    return PDX_DOC_OK;
}

/* Length of the valid UTF-8 sequence of two bytes or more at s[0, n), else 0. */
static size_t multibyte_len(const unsigned char *s, size_t n)
{
    size_t bad = 0;
    int high = 0;
    for (size_t k = 2; k <= 4 && k <= n; k++)
        if (utf8_validate(s, k, &bad, &high))
            return k;
    return 0;
}

/* 1 when s[0, n) holds at least one valid multi-byte UTF-8 sequence. */
static int has_multibyte_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0xC2 && s[i] <= 0xF4 && multibyte_len(s + i, n - i) > 0)
            return 1;
    return 0;
}

/* Asks ICU's charset detector about s[0, n). Returns "ISO-8859-1" or "windows-1252"
 * when that is its best guess (UTF-16 and UTF-32 guesses aside: without a BOM, polidex
 * does not take text as UTF-16) with enough confidence, else NULL. */
static const char *detect_legacy(const struct pdx_icu *icu, const char *s, size_t n)
{
    if (n > NFC_MAX_BYTES)
        return NULL;
    UErrorCode st = U_ZERO_ERROR;
    UCharsetDetector *det = icu->ucsdet_open(&st);
    const char *found = NULL;
    if (U_FAILURE(st))
        return NULL;
    icu->ucsdet_setText(det, s, (int32_t)n, &st);
    int32_t count = 0;
    const UCharsetMatch **matches = icu->ucsdet_detectAll(det, &count, &st);
    for (int32_t i = 0; U_SUCCESS(st) && i < count; i++) {
        const char *name = icu->ucsdet_getName(matches[i], &st);
        if (U_FAILURE(st) || name == NULL)
            break;
        if (strncmp(name, "UTF-16", 6) == 0 || strncmp(name, "UTF-32", 6) == 0)
            continue;
        int32_t conf = icu->ucsdet_getConfidence(matches[i], &st);
        if (U_SUCCESS(st) && conf >= LEGACY_MIN_CONFIDENCE) {
            if (strcmp(name, "ISO-8859-1") == 0)
                found = "ISO-8859-1 (detected)";
            else if (strcmp(name, "windows-1252") == 0)
                found = "windows-1252 (detected)";
        }
        break;
    }
    icu->ucsdet_close(det);
    return found;
}

/* Converts s[0, n) from Windows-1252 (a superset of the printable ISO-8859-1) into a new
 * UTF-8 buffer. Returns PDX_DOC_OK, PDX_DOC_NOMEM, or PDX_DOC_INVALID_UTF8 when a byte
 * has no mapping (then the text was not Windows-1252 after all). */
static int cp1252_to_utf8(const struct pdx_icu *icu, const char *s, size_t n, char **out,
                          size_t *out_len)
{
    if (n > NFC_MAX_BYTES)
        return PDX_DOC_NOMEM;
    UErrorCode st = U_ZERO_ERROR;
    UConverter *cnv = icu->ucnv_open("windows-1252", &st);
    if (U_FAILURE(st))
        return PDX_DOC_INTERNAL;
    icu->ucnv_setToUCallBack(cnv, icu->UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
    int rc = PDX_DOC_INTERNAL;
    char *buf = NULL;
    UChar *u16 = malloc(((size_t)n + 1) * sizeof *u16); /* one unit per byte */
    if (u16 == NULL) {
        rc = PDX_DOC_NOMEM;
        goto out;
    }
    int32_t n16 = icu->ucnv_toUChars(cnv, u16, (int32_t)n + 1, s, (int32_t)n, &st);
    if (st == U_INVALID_CHAR_FOUND || st == U_ILLEGAL_CHAR_FOUND) {
        rc = PDX_DOC_INVALID_UTF8;
        goto out;
    }
    if (U_FAILURE(st))
        goto out;
    buf = malloc((size_t)n16 * 3 + 1); /* a BMP unit gives at most 3 bytes */
    if (buf == NULL) {
        rc = PDX_DOC_NOMEM;
        goto out;
    }
    int32_t n8 = 0;
    icu->u_strToUTF8(buf, n16 * 3 + 1, &n8, u16, n16, &st);
    if (U_FAILURE(st)) {
        free(buf);
        goto out;
    }
    *out = buf;
    *out_len = (size_t)n8;
    rc = PDX_DOC_OK;
out:
    free(u16);
    icu->ucnv_close(cnv);
    return rc;
}

/* The steps shared by every encoding once the text is valid UTF-8: NFC, EMPTY, title. */
static int finish(const char *s, size_t n, int has_high, struct pdx_document *doc)
{
    int rc = has_high ? store_nfc(s, n, doc) : copy_text(s, n, doc);
    if (rc != PDX_DOC_OK) {
        pdx_document_free(doc);
        return rc;
    }
    if (is_blank((const unsigned char *)doc->text, doc->len)) {
        pdx_document_free(doc);
        return PDX_DOC_EMPTY;
    }
    find_title((const unsigned char *)doc->text, doc->len, &doc->title_start, &doc->title_end);
    return PDX_DOC_OK;
}

/* Decodes converted text (valid UTF-8 from utf16_to_utf8 or cp1252_to_utf8, owned and
 * freed here) into doc. */
static int finish_converted(char *utf8, size_t n, const char *encoding, size_t bom,
                            struct pdx_document *doc)
{
    size_t bad = 0;
    int has_high = 0;
    int rc = PDX_DOC_INTERNAL;
    if (utf8_validate((const unsigned char *)utf8, n, &bad, &has_high))
        rc = finish(utf8, n, 1, doc);
    free(utf8);
    if (rc == PDX_DOC_OK) {
        doc->bom_len = bom;
        doc->encoding = encoding;
        doc->converted = 1;
    }
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
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        int be = u[0] == 0xFE;
        char *utf8 = NULL;
        size_t n8 = 0;
        rc = utf16_to_utf8(u + 2, len - 2, be, &utf8, &n8, &bad);
        if (rc != PDX_DOC_OK) {
            if (error_offset != NULL && rc != PDX_DOC_NOMEM)
                *error_offset = 2 + bad;
            return rc;
        }
        return finish_converted(utf8, n8, be ? "UTF-16BE (BOM)" : "UTF-16LE (BOM)", 2, doc);
    }
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        bom = 3;

    if (looks_binary(u + bom, len - bom, &bad)) {
        if (error_offset != NULL)
            *error_offset = bom + bad;
        return PDX_DOC_BINARY;
    }
    if (!utf8_validate(u + bom, len - bom, &bad, &has_high)) {
        /* Legacy 8-bit text has no valid multi-byte sequence; text that has some is
         * damaged UTF-8, and a BOM says UTF-8 outright. */
        const char *legacy = NULL;
        const struct pdx_icu *icu = NULL;
        if (bom == 0 && !has_multibyte_utf8(u, len)) {
            if ((icu = pdx_icu()) == NULL)
                return PDX_DOC_INTERNAL;
            legacy = detect_legacy(icu, bytes, len);
        }
        if (legacy != NULL) {
            char *utf8 = NULL;
            size_t n8 = 0;
            rc = cp1252_to_utf8(icu, bytes, len, &utf8, &n8);
            if (rc == PDX_DOC_OK)
                return finish_converted(utf8, n8, legacy, 0, doc);
            if (rc != PDX_DOC_INVALID_UTF8)
                return rc;
        }
        if (error_offset != NULL)
            *error_offset = bom + bad;
        return PDX_DOC_INVALID_UTF8;
    }

    rc = finish(bytes + bom, len - bom, has_high, doc);
    if (rc != PDX_DOC_OK)
        return rc;
    doc->bom_len = bom;
    doc->encoding = bom ? "UTF-8 (BOM)" : "UTF-8";
    return PDX_DOC_OK;
}

size_t pdx_utf8_valid_prefix(const char *s, size_t n)
{
    size_t bad = 0;
    int high = 0;
    return utf8_validate((const unsigned char *)s, n, &bad, &high) ? n : bad;
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
        return *pdx_icu_error() ? pdx_icu_error() : "internal error (ICU)";
    case PDX_DOC_INVALID_UTF16:
        return "invalid UTF-16";
    default:
        return "unknown status";
    }
}
