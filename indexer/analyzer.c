/*
 * analyzer.c — French word breaking, elision splitting, folding and stemming
 * (see pdx_analyzer.h).
 *
 * The text is handed to ICU in chunks of about CHUNK_TARGET bytes cut just after a
 * newline or after a space followed by an ASCII byte: ICU's word rules always break
 * there, and neither an elision nor a hyphenated compound can span such a cut, so the
 * tokens are those of the whole text while the UTF-16 copy stays small and in cache.
 * Each chunk is converted once into UTF-16; a cursor walking the UTF-8 along with the
 * break iterator turns its boundaries into exact byte offsets into the input.
 *
 * A chunk of nothing but letters and digits of is_simple's set and spaces (a typical
 * query: santé mondiale) is cut at its spaces without ICU, into the words ICU would
 * find: opening ICU's break iterator and its first ubrk_next take about 0.75 ms, more
 * than the rest of a short search's analysis, so the iterator is opened only for the
 * first chunk that needs it.
 *
 * Sections: decoding helpers; folding; word sets (stop words, protected words);
 * stemming; the analyzer object; tokenising.
 */
#include "pdx_analyzer.h"
#include "pdx_data.h"
#include "pdx_icu.h"
#include "pdx_spans.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <unicode/utf16.h>

/* Code points folded through the precomputed table (Latin-1 Supplement, Latin
 * Extended-A and -B); others, rare in French, go through ICU at run time. */
#define FOLD_FIRST 0x80
#define FOLD_LAST 0x24F
#define FOLD_ENTRY_MAX 7 /* bytes of folded UTF-8 one table entry may hold */
#define FOLD_CP_MAX 128  /* bytes of folded UTF-8 any one code point may give */

#define CHUNK_TARGET ((size_t)64 * 1024) /* bytes handed to ICU at once, roughly */
#define CHUNK_MAX ((size_t)1024 * 1024)  /* hard limit on a chunk, in bytes */

#define STEM_MAX (2 * PDX_TERM_MAX + 8)

/* Stemming is the costliest step and word frequencies are Zipfian: a direct-mapped
 * cache of short words' stems and stop-word flags saves most Snowball calls. A corpus's
 * vocabulary wants a large one: on a tenth of the frhealth benchmark corpus 4096 slots
 * left 100,903 Snowball calls, 65536 slots about 30,000 (BENCHMARKS.md). But a search
 * analyses a few documents and exits, and there each first touch of a page of a 4 MB
 * table is a page fault that costs more than the stems it saves. So the cache starts
 * small and doubles, keeping its entries, each time it has taken in new words for an
 * eighth of its slots, up to the indexer's size (growing at a half left 30 % more
 * Snowball calls in the indexer, an eighth 4 %). */
#define CACHE_SLOTS_MIN 1024  /* a power of two */
#define CACHE_SLOTS_SMALL 64  /* pdx_analyzer_keep_cache_small: one page */
#define CACHE_SLOTS_MAX 65536 /* a power of two */
#define CACHE_WORD 30         /* longest folded word (and stem) cached, in bytes */

#define ELISION_PREFIX_MAX 6 /* "jusqu", "lorsqu", "puisqu", "quoiqu" */

enum fold_class { CL_LETTER = 1, CL_UPPER = 2, CL_KNOWN = 4 /* entry computed */ };

struct fold_entry {
    uint8_t len; /* 0: the character is dropped (combining mark, soft hyphen, ·) */
    uint8_t cls; /* CL_* of the source character */
    char out[FOLD_ENTRY_MAX];
};

/* An open-addressing hash set of folded words; `len` 0 marks a free slot. */
struct wordset_slot {
    uint32_t hash;
    uint32_t off;
    uint32_t len;
};

struct wordset {
    char *pool;
    struct wordset_slot *slots;
    size_t mask;
};

struct cache_entry {
    uint8_t flen; /* 0: empty */
    uint8_t slen;
    uint8_t stop;
    char folded[CACHE_WORD];
    char stem[CACHE_WORD];
};

/* The hyphenated compound being reported: its parts so far and their joined form. */
struct compound {
    size_t start, end;
    uint32_t pos;
    unsigned nparts;
    int all_numbers;
    size_t letters, uppers;
    size_t len;
    char buf[PDX_TERM_MAX];
};

struct pdx_analyzer {
    UBreakIterator *brk;     /* opened on the first chunk segment_simple cannot take */
    int icu_only;            /* pdx_analyzer_icu_only */
    int icu_missing;         /* ICU was needed and could not be loaded: the analysis fails */
    const UNormalizer2 *nfd; /* ICU's static instances, not owned, fetched on first use */
    const UNormalizer2 *nfkd;
    struct sb_stemmer *stemmer;
    struct wordset stop;
    struct wordset protect;
    /* FOLD_LAST - FOLD_FIRST + 1 entries filled as characters come, allocated when the
     * first character LATIN_FOLD does not hold comes: French text seldom has one, and a
     * search that never meets one then has 4 KB less to fault in. */
    struct fold_entry *fold;
    struct fold_entry one; /* what fold_entry returns when it caches nothing */

    /* One chunk of text in UTF-16; grows up to CHUNK_MAX + 1 units. */
    UChar *u16;
    size_t cap16;

    struct cache_entry *cache; /* cache_mask + 1 entries, allocated on first use */
    size_t cache_mask;
    size_t cache_fills;                     /* entries written since the cache last grew */
    size_t cache_max;                       /* slots it may grow to */
    const unsigned char *stem_first;        /* pdx_analyzer_stem_only, borrowed */
    const struct pdx_report_filter *report; /* pdx_analyzer_report_only, borrowed */
    struct compound run;
    char folded[PDX_TERM_MAX];
    char stem[STEM_MAX];
};

/* ---- decoding helpers ------------------------------------------------------------- */

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Decodes the code point at s[i] (i < n) into *cp and returns the index after it. An
 * ill-formed sequence gives U+FFFD and consumes one byte. */
static size_t utf8_next(const unsigned char *s, size_t i, size_t n, UChar32 *cp)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *cp = c;
        return i + 1;
    }
    size_t need;
    UChar32 v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return i + 1;
    }
    if (n - i <= need) {
        *cp = 0xFFFD;
        return i + 1;
    }
    for (size_t k = 1; k <= need; k++) {
        if (!is_cont(s[i + k])) {
            *cp = 0xFFFD;
            return i + 1;
        }
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return i + 1;
    }
    *cp = v;
    return i + need + 1;
}

/* Encodes cp (a valid scalar value) into out; returns its length (1 to 4). */
static size_t utf8_put(UChar32 cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- folding ---------------------------------------------------------------------- */

/* Apostrophes and the like, dropped inside words (aujourd’hui → aujourdhui). */
static int is_dropped(UChar32 c)
{
    return c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x00B7 || c == 0x2027;
}

/* Letters whose diacritic is not a combining mark in Unicode, and ligatures. */
static const char *extra_fold(UChar32 c)
{
    switch (c) {
    case 0x00E6: /* æ */
        return "ae";
    case 0x0153: /* œ */
        return "oe";
    case 0x00F8: /* ø */
        return "o";
    case 0x0111: /* đ */
    case 0x00F0: /* ð */
        return "d";
    case 0x0142: /* ł */
    case 0x0140: /* ŀ */
        return "l";
    case 0x0127: /* ħ */
        return "h";
    case 0x0167: /* ŧ */
        return "t";
    case 0x0131: /* ı */
        return "i";
    default:
        return NULL;
    }
}

/* Decomposes `src` (n units) into `dec` (cap units) as NFKD does and returns the length,
 * or -1. NFD's data is built into ICU; NFKD's must be loaded from ICU's data (a tenth of
 * a search's start-up), and differs from NFD only where a character of the canonical
 * decomposition has a compatibility mapping: NFKD is used, and loaded, only then. */
static int32_t decompose(struct pdx_analyzer *a, const struct pdx_icu *icu, const UChar *src,
                         int32_t n, UChar *dec, int32_t cap)
{
    UErrorCode st = U_ZERO_ERROR;
    if (a->nfd == NULL)
        a->nfd = icu->unorm2_getNFDInstance(&st);
    int32_t nd = U_SUCCESS(st) ? icu->unorm2_normalize(a->nfd, src, n, dec, cap, &st) : -1;
    if (U_FAILURE(st))
        return -1;
    for (int32_t i = 0; i < nd;) {
        UChar32 d;
        U16_NEXT(dec, i, nd, d);
        if (icu->u_getIntPropertyValue(d, UCHAR_DECOMPOSITION_TYPE) == U_DT_NONE)
            continue;
        if (a->nfkd == NULL)
            a->nfkd = icu->unorm2_getNFKDInstance(&st);
        nd = U_SUCCESS(st) ? icu->unorm2_normalize(a->nfkd, src, n, dec, cap, &st) : -1;
        return U_FAILURE(st) ? -1 : nd;
    }
    return nd;
}

/* Folds one code point the slow way: full case folding (ß → ss, ﬁ → fi), NFKD (so
 * that compatibility forms fold too: 1ᵉʳ → 1er, ｆ → f, ǆ → dz), combining marks and
 * white space dropped, extra_fold. Writes at most `cap` bytes; returns the length or -1
 * (ICU failure or no room). */
static int fold_slow(struct pdx_analyzer *a, const struct pdx_icu *icu, UChar32 c, char *out,
                     size_t cap)
{
    if (is_dropped(c))
        return 0;
    int8_t type = icu->u_charType(c);
    if (type == U_NON_SPACING_MARK || type == U_FORMAT_CHAR)
        return 0;

    UChar src[2], low[8], dec[64];
    int32_t n = 0;
    UErrorCode st = U_ZERO_ERROR;
    U16_APPEND_UNSAFE(src, n, c);
    int32_t nl = icu->u_strFoldCase(low, 8, src, n, U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st))
        return -1;
    int32_t nd = decompose(a, icu, low, nl, dec, 64);
    if (nd < 0)
        return -1;

    size_t len = 0;
    for (int32_t i = 0; i < nd;) {
        UChar32 d;
        U16_NEXT(dec, i, nd, d);
        if (icu->u_charType(d) == U_NON_SPACING_MARK || is_dropped(d) || icu->u_isUWhiteSpace(d))
            continue;
        /* Again after NFKD: a letter without a lower case (ℙ, ℝ, 𝐀) decomposes to a
         * capital (P), which must fold like any other. */
        d = icu->u_foldCase(d, U_FOLD_CASE_DEFAULT);
        const char *x = extra_fold(d);
        char tmp[4];
        size_t k;
        if (x != NULL) {
            k = strlen(x);
            memcpy(tmp, x, k);
        } else {
            k = utf8_put(d, tmp);
        }
        if (len + k > cap)
            return -1;
        memcpy(out + len, tmp, k);
        len += k;
    }
    return (int)len;
}

/* What fold_slow gives U+00C0 to U+00FF, then U+0152 and U+0153 (Œ œ): the letters of
 * French. A search whose words hold one of them (santé) would otherwise wake ICU's case
 * and normalisation data for it, a fifth of a millisecond of its start-up. Written from
 * fold_slow's own output; tests/test_analyzer.c compares every entry with it. */
static const struct fold_entry LATIN_FOLD[] = {
    {1, CL_LETTER | CL_UPPER, "a"},        /* U+00C0 À */
    {1, CL_LETTER | CL_UPPER, "a"},        /* U+00C1 Á */
    {1, CL_LETTER | CL_UPPER, "a"},        /* U+00C2 Â */
    {1, CL_LETTER | CL_UPPER, "a"},        /* U+00C3 Ã */
    {1, CL_LETTER | CL_UPPER, "a"},        /* U+00C4 Ä */
    {1, CL_LETTER | CL_UPPER, "a"},        /* U+00C5 Å */
    {2, CL_LETTER | CL_UPPER, "ae"},       /* U+00C6 Æ */
    {1, CL_LETTER | CL_UPPER, "c"},        /* U+00C7 Ç */
    {1, CL_LETTER | CL_UPPER, "e"},        /* U+00C8 È */
    {1, CL_LETTER | CL_UPPER, "e"},        /* U+00C9 É */
    {1, CL_LETTER | CL_UPPER, "e"},        /* U+00CA Ê */
    {1, CL_LETTER | CL_UPPER, "e"},        /* U+00CB Ë */
    {1, CL_LETTER | CL_UPPER, "i"},        /* U+00CC Ì */
    {1, CL_LETTER | CL_UPPER, "i"},        /* U+00CD Í */
    {1, CL_LETTER | CL_UPPER, "i"},        /* U+00CE Î */
    {1, CL_LETTER | CL_UPPER, "i"},        /* U+00CF Ï */
    {1, CL_LETTER | CL_UPPER, "d"},        /* U+00D0 Ð */
    {1, CL_LETTER | CL_UPPER, "n"},        /* U+00D1 Ñ */
    {1, CL_LETTER | CL_UPPER, "o"},        /* U+00D2 Ò */
    {1, CL_LETTER | CL_UPPER, "o"},        /* U+00D3 Ó */
    {1, CL_LETTER | CL_UPPER, "o"},        /* U+00D4 Ô */
    {1, CL_LETTER | CL_UPPER, "o"},        /* U+00D5 Õ */
    {1, CL_LETTER | CL_UPPER, "o"},        /* U+00D6 Ö */
    {2, 0, "\xc3\x97"},                    /* U+00D7 × */
    {1, CL_LETTER | CL_UPPER, "o"},        /* U+00D8 Ø */
    {1, CL_LETTER | CL_UPPER, "u"},        /* U+00D9 Ù */
    {1, CL_LETTER | CL_UPPER, "u"},        /* U+00DA Ú */
    {1, CL_LETTER | CL_UPPER, "u"},        /* U+00DB Û */
    {1, CL_LETTER | CL_UPPER, "u"},        /* U+00DC Ü */
    {1, CL_LETTER | CL_UPPER, "y"},        /* U+00DD Ý */
    {2, CL_LETTER | CL_UPPER, "\xc3\xbe"}, /* U+00DE Þ */
    {2, CL_LETTER, "ss"},                  /* U+00DF ß */
    {1, CL_LETTER, "a"},                   /* U+00E0 à */
    {1, CL_LETTER, "a"},                   /* U+00E1 á */
    {1, CL_LETTER, "a"},                   /* U+00E2 â */
    {1, CL_LETTER, "a"},                   /* U+00E3 ã */
    {1, CL_LETTER, "a"},                   /* U+00E4 ä */
    {1, CL_LETTER, "a"},                   /* U+00E5 å */
    {2, CL_LETTER, "ae"},                  /* U+00E6 æ */
    {1, CL_LETTER, "c"},                   /* U+00E7 ç */
    {1, CL_LETTER, "e"},                   /* U+00E8 è */
    {1, CL_LETTER, "e"},                   /* U+00E9 é */
    {1, CL_LETTER, "e"},                   /* U+00EA ê */
    {1, CL_LETTER, "e"},                   /* U+00EB ë */
    {1, CL_LETTER, "i"},                   /* U+00EC ì */
    {1, CL_LETTER, "i"},                   /* U+00ED í */
    {1, CL_LETTER, "i"},                   /* U+00EE î */
    {1, CL_LETTER, "i"},                   /* U+00EF ï */
    {1, CL_LETTER, "d"},                   /* U+00F0 ð */
    {1, CL_LETTER, "n"},                   /* U+00F1 ñ */
    {1, CL_LETTER, "o"},                   /* U+00F2 ò */
    {1, CL_LETTER, "o"},                   /* U+00F3 ó */
    {1, CL_LETTER, "o"},                   /* U+00F4 ô */
    {1, CL_LETTER, "o"},                   /* U+00F5 õ */
    {1, CL_LETTER, "o"},                   /* U+00F6 ö */
    {2, 0, "\xc3\xb7"},                    /* U+00F7 ÷ */
    {1, CL_LETTER, "o"},                   /* U+00F8 ø */
    {1, CL_LETTER, "u"},                   /* U+00F9 ù */
    {1, CL_LETTER, "u"},                   /* U+00FA ú */
    {1, CL_LETTER, "u"},                   /* U+00FB û */
    {1, CL_LETTER, "u"},                   /* U+00FC ü */
    {1, CL_LETTER, "y"},                   /* U+00FD ý */
    {2, CL_LETTER, "\xc3\xbe"},            /* U+00FE þ */
    {1, CL_LETTER, "y"},                   /* U+00FF ÿ */
    {2, CL_LETTER | CL_UPPER, "oe"},       /* U+0152 Œ */
    {2, CL_LETTER, "oe"},                  /* U+0153 œ */
};

/* The precomputed entry of c, or NULL. */
static const struct fold_entry *latin_fold(UChar32 c)
{
    if (c >= 0xC0 && c <= 0xFF)
        return &LATIN_FOLD[c - 0xC0];
    if (c == 0x152 || c == 0x153)
        return &LATIN_FOLD[(0xFF - 0xC0 + 1) + (c - 0x152)];
    return NULL;
}

/* ICU's functions (pdx_icu.h), or NULL when its libraries cannot be loaded: then the
 * analysis under way fails (see icu_missing) rather than give other tokens than the
 * index holds. */
static const struct pdx_icu *need_icu(struct pdx_analyzer *a)
{
    const struct pdx_icu *icu = pdx_icu();
    if (icu == NULL)
        a->icu_missing = 1;
    return icu;
}

/* The table entry of a code point in [FOLD_FIRST, FOLD_LAST], valid until the next call:
 * from LATIN_FOLD, or computed with ICU on its first use (a search meets a few dozen, and
 * folding all 464 up front was a tenth of its start-up) and kept. */
static const struct fold_entry *fold_entry(struct pdx_analyzer *a, UChar32 c)
{
    const struct fold_entry *l = a->icu_only ? NULL : latin_fold(c);
    if (l != NULL)
        return l;
    struct fold_entry *e = &a->one;
    const struct pdx_icu *icu = need_icu(a);
    if (icu == NULL) { /* the analysis fails: any entry will do */
        e->len = (uint8_t)utf8_put(c, e->out);
        e->cls = CL_KNOWN;
        return e;
    }
    if (a->fold == NULL)
        a->fold = calloc(FOLD_LAST - FOLD_FIRST + 1, sizeof *a->fold);
    if (a->fold != NULL) { /* without memory, each use computes its entry again */
        e = &a->fold[c - FOLD_FIRST];
        if (e->cls & CL_KNOWN)
            return e;
    }
    int n = fold_slow(a, icu, c, e->out, sizeof e->out);
    if (n < 0) /* cannot happen with ICU's data; keep the character, as beyond the table */
        n = (int)utf8_put(c, e->out);
    e->len = (uint8_t)n;
    e->cls = (uint8_t)(CL_KNOWN | (icu->u_isalpha(c) ? CL_LETTER : 0) |
                       (icu->u_isupper(c) || icu->u_istitle(c) ? CL_UPPER : 0));
    return e;
}

struct fold_stats {
    size_t letters; /* letters in the source */
    size_t uppers;  /* of which upper- or title-case */
};

/* Folds s[0, n) into out, keeping at most PDX_TERM_MAX bytes made of whole folded
 * characters (out has room for PDX_TERM_MAX). Counts letters over the whole word.
 * Returns the folded length. */
static size_t fold_word(struct pdx_analyzer *a, const char *s, size_t n, char *out,
                        struct fold_stats *fs)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = 0, letters = 0, uppers = 0;
    int full = 0;        /* output truncated: only count from now on */
    int prev_letter = 0; /* for the dots of O.M.S. */
    char tmp[FOLD_CP_MAX];

    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        const char *piece;
        size_t k;
        if (c < 0x80) {
            /* Most of French is ASCII: its byte goes straight out, with no memcpy call. */
            i++;
            if (c >= 'A' && c <= 'Z') {
                letters++, uppers++, prev_letter = 1;
                c = (unsigned char)(c + ('a' - 'A'));
            } else if (c >= 'a' && c <= 'z') {
                letters++, prev_letter = 1;
            } else if (c == '\'' || (c == '.' && prev_letter)) {
                continue;
            } else {
                prev_letter = 0;
            }
            if (full)
                continue;
            if (len == PDX_TERM_MAX) {
                full = 1;
                continue;
            }
            out[len++] = (char)c;
            continue;
        } else {
            UChar32 cp;
            i = utf8_next(u, i, n, &cp);
            if (cp >= FOLD_FIRST && cp <= FOLD_LAST) {
                const struct fold_entry *e = fold_entry(a, cp);
                if (e->cls & CL_LETTER)
                    letters++;
                if (e->cls & CL_UPPER)
                    uppers++;
                prev_letter = (e->cls & CL_LETTER) != 0;
                piece = e->out, k = e->len;
            } else if (cp >= 0x300 && cp <= 0x36F && !a->icu_only) {
                /* Combining Diacritical Marks, all nonspacing marks: dropped, no letter,
                 * as fold_slow would have it (a stray one after a letter is no reason to
                 * load ICU). */
                prev_letter = 0;
                continue;
            } else {
                const struct pdx_icu *icu = need_icu(a);
                if (icu == NULL)
                    continue; /* the analysis fails */
                int isl = icu->u_isalpha(cp);
                letters += isl != 0;
                uppers += isl && (icu->u_isupper(cp) || icu->u_istitle(cp));
                prev_letter = isl != 0;
                if (full)
                    continue;
                int m = fold_slow(a, icu, cp, tmp, sizeof tmp);
                if (m < 0) /* cannot happen with ICU's data; keep the character */
                    m = (int)utf8_put(cp, tmp);
                piece = tmp, k = (size_t)m;
            }
        }
        if (full)
            continue;
        if (len + k > PDX_TERM_MAX) {
            full = 1;
            continue;
        }
        memcpy(out + len, piece, k);
        len += k;
    }
    if (fs != NULL) {
        fs->letters = letters;
        fs->uppers = uppers;
    }
    return len;
}

int pdx_fold(struct pdx_analyzer *a, const char *word, size_t len, char *out, size_t out_len)
{
    char buf[PDX_TERM_MAX];
    a->icu_missing = 0;
    size_t n = fold_word(a, word, len, buf, NULL);
    if (n >= out_len || a->icu_missing)
        return -1;
    memcpy(out, buf, n);
    out[n] = '\0';
    return (int)n;
}

int pdx_lower(struct pdx_analyzer *a, const char *word, size_t len, char *out, size_t out_len)
{
    const unsigned char *u = (const unsigned char *)word;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        char tmp[4];
        size_t k;
        if (u[i] < 0x80) {
            unsigned char c = u[i++];
            tmp[0] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            k = 1;
        } else {
            UChar32 cp;
            i = utf8_next(u, i, len, &cp);
            const struct pdx_icu *icu = need_icu(a);
            if (icu == NULL)
                return -1;
            k = utf8_put(icu->u_tolower(cp), tmp);
        }
        if (o + k >= out_len)
            return -1;
        memcpy(out + o, tmp, k);
        o += k;
    }
    if (out_len == 0)
        return -1;
    out[o] = '\0';
    return (int)o;
}

/* ---- word sets -------------------------------------------------------------------- */

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

/* Is s[0, n), whose hash_bytes is h, in the set? */
static int wordset_has_h(const struct wordset *ws, const char *s, size_t n, uint32_t h)
{
    if (ws->slots == NULL || n == 0)
        return 0;
    for (size_t i = h & ws->mask;; i = (i + 1) & ws->mask) {
        const struct wordset_slot *sl = &ws->slots[i];
        if (sl->len == 0)
            return 0;
        if (sl->hash == h && sl->len == n && memcmp(ws->pool + sl->off, s, n) == 0)
            return 1;
    }
}

static int wordset_has(const struct wordset *ws, const char *s, size_t n)
{
    return wordset_has_h(ws, s, n, hash_bytes(s, n));
}

static void wordset_free(struct wordset *ws)
{
    free(ws->pool);
    free(ws->slots);
    memset(ws, 0, sizeof *ws);
}

static void set_error(char *errbuf, size_t errbuf_len, const char *what, const char *detail)
{
    if (errbuf != NULL && errbuf_len > 0)
        snprintf(errbuf, errbuf_len, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

/* Builds a set from the compiled-in data file `name`: one entry a line, '#' lines are
 * comments; entries are folded, so the file may be written with accents. */
static int wordset_load(struct pdx_analyzer *a, struct wordset *ws, const char *name, char *errbuf,
                        size_t errbuf_len)
{
    size_t dlen;
    const char *data = pdx_data_get(name, &dlen);
    if (data == NULL) {
        set_error(errbuf, errbuf_len, "data file missing from the build", name);
        return -1;
    }
    size_t lines = 1;
    for (size_t i = 0; i < dlen; i++)
        lines += data[i] == '\n';
    size_t nslots = 16;
    while (nslots < 2 * lines)
        nslots *= 2;
    ws->slots = calloc(nslots, sizeof *ws->slots);
    ws->pool = malloc(lines * PDX_TERM_MAX);
    if (ws->slots == NULL || ws->pool == NULL) {
        set_error(errbuf, errbuf_len, "out of memory", NULL);
        return -1;
    }
    ws->mask = nslots - 1;

    size_t used = 0;
    for (size_t i = 0; i < dlen;) {
        const char *nl = memchr(data + i, '\n', dlen - i);
        size_t e = nl ? (size_t)(nl - data) : dlen;
        size_t b = i;
        i = e + 1;
        while (b < e && (data[b] == ' ' || data[b] == '\t'))
            b++;
        while (e > b && (data[e - 1] == ' ' || data[e - 1] == '\t' || data[e - 1] == '\r'))
            e--;
        if (b == e || data[b] == '#')
            continue;
        char *w = ws->pool + used;
        size_t n = fold_word(a, data + b, e - b, w, NULL);
        if (n == 0 || wordset_has(ws, w, n))
            continue;
        uint32_t h = hash_bytes(w, n);
        size_t s = h & ws->mask;
        while (ws->slots[s].len != 0)
            s = (s + 1) & ws->mask;
        ws->slots[s] = (struct wordset_slot){h, (uint32_t)used, (uint32_t)n};
        used += n;
    }
    return 0;
}

int pdx_is_stopword(const struct pdx_analyzer *a, const char *folded, size_t len)
{
    return wordset_has(&a->stop, folded, len);
}

/* ---- stemming --------------------------------------------------------------------- */

/* Stems `folded`, whose hash_bytes is h, and points *out at the result: the input
 * itself, or `buf` (STEM_MAX bytes). Returns the stem's length, or -1 when Snowball
 * fails (out of memory). */
static int stem_word_h(struct pdx_analyzer *a, const char *folded, size_t n, uint32_t h, char *buf,
                       const char **out)
{
    *out = folded;
    if (n == 0 || n > PDX_TERM_MAX || wordset_has_h(&a->protect, folded, n, h))
        return (int)n;
    const sb_symbol *s = sb_stemmer_stem(a->stemmer, (const sb_symbol *)folded, (int)n);
    if (s == NULL)
        return -1;
    int m = sb_stemmer_length(a->stemmer);
    if (m < 0 || m > STEM_MAX)
        return (int)n;
    /* Snowball's buffer is overwritten by the next call: copy now. */
    memcpy(buf, s, (size_t)m);
    *out = buf;
    return m;
}

/* Uses its own buffer, not a->stem: safe to call from a pdx_analyze callback. */
int pdx_stem(struct pdx_analyzer *a, const char *folded, size_t len, char *out, size_t out_len)
{
    char buf[STEM_MAX];
    const char *s;
    int n = stem_word_h(a, folded, len, hash_bytes(folded, len), buf, &s);
    if (n < 0 || (size_t)n >= out_len)
        return -1;
    memmove(out, s, (size_t)n);
    out[n] = '\0';
    return n;
}

/* ---- the analyzer object ---------------------------------------------------------- */

struct pdx_analyzer *pdx_analyzer_new(char *errbuf, size_t errbuf_len)
{
    struct pdx_analyzer *a = calloc(1, sizeof *a);
    if (a == NULL) {
        set_error(errbuf, errbuf_len, "out of memory", NULL);
        return NULL;
    }
    a->cache_mask = CACHE_SLOTS_MIN - 1;
    a->cache_max = CACHE_SLOTS_MAX;
    a->stemmer = sb_stemmer_new("french", "UTF_8");
    if (a->stemmer == NULL) {
        set_error(errbuf, errbuf_len, "Snowball French stemmer unavailable", NULL);
        goto fail;
    }
    if (wordset_load(a, &a->stop, "stopwords", errbuf, errbuf_len) != 0 ||
        wordset_load(a, &a->protect, "protected", errbuf, errbuf_len) != 0)
        goto fail;
    return a;
fail:
    pdx_analyzer_free(a);
    return NULL;
}

void pdx_analyzer_keep_cache_small(struct pdx_analyzer *a)
{
    if (a->cache == NULL)
        a->cache_mask = CACHE_SLOTS_SMALL - 1;
    a->cache_max = a->cache_mask + 1;
}

void pdx_analyzer_stem_only(struct pdx_analyzer *a, const unsigned char *first)
{
    a->stem_first = first;
}

void pdx_analyzer_report_only(struct pdx_analyzer *a, const struct pdx_report_filter *f)
{
    a->report = f;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The bit of an ASCII letter (lower case) or digit in pdx_report_filter.second, or 0. */
static uint64_t report_bit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return UINT64_C(1) << (c - '0');
    if (c >= 'a' && c <= 'z')
        return UINT64_C(1) << (10 + c - 'a');
    return 0;
}

void pdx_report_filter_init(struct pdx_report_filter *f, int all)
{
    memset(f->first, all ? 1 : 0, sizeof f->first);
    for (size_t i = 0; i < sizeof f->second / sizeof f->second[0]; i++)
        f->second[i] = all ? PDX_REPORT_ANY : 0;
}

/* Lets through the forms that begin with b0, then b1 if `has_b1`. */
static void report_pair(struct pdx_report_filter *f, unsigned char b0, int has_b1, unsigned char b1)
{
    f->first[b0] = 1;
    if (b0 < 128) {
        uint64_t bit = has_b1 ? report_bit(b1) : 0;
        f->second[b0] |= bit ? bit : PDX_REPORT_ANY;
    }
}

void pdx_report_filter_add_form(struct pdx_report_filter *f, const char *folded, size_t len)
{
    if (len == 0) {
        pdx_report_filter_init(f, 1); /* begins every form */
        return;
    }
    report_pair(f, (unsigned char)folded[0], len > 1, len > 1 ? (unsigned char)folded[1] : 0);
}

void pdx_report_filter_add_stem(struct pdx_report_filter *f, const char *stem, size_t len)
{
    pdx_report_filter_add_form(f, stem, len);
    if (len > 1 && stem[1] == 'i')
        report_pair(f, (unsigned char)stem[0], 1, 'y');
}

/* Does `f` let through a form that begins with b0, then b1 if `has_b1` (ASCII letters
 * lower-cased by the caller)? */
static int report_passes(const struct pdx_report_filter *f, unsigned char b0, int has_b1,
                         unsigned char b1)
{
    if (!f->first[b0])
        return 0;
    uint64_t bit = has_b1 && b0 < 128 ? report_bit(b1) : 0;
    return !bit || !report_bit(b0) || (f->second[b0] & (bit | PDX_REPORT_ANY)) != 0;
}

void pdx_analyzer_icu_only(struct pdx_analyzer *a, int on)
{
    a->icu_only = on;
}

int pdx_analyzer_icu_opened(const struct pdx_analyzer *a)
{
    return a->brk != NULL;
}

void pdx_analyzer_free(struct pdx_analyzer *a)
{
    if (a == NULL)
        return;
    if (a->brk != NULL) /* ICU is loaded, then */
        pdx_icu()->ubrk_close(a->brk);
    if (a->stemmer != NULL)
        sb_stemmer_delete(a->stemmer);
    wordset_free(&a->stop);
    wordset_free(&a->protect);
    free(a->fold);
    free(a->u16);
    free(a->cache);
    free(a);
}

/* ---- tokenising ------------------------------------------------------------------- */

struct walk {
    struct pdx_analyzer *a;
    const char *text;
    pdx_token_fn fn;
    void *ctx;
    uint32_t pos; /* next position */
};

/* Doubles the stem cache, moving every entry to its slot in the larger table (no two
 * can collide: slot i goes to i or i + old size). Without memory the cache stays as it
 * is, which only costs Snowball calls. */
static void cache_grow(struct pdx_analyzer *a)
{
    size_t slots = 2 * (a->cache_mask + 1);
    struct cache_entry *n = calloc(slots, sizeof *n);
    a->cache_fills = 0;
    if (n == NULL)
        return;
    for (size_t i = 0; i <= a->cache_mask; i++) {
        const struct cache_entry *e = &a->cache[i];
        if (e->flen != 0)
            n[hash_bytes(e->folded, e->flen) & (slots - 1)] = *e;
    }
    free(a->cache);
    a->cache = n;
    a->cache_mask = slots - 1;
}

/* Completes a token (stop word flag, stem) and hands it to the callback. */
static int emit(struct walk *w, size_t start, size_t end, uint32_t pos, unsigned flags,
                const char *folded, size_t flen)
{
    struct pdx_analyzer *a = w->a;
    if (a->report != NULL && !report_passes(a->report, (unsigned char)folded[0], flen > 1,
                                            flen > 1 ? (unsigned char)folded[1] : 0))
        return 0;
    struct pdx_token t;
    uint32_t h = hash_bytes(folded, flen);
    t.start = start;
    t.end = end;
    t.pos = pos;
    t.folded = folded;
    t.folded_len = flen;
    t.stem = folded;
    t.stem_len = flen;

    struct cache_entry *c = NULL;
    if (a->cache == NULL && (a->cache = calloc(a->cache_mask + 1, sizeof *a->cache)) == NULL)
        return -1;
    if (flen <= CACHE_WORD) {
        c = &a->cache[h & a->cache_mask];
        if (c->flen == flen && memcmp(c->folded, folded, flen) == 0) {
            if (c->stop)
                flags |= PDX_TOK_STOPWORD;
            if (!(flags & PDX_TOK_NUMBER)) {
                t.stem = c->stem;
                t.stem_len = c->slen;
            }
            t.flags = flags;
            return w->fn(w->ctx, &t);
        }
    }
    int stop = wordset_has_h(&a->stop, folded, flen, h);
    if (stop)
        flags |= PDX_TOK_STOPWORD;
    t.flags = flags;
    if (!(flags & PDX_TOK_NUMBER) && a->stem_first != NULL &&
        !a->stem_first[(unsigned char)folded[0]]) {
        t.stem = NULL;
        t.stem_len = 0;
    } else if (!(flags & PDX_TOK_NUMBER)) {
        int n = stem_word_h(a, folded, flen, h, a->stem, &t.stem);
        if (n < 0)
            return -1;
        t.stem_len = (size_t)n;
        if (c != NULL && t.stem_len <= CACHE_WORD) {
            c->flen = (uint8_t)flen;
            c->slen = (uint8_t)t.stem_len;
            c->stop = (uint8_t)stop;
            memcpy(c->folded, folded, flen);
            memcpy(c->stem, t.stem, t.stem_len);
            if (++a->cache_fills > a->cache_mask / 8 && a->cache_mask + 1 < a->cache_max)
                cache_grow(a);
        }
    }
    return w->fn(w->ctx, &t);
}

static int is_acronym(size_t letters, size_t uppers)
{
    return letters >= 2 && uppers == letters;
}

/* Reports the joined form of the compound in progress, if it has one, and ends it. */
static int flush_compound(struct walk *w)
{
    struct compound *r = &w->a->run;
    int rc = 0;
    if (r->nparts >= 2 && !r->all_numbers && r->len > 0) {
        unsigned flags = PDX_TOK_JOINED;
        if (is_acronym(r->letters, r->uppers))
            flags |= PDX_TOK_ACRONYM;
        rc = emit(w, r->start, r->end, r->pos, flags, r->buf, r->len);
    }
    r->nparts = 0;
    return rc;
}

/* Reports one word (or one part of a compound) text[s, e); `continues` when a single
 * hyphen joins it to the previous part. */
static int emit_part(struct walk *w, size_t s, size_t e, int number_status, int continues)
{
    struct pdx_analyzer *a = w->a;
    struct fold_stats fs;
    int rc;

    if (!continues && (rc = flush_compound(w)) != 0)
        return rc;
    size_t flen = fold_word(a, w->text + s, e - s, a->folded, &fs);
    if (flen == 0)
        return 0; /* nothing left once folded (a lone mark): no position */
    unsigned flags = 0;
    int number = number_status && fs.letters == 0;
    if (number)
        flags |= PDX_TOK_NUMBER;
    if (is_acronym(fs.letters, fs.uppers))
        flags |= PDX_TOK_ACRONYM;

    struct compound *r = &a->run;
    if (r->nparts == 0) {
        r->start = s;
        r->pos = w->pos;
        r->all_numbers = 1;
        r->letters = r->uppers = r->len = 0;
    }
    r->end = e;
    r->nparts++;
    r->all_numbers &= number;
    r->letters += fs.letters;
    r->uppers += fs.uppers;
    size_t room = sizeof r->buf - r->len;
    size_t k = flen;
    if (k > room) {
        k = room;
        while (k > 0 && is_cont((unsigned char)a->folded[k]))
            k--;
    }
    memcpy(r->buf + r->len, a->folded, k);
    r->len += k;

    return emit(w, s, e, w->pos++, flags, a->folded, flen);
}

/* Length of a leading elided article or pronoun in word[0, n), 0 if there is none;
 * *apos is then the byte length of the apostrophe that follows it. */
static size_t elision_len(const char *word, size_t n, size_t *apos)
{
    static const char *const prefixes[] = {"l", "d",  "j",     "m",      "n",      "s",     "t",
                                           "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"};
    char low[ELISION_PREFIX_MAX];
    size_t i;
    for (i = 0; i < n && i <= ELISION_PREFIX_MAX; i++) {
        unsigned char c = (unsigned char)word[i];
        if (c == '\'') {
            *apos = 1;
            break;
        }
        if (c == 0xE2 && i + 2 < n && (unsigned char)word[i + 1] == 0x80 &&
            (unsigned char)word[i + 2] == 0x99) {
            *apos = 3;
            break;
        }
        if (i == ELISION_PREFIX_MAX)
            return 0;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + ('a' - 'A'));
        else if (c < 'a' || c > 'z')
            return 0;
        low[i] = (char)c;
    }
    if (i == 0 || i >= n || i + *apos >= n)
        return 0;
    for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
        if (strlen(prefixes[p]) == i && memcmp(prefixes[p], low, i) == 0)
            return i;
    }
    return 0;
}

/* Is word[0, n) a dotted acronym: single characters separated by dots (O.M.S)? */
static int is_dotted_acronym(const char *word, size_t n)
{
    size_t i = 0;
    for (;;) {
        if (i >= n || word[i] == '.')
            return 0;
        i++;
        while (i < n && is_cont((unsigned char)word[i]))
            i++;
        if (i == n)
            return 1;
        if (word[i] != '.')
            return 0;
        i++;
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Where a number glued to the end of a word starts (CSU2030, covid19, COP28), or e if
 * word[s, e) is not at least two letters then digits only. Such a word is reported as
 * a compound, so that 2030 finds CSU2030; 1er, C3Medical, H1N1 stay whole. */
static size_t trailing_number(const char *t, size_t s, size_t e)
{
    size_t j = e;
    while (j > s && is_digit(t[j - 1]))
        j--;
    if (j == e)
        return e;
    size_t chars = 0;
    for (size_t i = s; i < j; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return e;
        chars += !is_cont(c);
    }
    return chars >= 2 ? j : e;
}

/* Reports one ICU word text[s, e): elision first, then the word itself, split at its
 * inner dots unless it is a dotted acronym or the dot sits between digits (10.5), or
 * before a number glued to its end. */
static int emit_word(struct walk *w, size_t s, size_t e, int number_status, int continues)
{
    const char *t = w->text;
    size_t apos = 0;
    size_t el = elision_len(t + s, e - s, &apos);
    int rc;
    if (el > 0) {
        char f[ELISION_PREFIX_MAX];
        if ((rc = flush_compound(w)) != 0)
            return rc;
        for (size_t i = 0; i < el; i++)
            f[i] = (char)(t[s + i] | 0x20); /* ASCII letters, checked above */
        if ((rc = emit(w, s, s + el, w->pos++, PDX_TOK_ELISION, f, el)) != 0)
            return rc;
        s += el + apos;
        continues = 0;
    }
    if (memchr(t + s, '.', e - s) == NULL) {
        size_t j = trailing_number(t, s, e);
        if (j == e)
            return emit_part(w, s, e, number_status, continues);
        if ((rc = emit_part(w, s, j, 0, continues)) != 0)
            return rc;
        return emit_part(w, j, e, 1, 1);
    }
    if (is_dotted_acronym(t + s, e - s))
        return emit_part(w, s, e, number_status, continues);

    size_t b = s;
    for (size_t i = s + 1; i + 1 < e; i++) {
        if (t[i] != '.' || (is_digit(t[i - 1]) && is_digit(t[i + 1])))
            continue;
        if ((rc = emit_part(w, b, i, number_status, continues)) != 0)
            return rc;
        continues = 1;
        b = i + 1;
    }
    return emit_part(w, b, e, number_status, continues);
}

static int is_hyphen(UChar c)
{
    return c == 0x2D || c == 0x2010 || c == 0x2011;
}

/* Where the chunk starting at `from` ends: see the top of this file. */
static size_t chunk_end(const char *t, size_t len, size_t from)
{
    if (len - from <= CHUNK_TARGET)
        return len;
    size_t lim = len - from > CHUNK_MAX ? from + CHUNK_MAX : len;
    for (size_t i = from + CHUNK_TARGET; i < lim; i++) {
        if (t[i] == '\n' || (t[i] == ' ' && i + 1 < len && (unsigned char)t[i + 1] < 0x80))
            return i + 1;
    }
    if (lim == len)
        return len;
    /* No safe cut in CHUNK_MAX bytes (not prose): cut between two characters. */
    while (lim > from + 1 && is_cont((unsigned char)t[lim]))
        lim--;
    return lim;
}

/* Converts text[0, n) into a->u16; returns the UTF-16 length. */
static int32_t to_utf16(struct pdx_analyzer *a, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    UChar *u = a->u16;
    int32_t k = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            u[k++] = s[i++];
            continue;
        }
        UChar32 cp;
        i = utf8_next(s, i, n, &cp);
        if (cp <= 0xFFFF) {
            u[k++] = (UChar)cp;
        } else {
            u[k++] = U16_LEAD(cp);
            u[k++] = U16_TRAIL(cp);
        }
    }
    return k;
}

/* A position in a chunk, as a UTF-16 index and the byte offset of the same character. */
struct cursor {
    int32_t i16;
    size_t i8;
};

/* Moves `c` forward to the UTF-16 index `target` (never behind c) of the chunk s[0, n),
 * decoding as to_utf16 does, and returns its byte offset; the trail unit of a pair maps
 * to the pair's first byte. The break iterator reports boundaries in increasing order:
 * walking along with it costs less than a table of an offset per unit, which doubled
 * the memory a large document's analysis touches. */
static size_t cursor_to(struct cursor *c, const unsigned char *s, size_t n, int32_t target)
{
    while (c->i16 < target && c->i8 < n) {
        size_t at = c->i8;
        int32_t units = 1;
        if (s[at] < 0x80) {
            c->i8++;
        } else {
            UChar32 cp;
            c->i8 = utf8_next(s, at, n, &cp);
            units = cp <= 0xFFFF ? 1 : 2;
        }
        if (c->i16 + units > target) {
            c->i8 = at;
            return at;
        }
        c->i16 += units;
    }
    return c->i8;
}

static int reserve16(struct pdx_analyzer *a, size_t n)
{
    if (n <= a->cap16)
        return 0;
    if (n > CHUNK_MAX + 1)
        return -1;
    size_t cap = a->cap16 ? a->cap16 : 4096;
    while (cap < n)
        cap *= 2;
    if (cap > CHUNK_MAX + 1)
        cap = CHUNK_MAX + 1;
    UChar *u = realloc(a->u16, cap * sizeof *u);
    if (u == NULL)
        return -1;
    a->u16 = u;
    a->cap16 = cap;
    return 0;
}

/* What segment_simple knows of a character (its Word_Break class in UAX #29). */
enum simple_class {
    SC_OTHER,  /* not known: the text goes to ICU */
    SC_SPACE,  /* U+0020 only (WSegSpace) */
    SC_LETTER, /* ASCII letters, Latin-1 letters but for × and ÷, Œ and œ (ALetter) */
    SC_DIGIT,  /* ASCII digits (Numeric) */
    SC_QUOTE,  /* ' and ’ (Single_Quote, MidNumLet): inside a word between two letters or
                  two digits (l'ARS, aujourd’hui), else outside any word */
    SC_HYPHEN  /* - (Other): between words, which may make a compound */
};

/* The class of the character at s[i] (i < n), and its length in *len. */
static enum simple_class simple_class_at(const unsigned char *s, size_t i, size_t n, size_t *len)
{
    unsigned char c = s[i];
    *len = 1;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return SC_LETTER;
    if (c >= '0' && c <= '9')
        return SC_DIGIT;
    if (c == ' ')
        return SC_SPACE;
    if (c == '\'')
        return SC_QUOTE;
    if (c == '-')
        return SC_HYPHEN;
    if (i + 1 == n)
        return SC_OTHER;
    /* U+00C0 to U+00FF are C3 80 to C3 BF, × C3 97 and ÷ C3 B7; Œ œ are C5 92, C5 93. */
    unsigned char d = s[i + 1];
    *len = 2;
    if ((c == 0xC3 && is_cont(d) && d != 0x97 && d != 0xB7) ||
        (c == 0xC5 && (d == 0x92 || d == 0x93)))
        return SC_LETTER;
    if (c == 0xE2 && d == 0x80 && i + 2 < n && s[i + 2] == 0x99) { /* ’ U+2019 */
        *len = 3;
        return SC_QUOTE;
    }
    return SC_OTHER;
}

/* Is s[0, n) made only of characters whose word boundaries segment_simple knows?
 * Anything else, ill-formed UTF-8 included, is left to ICU. */
static int is_simple(const unsigned char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if (simple_class_at(s, i, n, &k) == SC_OTHER)
            return 0;
    return 1;
}

/* Reports the words of text[base, base + n), a chunk is_simple accepted. There UAX #29
 * holds letters and digits together (WB5, WB8 to WB10), keeps a quote inside a word
 * between two letters or two digits (WB6, WB7, WB11, WB12), and breaks everywhere else;
 * ICU gives a word the status of the rule that took its last character:
 * UBRK_WORD_NUMBER when it ends with a digit (covid19 too), UBRK_WORD_LETTER otherwise.
 * A word right after a hyphen that follows the previous word continues a compound, as in
 * analyze_chunk. tests/test_analyzer.c checks the tokens against ICU's on every string
 * of up to five characters of a sample of each class and on random text. */
static int segment_simple(struct walk *w, size_t base, size_t n)
{
    const unsigned char *t = (const unsigned char *)w->text + base;
    size_t prev_end = SIZE_MAX; /* end of the previous word in this chunk */
    for (size_t s = 0, k; s < n;) {
        enum simple_class c = simple_class_at(t, s, n, &k);
        if (c != SC_LETTER && c != SC_DIGIT) {
            s += k;
            continue;
        }
        size_t e = s + k;
        while (e < n) {
            enum simple_class next = simple_class_at(t, e, n, &k);
            if (next == SC_LETTER || next == SC_DIGIT) {
                c = next;
                e += k;
                continue;
            }
            size_t k2;
            if (next != SC_QUOTE || e + k == n || simple_class_at(t, e + k, n, &k2) != c)
                break;
            e += k + k2; /* the quote and the letter or digit after it */
        }
        int continues =
            w->a->run.nparts > 0 && prev_end != SIZE_MAX && s == prev_end + 1 && t[prev_end] == '-';
        int rc = emit_word(w, base + s, base + e, c == SC_DIGIT, continues);
        if (rc != 0)
            return rc;
        prev_end = e;
        s = e;
    }
    return flush_compound(w);
}

static int analyze_chunk(struct walk *w, size_t base, size_t n)
{
    struct pdx_analyzer *a = w->a;
    UErrorCode st = U_ZERO_ERROR;
    if (!a->icu_only && is_simple((const unsigned char *)w->text + base, n))
        return segment_simple(w, base, n);
    const struct pdx_icu *icu = need_icu(a);
    if (icu == NULL)
        return -1;
    if (a->brk == NULL && (a->brk = icu->ubrk_open(UBRK_WORD, "fr", NULL, 0, &st)) == NULL)
        return -1; /* ICU returns NULL on any failure */
    if (reserve16(a, n + 1) != 0)
        return -1;
    int32_t n16 = to_utf16(a, w->text + base, n);
    icu->ubrk_setText(a->brk, a->u16, n16, &st);
    if (U_FAILURE(st))
        return -1;

    const unsigned char *text = (const unsigned char *)w->text + base;
    struct cursor at = {0, 0};
    int32_t prev_end = -1; /* end of the previous word in this chunk */
    int32_t s = icu->ubrk_first(a->brk);
    for (int32_t e = icu->ubrk_next(a->brk); e != UBRK_DONE; s = e, e = icu->ubrk_next(a->brk)) {
        int32_t status = icu->ubrk_getRuleStatus(a->brk);
        if (status < UBRK_WORD_NONE_LIMIT)
            continue;
        int continues =
            a->run.nparts > 0 && prev_end >= 0 && s == prev_end + 1 && is_hyphen(a->u16[prev_end]);
        int number = status < UBRK_WORD_NUMBER_LIMIT;
        size_t bs = cursor_to(&at, text, n, s);
        size_t be = cursor_to(&at, text, n, e);
        int rc = emit_word(w, base + bs, base + be, number, continues);
        if (rc != 0)
            return rc;
        prev_end = e;
    }
    return flush_compound(w);
}

const char *pdx_analyze_failure(void)
{
    const char *icu = pdx_icu_error();
    return *icu ? icu : "out of memory or an ICU error";
}

int pdx_analyze(struct pdx_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                pdx_token_fn fn, void *ctx)
{
    struct walk w = {a, text, fn, ctx, first_pos};
    a->run.nparts = 0;
    a->icu_missing = 0;
    for (size_t from = 0; from < len;) {
        size_t end = chunk_end(text, len, from);
        int rc = analyze_chunk(&w, from, end - from);
        if (rc == 0 && a->icu_missing)
            rc = -1;
        if (rc != 0) {
            a->run.nparts = 0;
            return rc;
        }
        from = end;
    }
    return 0;
}

/* The first bytes of the folded form of the token s[0, n), as far as its first
 * characters give them without folding it: ASCII letters and digits (in lower case) and
 * the letters of LATIN_FOLD. Returns how many of b[0], b[1] it wrote: 0 when the first
 * character needs folding (then the caller folds the token and emit filters it). After
 * an ASCII first byte only an ASCII second one is read: decoding « dé », « ré » for the
 * second byte cost more than the folds it saved. */
static size_t folded_prefix(const struct pdx_analyzer *a, const char *s, size_t n,
                            unsigned char b[2])
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c0 = ascii_lower(u[0]), c1 = n > 1 ? ascii_lower(u[1]) : 0;
    if (report_bit(c0)) { /* most words: a second ASCII letter or digit, or none read */
        b[0] = c0;
        b[1] = c1;
        return report_bit(c1) ? 2 : 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k < 2;) {
        unsigned char c = ascii_lower(u[i]);
        if (report_bit(c)) {
            b[k++] = c;
            i++;
            continue;
        }
        UChar32 cp;
        const struct fold_entry *l = NULL;
        if (c >= 0x80 && !a->icu_only) {
            i = utf8_next(u, i, n, &cp);
            l = latin_fold(cp);
        }
        if (l == NULL || !(l->cls & CL_LETTER))
            break; /* dropped, kept as it is or folded by ICU: folding tells */
        for (size_t j = 0; j < l->len && k < 2; j++)
            b[k++] = (unsigned char)l->out[j];
    }
    return k;
}

/* Does the span table fit text[0, len): well formed, every span on character
 * boundaries? */
static int spans_fit(const char *text, size_t len, const unsigned char *spans, size_t spans_len)
{
    struct pdx_spans_reader r = {spans, spans_len, 0};
    size_t s, e;
    unsigned flags;
    int got;
    while ((got = pdx_spans_next(&r, len, &s, &e, &flags)) == 1)
        if (is_cont((unsigned char)text[s]) || (e < len && is_cont((unsigned char)text[e])))
            return 0;
    return got == 0;
}

int pdx_analyze_spans(struct pdx_analyzer *a, const char *text, size_t len,
                      const unsigned char *spans, size_t spans_len, uint32_t first_pos,
                      pdx_token_fn fn, void *ctx)
{
    if (!spans_fit(text, len, spans, spans_len))
        return PDX_SPANS_MISFIT; /* before any token: the caller can analyse the text */
    a->icu_missing = 0;
    struct walk w = {a, text, fn, ctx, first_pos};
    struct pdx_spans_reader r = {spans, spans_len, 0};
    size_t s, e;
    unsigned flags;
    while (pdx_spans_next(&r, len, &s, &e, &flags) == 1) {
        /* A word that begins with ASCII letters or digits folds to a word that begins
         * with them in lower case: one not to report needs no folding. */
        unsigned char b[2];
        size_t known = a->report != NULL ? folded_prefix(a, text + s, e - s, b) : 0;
        if (known > 0 && !report_passes(a->report, b[0], known > 1, b[1])) {
            w.pos++;
            continue;
        }
        struct fold_stats fs;
        size_t flen = fold_word(a, text + s, e - s, a->folded, &fs);
        if (flen == 0)
            continue; /* not in a table the indexer wrote: pdx_analyze reports no such token */
        int rc = emit(&w, s, e, w.pos++, flags, a->folded, flen);
        if (rc != 0)
            return rc;
    }
    return a->icu_missing ? -1 : 0;
}
