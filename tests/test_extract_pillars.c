/*
 * test_extract_pillars.c — the pillar extractor on hand-written sentences and lists.
 *
 * Each case is a text and the pillar mentions expected in it, as (surface, id) pairs in
 * start order; the expected byte span is where the surface first occurs after the
 * previous expected mention's start. A case without expected mentions must not match.
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

struct pillar_case {
    const char *text;
    struct expect e[5];
};

static const struct pillar_case cases[] = {
    {"Renforcer les soins de santé primaires est une priorité.",
     {{"soins de santé primaires", "soins-primaires"}}},
    {"parvenir à la couverture sanitaire universelle (CSU)",
     {{"couverture sanitaire universelle", "csu"}, {"CSU", "csu"}}},
    {"les Objectifs de développement durable (ODD)",
     {{"Objectifs de développement durable", "odd"}, {"ODD", "odd"}}},
    {"la lutte contre les maladies non transmissibles", {{"maladies non transmissibles", "mnt"}}},
    {"le dépistage du cancer du sein", {{"dépistage", "prevention"}, {"cancer", "cancer"}}},
    {"La santé mentale des jeunes se dégrade.", {{"santé mentale", "sante-mentale"}}},
    {"le numérique en santé et la télémédecine",
     {{"numérique en santé", "numerique-sante"}, {"télémédecine", "numerique-sante"}}},
    {"la santé reproductive et la mortalité maternelle",
     {{"santé reproductive", "sante-reproductive"},
      {"mortalité maternelle", "sante-reproductive"}}},
    {"la préparation et la réponse aux crises sanitaires",
     {{"préparation et la réponse aux crises sanitaires", "crises-sanitaires"}}},
    {"la prévention et la promotion de la santé",
     {{"prévention", "prevention"}, {"promotion de la santé", "prevention"}}},
    {"les ressources humaines en santé manquent", {{"ressources humaines en santé", "rhs"}}},
    {"le renforcement des systèmes de santé",
     {{"renforcement des systèmes de santé", "systemes-sante"}}},
    {"l'approche « Une seule santé »", {{"Une seule santé", "one-health"}}},
    {"l'approche One Health gagne du terrain", {{"One Health", "one-health"}}},
    {"la production locale de produits de santé",
     {{"production locale de produits de santé", "production-locale"}}},
    {"la gouvernance hospitalière évolue",
     {{"gouvernance hospitalière", "gouvernance-hospitaliere"}}},
    {"Les soins primaires restent fragiles.", {{"soins primaires", "soins-primaires"}}},
    {"vers la couverture santé universelle", {{"couverture santé universelle", "csu"}}},
    {"l'oncologie pédiatrique progresse", {{"oncologie", "cancer"}}},
    {"la télésanté rurale", {{"télésanté", "numerique-sante"}}},
    {"pendant la pandémie, les hôpitaux", {{"pandémie", "crises-sanitaires"}}},
    {"la vaccination des enfants", {{"vaccination", "prevention"}}},
    {"renforcer durablement les systèmes de santé nationaux",
     {{"renforcer durablement les systèmes de santé", "systemes-sante"}}},
    {"la psychiatrie publique", {{"psychiatrie", "sante-mentale"}}},
    {"la souveraineté sanitaire de l'Afrique", {{"souveraineté sanitaire", "production-locale"}}},
    {"les maladies chroniques progressent", {{"maladies chroniques", "mnt"}}},
    {"le développement de l'e-santé", {{"e-santé", "numerique-sante"}}},
    {"face aux crises sanitaires", {{"crises sanitaires", "crises-sanitaires"}}},
    {"renforcer les soins de proximité", {{"soins de proximité", "soins-primaires"}}},
    {"des systèmes de santé résilients", {{"systèmes de santé résilients", "systemes-sante"}}},
    {"l'intégration de la santé dans toutes les politiques",
     {{"santé dans toutes les politiques", "prevention"}}},
    {"la couverture de santé universelle", {{"couverture de santé universelle", "csu"}}},
    {"la santé maternelle et infantile", {{"santé maternelle et infantile", "sante-reproductive"}}},
    {"un accord sur la télémédecine", {{"télémédecine", "numerique-sante"}}},
    {"les activités de RSS au niveau national", {{"RSS", "systemes-sante"}}},
    /* theme words inside institution names, and near-misses */
    {"L'Institut national du cancer (INCa) publie.", {{NULL, NULL}}},
    {"La Coalition mondiale des pays pour les soins de santé primaires.", {{NULL, NULL}}},
    {"Le Partenariat pour la CSU se réunit.", {{NULL, NULL}}},
    {"Le système de santé est performant.", {{NULL, NULL}}},
    {"la santé publique et l'hôpital", {{NULL, NULL}}},
    {"les soins hospitaliers coûtent cher", {{NULL, NULL}}},
    {"Il faut prévenir plutôt que guérir.", {{NULL, NULL}}},
    {"Une csu en minuscules n'est pas un sigle.", {{NULL, NULL}}},
    {"Les chiffres de 2025 sont stables.", {{NULL, NULL}}},
    /* declared lists */
    {"La déclaration présente trois piliers :\n\n  • Le renforcement des soins de santé "
     "primaires ;\n  • La santé mentale ;\n  • La coopération universitaire.\n",
     {{"renforcement des soins de santé primaires", "soins-primaires"},
      {"santé mentale", "sante-mentale"},
      {"coopération universitaire", "cooperation-universitaire"}}},
    {"Le plan comporte quatre axes :\n- la prévention ;\n- la vaccination.\n",
     {{"prévention", "prevention"}, {"vaccination", "prevention"}}},
    {"Nos priorités :\n1. Le cancer\n2. La santé numérique\n",
     {{"cancer", "cancer"}, {"santé numérique", "numerique-sante"}}},
    {"Parmi celles-ci :\n  • en février, la santé mentale des jeunes\n",
     {{"santé mentale", "sante-mentale"}}},
    {"Pour exemple, quatre accords sont axés sur l'oncologie :\n  • Accord de coopération "
     "en télémédecine\n",
     {{"oncologie", "cancer"}, {"télémédecine", "numerique-sante"}}},
    {"les champs de coopération suivants :\n  • Les maladies non transmissibles, en "
     "particulier le cancer.\n",
     {{"maladies non transmissibles, en particulier le cancer", "mnt"}, {"cancer", "cancer"}}},
    /* Held-out style: sentences written like ministry, ARS, HAS and WHO releases, not
     * taken from the seed documents. */
    {"La stratégie nationale de santé mentale et de psychiatrie prévoit trente mesures.",
     {{"santé mentale", "sante-mentale"}, {"psychiatrie", "sante-mentale"}}},
    {"Le gouvernement veut renforcer l'accès aux soins primaires dans les territoires ruraux.",
     {{"soins primaires", "soins-primaires"}}},
    {"Le plan vise à mieux préparer les hôpitaux aux futures crises sanitaires.",
     {{"crises sanitaires", "crises-sanitaires"}}},
    {"L'OMS appelle à accélérer la couverture sanitaire universelle d'ici à 2030.",
     {{"couverture sanitaire universelle", "csu"}}},
    {"Le dépistage organisé des cancers colorectaux reste insuffisant.",
     {{"dépistage", "prevention"}, {"cancers", "cancer"}}},
    {"La téléconsultation s'est généralisée pendant la crise sanitaire.",
     {{"téléconsultation", "numerique-sante"}, {"crise sanitaire", "crises-sanitaires"}}},
    {"Les ministres ont rappelé l'importance de l'approche « Une seule santé » face aux "
     "zoonoses.",
     {{"Une seule santé", "one-health"}}},
    {"La production locale de vaccins en Afrique est une priorité de l'Union africaine.",
     {{"production locale de vaccins", "production-locale"}}},
    {"Les maladies cardiovasculaires restent la première cause de mortalité chez les femmes.",
     {{"maladies cardiovasculaires", "mnt"}}},
    {"Le plan s'articule autour de trois axes : la prévention, l'accès aux soins et la santé "
     "numérique.",
     {{"prévention", "prevention"},
      {"accès aux soins", "acces-soins"},
      {"santé numérique", "numerique-sante"}}},
    {"La mortalité infantile a reculé de 20 % en dix ans.",
     {{"mortalité infantile", "sante-reproductive"}}},
    {"Le programme soutient la formation des professionnels de santé et la lutte contre la "
     "pénurie de médecins.",
     {{"formation des professionnels de santé", "rhs"}, {"pénurie de médecins", "rhs"}}},
    {"La réforme du système de santé engagée en 2019 se poursuit.",
     {{"réforme du système de santé", "systemes-sante"}}},
    {"Les infirmiers contribuent à l'accès aux soins de premier recours.",
     {{"soins de premier recours", "soins-primaires"}}},
    {"La feuille de route comporte quatre priorités : santé mentale ; cancers pédiatriques ; "
     "numérique en santé ; attractivité des métiers.",
     {{"santé mentale", "sante-mentale"},
      {"cancers pédiatriques", "cancer"},
      {"numérique en santé", "numerique-sante"},
      {"attractivité des métiers", "attractivite-metiers"}}},
    {"La campagne de vaccination contre les papillomavirus reprend à la rentrée.",
     {{"vaccination", "prevention"}}},
    {"L'épidémie de bronchiolite pèse sur les services pédiatriques.",
     {{"épidémie", "crises-sanitaires"}}},
    /* held-out near-misses */
    {"Le système de santé français est souvent cité en exemple.", {{NULL, NULL}}},
    {"La ministre déléguée chargée de la Santé mentale a présenté la feuille de route.",
     {{NULL, NULL}}},
    {"Le ministre de la Santé et de la Prévention a visité le CHU.", {{NULL, NULL}}},
    {"Le secrétaire d'État chargé de la Prévention s'est rendu à Lille.", {{NULL, NULL}}},
    {"La Ligue contre le cancer organise une collecte.", {{NULL, NULL}}},
    {"Le Centre international de recherche sur le cancer a publié une monographie.",
     {{NULL, NULL}}},
    {"Les ressources de l'hôpital sont limitées.", {{NULL, NULL}}},
};

static int run_case(struct pdx_extractor *ex, const struct pillar_case *c)
{
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(ex, c->text, strlen(c->text), NULL, PDX_EXTRACT_ALL, &x), 0);
    struct found got[64];
    size_t ngot = 0;
    for (size_t i = 0; i < x.n_pillars && ngot < 64; i++, ngot++)
        got[ngot] = (struct found){x.pillars[i].start, x.pillars[i].end, x.pillars[i].id};
    int bad = expect_mentions(c->text, "pillars", got, ngot, c->e, 5, 1);
    pdx_extraction_free(&x);
    return bad;
}

static void test_pillars_table_sentences(void **state)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad += run_case(*state, &cases[i]);
    printf("pillars: %zu texts, %d wrong\n", sizeof cases / sizeof cases[0], bad);
    assert_int_equal(bad, 0);
}

static void test_pillars_list_items_are_marked(void **state)
{
    static const char t[] = "Trois axes :\n• La coopération universitaire ;\n• La santé mentale.\n";
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_ALL, &x), 0);
    assert_int_equal(x.n_pillars, 2);
    assert_int_equal(x.pillars[0].from_list, 1);
    assert_string_equal(x.pillars[0].label, "coopération universitaire");
    assert_string_equal(x.pillars[1].label, "Santé mentale");
    pdx_extraction_free(&x);
}

static void test_pillars_user_taxonomy(void **state)
{
    static const char user[] = "sante-environnement | Santé environnementale | "
                               "santé environnementale; déterminant* .. environnement*\n";
    static const char t[] = "l'impact de déterminants environnementaux sur la santé";
    struct pdx_extractor_options o = {0};
    char err[256];
    struct pdx_extraction x = {0};
    (void)state;
    o.pillars = user;
    o.pillars_len = strlen(user);
    struct pdx_extractor *ex = pdx_extractor_new(&o, NULL, err, sizeof err);
    assert_non_null(ex);
    assert_int_equal(pdx_extract(ex, t, strlen(t), NULL, PDX_EXTRACT_ALL, &x), 0);
    assert_int_equal(x.n_pillars, 1);
    assert_string_equal(x.pillars[0].id, "sante-environnement");
    assert_int_equal(x.pillars[0].end - x.pillars[0].start,
                     strlen("déterminants environnementaux"));
    pdx_extraction_free(&x);
    pdx_extractor_free(ex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pillars_table_sentences),
        cmocka_unit_test(test_pillars_list_items_are_marked),
        cmocka_unit_test(test_pillars_user_taxonomy),
    };
    return cmocka_run_group_tests(tests, extract_setup, extract_teardown);
}
