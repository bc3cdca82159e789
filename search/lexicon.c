/*
 * lexicon.c — institution names, acronyms and pillar labels looked up in the index.
 *
 * Each lookup is one B-tree seek on an XK term (see pdx_schema.h): nothing is loaded
 * up front, so the cost of a search does not grow with the number of institutions the
 * corpus names.
 */
#include "pdx_lexicon.h"

#include <stdlib.h>
#include <string.h>

#include "pdx_docbuild.h"
#include "pdx_schema.h"

struct pdx_lexicon {
    struct xs_db *db;
};

struct pdx_lexicon *pdx_lexicon_load(struct pdx_analyzer *a, struct xs_db *db, struct xs_error *err)
{
    (void)a;
    struct pdx_lexicon *lx = calloc(1, sizeof *lx);
    if (!lx) {
        err->code = XS_E_NOMEM;
        memcpy(err->message, "out of memory", sizeof "out of memory");
        return NULL;
    }
    lx->db = db;
    return lx;
}

void pdx_lexicon_free(struct pdx_lexicon *lx)
{
    free(lx);
}

struct first {
    size_t prefix_len;
    char *out;
    size_t out_len;
    int found;
};

/* The first XK term with the key: its id follows the tab. */
static int take_first(void *vctx, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    struct first *f = vctx;
    size_t idlen = len - f->prefix_len;
    if (idlen == 0 || idlen >= f->out_len)
        return 1;
    memcpy(f->out, term + f->prefix_len, idlen);
    f->out[idlen] = '\0';
    f->found = 1;
    return 1;
}

int pdx_lexicon_find(const struct pdx_lexicon *lx, struct pdx_analyzer *a, int kind,
                     const char *text, size_t len, char *id, size_t id_len)
{
    char prefix[PDX_IDTERM_MAX + 1];
    size_t pl = sizeof PDX_PREFIX_NAME_KEY - 1;
    if (!lx)
        return 0;
    memcpy(prefix, PDX_PREFIX_NAME_KEY, pl);
    prefix[pl++] = kind == PDX_LEXICON_PILLAR ? PDX_NAME_KEY_PILLAR : PDX_NAME_KEY_INSTITUTION;
    size_t kl = pdx_name_key(a, text, len, prefix + pl, sizeof prefix - pl - 1);
    if (kl == 0)
        return 0;
    struct xs_error err;
    uint32_t docs = 0;
    if (xs_db_termfreq(lx->db, prefix, pl + kl, &docs, &err) != 0 || docs == 0)
        return 0; /* most words of a query name nothing: known in one exact lookup */
    prefix[pl + kl] = '\t';
    struct first f = {pl + kl + 1, id, id_len, 0};
    if (xs_db_terms(lx->db, prefix, pl + kl + 1, take_first, &f, &err) != 0)
        return 0;
    return f.found;
}
