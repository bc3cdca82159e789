/*
 * test_shards.c — shard assignment and Xapian stub-file parsing (indexer/shards.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pdx_shards.h"

#define ENTRIES_MAX 8

struct collected {
    struct pdx_stub_entry e[ENTRIES_MAX];
    size_t n;
    size_t stop_at; /* return nonzero at this entry (1-based); 0: never */
};

static int collect(void *ctx, const struct pdx_stub_entry *e)
{
    struct collected *c = ctx;
    if (c->n < ENTRIES_MAX)
        c->e[c->n] = *e;
    c->n++;
    return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

static void assert_name(const struct pdx_stub_entry *e, const char *want)
{
    assert_int_equal(e->name_len, strlen(want));
    assert_memory_equal(e->name, want, e->name_len);
}

static void test_shard_of_is_stable_and_in_range(void **state)
{
    (void)state;
    /* The values are part of the on-disk format: documents of an existing sharded
     * index are found again only while they stay the same. */
    assert_int_equal(pdx_shard_of("Qcorpus/a.txt", 13, 1), 0);
    uint32_t a = pdx_shard_of("Qcorpus/a.txt", 13, 4);
    assert_int_equal(a, pdx_shard_of("Qcorpus/a.txt", 13, 4));
    assert_true(a < 4);
    assert_int_equal(pdx_shard_of("", 0, 2), (uint32_t)(14695981039346656037ULL % 2));
    assert_int_equal(pdx_shard_of("a", 1, 0), 0);
}

static void test_shard_of_spreads_ids(void **state)
{
    (void)state;
    size_t count[4] = {0};
    char id[64];
    for (int i = 0; i < 4000; i++) {
        int n = snprintf(id, sizeof id, "Qcorpus/doc%d.txt", i);
        count[pdx_shard_of(id, (size_t)n, 4)]++;
    }
    for (int k = 0; k < 4; k++)
        assert_true(count[k] > 800 && count[k] < 1200);
}

static void test_stub_local_and_remote_entries(void **state)
{
    (void)state;
    static const char text[] = "# shards\n"
                               "auto shard0\n"
                               "\n"
                               "  glass /srv/idx/shard1  \r\n"
                               "remote 10.0.0.5:33333\n"
                               "remote [::1]:4000\n"
                               "chert old";
    struct collected c = {0};
    size_t bad = 0;
    assert_int_equal(pdx_stub_parse(text, strlen(text), collect, &c, &bad), 0);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.e[0].kind, PDX_STUB_LOCAL);
    assert_name(&c.e[0], "shard0");
    assert_int_equal(c.e[0].line_no, 2);
    assert_int_equal(c.e[1].kind, PDX_STUB_LOCAL);
    assert_name(&c.e[1], "/srv/idx/shard1");
    assert_int_equal(c.e[1].line_no, 4);
    assert_int_equal(c.e[2].kind, PDX_STUB_REMOTE);
    assert_name(&c.e[2], "10.0.0.5");
    assert_int_equal(c.e[2].port, 33333);
    assert_int_equal(c.e[3].kind, PDX_STUB_REMOTE);
    assert_name(&c.e[3], "::1");
    assert_int_equal(c.e[3].port, 4000);
    assert_name(&c.e[4], "old");
}

static void test_stub_program_and_inmemory_are_other(void **state)
{
    (void)state;
    static const char text[] = "remote :xapian-progsrv /srv/idx\ninmemory\n";
    struct collected c = {0};
    assert_int_equal(pdx_stub_parse(text, strlen(text), collect, &c, NULL), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.e[0].kind, PDX_STUB_OTHER);
    assert_int_equal(c.e[1].kind, PDX_STUB_OTHER);
}

static void test_stub_bad_lines_are_reported(void **state)
{
    (void)state;
    static const char *const bad_stubs[] = {
        "auto a\nremote tcp 127.0.0.1 4000\n", /* Xapian 1.4 wants HOST:PORT */
        "auto a\nremote 127.0.0.1\n",
        "auto a\nremote 127.0.0.1:0\n",
        "auto a\nremote 127.0.0.1:70000\n",
        "auto a\nremote :4000x\nauto\n",
        "auto a\nflint old\n",
        "auto a\nauto\n",
        "auto a\ninmemory x\n"};
    for (size_t i = 0; i < sizeof bad_stubs / sizeof bad_stubs[0]; i++) {
        struct collected c = {0};
        size_t bad = 0;
        int rc = pdx_stub_parse(bad_stubs[i], strlen(bad_stubs[i]), collect, &c, &bad);
        assert_int_equal(rc, -1);
        assert_true(bad == 2 || bad == 3);
    }
}

static void test_stub_callback_stops(void **state)
{
    (void)state;
    static const char text[] = "auto a\nauto b\nauto c\n";
    struct collected c = {.stop_at = 2};
    assert_int_equal(pdx_stub_parse(text, strlen(text), collect, &c, NULL), 7);
    assert_int_equal(c.n, 2);
}

static void test_stub_empty_has_no_entries(void **state)
{
    (void)state;
    struct collected c = {0};
    assert_int_equal(pdx_stub_parse("", 0, collect, &c, NULL), 0);
    assert_int_equal(pdx_stub_parse("# nothing\n\n", 11, collect, &c, NULL), 0);
    assert_int_equal(c.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard_of_is_stable_and_in_range),
        cmocka_unit_test(test_shard_of_spreads_ids),
        cmocka_unit_test(test_stub_local_and_remote_entries),
        cmocka_unit_test(test_stub_program_and_inmemory_are_other),
        cmocka_unit_test(test_stub_bad_lines_are_reported),
        cmocka_unit_test(test_stub_callback_stops),
        cmocka_unit_test(test_stub_empty_has_no_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
