/*
 * extract_dates.c — dates, times, durations and sets in French text (TIMEX3 values).
 *
 * One JIT-compiled alternation, tried anchored at candidate words only (digits, month
 * and weekday names, « hier », « cette », « tous » …); each alternative ends with a
 * (*MARK) naming its form, and C code turns the named groups into a TIMEX3 value.
 * Bare years are checked in C against their context (« n° 2017-1141 », « 2000
 * personnes », « 10,5 % » are not dates).
 */
#include "extract_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pdx_dates {
    pcre2_code *re;
};

#define E "(?![\\p{L}\\p{N}])"
#define WD "(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
#define DAY "(?:1er|1ᵉʳ|1re|premier|3[01]|[12][0-9]|0?[1-9])(?![0-9])"
#define MONTH_ANY                                                                                  \
    "(?:janvier|janv\\.?|f[ée]vrier|f[ée]vr?\\.?|mars|avril|avr\\.?|mai|juin|juillet|"           \
    "juil\\.?|ao[ûu]t|septembre|sept\\.?|octobre|oct\\.?|novembre|nov\\.?|d[ée]cembre|"          \
    "d[ée]c\\.?)(?![\\p{L}\\p{N}])"
#define MONTH_FULL                                                                                 \
    "(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|"               \
    "novembre|d[ée]cembre|janv\\.|f[ée]vr?\\.|avr\\.|juil\\.|sept\\.|oct\\.|nov\\.|"             \
    "d[ée]c\\.)(?![\\p{L}\\p{N}])"
#define YEAR "(?:1[0-9]{3}|2[01][0-9]{2})" E
#define TIME_SUFFIX                                                                                \
    "(?:\\s*,?\\s+(?:à|a)\\s+(?<hh>[01]?[0-9]|2[0-3])\\s*(?:h|heures?)(?:\\s*(?<mi>[0-5][0-9]))"  \
    "?" E ")?"
#define NUMW                                                                                       \
    "(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|"          \
    "seize|vingt|trente|quarante|cinquante|soixante|cent)"
#define UNIT_SG                                                                                    \
    "(?:ann[ée]e|an|mois|semaine|trimestre|semestre|[ée]t[ée]|hiver|automne|printemps|"         \
    "week-end|weekend|si[èe]cle|jour)"

static const char *const date_pattern_parts[] = {
    "(?i)(?:"
    /* ISO 2025-10-21 */
    "(?<iy>[12][0-9]{3})-(?<im>[01][0-9])-(?<id>[0-3][0-9])"
    "(?:[T ](?<ih>[01][0-9]|2[0-3]):(?<imi>[0-5][0-9]))?" E "(*MARK:iso)"
    /* 02/12/2025, 2.12.25 */,
    "|(?<nd>[0-3]?[0-9])(?<sp>[/.])(?<nm>[01]?[0-9])\\k<sp>(?<ny>[12][0-9]{3}|[0-9]{2})" E
        TIME_SUFFIX "(*MARK:num)"
    /* [lundi] 21 [au 23] octobre [2025] [à 10 h] */,
    "|(?:(?<wd>" WD ")\\s+)?(?<d1>" DAY ")(?:\\s*(?:au|-|–|et|&)\\s*(?:(?<wd2>" WD
    ")\\s+)?(?<d2>" DAY "))?\\s+(?<mo>" MONTH_ANY ")(?:\\s+(?<y>" YEAR "))?" TIME_SUFFIX
    "(*MARK:dm)"
    /* 2023-2027, 2011/2012, 2015 à 2020 */,
    "|(?<ya>" YEAR ")(?:\\s*[-–/]\\s*|\\s+(?:à|au|et)\\s+)(?<yb>" YEAR ")(*MARK:yr)"
    /* [début] septembre 2025 */,
    "|(?:(?<mod>d[ée]but|fin|courant|mi)(?:\\s+|\\s*-\\s*))?(?<mo>" MONTH_FULL
    ")\\s+(?:de\\s+l['’]ann[ée]e\\s+)?(?<y>" YEAR ")(*MARK:my)"
    /* premier trimestre 2025, T1 2025 */,
    "|(?<ord>premier|1er|deuxi[èe]me|2e|second|2nd|troisi[èe]me|3e|quatri[èe]me|4e)\\s+"
    "(?<qs>trimestre|semestre)" E "(?:\\s+(?:de\\s+l['’]ann[ée]e\\s+|de\\s+)?(?<y>" YEAR
    "))?(*MARK:q)",
    "|(?<tq>[TSQ][1-4])\\s+(?<y>" YEAR ")(*MARK:tq)"
    /* XXIe siècle */,
    "|(?<cent>[XVI]{1,5}|[0-9]{1,2})(?:e|è|ème|eme|ᵉ)\\s+si[èe]cle" E "(*MARK:cent)"
    /* années 1990 */,
    "|ann[ée]es\\s+(?<dec>(?:19|20)?[0-9]0)" E "(*MARK:dec)"
    /* cette année, ce mois-ci */,
    "|(?<dem>cette|cet|ce)\\s+(?<unit>" UNIT_SG ")(?:-(?:ci|là|la))?" E "(*MARK:dem)"
    /* an prochain, semaine dernière */,
    "|(?<unit>" UNIT_SG ")\\s+(?<rel>derni[èe]re?|prochaine?|pass[ée]e?|pr[ée]c[ée]dente?|"
    "suivante?)" E "(*MARK:unitrel)",
    /* la même année, le jour même: the date the text last spoke of */
    "|m[êe]me\\s+(?<unit>ann[ée]e|mois|semaine|jour)" E "(*MARK:meme)",
    "|(?<unit>ann[ée]e|mois|jour)\\s+m[êe]me" E "(*MARK:meme)",
    "|(?<kw>lendemain|veille)" E "(*MARK:anakw)"
    /* fin de l'année, début du mois prochain */,
    "|(?<mod>d[ée]but|fin|courant|milieu)\\s+(?:de\\s+l['’]|d['’])?(?<unit>ann[ée]e|mois)"
    "(?:\\s+(?<rel>prochaine?|derni[èe]re?|en\\s+cours))?" E "(*MARK:modunit)",
    "|(?<kw>aujourd['’]hui|avant-hier|hier|apr[èe]s-demain|demain)" E "(*MARK:kw)"
    /* (ces) dernières années */,
    "|(?<cdr>derni[èe]re?s|prochaine?s|r[ée]centes?)\\s+(?<cunit>ann[ée]es|mois|semaines|"
    "d[ée]cennies|jours|si[èe]cles)" E "(*MARK:recent)",
    "|(?<qq>quelques|plusieurs)\\s+(?<cunit>ann[ée]es|ans|mois|semaines|jours|d[ée]cennies|"
    "si[èe]cles)" E "(*MARK:recent)"
    /* tous les (deux) ans, chaque année, par an, annuel */,
    "|(?:tous|toutes)\\s+les\\s+(?:(?<sn>[0-9]{1,3}|" NUMW ")\\s+)?(?<su>ans|ann[ée]es|mois|"
    "semaines|jours|trimestres|semestres|heures|lundis|mardis|mercredis|jeudis|vendredis|"
    "samedis|dimanches|matins|soirs)" E "(*MARK:set)",
    "|chaque\\s+(?<su>ann[ée]e|an|mois|semaine|jour|trimestre|semestre|lundi|mardi|"
    "mercredi|jeudi|vendredi|samedi|dimanche|matin|soir)" E "(*MARK:set)",
    "|par\\s+(?<su>an|ann[ée]e|mois|semaine|jour|trimestre)" E "(*MARK:set)",
    "|(?<adj>annuel(?:le)?s?|mensuel(?:le)?s?|hebdomadaires?|trimestriel(?:le)?s?|"
    "semestriel(?:le)?s?|annuellement|mensuellement|quotidiennement)" E "(*MARK:setadj)"
    /* cinq ans, 10 jours */,
    "|(?<num>[0-9]{1,4}(?:[,.][0-9]+)?|" NUMW "(?:[-\\s]+(?:et[-\\s]+)?" NUMW
    "){0,2}|une?)\\s+(?<du>ans|an|ann[ée]es|ann[ée]e|mois|semaines|semaine|jours|jour|"
    "heures|heure|minutes|d[ée]cennies|d[ée]cennie|si[èe]cles|si[èe]cle|trimestres|"
    "trimestre|semestres|semestre)" E "(*MARK:dur)"
    /* 10h30, 14 h, 9:45 */,
    "|(?<th>[01]?[0-9]|2[0-3])\\s*h\\s*(?<tm>[0-5][0-9])?" E "(*MARK:time)",
    "|(?<th>[01]?[0-9]|2[0-3]):(?<tm>[0-5][0-9])" E "(*MARK:time)"
    /* printemps 2025, l'été */,
    "|(?<se>printemps|[ée]t[ée]|automne|hiver)(?:\\s+(?<y>" YEAR ")|\\s+(?<rel>dernier|"
    "prochain))?" E "(*MARK:season)"
    /* (en) avril, novembre dernier, début mars */,
    "|(?:(?<mod>d[ée]but|fin|courant)\\s+|(?<mod>mi)\\s*-\\s*)?(?<mo>" MONTH_FULL
    ")(?:\\s+(?<rel>dernier|prochain|pass[ée]))?" E "(*MARK:mo)"
    /* mardi, lundi prochain */,
    "|(?<wd>" WD ")(?:\\s+(?<rel>dernier|prochain))?" E "(*MARK:wd)"
    /* fin 2025, mi-2024 */,
    "|(?<mod>d[ée]but|fin|courant|mi)(?:\\s+|\\s*-\\s*)(?<y>" YEAR ")(*MARK:modyear)"
    ")",
    NULL};

/* Words that may start a date expression (digits always may). */
static const char *const date_keys[] = {"lundi",
                                        "mardi",
                                        "mercredi",
                                        "jeudi",
                                        "vendredi",
                                        "samedi",
                                        "dimanche",
                                        "janvier",
                                        "janv",
                                        "fevrier",
                                        "fevr",
                                        "fev",
                                        "mars",
                                        "avril",
                                        "avr",
                                        "mai",
                                        "juin",
                                        "juillet",
                                        "juil",
                                        "aout",
                                        "septembre",
                                        "sept",
                                        "octobre",
                                        "oct",
                                        "novembre",
                                        "nov",
                                        "decembre",
                                        "dec",
                                        "debut",
                                        "fin",
                                        "courant",
                                        "mi",
                                        "premier",
                                        "meme",
                                        "lendemain",
                                        "veille",
                                        "milieu",
                                        "deuxieme",
                                        "second",
                                        "troisieme",
                                        "quatrieme",
                                        "t1",
                                        "t2",
                                        "t3",
                                        "t4",
                                        "s1",
                                        "s2",
                                        "q1",
                                        "q2",
                                        "q3",
                                        "q4",
                                        "xxie",
                                        "xxe",
                                        "xixe",
                                        "xviiie",
                                        "xviie",
                                        "xvie",
                                        "xve",
                                        "annees",
                                        "cette",
                                        "cet",
                                        "ce",
                                        "annee",
                                        "an",
                                        "mois",
                                        "semaine",
                                        "trimestre",
                                        "semestre",
                                        "ete",
                                        "hiver",
                                        "automne",
                                        "printemps",
                                        "week",
                                        "weekend",
                                        "siecle",
                                        "jour",
                                        "aujourd",
                                        "avant",
                                        "hier",
                                        "apres",
                                        "demain",
                                        "dernieres",
                                        "derniers",
                                        "prochaines",
                                        "prochains",
                                        "recentes",
                                        "recents",
                                        "quelques",
                                        "plusieurs",
                                        "tous",
                                        "toutes",
                                        "chaque",
                                        "par",
                                        "annuel",
                                        "annuelle",
                                        "annuels",
                                        "annuelles",
                                        "mensuel",
                                        "mensuelle",
                                        "mensuels",
                                        "mensuelles",
                                        "hebdomadaire",
                                        "hebdomadaires",
                                        "trimestriel",
                                        "trimestrielle",
                                        "trimestriels",
                                        "trimestrielles",
                                        "semestriel",
                                        "semestrielle",
                                        "semestriels",
                                        "semestrielles",
                                        "annuellement",
                                        "mensuellement",
                                        "quotidiennement",
                                        "un",
                                        "une",
                                        "deux",
                                        "trois",
                                        "quatre",
                                        "cinq",
                                        "six",
                                        "huit",
                                        "neuf",
                                        "dix",
                                        "onze",
                                        "douze",
                                        "treize",
                                        "quatorze",
                                        "quinze",
                                        "seize",
                                        "vingt",
                                        "trente",
                                        "quarante",
                                        "cinquante",
                                        "soixante",
                                        "cent",
                                        NULL};

int pdx_dates_init(struct pdx_extractor *ex, char *errbuf, size_t errbuf_len)
{
    ex->dates = calloc(1, sizeof *ex->dates);
    if (!ex->dates)
        return PDX_EXTRACT_ENOMEM;
    size_t total = 1;
    for (const char *const *p = date_pattern_parts; *p; p++)
        total += strlen(*p);
    char *pattern = malloc(total);
    if (!pattern)
        return PDX_EXTRACT_ENOMEM;
    size_t used = 0;
    for (const char *const *p = date_pattern_parts; *p; p++) {
        size_t n = strlen(*p);
        memcpy(pattern + used, *p, n);
        used += n;
    }
    pattern[used] = '\0';
    ex->dates->re = pdx_re_compile(pattern, PCRE2_DUPNAMES | PCRE2_ANCHORED, 1, errbuf, errbuf_len);
    free(pattern);
    if (!ex->dates->re)
        return PDX_EXTRACT_EPCRE;
    uint32_t groups = 0;
    pcre2_pattern_info(ex->dates->re, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups >= PDX_MATCH_PAIRS) { /* the ovector would drop the last groups */
        pdx_errf(errbuf, errbuf_len, "date pattern has %u groups, more than %d", (unsigned)groups,
                 PDX_MATCH_PAIRS - 1);
        return PDX_EXTRACT_EINTERNAL;
    }
    for (const char *const *k = date_keys; *k; k++)
        if (pdx_keyset_add(&ex->keys, *k, strlen(*k), 0, PDX_KEY_DATE))
            return PDX_EXTRACT_ENOMEM;
    return 0;
}

void pdx_dates_free(struct pdx_dates *d)
{
    if (!d)
        return;
    pcre2_code_free(d->re);
    free(d);
}

/* ---- small parsers ------------------------------------------------------------------ */

static int digits_value(const char *text, size_t s, size_t e)
{
    int v = 0;
    for (size_t i = s; i < e && i < s + 6; i++) {
        if (text[i] < '0' || text[i] > '9')
            break;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

/* 1..12 from a month name or abbreviation, 0 if none. */
static int month_of(const char *text, size_t s, size_t e)
{
    static const char *const pre[12] = {"jan",  "fev", "mar", "avr", "mai", "juin",
                                        "juil", "aou", "sep", "oct", "nov", "dec"};
    char f[16];
    pdx_extract_fold(text, s, e, f, sizeof f);
    for (int m = 12; m >= 1; m--)
        if (strncmp(f, pre[m - 1], strlen(pre[m - 1])) == 0)
            return m;
    return 0;
}

/* 0 = Monday … 6 = Sunday, -1 if not a weekday name. */
static int weekday_of(const char *text, size_t s, size_t e)
{
    static const char *const names[7] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                         "vendredi", "samedi", "dimanche"};
    char f[16];
    pdx_extract_fold(text, s, e, f, sizeof f);
    for (int i = 0; i < 7; i++)
        if (strncmp(f, names[i], strlen(names[i])) == 0)
            return i;
    return -1;
}

/* Can the word [s, e) be a weekday name or « premier » (a cheap test before folding)? */
static int maybe_day_word(const char *text, size_t s, size_t e)
{
    char c = (char)(text[s] | 0x20);
    if (e - s < 5 || e - s > 9 || !memchr("lmjvsdp", c, 7))
        return 0;
    return weekday_of(text, s, e) >= 0 || pdx_word_is(text, s, e, "premier");
}

/* A day number: "1er", "premier", "21". */
static int day_of(const char *text, size_t s, size_t e)
{
    if (text[s] >= '0' && text[s] <= '9')
        return digits_value(text, s, e);
    return 1;
}

/* Number words and digits ("cinq", "vingt-quatre", "12", "1,5" → 1 with frac). */
static int number_of(const char *text, size_t s, size_t e, char *frac, size_t frac_len)
{
    static const char *const words[] = {"zero",  "un",     "deux",     "trois",  "quatre", "cinq",
                                        "six",   "sept",   "huit",     "neuf",   "dix",    "onze",
                                        "douze", "treize", "quatorze", "quinze", "seize"};
    static const char *const tens[] = {"vingt", "trente", "quarante", "cinquante", "soixante"};
    frac[0] = '\0';
    if (text[s] >= '0' && text[s] <= '9') {
        size_t i = s;
        while (i < e && text[i] >= '0' && text[i] <= '9')
            i++;
        if (i < e && (text[i] == ',' || text[i] == '.')) {
            size_t n = 0;
            for (size_t j = i + 1; j < e && n + 1 < frac_len; j++)
                frac[n++] = text[j];
            frac[n] = '\0';
        }
        return digits_value(text, s, e);
    }
    char f[64];
    pdx_extract_fold(text, s, e, f, sizeof f);
    int total = 0, cur = 0;
    for (char *p = f; *p;) {
        while (*p == ' ' || *p == '-')
            p++;
        char *w = p;
        while (*p && *p != ' ' && *p != '-')
            p++;
        size_t wl = (size_t)(p - w);
        if (wl == 0)
            break;
        if (wl == 3 && strncmp(w, "une", 3) == 0) {
            cur += 1;
            continue;
        }
        if (wl == 4 && strncmp(w, "cent", 4) == 0) {
            cur = (cur ? cur : 1) * 100;
            continue;
        }
        for (int i = 0; i < 17; i++)
            if (strlen(words[i]) == wl && strncmp(w, words[i], wl) == 0)
                cur += i;
        for (int i = 0; i < 5; i++)
            if (strlen(tens[i]) == wl && strncmp(w, tens[i], wl) == 0)
                cur += 20 + 10 * i;
    }
    total += cur;
    return total;
}

static int roman_value(const char *text, size_t s, size_t e)
{
    int v = 0, prev = 0;
    for (size_t i = e; i > s; i--) {
        char c = text[i - 1];
        int x = (c == 'I' || c == 'i')   ? 1
                : (c == 'V' || c == 'v') ? 5
                : (c == 'X' || c == 'x') ? 10
                                         : 0;
        if (!x)
            return 0;
        v += x < prev ? -x : x;
        if (x > prev)
            prev = x;
    }
    return v;
}

static void iso_week(int y, int m, int d, int *wy, int *wn)
{
    int doy = d;
    for (int i = 1; i < m; i++)
        doy += pdx_days_in_month(y, i);
    int wd = pdx_weekday(y, m, d) + 1; /* 1 = Monday */
    int w = (doy - wd + 10) / 7;
    if (w < 1) {
        int py = y - 1;
        int jan1 = pdx_weekday(py, 1, 1);
        int leap = pdx_days_in_month(py, 2) == 29;
        *wy = py;
        *wn = (jan1 == 3 || (leap && jan1 == 2)) ? 53 : 52;
        return;
    }
    int jan1 = pdx_weekday(y, 1, 1);
    int leap = pdx_days_in_month(y, 2) == 29;
    int weeks = (jan1 == 3 || (leap && jan1 == 2)) ? 53 : 52;
    if (w > weeks) {
        *wy = y + 1;
        *wn = 1;
        return;
    }
    *wy = y;
    *wn = w;
}

/* ---- context checks for numbers ---------------------------------------------------------- */

/* Is the number starting at `ws` part of something that is not a date: a thousands
 * group (« 1 000 »), a decimal, an article or law number (« n° 2017-1141 », « L.
 * 1411-1 »)? */
static int number_context_bad(const char *text, size_t ws)
{
    static const char *const refs[] = {
        "no",     "n_",         "article",    "articles",  "art",          "loi",      "decret",
        "arrete", "ordonnance", "circulaire", "page",      "tel",          "alinea",   "annexe",
        "numero", "code",       "directive",  "reglement", "deliberation", "decision", NULL};
    size_t pws, pwe;
    if (ws > 0) {
        unsigned char c = (unsigned char)text[ws - 1];
        if (c == '-' || c == '/' || c == '+' || c == ',' || c == '.' || c == '_')
            if (ws >= 2 && text[ws - 2] >= '0' && text[ws - 2] <= '9')
                return 1;
        if (c == '+' || c == '#' || c == '$')
            return 1;
        if ((c == ' ' || c == 0xA0 || c == 0xAF) && ws >= 2) {
            /* « 1 000 » (space, no-break space U+00A0 or narrow U+202F) */
            unsigned char p = (unsigned char)text[ws - 2];
            if (c == ' ' && p >= '0' && p <= '9')
                return 1;
            if (c != ' ' && ws >= 3) {
                size_t k = ws - 1;
                while (k > 0 && ((unsigned char)text[k] & 0xC0) == 0x80)
                    k--;
                if (k > 0 && text[k - 1] >= '0' && text[k - 1] <= '9')
                    return 1;
            }
        }
    }
    {
        /* « n° 2017 », « N° », « nº » (the degree sign is not part of a word) */
        size_t i = ws;
        while (i > 0 &&
               (text[i - 1] == ' ' || (unsigned char)text[i - 1] == 0xA0 ||
                (unsigned char)text[i - 1] == 0xAF || (unsigned char)text[i - 1] == 0x80 ||
                ((unsigned char)text[i - 1] == 0xC2 && i < ws) ||
                ((unsigned char)text[i - 1] == 0xE2 && i < ws)) &&
               ws - i < 4)
            i--;
        if (i >= 3 && (unsigned char)text[i - 2] == 0xC2 &&
            ((unsigned char)text[i - 1] == 0xB0 || (unsigned char)text[i - 1] == 0xBA) &&
            (text[i - 3] | 0x20) == 'n')
            return 1;
    }
    if (pdx_prev_word(text, ws, &pws, &pwe) && ws - pwe <= 6) {
        /* the previous word must be right before it (« n° 2017 », « L. 1411 ») */
        char f[32];
        pdx_extract_fold(text, pws, pwe, f, sizeof f);
        int dot = text[pwe] == '.';
        int degree = (unsigned char)text[pwe] == 0xC2 && (unsigned char)text[pwe + 1] == 0xB0;
        if (f[0] && !f[1]) {
            if ((f[0] == 'n' && (degree || dot)) ||
                ((f[0] == 'l' || f[0] == 'r' || f[0] == 'd' || f[0] == 'p') && dot))
                return 1;
        } else {
            for (const char *const *r = refs; *r; r++)
                if (strcmp(f, *r) == 0)
                    return 1;
        }
    }
    return 0;
}

/* Does a bare number continue into something else (« 2017-1141 », « 2025,5 », « 20 %
 * »)? */
static int number_continues(const char *text, size_t len, size_t we)
{
    if (we >= len)
        return 0;
    unsigned char c = (unsigned char)text[we];
    if ((c == '-' || c == ',' || c == '.' || c == '/' || c == ':') && we + 1 < len &&
        text[we + 1] >= '0' && text[we + 1] <= '9')
        return 1;
    return c == '%';
}

/* Is the word after a bare number a unit (« 2000 personnes », « 2025 € »)? */
static int followed_by_unit(const char *text, size_t len, size_t we)
{
    static const char *const units[] = {"personnes",
                                        "patients",
                                        "habitants",
                                        "euros",
                                        "eur",
                                        "dollars",
                                        "lits",
                                        "deces",
                                        "morts",
                                        "cas",
                                        "enfants",
                                        "femmes",
                                        "hommes",
                                        "medecins",
                                        "infirmiers",
                                        "infirmieres",
                                        "professionnels",
                                        "agents",
                                        "salaries",
                                        "emplois",
                                        "postes",
                                        "places",
                                        "km",
                                        "kilometres",
                                        "metres",
                                        "m",
                                        "tonnes",
                                        "doses",
                                        "tests",
                                        "projets",
                                        "participants",
                                        "menages",
                                        "familles",
                                        "eleves",
                                        "etudiants",
                                        "victimes",
                                        "naissances",
                                        "jeunes",
                                        "adultes",
                                        "fois",
                                        "points",
                                        "pays",
                                        "communes",
                                        "villes",
                                        "sites",
                                        "centres",
                                        "etablissements",
                                        "structures",
                                        "millions",
                                        "milliards",
                                        "mille",
                                        "soignants",
                                        "consultations",
                                        "hospitalisations",
                                        "personnels",
                                        "ans",
                                        "annees",
                                        "mois",
                                        "jours",
                                        "heures",
                                        "exemplaires",
                                        "pages",
                                        "mg",
                                        "ml",
                                        "kg",
                                        "g",
                                        "dossiers",
                                        "hectares",
                                        "ha",
                                        "k",
                                        "lignes",
                                        "articles",
                                        NULL};
    size_t i = we;
    while (i < len &&
           (text[i] == ' ' || (unsigned char)text[i] == 0xC2 || (unsigned char)text[i] == 0xA0))
        i++;
    if (i < len && (text[i] == '%' || text[i] == '$'))
        return 1;
    if (i + 2 < len && (unsigned char)text[i] == 0xE2 && (unsigned char)text[i + 1] == 0x82 &&
        (unsigned char)text[i + 2] == 0xAC) /* € */
        return 1;
    size_t pos = we, ws, wend;
    if (!pdx_next_word(text, len, &pos, &ws, &wend) || ws > we + 3)
        return 0;
    return pdx_word_in(text, ws, wend, units);
}

/* ---- resolution ----------------------------------------------------------------------- */

struct date_ctx {
    const struct pdx_extraction *out;
    int has_ref;
    struct pdx_ymd ref;
    /* the last calendar date the text gave, for anaphoric expressions (« la même
     * année », « le mois suivant », « le lendemain »); year 0 when none yet */
    struct pdx_ymd last;
};

struct pending {
    size_t idx;
    int wd;
};

static void set_value(struct pdx_date_mention *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_value(struct pdx_date_mention *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->value, sizeof m->value, fmt, ap);
    va_end(ap);
}

/* Formats a (possibly partial) calendar date. */
static void format_ymd(struct pdx_date_mention *m, int y, int mo, int d)
{
    m->ymd.year = y;
    m->ymd.month = mo;
    m->ymd.day = d;
    if (y && mo && d)
        set_value(m, "%04d-%02d-%02d", y, mo, d);
    else if (mo && d)
        set_value(m, "XXXX-%02d-%02d", mo, d);
    else if (y && mo)
        set_value(m, "%04d-%02d", y, mo);
    else if (mo)
        set_value(m, "XXXX-%02d", mo);
    else
        set_value(m, "%04d", y);
}

/* « le mois dernier », « ce mois-ci », « le mois prochain »: the month `sign` (-1, 0, 1)
 * away from the reference date's, or XXXX-XX without one. Returns 1 (a mention). */
static int relative_month(struct pdx_date_mention *m, const struct pdx_ymd *ref, int sign)
{
    if (!ref) {
        set_value(m, "XXXX-XX");
        return 1;
    }
    int mo = ref->month + sign, y = ref->year;
    if (mo < 1)
        mo = 12, y--;
    if (mo > 12)
        mo = 1, y++;
    format_ymd(m, y, mo, 0);
    return 1;
}

/* The year for a day and month without one, given the weekday when stated: the year
 * nearest `anchor` whose date falls on that weekday; without a weekday, the anchor. */
static int infer_year(int anchor, int month, int day, int wd)
{
    if (wd < 0)
        return anchor;
    for (int k = 0; k <= 6; k++) {
        int cands[2] = {anchor - k, anchor + k};
        for (int c = 0; c < (k ? 2 : 1); c++) {
            int y = cands[c];
            if (day <= pdx_days_in_month(y, month) && pdx_weekday(y, month, day) == wd)
                return y;
        }
    }
    return 0;
}

static const char *season_code(const char *text, size_t s, size_t e)
{
    char f[16];
    pdx_extract_fold(text, s, e, f, sizeof f);
    if (f[0] == 'p')
        return "SP";
    if (f[0] == 'e')
        return "SU";
    if (f[0] == 'a')
        return "FA";
    return "WI";
}

/* The year of a season said relative to the reference (« l'été dernier »). */
static int season_year(const char *sc, const struct pdx_ymd *ref, int sign)
{
    /* the season's first month: spring 3, summer 6, autumn 9, winter 12 */
    int first = sc[0] == 'S' ? (sc[1] == 'P' ? 3 : 6) : sc[0] == 'F' ? 9 : 12;
    int y = ref->year;
    if (sign < 0 && first + 2 >= ref->month)
        y--; /* « l'été dernier » said in July is last year's */
    if (sign > 0 && first <= ref->month)
        y++;
    return y;
}

static int rel_sign(const char *text, size_t s, size_t e)
{
    char f[16];
    pdx_extract_fold(text, s, e, f, sizeof f);
    if (strncmp(f, "prochain", 8) == 0 || strncmp(f, "suivant", 7) == 0)
        return 1;
    return -1;
}

/* Unit letter of a duration word: Y, M, W, D, H (hours), N (minutes), E (decade), C
 * (century), Q (quarter), S (semester). */
static char unit_of(const char *text, size_t s, size_t e)
{
    char f[16];
    pdx_extract_fold(text, s, e, f, sizeof f);
    if (strncmp(f, "an", 2) == 0)
        return 'Y';
    if (strncmp(f, "mois", 4) == 0)
        return 'M';
    if (strncmp(f, "sem", 3) == 0)
        return f[3] == 'a' ? 'W' : 'S';
    if (strncmp(f, "jour", 4) == 0 || strncmp(f, "quot", 4) == 0)
        return 'D';
    if (strncmp(f, "heure", 5) == 0)
        return 'H';
    if (strncmp(f, "minute", 6) == 0)
        return 'N';
    if (strncmp(f, "dec", 3) == 0)
        return 'E';
    if (strncmp(f, "siec", 4) == 0)
        return 'C';
    if (strncmp(f, "trim", 4) == 0)
        return 'Q';
    if (strncmp(f, "hebd", 4) == 0)
        return 'W';
    if (strncmp(f, "mens", 4) == 0)
        return 'M';
    if (strncmp(f, "matin", 5) == 0)
        return 'm';
    if (strncmp(f, "soir", 4) == 0)
        return 's';
    return 'Y';
}

static void format_duration(struct pdx_date_mention *m, const char *n, char unit)
{
    switch (unit) {
    case 'H':
        set_value(m, "PT%sH", n);
        break;
    case 'N':
        set_value(m, "PT%sM", n);
        break;
    case 'E':
        set_value(m, "P%sDE", n);
        break;
    case 'C':
        set_value(m, "P%sCE", n);
        break;
    case 'S': {
        char *end;
        long v = strtol(n, &end, 10);
        if (*end == '\0')
            set_value(m, "P%ldM", v * 6);
        else
            set_value(m, "P%sH", n);
        break;
    }
    default:
        set_value(m, "P%s%c", n, unit);
    }
}

/* The words allowed before a bare month (« en avril », « depuis janvier »). */
static const char *const month_preps[] = {"en",      "depuis", "des",   "avant", "apres", "vers",
                                          "courant", "ici",    "entre", "jusqu", "fin",   "debut",
                                          "mi",      "et",     "ou",    "mois",  NULL};
static const char *const season_preps[] = {
    "l", "en", "au", "cet", "ce", "debut", "fin", "mi", "depuis", "avant", "apres", "cours", NULL};

#define G(name) pdx_re_group(ex, re, name, &gs, &ge)

/* Is the relative word [s, e) anaphoric (« suivant », « précédent »: counted from the
 * date the text last gave, not from the reference date)? */
static int anaphoric_rel(const char *text, size_t s, size_t e)
{
    char f[16];
    pdx_extract_fold(text, s, e, f, sizeof f);
    return strncmp(f, "suiv", 4) == 0 || strncmp(f, "prec", 4) == 0;
}

/* « la même année », « le mois suivant », « le lendemain »: resolved against `last`, the
 * date the text last gave, when it is precise enough; else against the reference for
 * « suivant »/« précédent » (returns -1 to let the caller do it) and left unknown for
 * the others. Returns 1 when m is filled, 0 when not a date. */
static int match_anaphoric(struct pdx_extractor *ex, const pcre2_code *re, const char *text,
                           const char *mark, const struct pdx_ymd *last, const struct pdx_ymd *ref,
                           struct pdx_date_mention *m)
{
    size_t gs, ge;
    char f[16];
    int sign = 0;
    char unit;
    int meme = strcmp(mark, "meme") == 0;
    if (strcmp(mark, "anakw") == 0) {
        if (!G("kw"))
            return 0;
        pdx_extract_fold(text, gs, ge, f, sizeof f);
        unit = 'D';
        sign = f[0] == 'l' ? 1 : -1;
    } else {
        if (G("rel"))
            sign = rel_sign(text, gs, ge);
        if (!G("unit"))
            return 0;
        pdx_extract_fold(text, gs, ge, f, sizeof f);
        unit = strncmp(f, "mois", 4) == 0   ? 'M'
               : strncmp(f, "sem", 3) == 0  ? 'W'
               : strncmp(f, "jour", 4) == 0 ? 'D'
               : strncmp(f, "an", 2) == 0   ? 'Y'
                                            : 0;
        if (!unit)
            return -1; /* « trimestre suivant »: the reference's */
    }
    int known =
        last->year && (unit == 'Y' || last->month) && (unit == 'Y' || unit == 'M' || last->day);
    if (!known) {
        if (!meme && strcmp(mark, "unitrel") == 0)
            return -1;
        (void)ref;
        set_value(m, "%s",
                  unit == 'Y'   ? "XXXX"
                  : unit == 'M' ? "XXXX-XX"
                  : unit == 'W' ? "XXXX-WXX"
                                : "XXXX-XX-XX");
        return 1;
    }
    struct pdx_ymd d = *last;
    switch (unit) {
    case 'Y':
        format_ymd(m, d.year + sign, 0, 0);
        break;
    case 'M':
        d.month += sign;
        if (d.month < 1)
            d.month = 12, d.year--;
        if (d.month > 12)
            d.month = 1, d.year++;
        format_ymd(m, d.year, d.month, 0);
        break;
    case 'W': {
        int wy, wn;
        pdx_ymd_add_days(&d, 7 * sign);
        iso_week(d.year, d.month, d.day, &wy, &wn);
        set_value(m, "%04d-W%02d", wy, wn);
        m->ymd.year = 0;
        break;
    }
    default:
        pdx_ymd_add_days(&d, sign);
        format_ymd(m, d.year, d.month, d.day);
    }
    return 1;
}

/* Tries a date expression at the word [ws, we). Fills up to two mentions in m (two for a
 * range); *wd_out is the weekday of a day-month without a year (-1 otherwise). Returns
 * the number of mentions, 0 when none, -1 on a limit error. */
static int match_date(struct pdx_extractor *ex, const char *text, size_t len, size_t ws, size_t we,
                      const struct date_ctx *c, struct pdx_date_mention m[2], int *wd_out,
                      int *explicit_year)
{
    const pcre2_code *re = ex->dates->re;
    struct pdx_extraction *out = (struct pdx_extraction *)c->out;
    size_t gs, ge, ps, pe;
    *wd_out = -1;
    *explicit_year = 0;
    memset(m, 0, 2 * sizeof *m);
    int digit = text[ws] >= '0' && text[ws] <= '9';
    if (digit && number_context_bad(text, ws))
        return 0;
    int rc = pdx_re_match(ex, re, text, len, ws, out);
    if (rc < 0)
        return rc == -1 ? -1 : 0;
    if (rc == 0)
        goto bare_year;
    const size_t *ov = pdx_re_ovector(ex);
    const char *mark = pdx_re_mark(ex);
    m[0].start = ov[0];
    m[0].end = ov[1];
    m[0].type = PDX_TIMEX_DATE;
    const struct pdx_ymd *ref = c->has_ref ? &c->ref : NULL;

    if (strcmp(mark, "iso") == 0 || strcmp(mark, "num") == 0) {
        int iso = mark[0] == 'i';
        int y = 0, mo = 0, d = 0;
        if (G(iso ? "iy" : "ny"))
            y = digits_value(text, gs, ge), y = (ge - gs == 2) ? 2000 + y : y;
        if (G(iso ? "im" : "nm"))
            mo = digits_value(text, gs, ge);
        if (G(iso ? "id" : "nd"))
            d = digits_value(text, gs, ge);
        if (mo < 1 || mo > 12 || d < 1 || d > pdx_days_in_month(y, mo) || y < 1800 || y > 2199)
            return 0;
        /* « 1.5.25 » is too ambiguous without a 4-digit year unless slashes */
        if (!iso && G("ny") && ge - gs == 2 && G("sp") && text[gs] == '.')
            return 0;
        format_ymd(&m[0], y, mo, d);
        *explicit_year = 1;
        if (G(iso ? "ih" : "hh")) {
            int hh = digits_value(text, gs, ge), mi = 0;
            if (G(iso ? "imi" : "mi"))
                mi = digits_value(text, gs, ge);
            m[0].type = PDX_TIMEX_TIME;
            set_value(&m[0], "%04d-%02d-%02dT%02d:%02d", y, mo, d, hh, mi);
        }
        return 1;
    }
    if (strcmp(mark, "dm") == 0) {
        int mo = 0, y = 0, wd = -1, d1 = 0, d2 = 0;
        size_t d1e = 0;
        if (G("mo"))
            mo = month_of(text, gs, ge);
        if (G("d1"))
            d1 = day_of(text, gs, ge), d1e = ge;
        if (G("y"))
            y = digits_value(text, gs, ge), *explicit_year = 1;
        if (G("wd"))
            wd = weekday_of(text, gs, ge);
        int range = G("d2");
        size_t s2 = 0;
        if (range) {
            d2 = day_of(text, gs, ge);
            s2 = gs;
            if (G("wd2"))
                s2 = gs; /* the second weekday starts the second mention */
            if (d2 <= d1)
                range = 0;
        }
        if (mo == 0 || d1 < 1 || d1 > 31)
            return 0;
        if (!y && ref)
            y = infer_year(ref->year, mo, range ? d2 : d1, wd);
        if (y && d1 > pdx_days_in_month(y, mo))
            return 0;
        if (!y && !ref && wd >= 0)
            *wd_out = wd;
        int hh = -1, mi = 0;
        if (G("hh")) {
            hh = digits_value(text, gs, ge);
            if (G("mi"))
                mi = digits_value(text, gs, ge);
        }
        if (range) {
            m[1] = m[0];
            m[0].end = d1e;
            m[1].start = s2;
            format_ymd(&m[0], y, mo, d1);
            format_ymd(&m[1], y, mo, d2);
            m[0].range = PDX_RANGE_BEGIN;
            m[1].range = PDX_RANGE_END;
            return 2;
        }
        format_ymd(&m[0], y, mo, d1);
        if (hh >= 0) {
            m[0].type = PDX_TIMEX_TIME;
            if (y)
                set_value(&m[0], "%04d-%02d-%02dT%02d:%02d", y, mo, d1, hh, mi);
            else
                set_value(&m[0], "XXXX-%02d-%02dT%02d:%02d", mo, d1, hh, mi);
        }
        return 1;
    }
    if (strcmp(mark, "yr") == 0) {
        int ya = 0, yb = 0;
        size_t as = 0, ae = 0;
        if (G("ya"))
            ya = digits_value(text, gs, ge), as = gs, ae = ge;
        if (G("yb"))
            yb = digits_value(text, gs, ge);
        if (yb <= ya || yb - ya > 100 || ya < 1900 || followed_by_unit(text, len, ge))
            goto bare_year;
        m[1] = m[0];
        m[0].start = as;
        m[0].end = ae;
        m[1].start = gs;
        format_ymd(&m[0], ya, 0, 0);
        format_ymd(&m[1], yb, 0, 0);
        m[0].range = PDX_RANGE_BEGIN;
        m[1].range = PDX_RANGE_END;
        *explicit_year = 1;
        return 2;
    }
    if (strcmp(mark, "my") == 0 || strcmp(mark, "modyear") == 0) {
        int mo = G("mo") ? month_of(text, gs, ge) : 0;
        int y = G("y") ? digits_value(text, gs, ge) : 0;
        format_ymd(&m[0], y, mo, 0);
        *explicit_year = 1;
        return 1;
    }
    if (strcmp(mark, "q") == 0 || strcmp(mark, "tq") == 0) {
        int n = 1, sem = 0;
        if (G("ord")) {
            char f[16];
            pdx_extract_fold(text, gs, ge, f, sizeof f);
            n = (f[0] == 'p' || f[0] == '1')                  ? 1
                : (f[0] == 'd' || f[0] == 's' || f[0] == '2') ? 2
                : (f[0] == 't' || f[0] == '3')                ? 3
                                                              : 4;
            if (G("qs"))
                sem = (text[gs] | 0x20) == 's';
        } else if (G("tq")) {
            n = text[gs + 1] - '0';
            sem = (text[gs] | 0x20) == 's';
        }
        if (sem && n > 2)
            return 0;
        int y = G("y") ? digits_value(text, gs, ge) : (ref ? ref->year : 0);
        if (y)
            set_value(&m[0], "%04d-%c%d", y, sem ? 'H' : 'Q', n);
        else
            set_value(&m[0], "XXXX-%c%d", sem ? 'H' : 'Q', n);
        m[0].ymd.year = y;
        return 1;
    }
    if (strcmp(mark, "cent") == 0) {
        if (!G("cent"))
            return 0;
        int n = (text[gs] >= '0' && text[gs] <= '9') ? digits_value(text, gs, ge)
                                                     : roman_value(text, gs, ge);
        /* Roman numerals must be written in capitals (« vie siècle » is not one) */
        if (!(text[gs] >= '0' && text[gs] <= '9') && (text[gs] < 'A' || text[gs] > 'Z'))
            return 0;
        if (n < 1 || n > 22)
            return 0;
        set_value(&m[0], "%02d", n - 1);
        return 1;
    }
    if (strcmp(mark, "dec") == 0) {
        if (!G("dec"))
            return 0;
        int v = digits_value(text, gs, ge);
        if (ge - gs == 2)
            v += 1900;
        set_value(&m[0], "%03d", v / 10);
        return 1;
    }
    if (strcmp(mark, "meme") == 0 || strcmp(mark, "anakw") == 0 ||
        (strcmp(mark, "unitrel") == 0 && G("rel") && anaphoric_rel(text, gs, ge))) {
        int r = match_anaphoric(ex, re, text, mark, &c->last, ref, &m[0]);
        if (r >= 0)
            return r;
    }
    if (strcmp(mark, "modunit") == 0) {
        int sign = 0;
        char f[16];
        if (G("rel")) {
            pdx_extract_fold(text, gs, ge, f, sizeof f);
            sign = strncmp(f, "en", 2) == 0 ? 0 : rel_sign(text, gs, ge);
        }
        if (!G("unit"))
            return 0;
        pdx_extract_fold(text, gs, ge, f, sizeof f);
        if (strncmp(f, "mois", 4) == 0)
            return relative_month(&m[0], ref, sign);
        if (ref)
            format_ymd(&m[0], ref->year + sign, 0, 0);
        else
            set_value(&m[0], "XXXX");
        return 1;
    }
    if (strcmp(mark, "dem") == 0 || strcmp(mark, "unitrel") == 0) {
        int sign = 0;
        if (G("rel"))
            sign = rel_sign(text, gs, ge);
        if (!G("unit"))
            return 0;
        char f[16];
        pdx_extract_fold(text, gs, ge, f, sizeof f);
        size_t us = gs, ue = ge;
        (void)us;
        (void)ue;
        if (f[0] == 'e' || f[0] == 'h' || f[0] == 'p' || (f[0] == 'a' && f[1] == 'u')) {
            const char *sc = season_code(text, gs, ge);
            int y = ref ? season_year(sc, ref, sign) : 0;
            if (y)
                set_value(&m[0], "%04d-%s", y, sc);
            else
                set_value(&m[0], "XXXX-%s", sc);
            m[0].ymd.year = y;
            return 1;
        }
        if (strncmp(f, "jour", 4) == 0) {
            if (sign)
                return 0; /* « jour suivant » is not anchored to the reference */
            if (ref)
                format_ymd(&m[0], ref->year, ref->month, ref->day);
            else
                set_value(&m[0], "PRESENT_REF");
            return 1;
        }
        if (strncmp(f, "siec", 4) == 0) {
            if (ref)
                set_value(&m[0], "%02d", (ref->year - 1) / 100 + sign);
            else
                set_value(&m[0], "XX");
            return 1;
        }
        if (strncmp(f, "week", 4) == 0 || strncmp(f, "sem", 3) == 0) {
            int semestre = strncmp(f, "semes", 5) == 0;
            if (!ref) {
                set_value(&m[0], semestre ? "XXXX-HX" : "XXXX-WXX");
                return 1;
            }
            if (semestre) {
                int h = ref->month <= 6 ? 1 : 2, y = ref->year;
                h += sign;
                if (h < 1)
                    h = 2, y--;
                if (h > 2)
                    h = 1, y++;
                set_value(&m[0], "%04d-H%d", y, h);
                m[0].ymd.year = y;
                return 1;
            }
            struct pdx_ymd d = *ref;
            pdx_ymd_add_days(&d, 7 * sign);
            int wy, wn;
            iso_week(d.year, d.month, d.day, &wy, &wn);
            set_value(&m[0], "%04d-W%02d%s", wy, wn, f[0] == 'w' ? "-WE" : "");
            return 1;
        }
        if (strncmp(f, "trim", 4) == 0) {
            if (!ref) {
                set_value(&m[0], "XXXX-QX");
                return 1;
            }
            int q = (ref->month - 1) / 3 + 1 + sign, y = ref->year;
            if (q < 1)
                q = 4, y--;
            if (q > 4)
                q = 1, y++;
            set_value(&m[0], "%04d-Q%d", y, q);
            m[0].ymd.year = y;
            return 1;
        }
        if (strncmp(f, "mois", 4) == 0)
            return relative_month(&m[0], ref, sign);
        /* année, an */
        if (strcmp(mark, "dem") == 0 && strcmp(f, "an") == 0)
            return 0; /* « ce an » is not French */
        if (ref)
            format_ymd(&m[0], ref->year + sign, 0, 0);
        else
            set_value(&m[0], "XXXX");
        return 1;
    }
    if (strcmp(mark, "kw") == 0) {
        char f[24];
        if (!G("kw"))
            return 0;
        pdx_extract_fold(text, gs, ge, f, sizeof f);
        int delta = strncmp(f, "aujourd", 7) == 0 ? 0
                    : strcmp(f, "hier") == 0      ? -1
                    : strncmp(f, "avant", 5) == 0 ? -2
                    : strcmp(f, "demain") == 0    ? 1
                                                  : 2;
        if (delta == 0) {
            set_value(&m[0], "PRESENT_REF");
            return 1;
        }
        /* « hier » must not be the end of « avant-hier » split by the scanner */
        if (ref) {
            struct pdx_ymd d = *ref;
            pdx_ymd_add_days(&d, delta);
            format_ymd(&m[0], d.year, d.month, d.day);
        } else {
            set_value(&m[0], "%s", delta < 0 ? "PAST_REF" : "FUTURE_REF");
        }
        return 1;
    }
    if (strcmp(mark, "recent") == 0) {
        if (!G("cunit"))
            return 0;
        char u = unit_of(text, gs, ge);
        m[0].type = PDX_TIMEX_DURATION;
        format_duration(&m[0], "X", u == 'S' ? 'M' : u);
        /* « ces dernières années » keeps its demonstrative */
        if (pdx_prev_word(text, m[0].start, &ps, &pe) && m[0].start - pe <= 2 &&
            pdx_word_is(text, ps, pe, "ces"))
            m[0].start = ps;
        return 1;
    }
    if (strcmp(mark, "set") == 0 || strcmp(mark, "setadj") == 0) {
        m[0].type = PDX_TIMEX_SET;
        char n[16] = "1", frac[8];
        if (G("sn"))
            snprintf(n, sizeof n, "%d", number_of(text, gs, ge, frac, sizeof frac));
        if (!G("su") && !G("adj"))
            return 0;
        int wd = weekday_of(text, gs, ge);
        if (wd >= 0) {
            set_value(&m[0], "XXXX-WXX-%d", wd + 1);
            return 1;
        }
        char u = unit_of(text, gs, ge);
        if (u == 'm' || u == 's') {
            set_value(&m[0], "%s", u == 'm' ? "TMO" : "TEV");
            return 1;
        }
        if (strcmp(mark, "setadj") == 0) {
            char f[24];
            pdx_extract_fold(text, gs, ge, f, sizeof f);
            if (strncmp(f, "trim", 4) == 0)
                u = 'M', snprintf(n, sizeof n, "3");
            else if (strncmp(f, "sem", 3) == 0)
                u = 'M', snprintf(n, sizeof n, "6");
        }
        format_duration(&m[0], n, u);
        return 1;
    }
    if (strcmp(mark, "dur") == 0) {
        char frac[8], n[24];
        if (!G("num"))
            return 0;
        size_t ns = gs, ne = ge;
        int v = number_of(text, ns, ne, frac, sizeof frac);
        if (v == 0 && !frac[0])
            return 0;
        if (!G("du"))
            return 0;
        char u = unit_of(text, gs, ge);
        int one = !(text[ns] >= '0' && text[ns] <= '9') && v == 1;
        /* « un jour » (some day), « une semaine de … » are rarely durations */
        if (one && u == 'D')
            return 0;
        if (u == 'H' && pdx_prev_word(text, ws, &ps, &pe) && pdx_word_is(text, ps, pe, "a")) {
            m[0].type = PDX_TIMEX_TIME;
            set_value(&m[0], "XXXX-XX-XXT%02d:00", v);
            return v <= 23 ? 1 : 0;
        }
        if (frac[0])
            snprintf(n, sizeof n, "%d.%s", v, frac);
        else
            snprintf(n, sizeof n, "%d", v);
        m[0].type = PDX_TIMEX_DURATION;
        format_duration(&m[0], n, u);
        return 1;
    }
    if (strcmp(mark, "time") == 0) {
        int hh = G("th") ? digits_value(text, gs, ge) : 0;
        int mi = G("tm") ? digits_value(text, gs, ge) : 0;
        m[0].type = PDX_TIMEX_TIME;
        set_value(&m[0], "XXXX-XX-XXT%02d:%02d", hh, mi);
        return 1;
    }
    if (strcmp(mark, "season") == 0) {
        int y = 0, sign = 0;
        const char *sc = G("se") ? season_code(text, gs, ge) : "SU";
        if (G("y")) {
            y = digits_value(text, gs, ge);
            *explicit_year = 1;
        } else {
            if (G("rel"))
                sign = rel_sign(text, gs, ge);
            else if (!pdx_prev_word(text, ws, &ps, &pe) || !pdx_word_in(text, ps, pe, season_preps))
                return 0; /* « a été » */
            if (ref)
                y = season_year(sc, ref, sign);
        }
        if (y)
            set_value(&m[0], "%04d-%s", y, sc);
        else
            set_value(&m[0], "XXXX-%s", sc);
        m[0].ymd.year = y;
        return 1;
    }
    if (strcmp(mark, "mo") == 0) {
        int mo = G("mo") ? month_of(text, gs, ge) : 0;
        int lower = G("mo") && !(text[gs] >= 'A' && text[gs] <= 'Z');
        int has_mod = G("mod");
        int sign = 0;
        if (G("rel"))
            sign = rel_sign(text, gs, ge);
        if (!lower && !has_mod)
            return 0; /* « Mars », « Avril » alone are names */
        if (!sign && !has_mod) {
            if (!pdx_prev_word(text, ws, &ps, &pe) || !pdx_word_in(text, ps, pe, month_preps))
                return 0;
            if (pdx_word_is(text, ps, pe, "mois") && ws - pe < 5)
                return 0; /* only « mois de mai » — handled by the preposition « de » */
        }
        int y = 0;
        if (ref) {
            y = ref->year;
            if (sign < 0 && mo >= ref->month)
                y--;
            if (sign > 0 && mo <= ref->month)
                y++;
        }
        format_ymd(&m[0], y, mo, 0);
        return 1;
    }
    if (strcmp(mark, "wd") == 0) {
        int wd = G("wd") ? weekday_of(text, gs, ge) : -1;
        int sign = 0;
        if (wd < 0)
            return 0;
        if (G("rel"))
            sign = rel_sign(text, gs, ge);
        if (!ref) {
            set_value(&m[0], "XXXX-WXX-%d", wd + 1);
            return 1;
        }
        int rwd = pdx_weekday(ref->year, ref->month, ref->day);
        int delta = wd - rwd;
        if (sign < 0 && delta >= 0)
            delta -= 7;
        else if (sign > 0 && delta <= 0)
            delta += 7;
        else if (!sign && delta > 3)
            delta -= 7;
        else if (!sign && delta < -3)
            delta += 7;
        struct pdx_ymd d = *ref;
        pdx_ymd_add_days(&d, delta);
        format_ymd(&m[0], d.year, d.month, d.day);
        return 1;
    }

bare_year:
    if (!digit || we - ws != 4)
        return 0;
    {
        int y = digits_value(text, ws, we);
        if (y < 1900 || y > 2100 || number_continues(text, len, we) ||
            followed_by_unit(text, len, we))
            return 0;
        /* a year right after a letter or digit group (« CSU2030 ») cannot start a word
         * here; « 2000 » alone is more often a quantity than a year */
        if (y == 2000 && !(pdx_prev_word(text, ws, &ps, &pe) &&
                           pdx_word_in(text, ps, pe,
                                       (const char *const[]){"en", "an", "depuis", "annee", NULL})))
            return 0;
        memset(m, 0, sizeof *m);
        m[0].start = ws;
        m[0].end = we;
        m[0].type = PDX_TIMEX_DATE;
        format_ymd(&m[0], y, 0, 0);
        *explicit_year = 1;
        return 1;
    }
}

#undef G

/* Does [s, e) contain four digits in a row (a year)? */
static int year_written(const char *text, size_t s, size_t e)
{
    int run = 0;
    for (size_t i = s; i < e; i++) {
        run = (text[i] >= '0' && text[i] <= '9') ? run + 1 : 0;
        if (run == 4)
            return 1;
    }
    return 0;
}

/* The day-month dates of a range that lack a year take the year of the date that closes
 * the range (« du 21 mars au 2 avril 2017 »). */
static void inherit_range_years(const char *text, struct pdx_extraction *out, size_t first)
{
    for (size_t i = first; i + 1 < out->n_dates; i++) {
        struct pdx_date_mention *a = &out->dates[i], *b = &out->dates[i + 1];
        if (!a->ymd.month || !a->ymd.day || !b->ymd.year || !b->ymd.month || !b->ymd.day ||
            a->range != PDX_RANGE_NONE || year_written(text, a->start, a->end))
            continue;
        size_t gap = b->start - a->end;
        if (gap > 6)
            continue;
        char f[16];
        pdx_extract_fold(text, a->end, b->start, f, sizeof f);
        if (!strstr(f, "au") && !strchr(f, '-') && !strstr(f, "et") && !strstr(f, " a "))
            continue;
        int y = b->ymd.year - (a->ymd.month > b->ymd.month ? 1 : 0);
        format_ymd(a, y, a->ymd.month, a->ymd.day);
        a->range = PDX_RANGE_BEGIN;
        b->range = PDX_RANGE_END;
    }
}

int pdx_dates_extract(struct pdx_extractor *ex, const char *text, size_t len,
                      struct pdx_extraction *out)
{
    struct date_ctx c = {out, out->ref_source != PDX_REF_NONE, out->ref_date, {0, 0, 0}};
    size_t pos = 0, ws, we, first = out->n_dates;
    struct pending *pend = NULL;
    size_t npend = 0, cappend = 0;
    int anchor = 0, rc = 0;
    for (size_t ci = 0; ci < ex->ncands; ci++) {
        ws = ex->cands[ci].ws;
        we = ex->cands[ci].we;
        if (ws < pos || !(ex->cands[ci].flags & PDX_KEY_DATE))
            continue;
        struct pdx_date_mention m[2];
        int wd, explicit_year;
        int n = match_date(ex, text, len, ws, we, &c, m, &wd, &explicit_year);
        if (n <= 0)
            continue;
        for (int i = 0; i < n; i++) {
            if (explicit_year && m[i].ymd.year && m[i].range != PDX_RANGE_END &&
                m[i].ymd.year > anchor)
                anchor = m[i].ymd.year;
            if (wd >= 0) {
                if (npend == cappend) {
                    size_t nc = cappend ? cappend * 2 : 8;
                    struct pending *np = realloc(pend, nc * sizeof *np);
                    if (!np) {
                        rc = PDX_EXTRACT_ENOMEM;
                        goto done;
                    }
                    pend = np;
                    cappend = nc;
                }
                pend[npend].idx = out->n_dates;
                pend[npend].wd = wd;
                npend++;
            }
            if (pdx_push_date(out, &m[i])) {
                rc = PDX_EXTRACT_ENOMEM;
                goto done;
            }
            if ((m[i].type == PDX_TIMEX_DATE || m[i].type == PDX_TIMEX_TIME) && m[i].ymd.year)
                c.last = m[i].ymd;
        }
        if (m[n - 1].end > pos)
            pos = m[n - 1].end;
    }
    /* Without a reference date, a weekday still fixes the year of « lundi 4 novembre »:
     * the one nearest the latest year the text states. */
    for (size_t i = 0; i < npend && anchor; i++) {
        struct pdx_date_mention *d = &out->dates[pend[i].idx];
        int y = infer_year(anchor, d->ymd.month, d->ymd.day, pend[i].wd);
        if (y) {
            int time = d->type == PDX_TIMEX_TIME;
            char t[8] = "";
            if (time)
                snprintf(t, sizeof t, "%s", strchr(d->value, 'T') ? strchr(d->value, 'T') : "");
            format_ymd(d, y, d->ymd.month, d->ymd.day);
            if (time)
                set_value(d, "%04d-%02d-%02d%s", y, d->ymd.month, d->ymd.day, t);
        }
    }
    inherit_range_years(text, out, first);
done:
    free(pend);
    return rc;
}

/* ---- the document's own date -------------------------------------------------------------- */

#define DOC_HEAD_LINES 12
#define DOC_HEAD_BYTES 4096

/* Is line [s, e) made of a full date only (optionally after « le », a weekday …)? */
int pdx_find_doc_date(struct pdx_extractor *ex, const char *text, size_t len, struct pdx_ymd *outd,
                      size_t *start, size_t *end)
{
    static const char *const cues[] = {"mis a jour", "mise a jour", "publie", "publication",
                                       "modifie",    "actualise",   "date :", "date de",
                                       "cree le",    NULL};
    if (ex->dates == NULL)
        return 0; /* built without the dates' extractor */
    struct pdx_extraction scratch = {0};
    struct date_ctx c = {&scratch, 0, {0, 0, 0}, {0, 0, 0}};
    size_t ls = 0, lines = 0;
    int found = 0;
    size_t limit = len < DOC_HEAD_BYTES ? len : DOC_HEAD_BYTES;
    while (ls < limit && lines < DOC_HEAD_LINES && !found) {
        size_t le = ls;
        while (le < len && text[le] != '\n')
            le++;
        size_t pos = ls, ws, we, nwords = 0, first_ws = 0;
        int cue = 0, dateline = 0;
        char f[96];
        size_t fl = pdx_extract_fold(text, ls, le < ls + 80 ? le : ls + 80, f, sizeof f);
        for (const char *const *q = cues; *q && fl; q++)
            if (strstr(f, *q))
                cue = 1;
        /* « Paris, le 3 mai 2017 » */
        const char *comma = memchr(text + ls, ',', le - ls);
        if (comma && comma - (text + ls) < 40 && text[ls] >= 'A' && text[ls] <= 'Z') {
            /* a place: at most three capitalised words before the comma */
            size_t p2 = ls, s2, e2, nw = 0;
            dateline = 1;
            while (pdx_next_word(text, (size_t)(comma - text), &p2, &s2, &e2))
                if (++nw > 3 || !(text[s2] >= 'A' && text[s2] <= 'Z'))
                    dateline = 0;
        }
        int nonblank = 0;
        while (pdx_next_word(text, le, &pos, &ws, &we)) {
            if (!nwords++)
                first_ws = ws;
            nonblank = 1;
            /* a full date starts with a digit, a weekday or « premier »: trying the
             * pattern at other words only costs time */
            if (!(text[ws] >= '0' && text[ws] <= '9') && !maybe_day_word(text, ws, we))
                continue;
            /* a date past the second word of a line without a cue or a dateline can be
             * neither alone on its line nor near a cue: not the document's date */
            if (!cue && !dateline && nwords > 2)
                break;
            struct pdx_date_mention m[2];
            int wd, explicit_year;
            int n = match_date(ex, text, le, ws, we, &c, m, &wd, &explicit_year);
            if (n != 1 || !m[0].ymd.year || !m[0].ymd.month || !m[0].ymd.day)
                continue;
            /* the line must be nothing but the date, or carry a cue or a dateline */
            size_t tail = m[0].end;
            while (tail < le && (text[tail] == ' ' || text[tail] == '\r' || text[tail] == '.' ||
                                 text[tail] == '\t' || text[tail] == '-' || text[tail] == ':'))
                tail++;
            int alone = (ws == first_ws ||
                         (nwords <= 2 && pdx_prev_word(text, ws, &first_ws, &we) &&
                          pdx_word_in(text, first_ws, we, (const char *const[]){"le", NULL}))) &&
                        tail >= le;
            int near = m[0].start - ls <= 40;
            if (dateline && comma) {
                /* only « le » may stand between the comma and the date */
                size_t k = (size_t)(comma - text) + 1;
                char between[16];
                size_t bl = m[0].start > k && m[0].start - k < sizeof between
                                ? pdx_extract_fold(text, k, m[0].start, between, sizeof between)
                                : 99;
                dateline = bl == 99 ? 0
                                    : (strspn(between, " ") == bl ||
                                       strcmp(between + strspn(between, " "), "le ") == 0);
            }
            if (alone || (near && (cue || dateline))) {
                *outd = m[0].ymd;
                if (start)
                    *start = m[0].start;
                if (end)
                    *end = m[0].end;
                found = 1;
            }
            break;
        }
        if (nonblank)
            lines++;
        ls = le + 1;
    }
    return found;
}
