/*
 * extract_institutions.c — named institutions: gazetteer, trigger nouns, acronyms.
 *
 * Three sources, tried at candidate words only:
 *   - the gazetteer (indexer/data/institutions.txt plus the user's file): one anchored
 *     alternation of every name, variant and acronym, longest first;
 *   - trigger nouns (Ministère, Institut, Université, Hôpital …) followed by their
 *     complements: adjectives, capitalised names, « de la Santé », « d’Astana », « pour
 *     les soins … », « en santé publique »; a lower-case trigger (« le ministère de la
 *     Santé ») needs a capitalised word or an acronym definition to count as a name;
 *   - acronym definitions in the text, « long form (ACR) » and « ACR (long form) »:
 *     the acronym then becomes a mention of the same institution wherever it occurs in
 *     the document.
 */
#include "extract_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_data.h"

#define MAX_ENTRIES 100000
#define MAX_DEFS 256
#define ACRONYM_MAX 16

struct gaz_entry {
    const char *id;
    const char *name;
    const char *acronym; /* NULL when none */
};

struct pdx_institutions {
    struct gaz_entry *entries;
    size_t n, cap;
    struct pdx_str_pool *pool; /* the entries' strings */
    struct pdx_phrase_re gaz_re[PDX_BUCKETS];
    pcre2_code *trig_re;
    /* the slug of every name and variant, sorted, so that an institution found through
     * its trigger noun (« ministères de la Santé ») gets the gazetteer's id */
    struct slug_ref *slugs;
    size_t nslugs, capslugs;
};

struct slug_ref {
    const char *slug; /* in the pool */
    size_t idx;
};

/* ---- the trigger pattern ----------------------------------------------------------- */

#define HS "[\\h]+"
#define WEND "(?![\\p{L}\\p{N}])"
#define CAPW "\\p{Lu}[\\p{L}\\p{N}]*(?:[-‐'’]\\p{L}[\\p{L}\\p{N}]*)*" WEND
/* a capitalised word that is not all capitals (AP-HP after a name is another mention) */
#define CAPNAME "(?!\\p{Lu}[\\p{Lu}\\p{N}]+(?:-\\p{Lu}+)*" WEND ")" CAPW
#define FUNCW                                                                                      \
    "(?:de|des|du|la|le|les|l|et|en|pour|sur|aux?|dans|par|avec|un|une|ce|cet|cette|ces|"          \
    "son|sa|ses|leur|leurs|qui|que|dont|plus|tout|tous|a|est|sont|ont|ou|ni|mais)" WEND
#define ADJ                                                                                        \
    "(?:(?!" FUNCW ")\\p{Ll}\\p{L}*(?:als?|ales?|aux|iques?|iens?|iennes?|éens?|éennes?|ais|"    \
    "aises?|ains?|aines?|els?|elles?|ifs?|ives?|aires?|iers?|ières?|ois|oises?|eurs?|"            \
    "eures?|kh|khe|khes|khs|andes?|ands)|publics?|publiques?|chargée?s?|unie?s)" WEND
#define PRENOM "(?:(?:hautes?|haut|grande?s?|petite?s?|nouvelles?|nouveaux?|jeunes?)" HS ")?"
#define LNOUN "(?!" FUNCW ")\\p{Ll}[\\p{L}]+(?:-\\p{L}+)*" WEND
#define NOUN "(?:" CAPW "|" PRENOM LNOUN ")"
#define PREP_APOS "(?:de" HS "l|d|pour" HS "l|sur" HS "l)['’][\\h]*"
#define PREP_SP                                                                                    \
    "(?:de" HS "la|des|du|de|pour" HS "(?:la|le|les)|sur" HS "(?:la|le|les)|contre" HS             \
    "(?:la|le|les))" HS
/* « et de la Prévention » — but not « et de l’hôpital Cochin », another institution */
#define COORD                                                                                      \
    "et" HS "(?:(?:de" HS "l|d)['’][\\h]*|(?:de" HS "la|des|du|de)" HS ")"                         \
    "(?!(?i:minist|institut|universit|agence|centre|h[ôo]pita|[ée]cole|fondation|"               \
    "caisse|direction|organisation|union|coalition|partenariat|commission|conseil|"                \
    "acad[ée]mie|banque|ambassade|clinique|laboratoire|association|f[ée]d[ée]ration|"           \
    "facult|office|observatoire|hospices|assistance|(?:chu|chru|ght|ghu)" WEND                     \
    ")|\\p{Lu}[\\p{Lu}\\p{N}]+" WEND ")"
#define TRIG                                                                                       \
    "(?<trig>(?i:minist[èe]res?|instituts?|universit[ée]s?|agences?|centres?" HS                   \
    "hospitaliers?(?:" HS "universitaires?|" HS "r[ée]gionaux|" HS "r[ée]gional)?|centres?|"      \
    "h[ôo]pita(?:l|ux)|[ée]coles?|fondations?|caisses?|haute" HS "autorit[ée]|haut" HS             \
    "conseil|haut[-\\h]commissariat|directions?|fonds|organisations?|unions?|coalitions?|"         \
    "partenariats?|alliances?|commissions?|conseils?|comit[ée]s?|acad[ée]mies?|"                 \
    "assembl[ée]es?|banques?|cour|office|observatoires?|groupes?" HS "hospitaliers?|"              \
    "cliniques?|laboratoires?|associations?|f[ée]d[ée]rations?|syndicats?|ordre|"                \
    "mutuelles?|autorit[ée]s?|secr[ée]tariat|inspection|soci[ée]t[ée]|r[ée]seau|"             \
    "ambassades?|facult[ée]s?|assistance" HS "publique|hospices)|CHU|CHRU|CHR|GHU|GHT)" WEND

static const char trig_pattern_head[] = TRIG "(?:"
    /* an adjective or a capitalised name */
    HS "(?:" ADJ "|" CAPNAME ")"
                                             /* « Cochin – Port-Royal » */
                                             "|[\\h]*[–-][\\h]*" CAPNAME;
static const char trig_pattern_tail[] =
    /* « de la Santé », « d'Astana », « en santé publique » */
    "|" HS "(?:" COORD "|" PREP_APOS "|" PREP_SP ")" NOUN "(?:" HS ADJ "){0,2}(?:" HS "et" HS LNOUN
    "(?=" HS "?\\())?"
    "|" HS "pour" HS "(?=\\p{Lu})" CAPW "|" HS "en" HS "(?!\\p{L}*ant" WEND ")" LNOUN "(?:" HS ADJ
    ")?(?:" HS "et" HS "(?!\\p{L}*ant" WEND ")" LNOUN ")?"
    ")*";

static const char *const trigger_keys[] = {
    "ministere",     "ministeres",  "institut",     "instituts",  "universite",  "universites",
    "agence",        "agences",     "centre",       "centres",    "hopital",     "hopitaux",
    "ecole",         "ecoles",      "fondation",    "fondations", "caisse",      "caisses",
    "haute",         "haut",        "direction",    "directions", "fonds",       "organisation",
    "organisations", "union",       "unions",       "coalition",  "coalitions",  "partenariat",
    "partenariats",  "alliance",    "alliances",    "commission", "commissions", "conseil",
    "conseils",      "comite",      "comites",      "academie",   "academies",   "assemblee",
    "assemblees",    "banque",      "banques",      "cour",       "office",      "observatoire",
    "observatoires", "groupe",      "groupes",      "clinique",   "cliniques",   "laboratoire",
    "laboratoires",  "association", "associations", "federation", "federations", "syndicat",
    "syndicats",     "ordre",       "mutuelle",     "mutuelles",  "autorite",    "autorites",
    "secretariat",   "inspection",  "societe",      "reseau",     "ambassade",   "ambassades",
    "faculte",       "facultes",    "assistance",   "hospices",   "chu",         "chru",
    "chr",           "ghu",         "ght",          NULL};

/* ---- the gazetteer --------------------------------------------------------------------- */

struct load_ctx {
    struct pdx_extractor *ex;
    struct pdx_phrases *phrases;
    const char *source;
    char *errbuf;
    size_t errbuf_len;
    int status;
};

static int valid_id(const char *s, size_t n)
{
    if (n == 0 || n > 80)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int add_slug(struct pdx_institutions *in, const char *form, size_t n, size_t idx)
{
    char slug[96];
    size_t sl = pdx_slug(form, 0, n, slug, sizeof slug);
    if (sl == 0)
        return 0;
    if (pdx_grow((void **)&in->slugs, &in->capslugs, in->nslugs, sizeof *in->slugs, SIZE_MAX) != 0)
        return -1;
    const char *copy = pdx_pool_strndup(&in->pool, slug, sl);
    if (!copy)
        return -1;
    in->slugs[in->nslugs].slug = copy;
    in->slugs[in->nslugs].idx = idx;
    in->nslugs++;
    return 0;
}

static int slug_cmp(const void *a, const void *b)
{
    const struct slug_ref *x = a, *y = b;
    int c = strcmp(x->slug, y->slug);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The gazetteer entry whose name or a variant has this slug, or -1. */
static long slug_lookup(const struct pdx_institutions *in, const char *slug)
{
    size_t lo = 0, hi = in->nslugs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(in->slugs[mid].slug, slug);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < in->nslugs && strcmp(in->slugs[lo].slug, slug) == 0)
        return (long)in->slugs[lo].idx;
    return -1;
}

/* Singular form of a slug, word by word (« ministeres-sante » → « ministere-sante »,
 * « hopitaux » → « hopital »): French plurals in -s and -aux, enough to find a
 * gazetteer entry. */
static void slug_singular(const char *slug, char *out, size_t out_len)
{
    size_t n = 0;
    const char *w = slug;
    while (*w && n + 1 < out_len) {
        const char *e = strchr(w, '-');
        size_t wl = e ? (size_t)(e - w) : strlen(w);
        if (wl > 4 && strncmp(w + wl - 3, "aux", 3) == 0) {
            wl -= 1;
            for (size_t i = 0; i + 1 < wl && n + 1 < out_len; i++)
                out[n++] = w[i];
            if (n + 1 < out_len)
                out[n++] = 'l';
        } else {
            if (wl > 3 && w[wl - 1] == 's' && w[wl - 2] != 's')
                wl--;
            for (size_t i = 0; i < wl && n + 1 < out_len; i++)
                out[n++] = w[i];
        }
        if (!e)
            break;
        if (n + 1 < out_len)
            out[n++] = '-';
        w = e + 1;
    }
    out[n] = '\0';
}

/* Is the trigger noun [ts, te) a plural (« ministères », « hôpitaux »)? « fonds » and
 * « hospices » are names in the singular too. */
static int trigger_plural(const char *text, size_t ts, size_t te)
{
    size_t pos = ts, ws, we;
    char f[32];
    if (!pdx_next_word(text, te, &pos, &ws, &we) || we - ws >= sizeof f)
        return 0;
    size_t n = pdx_extract_fold(text, ws, we, f, sizeof f);
    if (n < 3 || strcmp(f, "fonds") == 0 || strcmp(f, "hospices") == 0)
        return 0;
    return f[n - 1] == 's' || f[n - 1] == 'x';
}

static int gaz_line(void *vctx, const char *line, size_t n, size_t lineno)
{
    struct load_ctx *c = vctx;
    struct pdx_institutions *in = c->ex->inst;
    const char *f[4];
    size_t fl[4];
    size_t nf = pdx_split_fields(line, n, '|', f, fl, 4);
    if (nf < 2 || !valid_id(f[0], fl[0]) || fl[1] == 0) {
        pdx_errf(c->errbuf, c->errbuf_len,
                 "%s:%zu: expected 'id | name | acronym | variants' with a lower-case id",
                 c->source, lineno);
        return c->status = PDX_EXTRACT_EDATA;
    }
    /* an id already known gets the new names */
    size_t idx = in->n;
    for (size_t i = 0; i < in->n; i++)
        if (strlen(in->entries[i].id) == fl[0] && memcmp(in->entries[i].id, f[0], fl[0]) == 0)
            idx = i;
    if (idx == in->n) {
        int g = pdx_grow((void **)&in->entries, &in->cap, in->n, sizeof *in->entries, MAX_ENTRIES);
        if (g > 0) {
            pdx_errf(c->errbuf, c->errbuf_len, "%s:%zu: too many institutions", c->source, lineno);
            return c->status = PDX_EXTRACT_EDATA;
        }
        if (g < 0)
            return c->status = PDX_EXTRACT_ENOMEM;
        struct gaz_entry *e = &in->entries[in->n];
        e->id = pdx_pool_strndup(&in->pool, f[0], fl[0]);
        e->name = pdx_pool_strndup(&in->pool, f[1], fl[1]);
        e->acronym = nf > 2 && fl[2] ? pdx_pool_strndup(&in->pool, f[2], fl[2]) : NULL;
        if (!e->id || !e->name || (nf > 2 && fl[2] && !e->acronym))
            return c->status = PDX_EXTRACT_ENOMEM;
        in->n++;
    }
    /* every name form is a phrase of the alternation */
    const char *forms[64];
    size_t lens[64], nforms = 0;
    forms[nforms] = f[1];
    lens[nforms++] = fl[1];
    if (nf > 2 && fl[2]) {
        forms[nforms] = f[2];
        lens[nforms++] = fl[2];
    }
    if (nf > 3 && fl[3])
        nforms += pdx_split_fields(f[3], fl[3], ';', forms + nforms, lens + nforms, 64 - nforms);
    for (size_t i = 0; i < nforms; i++) {
        if (lens[i] == 0)
            continue;
        if (add_slug(in, forms[i], lens[i], idx))
            return c->status = PDX_EXTRACT_ENOMEM;
        int r = pdx_phrases_add(c->phrases, &c->ex->keys, PDX_KEY_GAZ, forms[i], lens[i],
                                (unsigned)idx);
        if (r == -1)
            return c->status = PDX_EXTRACT_ENOMEM;
        if (r) {
            pdx_errf(c->errbuf, c->errbuf_len, "%s:%zu: name '%.*s' is empty or too long",
                     c->source, lineno, (int)lens[i], forms[i]);
            return c->status = PDX_EXTRACT_EDATA;
        }
    }
    return 0;
}

int pdx_inst_init(struct pdx_extractor *ex, const struct pdx_extractor_options *opts, char *errbuf,
                  size_t errbuf_len)
{
    struct pdx_phrases phrases = {0};
    struct load_ctx c = {ex, &phrases, "institutions.txt", errbuf, errbuf_len, 0};
    size_t len;
    const char *data = pdx_data_get("institutions", &len);
    int rc = 0;
    ex->inst = calloc(1, sizeof *ex->inst);
    if (!ex->inst)
        return PDX_EXTRACT_ENOMEM;
    if (data && pdx_data_lines(data, len, gaz_line, &c))
        goto done;
    if (opts->institutions) {
        c.source = opts->institutions_name ? opts->institutions_name : "institutions file";
        if (pdx_data_lines(opts->institutions, opts->institutions_len, gaz_line, &c))
            goto done;
    }
    if (ex->inst->nslugs)
        qsort(ex->inst->slugs, ex->inst->nslugs, sizeof *ex->inst->slugs, slug_cmp);
    if ((c.status = pdx_phrases_compile(&phrases, ex->inst->gaz_re, errbuf, errbuf_len)) != 0)
        goto done;
    size_t hl = strlen(trig_pattern_head), tl = strlen(trig_pattern_tail);
    char *pat = malloc(hl + tl + 1);
    if (!pat) {
        c.status = PDX_EXTRACT_ENOMEM;
        goto done;
    }
    memcpy(pat, trig_pattern_head, hl);
    memcpy(pat + hl, trig_pattern_tail, tl + 1);
    ex->inst->trig_re = pdx_re_compile(pat, PCRE2_ANCHORED, 1, errbuf, errbuf_len);
    free(pat);
    if (!ex->inst->trig_re) {
        c.status = PDX_EXTRACT_EPCRE;
        goto done;
    }
    for (const char *const *k = trigger_keys; *k; k++)
        if (pdx_keyset_add(&ex->keys, *k, strlen(*k), 0, PDX_KEY_INST)) {
            c.status = PDX_EXTRACT_ENOMEM;
            goto done;
        }
done:
    rc = c.status;
    pdx_phrases_free(&phrases);
    return rc;
}

void pdx_inst_free(struct pdx_institutions *in)
{
    if (!in)
        return;
    pdx_phrase_re_free(in->gaz_re);
    pcre2_code_free(in->trig_re);
    pdx_pool_free(in->pool);
    free(in->slugs);
    free(in->entries);
    free(in);
}

/* ---- extraction ---------------------------------------------------------------------------- */

struct acr_def {
    char acr[ACRONYM_MAX];
    const char *id, *name;
};

struct inst_state {
    struct pdx_extractor *ex;
    const char *text;
    size_t len;
    struct pdx_extraction *out;
    struct acr_def defs[MAX_DEFS];
    size_t ndefs;
};

static int is_upper_at(const char *text, size_t len, size_t i)
{
    size_t next;
    return pdx_is_upper_cp(pdx_utf8_at(text, len, i, &next));
}

/* An acronym: ≥ 2 letters, all capitals (digits and inner hyphens allowed). */
static int is_acronym(const char *text, size_t len, size_t s, size_t e)
{
    size_t letters = 0, next;
    for (size_t i = s; i < e; i = next) {
        uint32_t cp = pdx_utf8_at(text, len, i, &next);
        if (cp == '-' || (cp >= '0' && cp <= '9'))
            continue;
        if (!pdx_is_upper_cp(cp))
            return 0;
        letters++;
    }
    return letters >= 2;
}

/* Are the acronym's letters, in order, initials of the long form's content words? */
static int initials_match(const char *text, size_t ls, size_t le, const char *acr)
{
    static const char *const skip[] = {"de", "la", "le",   "les", "l",  "des", "du",  "d",
                                       "et", "en", "pour", "aux", "au", "a",   "sur", NULL};
    char ini[64];
    size_t n = 0, pos = ls, ws, we;
    while (n + 1 < sizeof ini && pdx_next_word(text, le, &pos, &ws, &we))
        if (!pdx_word_in(text, ws, we, skip)) {
            char f[8];
            pdx_extract_fold(text, ws, we, f, sizeof f);
            ini[n++] = f[0];
        }
    ini[n] = '\0';
    char a[ACRONYM_MAX];
    size_t al = pdx_extract_fold(acr, 0, strlen(acr), a, sizeof a);
    size_t j = 0;
    for (size_t i = 0; i < al; i++) {
        if (a[i] < 'a' || a[i] > 'z')
            continue;
        while (j < n && ini[j] != a[i])
            j++;
        if (j == n)
            return 0;
        j++;
    }
    return al > 0 && n > 0 && a[0] == ini[0];
}

/* Is position `s` at the start of a sentence or line? An elided article before it
 * (« L’École … ») counts as a word: the capital after it is then the writer's choice. */
static int sentence_start(const char *text, size_t s)
{
    size_t i = s;
    while (i > 0) {
        unsigned char c = (unsigned char)text[i - 1];
        if (c == ' ' || c == '\t' || c == '\r' || c == 0xA0 || c == 0xC2 || c == '"' || c == '(' ||
            c == 0xAB || c == 0xBB) {
            i--;
            continue;
        }
        /* a bullet (•, U+2022) or a dash opens a line */
        if (c == 0xA2 && i >= 3 && (unsigned char)text[i - 2] == 0x80 &&
            (unsigned char)text[i - 3] == 0xE2)
            return 1;
        return c == '\n' || c == '.' || c == '!' || c == '?' || c == ':' || c == '-';
    }
    return 1;
}

/* Does [s, e) contain a capitalised word after its first word? */
static int has_capital_after_first(const char *text, size_t len, size_t s, size_t e)
{
    size_t pos = s, ws, we;
    int first = 1;
    while (pdx_next_word(text, e, &pos, &ws, &we)) {
        if (!first && is_upper_at(text, len, ws))
            return 1;
        first = 0;
    }
    return 0;
}

/* After a long form ending at `e`: « (ACR) », possibly after a closing quote. Sets the
 * acronym span. */
static int paren_acronym_after(const char *text, size_t len, size_t e, size_t *as, size_t *ae)
{
    size_t i = e;
    if (i + 2 < len && (unsigned char)text[i] == 0xE2 && (unsigned char)text[i + 1] == 0x80 &&
        ((unsigned char)text[i + 2] == 0x9D))
        i += 3; /* ” */
    else if (i < len && text[i] == '"')
        i++;
    while (i < len &&
           (text[i] == ' ' || (unsigned char)text[i] == 0xC2 || (unsigned char)text[i] == 0xA0))
        i++;
    if (i >= len || text[i] != '(')
        return 0;
    size_t pos = i + 1, ws, we;
    if (!pdx_next_word(text, len, &pos, &ws, &we) || ws != i + 1)
        return 0;
    /* hyphenated acronyms (AP-HP) */
    while (we + 1 < len && text[we] == '-' && is_upper_at(text, len, we + 1)) {
        pos = we + 1;
        size_t ws2, we2;
        if (!pdx_next_word(text, len, &pos, &ws2, &we2))
            break;
        we = we2;
    }
    if (we >= len || text[we] != ')' || we - ws >= ACRONYM_MAX || !is_upper_at(text, len, ws))
        return 0;
    *as = ws;
    *ae = we;
    return 1;
}

static const char *pool_dup(struct inst_state *st, const char *s, size_t n)
{
    return pdx_pool_strndup(&st->out->pool, s, n);
}

static int add_def(struct inst_state *st, const char *acr, size_t n, const char *id,
                   const char *name)
{
    if (n >= ACRONYM_MAX || st->ndefs >= MAX_DEFS)
        return 0;
    for (size_t i = 0; i < st->ndefs; i++)
        if (strlen(st->defs[i].acr) == n && memcmp(st->defs[i].acr, acr, n) == 0)
            return 0;
    struct acr_def *d = &st->defs[st->ndefs++];
    memcpy(d->acr, acr, n);
    d->acr[n] = '\0';
    d->id = id;
    d->name = name;
    return 0;
}

/* The gazetteer entry whose acronym is acr[0, n) (exact case), or -1. */
static long gazetteer_by_acronym(const struct pdx_institutions *in, const char *acr, size_t n)
{
    for (size_t i = 0; i < in->n; i++)
        if (in->entries[i].acronym && strlen(in->entries[i].acronym) == n &&
            memcmp(in->entries[i].acronym, acr, n) == 0)
            return (long)i;
    return -1;
}

/* For a plural trigger-found name [s, e) whose trigger noun ends at te: the end of the
 * longest prefix (whole words, past the trigger) that the gazetteer knows in the
 * singular, or 0. */
static size_t plural_known_prefix(const struct pdx_institutions *in, const char *text, size_t s,
                                  size_t te, size_t e)
{
    size_t ends[32], n = 0, pos = te, ws, we;
    while (n < 32 && pdx_next_word(text, e, &pos, &ws, &we))
        ends[n++] = we;
    while (n > 0) {
        char slug[96], sing[96];
        pdx_slug(text, s, ends[--n], slug, sizeof slug);
        slug_singular(slug, sing, sizeof sing);
        if (slug_lookup(in, sing) >= 0)
            return ends[n];
    }
    return 0;
}

/* The gazetteer entry a trigger-found name [s, e) stands for, through its slug or its
 * singular's (« ministères de la Santé » is the « ministère de la Santé »), or -1. */
static long trigger_gazetteer(const struct pdx_institutions *in, const char *text, size_t s,
                              size_t e)
{
    char slug[96], sing[96];
    pdx_slug(text, s, e, slug, sizeof slug);
    long idx = slug_lookup(in, slug);
    if (idx >= 0)
        return idx;
    slug_singular(slug, sing, sizeof sing);
    return strcmp(sing, slug) != 0 ? slug_lookup(in, sing) : -1;
}

/* Tries the gazetteer and the trigger pattern at the word [ws, we); pushes what it finds.
 * Returns the end of the mention(s) pushed, ws when none, or (size_t)-1 on allocation
 * failure. */
static size_t try_at(struct inst_state *st, size_t ws, size_t we, unsigned flags)
{
    struct pdx_extractor *ex = st->ex;
    struct pdx_institutions *in = ex->inst;
    const char *text = st->text;
    size_t len = st->len;
    size_t gaz_end = ws, trig_end = ws;
    long gaz_idx = -1;
    (void)we;
    if ((flags & PDX_KEY_GAZ) &&
        pdx_phrases_match(ex, &in->gaz_re[pdx_bucket_of(text, len, ws)], text, len, ws, st->out,
                          &gaz_end, &gaz_idx) != 1) {
        gaz_end = ws;
        gaz_idx = -1;
    }
    if (flags & PDX_KEY_INST) {
        int r = pdx_re_match(ex, in->trig_re, text, len, ws, st->out);
        if (r == 1) {
            size_t e = pdx_re_ovector(ex)[1];
            size_t ts, te;
            if (!pdx_re_group(ex, in->trig_re, "trig", &ts, &te))
                te = ws;
            int plural = trigger_plural(text, ts, te);
            if (plural && e > te) {
                /* « les ministères de la Santé et de l’Agriculture »: two bodies */
                size_t pos = te, w1, w2;
                while (pdx_next_word(text, e, &pos, &w1, &w2))
                    if (pdx_word_is(text, w1, w2, "et")) {
                        while (w1 > te && (text[w1 - 1] == ' ' || text[w1 - 1] == ','))
                            w1--;
                        e = w1;
                        break;
                    }
            }
            /* a trigger noun alone is not a name */
            if (e > te) {
                int lower = !is_upper_at(text, len, ws);
                int named = has_capital_after_first(text, len, ws, e);
                size_t as, ae;
                int defined = paren_acronym_after(text, len, e, &as, &ae);
                char acr[ACRONYM_MAX];
                if (defined) {
                    memcpy(acr, text + as, ae - as);
                    acr[ae - as] = '\0';
                }
                int ok = named || (defined && initials_match(text, ws, e, acr)) ||
                         (!lower && !sentence_start(text, ws));
                /* « les directions du GHU », « les hôpitaux de Paris »: generic plurals,
                 * unless the gazetteer knows the name in the singular — then the
                 * mention is that name (« les ministères de la Santé français et
                 * kazakhstanais » gives `ministères de la Santé`) */
                if (ok && plural && !defined) {
                    size_t pe = plural_known_prefix(in, text, ws, te, e);
                    if (pe)
                        e = pe;
                    else if (lower)
                        ok = 0;
                }
                if (ok)
                    trig_end = e;
            }
        }
    }
    if (gaz_end == ws && trig_end == ws)
        return ws;
    struct pdx_institution_mention m = {0};
    m.start = ws;
    if (gaz_idx >= 0 && gaz_idx < (long)in->n && gaz_end >= trig_end) {
        const struct gaz_entry *g = &in->entries[gaz_idx];
        m.end = gaz_end;
        m.id = g->id;
        m.name = g->name;
        m.acronym = g->acronym;
    } else if ((gaz_idx = trigger_gazetteer(in, text, ws, trig_end)) >= 0) {
        const struct gaz_entry *g = &in->entries[gaz_idx];
        m.end = trig_end;
        m.id = g->id;
        m.name = g->name;
        m.acronym = g->acronym;
    } else {
        char slug[96];
        m.end = trig_end;
        size_t sl = pdx_slug(text, ws, trig_end, slug, sizeof slug);
        m.id = pool_dup(st, slug, sl);
        /* the name as written, capitalised */
        char *name = (char *)pool_dup(st, text + ws, trig_end - ws);
        if (!m.id || !name)
            return (size_t)-1;
        if (name[0] >= 'a' && name[0] <= 'z')
            name[0] = (char)(name[0] - 32);
        m.name = name;
        /* an institution already seen under the same id keeps its acronym */
        for (size_t i = 0; i < st->ndefs; i++)
            if (strcmp(st->defs[i].id, m.id) == 0)
                m.acronym = pool_dup(st, st->defs[i].acr, strlen(st->defs[i].acr));
    }
    size_t as, ae;
    int defined = paren_acronym_after(text, len, m.end, &as, &ae);
    const char *acr = NULL;
    if (defined && gaz_idx < 0) {
        /* « Agence nationale de sécurité du médicament (ANSM) »: a shorter or older
         * long form of a known institution, recognised by its acronym */
        long g = gazetteer_by_acronym(in, text + as, ae - as);
        if (g >= 0 && initials_match(text, ws, m.end, in->entries[g].acronym)) {
            m.id = in->entries[g].id;
            m.name = in->entries[g].name;
            m.acronym = in->entries[g].acronym;
        }
    }
    if (defined) {
        /* the acronym is a mention of its own, of the same institution */
        acr = pool_dup(st, text + as, ae - as);
        if (!acr)
            return (size_t)-1;
        if (!m.acronym)
            m.acronym = acr;
    }
    if (pdx_push_institution(st->out, &m))
        return (size_t)-1;
    size_t end = m.end;
    if (defined) {
        struct pdx_institution_mention a = m;
        a.start = as;
        a.end = ae;
        add_def(st, text + as, ae - as, m.id, m.name);
        if (pdx_push_institution(st->out, &a))
            return (size_t)-1;
        end = ae;
    }
    return end;
}

static int mention_cmp(const void *a, const void *b)
{
    const struct pdx_institution_mention *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end; /* the longer first */
}

/* Keeps mentions [first, n) sorted and disjoint, as pdx_extract.h promises: a mention
 * that overlaps the one kept before it (the same acronym found by two passes, say) is
 * dropped. */
static void drop_overlaps(struct pdx_extraction *out, size_t first)
{
    size_t k = first;
    for (size_t i = first; i < out->n_institutions; i++) {
        if (k > first && out->institutions[i].start < out->institutions[k - 1].end)
            continue;
        out->institutions[k++] = out->institutions[i];
    }
    out->n_institutions = k;
}

int pdx_inst_extract(struct pdx_extractor *ex, const char *text, size_t len,
                     struct pdx_extraction *out)
{
    struct inst_state *st = calloc(1, sizeof *st);
    size_t pos = 0, ws, we, first = out->n_institutions;
    int rc = 0;
    if (!st)
        return PDX_EXTRACT_ENOMEM;
    st->ex = ex;
    st->text = text;
    st->len = len;
    st->out = out;
    /* pass 1: gazetteer, triggers, definitions « long form (ACR) » */
    for (size_t ci = 0; ci < ex->ncands; ci++) {
        ws = ex->cands[ci].ws;
        we = ex->cands[ci].we;
        unsigned flags = ex->cands[ci].flags;
        if (ws < pos || !(flags & (PDX_KEY_GAZ | PDX_KEY_INST | PDX_KEY_ACR)))
            continue;
        pos = we;
        if (flags & (PDX_KEY_GAZ | PDX_KEY_INST)) {
            size_t end = try_at(st, ws, we, flags);
            if (end == (size_t)-1) {
                rc = PDX_EXTRACT_ENOMEM;
                goto done;
            }
            if (end > pos)
                pos = end;
            if (end > ws)
                continue;
        }
        /* « ACR (long form) » */
        size_t we2 = we;
        while (we2 + 1 < len && text[we2] == '-' && is_upper_at(text, len, we2 + 1)) {
            size_t p2 = we2 + 1, s2, e2;
            if (!pdx_next_word(text, len, &p2, &s2, &e2))
                break;
            we2 = e2;
        }
        if (is_acronym(text, len, ws, we2) && we2 - ws < ACRONYM_MAX && we2 + 2 < len &&
            text[we2] == ' ' && text[we2 + 1] == '(') {
            size_t p2 = we2 + 2, s2, e2;
            if (pdx_next_word(text, len, &p2, &s2, &e2) && s2 == we2 + 2) {
                unsigned f2 = pdx_keyset_lookup(&ex->keys, text, s2, e2);
                size_t before = out->n_institutions;
                size_t end = (f2 & (PDX_KEY_GAZ | PDX_KEY_INST)) ? try_at(st, s2, e2, f2) : s2;
                if (end == (size_t)-1) {
                    rc = PDX_EXTRACT_ENOMEM;
                    goto done;
                }
                if (end > s2 && end < len && text[end] == ')' && out->n_institutions > before) {
                    struct pdx_institution_mention a = out->institutions[before];
                    a.start = ws;
                    a.end = we2;
                    a.acronym = pool_dup(st, text + ws, we2 - ws);
                    if (!a.acronym || pdx_push_institution(out, &a)) {
                        rc = PDX_EXTRACT_ENOMEM;
                        goto done;
                    }
                    out->institutions[before].acronym = a.acronym;
                    add_def(st, text + ws, we2 - ws, a.id, a.name);
                }
                if (end > pos)
                    pos = end;
            }
        }
    }
    /* pass 2: acronyms defined in this document, wherever they occur */
    if (st->ndefs) {
        size_t n1 = out->n_institutions, k = first;
        pos = 0;
        while (pdx_next_word(text, len, &pos, &ws, &we)) {
            while (k < n1 && out->institutions[k].end <= ws)
                k++;
            if (k < n1 && out->institutions[k].start <= ws)
                continue; /* inside a mention */
            size_t we2 = we;
            while (we2 + 1 < len && text[we2] == '-' && is_upper_at(text, len, we2 + 1)) {
                size_t p2 = we2 + 1, s2, e2;
                if (!pdx_next_word(text, len, &p2, &s2, &e2))
                    break;
                we2 = e2;
            }
            if (!is_upper_at(text, len, ws))
                continue;
            for (size_t d = 0; d < st->ndefs; d++) {
                const struct acr_def *def = &st->defs[d];
                if (strlen(def->acr) != we2 - ws || memcmp(def->acr, text + ws, we2 - ws) != 0)
                    continue;
                struct pdx_institution_mention a = {ws, we2, def->id, def->name, NULL};
                a.acronym = pool_dup(st, def->acr, strlen(def->acr));
                if (!a.acronym || pdx_push_institution(out, &a)) {
                    rc = PDX_EXTRACT_ENOMEM;
                    goto done;
                }
                pos = we2;
                break;
            }
        }
        qsort(out->institutions + first, out->n_institutions - first, sizeof *out->institutions,
              mention_cmp);
        drop_overlaps(out, first);
    }
done:
    free(st);
    return rc;
}
