/*
 * test_extract_dates.c — the date extractor on hand-written French sentences.
 *
 * Each case is a sentence and the mentions expected in it, as (surface, value) pairs in
 * text order; the expected byte span is where the surface first occurs after the
 * previous expected mention, so the tables stay readable. A case without expected
 * mentions is a near-miss that must not match. Unless said otherwise, relative dates
 * resolve against the reference date 2025-12-02 (a Tuesday).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "extract_cases.h"
#include "pdx_extract.h"

struct date_case {
    const char *text;
    struct expect e[4];
};

static const struct date_case cases[] = {
    /* absolute dates */
    {"La réunion s'est tenue le 21 octobre 2025 à Paris.", {{"21 octobre 2025", "2025-10-21"}}},
    {"Il est né le 1er mai 1990 à Lyon.", {{"1er mai 1990", "1990-05-01"}}},
    {"Le 14 juillet 1789, la Bastille est prise.", {{"14 juillet 1789", "1789-07-14"}}},
    {"Le 3 mai 2017, le rapport a été publié.", {{"3 mai 2017", "2017-05-03"}}},
    {"Signé le 30 avril 2025 par les deux parties.", {{"30 avril 2025", "2025-04-30"}}},
    {"vendredi 13 juin 2025 : ouverture du congrès", {{"vendredi 13 juin 2025", "2025-06-13"}}},
    {"Ce mercredi 1er novembre 2023, dix accords.", {{"mercredi 1er novembre 2023", "2023-11-01"}}},
    {"le 1er janvier 2026, la loi entre en vigueur", {{"1er janvier 2026", "2026-01-01"}}},
    {"Le texte du 31 décembre 2020 est abrogé.", {{"31 décembre 2020", "2020-12-31"}}},
    {"publié le 21 oct. 2025", {{"21 oct. 2025", "2025-10-21"}}},
    {"Rendez-vous le 12 sept. 2024 à Genève.", {{"12 sept. 2024", "2024-09-12"}}},
    {"Le 26 juin 2023, rencontre bilatérale.", {{"26 juin 2023", "2023-06-26"}}},
    {"Le 7 avril 2025, les autorités ont signé.", {{"7 avril 2025", "2025-04-07"}}},
    {"L'accord du 29 mai 1993 reste en vigueur.", {{"29 mai 1993", "1993-05-29"}}},
    {"le 2 août 2024, l'épidémie s'étend", {{"2 août 2024", "2024-08-02"}}},
    {"le 15 février 2022", {{"15 février 2022", "2022-02-15"}}},
    {"le 9 décembre 2021", {{"9 décembre 2021", "2021-12-09"}}},
    /* numeric and ISO */
    {"Mis à jour le 02/12/2025", {{"02/12/2025", "2025-12-02"}}},
    {"Date de publication : 2024-03-15.", {{"2024-03-15", "2024-03-15"}}},
    {"Le formulaire daté du 15/07/2023 est valable.", {{"15/07/2023", "2023-07-15"}}},
    {"Séance du 2.12.2025 au Sénat.", {{"2.12.2025", "2025-12-02"}}},
    {"horodatage 2025-10-21T09:45 enregistré", {{"2025-10-21T09:45", "2025-10-21T09:45"}}},
    {"le 05/03/24, la commission a statué", {{"05/03/24", "2024-03-05"}}},
    /* day and month without a year: the reference year */
    {"Le 1er novembre, dix accords ont été signés.", {{"1er novembre", "2025-11-01"}}},
    {"le 2 juillet, la délégation arrive", {{"2 juillet", "2025-07-02"}}},
    {"jusqu'au 31 décembre prochain", {{"31 décembre", "2025-12-31"}}},
    /* a weekday fixes the year */
    {"Ce lundi 4 novembre, la ministre a reçu son homologue.",
     {{"lundi 4 novembre", "2024-11-04"}}},
    {"Ce mercredi 1er novembre, le président était à Astana.",
     {{"mercredi 1er novembre", "2023-11-01"}}},
    /* ranges: two mentions */
    {"Du 21 au 23 mars 2017, à Bruxelles.", {{"21", "2017-03-21"}, {"23 mars 2017", "2017-03-23"}}},
    {"Réunion à Bruxelles, 21-23 mars 2017",
     {{"21", "2017-03-21"}, {"23 mars 2017", "2017-03-23"}}},
    {"les 17 et 18 octobre, un congrès", {{"17", "2025-10-17"}, {"18 octobre", "2025-10-18"}}},
    {"la stratégie de la France en santé mondiale (2023-2027)",
     {{"2023", "2023"}, {"2027", "2027"}}},
    {"un programme de sept pays en 2011/2012", {{"2011", "2011"}, {"2012", "2012"}}},
    {"entre 2015 et 2020, le nombre a doublé", {{"2015", "2015"}, {"2020", "2020"}}},
    {"de 2015 à 2020, le nombre a doublé", {{"2015", "2015"}, {"2020", "2020"}}},
    {"du 21 mars au 2 avril 2017", {{"21 mars", "2017-03-21"}, {"2 avril 2017", "2017-04-02"}}},
    /* months and years */
    {"en février 2025, l'ambassade a sollicité l'hôpital", {{"février 2025", "2025-02"}}},
    {"La déclaration de mai 2021 reste la référence.", {{"mai 2021", "2021-05"}}},
    {"Lors de la visite à Astana en novembre 2023.", {{"novembre 2023", "2023-11"}}},
    {"début septembre 2025, une mission conjointe", {{"début septembre 2025", "2025-09"}}},
    {"mi-mars 2024, le rapport sera rendu", {{"mi-mars 2024", "2024-03"}}},
    {"fin décembre 2025, une pathologiste viendra", {{"fin décembre 2025", "2025-12"}}},
    {"une délégation est accueillie en avril", {{"avril", "2025-04"}}},
    {"depuis janvier, les cas augmentent", {{"janvier", "2025-01"}}},
    {"lancée en novembre dernier par le président", {{"novembre dernier", "2025-11"}}},
    {"en janvier dernier, le plan a été adopté", {{"janvier dernier", "2025-01"}}},
    {"en mars prochain, la loi sera votée", {{"mars prochain", "2026-03"}}},
    {"En 2011, l'OMS a conclu un accord.", {{"2011", "2011"}}},
    {"d'ici à 2030, l'accès sera universel", {{"2030", "2030"}}},
    {"adoptés par l'ONU en 2015.", {{"2015", "2015"}}},
    {"fin 2025, le projet sera livré", {{"fin 2025", "2025"}}},
    {"mi-2024, les résultats sont connus", {{"mi-2024", "2024"}}},
    {"Depuis 1998, le réseau grandit.", {{"1998", "1998"}}},
    {"l'an 2000 a marqué les esprits", {{"2000", "2000"}}},
    /* seasons, quarters, centuries, decades */
    {"au printemps 2025, une campagne", {{"printemps 2025", "2025-SP"}}},
    {"l'été 2024 a été chaud", {{"été 2024", "2024-SU"}}},
    {"à l'automne, la campagne reprend", {{"automne", "2025-FA"}}},
    {"l'été dernier, la chaleur a tué", {{"été dernier", "2025-SU"}}},
    {"cet hiver, la grippe revient", {{"cet hiver", "2025-WI"}}},
    {"au premier trimestre 2025, les dépenses", {{"premier trimestre 2025", "2025-Q1"}}},
    {"au deuxième semestre 2024", {{"deuxième semestre 2024", "2024-H2"}}},
    {"T1 2025 : résultats", {{"T1 2025", "2025-Q1"}}},
    {"au troisième trimestre, la hausse", {{"troisième trimestre", "2025-Q3"}}},
    {"au XXIe siècle, la santé mondiale", {{"XXIe siècle", "20"}}},
    {"au XIXe siècle, les épidémies", {{"XIXe siècle", "18"}}},
    {"dans les années 1990, le sida", {{"années 1990", "199"}}},
    {"depuis les années 90", {{"années 90", "199"}}},
    /* relative to the reference date */
    {"Hier, le ministre a signé.", {{"Hier", "2025-12-01"}}},
    {"demain, la délégation repart", {{"demain", "2025-12-03"}}},
    {"avant-hier, la réunion", {{"avant-hier", "2025-11-30"}}},
    {"après-demain, le vote", {{"après-demain", "2025-12-04"}}},
    {"Aujourd'hui, les maladies chroniques progressent.", {{"Aujourd'hui", "PRESENT_REF"}}},
    {"ce centre n’existant pas aujourd’hui au Kazakhstan", {{"aujourd’hui", "PRESENT_REF"}}},
    {"Cette année, le budget augmente.", {{"Cette année", "2025"}}},
    {"L'an prochain, la coopération sera renforcée.", {{"an prochain", "2026"}}},
    {"l'année dernière, le déficit", {{"année dernière", "2024"}}},
    {"le mois prochain, la loi", {{"mois prochain", "2026-01"}}},
    {"ce mois-ci, les urgences", {{"ce mois-ci", "2025-12"}}},
    {"la semaine dernière, l'alerte", {{"semaine dernière", "2025-W48"}}},
    {"la semaine prochaine, le vote", {{"semaine prochaine", "2025-W50"}}},
    {"La commission se réunira mardi.", {{"mardi", "2025-12-02"}}},
    {"lundi prochain, la grève", {{"lundi prochain", "2025-12-08"}}},
    {"jeudi dernier, le ministre", {{"jeudi dernier", "2025-11-27"}}},
    /* durations */
    {"pendant cinq ans, le programme", {{"cinq ans", "P5Y"}}},
    {"La réunion de trois jours a abordé des points critiques.", {{"trois jours", "P3D"}}},
    {"depuis 10 ans, la mortalité baisse", {{"10 ans", "P10Y"}}},
    {"au cours de ces dernières années, la coopération", {{"ces dernières années", "PXY"}}},
    {"en l'espace de ces derniers mois seulement", {{"ces derniers mois", "PXM"}}},
    {"depuis quelques mois, les cas", {{"quelques mois", "PXM"}}},
    {"depuis plusieurs années", {{"plusieurs années", "PXY"}}},
    {"d'ici cinq ans, la moitié", {{"cinq ans", "P5Y"}}},
    {"pendant 24 heures, le service", {{"24 heures", "PT24H"}}},
    {"un séjour de deux semaines", {{"deux semaines", "P2W"}}},
    {"un contrat de six mois", {{"six mois", "P6M"}}},
    {"une décennie de réformes", {{"une décennie", "P1DE"}}},
    {"un an après la signature", {{"un an", "P1Y"}}},
    {"vingt-cinq ans de coopération", {{"vingt-cinq ans", "P25Y"}}},
    {"1,5 an de retard", {{"1,5 an", "P1.5Y"}}},
    /* sets */
    {"La feuille de route est revue tous les ans.", {{"tous les ans", "P1Y"}}},
    {"chaque année, le rapport est publié", {{"chaque année", "P1Y"}}},
    {"un rapport annuel sur la santé", {{"annuel", "P1Y"}}},
    {"sa rencontre technique annuelle interpays", {{"annuelle", "P1Y"}}},
    {"tous les deux ans, une évaluation", {{"tous les deux ans", "P2Y"}}},
    {"10 000 patients par an", {{"par an", "P1Y"}}},
    {"une réunion mensuelle", {{"mensuelle", "P1M"}}},
    {"un point hebdomadaire", {{"hebdomadaire", "P1W"}}},
    {"les données sont transmises quotidiennement", {{"quotidiennement", "P1D"}}},
    {"chaque lundi, une permanence", {{"chaque lundi", "XXXX-WXX-1"}}},
    /* times */
    {"la conférence commence à 10h30", {{"10h30", "XXXX-XX-XXT10:30"}}},
    {"le 21 octobre 2025 à 14 h, la séance", {{"21 octobre 2025 à 14 h", "2025-10-21T14:00"}}},
    {"ouverture à 9 heures précises", {{"9 heures", "XXXX-XX-XXT09:00"}}},
    {"rendez-vous à 14:30", {{"14:30", "XXXX-XX-XXT14:30"}}},
    /* near-misses: nothing here is a date */
    {"Le Partenariat soutient actuellement 28 pays.", {{NULL, NULL}}},
    {"Le taux atteint 10,5 % en moyenne.", {{NULL, NULL}}},
    {"Voir l'article L. 1411-1 du code de la santé publique.", {{NULL, NULL}}},
    {"Le décret n° 2017-1141 précise les modalités.", {{NULL, NULL}}},
    {"la loi n° 2016-41 de modernisation", {{NULL, NULL}}},
    {"le décret n° 2021- 1394 et la loi n°\u00a02020", {{NULL, NULL}}},
    {"Appelez le 01 45 67 89 00 pour un rendez-vous.", {{NULL, NULL}}},
    {"Le Pr Jean-François Émile a présenté ses travaux.", {{NULL, NULL}}},
    {"La planète Mars est visible ce soir-là.", {{NULL, NULL}}},
    {"Avril Lavigne chantera à Paris.", {{NULL, NULL}}},
    {"Elle a été nommée directrice.", {{NULL, NULL}}},
    {"Les 2000 personnes accueillies sont satisfaites.", {{NULL, NULL}}},
    {"Le budget est de 2025 euros.", {{NULL, NULL}}},
    {"Les ODD sont un ensemble de 17 objectifs.", {{NULL, NULL}}},
    {"Il habite au 12 rue de la Paix.", {{NULL, NULL}}},
    {"Le covid-19 a frappé durement.", {{NULL, NULL}}},
    {"un volet opérationnel de la CSU2030", {{NULL, NULL}}},
    {"Une étude sur 1 500 patients.", {{NULL, NULL}}},
    {"Le point 2.3.1 du rapport est clair.", {{NULL, NULL}}},
    {"Le premier ministre a parlé.", {{NULL, NULL}}},
    {"un jour, peut-être, la paix", {{NULL, NULL}}},
    {"Elle mesure 1,80 m.", {{NULL, NULL}}},
    {"sept pays ont rejoint le programme", {{NULL, NULL}}},
    {"Le score passe de 3 à 5.", {{NULL, NULL}}},
    {"La déclaration conjointe (art.10) le dit.", {{NULL, NULL}}},
    {"La part atteint 2030 mètres.", {{NULL, NULL}}},
    /* Held-out style: sentences written like ministry, ARS, HAS and WHO releases, not
     * taken from the seed documents. */
    {"Le ministère a annoncé, le jeudi 6 mars 2025, un plan contre les déserts médicaux.",
     {{"jeudi 6 mars 2025", "2025-03-06"}}},
    {"La campagne de vaccination se déroulera du 15 octobre 2025 au 31 janvier 2026.",
     {{"15 octobre 2025", "2025-10-15"}, {"31 janvier 2026", "2026-01-31"}}},
    {"En 2019, la HAS a publié ses recommandations. La même année, l'ARS a ouvert trois "
     "centres.",
     {{"2019", "2019"}, {"même année", "2019"}}},
    {"Le décret est paru en mars 2024 ; le mois suivant, les premières aides ont été versées.",
     {{"mars 2024", "2024-03"}, {"mois suivant", "2024-04"}}},
    {"En 2022, 1 500 médecins ont quitté l'hôpital ; l'année suivante, ils étaient 2 000.",
     {{"2022", "2022"}, {"année suivante", "2023"}}},
    {"La loi a été votée le 4 mars 2002. Le jour même, le ministre l'a saluée.",
     {{"4 mars 2002", "2002-03-04"}, {"jour même", "2002-03-04"}}},
    {"Au quatrième trimestre 2024, les dépenses de santé ont progressé de 3,2 %.",
     {{"quatrième trimestre 2024", "2024-Q4"}}},
    {"Santé publique France publie chaque semaine un bulletin épidémiologique.",
     {{"chaque semaine", "P1W"}}},
    {"Le dispositif sera évalué au bout de dix-huit mois.", {{"dix-huit mois", "P18M"}}},
    {"Entre 2010 et 2020, l'espérance de vie a augmenté de deux ans.",
     {{"2010", "2010"}, {"2020", "2020"}, {"deux ans", "P2Y"}}},
    {"Le XXe siècle a vu l'essor de la santé publique.", {{"XXe siècle", "19"}}},
    {"Une nouvelle enquête sera lancée à l'automne 2026.", {{"automne 2026", "2026-FA"}}},
    {"Les résultats seront publiés d'ici la fin de l'année.", {{"fin de l'année", "2025"}}},
    {"Depuis le 1er juillet 2024, les pharmaciens peuvent prescrire certains antibiotiques.",
     {{"1er juillet 2024", "2024-07-01"}}},
    {"Le Ségur de la santé, lancé le 25 mai 2020, a duré sept semaines.",
     {{"25 mai 2020", "2020-05-25"}, {"sept semaines", "P7W"}}},
    {"Les données couvrent les années 2015 à 2022.", {{"2015", "2015"}, {"2022", "2022"}}},
    {"La réforme entrera en vigueur au second semestre 2026.",
     {{"second semestre 2026", "2026-H2"}}},
    {"Cet été, les urgences de plusieurs hôpitaux ont dû fermer la nuit.",
     {{"Cet été", "2025-SU"}}},
    {"Tous les trois mois, les ARS transmettent leurs indicateurs.",
     {{"Tous les trois mois", "P3M"}}},
    {"Depuis trois semaines, la circulation du virus s'intensifie.", {{"trois semaines", "P3W"}}},
    {"Le 12/03/2024, l'ANSM a suspendu l'autorisation du médicament.",
     {{"12/03/2024", "2024-03-12"}}},
    {"La conférence aura lieu lundi 8 décembre à 9h30 au ministère.",
     {{"lundi 8 décembre à 9h30", "2025-12-08T09:30"}}},
    {"Au début des années 2000, la France a créé les agences régionales.",
     {{"années 2000", "200"}}},
    {"Le troisième plan cancer couvre la période 2014-2019.", {{"2014", "2014"}, {"2019", "2019"}}},
    {"Fin novembre, l'épidémie de grippe a franchi le seuil d'alerte.",
     {{"Fin novembre", "2025-11"}}},
    {"Les premières doses seront livrées mi-janvier 2026.", {{"mi-janvier 2026", "2026-01"}}},
    {"La loi du 26 janvier 2016 de modernisation de notre système de santé.",
     {{"26 janvier 2016", "2016-01-26"}}},
    {"La grippe saisonnière a causé 9 000 décès l'hiver dernier.", {{"hiver dernier", "2024-WI"}}},
    {"Le plan sera présenté dans les prochaines semaines.", {{"prochaines semaines", "PXW"}}},
    {"Le 8 avril dernier, l'OMS a déclaré la fin de l'épidémie.", {{"8 avril", "2025-04-08"}}},
    {"Ce vendredi, la Haute Autorité de santé rendra son avis.", {{"vendredi", "2025-12-05"}}},
    {"Le comité se réunit deux fois par an depuis 2018.", {{"par an", "P1Y"}, {"2018", "2018"}}},
    {"Le taux d'incidence a doublé en une semaine.", {{"une semaine", "P1W"}}},
    {"Le 31 décembre 2025 à minuit, le dispositif prendra fin.",
     {{"31 décembre 2025", "2025-12-31"}}},
    /* held-out near-misses */
    {"Le décret n° 2024-1234 du 28 décembre 2024 fixe les tarifs.",
     {{"28 décembre 2024", "2024-12-28"}}},
    {"L'article L. 6111-1 du code de la santé publique est modifié.", {{NULL, NULL}}},
    {"Le forfait s'élève à 1 250 euros par patient.", {{NULL, NULL}}},
    {"28 pays européens ont signé la déclaration commune.", {{NULL, NULL}}},
    {"Pour tout renseignement, appelez le 01 40 56 60 00.", {{NULL, NULL}}},
    {"Mai Nguyen, directrice de l'ARS, a présenté le plan régional.", {{NULL, NULL}}},
    {"Les 2 500 lits supplémentaires seront ouverts progressivement.", {{NULL, NULL}}},
    {"Le taux de couverture vaccinale atteint 56,2 % chez les soignants.", {{NULL, NULL}}},
    {"L'arrêté n° 2023-117 précise la liste des spécialités.", {{NULL, NULL}}},
    {"Le budget de 2 030 millions d'euros a été voté.", {{NULL, NULL}}},
    {"Rendez-vous au 15 rue des Lilas pour la permanence.", {{NULL, NULL}}},
    {"Le programme 2024 de l'Union européenne pour la santé est doté de 750 millions.",
     {{"2024", "2024"}}},
};

static int run_case(struct pdx_extractor *ex, const struct date_case *c, const struct pdx_ymd *ref)
{
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(ex, c->text, strlen(c->text), ref, PDX_EXTRACT_DATES, &x), 0);
    struct found got[64];
    size_t ngot = 0;
    for (size_t i = 0; i < x.n_dates && ngot < 64; i++, ngot++)
        got[ngot] = (struct found){x.dates[i].start, x.dates[i].end, x.dates[i].value};
    int bad = expect_mentions(c->text, "dates", got, ngot, c->e, 4, 0);
    pdx_extraction_free(&x);
    return bad;
}

static void test_dates_table_sentences(void **state)
{
    struct pdx_ymd ref = {2025, 12, 2};
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad += run_case(*state, &cases[i], &ref);
    printf("dates: %zu sentences, %d wrong\n", sizeof cases / sizeof cases[0], bad);
    assert_int_equal(bad, 0);
}

static void test_dates_types_are_timex3(void **state)
{
    static const char t[] = "pendant cinq ans, tous les ans, le 3 mai 2017 à 10 h";
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_DATES, &x), 0);
    assert_int_equal(x.n_dates, 3);
    assert_int_equal(x.dates[0].type, PDX_TIMEX_DURATION);
    assert_int_equal(x.dates[1].type, PDX_TIMEX_SET);
    assert_int_equal(x.dates[2].type, PDX_TIMEX_TIME);
    assert_string_equal(x.dates[2].value, "2017-05-03T10:00");
    assert_int_equal(x.dates[2].ymd.year, 2017);
    assert_int_equal(x.dates[2].ymd.month, 5);
    assert_int_equal(x.dates[2].ymd.day, 3);
    pdx_extraction_free(&x);
}

static void test_dates_without_reference_stay_unresolved(void **state)
{
    static const char t[] = "Le 1er novembre, hier, en avril, cette année et mardi.";
    static const char *const want[] = {"XXXX-11-01", "PAST_REF", "XXXX-04", "XXXX", "XXXX-WXX-2"};
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_DATES, &x), 0);
    assert_int_equal(x.ref_source, PDX_REF_NONE);
    assert_int_equal(x.n_dates, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(x.dates[i].value, want[i]);
    assert_int_equal(x.dates[0].ymd.year, 0);
    assert_int_equal(x.dates[0].ymd.month, 11);
    pdx_extraction_free(&x);
}

static void test_dates_weekday_uses_years_of_the_text(void **state)
{
    /* no reference: the weekday and the latest year stated choose 2024 */
    static const char t[] = "Ce lundi 4 novembre, la ministre a reçu son homologue, venu "
                            "en novembre 2023 à Paris.";
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_DATES, &x), 0);
    assert_int_equal(x.n_dates, 2);
    assert_string_equal(x.dates[0].value, "2024-11-04");
    pdx_extraction_free(&x);
}

static void test_dates_document_date_is_reference(void **state)
{
    static const char t[] = "Mis à jour le 02/12/2025\n\nHier, la délégation est arrivée.";
    struct pdx_extraction x = {0};
    struct pdx_ymd d;
    size_t s, e;
    assert_int_equal(pdx_find_doc_date(*state, t, strlen(t), &d, &s, &e), 1);
    assert_int_equal(d.year, 2025);
    assert_int_equal(d.month, 12);
    assert_int_equal(d.day, 2);
    assert_int_equal(s, strstr(t, "02/12") - t);
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_ALL, &x), 0);
    assert_int_equal(x.ref_source, PDX_REF_DOCUMENT);
    assert_int_equal(x.has_doc_date, 1);
    assert_int_equal(x.n_dates, 2);
    assert_string_equal(x.dates[1].value, "2025-12-01");
    pdx_extraction_free(&x);
}

static void test_dates_document_date_forms(void **state)
{
    static const char *const yes[] = {"3 mai 2017\n\nRéunion du cinquième anniversaire",
                                      "Paris, le 21 octobre 2025\nCommuniqué",
                                      "Titre\nPublié le 7 avril 2025 à 10h\nTexte"};
    static const char *const no[] = {
        "Titre\nAu cours de ces dernières années, le 26 juin 2023, une rencontre.",
        "Titre\n\nLe Kazakhstan et l'OMS ont signé, ce lundi 7 avril 2025, un accord."};
    struct pdx_ymd d;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(pdx_find_doc_date(*state, yes[i], strlen(yes[i]), &d, NULL, NULL), 1);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(pdx_find_doc_date(*state, no[i], strlen(no[i]), &d, NULL, NULL), 0);
}

static void test_dates_range_roles(void **state)
{
    static const char t[] = "(2023-2027)";
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_DATES, &x), 0);
    assert_int_equal(x.n_dates, 2);
    assert_int_equal(x.dates[0].range, PDX_RANGE_BEGIN);
    assert_int_equal(x.dates[1].range, PDX_RANGE_END);
    pdx_extraction_free(&x);
}

static void test_dates_invalid_utf8_is_refused(void **state)
{
    static const char t[] = "le 3 mai \xff 2017";
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_ALL, &x),
                     PDX_EXTRACT_EINVAL);
    pdx_extraction_free(&x);
}

static void test_dates_ymd_parse(void **state)
{
    struct pdx_ymd d;
    (void)state;
    assert_int_equal(pdx_ymd_parse("2024-02-29", &d), 0);
    assert_int_equal(pdx_ymd_parse("2025-02-29", &d), -1);
    assert_int_equal(pdx_ymd_parse("2025-1-2", &d), -1);
    assert_int_equal(pdx_ymd_parse("2025-12-02x", &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_table_sentences),
        cmocka_unit_test(test_dates_types_are_timex3),
        cmocka_unit_test(test_dates_without_reference_stay_unresolved),
        cmocka_unit_test(test_dates_weekday_uses_years_of_the_text),
        cmocka_unit_test(test_dates_document_date_is_reference),
        cmocka_unit_test(test_dates_document_date_forms),
        cmocka_unit_test(test_dates_range_roles),
        cmocka_unit_test(test_dates_invalid_utf8_is_refused),
        cmocka_unit_test(test_dates_ymd_parse),
    };
    return cmocka_run_group_tests(tests, extract_setup, extract_teardown);
}
