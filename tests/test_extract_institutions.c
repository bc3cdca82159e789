/*
 * test_extract_institutions.c — the institution extractor on hand-written sentences.
 *
 * Each case is a sentence and the mentions expected in it, as (surface, id) pairs in
 * text order; the expected byte span is where the surface first occurs after the
 * previous expected mention. A case without expected mentions is a near-miss (people,
 * places, months, generic nouns, sentence-initial capitals) that must not match.
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

struct inst_case {
    const char *text;
    struct expect e[5];
};

static const struct inst_case cases[] = {
    {"Le Kazakhstan et l'Organisation mondiale de la santé (OMS) ont signé un accord.",
     {{"Organisation mondiale de la santé", "oms"}, {"OMS", "oms"}}},
    {"En d'autres termes, l'OMS jouera un rôle d'appui.", {{"OMS", "oms"}}},
    {"L'OMS (Organisation mondiale de la santé) publie un rapport.",
     {{"OMS", "oms"}, {"Organisation mondiale de la santé", "oms"}}},
    {"La directrice de l'École des hautes études en santé publique (EHESP) était là.",
     {{"École des hautes études en santé publique", "ehesp"}, {"EHESP", "ehesp"}}},
    {"Une délégation a visité l'Hôpital européen Georges-Pompidou (HEGP).",
     {{"Hôpital européen Georges-Pompidou", "hegp"}, {"HEGP", "hegp"}}},
    {"L'AP-HP est très engagée dans la coopération.", {{"AP-HP", "aphp"}}},
    {"Un accord entre l'Institut Curie et C3Medical a été signé.",
     {{"Institut Curie", "institut-curie"}, {"C3Medical", "c3medical"}}},
    {"la rectrice de l'Université de médecine de Karaganda",
     {{"Université de médecine de Karaganda", "universite-medecine-karaganda"}}},
    {"Le ministère de la Santé et de l'Accès aux soins a publié un communiqué.",
     {{"ministère de la Santé et de l'Accès aux soins", "ministere-sante"}}},
    {"La Coalition mondiale des pays pour les soins de santé primaires a été lancée.",
     {{"Coalition mondiale des pays pour les soins de santé primaires", "coalition-ssp"}}},
    {"L'Union européenne a ajouté sept pays.", {{"Union européenne", "union-europeenne"}}},
    {"la direction des relations internationales (DRI) de l'AP-HP ; la DRI a organisé",
     {{"direction des relations internationales", "direction-relations-internationales"},
      {"DRI", "direction-relations-internationales"},
      {"AP-HP", "aphp"},
      {"DRI", "direction-relations-internationales"}}},
    {"La Haute Autorité de santé (HAS) recommande le dépistage.",
     {{"Haute Autorité de santé", "has"}, {"HAS", "has"}}},
    {"Santé publique France a publié son bulletin.",
     {{"Santé publique France", "sante-publique-france"}}},
    {"L'Inserm et le CNRS coopèrent.", {{"Inserm", "inserm"}, {"CNRS", "cnrs"}}},
    {"L'Institut Pasteur de Dakar produit des vaccins.",
     {{"Institut Pasteur de Dakar", "institut-pasteur-dakar"}}},
    {"Le CHU de Bordeaux a ouvert un service.", {{"CHU de Bordeaux", "chu-bordeaux"}}},
    {"Il travaille au centre hospitalier de Valenciennes depuis un an.",
     {{"centre hospitalier de Valenciennes", "centre-hospitalier-valenciennes"}}},
    {"L'Agence nationale de sécurité du médicament et des produits de santé (ANSM) agit.",
     {{"Agence nationale de sécurité du médicament et des produits de santé", "ansm"},
      {"ANSM", "ansm"}}},
    {"Le Fonds mondial de lutte contre le sida, la tuberculose et le paludisme finance.",
     {{"Fonds mondial de lutte contre le sida, la tuberculose et le paludisme", "fonds-mondial"}}},
    {"l'ambassade du Kazakhstan en France sollicite l'hôpital",
     {{"ambassade du Kazakhstan", "ambassade-kazakhstan"}}},
    {"la Banque mondiale et le FMI s'accordent",
     {{"Banque mondiale", "banque-mondiale"}, {"FMI", "fmi"}}},
    {"L'Université Paris Cité accueille des étudiants.",
     {{"Université Paris Cité", "universite-paris-cite"}}},
    {"Sanofi a investi dans la production locale.", {{"Sanofi", "sanofi"}}},
    {"Le Conseil d'État a rejeté le recours.", {{"Conseil d'État", "conseil-etat"}}},
    {"La Cour des comptes publie un rapport.", {{"Cour des comptes", "cour-des-comptes"}}},
    {"les agences régionales de santé (ARS) pilotent l'offre",
     {{"agences régionales de santé", "ars"}, {"ARS", "ars"}}},
    {"la visite de l'hôpital Cochin – Port-Royal AP-HP",
     {{"hôpital Cochin – Port-Royal", "hopital-cochin"}, {"AP-HP", "aphp"}}},
    {"Médecins sans frontières intervient au Soudan.", {{"Médecins sans frontières", "msf"}}},
    {"L'Agence française de développement (AFD) finance le projet.",
     {{"Agence française de développement", "afd"}, {"AFD", "afd"}}},
    {"L'ONU a adopté 17 objectifs en 2015.", {{"ONU", "onu"}}},
    {"l'Institut kazakh de recherche en oncologie et radiologie (Kazior)",
     {{"Institut kazakh de recherche en oncologie et radiologie", "kazior"}, {"Kazior", "kazior"}}},
    {"le \"Centre National Scientifique d'Oncologie\" (NROC)",
     {{"Centre National Scientifique d'Oncologie", "nroc"}, {"NROC", "nroc"}}},
    {"La Direction générale de la santé a diffusé une alerte.",
     {{"Direction générale de la santé", "dgs"}}},
    {"La Commission européenne et le Parlement européen négocient.",
     {{"Commission européenne", "commission-europeenne"},
      {"Parlement européen", "parlement-europeen"}}},
    {"L'Assemblée nationale a voté la loi.", {{"Assemblée nationale", "assemblee-nationale"}}},
    {"L'Organisation mondiale de la Santé a conclu un accord avec l'Union européenne.",
     {{"Organisation mondiale de la Santé", "oms"}, {"Union européenne", "union-europeenne"}}},
    {"Le Partenariat pour la CSU a tenu sa rencontre.",
     {{"Partenariat pour la CSU", "partenariat-csu"}}},
    {"Elle est rectrice de l'Université Laval, au Québec.",
     {{"Université Laval", "universite-laval"}}},
    {"Le Haut Conseil de la santé publique (HCSP) recommande un rappel.",
     {{"Haut Conseil de la santé publique", "hcsp"}, {"HCSP", "hcsp"}}},
    {"La Caisse nationale de l'assurance maladie rembourse.",
     {{"Caisse nationale de l'assurance maladie", "cnam"}}},
    {"Le ministère kazakhstanais de la Santé a signé.",
     {{"ministère kazakhstanais de la Santé", "ministere-sante-kazakhstan"}}},
    {"La Fédération hospitalière de France (FHF) alerte.",
     {{"Fédération hospitalière de France", "fhf"}, {"FHF", "fhf"}}},
    {"Expertise France pilote le projet.", {{"Expertise France", "expertise-france"}}},
    {"rapporte Astana Times ce matin", {{"Astana Times", "astana-times"}}},
    {"L'ANRS soutient la recherche.", {{"ANRS", "anrs"}}},
    {"Unitaid et Gavi financent les vaccins.", {{"Unitaid", "unitaid"}, {"Gavi", "gavi"}}},
    {"le service de cardiologie de l'Hôpital européen Georges-Pompidou se rend à Almaty",
     {{"Hôpital européen Georges-Pompidou", "hegp"}}},
    {"un partenariat avec le centre cardiologique d'Almaty ; une délégation",
     {{"centre cardiologique d'Almaty", "centre-cardiologique-almaty"}}},
    {"la Direction générale du développement de l'Union européenne",
     {{"Direction générale du développement de l'Union européenne",
       "direction-generale-developpement-union-europeenne"}}},
    {"Logo Ministère de la Santé et de la Prévention",
     {{"Ministère de la Santé et de la Prévention", "ministere-sante"}}},
    {"le ministère de l'Europe et des Affaires étrangères ; une rencontre",
     {{"ministère de l'Europe et des Affaires étrangères", "meae"}}},
    {"L'Institut national du cancer (INCa) publie ses chiffres.",
     {{"Institut national du cancer", "inca"}, {"INCa", "inca"}}},
    {"la Fondation Bill et Melinda Gates soutient la vaccination",
     {{"Fondation Bill et Melinda Gates", "fondation-gates"}}},
    {"L'hôpital Ambroise-Paré AP-HP accueille une pathologiste.",
     {{"hôpital Ambroise-Paré", "hopital-ambroise-pare"}, {"AP-HP", "aphp"}}},
    {"un volet opérationnel de la CSU2030", {{"CSU2030", "csu2030"}}},
    /* near-misses */
    {"Geneviève Darrieussecq, ministre de la Santé, a reçu le vice-ministre.", {{NULL, NULL}}},
    {"Le Pr Jean-François Émile a participé au congrès.", {{NULL, NULL}}},
    {"un nouveau centre de référence en orthopédie au Kazakhstan", {{NULL, NULL}}},
    {"Centre de gravité du projet, la prévention reste centrale.", {{NULL, NULL}}},
    {"En novembre, Paris a accueilli la conférence.", {{NULL, NULL}}},
    {"Mars et Avril sont des prénoms.", {{NULL, NULL}}},
    {"Le président de la République a souhaité accélérer.", {{NULL, NULL}}},
    {"Le Partenariat vise à renforcer les capacités nationales.", {{NULL, NULL}}},
    {"Le laboratoire d'analyse a fermé ses portes.", {{NULL, NULL}}},
    {"Le Luxembourg finance le programme.", {{NULL, NULL}}},
    {"la création d'un fonds public d'assurance médicale obligatoire", {{NULL, NULL}}},
    {"des centres de formation et de recherche", {{NULL, NULL}}},
    {"plus d'une trentaine de ministères de la santé", {{NULL, NULL}}},
    {"La Stratégie de coopération pays (SCP) fixe les priorités.", {{NULL, NULL}}},
    {"Les Objectifs de Développement Durable (ODD) sont universels.", {{NULL, NULL}}},
    {"Emmanuel Macron et Kassym-Jomart Tokaïev ont signé.", {{NULL, NULL}}},
    {"Une organisation efficace des soins est nécessaire.", {{NULL, NULL}}},
    {"Union des forces : tel est le mot d'ordre.", {{NULL, NULL}}},
    /* Held-out style: sentences written like ministry, ARS, HAS and WHO releases, not
     * taken from the seed documents. */
    {"L'ARS Île-de-France a lancé un appel à projets pour les centres de santé.",
     {{"ARS Île-de-France", "ars-ile-de-france"}}},
    {"L'Agence régionale de santé Auvergne-Rhône-Alpes renforce la permanence des soins.",
     {{"Agence régionale de santé Auvergne-Rhône-Alpes", "ars-auvergne-rhone-alpes"}}},
    {"La Haute Autorité de santé et l'Agence nationale de sécurité du médicament (ANSM) ont "
     "publié un avis commun.",
     {{"Haute Autorité de santé", "has"},
      {"Agence nationale de sécurité du médicament", "ansm"},
      {"ANSM", "ansm"}}},
    {"Le CHU de Bordeaux et les Hospices civils de Lyon coordonnent l'essai clinique.",
     {{"CHU de Bordeaux", "chu-bordeaux"}, {"Hospices civils de Lyon", "hcl"}}},
    {"L'AP-HM a inauguré un nouveau bâtiment à l'hôpital de la Timone.",
     {{"AP-HM", "aphm"}, {"hôpital de la Timone", "hopital-timone"}}},
    {"Des chercheurs de l'Inserm, du CNRS et de l'Institut Pasteur ont identifié un variant.",
     {{"Inserm", "inserm"}, {"CNRS", "cnrs"}, {"Institut Pasteur", "institut-pasteur"}}},
    {"La Caisse nationale de l'Assurance maladie (Cnam) a présenté son rapport annuel.",
     {{"Caisse nationale de l'Assurance maladie", "cnam"}, {"Cnam", "cnam"}}},
    {"L'Unicef et Gavi, l'Alliance du vaccin, soutiennent la campagne au Tchad.",
     {{"Unicef", "unicef"}, {"Gavi, l'Alliance du vaccin", "gavi"}}},
    {"Le Fonds mondial a annoncé une reconstitution record de ses ressources.",
     {{"Fonds mondial", "fonds-mondial"}}},
    {"La Banque mondiale et la Commission européenne cofinancent le programme.",
     {{"Banque mondiale", "banque-mondiale"}, {"Commission européenne", "commission-europeenne"}}},
    {"L'Université de Bordeaux et l'École des hautes études en santé publique ont signé une "
     "convention.",
     {{"Université de Bordeaux", "universite-bordeaux"},
      {"École des hautes études en santé publique", "ehesp"}}},
    {"La Fondation pour la recherche médicale finance dix nouveaux projets.",
     {{"Fondation pour la recherche médicale", "frm"}}},
    {"Le ministère des Solidarités et de la Santé a été renommé en 2022.",
     {{"ministère des Solidarités et de la Santé", "ministere-sante"}}},
    {"Les ministères de la Santé et de l'Agriculture ont saisi l'Anses.",
     {{"ministères de la Santé", "ministere-sante"}, {"Anses", "anses"}}},
    {"La Direction générale de l'offre de soins (DGOS) pilote la réforme.",
     {{"Direction générale de l'offre de soins", "dgos"}, {"DGOS", "dgos"}}},
    {"L'Institut national de la santé et de la recherche médicale (Inserm) coordonne la "
     "cohorte.",
     {{"Institut national de la santé et de la recherche médicale", "inserm"},
      {"Inserm", "inserm"}}},
    {"Selon l'OCDE, la France consacre 12 % de son PIB à la santé.", {{"OCDE", "ocde"}}},
    {"Le Conseil d'orientation de la stratégie vaccinale a rendu son avis.",
     {{"Conseil d'orientation de la stratégie vaccinale",
       "conseil-orientation-strategie-vaccinale"}}},
    {"La Mutualité française et la Fédération hospitalière de France demandent un moratoire.",
     {{"Mutualité française", "mutualite-francaise"},
      {"Fédération hospitalière de France", "fhf"}}},
    {"Le Centre international de recherche sur le cancer (CIRC), basé à Lyon, a classé le "
     "produit.",
     {{"Centre international de recherche sur le cancer", "circ"}, {"CIRC", "circ"}}},
    {"Sorbonne Université et l'Institut Curie ouvrent un centre de recherche commun.",
     {{"Sorbonne Université", "sorbonne-universite"}, {"Institut Curie", "institut-curie"}}},
    {"L'École nationale supérieure de sécurité sociale forme les cadres de l'Assurance maladie.",
     {{"École nationale supérieure de sécurité sociale", "en3s"}}},
    {"L'Observatoire régional de la santé de Bretagne publie son rapport.",
     {{"Observatoire régional de la santé de Bretagne", "observatoire-regional-sante-bretagne"}}},
    {"Santé publique France (SpF) et l'ANSM assurent la surveillance.",
     {{"Santé publique France", "sante-publique-france"},
      {"SpF", "sante-publique-france"},
      {"ANSM", "ansm"}}},
    {"La Direction de la recherche, des études, de l'évaluation et des statistiques (Drees) "
     "publie.",
     {{"Direction de la recherche, des études, de l'évaluation et des statistiques", "drees"},
      {"Drees", "drees"}}},
    {"Le Programme alimentaire mondial (PAM) et l'OMS ont livré des vivres.",
     {{"Programme alimentaire mondial", "pam"}, {"PAM", "pam"}, {"OMS", "oms"}}},
    {"L'Organisation mondiale de la santé (OMS) et l'Onusida saluent l'accord.",
     {{"Organisation mondiale de la santé", "oms"}, {"OMS", "oms"}, {"Onusida", "onusida"}}},
    {"Une étude de l'Université Paris-Saclay et du CHU de Lille.",
     {{"Université Paris-Saclay", "universite-paris-saclay"}, {"CHU de Lille", "chu-lille"}}},
    /* held-out near-misses */
    {"Madame la ministre de la Santé, Catherine Vautrin, a reçu les syndicats.", {{NULL, NULL}}},
    {"Les directions du GHU ont été réorganisées au printemps.", {{NULL, NULL}}},
    {"Mardi, à Lyon, les soignants ont manifesté devant la préfecture.", {{NULL, NULL}}},
    {"Centre névralgique du dispositif, l'hôpital de proximité reste fragile.", {{NULL, NULL}}},
    {"Conseil : lavez-vous les mains régulièrement.", {{NULL, NULL}}},
    {"Les hôpitaux de Paris et de Marseille sont saturés.", {{NULL, NULL}}},
    {"Juin a été le mois le plus chaud jamais enregistré en France.", {{NULL, NULL}}},
    {"Selon le Dr Sophie Dupont, le risque reste faible.", {{NULL, NULL}}},
    {"Les centres de santé de la Seine-Saint-Denis manquent de médecins.", {{NULL, NULL}}},
    {"Plusieurs instituts de recherche européens participent à l'essai.", {{NULL, NULL}}},
    {"Le Pr Karine Lacombe, infectiologue à Paris, appelle à la vigilance.", {{NULL, NULL}}},
    {"Fondation, recherche et innovation : tels sont les maîtres mots.", {{NULL, NULL}}},
};

static int run_case(struct pdx_extractor *ex, const struct inst_case *c)
{
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(ex, c->text, strlen(c->text), NULL, PDX_EXTRACT_INSTITUTIONS, &x),
                     0);
    struct found got[64];
    size_t ngot = 0;
    for (size_t i = 0; i < x.n_institutions && ngot < 64; i++, ngot++)
        got[ngot] =
            (struct found){x.institutions[i].start, x.institutions[i].end, x.institutions[i].id};
    int bad = expect_mentions(c->text, "institutions", got, ngot, c->e, 5, 0);
    pdx_extraction_free(&x);
    return bad;
}

static void test_institutions_table_sentences(void **state)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad += run_case(*state, &cases[i]);
    printf("institutions: %zu sentences, %d wrong\n", sizeof cases / sizeof cases[0], bad);
    assert_int_equal(bad, 0);
}

static void test_institutions_acronym_shares_name(void **state)
{
    static const char t[] = "La direction des relations internationales (DRI) agit ; la DRI "
                            "signe.";
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_INSTITUTIONS, &x), 0);
    assert_int_equal(x.n_institutions, 3);
    assert_string_equal(x.institutions[2].name, "Direction des relations internationales");
    assert_string_equal(x.institutions[2].acronym, "DRI");
    assert_string_equal(x.institutions[0].acronym, "DRI");
    pdx_extraction_free(&x);
}

static void test_institutions_gazetteer_fields(void **state)
{
    static const char t[] = "l'OMS";
    struct pdx_extraction x = {0};
    assert_int_equal(pdx_extract(*state, t, strlen(t), NULL, PDX_EXTRACT_ALL, &x), 0);
    assert_int_equal(x.n_institutions, 1);
    assert_string_equal(x.institutions[0].name, "Organisation mondiale de la santé");
    assert_string_equal(x.institutions[0].acronym, "OMS");
    pdx_extraction_free(&x);
}

static void test_institutions_user_gazetteer(void **state)
{
    static const char user[] = "# mine\nmon-labo | Laboratoire Soleil | LSOL | Labo Soleil\n";
    static const char t[] = "Le Labo Soleil et le LSOL";
    struct pdx_extractor_options o = {0};
    char err[256];
    struct pdx_extraction x = {0};
    (void)state;
    o.institutions = user;
    o.institutions_len = strlen(user);
    struct pdx_extractor *ex = pdx_extractor_new(&o, NULL, err, sizeof err);
    assert_non_null(ex);
    assert_int_equal(pdx_extract(ex, t, strlen(t), NULL, PDX_EXTRACT_INSTITUTIONS, &x), 0);
    assert_int_equal(x.n_institutions, 2);
    assert_string_equal(x.institutions[0].id, "mon-labo");
    assert_string_equal(x.institutions[1].id, "mon-labo");
    pdx_extraction_free(&x);
    pdx_extractor_free(ex);
}

/* An extractor built for some kinds only finds those, the same as a full one. */
static void test_institutions_only_kinds(void **state)
{
    static const char t[] = "Paris, le 3 mai 2024\nL'OMS et l'ARS parlent de sant\xc3\xa9 mentale.";
    struct pdx_extractor_options o = {.kinds = PDX_EXTRACT_INSTITUTIONS | PDX_EXTRACT_PILLARS};
    char err[256];
    struct pdx_extraction x = {0}, full = {0};
    (void)state;
    struct pdx_extractor *ex = pdx_extractor_new(&o, NULL, err, sizeof err);
    struct pdx_extractor *all = pdx_extractor_new(NULL, NULL, err, sizeof err);
    assert_non_null(ex);
    assert_non_null(all);
    assert_int_equal(pdx_extract(ex, t, strlen(t), NULL, PDX_EXTRACT_ALL, &x), 0);
    assert_int_equal(pdx_extract(all, t, strlen(t), NULL, PDX_EXTRACT_ALL, &full), 0);
    assert_int_equal(x.n_dates, 0);
    assert_true(full.n_dates > 0);
    assert_int_equal(x.has_doc_date, 0);
    assert_int_equal(x.n_institutions, full.n_institutions);
    assert_int_equal(x.n_institutions, 2);
    for (size_t i = 0; i < x.n_institutions; i++)
        assert_string_equal(x.institutions[i].id, full.institutions[i].id);
    assert_int_equal(x.n_pillars, full.n_pillars);
    assert_true(x.n_pillars > 0);
    struct pdx_ymd d;
    assert_int_equal(pdx_find_doc_date(ex, t, strlen(t), &d, NULL, NULL), 0);
    pdx_extraction_free(&x);
    pdx_extraction_free(&full);
    pdx_extractor_free(ex);
    pdx_extractor_free(all);
}

static void test_institutions_bad_user_file(void **state)
{
    static const char user[] = "Not An Id | x\n";
    struct pdx_extractor_options o = {0};
    char err[256];
    int st = 0;
    (void)state;
    o.institutions = user;
    o.institutions_len = strlen(user);
    o.institutions_name = "mine.txt";
    assert_null(pdx_extractor_new(&o, &st, err, sizeof err));
    assert_int_equal(st, PDX_EXTRACT_EDATA);
    assert_non_null(strstr(err, "mine.txt:1:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_institutions_table_sentences),
        cmocka_unit_test(test_institutions_acronym_shares_name),
        cmocka_unit_test(test_institutions_gazetteer_fields),
        cmocka_unit_test(test_institutions_user_gazetteer),
        cmocka_unit_test(test_institutions_only_kinds),
        cmocka_unit_test(test_institutions_bad_user_file),
    };
    return cmocka_run_group_tests(tests, extract_setup, extract_teardown);
}
