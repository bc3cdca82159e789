/*
 * test_analyzer.c — pdx_analyze, pdx_fold, pdx_stem, pdx_lower, pdx_is_stopword.
 * The sentences of the tables come from the seed documents in corpus/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pdx_analyzer.h"

#define MAX_TOKENS 128
#define WORD_MAX (2 * PDX_TERM_MAX + 1)

#define F_N PDX_TOK_NUMBER
#define F_S PDX_TOK_STOPWORD
#define F_E PDX_TOK_ELISION
#define F_J PDX_TOK_JOINED
#define F_A PDX_TOK_ACRONYM

/* A token as received, with its borrowed strings copied. */
struct got_token {
    size_t start, end;
    uint32_t pos;
    unsigned flags;
    char folded[WORD_MAX];
    char stem[WORD_MAX];
};

/* A token stream written out as text, a line a token, to compare two analyses. */
struct stream {
    char *buf;
    size_t len, cap;
};

struct fixture {
    struct pdx_analyzer *a;
    const char *text;
    size_t len;
    struct got_token toks[MAX_TOKENS];
    size_t n;
    size_t overflow;
    struct pdx_analyzer *icu; /* ICU only (setup_with_icu), to compare the two paths */
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    char err[256] = "";
    if (f == NULL)
        return -1;
    f->a = pdx_analyzer_new(err, sizeof err);
    if (f->a == NULL) {
        print_error("pdx_analyzer_new: %s\n", err);
        test_free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* setup, plus an analyzer that sends every text through ICU's break iterator. */
static int setup_with_icu(void **state)
{
    if (setup(state) != 0)
        return -1;
    struct fixture *f = *state;
    f->icu = pdx_analyzer_new(NULL, 0);
    if (f->icu == NULL)
        return -1;
    pdx_analyzer_icu_only(f->icu, 1);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pdx_analyzer_free(f->a);
    pdx_analyzer_free(f->icu);
    test_free(f);
    return 0;
}

static void copy_str(char *dst, const char *src, size_t n)
{
    assert_true(n < WORD_MAX);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int collect(void *ctx, const struct pdx_token *t)
{
    struct fixture *f = ctx;
    if (f->n == MAX_TOKENS) {
        f->overflow++;
        return 0;
    }
    struct got_token *g = &f->toks[f->n++];
    g->start = t->start;
    g->end = t->end;
    g->pos = t->pos;
    g->flags = t->flags;
    copy_str(g->folded, t->folded, t->folded_len);
    copy_str(g->stem, t->stem, t->stem_len);
    return 0;
}

static int analyze(struct fixture *f, const char *text, uint32_t first_pos)
{
    f->text = text;
    f->len = strlen(text);
    f->n = 0;
    f->overflow = 0;
    return pdx_analyze(f->a, text, f->len, first_pos, collect, f);
}

/* ---- table of real sentences -------------------------------------------------------- */

struct want_token {
    const char *surface; /* text[start, end) */
    const char *folded;
    const char *stem; /* NULL: not checked */
    uint32_t pos;
    unsigned flags;
};

struct sentence_case {
    const char *text;
    struct want_token toks[24]; /* ends at surface == NULL */
};

static const struct sentence_case cases[] = {
    /* 004 */
    {"L\xe2\x80\x99"
     "AP-HP occupe une place de premier plan dans la coop\xc3\xa9ration",
     {{"L", "l", "l", 1, F_E | F_S},
      {"AP", "ap", NULL, 2, F_A},
      {"HP", "hp", NULL, 3, F_A},
      {"AP-HP", "aphp", "aphp", 2, F_J | F_A},
      {"occupe", "occupe", "occup", 4, 0},
      {"une", "une", NULL, 5, F_S},
      {"place", "place", NULL, 6, 0},
      {"de", "de", NULL, 7, F_S},
      {"premier", "premier", NULL, 8, 0},
      {"plan", "plan", NULL, 9, 0},
      {"dans", "dans", NULL, 10, F_S},
      {"la", "la", NULL, 11, F_S},
      {"coop\xc3\xa9ration", "cooperation", "cooper", 12, 0}}},
    /* 000, with ASCII apostrophes */
    {"une d\xc3\xa9"
     "claration d'intention, visant \xc3\xa0 adh\xc3\xa9rer \xc3\xa0 la Coalition mondiale",
     {{"une", "une", NULL, 1, F_S},
      {"d\xc3\xa9"
       "claration",
       "declaration", "declar", 2, 0},
      {"d", "d", "d", 3, F_E | F_S},
      {"intention", "intention", "intent", 4, 0},
      {"visant", "visant", NULL, 5, 0},
      {"\xc3\xa0", "a", NULL, 6, F_S},
      {"adh\xc3\xa9rer", "adherer", NULL, 7, 0},
      {"\xc3\xa0", "a", NULL, 8, F_S},
      {"la", "la", NULL, 9, F_S},
      {"Coalition", "coalition", NULL, 10, 0},
      {"mondiale", "mondiale", NULL, 11, 0}}},
    /* 001, with typographic apostrophes */
    {"signature d\xe2\x80\x99une d\xc3\xa9"
     "claration d\xe2\x80\x99intention de coop\xc3\xa9ration en sant\xc3\xa9",
     {{"signature", "signature", NULL, 1, 0},
      {"d", "d", NULL, 2, F_E | F_S},
      {"une", "une", NULL, 3, F_S},
      {"d\xc3\xa9"
       "claration",
       "declaration", "declar", 4, 0},
      {"d", "d", NULL, 5, F_E | F_S},
      {"intention", "intention", "intent", 6, 0},
      {"de", "de", NULL, 7, F_S},
      {"coop\xc3\xa9ration", "cooperation", "cooper", 8, 0},
      {"en", "en", NULL, 9, F_S},
      {"sant\xc3\xa9", "sante", "sant", 10, 0}}},
    /* 004 */
    {"la visite d\xe2\x80\x99une d\xc3\xa9l\xc3\xa9gation kazakhe \xc3\xa0 l\xe2\x80\x99H\xc3\xb4"
     "pital europ\xc3\xa9"
     "en Georges-Pompidou (HEGP) et l\xe2\x80\x99h\xc3\xb4pital Cochin \xe2\x80\x93 Port-Royal.",
     {{"la", "la", NULL, 1, F_S},
      {"visite", "visite", NULL, 2, 0},
      {"d", "d", NULL, 3, F_E | F_S},
      {"une", "une", NULL, 4, F_S},
      {"d\xc3\xa9l\xc3\xa9gation", "delegation", NULL, 5, 0},
      {"kazakhe", "kazakhe", NULL, 6, 0},
      {"\xc3\xa0", "a", NULL, 7, F_S},
      {"l", "l", NULL, 8, F_E | F_S},
      {"H\xc3\xb4pital", "hopital", "hopital", 9, 0},
      {"europ\xc3\xa9"
       "en",
       "europeen", "europeen", 10, 0},
      {"Georges", "georges", NULL, 11, 0},
      {"Pompidou", "pompidou", "pompidou", 12, 0},
      {"Georges-Pompidou", "georgespompidou", NULL, 11, F_J},
      {"HEGP", "hegp", "hegp", 13, F_A},
      {"et", "et", NULL, 14, F_S},
      {"l", "l", NULL, 15, F_E | F_S},
      {"h\xc3\xb4pital", "hopital", "hopital", 16, 0},
      {"Cochin", "cochin", "cochin", 17, 0},
      {"Port", "port", NULL, 18, 0},
      {"Royal", "royal", NULL, 19, 0},
      {"Port-Royal", "portroyal", NULL, 18, F_J}}},
    /* 000 */
    {"la mise en \xc5\x93uvre d\xe2\x80\x99une feuille de route d\xc3\xa9"
     "di\xc3\xa9"
     "e",
     {{"la", "la", NULL, 1, F_S},
      {"mise", "mise", NULL, 2, 0},
      {"en", "en", NULL, 3, F_S},
      {"\xc5\x93uvre", "oeuvre", "oeuvr", 4, 0},
      {"d", "d", NULL, 5, F_E | F_S},
      {"une", "une", NULL, 6, F_S},
      {"feuille", "feuille", NULL, 7, 0},
      {"de", "de", NULL, 8, F_S},
      {"route", "route", NULL, 9, 0},
      {"d\xc3\xa9"
       "di\xc3\xa9"
       "e",
       "dediee", NULL, 10, 0}}},
    /* 000: numbers joined by a hyphen give no joined token */
    {"la nouvelle strat\xc3\xa9gie de la France en sant\xc3\xa9 mondiale (2023-2027)",
     {{"la", "la", NULL, 1, F_S},
      {"nouvelle", "nouvelle", NULL, 2, 0},
      {"strat\xc3\xa9gie", "strategie", NULL, 3, 0},
      {"de", "de", NULL, 4, F_S},
      {"la", "la", NULL, 5, F_S},
      {"France", "france", "france", 6, 0},
      {"en", "en", NULL, 7, F_S},
      {"sant\xc3\xa9", "sante", "sant", 8, 0},
      {"mondiale", "mondiale", NULL, 9, 0},
      {"2023", "2023", "2023", 10, F_N},
      {"2027", "2027", "2027", 11, F_N}}},
    /* 002 */
    {"les autorit\xc3\xa9s kazakhstanaises ont sign\xc3\xa9 avec l\xe2\x80\x99OMS une "
     "Strat\xc3\xa9gie de coop\xc3\xa9ration pays (SCP)",
     {{"les", "les", NULL, 1, F_S},
      {"autorit\xc3\xa9s", "autorites", NULL, 2, 0},
      {"kazakhstanaises", "kazakhstanaises", NULL, 3, 0},
      {"ont", "ont", NULL, 4, F_S},
      {"sign\xc3\xa9", "signe", NULL, 5, 0},
      {"avec", "avec", NULL, 6, F_S},
      {"l", "l", NULL, 7, F_E | F_S},
      {"OMS", "oms", "oms", 8, F_A},
      {"une", "une", NULL, 9, F_S},
      {"Strat\xc3\xa9gie", "strategie", NULL, 10, 0},
      {"de", "de", NULL, 11, F_S},
      {"coop\xc3\xa9ration", "cooperation", "cooper", 12, 0},
      {"pays", "pays", NULL, 13, 0},
      {"SCP", "scp", "scp", 14, F_A}}},
    /* 000: aujourd'hui is no elision */
    {"La signature, aujourd'hui, de cette d\xc3\xa9"
     "claration",
     {{"La", "la", NULL, 1, F_S},
      {"signature", "signature", NULL, 2, 0},
      {"aujourd'hui", "aujourdhui", NULL, 3, 0},
      {"de", "de", NULL, 4, F_S},
      {"cette", "cette", NULL, 5, F_S},
      {"d\xc3\xa9"
       "claration",
       "declaration", NULL, 6, 0}}},
    /* 002 */
    {"Aujourd\xe2\x80\x99hui, les maladies comme le diab\xc3\xa8te",
     {{"Aujourd\xe2\x80\x99hui", "aujourdhui", NULL, 1, 0},
      {"les", "les", NULL, 2, F_S},
      {"maladies", "maladies", NULL, 3, 0},
      {"comme", "comme", NULL, 4, F_S},
      {"le", "le", NULL, 5, F_S},
      {"diab\xc3\xa8te", "diabete", NULL, 6, 0}}},
    /* 003 */
    {"puisqu\xe2\x80\x99"
     "elle marquait le cinqui\xc3\xa8me anniversaire du Partenariat qui a commenc\xc3\xa9",
     {{"puisqu", "puisqu", NULL, 1, F_E | F_S},
      {"elle", "elle", NULL, 2, F_S},
      {"marquait", "marquait", NULL, 3, 0},
      {"le", "le", NULL, 4, F_S},
      {"cinqui\xc3\xa8me", "cinquieme", NULL, 5, 0},
      {"anniversaire", "anniversaire", NULL, 6, 0},
      {"du", "du", NULL, 7, F_S},
      {"Partenariat", "partenariat", NULL, 8, 0},
      {"qui", "qui", NULL, 9, F_S},
      {"a", "a", NULL, 10, F_S},
      {"commenc\xc3\xa9", "commence", NULL, 11, 0}}},
    /* 001 */
    {"des besoins urgents de la population jusqu\xe2\x80\x99"
     "au renforcement de la pr\xc3\xa9vention",
     {{"des", "des", NULL, 1, F_S},
      {"besoins", "besoins", NULL, 2, 0},
      {"urgents", "urgents", NULL, 3, 0},
      {"de", "de", NULL, 4, F_S},
      {"la", "la", NULL, 5, F_S},
      {"population", "population", NULL, 6, 0},
      {"jusqu", "jusqu", NULL, 7, F_E | F_S},
      {"au", "au", NULL, 8, F_S},
      {"renforcement", "renforcement", NULL, 9, 0},
      {"de", "de", NULL, 10, F_S},
      {"la", "la", NULL, 11, F_S},
      {"pr\xc3\xa9vention", "prevention", NULL, 12, 0}}},
    /* 003 */
    {"est devenu ce qu\xe2\x80\x99il est aujourd\xe2\x80\x99hui.",
     {{"est", "est", NULL, 1, F_S},
      {"devenu", "devenu", NULL, 2, 0},
      {"ce", "ce", NULL, 3, F_S},
      {"qu", "qu", "qu", 4, F_E | F_S},
      {"il", "il", NULL, 5, F_S},
      {"est", "est", NULL, 6, F_S},
      {"aujourd\xe2\x80\x99hui", "aujourdhui", NULL, 7, 0}}},
    /* edge cases: other elisions, any case, both apostrophes; a trailing one */
    {"Lorsqu\xe2\x80\x99on s'est engag\xc3\xa9, quoiqu'il arrive, jusqu\xe2\x80\x99\xc3\xa0 "
     "QU'IL l\xe2\x80\x99 \xc2\xab OMS \xc2\xbb",
     {{"Lorsqu", "lorsqu", NULL, 1, F_E | F_S},
      {"on", "on", NULL, 2, F_S},
      {"s", "s", NULL, 3, F_E | F_S},
      {"est", "est", NULL, 4, F_S},
      {"engag\xc3\xa9", "engage", NULL, 5, 0},
      {"quoiqu", "quoiqu", NULL, 6, F_E | F_S},
      {"il", "il", NULL, 7, F_S},
      {"arrive", "arrive", NULL, 8, 0},
      {"jusqu", "jusqu", NULL, 9, F_E | F_S},
      {"\xc3\xa0", "a", NULL, 10, F_S},
      {"QU", "qu", NULL, 11, F_E | F_S},
      {"IL", "il", NULL, 12, F_S | F_A},
      {"l", "l", NULL, 13, F_S},
      {"OMS", "oms", "oms", 14, F_A}}},
    /* 000 */
    {"Emmanuel Macron et son homologue Kassym-Jomart Toka\xc3\xaf"
     "ev ont sign\xc3\xa9",
     {{"Emmanuel", "emmanuel", NULL, 1, 0},
      {"Macron", "macron", NULL, 2, 0},
      {"et", "et", NULL, 3, F_S},
      {"son", "son", NULL, 4, F_S},
      {"homologue", "homologue", NULL, 5, 0},
      {"Kassym", "kassym", NULL, 6, 0},
      {"Jomart", "jomart", NULL, 7, 0},
      {"Kassym-Jomart", "kassymjomart", NULL, 6, F_J},
      {"Toka\xc3\xaf"
       "ev",
       "tokaiev", NULL, 8, 0},
      {"ont", "ont", NULL, 9, F_S},
      {"sign\xc3\xa9", "signe", NULL, 10, 0}}},
    /* 001 */
    {"Relation bilat\xc3\xa9rale France-Kazakhstan : signature",
     {{"Relation", "relation", NULL, 1, 0},
      {"bilat\xc3\xa9rale", "bilaterale", NULL, 2, 0},
      {"France", "france", "france", 3, 0},
      {"Kazakhstan", "kazakhstan", "kazakhstan", 4, 0},
      {"France-Kazakhstan", "francekazakhstan", NULL, 3, F_J},
      {"signature", "signature", NULL, 5, 0}}},
    /* 000 */
    {"la coop\xc3\xa9ration franco-kazakhstanaise en sant\xc3\xa9",
     {{"la", "la", NULL, 1, F_S},
      {"coop\xc3\xa9ration", "cooperation", NULL, 2, 0},
      {"franco", "franco", NULL, 3, 0},
      {"kazakhstanaise", "kazakhstanaise", NULL, 4, 0},
      {"franco-kazakhstanaise", "francokazakhstanaise", NULL, 3, F_J},
      {"en", "en", NULL, 5, F_S},
      {"sant\xc3\xa9", "sante", "sant", 6, 0}}},
    /* 003 */
    {"Bruxelles, 21-23 mars 2017",
     {{"Bruxelles", "bruxelles", "bruxelles", 1, 0},
      {"21", "21", "21", 2, F_N},
      {"23", "23", "23", 3, F_N},
      {"mars", "mars", NULL, 4, 0},
      {"2017", "2017", "2017", 5, F_N}}},
    /* 002: a word and a number joined */
    {"celle du covid-19. Le pays",
     {{"celle", "celle", NULL, 1, F_S},
      {"du", "du", NULL, 2, F_S},
      {"covid", "covid", "covid", 3, 0},
      {"19", "19", "19", 4, F_N},
      {"covid-19", "covid19", NULL, 3, F_J},
      {"Le", "le", NULL, 5, F_S},
      {"pays", "pays", NULL, 6, 0}}},
    /* 003: a number glued to a word is a part of its own; other mixes stay whole */
    {"le programme de la CSU2030 en mati\xc3\xa8re, C3Medical, H1N1, covid19",
     {{"le", "le", NULL, 1, F_S},
      {"programme", "programme", NULL, 2, 0},
      {"de", "de", NULL, 3, F_S},
      {"la", "la", NULL, 4, F_S},
      {"CSU", "csu", "csu", 5, F_A},
      {"2030", "2030", "2030", 6, F_N},
      {"CSU2030", "csu2030", NULL, 5, F_J | F_A},
      {"en", "en", NULL, 7, F_S},
      {"mati\xc3\xa8re", "matiere", NULL, 8, 0},
      {"C3Medical", "c3medical", NULL, 9, 0},
      {"H1N1", "h1n1", NULL, 10, F_A},
      {"covid", "covid", NULL, 11, 0},
      {"19", "19", NULL, 12, F_N},
      {"covid19", "covid19", NULL, 11, F_J}}},
    /* 002 */
    {"d\xe2\x80\x99ici \xc3\xa0 2030, un acc\xc3\xa8s \xc3\xa9quitable",
     {{"d", "d", NULL, 1, F_E | F_S},
      {"ici", "ici", NULL, 2, 0},
      {"\xc3\xa0", "a", NULL, 3, F_S},
      {"2030", "2030", "2030", 4, F_N},
      {"un", "un", NULL, 5, F_S},
      {"acc\xc3\xa8s", "acces", NULL, 6, 0},
      {"\xc3\xa9quitable", "equitable", NULL, 7, 0}}},
    /* 000 */
    {"la sant\xc3\xa9 reproductive \xc2\xbb (art.10).",
     {{"la", "la", NULL, 1, F_S},
      {"sant\xc3\xa9", "sante", "sant", 2, 0},
      {"reproductive", "reproductive", NULL, 3, 0},
      {"art", "art", NULL, 4, 0},
      {"10", "10", "10", 5, F_N}}},
    /* dotted acronym, decimal comma, ordinal */
    {"O.M.S. et 10,5 % des 1er",
     {{"O.M.S", "oms", "oms", 1, F_A},
      {"et", "et", NULL, 2, F_S},
      {"10,5", "10,5", "10,5", 3, F_N},
      {"des", "des", NULL, 4, F_S},
      {"1er", "1er", NULL, 5, 0}}},
    /* case and accents fold alike */
    {"SANT\xc3\x89, Sant\xc3\xa9, sant\xc3\xa9, sante, SANTE",
     {{"SANT\xc3\x89", "sante", "sant", 1, F_A},
      {"Sant\xc3\xa9", "sante", "sant", 2, 0},
      {"sant\xc3\xa9", "sante", "sant", 3, 0},
      {"sante", "sante", "sant", 4, 0},
      {"SANTE", "sante", "sant", 5, F_A}}},
    /* 004: a hyphen between spaces or before a space joins nothing */
    {"de l'AP-HP et du GHU AP-HP. Centre - Universit\xc3\xa9 Paris Cit\xc3\xa9- est venue",
     {{"de", "de", NULL, 1, F_S},
      {"l", "l", NULL, 2, F_E | F_S},
      {"AP", "ap", NULL, 3, F_A},
      {"HP", "hp", NULL, 4, F_A},
      {"AP-HP", "aphp", "aphp", 3, F_J | F_A},
      {"et", "et", NULL, 5, F_S},
      {"du", "du", NULL, 6, F_S},
      {"GHU", "ghu", "ghu", 7, F_A},
      {"AP", "ap", NULL, 8, F_A},
      {"HP", "hp", NULL, 9, F_A},
      {"AP-HP", "aphp", "aphp", 8, F_J | F_A},
      {"Centre", "centre", NULL, 10, 0},
      {"Universit\xc3\xa9", "universite", NULL, 11, 0},
      {"Paris", "paris", NULL, 12, 0},
      {"Cit\xc3\xa9", "cite", NULL, 13, 0},
      {"est", "est", NULL, 14, F_S},
      {"venue", "venue", NULL, 15, 0}}},
    /* 001 */
    {"partage de connaissances et de savoir-faire",
     {{"partage", "partage", NULL, 1, 0},
      {"de", "de", NULL, 2, F_S},
      {"connaissances", "connaissances", NULL, 3, 0},
      {"et", "et", NULL, 4, F_S},
      {"de", "de", NULL, 5, F_S},
      {"savoir", "savoir", NULL, 6, 0},
      {"faire", "faire", NULL, 7, 0},
      {"savoir-faire", "savoirfaire", NULL, 6, F_J}}},
    /* the hyphen U+2010 and the non-breaking hyphen U+2011 */
    {"Georges\xe2\x80\x90Pompidou, Georges\xe2\x80\x91Pompidou",
     {{"Georges", "georges", NULL, 1, 0},
      {"Pompidou", "pompidou", NULL, 2, 0},
      {"Georges\xe2\x80\x90Pompidou", "georgespompidou", NULL, 1, F_J},
      {"Georges", "georges", NULL, 3, 0},
      {"Pompidou", "pompidou", NULL, 4, 0},
      {"Georges\xe2\x80\x91Pompidou", "georgespompidou", NULL, 3, F_J}}},
    /* inner dots of a non-acronym split like hyphens; inclusive writing */
    {"www.sante.gouv.fr les citoyen\xc2\xb7ne\xc2\xb7s",
     {{"www", "www", NULL, 1, 0},
      {"sante", "sante", NULL, 2, 0},
      {"gouv", "gouv", NULL, 3, 0},
      {"fr", "fr", NULL, 4, 0},
      {"www.sante.gouv.fr", "wwwsantegouvfr", NULL, 1, F_J},
      {"les", "les", NULL, 5, F_S},
      {"citoyen\xc2\xb7ne\xc2\xb7s", "citoyennes", "citoyen", 6, 0}}},
    /* NFD input: the combining accent belongs to the word's span */
    {"sante\xcc\x81 publique",
     {{"sante\xcc\x81", "sante", "sant", 1, 0}, {"publique", "publique", NULL, 2, 0}}},
};

/* Fails with the case, the token and what differs. */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("case %zu (%s), token %zu (%s): " __VA_ARGS__);                               \
    } while (0)

static void check_case(struct fixture *f, const struct sentence_case *c, size_t ci)
{
    size_t want_n = 0;
    while (c->toks[want_n].surface != NULL)
        want_n++;
    assert_int_equal(analyze(f, c->text, 1), 0);
    assert_int_equal(f->overflow, 0);
    for (size_t i = 0; i < want_n || i < f->n; i++) {
        const char *ws = i < want_n ? c->toks[i].surface : "-";
        EXPECT(i < f->n, "missing", ci, c->text, i, ws);
        EXPECT(i < want_n, "unexpected token '%s'", ci, c->text, i, ws, f->toks[i].folded);
        const struct want_token *w = &c->toks[i];
        const struct got_token *g = &f->toks[i];
        size_t n = strlen(w->surface);
        EXPECT(g->start < g->end && g->end <= f->len, "span [%zu, %zu) out of the text", ci,
               c->text, i, ws, g->start, g->end);
        EXPECT(g->end - g->start == n && memcmp(f->text + g->start, w->surface, n) == 0,
               "span [%zu, %zu) is '%.*s'", ci, c->text, i, ws, g->start, g->end,
               (int)(g->end - g->start), f->text + g->start);
        EXPECT(strcmp(g->folded, w->folded) == 0, "folded '%s', want '%s'", ci, c->text, i, ws,
               g->folded, w->folded);
        EXPECT(w->stem == NULL || strcmp(g->stem, w->stem) == 0, "stem '%s', want '%s'", ci,
               c->text, i, ws, g->stem, w->stem ? w->stem : "");
        EXPECT(g->pos == w->pos, "pos %u, want %u", ci, c->text, i, ws, (unsigned)g->pos,
               (unsigned)w->pos);
        EXPECT(g->flags == w->flags, "flags %#x, want %#x", ci, c->text, i, ws, g->flags, w->flags);
    }
}

static void test_analyze_sentences(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(f, &cases[i], i);
}

/* ---- positions and spans over a whole paragraph ------------------------------------- */

static const char PARAGRAPH[] =
    "L\xe2\x80\x99"
    "AP-HP occupe une place de premier plan dans la coop\xc3\xa9ration en mati\xc3\xa8re de "
    "sant\xc3\xa9 suite \xc3\xa0 la signature, en 2023, d\xe2\x80\x99une d\xc3\xa9"
    "claration d\xe2\x80\x99intention entre la France et le Kazakhstan. Focus sur cet "
    "engagement institutionnel fort \xc3\xa0 partager expertises et savoir-faire \xc3\xa0 "
    "l\xe2\x80\x99occasion de la visite d\xe2\x80\x99une d\xc3\xa9l\xc3\xa9gation kazakhe "
    "\xc3\xa0 l\xe2\x80\x99H\xc3\xb4pital europ\xc3\xa9"
    "en Georges-Pompidou (HEGP) et l\xe2\x80\x99h\xc3\xb4pital Cochin \xe2\x80\x93 "
    "Port-Royal.\r\n";

static void test_analyze_positions_consecutive(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(analyze(f, PARAGRAPH, 10), 0);
    assert_int_equal(f->overflow, 0);
    assert_true(f->n > 40);
    uint32_t next = 10;
    size_t prev_end = 0;
    size_t joined = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct got_token *g = &f->toks[i];
        assert_true(g->start < g->end && g->end <= f->len);
        assert_true(strlen(g->folded) > 0 && strlen(g->stem) > 0);
        if (g->flags & PDX_TOK_JOINED) {
            /* Right after its last part, which ends where it ends; its position is
             * its first part's, which starts where it starts. */
            joined++;
            assert_true(i >= 2);
            assert_int_equal(f->toks[i - 1].end, g->end);
            size_t first = i - 1;
            while (first > 0 && f->toks[first].pos > g->pos)
                first--;
            assert_int_equal(f->toks[first].pos, g->pos);
            assert_int_equal(f->toks[first].start, g->start);
            continue;
        }
        assert_int_equal(g->pos, next);
        assert_true(g->start >= prev_end);
        next++;
        prev_end = g->end;
    }
    assert_int_equal(joined, 4); /* AP-HP, savoir-faire, Georges-Pompidou, Port-Royal */
}

/* ---- the text is cut into chunks: results must not depend on it --------------------- */

struct repeat_check {
    const struct got_token *ref;
    size_t ref_n;
    size_t unit_len;   /* bytes per repetition */
    uint32_t unit_pos; /* positions per repetition */
    size_t seen;
    size_t mismatches;
};

static int check_repeat(void *ctx, const struct pdx_token *t)
{
    struct repeat_check *r = ctx;
    size_t rep = r->seen / r->ref_n;
    const struct got_token *g = &r->ref[r->seen % r->ref_n];
    r->seen++;
    if (t->start != g->start + rep * r->unit_len || t->end != g->end + rep * r->unit_len ||
        t->pos != g->pos + rep * r->unit_pos || t->flags != g->flags ||
        t->folded_len != strlen(g->folded) || memcmp(t->folded, g->folded, t->folded_len) != 0 ||
        t->stem_len != strlen(g->stem) || memcmp(t->stem, g->stem, t->stem_len) != 0)
        r->mismatches++;
    return 0;
}

static void repeat_and_check(struct fixture *f, const char *unit)
{
    size_t unit_len = strlen(unit);
    assert_int_equal(analyze(f, unit, 1), 0);
    assert_int_equal(f->overflow, 0);
    uint32_t unit_pos = 0;
    for (size_t i = 0; i < f->n; i++)
        if (!(f->toks[i].flags & PDX_TOK_JOINED))
            unit_pos++;

    size_t reps = 3000; /* about 400 KB: several chunks */
    char *big = test_malloc(unit_len * reps);
    for (size_t i = 0; i < reps; i++)
        memcpy(big + i * unit_len, unit, unit_len);
    struct repeat_check r = {f->toks, f->n, unit_len, unit_pos, 0, 0};
    int rc = pdx_analyze(f->a, big, unit_len * reps, 1, check_repeat, &r);
    test_free(big);
    assert_int_equal(rc, 0);
    assert_int_equal(r.seen, f->n * reps);
    assert_int_equal(r.mismatches, 0);
}

static void test_analyze_long_text_lines(void **state)
{
    repeat_and_check(*state, "Le Kazakhstan et l\xe2\x80\x99OMS ont sign\xc3\xa9, ce lundi 7 "
                             "avril 2025, un partenariat \xc3\xa0 long terme avec l'AP-HP.\n");
}

static void test_analyze_long_text_one_line(void **state)
{
    repeat_and_check(*state, "Le Kazakhstan et l\xe2\x80\x99OMS ont sign\xc3\xa9, ce lundi 7 "
                             "avril 2025, un partenariat \xc3\xa0 long terme avec l'AP-HP. ");
}

struct stem_check {
    struct pdx_analyzer *a;
    size_t seen;
    size_t mismatches;
};

/* Each token's stem and stop-word flag against the uncached pdx_stem/pdx_is_stopword. */
static int check_stem(void *ctx, const struct pdx_token *t)
{
    struct stem_check *c = ctx;
    char stem[WORD_MAX];
    int n = pdx_stem(c->a, t->folded, t->folded_len, stem, sizeof stem);
    int stop = pdx_is_stopword(c->a, t->folded, t->folded_len) != 0;
    c->seen++;
    if (n < 0 || (size_t)n != t->stem_len || memcmp(stem, t->stem, t->stem_len) != 0 ||
        stop != ((t->flags & PDX_TOK_STOPWORD) != 0))
        c->mismatches++;
    return 0;
}

/* A vocabulary of 30000 distinct words makes the stem cache grow several times; read
 * twice, the second time from entries moved by the growth: every stem stays right. */
static void test_analyze_cache_growth_keeps_stems(void **state)
{
    struct fixture *f = *state;
    static const char *const heads[] = {"ma", "pe", "ri", "so", "tu",
                                        "la", "de", "vi", "co", "gra"};
    static const char *const ends[] = {"tions", "ement", "euses", "ique", "it\xc3\xa9",
                                       "aux",   "er",    "ons",   "le",   "s",
                                       "es",    "",      "ances", "if"};
    size_t nwords = 30000, cap = nwords * 24;
    char *text = test_malloc(cap);
    size_t len = 0;
    for (size_t i = 0; i < nwords; i++) {
        const char *e = ends[i % 14];
        size_t k = i / 14;
        len += (size_t)snprintf(text + len, cap - len, "%s%s%s%s%s %s ", heads[k % 10],
                                heads[k / 10 % 10], heads[k / 100 % 10], heads[k / 1000], e,
                                i % 7 ? "la" : "et");
    }
    /* And the same with a cache kept small, where words evict each other. */
    struct pdx_analyzer *small = pdx_analyzer_new(NULL, 0);
    if (small)
        pdx_analyzer_keep_cache_small(small);
    struct stem_check c = {f->a, 0, 0};
    int rc1 = pdx_analyze(f->a, text, len, 1, check_stem, &c);
    int rc2 = pdx_analyze(f->a, text, len, 1, check_stem, &c);
    int rc3 = small ? pdx_analyze(small, text, len, 1, check_stem, &c) : -1;
    pdx_analyzer_free(small);
    test_free(text);
    assert_int_equal(rc1, 0);
    assert_int_equal(rc2, 0);
    assert_int_equal(rc3, 0);
    assert_int_equal(c.seen, 3 * 2 * nwords);
    assert_int_equal(c.mismatches, 0);
}

/* pdx_analyzer_stem_only relies on Snowball French never changing a word's first byte,
 * pdx_report_filter_add_stem on its second byte staying too, but for y -> i: every
 * letter, alone and before another, with the suffixes its rules remove or rewrite. */
static void test_stem_keeps_first_bytes(void **state)
{
    struct fixture *f = *state;
    static const char *const sufs[] = {
        "",     "s",     "e",        "es",     "er",    "ez",     "a",     "ai",       "i",
        "ie",   "is",    "it",       "ir",     "ions",  "ons",    "ant",   "ent",      "aient",
        "era",  "erons", "irent",    "issant", "ement", "ements", "ment",  "amment",   "emment",
        "ance", "ence",  "ique",     "isme",   "able",  "iste",   "eux",   "euse",     "eaux",
        "aux",  "ation", "ateur",    "atrice", "logie", "usion",  "ution", "if",       "ive",
        "ier",  "ion",   "issement", "ite",    "ites",  "ee",     "ees",   "issements"};
    char word[16], stem[WORD_MAX];
    size_t checked = 0, changed = 0, second_changed = 0, y_to_i = 0;
    for (char c0 = 'a'; c0 <= 'z'; c0++) {
        for (char c1 = 'a' - 1; c1 <= 'z'; c1++) {
            for (size_t k = 0; k < sizeof sufs / sizeof sufs[0]; k++) {
                size_t n = 0;
                word[n++] = c0;
                if (c1 >= 'a')
                    word[n++] = c1;
                n += (size_t)snprintf(word + n, sizeof word - n, "%s", sufs[k]);
                int m = pdx_stem(f->a, word, n, stem, sizeof stem);
                checked++;
                if (m <= 0 || stem[0] != word[0])
                    changed++;
                if (m >= 2 && n >= 2 && stem[1] != word[1]) {
                    if (stem[1] == 'i' && word[1] == 'y')
                        y_to_i++;
                    else
                        second_changed++;
                }
            }
        }
    }
    assert_true(checked > 30000);
    assert_int_equal(changed, 0);
    assert_int_equal(second_changed, 0);
    assert_true(y_to_i > 0); /* « ayissement » -> « ai »: the exception is real */
}

struct stem_only_check {
    const struct got_token *all; /* the same text analysed with every word stemmed */
    size_t n, seen, unstemmed, wrong;
    const unsigned char *first;
};

static int check_stem_only(void *ctx, const struct pdx_token *t)
{
    struct stem_only_check *c = ctx;
    const struct got_token *g = &c->all[c->seen++];
    if (t->stem == NULL) {
        c->unstemmed++;
        if (t->stem_len != 0 || c->first[(unsigned char)t->folded[0]])
            c->wrong++;
    } else if (t->stem_len != strlen(g->stem) || memcmp(t->stem, g->stem, t->stem_len) != 0) {
        c->wrong++;
    }
    return 0;
}

/* Only words starting with a chosen byte are stemmed; their stems are the usual ones. */
static void test_analyze_stem_only(void **state)
{
    struct fixture *f = *state;
    static const char text[] = "Les soins de sant\xc3\xa9 primaires et la sant\xc3\xa9 "
                               "mentale des personnes \xc3\xa2g\xc3\xa9"
                               "es, 2025.";
    struct pdx_analyzer *b = pdx_analyzer_new(NULL, 0);
    assert_non_null(b);
    assert_int_equal(analyze(f, text, 1), 0);
    unsigned char first[256] = {0};
    first['s'] = 1;
    pdx_analyzer_stem_only(b, first);
    struct stem_only_check c = {f->toks, f->n, 0, 0, 0, first};
    int rc = pdx_analyze(b, text, strlen(text), 1, check_stem_only, &c);
    pdx_analyzer_free(b);
    assert_int_equal(rc, 0);
    assert_int_equal(c.seen, f->n);
    assert_int_equal(c.wrong, 0);
    assert_true(c.unstemmed >= 8);
}

static int count_tokens(void *ctx, const struct pdx_token *t)
{
    size_t *stats = ctx; /* count, longest folded, end of the last token */
    stats[0]++;
    if (t->folded_len > stats[1])
        stats[1] = t->folded_len;
    stats[2] = t->end;
    return 0;
}

/* More than a chunk's hard limit with no space at all: cut, not failed. */
static void test_analyze_no_spaces_at_all(void **state)
{
    struct fixture *f = *state;
    size_t n = 1100 * 1024;
    char *big = test_malloc(n);
    for (size_t i = 0; i < n; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    size_t stats[3] = {0, 0, 0};
    int rc = pdx_analyze(f->a, big, n, 1, count_tokens, stats);
    test_free(big);
    assert_int_equal(rc, 0);
    assert_true(stats[0] >= 1 && stats[0] <= 2);
    assert_int_equal(stats[1], PDX_TERM_MAX);
    assert_int_equal(stats[2], n);
}

/* Characters outside the BMP take two UTF-16 units: spans must stay exact. */
static void test_analyze_supplementary_characters(void **state)
{
    struct fixture *f = *state;
    /* "sant\u00e9 \U0001F600 \U0001D530\U0001D51E\U0001D52B\U0001D531\U0001D522 OMS" */
    const char *s = "sant\xc3\xa9 \xf0\x9f\x98\x80 \xf0\x9d\x94\xb0\xf0\x9d\x94\x9e"
                    "\xf0\x9d\x94\xab\xf0\x9d\x94\xb1\xf0\x9d\x94\xa2 OMS";
    assert_int_equal(analyze(f, s, 1), 0);
    assert_int_equal(f->n, 3);
    assert_int_equal(f->toks[0].start, 0);
    assert_int_equal(f->toks[0].end, 6);
    assert_int_equal(f->toks[1].start, 12); /* the Fraktur word, folded by NFKD */
    assert_int_equal(f->toks[1].end, 32);
    assert_string_equal(f->toks[1].folded, "sante");
    assert_int_equal(f->toks[1].pos, 2);
    assert_int_equal(f->toks[2].start, 33);
    assert_int_equal(f->toks[2].end, 36);
    assert_string_equal(f->toks[2].folded, "oms");
}

/* ---- text cut without ICU ------------------------------------------------------------ */

static int write_token(void *ctx, const struct pdx_token *t)
{
    struct stream *s = ctx;
    size_t need = 160 + t->folded_len + t->stem_len; /* 160: the numbers and the words */
    if (s->cap - s->len < need) {
        size_t cap = s->cap ? 2 * s->cap : 4096;
        while (cap - s->len < need)
            cap *= 2;
        char *b = test_realloc(s->buf, cap);
        if (b == NULL)
            return -1;
        s->buf = b;
        s->cap = cap;
    }
    int n = snprintf(s->buf + s->len, s->cap - s->len,
                     "[%zu, %zu) pos %u flags %#x folded %zu:%.*s stem %zu:%.*s\n", t->start,
                     t->end, (unsigned)t->pos, t->flags, t->folded_len, (int)t->folded_len,
                     t->folded, t->stem_len, (int)t->stem_len, t->stem ? t->stem : "");
    s->len += (size_t)n;
    return 0;
}

/* The line of s that starts at `at`, as a length for "%.*s". */
static int line_at(const struct stream *s, size_t at)
{
    const char *nl = at < s->len ? memchr(s->buf + at, '\n', s->len - at) : NULL;
    return nl ? (int)(nl - (s->buf + at)) : 0;
}

/* Analyses text[0, len) with f->a and with the ICU-only f->icu; fails, showing the text
 * (its first 60 bytes, escaped) and the first token that differs, unless both give the
 * same tokens and the same result. Returns the length of the token stream written out. */
static size_t expect_same_as_icu(struct fixture *f, const char *text, size_t len)
{
    struct stream a = {NULL, 0, 0}, b = {NULL, 0, 0};
    int rc = pdx_analyze(f->a, text, len, 1, write_token, &a);
    int rc_icu = pdx_analyze(f->icu, text, len, 1, write_token, &b);
    int same = rc == rc_icu && a.len == b.len && (a.len == 0 || memcmp(a.buf, b.buf, a.len) == 0);
    char msg[1024] = "";
    if (!same) {
        size_t d = 0;
        while (d < a.len && d < b.len && a.buf[d] == b.buf[d])
            d++;
        while (d > 0 && a.buf[d - 1] != '\n')
            d--;
        char shown[4 * 60 + 1] = "";
        size_t k = 0;
        for (size_t i = 0; i < len && i < 60; i++) {
            unsigned char c = (unsigned char)text[i];
            k += (size_t)snprintf(shown + k, sizeof shown - k,
                                  c >= 0x20 && c < 0x7F ? "%c" : "\\x%02x", c);
        }
        snprintf(msg, sizeof msg,
                 "\"%s\" (%zu bytes): returns %d, %d through ICU; first difference:\n  %.*s\n"
                 "  %.*s (through ICU)",
                 shown, len, rc, rc_icu, line_at(&a, d), a.len > d ? a.buf + d : "", line_at(&b, d),
                 b.len > d ? b.buf + d : "");
    }
    test_free(a.buf);
    test_free(b.buf);
    if (!same)
        fail_msg("%s", msg);
    return a.len;
}

/* Letters, digits and spaces only: cut at the spaces, without ICU. */
static const struct sentence_case simple_cases[] = {
    {"sant\xc3\xa9 mondiale",
     {{"sant\xc3\xa9", "sante", "sant", 1, 0}, {"mondiale", "mondiale", "mondial", 2, 0}}},
    {"covid19 2023 CSU2030",
     {{"covid", "covid", "covid", 1, 0},
      {"19", "19", "19", 2, F_N},
      {"covid19", "covid19", NULL, 1, F_J},
      {"2023", "2023", "2023", 3, F_N},
      {"CSU", "csu", "csu", 4, F_A},
      {"2030", "2030", "2030", 5, F_N},
      {"CSU2030", "csu2030", NULL, 4, F_J | F_A}}},
    {"  OMS  ", {{"OMS", "oms", "oms", 1, F_A}}},
    {"", {{NULL, NULL, NULL, 0, 0}}},
    {"\xc5\x92uvre \xc3\xa9t\xc3\xa9",
     {{"\xc5\x92uvre", "oeuvre", "oeuvr", 1, 0}, {"\xc3\xa9t\xc3\xa9", "ete", "ete", 2, F_S}}},
    {"1er", {{"1er", "1er", NULL, 1, 0}}},
    {"0123456789 2023",
     {{"0123456789", "0123456789", "0123456789", 1, F_N}, {"2023", "2023", "2023", 2, F_N}}},
};

/* The expected tokens, the same as ICU's, without ever opening ICU's break iterator. */
static void test_analyze_simple_text(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof simple_cases / sizeof simple_cases[0]; i++) {
        check_case(f, &simple_cases[i], i);
        expect_same_as_icu(f, simple_cases[i].text, strlen(simple_cases[i].text));
    }
    assert_false(pdx_analyzer_icu_opened(f->a));
    assert_true(pdx_analyzer_icu_opened(f->icu));
}

/* A new analyzer opens ICU's break iterator for the first text that needs it. */
static void test_analyze_opens_icu_when_needed(void **state)
{
    struct fixture *f = *state;
    assert_false(pdx_analyzer_icu_opened(f->a));
    assert_int_equal(analyze(f, "sant\xc3\xa9 mondiale", 1), 0);
    assert_int_equal(f->n, 2);
    assert_false(pdx_analyzer_icu_opened(f->a));
    assert_int_equal(analyze(f, "sant\xc3\xa9, mondiale", 1), 0);
    assert_int_equal(f->n, 2);
    assert_string_equal(f->toks[1].folded, "mondiale");
    assert_true(pdx_analyzer_icu_opened(f->a));
}

/* splitmix64, so that the random texts are the same at every run. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* é è ê à ç ô ÿ ß œ Œ É À Ç Ö æ Æ: letters cut without ICU. */
static const char *const simple_latin[] = {
    "\xc3\xa9", "\xc3\xa8", "\xc3\xaa", "\xc3\xa0", "\xc3\xa7", "\xc3\xb4", "\xc3\xbf", "\xc3\x9f",
    "\xc5\x93", "\xc5\x92", "\xc3\x89", "\xc3\x80", "\xc3\x87", "\xc3\x96", "\xc3\xa6", "\xc3\x86"};

/* Characters that send a text to ICU: punctuation that joins or splits words (. , ‐),
 * other white space (\n \t NBSP), letters outside the set (ª µ ĳ Ā), × ÷, the ligature
 * ﬁ, a combining acute, an emoji, ill-formed UTF-8 (a lead byte alone, a byte never
 * valid). */
static const char *const outside[] = {
    "\xe2\x80\x90",     ".",        ",",        "\n",       "\t",       "\xc2\xa0",     "\xc2\xaa",
    "\xc2\xb5",         "\xc4\xb3", "\xc4\x80", "\xc3\x97", "\xc3\xb7", "\xef\xac\x81", "\xcc\x81",
    "\xf0\x9f\x98\x80", "\xc3",     "\xff"};

/* Quotes and the hyphen, which are cut without ICU too. */
static const char *const simple_punct[] = {"'", "\xe2\x80\x99", "-"};

/* Appends a random character to text[*len] (room for 4 bytes): with odds 1 in
 * `outside_odds` (0: never) one of `outside`, which makes it return 1; otherwise a
 * space, a digit, an ASCII or a Latin-1 letter, a quote or a hyphen. */
static int random_char(uint64_t *rng, unsigned outside_odds, char *text, size_t *len)
{
    uint64_t r = next_random(rng);
    unsigned k = (unsigned)(r >> 8) % 100, pick = (unsigned)(r >> 16);
    const char *c = NULL;
    char ascii = 0;
    if (outside_odds != 0 && r % outside_odds == 0)
        c = outside[pick % (sizeof outside / sizeof outside[0])];
    else if (k < 25)
        ascii = ' ';
    else if (k < 40)
        ascii = (char)('0' + pick % 10);
    else if (k < 70)
        ascii = (char)('a' + pick % 26);
    else if (k < 80)
        ascii = (char)('A' + pick % 26);
    else if (k < 92)
        c = simple_latin[pick % (sizeof simple_latin / sizeof simple_latin[0])];
    else
        c = simple_punct[pick % (sizeof simple_punct / sizeof simple_punct[0])];
    if (c == NULL) {
        text[(*len)++] = ascii;
        return 0;
    }
    memcpy(text + *len, c, strlen(c));
    *len += strlen(c);
    return outside_odds != 0 && r % outside_odds == 0;
}

/* 20,000 random texts of 0 to 40 characters. The first 10,000 hold letters, digits and
 * spaces only, which are cut without ICU (the break iterator stays closed); the others
 * hold other characters now and then, which send them to ICU. Either way the tokens,
 * every field of them, and the result are those of the ICU path. */
static void test_analyze_simple_path_matches_icu(void **state)
{
    struct fixture *f = *state;
    uint64_t rng = 20250407;
    size_t sent_to_icu = 0;
    for (size_t i = 0; i < 20000; i++) {
        char text[40 * 4];
        size_t len = 0, n = next_random(&rng) % 41;
        int out = 0;
        for (size_t k = 0; k < n; k++)
            out |= random_char(&rng, i < 10000 ? 0 : i % 2 ? 4 : 20, text, &len);
        sent_to_icu += out;
        expect_same_as_icu(f, text, len);
        if (i == 9999)
            assert_false(pdx_analyzer_icu_opened(f->a));
    }
    assert_true(sent_to_icu > 5000);
    assert_true(pdx_analyzer_icu_opened(f->a));
}

/* Every string of up to five characters taken from a letter in each case, an accented
 * letter, a digit, the space, both quotes and the hyphen: cut without ICU, into ICU's
 * tokens (elisions, compounds and numbers included). */
static void test_analyze_simple_path_short_strings(void **state)
{
    struct fixture *f = *state;
    static const char *const set[] = {"a", "B", "\xc3\xa9", "1", " ", "'", "\xe2\x80\x99", "-"};
    const size_t nset = sizeof set / sizeof set[0];
    size_t strings = 0;
    for (size_t len = 1; len <= 5; len++) {
        size_t combos = 1;
        for (size_t i = 0; i < len; i++)
            combos *= nset;
        for (size_t c = 0; c < combos; c++) {
            size_t v = c, n = 0;
            char text[5 * 3];
            for (size_t i = 0; i < len; i++, v /= nset) {
                memcpy(text + n, set[v % nset], strlen(set[v % nset]));
                n += strlen(set[v % nset]);
            }
            expect_same_as_icu(f, text, n);
            strings++;
        }
    }
    assert_int_equal(strings, 8 + 64 + 512 + 4096 + 32768);
    assert_false(pdx_analyzer_icu_opened(f->a));
}

/* A combining diacritical mark (U+0300 to U+036F) folds to nothing without ICU, as
 * through ICU: after a letter, between letters, after the dot of an abbreviation. */
static void test_combining_marks_fold_as_icu(void **state)
{
    struct fixture *f = *state;
    for (unsigned cp = 0x300; cp <= 0x36F; cp++) {
        char m[3] = {(char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)), 0};
        char text[64];
        int n = snprintf(text, sizeof text, "a%s sa%snt%s\xc3\xa9%s O%s.M.S. %s", m, m, m, m, m, m);
        expect_same_as_icu(f, text, (size_t)n);
    }
}

/* Random words over several chunks, one of which has punctuation: chunks cut without
 * ICU and by ICU follow each other, and offsets and positions run on across them. */
static void test_analyze_simple_path_long_text(void **state)
{
    struct fixture *f = *state;
    static const char punct[] = "l\xe2\x80\x99"
                                "AP-HP, ";
    size_t want = 300 * 1024, cap = want + sizeof punct + 4;
    char *text = test_malloc(cap);
    size_t len = 0;
    uint64_t rng = 7;
    while (len < want) {
        if (len >= want / 2 && len < want / 2 + 4) {
            memcpy(text + len, punct, sizeof punct - 1);
            len += sizeof punct - 1;
        }
        random_char(&rng, 0, text, &len);
    }
    size_t out = expect_same_as_icu(f, text, len);
    test_free(text);
    assert_true(out > want); /* tens of thousands of tokens */
    assert_true(pdx_analyzer_icu_opened(f->a));
}

/* ---- other behaviour of pdx_analyze ------------------------------------------------- */

static int stop_at_third(void *ctx, const struct pdx_token *t)
{
    size_t *seen = ctx;
    (void)t;
    return ++*seen == 3 ? 7 : 0;
}

static void test_analyze_callback_stops(void **state)
{
    struct fixture *f = *state;
    size_t seen = 0;
    const char *s = "Six champs de coop\xc3\xa9ration en sant\xc3\xa9";
    assert_int_equal(pdx_analyze(f->a, s, strlen(s), 1, stop_at_third, &seen), 7);
    assert_int_equal(seen, 3);
    /* The analyzer is usable again afterwards. */
    assert_int_equal(analyze(f, "AP-HP", 1), 0);
    assert_int_equal(f->n, 3);
    assert_string_equal(f->toks[2].folded, "aphp");
}

static void test_analyze_nothing_to_report(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(analyze(f, "", 1), 0);
    assert_int_equal(f->n, 0);
    assert_int_equal(analyze(f, " \t\r\n \xc2\xa0 \xe2\x80\xa2 ; \xc2\xab \xc2\xbb - (1/", 1), 0);
    assert_int_equal(f->n, 1); /* only "1" */
    assert_string_equal(f->toks[0].folded, "1");
    assert_int_equal(pdx_analyze(f->a, NULL, 0, 1, collect, f), 0);
}

static void test_analyze_invalid_utf8_survives(void **state)
{
    struct fixture *f = *state;
    const char *s = "sant\xc3 publique \xff\xfe l\xe2\x80 \xed\xa0\x80 fin";
    assert_int_equal(analyze(f, s, 1), 0);
    assert_true(f->n >= 3);
    for (size_t i = 0; i < f->n; i++)
        assert_true(f->toks[i].start < f->toks[i].end && f->toks[i].end <= f->len);
    assert_string_equal(f->toks[f->n - 1].folded, "fin");
}

static void test_analyze_truncates_long_words(void **state)
{
    struct fixture *f = *state;
    char word[401];
    for (size_t i = 0; i < 200; i += 2)
        memcpy(word + i, "\xc5\x93", 2); /* œ folds to two bytes */
    for (size_t i = 200; i < 400; i += 2)
        memcpy(word + i, "\xc3\xa9", 2);
    word[400] = '\0';
    assert_int_equal(analyze(f, word, 1), 0);
    assert_int_equal(f->n, 1);
    assert_int_equal(f->toks[0].end, 400);
    assert_int_equal(strlen(f->toks[0].folded), PDX_TERM_MAX);
    assert_memory_equal(f->toks[0].folded, "oeoeoeoeoe", 10);
}

/* The letters of French fold from a table written from ICU's folding: every one of them,
 * alone, doubled (an acronym when upper case), inside a word, before a digit and in an
 * ICU-only text, folds and stems as ICU folds it. */
static void test_latin_letters_fold_as_icu(void **state)
{
    struct fixture *f = *state;
    for (unsigned c = 0xC0; c <= 0x153; c++) {
        if (c > 0xFF && c < 0x152)
            continue;
        char ch[3] = {(char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F)), 0};
        char text[64];
        snprintf(text, sizeof text, "%s %s%s a%sb %s1 x%s-%sy", ch, ch, ch, ch, ch, ch, ch);
        expect_same_as_icu(f, text, strlen(text));
        char fa[32], fi[32];
        int na = pdx_fold(f->a, ch, 2, fa, sizeof fa), ni = pdx_fold(f->icu, ch, 2, fi, sizeof fi);
        assert_int_equal(na, ni);
        assert_string_equal(fa, fi);
    }
}

/* ---- pdx_fold, pdx_stem, pdx_lower, pdx_is_stopword ---------------------------------- */

struct pair {
    const char *in;
    const char *out;
};

static const struct pair folds[] = {
    {"SANT\xc3\x89", "sante"},
    {"Sant\xc3\xa9", "sante"},
    {"\xc5\x92uvre", "oeuvre"},
    {"c\xc5\x93ur", "coeur"},
    {"\xc3\x86gir", "aegir"},
    {"Stra\xc3\x9f"
     "e",
     "strasse"},
    {"O.M.S.", "oms"},
    {"aujourd\xe2\x80\x99hui", "aujourdhui"},
    {"aujourd'hui", "aujourdhui"},
    {"10,5", "10,5"},
    {"1.5", "1.5"},
    {"Toka\xc3\xaf"
     "ev",
     "tokaiev"},
    {"fa\xc3\xa7on", "facon"},
    {"H\xc3\xb4pital", "hopital"},
    {"\xc3\x89"
     "cole",
     "ecole"},
    {"\xef\xac\x81nancement", "financement"}, /* ﬁ ligature */
    {"1\xe1\xb5\x89\xca\xb3", "1er"},         /* 1ᵉʳ */
    {"sante\xcc\x81", "sante"},               /* NFD */
    {"\xc5\x81\xc3\xb3\x64\xc5\xba", "lodz"}, /* Łódź */
    {"", ""},
};

static void test_fold_table(void **state)
{
    struct fixture *f = *state;
    char out[PDX_TERM_MAX + 1];
    for (size_t i = 0; i < sizeof folds / sizeof folds[0]; i++) {
        int n = pdx_fold(f->a, folds[i].in, strlen(folds[i].in), out, sizeof out);
        if (n != (int)strlen(folds[i].out) || strcmp(out, folds[i].out) != 0)
            fail_msg("fold of %s: '%s' (%d), want '%s'", folds[i].in, n < 0 ? "" : out, n,
                     folds[i].out);
    }
}

static void test_fold_room(void **state)
{
    struct fixture *f = *state;
    char out[6];
    assert_int_equal(pdx_fold(f->a, "SANT\xc3\x89", 6, out, 6), 5); /* exact fit */
    assert_string_equal(out, "sante");
    assert_int_equal(pdx_fold(f->a, "SANT\xc3\x89S", 7, out, 6), -1);
    assert_int_equal(pdx_fold(f->a, "a", 1, out, 0), -1);
}

static void test_fold_truncates_at_character(void **state)
{
    struct fixture *f = *state;
    char word[151], out[PDX_TERM_MAX + 1];
    for (size_t i = 0; i < 150; i += 3)
        memcpy(word + i, "\xe6\xbc\xa2", 3); /* a CJK ideograph: 3 bytes, kept */
    word[150] = '\0';
    assert_int_equal(pdx_fold(f->a, word, 150, out, sizeof out), PDX_TERM_MAX);
    assert_memory_equal(out, word, PDX_TERM_MAX);
    /* "a" then ideographs: 1 + 3k bytes, so the cut falls short of PDX_TERM_MAX. */
    word[0] = 'a';
    for (size_t i = 1; i < 148; i += 3)
        memcpy(word + i, "\xe6\xbc\xa2", 3);
    assert_int_equal(pdx_fold(f->a, word, 148, out, sizeof out), 118);
    assert_memory_equal(out, word, 118);
}

static const struct pair stems[] = {
    {"sante", "sant"},
    {"santes", "sant"},
    {"hopital", "hopital"},
    {"hopitaux", "hopital"},
    {"europeen", "europeen"},
    {"europeenne", "europeen"},
    {"europeens", "europeen"},
    {"oeuvre", "oeuvr"},
    {"intention", "intent"},
    {"intentions", "intent"},
    {"cooperation", "cooper"},
    {"primaires", "primair"},
    /* protected: Snowball would give om, sid, franc, par, inse */
    {"oms", "oms"},
    {"sida", "sida"},
    {"france", "france"},
    {"pare", "pare"},
    {"insee", "insee"},
    {"kazakhstan", "kazakhstan"},
    {"aphp", "aphp"},
    {"2023", "2023"},
};

static void test_stem_table(void **state)
{
    struct fixture *f = *state;
    char out[64];
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
        int n = pdx_stem(f->a, stems[i].in, strlen(stems[i].in), out, sizeof out);
        if (n != (int)strlen(stems[i].out) || strcmp(out, stems[i].out) != 0)
            fail_msg("stem of %s: '%s' (%d), want '%s'", stems[i].in, n < 0 ? "" : out, n,
                     stems[i].out);
    }
    /* Unprotected, the stemmer does change words (the test above can fail). */
    assert_int_equal(pdx_stem(f->a, "francs", 6, out, sizeof out), 5);
    assert_string_equal(out, "franc");
}

static void test_stem_room(void **state)
{
    struct fixture *f = *state;
    char out[5];
    assert_int_equal(pdx_stem(f->a, "santes", 6, out, 5), 4);
    assert_string_equal(out, "sant");
    assert_int_equal(pdx_stem(f->a, "santes", 6, out, 4), -1);
    assert_int_equal(pdx_stem(f->a, "oms", 3, out, 3), -1);
}

/* Folded, then stemmed: accents and case never matter. */
static void test_fold_then_stem_agree(void **state)
{
    struct fixture *f = *state;
    static const char *const forms[] = {"SANT\xc3\x89S", "sant\xc3\xa9s", "santes", "Sant\xc3\xa9"};
    char folded[PDX_TERM_MAX + 1], stem[PDX_TERM_MAX + 1];
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        int n = pdx_fold(f->a, forms[i], strlen(forms[i]), folded, sizeof folded);
        assert_true(n > 0);
        assert_int_equal(pdx_stem(f->a, folded, (size_t)n, stem, sizeof stem), 4);
        assert_string_equal(stem, "sant");
    }
}

static void test_lower(void **state)
{
    struct fixture *f = *state;
    char out[32];
    assert_int_equal(pdx_lower(f->a, "SANT\xc3\x89 Publique", 15, out, sizeof out), 15);
    assert_string_equal(out, "sant\xc3\xa9 publique");
    assert_int_equal(pdx_lower(f->a, "\xc5\x92UVRE", 6, out, sizeof out), 6);
    assert_string_equal(out, "\xc5\x93uvre");
    assert_int_equal(pdx_lower(f->a, "l\xe2\x80\x99OMS", 7, out, sizeof out), 7);
    assert_string_equal(out, "l\xe2\x80\x99oms");
    assert_int_equal(pdx_lower(f->a, "ABC", 3, out, 3), -1);
    assert_int_equal(pdx_lower(f->a, "ABC", 3, out, 4), 3);
}

static void test_stopwords(void **state)
{
    struct fixture *f = *state;
    static const char *const yes[] = {"de", "la", "les", "a", "qu", "jusqu", "etre", "ont", "des"};
    static const char *const no[] = {"sante", "oms", "france", "cooperation", "", "d\xc3\xa9"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(pdx_is_stopword(f->a, yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(pdx_is_stopword(f->a, no[i], strlen(no[i])));
    assert_true(pdx_is_stopword(f->a, "dest", 3)); /* "des": the length counts */
    assert_false(pdx_is_stopword(f->a, "dest", 4));
}

static void test_new_without_errbuf(void **state)
{
    (void)state;
    struct pdx_analyzer *a = pdx_analyzer_new(NULL, 0);
    assert_non_null(a);
    pdx_analyzer_free(a);
    pdx_analyzer_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_analyze_sentences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_positions_consecutive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_long_text_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_long_text_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_cache_growth_keeps_stems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_keeps_first_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_stem_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_no_spaces_at_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_supplementary_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_simple_text, setup_with_icu, teardown),
        cmocka_unit_test_setup_teardown(test_latin_letters_fold_as_icu, setup_with_icu, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_opens_icu_when_needed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_simple_path_matches_icu, setup_with_icu,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_analyze_simple_path_short_strings, setup_with_icu,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_combining_marks_fold_as_icu, setup_with_icu, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_simple_path_long_text, setup_with_icu,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_analyze_callback_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_nothing_to_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_invalid_utf8_survives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_truncates_long_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fold_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fold_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fold_truncates_at_character, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fold_then_stem_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lower, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopwords, setup, teardown),
        cmocka_unit_test(test_new_without_errbuf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
