/*
 * extract_common.h — internals shared by the extractors (not a public header).
 *
 * One section per file:
 *   extract_common.c        the extractor object, the PCRE2 helpers (JIT, limits), the
 *                           word scanner and ASCII folding used for the cheap pre-scan,
 *                           the string pool and result arrays, calendar arithmetic;
 *   extract_dates.c         dates (pdx_dates_*), the document date;
 *   extract_institutions.c  institutions (pdx_inst_*);
 *   extract_pillars.c       pillars (pdx_pillars_*).
 *
 * The extractors share one pattern: a byte scan over words (no regex) finds candidate
 * words through a table of 4-letter folded keys; only there an anchored, JIT-compiled
 * PCRE2 pattern runs. So the cost per byte is the scan, not the patterns.
 */
#ifndef INDEXER_EXTRACT_COMMON_H
#define INDEXER_EXTRACT_COMMON_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "pdx_extract.h"

/* ---- extract_common.c ------------------------------------------------------------ */

/* Key-table flags: which extractor wants a word whose folded prefix has this key. */
enum pdx_key_flag {
    PDX_KEY_DATE = 1u << 0,
    PDX_KEY_INST = 1u << 1,   /* a trigger noun (ministère, institut …) */
    PDX_KEY_GAZ = 1u << 2,    /* first word of a gazetteer name or variant */
    PDX_KEY_PILLAR = 1u << 3, /* first word of a taxonomy pattern */
    PDX_KEY_DECL = 1u << 4,   /* a declaration noun (piliers, axes, champs …) */
    PDX_KEY_ACR = 1u << 5     /* starts with two capitals (a possible acronym) */
};

/* A candidate word of the pre-scan: one of the extractors wants to look at it. */
struct pdx_cand {
    size_t ws, we;
    unsigned flags; /* PDX_KEY_* (PDX_KEY_DATE for digits too) */
};

/* Open-addressing set of folded words (by 64-bit hash) with flags; a word may also be
 * registered as a prefix ("soin" for "soin*"). */
struct pdx_keyset {
    uint64_t *keys; /* 0 = empty slot */
    uint8_t *flags;
    size_t cap; /* power of two */
    size_t count;
    uint32_t prefix_lens; /* bit n: some prefix of n characters is registered */
};

struct pdx_dates;
struct pdx_institutions;
struct pdx_pillars;

/* Offset pairs of the shared match data: more than any pattern's capture groups. */
#define PDX_MATCH_PAIRS 128

struct pdx_extractor {
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    pcre2_match_data *md;
    struct pdx_keyset keys;
    struct pdx_dates *dates;
    struct pdx_institutions *inst;
    struct pdx_pillars *pillars;
    unsigned kinds; /* PDX_EXTRACT_* bits of the extractors built */
    /* scratch of pdx_extract: the candidate words of the current text */
    struct pdx_cand *cands;
    size_t ncands, capcands;
};

/* Compiles `pattern` (UTF, UCP, plus `options`) and, when `jit` is nonzero, JIT-compiles
 * it. Returns NULL and writes the PCRE2 message and offset into errbuf on failure. */
pcre2_code *pdx_re_compile(const char *pattern, uint32_t options, int jit, char *errbuf,
                           size_t errbuf_len);

/* The per-letter gazetteer and taxonomy alternations are compiled without JIT (JIT
 * compilation was most of an extractor's start-up cost, and these anchored
 * alternations fail fast when interpreted) and JIT-compiled on their bucket's
 * PDX_JIT_AFTER-th use (pdx_phrases_match), for texts dense in names. */
#define PDX_JIT_AFTER 4096

/* Runs `re` (compiled with PCRE2_ANCHORED: PCRE2 10.42 does not use the JIT code when
 * PCRE2_ANCHORED is given at match time) at `off` over the whole text (so look-behinds see what
 * precedes). Returns 1 on a match (see pdx_re_ovector), 0 when none, -1 when a limit was hit
 * (counted in `out`), -2 on any other PCRE2 error. */
int pdx_re_match(struct pdx_extractor *ex, const pcre2_code *re, const char *text, size_t len,
                 size_t off, struct pdx_extraction *out);

/* The ovector of the last match (pairs of offsets; PCRE2_UNSET for unset groups). */
const size_t *pdx_re_ovector(const struct pdx_extractor *ex);

/* The (*MARK) name of the last match, or "" when none. */
const char *pdx_re_mark(const struct pdx_extractor *ex);

/* Group `name`'s span in the last match of `re`; returns 1 if set, 0 if not. */
int pdx_re_group(const struct pdx_extractor *ex, const pcre2_code *re, const char *name,
                 size_t *start, size_t *end);

/* Decodes the code point at text[i] (text valid UTF-8) and sets *next past it. */
uint32_t pdx_utf8_at(const char *text, size_t len, size_t i, size_t *next);

/* Is `cp` a letter or digit for the word scanner (apostrophes, dashes, quotes, spaces
 * and punctuation are not)? */
int pdx_is_word_cp(uint32_t cp);

/* Is `cp` an upper-case letter (ASCII or Latin-1/Latin Extended-A)? */
int pdx_is_upper_cp(uint32_t cp);

/* Finds the next word at or after *pos: sets [*ws, *we) and *pos = *we. Returns 0 at
 * the end of the text. */
int pdx_next_word(const char *text, size_t len, size_t *pos, size_t *ws, size_t *we);

/* The word that ends before `pos` (skipping white space and apostrophes only), or 0. */
int pdx_prev_word(const char *text, size_t pos, size_t *ws, size_t *we);

/* Folds text[s, e) to lower-case ASCII (accents stripped, œ→oe; other non-ASCII
 * letters become '_'; other characters are kept when ASCII, else become ' ') into
 * `out` (NUL-terminated, truncated to out_len - 1). Returns the length written. */
size_t pdx_extract_fold(const char *text, size_t s, size_t e, char *out, size_t out_len);

/* Does the folded word text[ws, we) equal `lit` (lower-case ASCII)? */
int pdx_word_is(const char *text, size_t ws, size_t we, const char *lit);

/* Does it equal one of the NULL-terminated list? */
int pdx_word_in(const char *text, size_t ws, size_t we, const char *const *list);

/* Registers the folded word `w` (exact) or, with `prefix`, every word starting with
 * it (at most 31 bytes). Returns 0 or -1 on allocation failure. */
int pdx_keyset_add(struct pdx_keyset *ks, const char *w, size_t len, int prefix, unsigned flag);

/* The flags of the word text[ws, we) (folded). */
unsigned pdx_keyset_lookup(const struct pdx_keyset *ks, const char *text, size_t ws, size_t we);

/* Copies text[0, len) into the pool and returns the NUL-terminated copy (NULL on
 * allocation failure). The copy lives as long as the pool. */
const char *pdx_pool_strndup(struct pdx_str_pool **pool, const char *s, size_t len);
void pdx_pool_free(struct pdx_str_pool *pool);

/* Makes a lower-case ASCII slug from text[s, e) ("Institut Curie" → "institut-curie"),
 * dropping French articles and prepositions; at most out_len - 1 bytes. Returns the
 * length (0 when nothing is left). */
size_t pdx_slug(const char *text, size_t s, size_t e, char *out, size_t out_len);

/* Result arrays: return 0, or -1 when allocation fails (the mention is dropped and
 * `truncated` set when the maximum is reached, which returns 0). */
int pdx_push_date(struct pdx_extraction *out, const struct pdx_date_mention *m);

/* Makes room for element `count` of an array of `size`-byte elements (*arr, *cap),
 * doubling it when full. Returns 0; 1 when `count` has reached `max` (nothing changed);
 * -1 when out of memory (the array is kept). The one growth rule of the extractors. */
int pdx_grow(void **arr, size_t *cap, size_t count, size_t size, size_t max);
int pdx_push_institution(struct pdx_extraction *out, const struct pdx_institution_mention *m);
int pdx_push_pillar(struct pdx_extraction *out, const struct pdx_pillar_mention *m);

/* Calendar. */
int pdx_days_in_month(int year, int month);
int pdx_weekday(int year, int month, int day); /* 0 = Monday … 6 = Sunday */
void pdx_ymd_add_days(struct pdx_ymd *d, int days);

/* Writes an error message "what: detail" into errbuf (may be NULL). */
void pdx_errf(char *errbuf, size_t errbuf_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- extract_dates.c ------------------------------------------------------------- */
int pdx_dates_init(struct pdx_extractor *ex, char *errbuf, size_t errbuf_len);
void pdx_dates_free(struct pdx_dates *d);
int pdx_dates_extract(struct pdx_extractor *ex, const char *text, size_t len,
                      struct pdx_extraction *out);

/* ---- extract_institutions.c ------------------------------------------------------ */
int pdx_inst_init(struct pdx_extractor *ex, const struct pdx_extractor_options *opts, char *errbuf,
                  size_t errbuf_len);
void pdx_inst_free(struct pdx_institutions *in);
int pdx_inst_extract(struct pdx_extractor *ex, const char *text, size_t len,
                     struct pdx_extraction *out);

/* ---- extract_pillars.c ----------------------------------------------------------- */
int pdx_pillars_init(struct pdx_extractor *ex, const struct pdx_extractor_options *opts,
                     char *errbuf, size_t errbuf_len);
void pdx_pillars_free(struct pdx_pillars *p);
/* Uses out->institutions (when extracted) to drop theme words inside names. */
int pdx_pillars_extract(struct pdx_extractor *ex, const char *text, size_t len,
                        struct pdx_extraction *out);

/* ---- shared data-file helpers (extract_common.c) --------------------------------- */

/* Splits a data line "a | b | c" into at most `max` trimmed fields (pointers into the
 * line, lengths in lens). Returns the number of fields. */
size_t pdx_split_fields(const char *line, size_t len, char sep, const char **fields, size_t *lens,
                        size_t max);

/* Turns a phrase of the data files into a PCRE2 fragment: words matched without regard
 * to case and accents, a trailing '*' on a word allows any ending, '..' allows up to
 * four words in between, 'a/b' gives alternatives for one word, an ALL-CAPS word
 * (≥ 2 letters) is matched case-sensitively; between words any white space,
 * apostrophe or hyphen. Appends to `buf` (at most cap bytes, NUL-terminated). Returns
 * 0, or -1 when it does not fit or the phrase is empty. */
int pdx_phrase_to_regex(const char *phrase, size_t len, char *buf, size_t cap, size_t *used);

/* A list of data-file phrases compiled into one anchored alternation; each alternative
 * ends with (*MARK:n) where n is the index given to pdx_phrases_add, longest phrases
 * first so that the longest name wins. */
struct pdx_phrase {
    char *re;
    size_t weight;
    unsigned idx;
    uint32_t buckets; /* bit b: the first word may start with bucket b's letter */
};

/* Phrases are compiled into one alternation per first letter (a…z, then the rest),
 * which keeps each pattern small and the tries at a word few. */
#define PDX_BUCKETS 27
struct pdx_phrases {
    struct pdx_phrase *items;
    size_t n, cap;
};

/* Adds `phrase` (data-file syntax) for entry `idx` and registers its first word's key
 * with `keyflag`. Returns 0, -1 on allocation failure, -2 when the phrase is empty or
 * too long. */
int pdx_phrases_add(struct pdx_phrases *ps, struct pdx_keyset *ks, unsigned keyflag,
                    const char *phrase, size_t len, unsigned idx);

/* The compiled alternations of one first-letter bucket: as many patterns ("chunks") as
 * it takes to keep each under PDX_CHUNK_SOURCE_MAX bytes of source, so that a large
 * user gazetteer never hits PCRE2's pattern size limit. */
#define PDX_CHUNK_SOURCE_MAX 12000
struct pdx_phrase_re {
    pcre2_code **chunks;
    size_t n;
    unsigned uses; /* for lazy JIT */
};

/* Compiles the alternations (case-insensitive but for ALL-CAPS words) into
 * re[0..PDX_BUCKETS-1] (n == 0 for an empty bucket). Returns 0, or a PDX_EXTRACT_E* code
 * with the message in errbuf; free with pdx_phrase_re_free in every case. */
int pdx_phrases_compile(const struct pdx_phrases *ps, struct pdx_phrase_re *re, char *errbuf,
                        size_t errbuf_len);

/* Tries bucket `pr` anchored at `off`: returns 1 and sets *end and *idx (the phrase's
 * entry) for the longest match over all chunks (the first chunk's on a tie), 0 when none
 * (limit errors are counted in `out`). JIT-compiles the chunks on the bucket's
 * PDX_JIT_AFTER-th use. */
int pdx_phrases_match(struct pdx_extractor *ex, struct pdx_phrase_re *pr, const char *text,
                      size_t len, size_t off, struct pdx_extraction *out, size_t *end, long *idx);

/* Releases the chunks of re[0..PDX_BUCKETS-1]. */
void pdx_phrase_re_free(struct pdx_phrase_re *re);

/* The bucket of the word starting at text[ws]. */
unsigned pdx_bucket_of(const char *text, size_t len, size_t ws);

void pdx_phrases_free(struct pdx_phrases *ps);

/* Calls fn for each non-comment, non-blank line of a data file. Stops at and returns
 * fn's first nonzero value. */
int pdx_data_lines(const char *data, size_t len,
                   int (*fn)(void *ctx, const char *line, size_t n, size_t lineno), void *ctx);

#endif /* INDEXER_EXTRACT_COMMON_H */
