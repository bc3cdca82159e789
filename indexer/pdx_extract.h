/*
 * pdx_extract.h — finding dates, institutions and policy pillars in French text.
 *
 * Three extractors run over UTF-8 text given as (pointer, length) and report mentions
 * with byte offsets [start, end) into that text and normalised values:
 *   - dates: TimeML TIMEX3 type (DATE, TIME, DURATION, SET) and value ("2025-10-21",
 *     "2025-10", "2023", "P5Y", "XXXX-11-04", "2025-SU", "2025-Q1", "PRESENT_REF" …),
 *     resolved against a reference date when one is known; a range (« du 21 au 23 mars
 *     2017 », « 2023-2027 ») is two mentions, the first marked PDX_RANGE_BEGIN and the
 *     second PDX_RANGE_END;
 *   - institutions: canonical id (lower-case ASCII slug), canonical name and acronym,
 *     from a gazetteer (indexer/data/institutions.txt plus user files), from trigger
 *     nouns (Ministère, Institut, Université, Hôpital …) with their complements, and
 *     from acronym ↔ long form definitions found in the document itself;
 *   - pillars: health-policy themes from a taxonomy (indexer/data/pillars.txt plus user
 *     files), and the items of a declared list (« trois piliers : » followed by bullets).
 * Spans never include a leading article or preposition (« le 21 octobre 2025 » gives
 * `21 octobre 2025`). The data file formats are described at the top of each file.
 *
 * All state — compiled PCRE2 patterns (JIT), match limits, gazetteer, taxonomy — lives
 * in a `struct pdx_extractor` built once with pdx_extractor_new. pdx_extract uses the
 * extractor's match data and JIT-compiles rarely used patterns on demand, so use one
 * extractor per thread. Nothing
 * here prints, exits or touches the index. A pattern that hits its match, depth or heap
 * limit is counted in the result (`limit_errors`) and skipped; extraction goes on.
 */
#ifndef INDEXER_PDX_EXTRACT_H
#define INDEXER_PDX_EXTRACT_H

#include <stddef.h>

/* Bump whenever a change alters the mentions produced (ids, values, spans), so that
 * indexes holding extracted terms can tell they are stale. */
#define PDX_EXTRACT_VERSION "2"

/* Longest TIMEX3 value, NUL included ("2025-10-21T10:30" is 17). */
#define PDX_TIMEX_VALUE_MAX 24

/* Which extractors pdx_extract runs (bit mask). */
enum pdx_extract_kind {
    PDX_EXTRACT_DATES = 1u << 0,
    PDX_EXTRACT_INSTITUTIONS = 1u << 1,
    PDX_EXTRACT_PILLARS = 1u << 2,
    PDX_EXTRACT_ALL = 7u
};

/* Return codes. */
enum pdx_extract_status {
    PDX_EXTRACT_OK = 0,
    PDX_EXTRACT_ENOMEM = -1, /* allocation failed or a result exceeded its maximum */
    PDX_EXTRACT_EDATA = -2,  /* a data file (gazetteer, taxonomy) is malformed */
    PDX_EXTRACT_EPCRE = -3,  /* a pattern failed to compile (a bug or a bad user file) */
    PDX_EXTRACT_EINTERNAL = -4,
    PDX_EXTRACT_EINVAL = -5 /* the text is not valid UTF-8 */
};

enum pdx_timex_type { PDX_TIMEX_DATE, PDX_TIMEX_TIME, PDX_TIMEX_DURATION, PDX_TIMEX_SET };

enum pdx_range_role { PDX_RANGE_NONE, PDX_RANGE_BEGIN, PDX_RANGE_END };

/* Where the reference date came from. */
enum pdx_ref_source {
    PDX_REF_NONE,     /* none known: year-less dates get XXXX unless a weekday fixes it */
    PDX_REF_DOCUMENT, /* the document's own date (pdx_find_doc_date) */
    PDX_REF_OPTION    /* given by the caller */
};

/* A calendar date; fields are 0 when unknown. */
struct pdx_ymd {
    int year;
    int month; /* 1..12 */
    int day;   /* 1..31 */
};

struct pdx_date_mention {
    size_t start, end;
    enum pdx_timex_type type;
    char value[PDX_TIMEX_VALUE_MAX]; /* TIMEX3 value, NUL-terminated */
    /* The calendar fields of a DATE or TIME value, 0 where unknown (for "2025-10",
     * day is 0; for "XXXX-11-04", year is 0; for durations and sets all are 0): what
     * an indexer needs for D/M/Y terms. */
    struct pdx_ymd ymd;
    enum pdx_range_role range;
};

struct pdx_institution_mention {
    size_t start, end;
    const char *id;      /* canonical slug, e.g. "oms", "ministere-sante" */
    const char *name;    /* canonical long form */
    const char *acronym; /* NULL when none is known */
};

struct pdx_pillar_mention {
    size_t start, end;
    const char *id;    /* taxonomy id, or a slug derived from a list item */
    const char *label; /* taxonomy label, or the list item's text */
    int from_list;     /* 1 when the mention is an item of a declared list */
};

struct pdx_str_pool;

/* What pdx_extract found in one text. Zero-initialise before the first use; release with
 * pdx_extraction_free. All strings are owned by the extraction or by the extractor and
 * stay valid until pdx_extraction_free or pdx_extractor_free, whichever comes first.
 * Mentions of each kind are sorted by start offset and do not overlap, except that a
 * pillar from a declared list (from_list) spans its whole item and may contain pillar
 * mentions of other themes. */
struct pdx_extraction {
    struct pdx_date_mention *dates;
    size_t n_dates;
    struct pdx_institution_mention *institutions;
    size_t n_institutions;
    struct pdx_pillar_mention *pillars;
    size_t n_pillars;

    struct pdx_ymd ref_date; /* the reference used (zero when ref_source is NONE) */
    enum pdx_ref_source ref_source;
    int has_doc_date;        /* 1 when the text states its own date */
    struct pdx_ymd doc_date; /* that date */

    size_t limit_errors;      /* PCRE2 matches abandoned at a limit */
    size_t first_limit_error; /* byte offset of the first one */
    int truncated;            /* 1 when a kind hit PDX_EXTRACT_MAX_MENTIONS */

    size_t cap_dates, cap_institutions, cap_pillars; /* private */
    struct pdx_str_pool *pool;                       /* private */
};

/* Most mentions of one kind kept per text; further ones set `truncated`. */
#define PDX_EXTRACT_MAX_MENTIONS (1u << 20)

/* Optional user data, in the same formats as the shipped files. Pointers are borrowed
 * for the duration of pdx_extractor_new only; any may be NULL. `*_name` labels the
 * source in error messages (e.g. the file's path). */
struct pdx_extractor_options {
    const char *institutions;
    size_t institutions_len;
    const char *institutions_name;
    const char *pillars;
    size_t pillars_len;
    const char *pillars_name;
    unsigned kinds; /* the extractors to build, PDX_EXTRACT_* bits; 0 builds all. The others
                     * find nothing (and pdx_find_doc_date needs the dates one) */
    unsigned long match_limit; /* PCRE2 limits; 0 selects the defaults */
    unsigned long depth_limit;
    unsigned long heap_limit_kib;
};

struct pdx_extractor;

/* Builds an extractor from the shipped data plus `opts` (may be NULL). On failure
 * returns NULL, sets *status (may be NULL) to a PDX_EXTRACT_E* code and writes a
 * one-line reason into `errbuf` (may be NULL), e.g. "pillars.txt:12: empty pattern".
 * The caller frees the extractor with pdx_extractor_free. */
struct pdx_extractor *pdx_extractor_new(const struct pdx_extractor_options *opts, int *status,
                                        char *errbuf, size_t errbuf_len);

/* Releases the extractor; accepts NULL. Strings it lent to extractions die with it. */
void pdx_extractor_free(struct pdx_extractor *ex);

/* Finds the date the document states for itself: « Mis à jour le 02/12/2025 »,
 * « Publié le … », a dateline (« Paris, le 3 mai 2017 »), or a line near the top that
 * is only a full date (« 3 mai 2017 »). Looks at the first lines only. Returns 1 and
 * fills `out` (and the date's span when start/end are not NULL) when found, else 0. */
int pdx_find_doc_date(struct pdx_extractor *ex, const char *text, size_t len, struct pdx_ymd *out,
                      size_t *start, size_t *end);

/* Runs the extractors selected by `kinds` (PDX_EXTRACT_* bits) over `text` (valid
 * UTF-8). Relative dates resolve against `ref` when it is not NULL (ref_source OPTION),
 * else against the document's own date when it states one (DOCUMENT), else are left
 * unresolved (NONE). `out` must be zeroed or previously freed; on success it owns the
 * mentions. Returns PDX_EXTRACT_OK; PDX_EXTRACT_EINVAL when `text` is not valid UTF-8
 * (nothing is extracted); or PDX_EXTRACT_ENOMEM, in which case `out` holds what was
 * found so far. Release `out` with pdx_extraction_free in every case. */
int pdx_extract(struct pdx_extractor *ex, const char *text, size_t len, const struct pdx_ymd *ref,
                unsigned kinds, struct pdx_extraction *out);

/* Releases what `out` owns and zeroes it; accepts a zeroed extraction. */
void pdx_extraction_free(struct pdx_extraction *out);

/* "DATE", "TIME", "DURATION" or "SET". */
const char *pdx_timex_type_name(enum pdx_timex_type type);

/* "none", "document" or "option". */
const char *pdx_ref_source_name(enum pdx_ref_source source);

/* Parses "YYYY-MM-DD" (a real calendar date, year 1000..9999) into `out`. Returns 0, or
 * -1 when `s` is not such a date. */
int pdx_ymd_parse(const char *s, struct pdx_ymd *out);

#endif /* INDEXER_PDX_EXTRACT_H */
