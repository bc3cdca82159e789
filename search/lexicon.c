/*
 * lexicon.c — institution names and acronyms read back from the index.
 */
#include "pdx_lexicon.h"

#include <stdlib.h>
#include <string.h>

#include "pdx_schema.h"

#define KEY_MAX 256

struct entry {
    int kind;  /* PDX_LEXICON_* */
    char *key; /* folded words joined by spaces */
    char *id;
};

struct pdx_lexicon {
    struct pdx_analyzer *a;
    struct entry *e;
    size_t n, cap;
    int failed;
    int loading; /* the kind being loaded */
};

struct keybuf {
    char s[KEY_MAX];
    size_t len;
};

static int key_token(void *vctx, const struct pdx_token *tok)
{
    struct keybuf *k = vctx;
    /* « l’OMS » is OMS: elided articles are not part of a name's key, on either side. */
    if (tok->flags & (PDX_TOK_JOINED | PDX_TOK_ELISION))
        return 0;
    if (k->len + 1 + tok->folded_len >= sizeof k->s)
        return 1; /* too long to be a name worth matching */
    if (k->len)
        k->s[k->len++] = ' ';
    memcpy(k->s + k->len, tok->folded, tok->folded_len);
    k->len += tok->folded_len;
    k->s[k->len] = '\0';
    return 0;
}

/* Folds `text` into a key; returns its length, or 0 when empty or too long. */
static size_t make_key(struct pdx_analyzer *a, const char *text, size_t len, struct keybuf *k)
{
    k->len = 0;
    k->s[0] = '\0';
    if (pdx_analyze(a, text, len, 1, key_token, k) != 0)
        return 0;
    return k->len;
}

static int add(struct pdx_lexicon *lx, const char *text, size_t len, const char *id, size_t idlen)
{
    struct keybuf k;
    if (len == 0 || make_key(lx->a, text, len, &k) == 0)
        return 0;
    if (lx->n == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 64;
        struct entry *e = realloc(lx->e, cap * sizeof *e);
        if (!e)
            return -1;
        lx->e = e;
        lx->cap = cap;
    }
    lx->e[lx->n].kind = lx->loading;
    lx->e[lx->n].key = strndup(k.s, k.len);
    lx->e[lx->n].id = strndup(id, idlen);
    if (!lx->e[lx->n].key || !lx->e[lx->n].id) {
        free(lx->e[lx->n].key);
        free(lx->e[lx->n].id);
        return -1;
    }
    lx->n++;
    return 0;
}

/* "XN" id TAB name [TAB acronym], "XL" id TAB label */
static int on_name(void *vctx, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    struct pdx_lexicon *lx = vctx;
    size_t pl = 2; /* both prefixes, XN and XL, have two letters */
    const char *id = term + pl, *end = term + len;
    const char *tab = memchr(id, '\t', (size_t)(end - id));
    if (!tab)
        return 0;
    const char *name = tab + 1;
    const char *tab2 = memchr(name, '\t', (size_t)(end - name));
    const char *name_end = tab2 ? tab2 : end;
    if (add(lx, name, (size_t)(name_end - name), id, (size_t)(tab - id)) != 0 ||
        (tab2 && add(lx, tab2 + 1, (size_t)(end - tab2 - 1), id, (size_t)(tab - id)) != 0)) {
        lx->failed = 1;
        return 1;
    }
    return 0;
}

static int by_key(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->key, y->key);
}

struct pdx_lexicon *pdx_lexicon_load(struct pdx_analyzer *a, struct xs_db *db, struct xs_error *err)
{
    struct pdx_lexicon *lx = calloc(1, sizeof *lx);
    if (!lx) {
        err->code = XS_E_NOMEM;
        memcpy(err->message, "out of memory", sizeof "out of memory");
        return NULL;
    }
    lx->a = a;
    static const char *const prefixes[] = {PDX_PREFIX_INSTITUTION_NAME, PDX_PREFIX_PILLAR_LABEL};
    for (int kind = 0; kind < 2; kind++) {
        lx->loading = kind;
        if (xs_db_terms(db, prefixes[kind], strlen(prefixes[kind]), on_name, lx, err) != 0) {
            pdx_lexicon_free(lx);
            return NULL;
        }
    }
    if (lx->failed) {
        err->code = XS_E_NOMEM;
        memcpy(err->message, "out of memory", sizeof "out of memory");
        pdx_lexicon_free(lx);
        return NULL;
    }
    if (lx->n)
        qsort(lx->e, lx->n, sizeof *lx->e, by_key);
    return lx;
}

void pdx_lexicon_free(struct pdx_lexicon *lx)
{
    if (!lx)
        return;
    for (size_t i = 0; i < lx->n; i++) {
        free(lx->e[i].key);
        free(lx->e[i].id);
    }
    free(lx->e);
    free(lx);
}

const char *pdx_lexicon_find(const struct pdx_lexicon *lx, struct pdx_analyzer *a, int kind,
                             const char *text, size_t len)
{
    struct keybuf k;
    if (!lx || lx->n == 0 || make_key(a, text, len, &k) == 0)
        return NULL;
    struct entry want = {.kind = kind, .key = k.s};
    const struct entry *e = bsearch(&want, lx->e, lx->n, sizeof *lx->e, by_key);
    return e ? e->id : NULL;
}
