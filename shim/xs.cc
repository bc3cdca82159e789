// xs.cc — the plain-C API of xs.h over Xapian.
//
// Every exported function catches everything and hands the exception to xs_translate,
// the one place that turns C++ exceptions into XS_E_* codes and messages. Argument
// errors are reported by throwing Xapian::InvalidArgumentError so that they take the
// same path as Xapian's own.

#include "xs.h"

#include "doc_arena.h"

#include <xapian.h>

#include <cstdio>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

struct xs_db {
    Xapian::Database db;
    std::string scratch;
};

struct xs_wdb {
    Xapian::WritableDatabase db;
    std::string scratch;
};

// The document's terms are built in its arena (doc_arena.h), which must outlive them:
// members are destroyed in reverse order.
struct xs_doc {
    xs::DocArena arena;
    Xapian::Document doc;
};

struct xs_query {
    Xapian::Query q;
};

struct xs_mset {
    Xapian::MSet mset;
    std::string scratch;
};

static void set_error(struct xs_error *err, int code, const char *type, const char *msg,
                      const char *context, const char *sys) noexcept
{
    if (err == nullptr)
        return;
    err->code = code;
    bool has_context = context != nullptr && context[0] != '\0';
    bool has_sys = sys != nullptr && sys[0] != '\0';
    std::snprintf(err->message, sizeof err->message, "%s%s%s%s%s%s%s%s", type ? type : "",
                  type ? ": " : "", msg, has_context ? " (context: " : "",
                  has_context ? context : "", has_context ? ")" : "", has_sys ? " - " : "",
                  has_sys ? sys : "");
}

static void set_xapian_error(struct xs_error *err, int code, const Xapian::Error &e) noexcept
{
    if (err == nullptr)
        return;
    // get_description() would build a new std::string; the parts are already there.
    // Only the errno text is built lazily (it may allocate and so throw).
    const char *sys = nullptr;
    try {
        sys = e.get_error_string();
    } catch (...) {
        sys = nullptr;
    }
    set_error(err, code, e.get_type(), e.get_msg().c_str(), e.get_context().c_str(), sys);
}

// Must be called from inside a catch handler: it rethrows the exception being handled.
static int xs_translate(struct xs_error *err) noexcept
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        set_xapian_error(err, XS_E_LOCK, e);
        return XS_E_LOCK;
    } catch (const Xapian::DatabaseVersionError &e) {
        set_xapian_error(err, XS_E_VERSION, e);
        return XS_E_VERSION;
    } catch (const Xapian::DatabaseNotFoundError &e) {
        set_xapian_error(err, XS_E_OPENING, e);
        return XS_E_OPENING;
    } catch (const Xapian::DatabaseOpeningError &e) {
        set_xapian_error(err, XS_E_OPENING, e);
        return XS_E_OPENING;
    } catch (const Xapian::DatabaseCorruptError &e) {
        set_xapian_error(err, XS_E_CORRUPT, e);
        return XS_E_CORRUPT;
    } catch (const Xapian::DatabaseModifiedError &e) {
        set_xapian_error(err, XS_E_MODIFIED, e);
        return XS_E_MODIFIED;
    } catch (const Xapian::DocNotFoundError &e) {
        set_xapian_error(err, XS_E_NOTFOUND, e);
        return XS_E_NOTFOUND;
    } catch (const Xapian::NetworkError &e) {
        set_xapian_error(err, XS_E_NETWORK, e);
        return XS_E_NETWORK;
    } catch (const Xapian::InvalidArgumentError &e) {
        set_xapian_error(err, XS_E_INVALID, e);
        return XS_E_INVALID;
    } catch (const Xapian::InvalidOperationError &e) {
        set_xapian_error(err, XS_E_INVALID, e);
        return XS_E_INVALID;
    } catch (const Xapian::WildcardError &e) {
        set_xapian_error(err, XS_E_INVALID, e);
        return XS_E_INVALID;
    } catch (const Xapian::RangeError &e) {
        set_xapian_error(err, XS_E_INVALID, e);
        return XS_E_INVALID;
    } catch (const Xapian::Error &e) {
        set_xapian_error(err, XS_E_XAPIAN, e);
        return XS_E_XAPIAN;
    } catch (const std::bad_alloc &e) {
        set_error(err, XS_E_NOMEM, "out of memory", e.what(), nullptr, nullptr);
        return XS_E_NOMEM;
    } catch (const std::exception &e) {
        set_error(err, XS_E_STD, "C++ exception", e.what(), nullptr, nullptr);
        return XS_E_STD;
    } catch (...) {
        set_error(err, XS_E_UNKNOWN, nullptr, "unknown exception", nullptr, nullptr);
        return XS_E_UNKNOWN;
    }
}

static void require(bool ok, const char *what)
{
    if (!ok)
        throw Xapian::InvalidArgumentError(what);
}

// std::string(NULL, 0) is not guaranteed to be valid, and (NULL, n) never is.
static std::string str_in(const char *s, size_t len, const char *what)
{
    require(s != nullptr || len == 0, what);
    return len == 0 ? std::string() : std::string(s, len);
}

// A term that is empty would silently turn into "match everything" in a query.
static std::string term_in(const char *s, size_t len, const char *what)
{
    require(s != nullptr && len != 0, what);
    return std::string(s, len);
}

static void str_out(std::string &scratch, std::string &&value, const char **out, size_t *len)
{
    scratch = std::move(value);
    *out = scratch.c_str();
    *len = scratch.size();
}

extern "C" const char *xs_code_name(int code)
{
    switch (code) {
    case XS_OK:
        return "ok";
    case XS_E_LOCK:
        return "lock";
    case XS_E_NOTFOUND:
        return "not found";
    case XS_E_CORRUPT:
        return "corrupt";
    case XS_E_INVALID:
        return "invalid argument";
    case XS_E_NOMEM:
        return "out of memory";
    case XS_E_XAPIAN:
        return "xapian error";
    case XS_E_STD:
        return "c++ exception";
    case XS_E_UNKNOWN:
        return "unknown error";
    case XS_E_OPENING:
        return "cannot open";
    case XS_E_VERSION:
        return "unsupported version";
    case XS_E_MODIFIED:
        return "modified";
    case XS_E_NETWORK:
        return "network";
    default:
        return "unrecognised code";
    }
}

/* ---- databases ------------------------------------------------------------------ */

extern "C" int xs_db_open(const char *path, struct xs_db **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_db_open: out is NULL");
        *out = nullptr;
        require(path != nullptr, "xs_db_open: path is NULL");
        std::unique_ptr<xs_db> h(new xs_db{Xapian::Database(path), std::string()});
        *out = h.release();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_add(struct xs_db *db, const char *path, struct xs_error *err)
{
    try {
        require(db != nullptr && path != nullptr, "xs_db_add: NULL argument");
        db->db.add_database(Xapian::Database(path));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_new(struct xs_db **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_db_new: out is NULL");
        *out = nullptr;
        *out = new xs_db{Xapian::Database(), std::string()};
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_open_remote(const char *host, unsigned port, unsigned timeout_ms,
                                 unsigned connect_timeout_ms, struct xs_db **out,
                                 struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_db_open_remote: out is NULL");
        *out = nullptr;
        require(host != nullptr && host[0] != '\0', "xs_db_open_remote: empty host");
        require(port > 0 && port < 65536, "xs_db_open_remote: port out of range");
        std::unique_ptr<xs_db> h(new xs_db{
            Xapian::Remote::open(host, port, timeout_ms, connect_timeout_ms), std::string()});
        *out = h.release();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_add_db(struct xs_db *db, const struct xs_db *other, struct xs_error *err)
{
    try {
        require(db != nullptr && other != nullptr, "xs_db_add_db: NULL argument");
        require(db != other, "xs_db_add_db: a reader cannot be added to itself");
        db->db.add_database(other->db);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_shard_count(const struct xs_db *db, size_t *out, struct xs_error *err)
{
    try {
        require(db != nullptr && out != nullptr, "xs_db_shard_count: NULL argument");
        *out = db->db.size();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_reopen(struct xs_db *db, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_db_reopen: db is NULL");
        db->db.reopen();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" void xs_db_close(struct xs_db *db)
{
    // No Database::close(): result sets taken from this reader share its internals and
    // may still be reading documents after the handle is gone.
    delete db;
}

extern "C" int xs_wdb_open(const char *path, int mode, struct xs_wdb **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_wdb_open: out is NULL");
        *out = nullptr;
        require(path != nullptr, "xs_wdb_open: path is NULL");
        int flags;
        switch (mode) {
        case XS_WDB_OPEN:
            flags = Xapian::DB_OPEN;
            break;
        case XS_WDB_CREATE_OR_OPEN:
            flags = Xapian::DB_CREATE_OR_OPEN;
            break;
        case XS_WDB_CREATE_OR_OVERWRITE:
            flags = Xapian::DB_CREATE_OR_OVERWRITE;
            break;
        case XS_WDB_CREATE_SCRATCH:
            flags = Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_DANGEROUS | Xapian::DB_NO_SYNC;
            break;
        default:
            throw Xapian::InvalidArgumentError("xs_wdb_open: unknown mode");
        }
        std::unique_ptr<xs_wdb> h(new xs_wdb{Xapian::WritableDatabase(path, flags), std::string()});
        *out = h.release();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" void xs_wdb_close(struct xs_wdb *db)
{
    if (db == nullptr)
        return;
    // close() commits what is pending outside a transaction; a transaction still in
    // progress is cancelled, never half-applied. Callers who need to know whether the
    // commit succeeded call xs_wdb_commit first, as the header says.
    try {
        db->db.close();
    } catch (...) {
    }
    delete db;
}

extern "C" int xs_wdb_begin(struct xs_wdb *db, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_begin: db is NULL");
        db->db.begin_transaction(true);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_commit_transaction(struct xs_wdb *db, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_commit_transaction: db is NULL");
        db->db.commit_transaction();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_cancel_transaction(struct xs_wdb *db, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_cancel_transaction: db is NULL");
        db->db.cancel_transaction();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_commit(struct xs_wdb *db, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_commit: db is NULL");
        db->db.commit();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_doccount(const struct xs_db *db, uint32_t *out, struct xs_error *err)
{
    try {
        require(db != nullptr && out != nullptr, "xs_db_doccount: NULL argument");
        *out = db->db.get_doccount();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_doccount(const struct xs_wdb *db, uint32_t *out, struct xs_error *err)
{
    try {
        require(db != nullptr && out != nullptr, "xs_wdb_doccount: NULL argument");
        *out = db->db.get_doccount();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_get_metadata(struct xs_db *db, const char *key, size_t key_len,
                                  const char **value, size_t *value_len, struct xs_error *err)
{
    try {
        require(db != nullptr && value != nullptr && value_len != nullptr,
                "xs_db_get_metadata: NULL argument");
        std::string k = str_in(key, key_len, "xs_db_get_metadata: key is NULL");
        str_out(db->scratch, db->db.get_metadata(k), value, value_len);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_get_metadata(struct xs_wdb *db, const char *key, size_t key_len,
                                   const char **value, size_t *value_len, struct xs_error *err)
{
    try {
        require(db != nullptr && value != nullptr && value_len != nullptr,
                "xs_wdb_get_metadata: NULL argument");
        std::string k = str_in(key, key_len, "xs_wdb_get_metadata: key is NULL");
        str_out(db->scratch, db->db.get_metadata(k), value, value_len);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_set_metadata(struct xs_wdb *db, const char *key, size_t key_len,
                                   const char *value, size_t value_len, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_set_metadata: db is NULL");
        db->db.set_metadata(str_in(key, key_len, "xs_wdb_set_metadata: key is NULL"),
                            str_in(value, value_len, "xs_wdb_set_metadata: value is NULL"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_termfreq(const struct xs_db *db, const char *term, size_t term_len,
                              uint32_t *out, struct xs_error *err)
{
    try {
        require(db != nullptr && out != nullptr, "xs_db_termfreq: NULL argument");
        *out = db->db.get_termfreq(term_in(term, term_len, "xs_db_termfreq: empty term"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

/* ---- documents ------------------------------------------------------------------ */

extern "C" int xs_doc_new(struct xs_doc **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_doc_new: out is NULL");
        *out = nullptr;
        *out = new xs_doc;
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" void xs_doc_free(struct xs_doc *doc)
{
    delete doc;
}

extern "C" int xs_doc_clear(struct xs_doc *doc, struct xs_error *err)
{
    try {
        require(doc != nullptr, "xs_doc_clear: doc is NULL");
        doc->doc.clear_terms();
        doc->doc.clear_values();
        doc->doc.set_data(std::string());
        doc->arena.reset(); // nothing is left in it
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_doc_add_term(struct xs_doc *doc, const char *term, size_t len, uint32_t wdf,
                               struct xs_error *err)
{
    try {
        require(doc != nullptr, "xs_doc_add_term: doc is NULL");
        std::string t = term_in(term, len, "xs_doc_add_term: empty term");
        xs::DocArena::Scope in_arena(doc->arena);
        doc->doc.add_term(t, wdf);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_doc_add_posting(struct xs_doc *doc, const char *term, size_t len, uint32_t pos,
                                  struct xs_error *err)
{
    try {
        require(doc != nullptr, "xs_doc_add_posting: doc is NULL");
        std::string t = term_in(term, len, "xs_doc_add_posting: empty term");
        xs::DocArena::Scope in_arena(doc->arena);
        doc->doc.add_posting(t, pos, 1);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_doc_add_boolean_term(struct xs_doc *doc, const char *term, size_t len,
                                       struct xs_error *err)
{
    try {
        require(doc != nullptr, "xs_doc_add_boolean_term: doc is NULL");
        std::string t = term_in(term, len, "xs_doc_add_boolean_term: empty term");
        xs::DocArena::Scope in_arena(doc->arena);
        doc->doc.add_boolean_term(t);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_doc_set_value(struct xs_doc *doc, unsigned slot, const char *value, size_t len,
                                struct xs_error *err)
{
    try {
        require(doc != nullptr, "xs_doc_set_value: doc is NULL");
        doc->doc.add_value(slot, str_in(value, len, "xs_doc_set_value: value is NULL"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_doc_set_data(struct xs_doc *doc, const char *data, size_t len,
                               struct xs_error *err)
{
    try {
        require(doc != nullptr, "xs_doc_set_data: doc is NULL");
        doc->doc.set_data(str_in(data, len, "xs_doc_set_data: data is NULL"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

static bool doc_has_term(const Xapian::Document &doc, const std::string &term)
{
    Xapian::TermIterator it = doc.termlist_begin();
    it.skip_to(term);
    return it != doc.termlist_end() && *it == term;
}

extern "C" int xs_wdb_replace(struct xs_wdb *db, const char *idterm, size_t len,
                              const struct xs_doc *doc, uint32_t *docid, struct xs_error *err)
{
    try {
        require(db != nullptr && doc != nullptr, "xs_wdb_replace: NULL argument");
        std::string id = term_in(idterm, len, "xs_wdb_replace: empty id term");
        doc->arena.prefetch(); // built on another thread, most likely
        // Without its id term the document could never be found again by the next
        // replace, and every re-index would add a duplicate.
        require(doc_has_term(doc->doc, id), "xs_wdb_replace: the document lacks its id term");
        Xapian::docid did = db->db.replace_document(id, doc->doc);
        if (docid != nullptr)
            *docid = did;
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_add(struct xs_wdb *db, const struct xs_doc *doc, uint32_t *docid,
                          struct xs_error *err)
{
    try {
        require(db != nullptr && doc != nullptr, "xs_wdb_add: NULL argument");
        doc->arena.prefetch(); // built on another thread, most likely
        Xapian::docid did = db->db.add_document(doc->doc);
        if (docid != nullptr)
            *docid = did;
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_delete(struct xs_wdb *db, const char *idterm, size_t len,
                             struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_delete: db is NULL");
        db->db.delete_document(term_in(idterm, len, "xs_wdb_delete: empty id term"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_get_data(struct xs_db *db, uint32_t docid, const char **data, size_t *len,
                              struct xs_error *err)
{
    try {
        require(db != nullptr && data != nullptr && len != nullptr,
                "xs_db_get_data: NULL argument");
        str_out(db->scratch, db->db.get_document(docid).get_data(), data, len);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

/* ---- looking documents up ------------------------------------------------------- */

static Xapian::docid find_first(const Xapian::Database &db, const std::string &term)
{
    Xapian::PostingIterator it = db.postlist_begin(term);
    return it == db.postlist_end(term) ? 0 : *it;
}

extern "C" int xs_db_find(struct xs_db *db, const char *term, size_t len, uint32_t *docid,
                          struct xs_error *err)
{
    try {
        require(db != nullptr && docid != nullptr, "xs_db_find: NULL argument");
        *docid = 0;
        *docid = find_first(db->db, term_in(term, len, "xs_db_find: empty term"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_find(struct xs_wdb *db, const char *term, size_t len, uint32_t *docid,
                           struct xs_error *err)
{
    try {
        require(db != nullptr && docid != nullptr, "xs_wdb_find: NULL argument");
        *docid = 0;
        *docid = find_first(db->db, term_in(term, len, "xs_wdb_find: empty term"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_get_value(struct xs_db *db, uint32_t docid, unsigned slot, const char **value,
                               size_t *len, struct xs_error *err)
{
    try {
        require(db != nullptr && value != nullptr && len != nullptr,
                "xs_db_get_value: NULL argument");
        str_out(db->scratch, db->db.get_document(docid).get_value(slot), value, len);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_get_value(struct xs_wdb *db, uint32_t docid, unsigned slot,
                                const char **value, size_t *len, struct xs_error *err)
{
    try {
        require(db != nullptr && value != nullptr && len != nullptr,
                "xs_wdb_get_value: NULL argument");
        str_out(db->scratch, db->db.get_document(docid).get_value(slot), value, len);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_set_value(struct xs_wdb *db, uint32_t docid, unsigned slot, const char *value,
                                size_t len, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_set_value: db is NULL");
        std::string v = str_in(value, len, "xs_wdb_set_value: value is NULL");
        // A document read from this database and changed only in its values is written
        // back by Xapian without rewriting its terms, positions or data.
        Xapian::Document doc = db->db.get_document(docid);
        doc.add_value(slot, v);
        db->db.replace_document(docid, doc);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

static void each_term(const Xapian::Database &db, const char *prefix, size_t len, xs_term_fn fn,
                      void *ctx, const char *what)
{
    require(fn != nullptr, what);
    std::string p = str_in(prefix, len, what);
    for (Xapian::TermIterator it = db.allterms_begin(p); it != db.allterms_end(p); ++it) {
        // A copy: the callback may call back into the shim, which may move the iterator's
        // internals.
        std::string term = *it;
        if (fn(ctx, term.data(), term.size(), it.get_termfreq()) != 0)
            break;
    }
}

extern "C" int xs_db_terms(struct xs_db *db, const char *prefix, size_t len, xs_term_fn fn,
                           void *ctx, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_db_terms: db is NULL");
        each_term(db->db, prefix, len, fn, ctx, "xs_db_terms: NULL argument");
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_terms(struct xs_wdb *db, const char *prefix, size_t len, xs_term_fn fn,
                            void *ctx, struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_terms: db is NULL");
        each_term(db->db, prefix, len, fn, ctx, "xs_wdb_terms: NULL argument");
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

static void each_value(const Xapian::Database &db, unsigned slot, xs_value_fn fn, void *ctx,
                       const char *what)
{
    require(fn != nullptr, what);
    Xapian::valueno s = static_cast<Xapian::valueno>(slot);
    for (Xapian::ValueIterator it = db.valuestream_begin(s); it != db.valuestream_end(s); ++it) {
        std::string value = *it;
        if (fn(ctx, it.get_docid(), value.data(), value.size()) != 0)
            break;
    }
}

extern "C" int xs_db_values(struct xs_db *db, unsigned slot, xs_value_fn fn, void *ctx,
                            struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_db_values: db is NULL");
        each_value(db->db, slot, fn, ctx, "xs_db_values: fn is NULL");
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_wdb_values(struct xs_wdb *db, unsigned slot, xs_value_fn fn, void *ctx,
                             struct xs_error *err)
{
    try {
        require(db != nullptr, "xs_wdb_values: db is NULL");
        each_value(db->db, slot, fn, ctx, "xs_wdb_values: fn is NULL");
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

/* ---- checking ------------------------------------------------------------------- */

extern "C" int xs_db_check(const char *path, size_t *errors, char *report, size_t report_len,
                           struct xs_error *err)
{
    try {
        require(path != nullptr && errors != nullptr, "xs_db_check: NULL argument");
        require(report != nullptr || report_len == 0, "xs_db_check: report is NULL");
        if (report_len > 0)
            report[0] = '\0';
        std::ostringstream out;
        *errors = Xapian::Database::check(path, 0, &out);
        if (report_len > 0)
            std::snprintf(report, report_len, "%s", out.str().c_str());
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

/* ---- compaction ----------------------------------------------------------------- */

extern "C" int xs_compact(const char *const *sources, size_t n, const char *dest, int flags,
                          struct xs_error *err)
{
    try {
        require(sources != nullptr && n > 0 && dest != nullptr && dest[0] != '\0',
                "xs_compact: no source or no destination");
        require((flags & ~XS_COMPACT_FULLER) == 0, "xs_compact: unknown flags");
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) {
            require(sources[i] != nullptr, "xs_compact: NULL source");
            all.add_database(Xapian::Database(sources[i]));
        }
        unsigned level =
            (flags & XS_COMPACT_FULLER) ? Xapian::Compactor::FULLER : Xapian::Compactor::STANDARD;
        all.compact(dest, level);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

/* ---- queries -------------------------------------------------------------------- */

static int query_out(Xapian::Query &&q, struct xs_query **out)
{
    *out = new xs_query{std::move(q)};
    return XS_OK;
}

extern "C" int xs_query_term(const char *term, size_t len, uint32_t wqf, struct xs_query **out,
                             struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_query_term: out is NULL");
        *out = nullptr;
        return query_out(Xapian::Query(term_in(term, len, "xs_query_term: empty term"), wqf), out);
    } catch (...) {
        return xs_translate(err);
    }
}

static Xapian::Query::op op_from_xs(int op)
{
    switch (op) {
    case XS_OP_AND:
        return Xapian::Query::OP_AND;
    case XS_OP_OR:
        return Xapian::Query::OP_OR;
    case XS_OP_AND_NOT:
        return Xapian::Query::OP_AND_NOT;
    case XS_OP_FILTER:
        return Xapian::Query::OP_FILTER;
    case XS_OP_PHRASE:
        return Xapian::Query::OP_PHRASE;
    case XS_OP_NEAR:
        return Xapian::Query::OP_NEAR;
    case XS_OP_AND_MAYBE:
        return Xapian::Query::OP_AND_MAYBE;
    case XS_OP_SYNONYM:
        return Xapian::Query::OP_SYNONYM;
    default:
        throw Xapian::InvalidArgumentError("xs_query_combine: unknown operator");
    }
}

extern "C" int xs_query_combine(int op, struct xs_query *const *subs, size_t n, uint32_t window,
                                struct xs_query **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_query_combine: out is NULL");
        *out = nullptr;
        Xapian::Query::op xop = op_from_xs(op);
        require(subs != nullptr || n == 0, "xs_query_combine: subs is NULL");
        std::vector<Xapian::Query> parts;
        parts.reserve(n);
        for (size_t i = 0; i < n; i++) {
            require(subs[i] != nullptr, "xs_query_combine: NULL subquery");
            parts.push_back(subs[i]->q);
        }
        bool positional = xop == Xapian::Query::OP_PHRASE || xop == Xapian::Query::OP_NEAR;
        return query_out(Xapian::Query(xop, parts.begin(), parts.end(), positional ? window : 0),
                         out);
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_query_wildcard(const char *prefix, size_t len, uint32_t max_expansion,
                                 struct xs_query **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_query_wildcard: out is NULL");
        *out = nullptr;
        // Xapian reads 0 as "no limit", the opposite of what the header promises.
        Xapian::Query q(Xapian::Query::OP_WILDCARD,
                        term_in(prefix, len, "xs_query_wildcard: empty prefix"), max_expansion,
                        Xapian::Query::WILDCARD_LIMIT_ERROR, Xapian::Query::OP_SYNONYM);
        return query_out(std::move(q), out);
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_query_value_range(unsigned slot, const char *lo, size_t lo_len, const char *hi,
                                    size_t hi_len, struct xs_query **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_query_value_range: out is NULL");
        *out = nullptr;
        std::string l = str_in(lo, lo_len, "xs_query_value_range: lo is NULL");
        if (hi_len == 0)
            return query_out(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, l), out);
        std::string h = str_in(hi, hi_len, "xs_query_value_range: hi is NULL");
        return query_out(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, l, h), out);
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_query_match_all(struct xs_query **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_query_match_all: out is NULL");
        *out = nullptr;
        return query_out(Xapian::Query(Xapian::Query::MatchAll), out);
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_query_match_nothing(struct xs_query **out, struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_query_match_nothing: out is NULL");
        *out = nullptr;
        return query_out(Xapian::Query(), out);
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_query_scale(const struct xs_query *q, double factor, struct xs_query **out,
                              struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_query_scale: out is NULL");
        *out = nullptr;
        require(q != nullptr, "xs_query_scale: q is NULL");
        return query_out(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" void xs_query_free(struct xs_query *q)
{
    delete q;
}

extern "C" int xs_query_describe(const struct xs_query *q, char *buf, size_t buf_len,
                                 struct xs_error *err)
{
    try {
        require(q != nullptr, "xs_query_describe: q is NULL");
        require(buf != nullptr || buf_len == 0, "xs_query_describe: buf is NULL");
        if (buf_len == 0)
            return XS_OK;
        std::string d = q->q.get_description();
        std::snprintf(buf, buf_len, "%s", d.c_str());
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

/* ---- running a query ------------------------------------------------------------ */

extern "C" int xs_db_search(struct xs_db *db, const struct xs_query *q,
                            const struct xs_search_opts *opts, struct xs_mset **out,
                            struct xs_error *err)
{
    try {
        require(out != nullptr, "xs_db_search: out is NULL");
        *out = nullptr;
        require(db != nullptr && q != nullptr && opts != nullptr, "xs_db_search: NULL argument");
        Xapian::Enquire enquire(db->db);
        enquire.set_query(q->q);
        enquire.set_weighting_scheme(Xapian::BM25Weight());
        if (opts->sort_slot >= 0)
            enquire.set_sort_by_value_then_relevance(static_cast<Xapian::valueno>(opts->sort_slot),
                                                     opts->sort_descending != 0);
        // The MSet keeps the enquiry's internals (and so the database) alive, so the
        // Enquire object itself need not outlive this call.
        std::unique_ptr<xs_mset> ms(new xs_mset{
            enquire.get_mset(opts->offset, opts->count, opts->check_at_least), std::string()});
        *out = ms.release();
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" void xs_mset_free(struct xs_mset *ms)
{
    delete ms;
}

extern "C" size_t xs_mset_size(const struct xs_mset *ms)
{
    return ms == nullptr ? 0 : ms->mset.size();
}

extern "C" uint32_t xs_mset_estimated(const struct xs_mset *ms)
{
    return ms == nullptr ? 0 : ms->mset.get_matches_estimated();
}

extern "C" uint32_t xs_mset_lower_bound(const struct xs_mset *ms)
{
    return ms == nullptr ? 0 : ms->mset.get_matches_lower_bound();
}

extern "C" uint32_t xs_mset_upper_bound(const struct xs_mset *ms)
{
    return ms == nullptr ? 0 : ms->mset.get_matches_upper_bound();
}

static bool in_range(const struct xs_mset *ms, size_t i)
{
    return ms != nullptr && i < ms->mset.size();
}

// The accessors below have no error channel: out of range (or a failure) reads as 0.
extern "C" uint32_t xs_mset_docid(const struct xs_mset *ms, size_t i)
{
    try {
        return in_range(ms, i) ? *ms->mset[static_cast<Xapian::doccount>(i)] : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" uint32_t xs_mset_rank(const struct xs_mset *ms, size_t i)
{
    try {
        return in_range(ms, i) ? ms->mset[static_cast<Xapian::doccount>(i)].get_rank() : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" double xs_mset_weight(const struct xs_mset *ms, size_t i)
{
    try {
        return in_range(ms, i) ? ms->mset[static_cast<Xapian::doccount>(i)].get_weight() : 0.0;
    } catch (...) {
        return 0.0;
    }
}

extern "C" int xs_mset_percent(const struct xs_mset *ms, size_t i)
{
    try {
        return in_range(ms, i) ? ms->mset[static_cast<Xapian::doccount>(i)].get_percent() : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int xs_mset_data(struct xs_mset *ms, size_t i, const char **data, size_t *len,
                            struct xs_error *err)
{
    try {
        require(data != nullptr && len != nullptr, "xs_mset_data: NULL argument");
        require(in_range(ms, i), "xs_mset_data: result index out of range");
        Xapian::MSetIterator it = ms->mset[static_cast<Xapian::doccount>(i)];
        str_out(ms->scratch, it.get_document().get_data(), data, len);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_mset_value(struct xs_mset *ms, size_t i, unsigned slot, const char **value,
                             size_t *len, struct xs_error *err)
{
    try {
        require(value != nullptr && len != nullptr, "xs_mset_value: NULL argument");
        require(in_range(ms, i), "xs_mset_value: result index out of range");
        Xapian::MSetIterator it = ms->mset[static_cast<Xapian::doccount>(i)];
        str_out(ms->scratch, it.get_document().get_value(slot), value, len);
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_doc_terms(struct xs_db *db, uint32_t docid, const char *prefix, size_t len,
                               xs_term_fn fn, void *ctx, struct xs_error *err)
{
    try {
        require(db != nullptr && fn != nullptr, "xs_db_doc_terms: NULL argument");
        std::string p = str_in(prefix, len, "xs_db_doc_terms: prefix is NULL");
        Xapian::TermIterator it = db->db.termlist_begin(docid);
        Xapian::TermIterator end = db->db.termlist_end(docid);
        // Terms come in order, so jump to the prefix and stop past it.
        it.skip_to(p);
        for (; it != end; ++it) {
            std::string term = *it;
            if (term.compare(0, p.size(), p) != 0)
                break;
            if (fn(ctx, term.data(), term.size(), it.get_wdf()) != 0)
                break;
        }
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_postings(struct xs_db *db, const char *term, size_t len, xs_posting_fn fn,
                              void *ctx, struct xs_error *err)
{
    try {
        require(db != nullptr && fn != nullptr, "xs_db_postings: NULL argument");
        std::string t = str_in(term, len, "xs_db_postings: term is NULL");
        for (Xapian::PostingIterator it = db->db.postlist_begin(t); it != db->db.postlist_end(t);
             ++it) {
            if (fn(ctx, *it, it.get_wdf()) != 0)
                break;
        }
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}

extern "C" int xs_db_collection_freq(struct xs_db *db, const char *term, size_t len, uint64_t *out,
                                     struct xs_error *err)
{
    try {
        require(db != nullptr && out != nullptr, "xs_db_collection_freq: NULL argument");
        *out = db->db.get_collection_freq(str_in(term, len, "xs_db_collection_freq: NULL term"));
        return XS_OK;
    } catch (...) {
        return xs_translate(err);
    }
}
