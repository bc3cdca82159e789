/*
 * test_document.c — pdx_document_decode: strict UTF-8, BOM, UTF-16, Latin-1 and
 * Windows-1252 detection, binary, empty, NFC, title, line endings.
 * Sentences come from the seed documents in corpus/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_document.h"

#include <unicode/unorm2.h>

struct fixture {
    struct pdx_document doc;
    size_t offset;
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    f->offset = (size_t)-1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pdx_document_free(&f->doc);
    test_free(f);
    return 0;
}

static int decode(struct fixture *f, const char *bytes, size_t len)
{
    pdx_document_free(&f->doc);
    f->offset = (size_t)-1;
    return pdx_document_decode(bytes, len, &f->doc, &f->offset);
}

/* The title as a NUL-terminated copy, for assert_string_equal. */
static void assert_title(const struct pdx_document *doc, const char *want)
{
    assert_true(doc->title_start <= doc->title_end);
    assert_true(doc->title_end <= doc->len);
    size_t n = doc->title_end - doc->title_start;
    assert_int_equal(n, strlen(want));
    assert_memory_equal(doc->text + doc->title_start, want, n);
}

static void assert_zeroed(const struct pdx_document *doc)
{
    assert_null(doc->text);
    assert_int_equal(doc->len, 0);
    assert_int_equal(doc->title_end, 0);
    assert_null(doc->encoding);
}

/* ---- valid text --------------------------------------------------------------------- */

static const char SEED_001[] =
    "Relation bilat\xc3\xa9rale France-Kazakhstan : signature d\xe2\x80\x99une "
    "d\xc3\xa9"
    "claration d\xe2\x80\x99intention\n\n"
    "Ce mercredi 1er novembre, \xc3\xa0 l\xe2\x80\x99occasion du d\xc3\xa9placement \xc3\xa0 "
    "Astana du Pr\xc3\xa9sident de la R\xc3\xa9publique, les minist\xc3\xa8res de la "
    "Sant\xc3\xa9 ont sign\xc3\xa9 \xc2\xab une d\xc3\xa9"
    "claration \xc2\xbb.\n";

static void test_decode_seed_kept_byte_for_byte(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(decode(f, SEED_001, sizeof SEED_001 - 1), PDX_DOC_OK);
    assert_int_equal(f->doc.len, sizeof SEED_001 - 1);
    assert_memory_equal(f->doc.text, SEED_001, f->doc.len);
    assert_int_equal(f->doc.text[f->doc.len], '\0');
    assert_int_equal(f->doc.normalized, 0);
    assert_int_equal(f->doc.bom_len, 0);
    assert_string_equal(f->doc.encoding, "UTF-8");
    assert_title(&f->doc, "Relation bilat\xc3\xa9rale France-Kazakhstan : signature "
                          "d\xe2\x80\x99une d\xc3\xa9"
                          "claration d\xe2\x80\x99intention");
}

/* The seed documents are valid NFC UTF-8: kept byte for byte, title = first line.
 * Run from the top of the tree, as `make test` does. */
static const struct {
    const char *path;
    const char *title;
} seeds[] = {
    {"corpus/000_36fc1289ac051e09.txt",
     "La France et le Kazakhstan approfondissent leur coop\xc3\xa9ration en sant\xc3\xa9"},
    {"corpus/002_caae2bc06b828587.txt", "Sant\xc3\xa9 : le Kazakhstan conclut un partenariat "
                                        "avec l\xe2\x80\x99OMS pour am\xc3\xa9liorer "
                                        "l\xe2\x80\x99"
                                        "acc\xc3\xa8s aux soins"},
};

static void test_decode_seed_files(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        FILE *fp = fopen(seeds[i].path, "rb");
        if (fp == NULL)
            fail_msg("%s: cannot open (run from the top of the tree)", seeds[i].path);
        char *buf = test_malloc(1 << 16);
        size_t n = fread(buf, 1, 1 << 16, fp);
        fclose(fp);
        assert_true(n > 0 && n < (1 << 16));
        int rc = decode(f, buf, n);
        assert_int_equal(rc, PDX_DOC_OK);
        assert_int_equal(f->doc.len, n);
        assert_memory_equal(f->doc.text, buf, n);
        assert_int_equal(f->doc.normalized, 0);
        assert_title(&f->doc, seeds[i].title);
        test_free(buf);
    }
}

static void test_decode_ascii_only(void **state)
{
    struct fixture *f = *state;
    static const char s[] = "Other News\nMis a jour le 02/12/2025\n";
    assert_int_equal(decode(f, s, sizeof s - 1), PDX_DOC_OK);
    assert_int_equal(f->doc.len, sizeof s - 1);
    assert_memory_equal(f->doc.text, s, f->doc.len);
    assert_title(&f->doc, "Other News");
}

static void test_decode_bom_dropped(void **state)
{
    struct fixture *f = *state;
    static const char s[] = "\xef\xbb\xbf"
                            "Six champs de coop\xc3\xa9ration en sant\xc3\xa9\n";
    assert_int_equal(decode(f, s, sizeof s - 1), PDX_DOC_OK);
    assert_int_equal(f->doc.bom_len, 3);
    assert_string_equal(f->doc.encoding, "UTF-8 (BOM)");
    assert_int_equal(f->doc.len, sizeof s - 1 - 3);
    assert_memory_equal(f->doc.text, s + 3, f->doc.len);
    assert_title(&f->doc, "Six champs de coop\xc3\xa9ration en sant\xc3\xa9");
}

static void test_decode_nfd_normalized_to_nfc(void **state)
{
    struct fixture *f = *state;
    /* "santé publique" and "Écrire" with combining accents (U+0301). */
    static const char nfd[] = "sante\xcc\x81 publique, E\xcc\x81"
                              "crire\n";
    static const char nfc[] = "sant\xc3\xa9 publique, \xc3\x89"
                              "crire\n";
    assert_int_equal(decode(f, nfd, sizeof nfd - 1), PDX_DOC_OK);
    assert_int_equal(f->doc.normalized, 1);
    assert_int_equal(f->doc.len, sizeof nfc - 1);
    assert_memory_equal(f->doc.text, nfc, sizeof nfc); /* NUL included */
    assert_title(&f->doc, "sant\xc3\xa9 publique, \xc3\x89"
                          "crire");
}

static void test_decode_nfc_with_marks_kept(void **state)
{
    struct fixture *f = *state;
    /* A combining mark with no precomposed form stays as it is: already NFC. */
    static const char s[] = "q\xcc\x83 et \xe2\x80\x99 et \xe2\x80\xa2 Le soutien\n";
    assert_int_equal(decode(f, s, sizeof s - 1), PDX_DOC_OK);
    assert_int_equal(f->doc.normalized, 0);
    assert_int_equal(f->doc.len, sizeof s - 1);
    assert_memory_equal(f->doc.text, s, f->doc.len);
}

struct title_case {
    const char *in;
    const char *title;
};

static const struct title_case title_cases[] = {
    {"\n\n La France et le Kazakhstan approfondissent leur coop\xc3\xa9ration (1/1)\n",
     "La France et le Kazakhstan approfondissent leur coop\xc3\xa9ration (1/1)"},
    {"\r\n \t\r\n\xc2\xa0 Quelles priorit\xc3\xa9s ? \xc2\xa0\r\nLe partenariat",
     "Quelles priorit\xc3\xa9s ?"},
    {"Newsletter", "Newsletter"},
    {"  \xe2\x80\xaf\n\xe3\x80\x80x\n", "x"},
    {"A\xc2\xa0travers ce d\xc3\xa9placement\r\n", "A\xc2\xa0travers ce d\xc3\xa9placement"},
};

static void test_decode_title_first_nonblank_line(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof title_cases / sizeof title_cases[0]; i++) {
        const struct title_case *c = &title_cases[i];
        assert_int_equal(decode(f, c->in, strlen(c->in)), PDX_DOC_OK);
        assert_title(&f->doc, c->title);
    }
}

/* ---- failures ----------------------------------------------------------------------- */

struct bad_case {
    const char *name;
    const char *in;
    size_t len;
    int status;
    size_t offset;
};

#define BAD(name, lit, status, off)                                                                \
    {                                                                                              \
        name, lit, sizeof lit - 1, status, off                                                     \
    }

static const struct bad_case bad_cases[] = {
    BAD("overlong C0 80", "Sant\xc3\xa9 \xc0\x80 publique", PDX_DOC_INVALID_UTF8, 7),
    BAD("overlong E0 80 AF", "abc\xe0\x80\xaf", PDX_DOC_INVALID_UTF8, 3),
    BAD("overlong F0 8F", "\xf0\x8f\xbf\xbf", PDX_DOC_INVALID_UTF8, 0),
    BAD("lone continuation", "l\xe2\x80\x99OMS \x99 soins", PDX_DOC_INVALID_UTF8, 8),
    BAD("surrogate ED A0 80", "CSU \xed\xa0\x80", PDX_DOC_INVALID_UTF8, 4),
    BAD("above U+10FFFF", "x\xf4\x90\x80\x80", PDX_DOC_INVALID_UTF8, 1),
    BAD("F5 lead", "x\xf5\x80\x80\x80", PDX_DOC_INVALID_UTF8, 1),
    BAD("truncated at end", "Sant\xc3", PDX_DOC_INVALID_UTF8, 4),
    BAD("truncated 3-byte at end", "d\xe2\x80", PDX_DOC_INVALID_UTF8, 1),
    BAD("bad second byte", "d\xe2(\x99", PDX_DOC_INVALID_UTF8, 1),
    /* Too short for the charset detector to be confident: reported, not guessed. */
    BAD("short Latin-1", "Caf\xe9\n", PDX_DOC_INVALID_UTF8, 3),
    /* Valid multi-byte sequences elsewhere: damaged UTF-8, never taken for Latin-1. */
    BAD("UTF-8 with one Latin-1 byte",
        "Le minist\xc3\xa8re de la Sant\xc3\xa9 et de la Pr\xe9vention a sign\xc3\xa9 "
        "une d\xc3\xa9"
        "claration avec la R\xc3\xa9gion.\n",
        PDX_DOC_INVALID_UTF8, 38),
    BAD("UTF-8 BOM then Latin-1",
        "\xef\xbb\xbfLe minist\xe8re de la Sant\xe9 et de la Pr\xe9vention a sign\xe9 une "
        "d\xe9"
        "claration.\n",
        PDX_DOC_INVALID_UTF8, 12),
    BAD("UTF-16LE odd length", "\xff\xfeS\0a\0n", PDX_DOC_INVALID_UTF16, 6),
    BAD("UTF-16LE lone high surrogate",
        "\xff\xfeS\0\x00\xd8"
        "a\0",
        PDX_DOC_INVALID_UTF16, 4),
    BAD("UTF-16BE lone low surrogate", "\xfe\xff\0S\xdc\x00", PDX_DOC_INVALID_UTF16, 4),
    BAD("UTF-16LE NUL character", "\xff\xfeS\0\0\0a\0", PDX_DOC_BINARY, 4),
    BAD("UTF-16LE control characters", "\xff\xfe\x01\0\x02\0\x03\0", PDX_DOC_BINARY, 2),
    BAD("UTF-16LE BOM only", "\xff\xfe", PDX_DOC_EMPTY, (size_t)-1),
    BAD("offset counts the BOM",
        "\xef\xbb\xbf"
        "ab\xff",
        PDX_DOC_INVALID_UTF8, 5),
    BAD("NUL byte", "Sant\xc3\xa9\0publique", PDX_DOC_BINARY, 6),
    BAD("UTF-16LE", "S\0a\0n\0t\0\xe9\0", PDX_DOC_BINARY, 1),
    BAD("control bytes", "\x01\x02\x03\x04 abc", PDX_DOC_BINARY, 0),
    BAD("nothing", "", PDX_DOC_EMPTY, (size_t)-1),
    BAD("white space", " \t\r\n\n  \r\n", PDX_DOC_EMPTY, (size_t)-1),
    BAD("NBSP and BOM only", "\xef\xbb\xbf\xc2\xa0\n\xe2\x80\xaf", PDX_DOC_EMPTY, (size_t)-1),
};

static void test_decode_rejects(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        int rc = decode(f, c->in, c->len);
        if (rc != c->status || f->offset != c->offset)
            fail_msg("%s: status %d at %zu, want %d at %zu", c->name, rc, f->offset, c->status,
                     c->offset);
        assert_zeroed(&f->doc);
    }
}

static void test_decode_few_controls_are_text(void **state)
{
    struct fixture *f = *state;
    /* One form feed, one ESC in 200 bytes: text. */
    char s[200];
    memset(s, 'a', sizeof s);
    s[50] = '\f';
    s[120] = '\x1b';
    assert_int_equal(decode(f, s, sizeof s), PDX_DOC_OK);
    assert_int_equal(f->doc.len, sizeof s);
}

/* ---- other encodings ---------------------------------------------------------------- */

struct enc_case {
    const char *name;
    const char *in;
    size_t len;
    const char *encoding;
    const char *text; /* expected UTF-8 text */
    const char *title;
};

#define ENC(name, lit, enc, text, title)                                                           \
    {                                                                                              \
        name, lit, sizeof lit - 1, enc, text, title                                                \
    }

static const struct enc_case enc_cases[] = {
    ENC("UTF-16LE", "\xff\xfeS\0a\0n\0t\0\xe9\0\n\0x\0", "UTF-16LE (BOM)", "Sant\xc3\xa9\nx",
        "Sant\xc3\xa9"),
    ENC("UTF-16BE", "\xfe\xff\0S\0a\0n\0t\0\xe9\0\r\0x", "UTF-16BE (BOM)", "Sant\xc3\xa9\rx",
        "Sant\xc3\xa9"),
    ENC("UTF-16LE surrogate pair", "\xff\xfe\x3d\xd8\x00\xde\n\0", "UTF-16LE (BOM)",
        "\xf0\x9f\x98\x80\n", "\xf0\x9f\x98\x80"),
    /* e + combining acute in UTF-16: NFC applies to converted text too. */
    ENC("UTF-16LE NFD",
        "\xff\xfe"
        "e\0\x01\x03",
        "UTF-16LE (BOM)", "\xc3\xa9", "\xc3\xa9"),
    ENC("Latin-1", "Minist\xe8re de la Sant\xe9", "ISO-8859-1 (detected)",
        "Minist\xc3\xa8re de la Sant\xc3\xa9", "Minist\xc3\xa8re de la Sant\xc3\xa9"),
    ENC("Windows-1252 quotes",
        "Le minist\xe8re de la Sant\xe9 et de la Pr\xe9vention a sign\xe9 une d\xe9"
        "claration d\x92intention avec l\x92OMS.\n",
        "windows-1252 (detected)",
        "Le minist\xc3\xa8re de la Sant\xc3\xa9 et de la Pr\xc3\xa9vention a sign\xc3\xa9 une "
        "d\xc3\xa9"
        "claration d\xe2\x80\x99intention avec l\xe2\x80\x99OMS.\n",
        "Le minist\xc3\xa8re de la Sant\xc3\xa9 et de la Pr\xc3\xa9vention a sign\xc3\xa9 une "
        "d\xc3\xa9"
        "claration d\xe2\x80\x99intention avec l\xe2\x80\x99OMS."),
};

static void test_decode_other_encodings(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < sizeof enc_cases / sizeof enc_cases[0]; i++) {
        const struct enc_case *c = &enc_cases[i];
        int rc = decode(f, c->in, c->len);
        if (rc != PDX_DOC_OK)
            fail_msg("%s: status %d at %zu", c->name, rc, f->offset);
        assert_string_equal(f->doc.encoding, c->encoding);
        assert_int_equal(f->doc.converted, 1);
        assert_int_equal(f->doc.len, strlen(c->text));
        assert_memory_equal(f->doc.text, c->text, f->doc.len);
        assert_int_equal(f->doc.text[f->doc.len], '\0');
        assert_title(&f->doc, c->title);
    }
}

static void test_decode_utf8_is_not_converted(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(decode(f, SEED_001, sizeof SEED_001 - 1), PDX_DOC_OK);
    assert_int_equal(f->doc.converted, 0);
    assert_string_equal(f->doc.encoding, "UTF-8");
    assert_int_equal(decode(f, "\xef\xbb\xbfSant\xc3\xa9", 9), PDX_DOC_OK);
    assert_int_equal(f->doc.converted, 0);
    assert_string_equal(f->doc.encoding, "UTF-8 (BOM)");
}

static void test_decode_line_endings(void **state)
{
    struct fixture *f = *state;
    /* CR LF and lone CR end lines; the bytes stay as they are. */
    static const char crlf[] = "\r\n  Titre ici \r\ncorps\r\n";
    assert_int_equal(decode(f, crlf, sizeof crlf - 1), PDX_DOC_OK);
    assert_title(&f->doc, "Titre ici");
    assert_memory_equal(f->doc.text, crlf, sizeof crlf - 1);
    static const char cr[] = "Titre\rcorps\rfin\r";
    assert_int_equal(decode(f, cr, sizeof cr - 1), PDX_DOC_OK);
    assert_title(&f->doc, "Titre");
    assert_int_equal(f->doc.len, sizeof cr - 1);
    assert_int_equal(decode(f, "\r\r\rSant\xc3\xa9\r", 10), PDX_DOC_OK);
    assert_title(&f->doc, "Sant\xc3\xa9");
}

static void test_utf8_valid_prefix(void **state)
{
    (void)state;
    assert_int_equal(pdx_utf8_valid_prefix("abc", 3), 3);
    assert_int_equal(pdx_utf8_valid_prefix("d\xc3\xa9", 3), 3);
    assert_int_equal(pdx_utf8_valid_prefix("d\xe9"
                                           "cret",
                                           6),
                     1);
    assert_int_equal(pdx_utf8_valid_prefix("ab\xc3", 3), 2);
    assert_int_equal(pdx_utf8_valid_prefix("", 0), 0);
}

static void test_decode_null_offset_allowed(void **state)
{
    (void)state;
    struct pdx_document doc = {0};
    assert_int_equal(pdx_document_decode("\xc0\x80", 2, &doc, NULL), PDX_DOC_INVALID_UTF8);
    assert_zeroed(&doc);
    pdx_document_free(&doc);
}

static void test_free_accepts_zeroed(void **state)
{
    (void)state;
    struct pdx_document doc = {0};
    pdx_document_free(&doc);
    pdx_document_free(NULL);
    assert_zeroed(&doc);
}

static void test_status_messages(void **state)
{
    (void)state;
    assert_string_equal(pdx_document_status_message(PDX_DOC_INVALID_UTF8), "invalid UTF-8");
    assert_string_equal(pdx_document_status_message(PDX_DOC_BINARY), "binary file");
    assert_string_equal(pdx_document_status_message(PDX_DOC_EMPTY), "empty document");
    assert_string_equal(pdx_document_status_message(PDX_DOC_INVALID_UTF16), "invalid UTF-16");
    for (int s = PDX_DOC_OK; s <= PDX_DOC_INVALID_UTF16; s++) {
        assert_non_null(pdx_document_status_message(s));
        for (int t = s + 1; t <= PDX_DOC_INVALID_UTF16; t++)
            assert_string_not_equal(pdx_document_status_message(s), pdx_document_status_message(t));
    }
    assert_string_equal(pdx_document_status_message(99), "unknown status");
}

/* The decoder copies text without asking ICU when every character is below U+0300 or
 * in a short list of punctuation (document.c, surely_nfc): check with ICU that each of
 * those characters, alone and after a letter, is NFC_Quick_Check=Yes. */
static void test_nfc_fast_path_characters_are_nfc(void **state)
{
    (void)state;
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    assert_false(U_FAILURE(st));
    static const struct {
        UChar32 from, to;
    } ranges[] = {{0x01, 0x2FF},    {0x2010, 0x2027}, {0x202F, 0x202F},
                  {0x2030, 0x205E}, {0x20AC, 0x20AC}, {0x2122, 0x2122}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (UChar32 cp = ranges[r].from; cp <= ranges[r].to; cp++) {
            UChar u[3] = {'e', (UChar)cp, 0};
            if (unorm2_quickCheck(nfc, u, 2, &st) != UNORM_YES || U_FAILURE(st))
                fail_msg("U+%04X is not NFC_Quick_Check=Yes after a letter", (unsigned)cp);
        }
    }
    /* And the fast path still hands non-NFC text to ICU: e + combining acute. */
    struct pdx_document doc = {0};
    const char nfd[] = "Titre\n\nsante\xcc\x81\n";
    assert_int_equal(pdx_document_decode(nfd, sizeof nfd - 1, &doc, NULL), PDX_DOC_OK);
    assert_true(doc.normalized);
    assert_non_null(strstr(doc.text, "sant\xc3\xa9"));
    pdx_document_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decode_seed_kept_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_seed_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_ascii_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_bom_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_nfd_normalized_to_nfc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_nfc_with_marks_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_title_first_nonblank_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_few_controls_are_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_other_encodings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_utf8_is_not_converted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_line_endings, setup, teardown),
        cmocka_unit_test(test_utf8_valid_prefix),
        cmocka_unit_test(test_decode_null_offset_allowed),
        cmocka_unit_test(test_free_accepts_zeroed),
        cmocka_unit_test(test_status_messages),
        cmocka_unit_test(test_nfc_fast_path_characters_are_nfc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
