/*
 * extract_pillars.c — health-policy themes from a taxonomy, and declared lists.
 *
 * Taxonomy patterns (indexer/data/pillars.txt plus the user's file) are compiled into
 * one anchored alternation per first letter, tried at words whose folded prefix starts
 * a pattern. A declared list — a line ending with ':' that names pillars, axes, fields,
 * priorities … (« la déclaration présente trois piliers : ») followed by bulleted lines
 * — gives one pillar mention per item, with the id of the first theme found in the
 * item, or an id made from the item's words when none is.
 */
#include "extract_common.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_data.h"

#define MAX_PILLARS 10000
#define MAX_ITEMS 4096
#define LABEL_MAX 80
#define LEAD_MAX 400

struct pillar_entry {
    const char *id;
    const char *label;
};

struct pdx_pillars {
    struct pillar_entry *entries;
    size_t n, cap;
    struct pdx_str_pool *pool;
    struct pdx_phrase_re re[PDX_BUCKETS];
    pcre2_code *decl_re; /* a declaration noun in the line before a list */
};

static const char decl_pattern[] =
    "(?i)(?<![\\p{L}\\p{N}])(?:piliers?|axes|axe|champs|domaines|priorit[ée]s|volets|"
    "orientations|objectifs|th[èe]mes|th[ée]matiques|chantiers|engagements|leviers|"
    "composantes|secteurs|mesures|actions)(?![\\p{L}\\p{N}])";

struct load_ctx {
    struct pdx_extractor *ex;
    struct pdx_phrases *phrases;
    const char *source;
    char *errbuf;
    size_t errbuf_len;
    int status;
};

static int pillar_line(void *vctx, const char *line, size_t n, size_t lineno)
{
    struct load_ctx *c = vctx;
    struct pdx_pillars *p = c->ex->pillars;
    const char *f[3];
    size_t fl[3];
    size_t nf = pdx_split_fields(line, n, '|', f, fl, 3);
    int ok = nf == 3 && fl[0] > 0 && fl[0] <= 80 && fl[1] > 0 && fl[2] > 0;
    for (size_t i = 0; ok && i < fl[0]; i++)
        if (!((f[0][i] >= 'a' && f[0][i] <= 'z') || (f[0][i] >= '0' && f[0][i] <= '9') ||
              f[0][i] == '-'))
            ok = 0;
    if (!ok) {
        pdx_errf(c->errbuf, c->errbuf_len,
                 "%s:%zu: expected 'id | label | patterns' with a lower-case id", c->source,
                 lineno);
        return c->status = PDX_EXTRACT_EDATA;
    }
    size_t idx = p->n;
    for (size_t i = 0; i < p->n; i++)
        if (strlen(p->entries[i].id) == fl[0] && memcmp(p->entries[i].id, f[0], fl[0]) == 0)
            idx = i;
    if (idx == p->n) {
        int g = pdx_grow((void **)&p->entries, &p->cap, p->n, sizeof *p->entries, MAX_PILLARS);
        if (g > 0) {
            pdx_errf(c->errbuf, c->errbuf_len, "%s:%zu: too many pillars", c->source, lineno);
            return c->status = PDX_EXTRACT_EDATA;
        }
        if (g < 0)
            return c->status = PDX_EXTRACT_ENOMEM;
        p->entries[p->n].id = pdx_pool_strndup(&p->pool, f[0], fl[0]);
        p->entries[p->n].label = pdx_pool_strndup(&p->pool, f[1], fl[1]);
        if (!p->entries[p->n].id || !p->entries[p->n].label)
            return c->status = PDX_EXTRACT_ENOMEM;
        p->n++;
    }
    const char *pats[128];
    size_t lens[128];
    size_t np = pdx_split_fields(f[2], fl[2], ';', pats, lens, 128);
    for (size_t i = 0; i < np; i++) {
        if (lens[i] == 0)
            continue;
        int r = pdx_phrases_add(c->phrases, &c->ex->keys, PDX_KEY_PILLAR, pats[i], lens[i],
                                (unsigned)idx);
        if (r == -1)
            return c->status = PDX_EXTRACT_ENOMEM;
        if (r) {
            pdx_errf(c->errbuf, c->errbuf_len, "%s:%zu: pattern '%.*s' is empty or too long",
                     c->source, lineno, (int)lens[i], pats[i]);
            return c->status = PDX_EXTRACT_EDATA;
        }
    }
    return 0;
}

int pdx_pillars_init(struct pdx_extractor *ex, const struct pdx_extractor_options *opts,
                     char *errbuf, size_t errbuf_len)
{
    struct pdx_phrases phrases = {0};
    struct load_ctx c = {ex, &phrases, "pillars.txt", errbuf, errbuf_len, 0};
    size_t len;
    const char *data = pdx_data_get("pillars", &len);
    ex->pillars = calloc(1, sizeof *ex->pillars);
    if (!ex->pillars)
        return PDX_EXTRACT_ENOMEM;
    if (data && pdx_data_lines(data, len, pillar_line, &c))
        goto done;
    if (opts->pillars) {
        c.source = opts->pillars_name ? opts->pillars_name : "pillars file";
        if (pdx_data_lines(opts->pillars, opts->pillars_len, pillar_line, &c))
            goto done;
    }
    if ((c.status = pdx_phrases_compile(&phrases, ex->pillars->re, errbuf, errbuf_len)) != 0)
        goto done;
    ex->pillars->decl_re = pdx_re_compile(decl_pattern, 0, 1, errbuf, errbuf_len);
    if (!ex->pillars->decl_re)
        c.status = PDX_EXTRACT_EPCRE;
done:
    pdx_phrases_free(&phrases);
    return c.status;
}

void pdx_pillars_free(struct pdx_pillars *p)
{
    if (!p)
        return;
    pdx_phrase_re_free(p->re);
    pcre2_code_free(p->decl_re);
    pdx_pool_free(p->pool);
    free(p->entries);
    free(p);
}

/* ---- declared lists ---------------------------------------------------------------------- */

struct item {
    size_t start, end;
    long entry; /* taxonomy entry of the item, -1 until one is found */
};

/* Byte offsets move by whole characters here: a byte-wise skip of 0xC2/0xA0 or of
 * 0xE2/0x80/0x99 would stop inside « à » (C3 A0) or a bullet (E2 80 A2). */
static int nbsp_at(const char *text, size_t i, size_t e)
{
    return i + 2 <= e && (unsigned char)text[i] == 0xC2 && (unsigned char)text[i + 1] == 0xA0;
}

/* Skips spaces, tabs and no-break spaces from s. */
static size_t skip_blanks(const char *text, size_t s, size_t e)
{
    for (;;) {
        if (s < e && (text[s] == ' ' || text[s] == '\t'))
            s++;
        else if (nbsp_at(text, s, e))
            s += 2;
        else
            return s;
    }
}

/* Skips spaces and apostrophes (' and ’) from s, after an elided article. */
static size_t skip_apostrophes(const char *text, size_t s, size_t e)
{
    for (;;) {
        if (s < e && (text[s] == ' ' || text[s] == '\''))
            s++;
        else if (s + 3 <= e && memcmp(text + s, "\xe2\x80\x99", 3) == 0)
            s += 3;
        else
            return s;
    }
}

/* Trims trailing spaces, CR, no-break spaces and ; . , : from [s, e). */
static size_t trim_item_end(const char *text, size_t s, size_t e)
{
    for (;;) {
        if (e > s && (text[e - 1] == ' ' || text[e - 1] == '\r' || text[e - 1] == ';' ||
                      text[e - 1] == '.' || text[e - 1] == ',' || text[e - 1] == ':'))
            e--;
        else if (e >= s + 2 && nbsp_at(text, e - 2, e))
            e -= 2;
        else
            return e;
    }
}

/* If the line [s, e) is a bulleted or numbered item, returns where its text starts. */
static size_t bullet_text(const char *text, size_t s, size_t e)
{
    static const char *const bullets[] = {"•", "‣", "◦", "▪", "●",  "·",
                                          "–", "—", "-", "*", "o ", NULL};
    size_t i = skip_blanks(text, s, e);
    for (const char *const *b = bullets; *b; b++) {
        size_t bl = strlen(*b);
        if (i + bl < e && memcmp(text + i, *b, bl) == 0) {
            size_t j = i + bl;
            if (j < e && text[j] != ' ' && text[j] != '\t' && !nbsp_at(text, j, e))
                return 0;
            j = skip_blanks(text, j, e);
            return j < e ? j : 0;
        }
    }
    /* 1. 1) a) */
    size_t j = i;
    while (j < e && j - i < 3 &&
           ((text[j] >= '0' && text[j] <= '9') || (j == i && text[j] >= 'a' && text[j] <= 'h')))
        j++;
    if (j > i && j + 1 < e && (text[j] == '.' || text[j] == ')') && text[j + 1] == ' ')
        return j + 2;
    return 0;
}

#define INLINE_ITEM_WORDS 8

/* Is the declaration noun ov[0..1] counted (« trois axes », « plusieurs priorités », « 4
 * piliers ») or announced (« les axes suivants »)? An inline list needs it: « de
 * nombreux domaines : … » describes, it does not declare. */
static int counted_noun(const char *text, size_t limit, const size_t *ov)
{
    static const char *const counts[] = {
        "deux",      "trois",  "quatre",     "cinq",        "six",    "sept",     "huit",
        "neuf",      "dix",    "onze",       "douze",       "treize", "quatorze", "quinze",
        "plusieurs", "grands", "principaux", "principales", NULL};
    size_t ps, pe, pos = ov[1], ws, we;
    if (pdx_prev_word(text, ov[0], &ps, &pe) &&
        ((text[ps] >= '0' && text[ps] <= '9') || pdx_word_in(text, ps, pe, counts)))
        return 1;
    if (pdx_next_word(text, limit, &pos, &ws, &we)) {
        char f[16];
        pdx_extract_fold(text, ws, we, f, sizeof f);
        if (strncmp(f, "suivant", 7) == 0)
            return 1;
    }
    return 0;
}

/* Appends item [s, e) to the array (leading article and surrounding punctuation
 * trimmed). Returns 0, or -1 when out of memory. */
static int push_item(const char *text, size_t s, size_t e, struct item **items, size_t *n,
                     size_t *cap)
{
    static const char *const articles[] = {"le", "la", "les", "l", "un", "une", "des", "du", NULL};
    size_t ws, we, pos;
    s = skip_blanks(text, s, e);
    pos = s;
    if (pdx_next_word(text, e, &pos, &ws, &we) && ws == s && pdx_word_in(text, ws, we, articles)) {
        s = skip_apostrophes(text, we, e);
    }
    e = trim_item_end(text, s, e);
    if (e <= s)
        return 0;
    if (pdx_grow((void **)items, cap, *n, sizeof **items, SIZE_MAX) != 0) /* callers cap n */
        return -1;
    (*items)[*n].start = s;
    (*items)[*n].end = e;
    (*items)[*n].entry = -1;
    (*n)++;
    return 0;
}

/* A list declared and given on one line: « … autour de trois axes : la prévention,
 * l’accès aux soins et la santé numérique. » The lead (the sentence before ':') must
 * name pillars, axes, priorities …; the items, separated by ';' or else by ',' and a
 * final « et »/« ou », run to the end of the sentence and must be short noun phrases.
 * Returns 0, or -1 when out of memory. */
static int inline_items(struct pdx_extractor *ex, const char *text, size_t ls, size_t le,
                        struct pdx_extraction *out, struct item **items, size_t *n, size_t *cap,
                        size_t max)
{
    for (size_t colon = ls; colon < le; colon++) {
        if (text[colon] != ':' || colon + 1 >= le || text[colon + 1] == '/' ||
            (colon > ls && text[colon - 1] >= '0' && text[colon - 1] <= '9'))
            continue;
        /* the segment: to the end of the sentence or line */
        size_t a = colon + 1, b = a;
        while (b < le && !((text[b] == '.' || text[b] == '!' || text[b] == '?') &&
                           (b + 1 >= le || text[b + 1] == ' ' || text[b + 1] == '\r')))
            b++;
        size_t lead = colon;
        while (lead > ls && !((text[lead - 1] == '.' || text[lead - 1] == '!' ||
                               text[lead - 1] == '?' || text[lead - 1] == ':') &&
                              text[lead] == ' '))
            lead--;
        if (colon - lead > LEAD_MAX)
            lead = colon - LEAD_MAX;
        while (lead < colon && ((unsigned char)text[lead] & 0xC0) == 0x80)
            lead++;
        size_t pos = a, ws, we;
        if (!pdx_next_word(text, b, &pos, &ws, &we))
            continue;
        int rc = pcre2_match(ex->pillars->decl_re, (PCRE2_SPTR)text, colon, lead,
                             PCRE2_NO_UTF_CHECK, ex->md, ex->mctx);
        if (rc < 0) {
            if (rc != PCRE2_ERROR_NOMATCH && out->limit_errors++ == 0)
                out->first_limit_error = lead;
            continue;
        }
        if (!counted_noun(text, colon, pcre2_get_ovector_pointer(ex->md)))
            continue;
        /* split: by ';' when there is one, else by ',' and the last « et »/« ou » */
        int semi = memchr(text + a, ';', b - a) != NULL;
        size_t cuts[64], ncuts = 0, words = 0, maxwords = 0;
        cuts[ncuts++] = a;
        pos = a;
        size_t last_conj = 0, seg_words = 0;
        while (pdx_next_word(text, b, &pos, &ws, &we)) {
            /* separators between the previous word and this one */
            for (size_t k = (ncuts && cuts[ncuts - 1] > a ? cuts[ncuts - 1] : a); k < ws; k++)
                if ((semi && text[k] == ';') || (!semi && text[k] == ',')) {
                    if (ncuts < 63)
                        cuts[ncuts++] = k + 1;
                    seg_words = 0;
                    break;
                }
            if (!semi && pdx_word_in(text, ws, we, (const char *const[]){"et", "ou", NULL}))
                last_conj = ws;
            words++;
            if (++seg_words > maxwords)
                maxwords = seg_words;
        }
        (void)words;
        if (!semi && last_conj > cuts[ncuts - 1] && ncuts < 63) {
            /* « … et la santé numérique »: the last item starts after the conjunction */
            size_t k = last_conj;
            cuts[ncuts++] = k + 2; /* "et"/"ou" are two bytes */
        }
        if (ncuts < 2 || maxwords > INLINE_ITEM_WORDS + 2)
            continue;
        for (size_t i = 0; i < ncuts && *n < max; i++) {
            size_t s = cuts[i];
            size_t e = i + 1 < ncuts ? cuts[i + 1] : b;
            /* drop the separator or conjunction that ends this item */
            if (i + 1 < ncuts) {
                if (!semi && e == last_conj + 2)
                    e = last_conj;
                else
                    e--; /* the ',' or ';' */
            }
            size_t p2 = s, w1, w2, nw = 0;
            while (pdx_next_word(text, e, &p2, &w1, &w2))
                nw++;
            if (nw == 0 || nw > INLINE_ITEM_WORDS)
                continue;
            if (push_item(text, s, e, items, n, cap))
                return -1;
        }
        return 0;
    }
    return 0;
}

/* Finds declared lists and fills items (text spans without bullet, leading article and
 * final punctuation). Returns the number of items, -1 on a limit error. */

static size_t find_items(struct pdx_extractor *ex, const char *text, size_t len,
                         struct pdx_extraction *out, struct item **itemsp, size_t max, int *nomem)
{
    size_t cap = 0;
    struct item *items = NULL;
    size_t n = 0, ls = 0, prev_s = 0, prev_e = 0;
    int in_list = 0, have_prev = 0;
    while (ls < len && n < max) {
        size_t le = ls;
        while (le < len && text[le] != '\n')
            le++;
        size_t ts = bullet_text(text, ls, le);
        int blank = 1;
        for (size_t k = ls; k < le; k++)
            if (text[k] != ' ' && text[k] != '\t' && text[k] != '\r')
                blank = 0;
        if (ts && !in_list && have_prev) {
            /* the lead line must end with ':' and name pillars, axes, fields … */
            size_t pe = prev_e;
            for (;;) {
                if (pe > prev_s && (text[pe - 1] == ' ' || text[pe - 1] == '\r'))
                    pe--;
                else if (pe >= prev_s + 2 && nbsp_at(text, pe - 2, pe))
                    pe -= 2;
                else
                    break;
            }
            if (pe > prev_s && text[pe - 1] == ':') {
                size_t from = pe - prev_s > LEAD_MAX ? pe - LEAD_MAX : prev_s;
                while (from < pe && ((unsigned char)text[from] & 0xC0) == 0x80)
                    from++;
                /* the declaration noun must be in the last sentence before ':' */
                for (size_t k = pe - 1; k > from; k--)
                    if (text[k - 1] == '.' && text[k] == ' ') {
                        from = k;
                        break;
                    }
                pcre2_match_data *md = ex->md;
                int rc = pcre2_match(ex->pillars->decl_re, (PCRE2_SPTR)text, pe, from,
                                     PCRE2_NO_UTF_CHECK, md, ex->mctx);
                in_list = rc >= 0;
                if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && out->limit_errors++ == 0)
                    out->first_limit_error = from;
            }
        }
        if (ts && in_list) {
            if (push_item(text, ts, le, &items, &n, &cap) != 0) {
                *nomem = 1;
                break;
            }
        } else if (!blank) {
            if (inline_items(ex, text, ls, le, out, &items, &n, &cap, max)) {
                *nomem = 1;
                break;
            }
            in_list = 0;
            prev_s = ls;
            prev_e = le;
            have_prev = 1;
        }
        ls = le + 1;
    }
    *itemsp = items;
    return n;
}

/* ---- extraction ----------------------------------------------------------------------------- */

static int inside_institution(const struct pdx_extraction *out, size_t *k, size_t s, size_t e)
{
    while (*k < out->n_institutions && out->institutions[*k].end <= s)
        (*k)++;
    return *k < out->n_institutions && out->institutions[*k].start < e;
}

/* Is the theme at `ws` part of an office's title (« la ministre déléguée chargée de la
 * Santé mentale », « le ministre de la Santé et de la Prévention »)? Titles write the
 * theme with a capital, after a title word in the same clause. */
static int in_title(const char *text, size_t len, size_t ws)
{
    static const char *const titles[] = {
        "ministre", "ministres",   "ministere",    "secretaire",   "secretaires", "delegue",
        "deleguee", "delegues",    "deleguees",    "charge",       "chargee",     "charges",
        "chargees", "commissaire", "commissaires", "portefeuille", NULL};
    size_t next, pos = ws, ps, pe;
    if (!pdx_is_upper_cp(pdx_utf8_at(text, len, ws, &next)))
        return 0;
    for (int k = 0; k < 8 && pdx_prev_word(text, pos, &ps, &pe); k++) {
        /* the clause ends at punctuation */
        for (size_t i = pe; i < pos; i++)
            if (text[i] == '.' || text[i] == ';' || text[i] == ':' || text[i] == ',' ||
                text[i] == '(' || text[i] == '\n')
                return 0;
        if (pdx_word_in(text, ps, pe, titles))
            return 1;
        pos = ps;
    }
    return 0;
}

static int pillar_cmp(const void *a, const void *b)
{
    const struct pdx_pillar_mention *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end;
}

/* The label of an item without a theme: its text, cut at a character boundary. */
static const char *item_label(struct pdx_extraction *out, const char *text, size_t s, size_t e)
{
    size_t n = e - s;
    if (n > LABEL_MAX) {
        n = LABEL_MAX;
        while (n > 0 && ((unsigned char)text[s + n] & 0xC0) == 0x80)
            n--;
    }
    return pdx_pool_strndup(&out->pool, text + s, n);
}

int pdx_pillars_extract(struct pdx_extractor *ex, const char *text, size_t len,
                        struct pdx_extraction *out)
{
    struct pdx_pillars *p = ex->pillars;
    struct item *items = NULL;
    size_t nitems = 0, pos = 0, ws, k = 0, it = 0, first = out->n_pillars;
    int rc = 0, nomem = 0;
    nitems = find_items(ex, text, len, out, &items, MAX_ITEMS, &nomem);
    if (nomem) {
        rc = PDX_EXTRACT_ENOMEM;
        goto done;
    }
    for (size_t ci = 0; ci < ex->ncands; ci++) {
        ws = ex->cands[ci].ws;
        if (ws < pos || !(ex->cands[ci].flags & PDX_KEY_PILLAR))
            continue;
        size_t e;
        long idx;
        if (pdx_phrases_match(ex, &p->re[pdx_bucket_of(text, len, ws)], text, len, ws, out, &e,
                              &idx) != 1)
            continue;
        if (idx < 0 || (size_t)idx >= p->n)
            continue;
        if (inside_institution(out, &k, ws, e) || in_title(text, len, ws))
            continue;
        pos = e;
        while (it < nitems && items[it].end <= ws)
            it++;
        if (it < nitems && items[it].start < e) {
            /* The first theme names the item; a theme that starts before the item
             * (the item dropped a leading « Une » as an article) is part of it; other
             * themes wholly inside the item are mentions of their own (see
             * pdx_extract.h). */
            if (items[it].entry < 0 || ws < items[it].start) {
                if (items[it].entry < 0)
                    items[it].entry = idx;
                continue;
            }
            if (items[it].entry == idx)
                continue;
        }
        struct pdx_pillar_mention m = {ws, e, p->entries[idx].id, p->entries[idx].label, 0};
        if (pdx_push_pillar(out, &m)) {
            rc = PDX_EXTRACT_ENOMEM;
            goto done;
        }
    }
    for (size_t i = 0; i < nitems; i++) {
        struct pdx_pillar_mention m = {items[i].start, items[i].end, NULL, NULL, 1};
        if (items[i].entry >= 0) {
            m.id = p->entries[items[i].entry].id;
            m.label = p->entries[items[i].entry].label;
        } else {
            char slug[64];
            size_t sl = pdx_slug(text, items[i].start, items[i].end, slug, sizeof slug);
            while (sl > 0 && slug[sl - 1] == '-')
                sl--;
            if (sl == 0)
                continue; /* an item of symbols only names nothing */
            m.id = pdx_pool_strndup(&out->pool, slug, sl);
            m.label = item_label(out, text, items[i].start, items[i].end);
            if (!m.id || !m.label) {
                rc = PDX_EXTRACT_ENOMEM;
                goto done;
            }
        }
        if (pdx_push_pillar(out, &m)) {
            rc = PDX_EXTRACT_ENOMEM;
            goto done;
        }
    }
    if (out->n_pillars > first) /* qsort on a NULL array is undefined, even for 0 */
        qsort(out->pillars + first, out->n_pillars - first, sizeof *out->pillars, pillar_cmp);
done:
    free(items);
    return rc;
}
