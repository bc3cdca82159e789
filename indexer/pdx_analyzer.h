/*
 * pdx_analyzer.h — French text analysis: word breaking, elision splitting, folding,
 * stemming. The one place where a word becomes a term.
 *
 * The indexer and the query parser both call these functions, so a word is folded and
 * stemmed identically at index and at query time. Nothing here prints, exits or touches
 * the index. All state (ICU break iterator, normaliser, Snowball stemmer, word lists)
 * lives in a `struct pdx_analyzer`; use one per thread.
 *
 * The chain, for each word ICU's word breaker (locale fr) finds in UTF-8 NFC text (text
 * made only of spaces, ASCII letters and digits, the letters of Latin-1, Œ and œ is cut
 * at its spaces without ICU, into the same words):
 *   1. elision: a leading l' d' j' m' n' s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu'
 *      (with ' or ’, any case) becomes a token of its own ("l", "qu", …);
 *   2. fold: case fold, strip diacritics, expand ligatures (œ→oe, æ→ae), drop the
 *      dots of dotted acronyms (O.M.S. → oms) and inner apostrophes;
 *   3. stem: Snowball French on the folded form, unless the word is protected (a list
 *      shipped in indexer/data/protected.txt) or is a number, in which case the stem
 *      is the folded form itself.
 * Words joined by hyphens (AP-HP, Georges-Pompidou, France-Kazakhstan) are reported
 * part by part at consecutive positions, then once more joined (aphp) as a token with
 * the PDX_TOK_JOINED flag and the position of the first part, so "AP-HP", "APHP",
 * "ap hp" and "AP HP" all find each other.
 */
#ifndef INDEXER_PDX_ANALYZER_H
#define INDEXER_PDX_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

/* Longest folded term kept, in bytes; longer words are truncated at a character
 * boundary (Xapian's own limit on a term is 245 bytes, prefixes included). */
#define PDX_TERM_MAX 120

/* Token flags. */
enum pdx_token_flag {
    PDX_TOK_NUMBER = 1u << 0,   /* made of digits (2023, 10,5, 1er counts as a word) */
    PDX_TOK_STOPWORD = 1u << 1, /* in the stop-word list (indexer/data/stopwords.txt) */
    PDX_TOK_ELISION = 1u << 2,  /* the elided article or pronoun split off a word */
    PDX_TOK_JOINED = 1u << 3,   /* the joined form of a hyphenated compound */
    PDX_TOK_ACRONYM = 1u << 4   /* written in capitals (≥ 2 letters) in the source */
};

/* One token. All pointers are borrowed and valid only during the callback. */
struct pdx_token {
    size_t start;       /* byte offset of the token's first byte in the text */
    size_t end;         /* byte offset just past its last byte */
    uint32_t pos;       /* 1-based position; hyphen parts take one each */
    unsigned flags;     /* PDX_TOK_* */
    const char *folded; /* folded form, UTF-8, not NUL-terminated */
    size_t folded_len;
    const char *stem; /* stem of the folded form (== folded for numbers, protected);
                       * NULL when not asked for (pdx_analyzer_stem_only) */
    size_t stem_len;
};

/* Called once per token in text order; return 0 to go on, nonzero to stop (that value
 * is then returned by pdx_analyze). */
typedef int (*pdx_token_fn)(void *ctx, const struct pdx_token *tok);

struct pdx_analyzer;

/* Creates an analyzer. On failure returns NULL and writes a one-line reason into
 * `errbuf` (may be NULL). The caller frees it with pdx_analyzer_free. ICU's word break
 * iterator is opened later, by the first pdx_analyze that needs it: if that fails, that
 * call returns -1. */
struct pdx_analyzer *pdx_analyzer_new(char *errbuf, size_t errbuf_len);

/* Frees the analyzer and all it owns (its break iterator if opened); NULL is allowed. */
void pdx_analyzer_free(struct pdx_analyzer *a);

/* Keeps the analyzer's stem cache small (64 words, one page; call it before the first
 * analysis) instead of letting it grow with the vocabulary from 64 KB up to 4 MB. For a
 * short-lived process that analyses a few documents, such as a search, which stems few
 * words: there each new page the cache touches costs a page fault worth about ten
 * Snowball calls. Results are the same either way. */
void pdx_analyzer_keep_cache_small(struct pdx_analyzer *a);

/* Stems only the words whose folded form begins with a byte b for which first[b] is
 * nonzero; the other tokens are reported with stem NULL and stem_len 0 (unless their stem
 * is at hand anyway: numbers, cached words). For a caller that looks for given stems
 * only, such as the highlighter: Snowball French never changes a word's first byte (its
 * rules work on suffixes inside regions that start at the second character at the
 * earliest; tests/test_analyzer.c checks it), so no word whose first byte differs from a
 * stem's can have that stem. `first` (256 entries) is borrowed until the next call;
 * NULL, the default, stems every word. */
void pdx_analyzer_stem_only(struct pdx_analyzer *a, const unsigned char *first);

/* The tokens a caller looking for given words wants reported, by the first two bytes of
 * their folded form: a token is reported when first[b0] is nonzero and, if b0 and b1 are
 * both ASCII letters or digits, second[b0] has PDX_REPORT_ANY or pdx_report_bit(b1) set.
 * Fill it with pdx_report_filter_init and the _add functions. */
struct pdx_report_filter {
    unsigned char first[256];
    uint64_t second[128];
};
#define PDX_REPORT_ANY (UINT64_C(1) << 63)

/* Reports nothing; with `all` nonzero, everything. */
void pdx_report_filter_init(struct pdx_report_filter *f, int all);

/* Also reports the tokens whose folded form is, or begins with, folded[0, len). */
void pdx_report_filter_add_form(struct pdx_report_filter *f, const char *folded, size_t len);

/* Also reports the tokens whose stem is stem[0, len). Snowball French keeps a word's
 * first byte, and its second byte too except that a y may become i (« ayissement » ->
 * « ai »): its rules work on suffixes inside regions that start at the third character
 * at the earliest, and only its final y -> i reaches back to the second (tests check
 * both on every word of up to two letters before each suffix its rules name). */
void pdx_report_filter_add_stem(struct pdx_report_filter *f, const char *stem, size_t len);

/* Reports only the tokens `f` lets through; the others are skipped (positions still
 * count them), and pdx_analyze_spans does not even fold those that begin with two ASCII
 * letters or digits. For a caller that looks for given words only, such as the
 * highlighter. `f` is borrowed until the next call; NULL, the default, reports every
 * token. */
void pdx_analyzer_report_only(struct pdx_analyzer *a, const struct pdx_report_filter *f);

/* For tests comparing the ICU-free paths with ICU: with `on` nonzero (before the first
 * analysis) every text goes through ICU's word break iterator, even text that the
 * ICU-free path (see above) would take, and every character is folded by ICU, the
 * letters of French too; the tokens must be the same either way. */
void pdx_analyzer_icu_only(struct pdx_analyzer *a, int on);

/* For tests: nonzero once the analyzer has opened ICU's word break iterator, which it
 * does for the first text that the ICU-free path cannot take. */
int pdx_analyzer_icu_opened(const struct pdx_analyzer *a);

/* Tokenises `text` (valid UTF-8, ideally NFC) and calls `fn` for each token. Positions
 * start at `first_pos` (use 1). Returns 0, the callback's nonzero value, or -1 on an
 * internal failure (ICU error, allocation). */
int pdx_analyze(struct pdx_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                pdx_token_fn fn, void *ctx);

/* Why an analysis returned -1, for a message: ICU's own words when its libraries could
 * not be loaded (then every text that needs ICU fails the same way), else what is left. */
const char *pdx_analyze_failure(void);

/* What pdx_analyze_spans returns, before reporting any token, for a table that does not
 * fit its text (malformed, or spans off the text's characters). */
#define PDX_SPANS_MISFIT (-2)

/* Reports the tokens pdx_analyze reports for `text`, joined compounds left out, without
 * breaking words: from the table of their byte spans (pdx_spans.h) that the indexer
 * stored with the text. Each token has the start, end, folded form and stem pdx_analyze
 * gives it and the flags PDX_TOK_STOPWORD and PDX_TOK_NUMBER (as the table records it);
 * positions count from `first_pos` over the tokens reported. Returns 0, the callback's
 * nonzero value, -1 on an internal failure (allocation), or PDX_SPANS_MISFIT (the caller
 * can then analyse the text instead). */
int pdx_analyze_spans(struct pdx_analyzer *a, const char *text, size_t len,
                      const unsigned char *spans, size_t spans_len, uint32_t first_pos,
                      pdx_token_fn fn, void *ctx);

/* Folds one word (no word breaking, no elision) into `out` (NUL-terminated). Returns
 * the folded length, or -1 if it does not fit in `out_len`. */
int pdx_fold(struct pdx_analyzer *a, const char *word, size_t len, char *out, size_t out_len);

/* Stems an already folded word into `out` (NUL-terminated), honouring the protected
 * list. Returns the stem length or -1 if it does not fit. */
int pdx_stem(struct pdx_analyzer *a, const char *folded, size_t len, char *out, size_t out_len);

/* Lower-cases only (keeps accents) — for exact-accent matching. Returns the length or
 * -1 if it does not fit. */
int pdx_lower(struct pdx_analyzer *a, const char *word, size_t len, char *out, size_t out_len);

/* Is this folded word a stop word? */
int pdx_is_stopword(const struct pdx_analyzer *a, const char *folded, size_t len);

/* The analyzer's version: bump it whenever a change alters the terms produced, so that
 * indexes built by another version are detected. */
#define PDX_ANALYZER_VERSION "2"

#endif /* INDEXER_PDX_ANALYZER_H */
