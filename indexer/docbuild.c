/*
 * docbuild.c — applies the index schema to one document.
 */
#include "pdx_docbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_schema.h"
#include "pdx_spans.h"

/* Room for the longest prefix plus the longest term. */
#define TERM_BUF (PDX_TERM_MAX + 8)

struct build_ctx {
    struct xs_doc *doc;
    const char *prefix; /* for positioned words: "" for the body, "S" for the title */
    size_t prefix_len;
    int with_stems;
    struct pdx_analyzer *a;
    const char *text;        /* the text being analysed, for the accented forms */
    struct pdx_spans *spans; /* the body's token spans (NULL for the title) */
    int spans_failed;        /* out of memory: the document is stored without them */
    struct xs_error err;
};

static size_t prefixed(char *buf, const char *prefix, size_t prefix_len, const char *s, size_t len)
{
    memcpy(buf, prefix, prefix_len);
    memcpy(buf + prefix_len, s, len);
    return prefix_len + len;
}

/* A word written with accents or a ligature also gets its exact lower-case form, so
 * that `=pêche` can tell « pêche » from « péché ». ASCII words need no such term: their
 * folded form is already exact. */
static int add_accented(struct build_ctx *ctx, const struct pdx_token *tok)
{
    const unsigned char *s = (const unsigned char *)ctx->text + tok->start;
    size_t len = tok->end - tok->start, i = 0;
    while (i < len && s[i] < 0x80)
        i++;
    if (i == len || (tok->flags & PDX_TOK_JOINED))
        return 0;
    char term[TERM_BUF];
    size_t pl = sizeof PDX_PREFIX_ACCENTED - 1;
    memcpy(term, PDX_PREFIX_ACCENTED, pl);
    int n = pdx_lower(ctx->a, (const char *)s, len, term + pl, sizeof term - pl);
    if (n <= 0 || ((size_t)n == tok->folded_len && memcmp(term + pl, tok->folded, (size_t)n) == 0))
        return 0; /* too long to keep, or nothing to distinguish */
    return xs_doc_add_term(ctx->doc, term, pl + (size_t)n, 1, &ctx->err);
}

static int add_token(void *vctx, const struct pdx_token *tok)
{
    struct build_ctx *ctx = vctx;
    char term[TERM_BUF];
    size_t n = prefixed(term, ctx->prefix, ctx->prefix_len, tok->folded, tok->folded_len);
    if (xs_doc_add_posting(ctx->doc, term, n, tok->pos, &ctx->err) != 0)
        return 1;
    /* Snippets highlight the parts of a compound, never its joined form. */
    if (ctx->spans && !(tok->flags & PDX_TOK_JOINED) && !ctx->spans_failed &&
        pdx_spans_add(ctx->spans, tok->start, tok->end, tok->flags) != 0)
        ctx->spans_failed = 1;
    /* Stop words and split-off articles carry positions (for phrases) but no stem
     * term: a plain query never searches for them. */
    if (ctx->with_stems && !(tok->flags & (PDX_TOK_STOPWORD | PDX_TOK_ELISION))) {
        n = prefixed(term, PDX_PREFIX_STEM, sizeof PDX_PREFIX_STEM - 1, tok->stem, tok->stem_len);
        if (xs_doc_add_term(ctx->doc, term, n, 1, &ctx->err) != 0)
            return 1;
        if (add_accented(ctx, tok) != 0)
            return 1;
    }
    return 0;
}

/* Adds `wdf` occurrences of prefix + value. */
static int add_counted(struct xs_doc *doc, const char *prefix, const char *value, uint32_t wdf,
                       struct xs_error *err)
{
    char term[TERM_BUF];
    size_t pl = strlen(prefix), vl = strlen(value);
    if (pl + vl > PDX_TERM_MAX)
        return 0; /* an id that long is not worth a filter term */
    memcpy(term, prefix, pl);
    memcpy(term + pl, value, vl);
    return xs_doc_add_term(doc, term, pl + vl, wdf, err);
}

/* A names term: prefix + id TAB name [TAB acronym], cut to Xapian's term limit. Adding
 * the same boolean term twice is harmless. */
static int add_name(struct xs_doc *doc, const char *prefix, const char *id, const char *name,
                    const char *acronym, struct xs_error *err)
{
    char term[PDX_IDTERM_MAX + 1];
    int n = snprintf(term, sizeof term, "%s%s\t%s%s%s", prefix, id, name ? name : "",
                     acronym ? "\t" : "", acronym ? acronym : "");
    if (n < 0)
        return 0;
    size_t len = (size_t)n < sizeof term ? (size_t)n : sizeof term - 1;
    while (len > 0 && ((unsigned char)term[len] & 0xC0) == 0x80 && (size_t)n >= sizeof term)
        len--; /* cut on a character boundary */
    return xs_doc_add_boolean_term(doc, term, len, err);
}

struct keybuf {
    char *s;
    size_t len, cap;
    int overflow;
};

static int key_token(void *vctx, const struct pdx_token *tok)
{
    struct keybuf *k = vctx;
    if (tok->flags & (PDX_TOK_JOINED | PDX_TOK_ELISION))
        return 0;
    if (k->len + 1 + tok->folded_len >= k->cap) {
        k->overflow = 1;
        return 1;
    }
    if (k->len)
        k->s[k->len++] = ' ';
    memcpy(k->s + k->len, tok->folded, tok->folded_len);
    k->len += tok->folded_len;
    k->s[k->len] = '\0';
    return 0;
}

size_t pdx_name_key(struct pdx_analyzer *a, const char *text, size_t len, char *out, size_t out_len)
{
    struct keybuf k = {out, 0, out_len, 0};
    if (out_len == 0)
        return 0;
    out[0] = '\0';
    if (pdx_analyze(a, text, len, 1, key_token, &k) != 0 || k.overflow)
        return 0;
    return k.len;
}

/* XK<kind><key>\t<id> and XK<kind><key> for one name, acronym or label; nothing when
 * too long. */
static int add_name_key(struct xs_doc *doc, struct pdx_analyzer *a, char kind, const char *text,
                        const char *id, struct xs_error *err)
{
    char term[PDX_IDTERM_MAX + 1];
    size_t pl = sizeof PDX_PREFIX_NAME_KEY - 1;
    if (!text || !*text)
        return 0;
    memcpy(term, PDX_PREFIX_NAME_KEY, pl);
    term[pl++] = kind;
    size_t kl = pdx_name_key(a, text, strlen(text), term + pl, sizeof term - pl);
    size_t il = strlen(id);
    if (kl == 0 || pl + kl + 1 + il > PDX_IDTERM_MAX)
        return 0;
    if (xs_doc_add_boolean_term(doc, term, pl + kl, err) != 0)
        return -1;
    term[pl + kl] = '\t';
    memcpy(term + pl + kl + 1, id, il);
    return xs_doc_add_boolean_term(doc, term, pl + kl + 1 + il, err);
}

/* Y, M and D terms for a date known to the year, month or day. */
static int add_date_terms(struct xs_doc *doc, const struct pdx_ymd *d, struct xs_error *err)
{
    char v[16];
    if (d->year <= 0 || d->year > 9999)
        return 0;
    snprintf(v, sizeof v, "%04d", d->year);
    if (add_counted(doc, PDX_PREFIX_YEAR, v, 1, err) != 0)
        return -1;
    if (d->month < 1 || d->month > 12)
        return 0;
    snprintf(v, sizeof v, "%04d%02d", d->year, d->month);
    if (add_counted(doc, PDX_PREFIX_MONTH, v, 1, err) != 0)
        return -1;
    if (d->day < 1 || d->day > 31)
        return 0;
    snprintf(v, sizeof v, "%04d%02d%02d", d->year, d->month, d->day);
    return add_counted(doc, PDX_PREFIX_DAY, v, 1, err);
}

/* Mentions looked back at for an id already named. */
#define RECENT_MENTIONS 64

/* Was institution (pillar) i's id named by one of the RECENT_MENTIONS mentions before? */
static int institution_seen(const struct pdx_extraction *x, size_t i)
{
    for (size_t j = i > RECENT_MENTIONS ? i - RECENT_MENTIONS : 0; j < i; j++)
        if (strcmp(x->institutions[j].id, x->institutions[i].id) == 0)
            return 1;
    return 0;
}

static int pillar_seen(const struct pdx_extraction *x, size_t i)
{
    for (size_t j = i > RECENT_MENTIONS ? i - RECENT_MENTIONS : 0; j < i; j++)
        if (strcmp(x->pillars[j].id, x->pillars[i].id) == 0)
            return 1;
    return 0;
}

static int add_extraction(struct xs_doc *doc, struct pdx_analyzer *a,
                          const struct pdx_extraction *x, struct xs_error *err)
{
    for (size_t i = 0; i < x->n_dates; i++)
        if (x->dates[i].type == PDX_TIMEX_DATE && add_date_terms(doc, &x->dates[i].ymd, err) != 0)
            return -1;
    if (x->has_doc_date && add_date_terms(doc, &x->doc_date, err) != 0)
        return -1;
    for (size_t i = 0; i < x->n_institutions; i++) {
        const struct pdx_institution_mention *m = &x->institutions[i];
        if (add_counted(doc, PDX_PREFIX_INSTITUTION, m->id, 1, err) != 0)
            return -1;
        /* Names and keys once per institution and document, as far as a look at the
         * last mentions tells (adding a boolean term again is harmless; this only saves
         * analysing the same name again, at a bounded cost per mention). */
        if (institution_seen(x, i))
            continue;
        if (add_name(doc, PDX_PREFIX_INSTITUTION_NAME, m->id, m->name, m->acronym, err) != 0 ||
            add_name_key(doc, a, PDX_NAME_KEY_INSTITUTION, m->name, m->id, err) != 0 ||
            add_name_key(doc, a, PDX_NAME_KEY_INSTITUTION, m->acronym, m->id, err) != 0)
            return -1;
    }
    for (size_t i = 0; i < x->n_pillars; i++) {
        const struct pdx_pillar_mention *m = &x->pillars[i];
        if (add_counted(doc, PDX_PREFIX_PILLAR, m->id, 1, err) != 0)
            return -1;
        if (pillar_seen(x, i))
            continue;
        if (add_name(doc, PDX_PREFIX_PILLAR_LABEL, m->id, m->label, NULL, err) != 0 ||
            add_name_key(doc, a, PDX_NAME_KEY_PILLAR, m->label, m->id, err) != 0)
            return -1;
    }
    return 0;
}

size_t pdx_idterm(const char *path, char *out, size_t out_len)
{
    size_t len = strlen(path);
    size_t max = out_len - 1 < PDX_IDTERM_MAX ? out_len - 1 : PDX_IDTERM_MAX;
    if (1 + len <= max) {
        out[0] = 'Q';
        memcpy(out + 1, path, len + 1);
        return 1 + len;
    }
    char hash[17];
    pdx_content_hash(path, len, hash);
    /* Cut at a UTF-8 character boundary before appending "#" + hash. */
    size_t keep = max - 1 - 1 - 16;
    while (keep > 0 && ((unsigned char)path[keep] & 0xC0) == 0x80)
        keep--;
    out[0] = 'Q';
    memcpy(out + 1, path, keep);
    out[1 + keep] = '#';
    memcpy(out + 2 + keep, hash, 17);
    return 2 + keep + 16;
}

static int fail(char *errbuf, size_t errbuf_len, const char *what, const struct xs_error *err)
{
    if (errbuf && errbuf_len)
        snprintf(errbuf, errbuf_len, "%s: %s", what, err ? err->message : pdx_analyze_failure());
    return -1;
}

/* pdx_docbuild, with a table for the body's token spans (the caller frees it). */
static int build(struct pdx_analyzer *a, const struct pdx_docbuild_input *in, struct xs_doc *out,
                 struct pdx_spans *spans, char *errbuf, size_t errbuf_len)
{
    const struct pdx_document *doc = in->doc;
    struct build_ctx ctx = {.doc = out,
                            .prefix = "",
                            .prefix_len = 0,
                            .with_stems = 1,
                            .a = a,
                            .text = doc->text,
                            .spans = spans};
    if (xs_doc_clear(out, &ctx.err) != 0)
        return fail(errbuf, errbuf_len, "document", &ctx.err);

    int rc = pdx_analyze(a, doc->text, doc->len, 1, add_token, &ctx);
    if (rc != 0)
        return fail(errbuf, errbuf_len, "indexing text", rc > 0 ? &ctx.err : NULL);
    ctx.spans = NULL; /* the title's words are in the body's already */

    const char *title = doc->text + doc->title_start;
    size_t title_len = doc->title_end - doc->title_start;
    ctx.prefix = PDX_PREFIX_TITLE;
    ctx.prefix_len = sizeof PDX_PREFIX_TITLE - 1;
    ctx.with_stems = 0;
    rc = pdx_analyze(a, title, title_len, 1, add_token, &ctx);
    if (rc != 0)
        return fail(errbuf, errbuf_len, "indexing title", rc > 0 ? &ctx.err : NULL);

    char idterm[PDX_IDTERM_MAX + 1];
    size_t idlen = pdx_idterm(in->path, idterm, sizeof idterm);
    char num[32];
    int numlen;
    const char *date = in->date ? in->date : "";
    char doc_date[48];
    if (!in->date && in->extraction && in->extraction->has_doc_date &&
        in->extraction->doc_date.day > 0 && in->extraction->doc_date.month > 0) {
        const struct pdx_ymd *d = &in->extraction->doc_date;
        snprintf(doc_date, sizeof doc_date, "%04d-%02d-%02d", d->year, d->month, d->day);
        date = doc_date;
    }
    if (in->extraction && add_extraction(out, a, in->extraction, &ctx.err) != 0)
        return fail(errbuf, errbuf_len, "extracted terms", &ctx.err);
    char date_value[9] = "";
    if (strlen(date) == 10) { /* YYYY-MM-DD → YYYYMMDD, which sorts as a string */
        memcpy(date_value, date, 4);
        memcpy(date_value + 4, date + 5, 2);
        memcpy(date_value + 6, date + 8, 2);
        date_value[8] = '\0';
    }
    if (xs_doc_add_boolean_term(out, idterm, idlen, &ctx.err) != 0 ||
        xs_doc_set_value(out, PDX_SLOT_HASH, in->hash, strlen(in->hash), &ctx.err) != 0 ||
        xs_doc_set_value(out, PDX_SLOT_PATH, in->path, strlen(in->path), &ctx.err) != 0)
        return fail(errbuf, errbuf_len, "document", &ctx.err);
    if (date_value[0] && xs_doc_set_value(out, PDX_SLOT_DATE, date_value, 8, &ctx.err) != 0)
        return fail(errbuf, errbuf_len, "document", &ctx.err);
    numlen = snprintf(num, sizeof num, "%lld", in->size);
    if (xs_doc_set_value(out, PDX_SLOT_SIZE, num, (size_t)numlen, &ctx.err) != 0)
        return fail(errbuf, errbuf_len, "document", &ctx.err);
    numlen = snprintf(num, sizeof num, "%lld", in->mtime);
    if (xs_doc_set_value(out, PDX_SLOT_MTIME, num, (size_t)numlen, &ctx.err) != 0)
        return fail(errbuf, errbuf_len, "document", &ctx.err);

    struct pdx_docdata data = {.path = in->path,
                               .path_len = strlen(in->path),
                               .title = title,
                               .title_len = title_len,
                               .date = date,
                               .date_len = strlen(date),
                               .spans = ctx.spans_failed ? NULL : spans->buf,
                               .spans_len = ctx.spans_failed ? 0 : spans->len,
                               .text = doc->text,
                               .text_len = doc->len};
    char *blob, *head = NULL;
    size_t blob_len, head_len = 0;
    if (pdx_docdata_encode(&data, &blob, &blob_len) != 0) {
        if (errbuf && errbuf_len)
            snprintf(errbuf, errbuf_len, "stored document: out of memory or NUL in a field");
        return -1;
    }
    /* A large document: its head in PDX_SLOT_DOC, the whole in PDX_SLOT_BODY (see
     * pdx_schema.h for why). */
    if (blob_len >= PDX_DOCDATA_SPLIT) {
        struct pdx_docdata h = pdx_docdata_head(&data);
        if (pdx_docdata_encode(&h, &head, &head_len) != 0) {
            free(blob);
            if (errbuf && errbuf_len)
                snprintf(errbuf, errbuf_len, "stored document: out of memory");
            return -1;
        }
    }
    if (head)
        rc = xs_doc_set_value(out, PDX_SLOT_DOC, head, head_len, &ctx.err) != 0 ||
             xs_doc_set_value(out, PDX_SLOT_BODY, blob, blob_len, &ctx.err) != 0;
    else
        rc = xs_doc_set_value(out, PDX_SLOT_DOC, blob, blob_len, &ctx.err);
    free(head);
    free(blob);
    if (rc != 0)
        return fail(errbuf, errbuf_len, "stored document", &ctx.err);
    return 0;
}

int pdx_docbuild(struct pdx_analyzer *a, const struct pdx_docbuild_input *in, struct xs_doc *out,
                 char *errbuf, size_t errbuf_len)
{
    struct pdx_spans spans = {0};
    int rc = build(a, in, out, &spans, errbuf, errbuf_len);
    pdx_spans_free(&spans);
    return rc;
}
