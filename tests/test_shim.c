/*
 * test_shim.c — integration tests of the xs_* shim on temporary Xapian databases.
 *
 * Each test gets a fresh directory under /tmp holding a writable database (empty, or
 * filled with a four-document corpus and opened for reading as well); teardown closes
 * the handles and removes the directory.
 */
/* nftw() is an XSI function. */
#define _XOPEN_SOURCE 700

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xs.h"

#define SLOT_DATE 0u

struct fixture {
    char dir[64];
    char path[96];
    struct xs_wdb *wdb;
    struct xs_db *db;
};

/* One corpus document: words get positions 1, 2, … in order. */
struct doc_spec {
    const char *id;
    const char *words;
    const char *filter;
    const char *date;
    const char *data;
};

/* Terms arrive already folded, as the indexer will give them. Docids are 1..4. */
static const struct doc_spec corpus[] = {
    {"Qdoc1", "soins de sante primaires", "XIoms", "20230115", "doc1"},
    {"Qdoc2", "sante publique et soins", "XIars", "20220610", "doc2"},
    {"Qdoc3", "partenariat hopital sante public hopitaux", "XIoms", "20240301", "doc3"},
    {"Qdoc4", "vaccination des enfants et soins infirmiers", "XIars", "20211201", "doc4"},
};
#define CORPUS_SIZE (sizeof corpus / sizeof corpus[0])

static void add_words(struct xs_doc *doc, const char *words)
{
    uint32_t pos = 1;
    const char *p = words;
    while (*p != '\0') {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        assert_int_equal(xs_doc_add_posting(doc, p, len, pos++, NULL), 0);
        p += len;
        if (*p == ' ')
            p++;
    }
}

static struct xs_doc *make_doc(const struct doc_spec *s)
{
    struct xs_doc *doc = NULL;
    assert_int_equal(xs_doc_new(&doc, NULL), 0);
    assert_int_equal(xs_doc_add_boolean_term(doc, s->id, strlen(s->id), NULL), 0);
    add_words(doc, s->words);
    if (s->filter)
        assert_int_equal(xs_doc_add_boolean_term(doc, s->filter, strlen(s->filter), NULL), 0);
    if (s->date)
        assert_int_equal(xs_doc_set_value(doc, SLOT_DATE, s->date, strlen(s->date), NULL), 0);
    if (s->data)
        assert_int_equal(xs_doc_set_data(doc, s->data, strlen(s->data), NULL), 0);
    return doc;
}

static void put_doc(struct xs_wdb *wdb, const struct doc_spec *s, uint32_t *docid)
{
    struct xs_doc *doc = make_doc(s);
    struct xs_error err = {0, ""};
    int rc = xs_wdb_replace(wdb, s->id, strlen(s->id), doc, docid, &err);
    xs_doc_free(doc);
    if (rc != 0)
        fail_msg("xs_wdb_replace: %s", err.message);
}

static int setup_empty(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_shim_XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        test_free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/db", f->dir);
    struct xs_error err = {0, ""};
    if (xs_wdb_open(f->path, XS_WDB_CREATE_OR_OVERWRITE, &f->wdb, &err) != 0) {
        print_error("xs_wdb_open: %s\n", err.message);
        rmdir(f->dir);
        test_free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_corpus(void **state)
{
    if (setup_empty(state) != 0)
        return -1;
    struct fixture *f = *state;
    for (size_t i = 0; i < CORPUS_SIZE; i++)
        put_doc(f->wdb, &corpus[i], NULL);
    struct xs_error err = {0, ""};
    if (xs_wdb_commit(f->wdb, &err) != 0 || xs_db_open(f->path, &f->db, &err) != 0) {
        print_error("setup_corpus: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        return 0;
    xs_db_close(f->db);
    xs_wdb_close(f->wdb);
    int rc = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    test_free(f);
    return rc;
}

/* ---- helpers over queries and results ---------------------------------------------- */

static struct xs_query *term(const char *t)
{
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_term(t, strlen(t), 1, &q, NULL), 0);
    assert_non_null(q);
    return q;
}

/* Combines two terms with `op`; the subqueries are freed here. */
static struct xs_query *pair(int op, const char *a, const char *b, uint32_t window)
{
    struct xs_query *subs[2] = {term(a), term(b)};
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_combine(op, subs, 2, window, &q, NULL), 0);
    xs_query_free(subs[0]);
    xs_query_free(subs[1]);
    return q;
}

static struct xs_search_opts opts_relevance(void)
{
    struct xs_search_opts o = {0, 100, UINT32_MAX, -1, 0};
    return o;
}

static struct xs_mset *search(struct xs_db *db, const struct xs_query *q,
                              const struct xs_search_opts *o)
{
    struct xs_mset *ms = NULL;
    struct xs_error err = {0, ""};
    if (xs_db_search(db, q, o, &ms, &err) != 0)
        fail_msg("xs_db_search: %s", err.message);
    return ms;
}

/* Asserts that `q` matches exactly the documents `want` (any order), then frees `q`. */
static void assert_matches(struct xs_db *db, struct xs_query *q, const uint32_t *want, size_t n)
{
    struct xs_search_opts o = opts_relevance();
    struct xs_mset *ms = search(db, q, &o);
    xs_query_free(q);
    assert_int_equal(xs_mset_size(ms), n);
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++)
            found |= xs_mset_docid(ms, j) == want[i];
        if (!found)
            fail_msg("docid %u not matched", (unsigned)want[i]);
    }
    xs_mset_free(ms);
}

static void assert_doccount(struct xs_db *db, uint32_t want)
{
    uint32_t n = 0;
    assert_int_equal(xs_db_doccount(db, &n, NULL), 0);
    assert_int_equal(n, want);
}

static uint32_t termfreq(struct xs_db *db, const char *t)
{
    uint32_t n = 0;
    assert_int_equal(xs_db_termfreq(db, t, strlen(t), &n, NULL), 0);
    return n;
}

/* ---- error codes ----------------------------------------------------------------- */

static void test_code_name_known_and_unknown(void **state)
{
    (void)state;
    assert_string_equal(xs_code_name(XS_OK), "ok");
    assert_string_equal(xs_code_name(XS_E_LOCK), "lock");
    assert_string_equal(xs_code_name(XS_E_NOTFOUND), "not found");
    assert_string_equal(xs_code_name(XS_E_INVALID), "invalid argument");
    assert_string_equal(xs_code_name(-1000), "unrecognised code");
}

/* ---- databases ------------------------------------------------------------------- */

static void test_wdb_replace_adds_documents(void **state)
{
    struct fixture *f = *state;
    uint32_t n = 0;
    assert_int_equal(xs_wdb_doccount(f->wdb, &n, NULL), 0);
    assert_int_equal(n, CORPUS_SIZE);
    assert_doccount(f->db, CORPUS_SIZE);
    assert_int_equal(termfreq(f->db, "soins"), 3);
    assert_int_equal(termfreq(f->db, "XIoms"), 2);
    assert_int_equal(termfreq(f->db, "absent"), 0);
}

static void test_wdb_add_returns_new_docid(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qnew", "nouveau texte", NULL, NULL, "new"};
    struct xs_doc *doc = make_doc(&s);
    uint32_t docid = 0;
    assert_int_equal(xs_wdb_add(f->wdb, doc, &docid, NULL), 0);
    assert_int_equal(xs_wdb_add(f->wdb, doc, NULL, NULL), 0);
    xs_doc_free(doc);
    assert_int_equal(docid, CORPUS_SIZE + 1);
    uint32_t n = 0;
    assert_int_equal(xs_wdb_doccount(f->wdb, &n, NULL), 0);
    assert_int_equal(n, CORPUS_SIZE + 2);
}

static void test_wdb_replace_existing_keeps_doccount(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qdoc2", "texte nouveau", NULL, "20250101", "doc2 bis"};
    uint32_t docid = 0;
    put_doc(f->wdb, &s, &docid);
    assert_int_equal(docid, 2);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE);
    assert_int_equal(termfreq(f->db, "nouveau"), 1);
    assert_int_equal(termfreq(f->db, "publique"), 0);
    const char *data = NULL;
    size_t len = 0;
    assert_int_equal(xs_db_get_data(f->db, 2, &data, &len, NULL), 0);
    assert_int_equal(len, strlen("doc2 bis"));
    assert_memory_equal(data, "doc2 bis", len);
}

static void test_wdb_replace_without_idterm_is_invalid(void **state)
{
    struct fixture *f = *state;
    struct xs_doc *doc = NULL;
    assert_int_equal(xs_doc_new(&doc, NULL), 0);
    assert_int_equal(xs_doc_add_posting(doc, "mot", 3, 1, NULL), 0);
    struct xs_error err = {0, ""};
    assert_int_equal(xs_wdb_replace(f->wdb, "Qdoc1", 5, doc, NULL, &err), XS_E_INVALID);
    assert_int_equal(err.code, XS_E_INVALID);
    assert_true(strlen(err.message) > 0);
    xs_doc_free(doc);
}

static void test_wdb_delete_removes_document(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(xs_wdb_delete(f->wdb, "Qdoc1", 5, NULL), 0);
    /* An absent id is not an error. */
    assert_int_equal(xs_wdb_delete(f->wdb, "Qabsent", 7, NULL), 0);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE - 1);
    assert_int_equal(termfreq(f->db, "Qdoc1"), 0);
    assert_int_equal(termfreq(f->db, "primaires"), 0);
}

static void test_db_get_data_returns_stored_data(void **state)
{
    struct fixture *f = *state;
    const char *data = NULL;
    size_t len = 0;
    assert_int_equal(xs_db_get_data(f->db, 3, &data, &len, NULL), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "doc3", 4);
}

static void test_db_get_data_missing_doc_is_notfound(void **state)
{
    struct fixture *f = *state;
    const char *data = NULL;
    size_t len = 0;
    struct xs_error err = {0, ""};
    assert_int_equal(xs_db_get_data(f->db, 999, &data, &len, &err), XS_E_NOTFOUND);
    assert_int_equal(err.code, XS_E_NOTFOUND);
    assert_non_null(strstr(err.message, "DocNotFoundError"));
}

static void test_metadata_set_and_get(void **state)
{
    struct fixture *f = *state;
    const char *v = NULL;
    size_t len = 99;
    assert_int_equal(xs_wdb_set_metadata(f->wdb, "schema", 6, "3", 1, NULL), 0);
    assert_int_equal(xs_wdb_get_metadata(f->wdb, "schema", 6, &v, &len, NULL), 0);
    assert_int_equal(len, 1);
    assert_memory_equal(v, "3", 1);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    v = NULL;
    len = 99;
    assert_int_equal(xs_db_get_metadata(f->db, "schema", 6, &v, &len, NULL), 0);
    assert_int_equal(len, 1);
    assert_memory_equal(v, "3", 1);
}

static void test_metadata_missing_key_is_empty(void **state)
{
    struct fixture *f = *state;
    const char *v = NULL;
    size_t len = 99;
    assert_int_equal(xs_db_get_metadata(f->db, "nokey", 5, &v, &len, NULL), 0);
    assert_non_null(v);
    assert_int_equal(len, 0);
    len = 99;
    assert_int_equal(xs_wdb_get_metadata(f->wdb, "nokey", 5, &v, &len, NULL), 0);
    assert_int_equal(len, 0);
}

static void test_metadata_empty_key_is_invalid(void **state)
{
    struct fixture *f = *state;
    struct xs_error err = {0, ""};
    assert_int_equal(xs_wdb_set_metadata(f->wdb, "", 0, "x", 1, &err), XS_E_INVALID);
    assert_true(strlen(err.message) > 0);
}

static void test_transaction_commit_makes_docs_visible(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qtx", "transaction", NULL, NULL, NULL};
    assert_int_equal(xs_wdb_begin(f->wdb, NULL), 0);
    put_doc(f->wdb, &s, NULL);
    assert_int_equal(xs_wdb_commit_transaction(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE + 1);
    assert_int_equal(termfreq(f->db, "Qtx"), 1);
}

static void test_transaction_cancel_discards_docs(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qtx", "transaction", NULL, NULL, NULL};
    assert_int_equal(xs_wdb_begin(f->wdb, NULL), 0);
    put_doc(f->wdb, &s, NULL);
    assert_int_equal(xs_wdb_delete(f->wdb, "Qdoc1", 5, NULL), 0);
    assert_int_equal(xs_wdb_cancel_transaction(f->wdb, NULL), 0);
    uint32_t n = 0;
    assert_int_equal(xs_wdb_doccount(f->wdb, &n, NULL), 0);
    assert_int_equal(n, CORPUS_SIZE);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE);
    assert_int_equal(termfreq(f->db, "Qtx"), 0);
    assert_int_equal(termfreq(f->db, "Qdoc1"), 1);
}

static void test_transaction_commit_without_begin_is_invalid(void **state)
{
    struct fixture *f = *state;
    struct xs_error err = {0, ""};
    assert_int_equal(xs_wdb_commit_transaction(f->wdb, &err), XS_E_INVALID);
    assert_non_null(strstr(err.message, "InvalidOperationError"));
}

static void test_wdb_close_commits_pending_changes(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qlate", "tardif", NULL, NULL, NULL};
    put_doc(f->wdb, &s, NULL);
    xs_wdb_close(f->wdb);
    f->wdb = NULL;
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE + 1);
}

static void test_wdb_close_cancels_open_transaction(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qlate", "tardif", NULL, NULL, NULL};
    assert_int_equal(xs_wdb_begin(f->wdb, NULL), 0);
    put_doc(f->wdb, &s, NULL);
    xs_wdb_close(f->wdb);
    f->wdb = NULL;
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE);
    assert_int_equal(termfreq(f->db, "Qlate"), 0);
}

static void test_db_reopen_sees_new_commit(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qnew", "nouveau", NULL, NULL, NULL};
    put_doc(f->wdb, &s, NULL);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE + 1);
}

static void test_db_add_searches_every_shard(void **state)
{
    struct fixture *f = *state;
    char shard[128];
    snprintf(shard, sizeof shard, "%s/shard", f->dir);
    struct xs_wdb *w = NULL;
    assert_int_equal(xs_wdb_open(shard, XS_WDB_CREATE_OR_OPEN, &w, NULL), 0);
    static const struct doc_spec s = {"Qshard", "soins dentaires", NULL, NULL, "shard"};
    put_doc(w, &s, NULL);
    assert_int_equal(xs_wdb_commit(w, NULL), 0);
    xs_wdb_close(w);
    assert_int_equal(xs_db_add(f->db, shard, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE + 1);
    assert_int_equal(termfreq(f->db, "soins"), 4);
}

/* Writes a one-document database at dir/name (path into `out`) with the given words. */
static void make_shard(const struct fixture *f, const char *name, const char *words, char *out,
                       size_t out_len)
{
    snprintf(out, out_len, "%s/%s", f->dir, name);
    struct xs_wdb *w = NULL;
    assert_int_equal(xs_wdb_open(out, XS_WDB_CREATE_OR_OPEN, &w, NULL), 0);
    struct doc_spec s = {"Qshard", words, NULL, NULL, "shard"};
    put_doc(w, &s, NULL);
    assert_int_equal(xs_wdb_commit(w, NULL), 0);
    xs_wdb_close(w);
}

static void test_db_new_is_empty_and_add_db_combines(void **state)
{
    struct fixture *f = *state;
    char shard[128];
    make_shard(f, "shard", "soins dentaires", shard, sizeof shard);
    struct xs_db *all = NULL, *second = NULL;
    size_t n = 99;
    assert_int_equal(xs_db_new(&all, NULL), 0);
    assert_doccount(all, 0);
    assert_int_equal(xs_db_shard_count(all, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(xs_db_add_db(all, f->db, NULL), 0);
    assert_int_equal(xs_db_open(shard, &second, NULL), 0);
    assert_int_equal(xs_db_add_db(all, second, NULL), 0);
    xs_db_close(second); /* the combined reader keeps the shard open */
    assert_int_equal(xs_db_shard_count(all, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_doccount(all, CORPUS_SIZE + 1);
    assert_int_equal(termfreq(all, "soins"), 4);
    assert_int_equal(termfreq(all, "dentaires"), 1);
    /* The first reader is left as it was. */
    assert_doccount(f->db, CORPUS_SIZE);
    xs_db_close(all);
}

static void test_db_add_db_to_itself_is_invalid(void **state)
{
    struct fixture *f = *state;
    struct xs_error err = {0, ""};
    assert_int_equal(xs_db_add_db(f->db, f->db, &err), XS_E_INVALID);
    assert_int_equal(xs_db_add_db(f->db, NULL, &err), XS_E_INVALID);
}

static void test_db_open_remote_refused_is_network_error(void **state)
{
    (void)state;
    struct xs_db *db = (struct xs_db *)state; /* any non-NULL value: must be reset */
    struct xs_error err = {0, ""};
    /* Port 1 of the loopback interface: nothing listens there. */
    assert_int_equal(xs_db_open_remote("127.0.0.1", 1, 2000, 2000, &db, &err), XS_E_NETWORK);
    assert_null(db);
    assert_int_equal(err.code, XS_E_NETWORK);
    assert_non_null(strstr(err.message, "127.0.0.1"));
}

static void test_db_open_remote_bad_arguments_are_invalid(void **state)
{
    (void)state;
    struct xs_db *db = NULL;
    assert_int_equal(xs_db_open_remote("127.0.0.1", 0, 0, 0, &db, NULL), XS_E_INVALID);
    assert_int_equal(xs_db_open_remote("127.0.0.1", 70000, 0, 0, &db, NULL), XS_E_INVALID);
    assert_int_equal(xs_db_open_remote("", 4000, 0, 0, &db, NULL), XS_E_INVALID);
    assert_int_equal(xs_db_open_remote(NULL, 4000, 0, 0, &db, NULL), XS_E_INVALID);
    assert_null(db);
}

static void test_compact_merges_sources(void **state)
{
    struct fixture *f = *state;
    char shard[128], dest[128];
    make_shard(f, "shard", "soins dentaires", shard, sizeof shard);
    static const char key[] = "polidex.test";
    assert_int_equal(xs_wdb_set_metadata(f->wdb, key, strlen(key), "v1", 2, NULL), 0);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    snprintf(dest, sizeof dest, "%s/merged", f->dir);
    const char *sources[] = {f->path, shard};
    assert_int_equal(xs_compact(sources, 2, dest, XS_COMPACT_FULLER, NULL), 0);
    struct xs_db *db = NULL;
    assert_int_equal(xs_db_open(dest, &db, NULL), 0);
    assert_doccount(db, CORPUS_SIZE + 1);
    assert_int_equal(termfreq(db, "soins"), 4);
    assert_int_equal(termfreq(db, "Qdoc1"), 1);
    const char *v;
    size_t vlen;
    assert_int_equal(xs_db_get_metadata(db, key, strlen(key), &v, &vlen, NULL), 0);
    assert_int_equal(vlen, 2);
    assert_memory_equal(v, "v1", 2);
    xs_db_close(db);
}

/* A scratch database takes documents in transactions like any other, cannot cancel one
 * (an error, not a crash), is complete once closed, and compacts like any other. */
static void test_wdb_scratch_writes_closes_and_compacts(void **state)
{
    struct fixture *f = *state;
    char path[128], dest[128];
    snprintf(path, sizeof path, "%s/scratch", f->dir);
    snprintf(dest, sizeof dest, "%s/scratch.compact", f->dir);
    struct xs_wdb *w = NULL;
    assert_int_equal(xs_wdb_open(path, XS_WDB_CREATE_SCRATCH, &w, NULL), 0);
    for (size_t i = 0; i < CORPUS_SIZE; i++) {
        assert_int_equal(xs_wdb_begin(w, NULL), 0);
        put_doc(w, &corpus[i], NULL);
        assert_int_equal(xs_wdb_commit_transaction(w, NULL), 0);
    }
    static const struct doc_spec s = {"Qtx", "transaction", NULL, NULL, NULL};
    assert_int_equal(xs_wdb_begin(w, NULL), 0);
    put_doc(w, &s, NULL);
    struct xs_error err = {0, ""};
    assert_int_equal(xs_wdb_cancel_transaction(w, &err), XS_E_INVALID);
    assert_non_null(strstr(err.message, "DB_DANGEROUS"));
    xs_wdb_close(w);

    struct xs_db *db = NULL;
    assert_int_equal(xs_db_open(path, &db, NULL), 0);
    assert_int_equal(termfreq(db, "soins"), 3);
    assert_int_equal(termfreq(db, "Qdoc4"), 1);
    xs_db_close(db);
    const char *sources[] = {path};
    assert_int_equal(xs_compact(sources, 1, dest, 0, NULL), 0);
    assert_int_equal(xs_db_open(dest, &db, NULL), 0);
    assert_int_equal(termfreq(db, "soins"), 3);
    assert_int_equal(termfreq(db, "Qdoc4"), 1);
    xs_db_close(db);
}

static void test_compact_bad_arguments(void **state)
{
    struct fixture *f = *state;
    char dest[128], missing[128];
    snprintf(dest, sizeof dest, "%s/out", f->dir);
    snprintf(missing, sizeof missing, "%s/missing", f->dir);
    const char *sources[] = {missing};
    struct xs_error err = {0, ""};
    assert_int_equal(xs_compact(sources, 0, dest, 0, &err), XS_E_INVALID);
    assert_int_equal(xs_compact(sources, 1, dest, 0x100, &err), XS_E_INVALID);
    assert_int_equal(xs_compact(sources, 1, dest, 0, &err), XS_E_OPENING);
}

static void test_wdb_open_second_writer_is_locked(void **state)
{
    struct fixture *f = *state;
    struct xs_wdb *w = (struct xs_wdb *)f; /* any non-NULL value: must be reset */
    struct xs_error err = {0, ""};
    assert_int_equal(xs_wdb_open(f->path, XS_WDB_CREATE_OR_OPEN, &w, &err), XS_E_LOCK);
    assert_null(w);
    assert_int_equal(err.code, XS_E_LOCK);
    assert_non_null(strstr(err.message, "DatabaseLockError"));
    assert_non_null(strstr(err.message, f->path));
}

static void test_db_open_missing_path_is_opening_error(void **state)
{
    struct fixture *f = *state;
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing", f->dir);
    struct xs_db *db = (struct xs_db *)f;
    struct xs_error err = {0, ""};
    int rc = xs_db_open(missing, &db, &err);
    assert_true(rc < 0);
    assert_int_equal(rc, XS_E_OPENING);
    assert_int_equal(err.code, rc);
    assert_null(db);
    assert_true(strlen(err.message) > 0);
    assert_non_null(strstr(err.message, "DatabaseNotFoundError"));
}

static void test_wdb_open_missing_path_in_open_mode_fails(void **state)
{
    struct fixture *f = *state;
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing", f->dir);
    struct xs_wdb *w = NULL;
    struct xs_error err = {0, ""};
    assert_int_equal(xs_wdb_open(missing, XS_WDB_OPEN, &w, &err), XS_E_OPENING);
    assert_null(w);
    assert_non_null(strstr(err.message, "DatabaseNotFoundError"));
}

static void test_wdb_open_bad_mode_is_invalid(void **state)
{
    struct fixture *f = *state;
    char other[128];
    snprintf(other, sizeof other, "%s/other", f->dir);
    struct xs_wdb *w = NULL;
    assert_int_equal(xs_wdb_open(other, 42, &w, NULL), XS_E_INVALID);
    assert_null(w);
}

static void test_null_err_is_accepted(void **state)
{
    struct fixture *f = *state;
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing", f->dir);
    struct xs_db *db = NULL;
    assert_int_equal(xs_db_open(missing, &db, NULL), XS_E_OPENING);
    assert_null(db);
    assert_int_equal(xs_wdb_open(f->path, XS_WDB_OPEN, NULL, NULL), XS_E_INVALID);
    assert_int_equal(xs_db_doccount(NULL, NULL, NULL), XS_E_INVALID);
}

static void test_free_functions_accept_null(void **state)
{
    (void)state;
    xs_db_close(NULL);
    xs_wdb_close(NULL);
    xs_doc_free(NULL);
    xs_query_free(NULL);
    xs_mset_free(NULL);
    assert_int_equal(xs_mset_size(NULL), 0);
    assert_int_equal(xs_mset_docid(NULL, 0), 0);
}

/* ---- documents ------------------------------------------------------------------- */

static void test_doc_empty_term_is_invalid(void **state)
{
    (void)state;
    struct xs_doc *doc = NULL;
    assert_int_equal(xs_doc_new(&doc, NULL), 0);
    struct xs_error err = {0, ""};
    assert_int_equal(xs_doc_add_term(doc, "", 0, 1, &err), XS_E_INVALID);
    assert_int_equal(xs_doc_add_posting(doc, NULL, 0, 1, NULL), XS_E_INVALID);
    assert_int_equal(xs_doc_add_boolean_term(doc, "", 0, NULL), XS_E_INVALID);
    assert_int_equal(xs_doc_set_data(doc, NULL, 3, NULL), XS_E_INVALID);
    xs_doc_free(doc);
}

static void test_doc_clear_empties_document(void **state)
{
    struct fixture *f = *state;
    struct xs_doc *doc = make_doc(&corpus[0]);
    assert_int_equal(xs_doc_clear(doc, NULL), 0);
    assert_int_equal(xs_doc_add_term(doc, "seul", 4, 2, NULL), 0);
    uint32_t docid = 0;
    assert_int_equal(xs_wdb_add(f->wdb, doc, &docid, NULL), 0);
    xs_doc_free(doc);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_int_equal(termfreq(f->db, "Qdoc1"), 1);
    assert_int_equal(termfreq(f->db, "seul"), 1);
    const char *data = NULL;
    size_t len = 99;
    assert_int_equal(xs_db_get_data(f->db, docid, &data, &len, NULL), 0);
    assert_int_equal(len, 0);
    struct xs_query *q = term("seul");
    struct xs_search_opts o = opts_relevance();
    struct xs_mset *ms = search(f->db, q, &o);
    xs_query_free(q);
    assert_int_equal(xs_mset_size(ms), 1);
    assert_int_equal(xs_mset_docid(ms, 0), docid);
    const char *v = NULL;
    assert_int_equal(xs_mset_value(ms, 0, SLOT_DATE, &v, &len, NULL), 0);
    assert_int_equal(len, 0);
    xs_mset_free(ms);
}

/* Counts the terms a document's walk reports. */
static int count_terms(void *ctx, const char *t, size_t len, uint32_t wdf)
{
    (void)t;
    (void)len;
    (void)wdf;
    (*(size_t *)ctx)++;
    return 0;
}

static size_t doc_terms(struct xs_db *db, uint32_t docid)
{
    size_t n = 0;
    assert_int_equal(xs_db_doc_terms(db, docid, "", 0, count_terms, &n, NULL), 0);
    return n;
}

/* Documents are built in arenas of their own (shim/doc_arena.h), 512 of them: more
 * documents alive at once than that are built in ordinary memory, and every one is
 * stored whole, with its positions; freed documents give their arenas back. */
#define MANY_DOCS 600
static void test_doc_more_documents_than_arenas(void **state)
{
    struct fixture *f = *state;
    for (int round = 0; round < 2; round++) {
        struct xs_doc **docs = test_calloc(MANY_DOCS, sizeof *docs);
        assert_non_null(docs);
        for (int i = 0; i < MANY_DOCS; i++) {
            char words[64];
            snprintf(words, sizeof words, "debut unique%dx%d milieu fin%d", round, i, i % 7);
            assert_int_equal(xs_doc_new(&docs[i], NULL), 0);
            add_words(docs[i], words);
        }
        for (int i = 0; i < MANY_DOCS; i++) {
            assert_int_equal(xs_wdb_add(f->wdb, docs[i], NULL, NULL), 0);
            xs_doc_free(docs[i]);
        }
        test_free(docs);
    }
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_doccount(f->db, CORPUS_SIZE + 2 * MANY_DOCS);
    assert_int_equal(termfreq(f->db, "unique0x0"), 1);
    assert_int_equal(termfreq(f->db, "unique1x599"), 1);
    assert_int_equal(termfreq(f->db, "milieu"), 2 * MANY_DOCS);
    struct xs_search_opts o = opts_relevance();
    o.count = 1;
    struct xs_query *q = pair(XS_OP_PHRASE, "unique1x599", "milieu", 0);
    struct xs_mset *ms = search(f->db, q, &o);
    xs_query_free(q);
    assert_int_equal(xs_mset_size(ms), 1);
    assert_int_equal(doc_terms(f->db, xs_mset_docid(ms, 0)), 4);
    xs_mset_free(ms);
}

/* A document whose terms outgrow its arena (1 MB) goes on in ordinary memory; cleared,
 * its arena is whole again for the next. */
static void test_doc_outgrowing_its_arena(void **state)
{
    struct fixture *f = *state;
    struct xs_doc *doc = NULL;
    assert_int_equal(xs_doc_new(&doc, NULL), 0);
    enum { BIG = 60000 }; /* each term about 150 bytes of nodes: 9 MB */
    for (uint32_t i = 0; i < BIG; i++) {
        char t[64];
        int n = snprintf(t, sizeof t, "un-terme-assez-long-pour-ne-pas-tenir-%08u", (unsigned)i);
        assert_int_equal(xs_doc_add_posting(doc, t, (size_t)n, i + 1, NULL), 0);
    }
    uint32_t big = 0, small = 0;
    assert_int_equal(xs_wdb_add(f->wdb, doc, &big, NULL), 0);
    assert_int_equal(xs_doc_clear(doc, NULL), 0);
    add_words(doc, "apres le grand document");
    assert_int_equal(xs_wdb_add(f->wdb, doc, &small, NULL), 0);
    xs_doc_free(doc);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    assert_int_equal(doc_terms(f->db, big), BIG);
    assert_int_equal(doc_terms(f->db, small), 4);
    assert_int_equal(termfreq(f->db, "un-terme-assez-long-pour-ne-pas-tenir-00059999"), 1);
    assert_int_equal(termfreq(f->db, "grand"), 1);
    const uint32_t want[1] = {small};
    assert_matches(f->db, pair(XS_OP_PHRASE, "grand", "document", 0), want, 1);
}

/* ---- queries --------------------------------------------------------------------- */

static void test_query_term_matches_documents(void **state)
{
    struct fixture *f = *state;
    static const uint32_t want[] = {1, 2, 4};
    assert_matches(f->db, term("soins"), want, 3);
    assert_matches(f->db, term("absent"), NULL, 0);
}

static void test_query_term_empty_is_invalid(void **state)
{
    (void)state;
    char sentinel = 0;
    struct xs_query *q = (struct xs_query *)(void *)&sentinel; /* must be reset to NULL */
    struct xs_error err = {0, ""};
    assert_int_equal(xs_query_term("", 0, 1, &q, &err), XS_E_INVALID);
    assert_null(q);
    assert_true(strlen(err.message) > 0);
}

static void test_query_and_or_and_not(void **state)
{
    struct fixture *f = *state;
    static const uint32_t both[] = {1, 2};
    static const uint32_t either[] = {1, 2, 3, 4};
    static const uint32_t only_soins[] = {4};
    assert_matches(f->db, pair(XS_OP_AND, "soins", "sante", 0), both, 2);
    assert_matches(f->db, pair(XS_OP_OR, "soins", "sante", 0), either, 4);
    assert_matches(f->db, pair(XS_OP_AND_NOT, "soins", "sante", 0), only_soins, 1);
}

static void test_query_filter_adds_no_weight(void **state)
{
    struct fixture *f = *state;
    static const uint32_t oms[] = {1};
    assert_matches(f->db, pair(XS_OP_FILTER, "soins", "XIoms", 0), oms, 1);
    /* "sante" has a wdf, so under AND it would add weight; as a filter it must not. */
    struct xs_query *filtered = pair(XS_OP_FILTER, "soins", "sante", 0);
    struct xs_query *plain = term("soins");
    struct xs_search_opts o = opts_relevance();
    struct xs_mset *ms = search(f->db, filtered, &o);
    struct xs_mset *ms2 = search(f->db, plain, &o);
    xs_query_free(filtered);
    xs_query_free(plain);
    assert_int_equal(xs_mset_size(ms), 2);
    for (size_t i = 0; i < xs_mset_size(ms); i++) {
        size_t j = 0;
        while (j < xs_mset_size(ms2) && xs_mset_docid(ms2, j) != xs_mset_docid(ms, i))
            j++;
        assert_true(j < xs_mset_size(ms2));
        assert_float_equal(xs_mset_weight(ms, i), xs_mset_weight(ms2, j), 1e-9);
    }
    xs_mset_free(ms);
    xs_mset_free(ms2);
}

static void test_query_and_maybe_and_synonym(void **state)
{
    struct fixture *f = *state;
    static const uint32_t sante[] = {1, 2, 3};
    static const uint32_t either[] = {1, 3};
    struct xs_query *q = pair(XS_OP_AND_MAYBE, "sante", "primaires", 0);
    struct xs_search_opts o = opts_relevance();
    struct xs_mset *ms = search(f->db, q, &o);
    assert_int_equal(xs_mset_docid(ms, 0), 1);
    xs_mset_free(ms);
    assert_matches(f->db, q, sante, 3);
    assert_matches(f->db, pair(XS_OP_SYNONYM, "hopitaux", "primaires", 0), either, 2);
}

static void test_query_phrase_exact_order_matches(void **state)
{
    struct fixture *f = *state;
    static const uint32_t want[] = {1};
    assert_matches(f->db, pair(XS_OP_PHRASE, "sante", "primaires", 0), want, 1);
}

static void test_query_phrase_wrong_order_does_not_match(void **state)
{
    struct fixture *f = *state;
    assert_matches(f->db, pair(XS_OP_PHRASE, "primaires", "sante", 0), NULL, 0);
    /* Both words are in doc 2, but not next to each other. */
    assert_matches(f->db, pair(XS_OP_PHRASE, "sante", "soins", 0), NULL, 0);
}

static void test_query_near_respects_window(void **state)
{
    struct fixture *f = *state;
    static const uint32_t want[] = {3};
    /* hopital is at position 2 and hopitaux at 5 in doc 3: a span of 4. */
    assert_matches(f->db, pair(XS_OP_NEAR, "hopital", "hopitaux", 3), NULL, 0);
    assert_matches(f->db, pair(XS_OP_NEAR, "hopital", "hopitaux", 4), want, 1);
    assert_matches(f->db, pair(XS_OP_NEAR, "hopitaux", "hopital", 4), want, 1);
}

static void test_query_combine_bad_arguments_are_invalid(void **state)
{
    (void)state;
    struct xs_query *subs[2] = {term("a"), NULL};
    char sentinel = 0;
    struct xs_query *q = (struct xs_query *)(void *)&sentinel; /* must be reset to NULL */
    struct xs_error err = {0, ""};
    assert_int_equal(xs_query_combine(99, subs, 1, 0, &q, &err), XS_E_INVALID);
    assert_null(q);
    assert_non_null(strstr(err.message, "operator"));
    assert_int_equal(xs_query_combine(XS_OP_AND, subs, 2, 0, &q, NULL), XS_E_INVALID);
    assert_int_equal(xs_query_combine(XS_OP_AND, NULL, 2, 0, &q, NULL), XS_E_INVALID);
    xs_query_free(subs[0]);
}

static void test_query_wildcard_expands_prefix(void **state)
{
    struct fixture *f = *state;
    static const uint32_t hop[] = {3};
    static const uint32_t pub[] = {2, 3};
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_wildcard("hopit", 5, 2, &q, NULL), 0);
    assert_matches(f->db, q, hop, 1);
    assert_int_equal(xs_query_wildcard("publi", 5, 10, &q, NULL), 0);
    assert_matches(f->db, q, pub, 2);
}

static void test_query_wildcard_limit_exceeded_is_invalid(void **state)
{
    struct fixture *f = *state;
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_wildcard("hopit", 5, 1, &q, NULL), 0);
    struct xs_search_opts o = opts_relevance();
    struct xs_mset *ms = (struct xs_mset *)f;
    struct xs_error err = {0, ""};
    assert_int_equal(xs_db_search(f->db, q, &o, &ms, &err), XS_E_INVALID);
    assert_null(ms);
    assert_non_null(strstr(err.message, "WildcardError"));
    xs_query_free(q);
    /* 0: no limit. */
    static const uint32_t hop[] = {3};
    assert_int_equal(xs_query_wildcard("hopit", 5, 0, &q, NULL), 0);
    assert_matches(f->db, q, hop, 1);
}

static void test_query_value_range_bounds(void **state)
{
    struct fixture *f = *state;
    static const uint32_t in_range[] = {1, 2};
    static const uint32_t from_2023[] = {1, 3};
    static const uint32_t inclusive[] = {2};
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_value_range(SLOT_DATE, "20220101", 8, "20231231", 8, &q, NULL), 0);
    assert_matches(f->db, q, in_range, 2);
    assert_int_equal(xs_query_value_range(SLOT_DATE, "20230101", 8, "", 0, &q, NULL), 0);
    assert_matches(f->db, q, from_2023, 2);
    assert_int_equal(xs_query_value_range(SLOT_DATE, "20220610", 8, "20220610", 8, &q, NULL), 0);
    assert_matches(f->db, q, inclusive, 1);
}

static void test_query_match_all_and_nothing(void **state)
{
    struct fixture *f = *state;
    static const uint32_t all[] = {1, 2, 3, 4};
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_match_all(&q, NULL), 0);
    assert_matches(f->db, q, all, 4);
    assert_int_equal(xs_query_match_nothing(&q, NULL), 0);
    assert_matches(f->db, q, NULL, 0);
}

static void test_query_scale_zero_gives_zero_weight(void **state)
{
    struct fixture *f = *state;
    struct xs_query *t = term("soins");
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_scale(t, 0.0, &q, NULL), 0);
    struct xs_search_opts o = opts_relevance();
    struct xs_mset *ms = search(f->db, q, &o);
    assert_int_equal(xs_mset_size(ms), 3);
    assert_float_equal(xs_mset_weight(ms, 0), 0.0, 0.0);
    xs_mset_free(ms);
    xs_query_free(q);
    assert_int_equal(xs_query_scale(t, -1.0, &q, NULL), XS_E_INVALID);
    xs_query_free(t);
}

static void test_query_describe_truncates(void **state)
{
    (void)state;
    struct xs_query *q = pair(XS_OP_AND, "soins", "sante", 0);
    char buf[128];
    assert_int_equal(xs_query_describe(q, buf, sizeof buf, NULL), 0);
    assert_non_null(strstr(buf, "soins"));
    assert_non_null(strstr(buf, "AND"));
    char small[8];
    assert_int_equal(xs_query_describe(q, small, sizeof small, NULL), 0);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, buf, sizeof small - 1);
    xs_query_free(q);
}

/* ---- results --------------------------------------------------------------------- */

static void test_search_results_fields(void **state)
{
    struct fixture *f = *state;
    struct xs_query *q = term("soins");
    struct xs_search_opts o = opts_relevance();
    struct xs_mset *ms = search(f->db, q, &o);
    xs_query_free(q);
    assert_int_equal(xs_mset_size(ms), 3);
    assert_int_equal(xs_mset_percent(ms, 0), 100);
    for (size_t i = 0; i < xs_mset_size(ms); i++) {
        uint32_t id = xs_mset_docid(ms, i);
        assert_in_range(id, 1, CORPUS_SIZE);
        assert_int_equal(xs_mset_rank(ms, i), i);
        assert_true(xs_mset_weight(ms, i) > 0.0);
        assert_in_range(xs_mset_percent(ms, i), 1, 100);
        if (i > 0)
            assert_true(xs_mset_weight(ms, i) <= xs_mset_weight(ms, i - 1));
        const char *s = NULL;
        size_t len = 0;
        assert_int_equal(xs_mset_data(ms, i, &s, &len, NULL), 0);
        assert_int_equal(len, strlen(corpus[id - 1].data));
        assert_memory_equal(s, corpus[id - 1].data, len);
        assert_int_equal(xs_mset_value(ms, i, SLOT_DATE, &s, &len, NULL), 0);
        assert_int_equal(len, 8);
        assert_memory_equal(s, corpus[id - 1].date, len);
        assert_int_equal(xs_mset_value(ms, i, 7, &s, &len, NULL), 0);
        assert_int_equal(len, 0);
    }
    /* Past the end: no crash, a 0 or an error. */
    assert_int_equal(xs_mset_docid(ms, 3), 0);
    const char *s = NULL;
    size_t len = 0;
    assert_int_equal(xs_mset_data(ms, 3, &s, &len, NULL), XS_E_INVALID);
    xs_mset_free(ms);
}

static void test_search_offset_gives_global_rank(void **state)
{
    struct fixture *f = *state;
    struct xs_query *q = term("soins");
    struct xs_search_opts all = opts_relevance();
    struct xs_mset *ms_all = search(f->db, q, &all);
    struct xs_search_opts o = {1, 1, UINT32_MAX, -1, 0};
    struct xs_mset *ms = search(f->db, q, &o);
    xs_query_free(q);
    assert_int_equal(xs_mset_size(ms), 1);
    assert_int_equal(xs_mset_rank(ms, 0), 1);
    assert_int_equal(xs_mset_docid(ms, 0), xs_mset_docid(ms_all, 1));
    assert_int_equal(xs_mset_estimated(ms), 3);
    xs_mset_free(ms);
    xs_mset_free(ms_all);
}

static void check_date_order(struct xs_db *db, int descending, const uint32_t *want)
{
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_match_all(&q, NULL), 0);
    struct xs_search_opts o = {0, 10, UINT32_MAX, (int)SLOT_DATE, descending};
    struct xs_mset *ms = search(db, q, &o);
    xs_query_free(q);
    assert_int_equal(xs_mset_size(ms), CORPUS_SIZE);
    for (size_t i = 0; i < CORPUS_SIZE; i++)
        assert_int_equal(xs_mset_docid(ms, i), want[i]);
    xs_mset_free(ms);
}

static void test_search_sort_by_value_ascending(void **state)
{
    struct fixture *f = *state;
    /* 2021, 2022, 2023, 2024 */
    static const uint32_t want[] = {4, 2, 1, 3};
    check_date_order(f->db, 0, want);
}

static void test_search_sort_by_value_descending(void **state)
{
    struct fixture *f = *state;
    static const uint32_t want[] = {3, 1, 2, 4};
    check_date_order(f->db, 1, want);
}

static void test_search_null_arguments_are_invalid(void **state)
{
    struct fixture *f = *state;
    struct xs_query *q = term("soins");
    struct xs_mset *ms = NULL;
    assert_int_equal(xs_db_search(f->db, q, NULL, &ms, NULL), XS_E_INVALID);
    assert_null(ms);
    xs_query_free(q);
}

/* Many documents, so that a lazy count can stay an estimate. */
static int setup_many(void **state)
{
    if (setup_empty(state) != 0)
        return -1;
    struct fixture *f = *state;
    struct xs_doc *doc = NULL;
    if (xs_doc_new(&doc, NULL) != 0)
        return -1;
    int rc = 0;
    for (uint32_t i = 0; i < 600 && rc == 0; i++) {
        rc |= xs_doc_clear(doc, NULL);
        rc |= xs_doc_add_term(doc, "a", 1, 1, NULL);
        if (i % 2 == 0)
            rc |= xs_doc_add_term(doc, "b", 1, 1 + i % 5, NULL);
        if (i % 3 == 0)
            rc |= xs_doc_add_term(doc, "c", 1, 1 + i % 7, NULL);
        rc |= xs_wdb_add(f->wdb, doc, NULL, NULL);
    }
    xs_doc_free(doc);
    if (rc != 0 || xs_wdb_commit(f->wdb, NULL) != 0 || xs_db_open(f->path, &f->db, NULL) != 0)
        return -1;
    return 0;
}

static void test_search_counts_exact_vs_estimated(void **state)
{
    struct fixture *f = *state;
    struct xs_query *q = pair(XS_OP_AND, "b", "c", 0);
    struct xs_search_opts lazy = {0, 1, 0, -1, 0};
    struct xs_mset *ms = search(f->db, q, &lazy);
    assert_int_equal(xs_mset_size(ms), 1);
    assert_true(xs_mset_lower_bound(ms) < xs_mset_upper_bound(ms));
    assert_in_range(xs_mset_estimated(ms), xs_mset_lower_bound(ms), xs_mset_upper_bound(ms));
    xs_mset_free(ms);

    struct xs_search_opts exact = {0, 1, UINT32_MAX, -1, 0};
    ms = search(f->db, q, &exact);
    xs_query_free(q);
    assert_int_equal(xs_mset_size(ms), 1);
    assert_int_equal(xs_mset_lower_bound(ms), 100);
    assert_int_equal(xs_mset_upper_bound(ms), 100);
    assert_int_equal(xs_mset_estimated(ms), 100);
    xs_mset_free(ms);
}

/* ---- looking documents up -------------------------------------------------------- */

static void test_find_gives_docid_or_zero(void **state)
{
    struct fixture *f = *state;
    uint32_t id = 99;
    assert_int_equal(xs_db_find(f->db, "Qdoc3", 5, &id, NULL), 0);
    assert_int_equal(id, 3);
    assert_int_equal(xs_wdb_find(f->wdb, "Qdoc2", 5, &id, NULL), 0);
    assert_int_equal(id, 2);
    assert_int_equal(xs_db_find(f->db, "Qnone", 5, &id, NULL), 0);
    assert_int_equal(id, 0);
    assert_int_equal(xs_wdb_find(f->wdb, "Qnone", 5, &id, NULL), 0);
    assert_int_equal(id, 0);
    struct xs_error err = {0, ""};
    assert_int_equal(xs_db_find(f->db, "", 0, &id, &err), XS_E_INVALID);
    assert_int_equal(id, 0);
}

static void test_wdb_find_sees_uncommitted_documents(void **state)
{
    struct fixture *f = *state;
    static const struct doc_spec s = {"Qnew", "vaccins", NULL, NULL, "new"};
    uint32_t added = 0, id = 0;
    put_doc(f->wdb, &s, &added);
    assert_int_equal(xs_wdb_find(f->wdb, "Qnew", 4, &id, NULL), 0);
    assert_int_equal(id, added);
}

static void test_get_value_reads_slot(void **state)
{
    struct fixture *f = *state;
    const char *v = NULL;
    size_t len = 0;
    assert_int_equal(xs_db_get_value(f->db, 2, SLOT_DATE, &v, &len, NULL), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(v, "20220610", 8);
    assert_int_equal(xs_wdb_get_value(f->wdb, 3, SLOT_DATE, &v, &len, NULL), 0);
    assert_memory_equal(v, "20240301", 8);
    assert_int_equal(xs_wdb_get_value(f->wdb, 3, 7, &v, &len, NULL), 0);
    assert_int_equal(len, 0); /* unset slot */
    struct xs_error err = {0, ""};
    assert_int_equal(xs_db_get_value(f->db, 42, SLOT_DATE, &v, &len, &err), XS_E_NOTFOUND);
    assert_int_equal(xs_wdb_get_value(f->wdb, 42, SLOT_DATE, &v, &len, &err), XS_E_NOTFOUND);
}

static void test_wdb_set_value_keeps_terms_and_data(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(xs_wdb_set_value(f->wdb, 1, SLOT_DATE, "19991231", 8, NULL), 0);
    assert_int_equal(xs_wdb_commit(f->wdb, NULL), 0);
    assert_int_equal(xs_db_reopen(f->db, NULL), 0);
    const char *v = NULL;
    size_t len = 0;
    assert_int_equal(xs_db_get_value(f->db, 1, SLOT_DATE, &v, &len, NULL), 0);
    assert_memory_equal(v, "19991231", 8);
    assert_int_equal(xs_db_get_data(f->db, 1, &v, &len, NULL), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(v, "doc1", 4);
    uint32_t hits[] = {1};
    assert_matches(f->db, pair(XS_OP_PHRASE, "sante", "primaires", 0), hits, 1);
    assert_doccount(f->db, CORPUS_SIZE);
    struct xs_error err = {0, ""};
    assert_int_equal(xs_wdb_set_value(f->wdb, 42, SLOT_DATE, "x", 1, &err), XS_E_NOTFOUND);
}

struct term_list {
    char terms[8][16];
    uint32_t freqs[8];
    size_t n;
    size_t stop_after;
    int overflow;
};

static int collect_term(void *ctx, const char *t, size_t len, uint32_t freq)
{
    struct term_list *l = ctx;
    /* No cmocka assert here: its longjmp would cross the shim's C++ frames. */
    if (len >= sizeof l->terms[0] || l->n == 8) {
        l->overflow = 1;
        return 1;
    }
    memcpy(l->terms[l->n], t, len);
    l->terms[l->n][len] = '\0';
    l->freqs[l->n] = freq;
    l->n++;
    return l->n == l->stop_after;
}

static void test_terms_with_prefix_in_order(void **state)
{
    struct fixture *f = *state;
    struct term_list l = {.stop_after = 0};
    assert_int_equal(xs_db_terms(f->db, "XI", 2, collect_term, &l, NULL), 0);
    assert_false(l.overflow);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.terms[0], "XIars");
    assert_int_equal(l.freqs[0], 2);
    assert_string_equal(l.terms[1], "XIoms");
    memset(&l, 0, sizeof l);
    assert_int_equal(xs_wdb_terms(f->wdb, "Q", 1, collect_term, &l, NULL), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.terms[0], "Qdoc1");
    assert_string_equal(l.terms[3], "Qdoc4");
    memset(&l, 0, sizeof l);
    assert_int_equal(xs_db_terms(f->db, "Qzz", 3, collect_term, &l, NULL), 0);
    assert_int_equal(l.n, 0);
}

static void test_terms_callback_stops(void **state)
{
    struct fixture *f = *state;
    struct term_list l = {.stop_after = 2};
    assert_int_equal(xs_db_terms(f->db, "Q", 1, collect_term, &l, NULL), 0);
    assert_int_equal(l.n, 2);
    struct xs_error err = {0, ""};
    assert_int_equal(xs_db_terms(f->db, "Q", 1, NULL, &l, &err), XS_E_INVALID);
}

struct value_list {
    uint32_t docids[8];
    char values[8][16];
    size_t n, stop_after;
    int overflow;
};

static int collect_value(void *ctx, uint32_t docid, const char *v, size_t len)
{
    struct value_list *l = ctx;
    if (len >= sizeof l->values[0] || l->n == 8) {
        l->overflow = 1;
        return 1;
    }
    l->docids[l->n] = docid;
    memcpy(l->values[l->n], v, len);
    l->values[l->n][len] = '\0';
    l->n++;
    return l->n == l->stop_after;
}

static void test_values_stream_in_docid_order(void **state)
{
    struct fixture *f = *state;
    struct value_list l = {.stop_after = 0};
    assert_int_equal(xs_db_values(f->db, SLOT_DATE, collect_value, &l, NULL), 0);
    assert_false(l.overflow);
    assert_int_equal(l.n, CORPUS_SIZE);
    for (size_t i = 0; i < CORPUS_SIZE; i++) {
        assert_int_equal(l.docids[i], i + 1);
        assert_string_equal(l.values[i], corpus[i].date);
    }
    /* A value changed through the writer is what its stream gives. */
    assert_int_equal(xs_wdb_set_value(f->wdb, 3, SLOT_DATE, "20250505", 8, NULL), 0);
    memset(&l, 0, sizeof l);
    l.stop_after = 3;
    assert_int_equal(xs_wdb_values(f->wdb, SLOT_DATE, collect_value, &l, NULL), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.values[2], "20250505");
    memset(&l, 0, sizeof l);
    assert_int_equal(xs_db_values(f->db, 7, collect_value, &l, NULL), 0);
    assert_int_equal(l.n, 0); /* a slot nobody set */
    struct xs_error err = {0, ""};
    assert_int_equal(xs_db_values(f->db, SLOT_DATE, NULL, &l, &err), XS_E_INVALID);
    assert_int_equal(xs_wdb_values(NULL, SLOT_DATE, collect_value, &l, &err), XS_E_INVALID);
}

static void test_check_consistent_database(void **state)
{
    struct fixture *f = *state;
    size_t errors = 99;
    char report[256];
    struct xs_error err = {0, ""};
    if (xs_db_check(f->path, &errors, report, sizeof report, &err) != 0)
        fail_msg("xs_db_check: %s", err.message);
    assert_int_equal(errors, 0);
    assert_int_equal(xs_db_check(f->path, &errors, NULL, 0, NULL), 0);
}

static void test_check_missing_database_fails(void **state)
{
    struct fixture *f = *state;
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing", f->dir);
    size_t errors = 0;
    char report[64];
    struct xs_error err = {0, ""};
    int rc = xs_db_check(missing, &errors, report, sizeof report, &err);
    assert_true(rc < 0);
    assert_int_equal(err.code, rc);
}

static void test_check_damaged_database_fails_or_counts(void **state)
{
    struct fixture *f = *state;
    char table[160];
    snprintf(table, sizeof table, "%s/postlist.glass", f->path);
    FILE *fp = fopen(table, "r+b");
    assert_non_null(fp);
    /* Overwrite the start of the first block: the check must notice. */
    static const char junk[64] = "not a glass block, not a glass block, not a glass block";
    assert_int_equal(fwrite(junk, 1, sizeof junk, fp), sizeof junk);
    assert_int_equal(fclose(fp), 0);
    size_t errors = 0;
    char report[256];
    struct xs_error err = {0, ""};
    int rc = xs_db_check(f->path, &errors, report, sizeof report, &err);
    assert_true(rc < 0 || errors > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_name_known_and_unknown),
        cmocka_unit_test_setup_teardown(test_wdb_replace_adds_documents, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_wdb_add_returns_new_docid, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_wdb_replace_existing_keeps_doccount, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wdb_replace_without_idterm_is_invalid, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wdb_delete_removes_document, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_db_get_data_returns_stored_data, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_db_get_data_missing_doc_is_notfound, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_metadata_set_and_get, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_missing_key_is_empty, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_empty_key_is_invalid, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_commit_makes_docs_visible, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transaction_cancel_discards_docs, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transaction_commit_without_begin_is_invalid,
                                        setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_wdb_close_commits_pending_changes, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wdb_close_cancels_open_transaction, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_db_reopen_sees_new_commit, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_db_add_searches_every_shard, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_db_new_is_empty_and_add_db_combines, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_db_add_db_to_itself_is_invalid, setup_corpus,
                                        teardown),
        cmocka_unit_test(test_db_open_remote_refused_is_network_error),
        cmocka_unit_test(test_db_open_remote_bad_arguments_are_invalid),
        cmocka_unit_test_setup_teardown(test_compact_merges_sources, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_wdb_scratch_writes_closes_and_compacts, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_compact_bad_arguments, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_wdb_open_second_writer_is_locked, setup_empty,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_db_open_missing_path_is_opening_error, setup_empty,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wdb_open_missing_path_in_open_mode_fails, setup_empty,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wdb_open_bad_mode_is_invalid, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_null_err_is_accepted, setup_empty, teardown),
        cmocka_unit_test(test_free_functions_accept_null),
        cmocka_unit_test(test_doc_empty_term_is_invalid),
        cmocka_unit_test_setup_teardown(test_doc_clear_empties_document, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_doc_more_documents_than_arenas, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_doc_outgrowing_its_arena, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_query_term_matches_documents, setup_corpus, teardown),
        cmocka_unit_test(test_query_term_empty_is_invalid),
        cmocka_unit_test_setup_teardown(test_query_and_or_and_not, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_query_filter_adds_no_weight, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_query_and_maybe_and_synonym, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_query_phrase_exact_order_matches, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_query_phrase_wrong_order_does_not_match, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_query_near_respects_window, setup_corpus, teardown),
        cmocka_unit_test(test_query_combine_bad_arguments_are_invalid),
        cmocka_unit_test_setup_teardown(test_query_wildcard_expands_prefix, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_query_wildcard_limit_exceeded_is_invalid, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_query_value_range_bounds, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_query_match_all_and_nothing, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_query_scale_zero_gives_zero_weight, setup_corpus,
                                        teardown),
        cmocka_unit_test(test_query_describe_truncates),
        cmocka_unit_test_setup_teardown(test_search_results_fields, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_search_offset_gives_global_rank, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_sort_by_value_ascending, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_sort_by_value_descending, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_null_arguments_are_invalid, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_counts_exact_vs_estimated, setup_many,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_find_gives_docid_or_zero, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_wdb_find_sees_uncommitted_documents, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_get_value_reads_slot, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_wdb_set_value_keeps_terms_and_data, setup_corpus,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_terms_with_prefix_in_order, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_terms_callback_stops, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_values_stream_in_docid_order, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_check_consistent_database, setup_corpus, teardown),
        cmocka_unit_test_setup_teardown(test_check_missing_database_fails, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_check_damaged_database_fails_or_counts, setup_corpus,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
