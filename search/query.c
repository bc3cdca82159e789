/*
 * query.c — parser and Xapian query builder for the polidex query language.
 *
 * The parser is recursive descent over a small lexer. Each word goes through the same
 * analyzer as the indexer; the tree keeps the analysed forms so that the builder, the
 * explainer and the snippet highlighter all see the same thing.
 */
#include "pdx_query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_document.h"
#include "pdx_filters.h"
#include "pdx_lexicon.h"
#include "pdx_schema.h"

#define NEAR_DEFAULT_WINDOW 10
#define PARTS_MAX 32
#define TERM_BUF (PDX_TERM_MAX + 8)

enum node_kind {
    N_WORD,     /* one typed word, analysed into parts */
    N_PHRASE,   /* a quoted phrase */
    N_WILDCARD, /* a prefix* */
    N_AND,
    N_OR,
    N_AND_NOT, /* kids[0] minus the rest */
    N_NEAR,
    N_ALL,     /* every document (for a query that only excludes or filters) */
    N_FILTER,  /* a field filter: any of its terms, no weight */
    N_FILTERED /* kids[0] restricted by each of the rest (one N_OR group per field) */
};

enum field { F_BODY, F_TITLE };

/* One analysed word form. */
struct form {
    char folded[PDX_TERM_MAX + 1];
    char stem[PDX_TERM_MAX + 1];
    int stopword;
    char accented[PDX_TERM_MAX + 1]; /* =word: lower case with accents, "" otherwise */
};

struct node {
    int kind;
    int field;
    size_t offset;               /* where it starts in the query */
    size_t word_start, word_len; /* N_WORD: the word as typed (sign and field excluded) */
    char *expand_id;             /* N_WORD, N_PHRASE: an institution it names, or NULL */
    int exact;                   /* N_WORD typed =word */
    /* N_WORD, N_PHRASE, N_WILDCARD: the analysed forms (parts of a hyphenated word,
     * words of a phrase, or the prefix); `joined` for a hyphenated word. */
    struct form *parts;
    size_t nparts;
    struct form *joined;
    /* operators */
    struct node **kids;
    size_t nkids;
    unsigned window;
    /* N_FILTER */
    int filter_field;
    struct pdx_filter_terms filter;
};

/* A word the highlighter looks for. */
struct hl_word {
    char folded[PDX_TERM_MAX + 1];
    char stem[PDX_TERM_MAX + 1];
    int match;     /* HL_STEM, HL_EXACT or HL_PREFIX */
    int lone_stop; /* only ever a stop word typed alone: highlighted only if the query
                      still searches for it once parsed (see prune_highlights) */
};
enum { HL_STEM, HL_EXACT, HL_PREFIX };

struct pdx_query {
    struct pdx_analyzer *analyzer;
    struct pdx_extractor *extractor;
    const struct pdx_lexicon *lexicon;
    size_t unknown_names; /* names the lexicon did not know (pdx_query_unknown_names) */
    struct node *root;
    struct hl_word *words;
    size_t nwords, cap_words;
};

/* ---- lexer ---------------------------------------------------------------------- */

enum tok_kind { T_END, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_OR, T_AND, T_NOT, T_NEAR };

struct lex_token {
    int kind;
    size_t start, len; /* the token's text: for a phrase, inside the quotes */
    size_t offset;     /* where it starts, modifiers and field included */
    int sign;          /* +1 for "+", -1 for "-", 0 for none */
    int field;
    int filter_field; /* PDX_FIELD_* for institution:, date: … */
    int exact;        /* =word */
    unsigned window;  /* NEAR/n */
};

struct parser {
    struct pdx_query *q;
    const char *text;
    size_t len, pos;
    struct lex_token tok; /* the current token */
    int depth;
    size_t words;
    struct pdx_query_error *err;
    int failed;
};

static void fail_at(struct parser *p, size_t offset, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    /* Messages quote parts of the query; a line break or control character in them
     * would break the one-line diagnostic. */
    for (char *c = p->err->message; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = ' ';
    p->err->offset = offset;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Opening quotes we accept and the closing quote each expects. */
static size_t quote_at(const char *s, size_t left, const char **close, size_t *close_len)
{
    if (left >= 1 && s[0] == '"') {
        *close = "\"";
        *close_len = 1;
        return 1;
    }
    if (left >= 2 && memcmp(s, "\xc2\xab", 2) == 0) { /* « … » */
        *close = "\xc2\xbb";
        *close_len = 2;
        return 2;
    }
    if (left >= 3 && memcmp(s, "\xe2\x80\x9c", 3) == 0) { /* “ … ” */
        *close = "\xe2\x80\x9d";
        *close_len = 3;
        return 3;
    }
    return 0;
}

static int ends_word(const char *s, size_t left)
{
    const char *c;
    size_t cl;
    return is_space((unsigned char)s[0]) || s[0] == '(' || s[0] == ')' ||
           quote_at(s, left, &c, &cl) > 0;
}

static int word_is(const struct parser *p, size_t start, size_t len, const char *w)
{
    return len == strlen(w) && memcmp(p->text + start, w, len) == 0;
}

static void next_token(struct parser *p)
{
    struct lex_token *t = &p->tok;
    memset(t, 0, sizeof *t);
    while (p->pos < p->len && is_space((unsigned char)p->text[p->pos]))
        p->pos++;
    t->offset = p->pos;
    if (p->pos >= p->len) {
        t->kind = T_END;
        return;
    }
    char c = p->text[p->pos];
    if (c == '(' || c == ')') {
        t->kind = c == '(' ? T_LPAREN : T_RPAREN;
        t->start = p->pos++;
        t->len = 1;
        return;
    }
    /* A sign binds to what follows it directly. */
    if ((c == '+' || c == '-') && p->pos + 1 < p->len &&
        !is_space((unsigned char)p->text[p->pos + 1])) {
        t->sign = c == '+' ? 1 : -1;
        p->pos++;
    }
    /* =word: these very accents. */
    if (p->pos + 1 < p->len && p->text[p->pos] == '=' &&
        !is_space((unsigned char)p->text[p->pos + 1])) {
        t->exact = 1;
        p->pos++;
    }
    /* field:value — an ASCII name followed by a colon. */
    size_t n = p->pos;
    while (n < p->len &&
           ((p->text[n] >= 'a' && p->text[n] <= 'z') || (p->text[n] >= 'A' && p->text[n] <= 'Z')))
        n++;
    if (n > p->pos && n < p->len && p->text[n] == ':') {
        if (word_is(p, p->pos, n - p->pos, "title")) {
            t->field = F_TITLE;
        } else if ((t->filter_field = pdx_field_from_name(p->text + p->pos, n - p->pos)) == 0) {
            fail_at(p, p->pos,
                    "unknown field '%.*s:' (fields: title: institution: pillar: date: path:)",
                    (int)(n - p->pos), p->text + p->pos);
            t->kind = T_END;
            return;
        }
        p->pos = n + 1;
        if (p->pos >= p->len || ends_word(p->text + p->pos, p->len - p->pos)) {
            const char *cl;
            size_t cll;
            if (p->pos >= p->len || !quote_at(p->text + p->pos, p->len - p->pos, &cl, &cll)) {
                fail_at(p, t->offset, "field '%.*s' needs a value", (int)(n + 1 - t->offset),
                        p->text + t->offset);
                t->kind = T_END;
                return;
            }
        }
    }
    const char *close;
    size_t close_len;
    size_t qlen = quote_at(p->text + p->pos, p->len - p->pos, &close, &close_len);
    if (qlen) {
        size_t open_at = p->pos;
        size_t s = p->pos + qlen;
        size_t e = s;
        while (e + close_len <= p->len && memcmp(p->text + e, close, close_len) != 0)
            e++;
        if (e + close_len > p->len) {
            fail_at(p, open_at, "unbalanced quote at byte %zu", open_at);
            t->kind = T_END;
            return;
        }
        t->kind = T_PHRASE;
        t->start = s;
        t->len = e - s;
        p->pos = e + close_len;
        return;
    }
    size_t s = p->pos;
    while (p->pos < p->len && !ends_word(p->text + p->pos, p->len - p->pos))
        p->pos++;
    t->kind = T_WORD;
    t->start = s;
    t->len = p->pos - s;
    if (t->sign || t->field || t->filter_field || t->exact)
        return;
    if (word_is(p, s, t->len, "OR"))
        t->kind = T_OR;
    else if (word_is(p, s, t->len, "AND"))
        t->kind = T_AND;
    else if (word_is(p, s, t->len, "NOT"))
        t->kind = T_NOT;
    else if (word_is(p, s, t->len, "NEAR")) {
        t->kind = T_NEAR;
        t->window = NEAR_DEFAULT_WINDOW;
    } else if (t->len > 5 && memcmp(p->text + s, "NEAR/", 5) == 0) {
        unsigned w = 0;
        size_t i = s + 5;
        for (; i < s + t->len && p->text[i] >= '0' && p->text[i] <= '9' && w < 100000; i++)
            w = w * 10 + (unsigned)(p->text[i] - '0');
        if (i != s + t->len || w == 0 || w > 1000) {
            fail_at(p, s, "'%.*s': NEAR/n needs a number from 1 to 1000", (int)t->len, p->text + s);
            t->kind = T_END;
            return;
        }
        t->kind = T_NEAR;
        t->window = w;
    }
}

/* ---- tree ----------------------------------------------------------------------- */

static void node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->parts);
    free(n->joined);
    free(n->expand_id);
    pdx_filter_terms_free(&n->filter);
    free(n);
}

static struct node *node_new(struct parser *p, int kind, size_t offset)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        fail_at(p, offset, "out of memory");
    else {
        n->kind = kind;
        n->offset = offset;
    }
    return n;
}

static int node_add_kid(struct parser *p, struct node *n, struct node *kid)
{
    struct node **k = realloc(n->kids, (n->nkids + 1) * sizeof *k);
    if (!k) {
        fail_at(p, kid->offset, "out of memory");
        node_free(kid);
        return -1;
    }
    n->kids = k;
    n->kids[n->nkids++] = kid;
    return 0;
}

static int remember_word(struct parser *p, const struct form *f, int match, int lone_stop)
{
    struct pdx_query *q = p->q;
    for (size_t i = 0; i < q->nwords; i++)
        if (q->words[i].match == match && strcmp(q->words[i].folded, f->folded) == 0) {
            q->words[i].lone_stop &= lone_stop;
            return 0;
        }
    if (q->nwords == q->cap_words) {
        size_t cap = q->cap_words ? q->cap_words * 2 : 8;
        struct hl_word *w = realloc(q->words, cap * sizeof *w);
        if (!w) {
            fail_at(p, 0, "out of memory");
            return -1;
        }
        q->words = w;
        q->cap_words = cap;
    }
    struct hl_word *w = &q->words[q->nwords++];
    memcpy(w->folded, f->folded, sizeof w->folded);
    memcpy(w->stem, f->stem, sizeof w->stem);
    w->match = match;
    w->lone_stop = lone_stop;
    return 0;
}

/* Collects the analyser's tokens for one piece of query text. */
struct collect {
    struct form forms[PARTS_MAX];
    size_t n;
    struct form joined;
    int has_joined;
    int overflow;
};

static void copy_term(char *dst, const char *src, size_t len)
{
    if (len > PDX_TERM_MAX)
        len = PDX_TERM_MAX;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int collect_token(void *vctx, const struct pdx_token *tok)
{
    struct collect *c = vctx;
    struct form *f;
    if (tok->flags & PDX_TOK_JOINED) {
        f = &c->joined;
        c->has_joined = 1;
    } else if (c->n < PARTS_MAX) {
        f = &c->forms[c->n++];
    } else {
        c->overflow = 1;
        return 1;
    }
    copy_term(f->folded, tok->folded, tok->folded_len);
    copy_term(f->stem, tok->stem, tok->stem_len);
    f->stopword = (tok->flags & (PDX_TOK_STOPWORD | PDX_TOK_ELISION)) != 0;
    f->accented[0] = '\0';
    return 0;
}

static int analyse(struct parser *p, size_t start, size_t len, struct collect *c)
{
    /* Only the counters: the forms are 13 KB, and zeroing them all for every word
     * costs a search fresh stack pages; collect_token fills each form it hands out. */
    c->n = 0;
    c->has_joined = 0;
    c->overflow = 0;
    int rc = pdx_analyze(p->q->analyzer, p->text + start, len, 1, collect_token, c);
    if (c->overflow) {
        fail_at(p, start, "'%.*s': too many words in one term (at most %d)", (int)len,
                p->text + start, PARTS_MAX);
        return -1;
    }
    if (rc != 0) {
        fail_at(p, start, "cannot analyse '%.*s': %s", (int)len, p->text + start,
                pdx_analyze_failure());
        return -1;
    }
    return 0;
}

static struct form *copy_forms(const struct form *src, size_t n)
{
    struct form *f = malloc(n * sizeof *f);
    if (f)
        memcpy(f, src, n * sizeof *f);
    return f;
}

/* If the whole of text[start, start+len) names an institution the extractor knows
 * (« OMS », « Organisation mondiale de la santé »), returns its id (owned), else NULL.
 * The query then also finds the documents naming it in another form. */
static char *institution_named(struct parser *p, size_t start, size_t len)
{
    if (len == 0)
        return NULL;
    /* The index's own table first: it knows every institution some document names,
     * acronyms defined in documents included; the extractor adds the gazetteer's other
     * spellings when it has been started. */
    char found[PDX_LEXICON_ID_MAX];
    if (pdx_lexicon_find(p->q->lexicon, p->q->analyzer, PDX_LEXICON_INSTITUTION, p->text + start,
                         len, found, sizeof found))
        return strdup(found);
    /* Not counted in unknown_names: a plain word the table does not know is searched as
     * it is, whether or not the query also has a filter that starts the extractor (it
     * did, and « institution:ARS vaccination » compiled every pattern for nothing). */
    char *id = NULL;
    if (p->q->extractor) {
        struct pdx_extraction x = {0};
        if (pdx_extract(p->q->extractor, p->text + start, len, NULL, PDX_EXTRACT_INSTITUTIONS,
                        &x) == PDX_EXTRACT_OK &&
            x.n_institutions == 1 && x.institutions[0].end - x.institutions[0].start + 4 >= len)
            id = strdup(x.institutions[0].id);
        pdx_extraction_free(&x);
    }
    return id;
}

/* =word: the word with exactly its accents. */
static struct node *parse_exact(struct parser *p, const struct lex_token *t)
{
    struct collect c;
    if (analyse(p, t->start, t->len, &c) != 0)
        return NULL;
    if (c.n != 1 || c.has_joined) {
        fail_at(p, t->offset, "'=%.*s': exact accents apply to a single word", (int)t->len,
                p->text + t->start);
        return NULL;
    }
    struct node *n = node_new(p, N_WORD, t->offset);
    if (!n)
        return NULL;
    n->parts = copy_forms(c.forms, 1);
    n->nparts = 1;
    if (!n->parts) {
        fail_at(p, t->start, "out of memory");
        node_free(n);
        return NULL;
    }
    int len = pdx_lower(p->q->analyzer, p->text + t->start, t->len, n->parts[0].accented,
                        sizeof n->parts[0].accented);
    if (len < 0)
        n->parts[0].accented[0] = '\0';
    n->word_start = t->start;
    n->word_len = t->len;
    n->exact = 1;
    if (remember_word(p, &c.forms[0], HL_EXACT, 0) != 0) {
        node_free(n);
        return NULL;
    }
    return n;
}

/* A typed word: its content tokens (elided articles dropped, as a reader expects
 * « l’OMS » to mean OMS). Returns NULL with no error when nothing is left. */
static struct node *parse_word(struct parser *p, const struct lex_token *t)
{
    if (t->exact)
        return parse_exact(p, t);
    if (t->len > 1 && p->text[t->start + t->len - 1] == '*') {
        struct collect c;
        if (analyse(p, t->start, t->len - 1, &c) != 0)
            return NULL;
        size_t content = 0, last = 0;
        for (size_t i = 0; i < c.n; i++)
            if (!(c.forms[i].stopword && i + 1 < c.n))
                content++, last = i;
        if (c.n == 0) {
            fail_at(p, t->start, "'%.*s': a wildcard needs letters before '*'", (int)t->len,
                    p->text + t->start);
            return NULL;
        }
        if (content != 1) {
            fail_at(p, t->start, "'%.*s': a wildcard applies to a single word", (int)t->len,
                    p->text + t->start);
            return NULL;
        }
        struct node *n = node_new(p, N_WILDCARD, t->offset);
        if (!n)
            return NULL;
        n->field = t->field;
        n->parts = copy_forms(&c.forms[last], 1);
        n->nparts = 1;
        if (!n->parts || remember_word(p, &c.forms[last], HL_PREFIX, 0) != 0) {
            fail_at(p, t->start, "out of memory");
            node_free(n);
            return NULL;
        }
        return n;
    }
    if (t->len == 1 && p->text[t->start] == '*') {
        fail_at(p, t->start, "'*' alone: a wildcard needs letters before it");
        return NULL;
    }
    struct collect c;
    if (analyse(p, t->start, t->len, &c) != 0)
        return NULL;
    /* Keep the content words (moved down in place); an elided article goes when a word
     * follows it. */
    struct form *kept = c.forms;
    size_t nk = 0;
    for (size_t i = 0; i < c.n; i++) {
        int elided_article = c.forms[i].stopword && i + 1 < c.n && c.n > 1;
        if (!elided_article || c.has_joined) {
            if (nk != i)
                kept[nk] = c.forms[i];
            nk++;
        }
    }
    if (nk == 0)
        return NULL;
    struct node *n = node_new(p, N_WORD, t->offset);
    if (!n)
        return NULL;
    n->field = t->field;
    n->word_start = t->start;
    n->word_len = t->len;
    if (n->field == F_BODY)
        n->expand_id = institution_named(p, t->start, t->len);
    n->parts = copy_forms(kept, nk);
    n->nparts = nk;
    if (c.has_joined)
        n->joined = copy_forms(&c.joined, 1);
    if (!n->parts || (c.has_joined && !n->joined)) {
        fail_at(p, t->start, "out of memory");
        node_free(n);
        return NULL;
    }
    int rc = 0;
    int lone_stop = nk == 1 && kept[0].stopword && !n->joined;
    for (size_t i = 0; i < nk && rc == 0; i++)
        rc = remember_word(p, &kept[i], nk == 1 ? HL_STEM : HL_EXACT, lone_stop);
    if (rc == 0 && n->joined)
        rc = remember_word(p, n->joined, HL_EXACT, 0);
    if (rc != 0) {
        node_free(n);
        return NULL;
    }
    return n;
}

static struct node *parse_phrase(struct parser *p, const struct lex_token *t)
{
    struct collect c;
    if (analyse(p, t->start, t->len, &c) != 0)
        return NULL;
    if (c.n == 0)
        return NULL;
    struct node *n = node_new(p, N_PHRASE, t->offset);
    if (!n)
        return NULL;
    n->field = t->field;
    n->parts = copy_forms(c.forms, c.n);
    n->nparts = c.n;
    if (n->field == F_BODY)
        n->expand_id = institution_named(p, t->start, t->len);
    if (!n->parts) {
        fail_at(p, t->start, "out of memory");
        node_free(n);
        return NULL;
    }
    /* Highlight the phrase's content words: « de », « la » lit up everywhere in a
     * passage would hide the match. A phrase of stop words only keeps them all. */
    size_t content = 0;
    for (size_t i = 0; i < c.n; i++)
        content += !c.forms[i].stopword;
    for (size_t i = 0; i < c.n; i++) {
        if (content > 0 && c.forms[i].stopword)
            continue;
        if (remember_word(p, &c.forms[i], HL_EXACT, 0) != 0) {
            node_free(n);
            return NULL;
        }
    }
    return n;
}

static struct node *parse_or(struct parser *p);

/* primary := "(" or ")" | PHRASE | WORD ; followed by NEAR chains. Sets *sign. */
static struct node *parse_primary(struct parser *p, int *sign)
{
    struct lex_token t = p->tok;
    *sign = t.sign;
    struct node *n = NULL;
    if (t.kind == T_LPAREN) {
        if (++p->depth > PDX_QUERY_MAX_DEPTH) {
            fail_at(p, t.offset, "parentheses nested too deeply (at most %d levels)",
                    PDX_QUERY_MAX_DEPTH);
            return NULL;
        }
        next_token(p);
        n = parse_or(p);
        if (p->failed) {
            node_free(n);
            return NULL;
        }
        if (p->tok.kind != T_RPAREN) {
            fail_at(p, t.offset, "unbalanced parenthesis at byte %zu", t.offset);
            node_free(n);
            return NULL;
        }
        p->depth--;
        next_token(p);
        return n;
    }
    if (t.kind != T_WORD && t.kind != T_PHRASE) {
        fail_at(p, t.offset, "expected a word at byte %zu", t.offset);
        return NULL;
    }
    if (++p->words > PDX_QUERY_MAX_WORDS) {
        fail_at(p, t.offset, "query too long (at most %d words)", PDX_QUERY_MAX_WORDS);
        return NULL;
    }
    if (t.filter_field) {
        n = node_new(p, N_FILTER, t.offset);
        if (!n)
            return NULL;
        n->filter_field = t.filter_field;
        char why[256];
        if (pdx_filter_terms(p->q->analyzer, p->q->lexicon, p->q->extractor, t.filter_field,
                             p->text + t.start, t.len, &n->filter, why, sizeof why) != 0) {
            fail_at(p, t.offset, "%s", why);
            node_free(n);
            return NULL;
        }
        p->q->unknown_names += (size_t)n->filter.unknown_name;
        next_token(p);
        if (p->tok.kind == T_NEAR) {
            fail_at(p, p->tok.offset, "NEAR needs a word on each side");
            node_free(n);
            return NULL;
        }
        return n;
    }
    n = t.kind == T_WORD ? parse_word(p, &t) : parse_phrase(p, &t);
    if (p->failed)
        return NULL;
    next_token(p);

    while (!p->failed && p->tok.kind == T_NEAR) {
        struct lex_token op = p->tok;
        next_token(p);
        if (p->tok.kind != T_WORD || p->tok.sign) {
            fail_at(p, op.offset, "NEAR needs a word on each side");
            break;
        }
        struct lex_token w = p->tok;
        struct node *right = parse_word(p, &w);
        next_token(p);
        if (p->failed || !right || !n || n->kind == N_WILDCARD || right->kind == N_WILDCARD ||
            (n->kind != N_NEAR && n->kind != N_WORD)) {
            fail_at(p, op.offset, "NEAR needs a word on each side");
            node_free(right);
            break;
        }
        if (n->kind != N_NEAR) {
            struct node *near = node_new(p, N_NEAR, n->offset);
            if (!near || node_add_kid(p, near, n) != 0) {
                node_free(right);
                node_free(near);
                return NULL;
            }
            n = near;
        }
        if (op.window > n->window)
            n->window = op.window;
        if (node_add_kid(p, n, right) != 0)
            break;
    }
    if (p->failed) {
        node_free(n);
        return NULL;
    }
    return n;
}

/* 1 when the tree at `n` still searches for the lone stop word `folded`. */
static int searches_stopword(const struct node *n, const char *folded)
{
    if (n == NULL)
        return 0;
    if (n->kind == N_WORD && n->nparts == 1 && n->parts[0].stopword &&
        strcmp(n->parts[0].folded, folded) == 0)
        return 1;
    for (size_t i = 0; i < n->nkids; i++)
        if (searches_stopword(n->kids[i], folded))
            return 1;
    return 0;
}

/* A stop word typed alone beside other words is not searched for (« soins de santé »
 * looks for soins and santé): lighting up every « de » and « des » of a passage would
 * claim matches the search never made. Its highlight goes with it. */
static void prune_highlights(struct pdx_query *q)
{
    size_t k = 0;
    for (size_t i = 0; i < q->nwords; i++)
        if (!q->words[i].lone_stop || searches_stopword(q->root, q->words[i].folded))
            q->words[k++] = q->words[i];
    q->nwords = k;
}

/* Is this node a lone stop word (dropped when other words are present)? */
static int is_stopword_node(const struct node *n)
{
    return n->kind == N_WORD && n->nparts == 1 && !n->joined && n->parts[0].stopword;
}

/* Adds filter leaf `k` to `f` (an N_FILTERED node), in the group of its field. */
static int add_filter(struct parser *p, struct node *f, struct node *k)
{
    struct node *group = NULL;
    for (size_t j = 1; j < f->nkids && !group; j++)
        if (f->kids[j]->filter_field == k->filter_field)
            group = f->kids[j];
    if (!group) {
        group = node_new(p, N_OR, k->offset);
        if (!group || node_add_kid(p, f, group) != 0) {
            node_free(k);
            return -1;
        }
        group->filter_field = k->filter_field;
    }
    return node_add_kid(p, group, k);
}

/* and := unary ( [AND] unary )* ; NOT x and -x exclude; field filters restrict. */
static struct node *parse_and(struct parser *p)
{
    struct node *pos = node_new(p, N_AND, p->tok.offset);
    struct node *neg = node_new(p, N_OR, p->tok.offset);
    /* Filters: terms of one field are OR-ed, fields AND-ed (Xapian's convention). */
    struct node *filtered = node_new(p, N_FILTERED, p->tok.offset);
    struct node *result = NULL;
    size_t start = p->tok.offset;
    if (!pos || !neg || !filtered)
        goto fail;
    while (!p->failed && p->tok.kind != T_END && p->tok.kind != T_RPAREN && p->tok.kind != T_OR) {
        int negate = 0;
        if (p->tok.kind == T_AND) {
            next_token(p);
            continue;
        }
        if (p->tok.kind == T_NOT) {
            negate = 1;
            next_token(p);
        }
        if (p->tok.kind == T_NEAR) {
            fail_at(p, p->tok.offset, "NEAR needs a word on each side");
            break;
        }
        int sign;
        size_t words_before = p->q->nwords;
        struct node *n = parse_primary(p, &sign);
        if (p->failed) {
            node_free(n); /* a lexer error after a complete primary */
            break;
        }
        if (!n)
            continue; /* nothing searchable in that word (punctuation alone) */
        if (sign < 0)
            negate = !negate;
        if (negate)
            p->q->nwords = words_before; /* an excluded word is never highlighted */
        if (n->kind == N_FILTER && !negate) {
            if (add_filter(p, filtered, n) != 0)
                break;
        } else if (node_add_kid(p, negate ? neg : pos, n) != 0) {
            break;
        }
    }
    if (p->failed)
        goto fail;
    /* Drop lone stop words when something else is searched for. */
    size_t content = 0;
    for (size_t i = 0; i < pos->nkids; i++)
        content += !is_stopword_node(pos->kids[i]);
    if (content > 0 && content < pos->nkids) {
        size_t k = 0;
        for (size_t i = 0; i < pos->nkids; i++) {
            if (is_stopword_node(pos->kids[i]))
                node_free(pos->kids[i]);
            else
                pos->kids[k++] = pos->kids[i];
        }
        pos->nkids = k;
    }
    if (pos->nkids == 1) {
        result = pos->kids[0];
        pos->nkids = 0;
    } else if (pos->nkids > 1) {
        result = pos;
        pos = NULL;
    } else if (neg->nkids || filtered->nkids) {
        /* Only exclusions or filters: start from every document. */
        result = node_new(p, N_ALL, start);
        if (!result)
            goto fail;
    }
    if (filtered->nkids) {
        struct node **kids = realloc(filtered->kids, (filtered->nkids + 1) * sizeof *kids);
        if (!kids)
            goto fail;
        memmove(kids + 1, kids, filtered->nkids * sizeof *kids);
        kids[0] = result;
        filtered->kids = kids;
        filtered->nkids++;
        result = filtered;
        filtered = NULL;
    }
    if (neg->nkids && result) {
        struct node *andnot = node_new(p, N_AND_NOT, start);
        if (!andnot)
            goto fail;
        andnot->kids = malloc(2 * sizeof *andnot->kids);
        if (!andnot->kids) {
            node_free(andnot);
            goto fail;
        }
        andnot->kids[0] = result;
        andnot->kids[1] = neg;
        andnot->nkids = 2;
        result = andnot;
        neg = NULL;
    }
    node_free(pos);
    node_free(neg);
    node_free(filtered);
    return result;
fail:
    if (!p->failed)
        fail_at(p, start, "out of memory");
    node_free(result);
    node_free(pos);
    node_free(neg);
    node_free(filtered);
    return NULL;
}

static struct node *parse_or(struct parser *p)
{
    struct node *first = parse_and(p);
    if (p->failed || p->tok.kind != T_OR)
        return first;
    struct node * or = node_new(p, N_OR, first ? first->offset : p->tok.offset);
    if (! or) {
        node_free(first);
        return NULL;
    }
    if (first && node_add_kid(p, or, first) != 0) {
        node_free(or);
        return NULL;
    }
    while (!p->failed && p->tok.kind == T_OR) {
        size_t at = p->tok.offset;
        next_token(p);
        if (p->tok.kind == T_END || p->tok.kind == T_RPAREN || p->tok.kind == T_OR) {
            fail_at(p, at, "OR at byte %zu needs a word on each side", at);
            break;
        }
        struct node *n = parse_and(p);
        if (!p->failed && n && node_add_kid(p, or, n) != 0)
            break;
    }
    if (p->failed) {
        node_free(or);
        return NULL;
    }
    if (or->nkids == 1) {
        struct node *only = or->kids[0];
        or->nkids = 0;
        node_free(or);
        return only;
    }
    if (or->nkids == 0) {
        node_free(or);
        return NULL;
    }
    return or ;
}

struct pdx_query *pdx_query_parse(struct pdx_analyzer *a, const char *text, size_t len,
                                  struct pdx_query_error *err)
{
    return pdx_query_parse_ex(a, NULL, text, len, err);
}

struct pdx_query *pdx_query_parse_ex(struct pdx_analyzer *a, struct pdx_extractor *ex,
                                     const char *text, size_t len, struct pdx_query_error *err)
{
    return pdx_query_parse_lx(a, ex, NULL, text, len, err);
}

struct pdx_query *pdx_query_parse_lx(struct pdx_analyzer *a, struct pdx_extractor *ex,
                                     const struct pdx_lexicon *lx, const char *text, size_t len,
                                     struct pdx_query_error *err)
{
    memset(err, 0, sizeof *err);
    if (len > PDX_QUERY_MAX_BYTES) {
        snprintf(err->message, sizeof err->message, "query too long (%zu bytes, at most %d)", len,
                 PDX_QUERY_MAX_BYTES);
        return NULL;
    }
    struct pdx_query *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    size_t valid = pdx_utf8_valid_prefix(text, len);
    if (valid < len) {
        snprintf(err->message, sizeof err->message, "invalid UTF-8 at byte %zu", valid);
        err->offset = valid;
        free(q);
        return NULL;
    }
    q->analyzer = a;
    q->extractor = ex;
    q->lexicon = lx;
    struct parser p = {.q = q, .text = text, .len = len, .err = err};
    next_token(&p);
    struct node *root = p.failed ? NULL : parse_or(&p);
    if (!p.failed && p.tok.kind == T_RPAREN)
        fail_at(&p, p.tok.offset, "unbalanced parenthesis at byte %zu", p.tok.offset);
    if (!p.failed && !root)
        fail_at(&p, 0, "nothing to search for");
    if (p.failed) {
        node_free(root);
        pdx_query_free(q);
        return NULL;
    }
    q->root = root;
    prune_highlights(q);
    return q;
}

void pdx_query_free(struct pdx_query *q)
{
    if (!q)
        return;
    node_free(q->root);
    free(q->words);
    free(q);
}

/* ---- building ------------------------------------------------------------------- */

static size_t make_term(char *buf, int field, const char *prefix, const char *word)
{
    const char *fp = field == F_TITLE ? PDX_PREFIX_TITLE : prefix;
    size_t pl = strlen(fp), wl = strlen(word);
    memcpy(buf, fp, pl);
    memcpy(buf + pl, word, wl);
    return pl + wl;
}

static int term_query(int field, const char *prefix, const char *word, struct xs_query **out,
                      struct pdx_query_error *err)
{
    char term[TERM_BUF];
    size_t n = make_term(term, field, prefix, word);
    struct xs_error xe;
    if (xs_query_term(term, n, 1, out, &xe) != 0) {
        snprintf(err->message, sizeof err->message, "%s", xe.message);
        return -1;
    }
    return 0;
}

/* Combines n built subqueries, freeing them. */
static int combine(int op, struct xs_query **subs, size_t n, unsigned window, struct xs_query **out,
                   struct pdx_query_error *err)
{
    struct xs_error xe;
    int rc = xs_query_combine(op, subs, n, window, out, &xe);
    for (size_t i = 0; i < n; i++)
        xs_query_free(subs[i]);
    if (rc != 0)
        snprintf(err->message, sizeof err->message, "%s", xe.message);
    return rc;
}

/* Positioned words of a phrase (or of a hyphenated word's parts). Title words carry
 * the S prefix; body words none. */
static int phrase_query(int field, const struct form *parts, size_t n, struct xs_query **out,
                        struct pdx_query_error *err)
{
    struct xs_query *subs[PARTS_MAX];
    for (size_t i = 0; i < n; i++) {
        if (term_query(field, "", parts[i].folded, &subs[i], err) != 0) {
            for (size_t j = 0; j < i; j++)
                xs_query_free(subs[j]);
            return -1;
        }
    }
    if (n == 1) {
        *out = subs[0];
        return 0;
    }
    return combine(XS_OP_PHRASE, subs, n, (unsigned)n, out, err);
}

static int build_node(const struct node *n, struct xs_query **out, struct pdx_query_error *err);

/* A word or phrase naming an institution also matches, without weight, the documents
 * where the extractor found that institution under another name (OMS ↔ Organisation
 * mondiale de la santé). */
static int build(const struct node *n, struct xs_query **out, struct pdx_query_error *err)
{
    if (build_node(n, out, err) != 0)
        return -1;
    if (!n->expand_id)
        return 0;
    struct xs_query *subs[2] = {*out, NULL};
    char term[TERM_BUF];
    size_t pl = strlen(PDX_PREFIX_INSTITUTION), il = strlen(n->expand_id);
    if (pl + il > PDX_TERM_MAX)
        return 0;
    memcpy(term, PDX_PREFIX_INSTITUTION, pl);
    memcpy(term + pl, n->expand_id, il);
    struct xs_query *t;
    struct xs_error xe;
    if (xs_query_term(term, pl + il, 1, &t, &xe) != 0 ||
        xs_query_scale(t, 0.0, &subs[1], &xe) != 0) {
        xs_query_free(t);
        xs_query_free(*out);
        snprintf(err->message, sizeof err->message, "%s", xe.message);
        return -1;
    }
    xs_query_free(t);
    return combine(XS_OP_OR, subs, 2, 0, out, err);
}

static int build_node(const struct node *n, struct xs_query **out, struct pdx_query_error *err)
{
    struct xs_error xe;
    err->offset = n->offset;
    switch (n->kind) {
    case N_WORD: {
        if (n->exact) {
            /* Accented words have an XA term; a word without accents is exact already
             * as its folded form (which, unstemmed, still matches accented spellings:
             * only accents typed by the user are enforced). */
            const struct form *f = &n->parts[0];
            if (f->accented[0] && strcmp(f->accented, f->folded) != 0)
                return term_query(F_BODY, PDX_PREFIX_ACCENTED, f->accented, out, err);
            return term_query(F_BODY, "", f->folded, out, err);
        }
        if (n->nparts == 1 && !n->joined) {
            /* Stop words have no stem term: they are found by their positioned form. */
            if (n->parts[0].stopword || n->field == F_TITLE)
                return term_query(n->field, "", n->parts[0].folded, out, err);
            return term_query(n->field, PDX_PREFIX_STEM, n->parts[0].stem, out, err);
        }
        struct xs_query *subs[2];
        if (phrase_query(n->field, n->parts, n->nparts, &subs[0], err) != 0)
            return -1;
        if (!n->joined) {
            *out = subs[0];
            return 0;
        }
        const char *prefix = n->field == F_TITLE ? "" : PDX_PREFIX_STEM;
        const char *form = n->field == F_TITLE ? n->joined->folded : n->joined->stem;
        if (term_query(n->field, prefix, form, &subs[1], err) != 0) {
            xs_query_free(subs[0]);
            return -1;
        }
        return combine(XS_OP_OR, subs, 2, 0, out, err);
    }
    case N_PHRASE:
        return phrase_query(n->field, n->parts, n->nparts, out, err);
    case N_WILDCARD: {
        char term[TERM_BUF];
        size_t len = make_term(term, n->field, "", n->parts[0].folded);
        if (xs_query_wildcard(term, len, PDX_QUERY_WILDCARD_MAX, out, &xe) != 0) {
            snprintf(err->message, sizeof err->message, "%s", xe.message);
            return -1;
        }
        return 0;
    }
    case N_FILTER: {
        struct xs_query **subs = calloc(n->filter.n, sizeof *subs);
        if (!subs) {
            snprintf(err->message, sizeof err->message, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < n->filter.n; i++) {
            const char *t = n->filter.terms[i];
            /* A path prefix names a directory: all of its documents, however many (a
             * filter: the terms' count costs time, not ranking). */
            int rc = n->filter.prefix_match ? xs_query_wildcard(t, strlen(t), 0, &subs[i], &xe)
                                            : xs_query_term(t, strlen(t), 1, &subs[i], &xe);
            if (rc != 0) {
                snprintf(err->message, sizeof err->message, "%s", xe.message);
                for (size_t j = 0; j < i; j++)
                    xs_query_free(subs[j]);
                free(subs);
                return -1;
            }
        }
        int rc = combine(XS_OP_OR, subs, n->filter.n, 0, out, err);
        free(subs);
        return rc;
    }
    case N_ALL:
        if (xs_query_match_all(out, &xe) != 0) {
            snprintf(err->message, sizeof err->message, "%s", xe.message);
            return -1;
        }
        return 0;
    case N_NEAR: {
        struct xs_query **subs = calloc(n->nkids, sizeof *subs);
        if (!subs) {
            snprintf(err->message, sizeof err->message, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < n->nkids; i++) {
            /* NEAR needs positions: each side by its folded form. */
            const struct node *k = n->kids[i];
            if (term_query(k->field, "", k->parts[k->nparts - 1].folded, &subs[i], err) != 0) {
                for (size_t j = 0; j < i; j++)
                    xs_query_free(subs[j]);
                free(subs);
                return -1;
            }
        }
        int rc = combine(XS_OP_NEAR, subs, n->nkids, n->window + 1, out, err);
        free(subs);
        return rc;
    }
    default: {
        int op = n->kind == N_AND        ? XS_OP_AND
                 : n->kind == N_OR       ? XS_OP_OR
                 : n->kind == N_FILTERED ? XS_OP_FILTER
                                         : XS_OP_AND_NOT;
        struct xs_query **subs = calloc(n->nkids, sizeof *subs);
        if (!subs) {
            snprintf(err->message, sizeof err->message, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < n->nkids; i++) {
            if (build(n->kids[i], &subs[i], err) != 0) {
                for (size_t j = 0; j < i; j++)
                    xs_query_free(subs[j]);
                free(subs);
                return -1;
            }
        }
        int rc = combine(op, subs, n->nkids, 0, out, err);
        free(subs);
        return rc;
    }
    }
}

int pdx_query_build(const struct pdx_query *q, struct xs_query **out, struct pdx_query_error *err)
{
    memset(err, 0, sizeof *err);
    *out = NULL;
    return build(q->root, out, err);
}

/* ---- matching tokens ------------------------------------------------------------ */

int pdx_query_match_token(const struct pdx_query *q, const struct pdx_token *tok)
{
    if (tok->flags & PDX_TOK_JOINED)
        return -1; /* its parts are highlighted instead */
    for (size_t i = 0; i < q->nwords; i++) {
        const struct hl_word *w = &q->words[i];
        size_t fl = strlen(w->folded);
        switch (w->match) {
        case HL_PREFIX:
            if (tok->folded_len >= fl && memcmp(tok->folded, w->folded, fl) == 0)
                return (int)i;
            break;
        case HL_STEM:
            if (tok->stem != NULL && tok->stem_len == strlen(w->stem) &&
                memcmp(tok->stem, w->stem, tok->stem_len) == 0)
                return (int)i;
            break;
        default:
            break;
        }
        /* The exact folded form matches whatever the kind. */
        if (w->match != HL_PREFIX && tok->folded_len == fl &&
            memcmp(tok->folded, w->folded, fl) == 0)
            return (int)i;
    }
    return -1;
}

void pdx_query_stem_first_bytes(const struct pdx_query *q, unsigned char first[256])
{
    memset(first, 0, 256);
    for (size_t i = 0; i < q->nwords; i++)
        if (q->words[i].match == HL_STEM)
            first[(unsigned char)q->words[i].stem[0]] = 1;
}

void pdx_query_report_filter(const struct pdx_query *q, struct pdx_report_filter *f)
{
    pdx_report_filter_init(f, 0);
    for (size_t i = 0; i < q->nwords; i++) {
        const struct hl_word *w = &q->words[i];
        /* Matched by its folded form (a prefix of it for HL_PREFIX)... */
        pdx_report_filter_add_form(f, w->folded, strlen(w->folded));
        /* ...or by its stem. */
        if (w->match == HL_STEM)
            pdx_report_filter_add_stem(f, w->stem, strlen(w->stem));
    }
}

size_t pdx_query_unknown_names(const struct pdx_query *q)
{
    return q->unknown_names;
}

size_t pdx_query_word_count(const struct pdx_query *q)
{
    return q->nwords;
}

/* ---- explaining ----------------------------------------------------------------- */

struct sink {
    char *buf;
    size_t cap, len;
};

static void put(struct sink *s, const char *fmt, ...)
{
    if (s->len + 1 >= s->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        s->len = s->len + (size_t)n < s->cap ? s->len + (size_t)n : s->cap - 1;
}

static void explain_node(const struct node *n, int depth, struct sink *s)
{
    static const char *names[] = {"word",    "phrase", "prefix",        "AND",    "OR",
                                  "AND NOT", "NEAR",   "all documents", "filter", "FILTER BY"};
    static const char *fields[] = {"", "institution", "pillar", "date", "path"};
    put(s, "%*s%s", depth * 2, "", names[n->kind]);
    if (n->kind == N_FILTER)
        put(s, " %s: %s", fields[n->filter_field], n->filter.resolved);
    if (n->field == F_TITLE)
        put(s, " in title");
    if (n->kind == N_NEAR)
        put(s, " (within %u words)", n->window);
    if (n->kind == N_WORD || n->kind == N_PHRASE || n->kind == N_WILDCARD) {
        put(s, ":");
        for (size_t i = 0; i < n->nparts; i++) {
            const struct form *f = &n->parts[i];
            if (n->kind == N_WORD && n->nparts == 1 && !f->stopword && n->field != F_TITLE)
                put(s, " %s (stem %s)", f->folded, f->stem);
            else
                put(s, " %s%s", f->folded, f->stopword ? " (stop word)" : "");
        }
        if (n->joined)
            put(s, " | joined %s (stem %s)", n->joined->folded, n->joined->stem);
        if (n->expand_id)
            put(s, " | or institution %s", n->expand_id);
        if (n->exact)
            put(s, " | exactly '%s'", n->parts[0].accented);
        if (n->kind == N_WILDCARD)
            put(s, "*");
    }
    put(s, "\n");
    for (size_t i = 0; i < n->nkids; i++)
        explain_node(n->kids[i], depth + 1, s);
}

void pdx_query_explain(const struct pdx_query *q, char *buf, size_t buf_len)
{
    struct sink s = {buf, buf_len, 0};
    if (buf_len == 0)
        return;
    buf[0] = '\0';
    explain_node(q->root, 0, &s);
}

static int has_filter_term(const struct node *n, const char *term)
{
    if (n->kind == N_FILTER)
        for (size_t i = 0; i < n->filter.n; i++)
            if (strcmp(n->filter.terms[i], term) == 0)
                return 1;
    /* Under AND NOT only the first branch is positive. */
    size_t kids = n->kind == N_AND_NOT ? 1 : n->nkids;
    for (size_t i = 0; i < kids; i++)
        if (has_filter_term(n->kids[i], term))
            return 1;
    return 0;
}

int pdx_query_filters_on(const struct pdx_query *q, const char *term)
{
    return has_filter_term(q->root, term);
}

static void each_word(const struct node *n, pdx_query_word_fn fn, void *ctx)
{
    if (n->kind == N_WORD && n->nparts == 1 && !n->joined && n->field == F_BODY &&
        !n->parts[0].stopword)
        fn(ctx, n->word_start, n->word_len, n->parts[0].folded, n->parts[0].stem);
    size_t kids = n->kind == N_AND_NOT ? 1 : n->nkids;
    for (size_t i = 0; i < kids; i++)
        each_word(n->kids[i], fn, ctx);
}

void pdx_query_each_word(const struct pdx_query *q, pdx_query_word_fn fn, void *ctx)
{
    each_word(q->root, fn, ctx);
}
