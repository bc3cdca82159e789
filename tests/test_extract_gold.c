/*
 * test_extract_gold.c — scores the extractors against the hand annotation of the seed
 * documents (tests/gold/NAME.tsv for corpus/NAME.txt).
 *
 * A prediction matches a gold mention of the same kind when their spans overlap (each
 * gold mention matched at most once, preferring one with the same value); the value
 * score also requires the same TIMEX3 value (dates) or id (institutions, pillars).
 * Precision, recall and F1 are printed and held to the targets of issue 3. Run from
 * the repository root (as `make test` does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_extract.h"

#define MAX_GOLD 512
#define MAX_TEXT (1 << 20)

enum { DATE, INST, PILLAR, KINDS };
static const char *const kind_names[KINDS] = {"date", "institution", "pillar"};

struct gold {
    int kind;
    size_t start, end;
    char value[96];
};

struct counts {
    size_t tp, tp_value, predicted, gold;
};

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(MAX_TEXT);
    size_t n = buf ? fread(buf, 1, MAX_TEXT - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* Parses a gold file; checks that each line's text is what the document holds there. */
static size_t load_gold(const char *path, const char *doc, size_t doc_len, struct gold *g)
{
    size_t len, n = 0;
    char *data = read_all(path, &len);
    assert_non_null(data);
    char *p = data;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*p != '#' && *p) {
            char *f[5];
            int nf = 0;
            for (char *q = p; nf < 5; nf++) {
                f[nf] = q;
                char *tab = strchr(q, '\t');
                if (!tab) {
                    nf++;
                    break;
                }
                *tab = '\0';
                q = tab + 1;
            }
            assert_int_equal(nf, 5);
            assert_true(n < MAX_GOLD);
            g[n].kind = strcmp(f[0], "date") == 0          ? DATE
                        : strcmp(f[0], "institution") == 0 ? INST
                                                           : PILLAR;
            g[n].start = strtoul(f[1], NULL, 10);
            g[n].end = strtoul(f[2], NULL, 10);
            snprintf(g[n].value, sizeof g[n].value, "%s", f[3]);
            assert_true(g[n].end <= doc_len && g[n].start < g[n].end);
            if (strlen(f[4]) != g[n].end - g[n].start ||
                memcmp(doc + g[n].start, f[4], g[n].end - g[n].start) != 0)
                fail_msg("%s: '%s' is not at %zu", path, f[4], g[n].start);
            n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    free(data);
    return n;
}

static void score(int kind, const struct gold *g, size_t ng, size_t n, const size_t *s,
                  const size_t *e, const char *const *v, struct counts *c)
{
    char used[MAX_GOLD] = {0};
    for (size_t i = 0; i < ng; i++)
        c->gold += g[i].kind == kind;
    for (size_t i = 0; i < n; i++) {
        long best = -1;
        c->predicted++;
        for (size_t j = 0; j < ng; j++) {
            if (g[j].kind != kind || used[j] || !(s[i] < g[j].end && g[j].start < e[i]))
                continue;
            if (best < 0)
                best = (long)j;
            if (strcmp(g[j].value, v[i]) == 0) {
                best = (long)j;
                break;
            }
        }
        if (best >= 0) {
            used[best] = 1;
            c->tp++;
            c->tp_value += strcmp(g[best].value, v[i]) == 0;
        }
    }
}

static double f1(size_t tp, size_t predicted, size_t gold)
{
    double p = predicted ? (double)tp / (double)predicted : 0;
    double r = gold ? (double)tp / (double)gold : 0;
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static void test_gold_seed_documents_meet_targets(void **state)
{
    struct counts c[KINDS] = {{0}};
    struct gold *g = calloc(MAX_GOLD, sizeof *g);
    DIR *d = opendir("tests/gold");
    struct dirent *de;
    size_t docs = 0;
    (void)state;
    assert_non_null(g);
    assert_non_null(d);
    struct pdx_extractor *ex = pdx_extractor_new(NULL, NULL, NULL, 0);
    assert_non_null(ex);
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".tsv") != 0)
            continue;
        char gpath[512], dpath[512];
        snprintf(gpath, sizeof gpath, "tests/gold/%s", de->d_name);
        snprintf(dpath, sizeof dpath, "corpus/%.*s.txt", (int)(nl - 4), de->d_name);
        size_t len;
        char *doc = read_all(dpath, &len);
        assert_non_null(doc);
        size_t ng = load_gold(gpath, doc, len, g);
        struct pdx_extraction x = {0};
        assert_int_equal(pdx_extract(ex, doc, len, NULL, PDX_EXTRACT_ALL, &x), 0);
        size_t n = x.n_dates + x.n_institutions + x.n_pillars;
        size_t *s = calloc(n + 1, sizeof *s), *e = calloc(n + 1, sizeof *e);
        const char **v = calloc(n + 1, sizeof *v);
        assert_true(s && e && v);
        for (size_t i = 0; i < x.n_dates; i++)
            s[i] = x.dates[i].start, e[i] = x.dates[i].end, v[i] = x.dates[i].value;
        score(DATE, g, ng, x.n_dates, s, e, v, &c[DATE]);
        for (size_t i = 0; i < x.n_institutions; i++)
            s[i] = x.institutions[i].start, e[i] = x.institutions[i].end,
            v[i] = x.institutions[i].id;
        score(INST, g, ng, x.n_institutions, s, e, v, &c[INST]);
        for (size_t i = 0; i < x.n_pillars; i++)
            s[i] = x.pillars[i].start, e[i] = x.pillars[i].end, v[i] = x.pillars[i].id;
        score(PILLAR, g, ng, x.n_pillars, s, e, v, &c[PILLAR]);
        free(s);
        free(e);
        free(v);
        pdx_extraction_free(&x);
        free(doc);
        docs++;
    }
    closedir(d);
    pdx_extractor_free(ex);
    free(g);
    assert_int_equal(docs, 5);
    double f[KINDS], fv[KINDS];
    for (int k = 0; k < KINDS; k++) {
        f[k] = f1(c[k].tp, c[k].predicted, c[k].gold);
        fv[k] = f1(c[k].tp_value, c[k].predicted, c[k].gold);
        printf("gold %-11s P=%.3f R=%.3f F1=%.3f  value F1=%.3f  (%zu predicted, %zu gold)\n",
               kind_names[k], c[k].predicted ? (double)c[k].tp / (double)c[k].predicted : 0,
               c[k].gold ? (double)c[k].tp / (double)c[k].gold : 0, f[k], fv[k], c[k].predicted,
               c[k].gold);
    }
    assert_true(f[DATE] >= 0.90);
    assert_true(fv[DATE] >= 0.85);
    assert_true(f[INST] >= 0.85);
    assert_true(f[PILLAR] >= 0.90);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gold_seed_documents_meet_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
