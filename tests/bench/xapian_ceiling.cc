// xapian_ceiling.cc — the raw-Xapian ceiling for the benchmark (not part of polidex).
//
// Two steps:
//   xapian_ceiling --dump POLIDEX_DB STREAM   once, not timed: writes every document of
//       an index built by polidex-index (each term with its wdf and positions, the value
//       slots, the data) as a term stream — exactly what polidex's analysis, extraction
//       and schema produce, whatever docbuild.c does today;
//   xapian_ceiling STREAM DBDIR               timed: replays the stream straight into a
//       fresh Xapian database — no reading of documents, no analysis, no extraction,
//       only Xapian's own writing: one writer, add_document (no lookup per document),
//       a commit every BATCH_BYTES of source files or BATCH_DOCS documents — the
//       batching polidex-index uses, because it measured faster than Xapian's default
//       flush threshold (10000 documents; `--default-flush` to measure that instead) —
//       into a database opened as polidex-index opens the one a rebuild writes (blocks
//       rewritten in place, commits not waiting for the disk: DB_DANGEROUS and
//       DB_NO_SYNC), whose files are synced once at the end: an index is not built
//       until it is on disk, and polidex's rebuild syncs what its compactor writes.
//       No indexer built on Xapian can beat this on one writer. Prints "docs seconds".
//   xapian_ceiling --part-bytes BYTES STREAM DBDIR
//                                             the same, written as polidex-index writes a
//       rebuild with one writer: in parts one after the other, a part ending with the
//       document that brings its source bytes to BYTES (polidex-index's --part-size),
//       each its own database (DBDIR.part-K), then merged in order into DBDIR by Xapian's
//       compactor, which syncs what it writes. Smaller databases cost each commit less;
//       the merge costs what polidex's compaction costs it anyway.
//
// Stream (host byte order; it never leaves the machine that wrote it), per document:
//   'D'                                  start of a document
//   'P' u16 len, term, u32 pos           a posting (wdf 1 at one position)
//   'T' u16 len, term, u32 wdf           a term without position (wdf 0: boolean)
//   'V' u8 slot, u32 len, bytes          a value
//   'A' u32 len, bytes                   the document data
//   'B' u32 bytes                        what the document weighs in a batch: the size
//                                        of its source file (value slot SLOT_SIZE), what
//                                        polidex-index counts
//   'E'                                  end of the document
#include <xapian.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

// polidex's value slot holding the source file's size in decimal (indexer/pdx_schema.h).
const Xapian::valueno SLOT_SIZE = 4;

class Reader
{
  public:
    explicit Reader(const char *path) : f_(std::fopen(path, "rb"))
    {
        if (!f_)
            throw std::runtime_error(std::string("cannot open ") + path);
    }
    ~Reader()
    {
        std::fclose(f_);
    }
    Reader(const Reader &) = delete;
    Reader &operator=(const Reader &) = delete;

    int type()
    {
        return std::fgetc(f_);
    }
    uint32_t u32()
    {
        uint32_t v;
        bytes(&v, sizeof v);
        return v;
    }
    uint16_t u16()
    {
        uint16_t v;
        bytes(&v, sizeof v);
        return v;
    }
    int u8()
    {
        int c = std::fgetc(f_);
        if (c == EOF)
            throw std::runtime_error("truncated stream");
        return c;
    }
    void str(std::string &s, size_t n)
    {
        s.resize(n);
        if (n)
            bytes(&s[0], n);
    }

  private:
    void bytes(void *p, size_t n)
    {
        if (std::fread(p, 1, n, f_) != n)
            throw std::runtime_error("truncated stream");
    }
    std::FILE *f_;
};

void put(std::FILE *f, const void *p, size_t n)
{
    if (std::fwrite(p, 1, n, f) != n)
        throw std::runtime_error("cannot write the stream");
}

template <typename T> void put_num(std::FILE *f, T v)
{
    put(f, &v, sizeof v);
}

void put_term(std::FILE *f, char type, const std::string &t)
{
    put(f, &type, 1);
    put_num<uint16_t>(f, static_cast<uint16_t>(t.size()));
    put(f, t.data(), t.size());
}

// Writes the documents of `db_path` in docid order. A term's wdf beyond its positions
// (a word that is also added without position) is written as a 'T' record.
unsigned long dump(const char *db_path, const char *out_path)
{
    Xapian::Database db(db_path);
    std::FILE *f = std::fopen(out_path, "wb");
    if (!f)
        throw std::runtime_error(std::string("cannot create ") + out_path);
    unsigned long docs = 0;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
        Xapian::Document doc = db.get_document(*it);
        put(f, "D", 1);
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
            const std::string term = *t;
            Xapian::termcount npos = 0;
            for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p, ++npos) {
                put_term(f, 'P', term);
                put_num<uint32_t>(f, *p);
            }
            if (t.get_wdf() > npos || npos == 0) {
                put_term(f, 'T', term);
                put_num<uint32_t>(f, t.get_wdf() - npos);
            }
        }
        uint32_t weight = 0;
        for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
            const std::string value = *v;
            if (v.get_valueno() == SLOT_SIZE)
                weight = static_cast<uint32_t>(std::stoul(value));
            put(f, "V", 1);
            put_num<uint8_t>(f, static_cast<uint8_t>(v.get_valueno()));
            put_num<uint32_t>(f, static_cast<uint32_t>(value.size()));
            put(f, value.data(), value.size());
        }
        const std::string data = doc.get_data();
        put(f, "A", 1);
        put_num<uint32_t>(f, static_cast<uint32_t>(data.size()));
        put(f, data.data(), data.size());
        put(f, "B", 1);
        put_num<uint32_t>(f, weight);
        put(f, "E", 1);
        docs++;
    }
    if (std::fclose(f) != 0)
        throw std::runtime_error(std::string("cannot write ") + out_path);
    return docs;
}

// Syncs every file of database directory `dir`, then the directory.
void sync_dir(const std::string &dir)
{
    DIR *d = opendir(dir.c_str());
    if (!d)
        throw std::runtime_error("cannot list " + dir);
    std::string failed;
    for (struct dirent *e = readdir(d); e && failed.empty(); e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        std::string path = dir + "/" + e->d_name;
        int fd = open(path.c_str(), O_RDONLY);
        if (fd < 0 || fsync(fd) != 0)
            failed = path;
        if (fd >= 0)
            close(fd);
    }
    closedir(d);
    int fd = failed.empty() ? open(dir.c_str(), O_RDONLY | O_DIRECTORY) : -1;
    if (failed.empty() && (fd < 0 || fsync(fd) != 0))
        failed = dir;
    if (fd >= 0)
        close(fd);
    if (!failed.empty())
        throw std::runtime_error("cannot sync " + failed);
}

} // namespace

/* The batching of indexer/polidex-index.c. */
static const unsigned long BATCH_DOCS = 2000;
static const unsigned long BATCH_BYTES = 1024 * 1024;

// A fresh database at `path`, opened as polidex-index opens the one a rebuild writes.
static Xapian::WritableDatabase scratch(const std::string &path)
{
    return Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_DANGEROUS |
                                              Xapian::DB_NO_SYNC);
}

int main(int argc, char **argv)
{
    bool default_flush = false;
    unsigned long part_bytes = 0; // 0: one database
    if (argc > 1 && std::strcmp(argv[1], "--default-flush") == 0) {
        default_flush = true;
        argv++;
        argc--;
    }
    if (argc > 2 && std::strcmp(argv[1], "--part-bytes") == 0) {
        part_bytes = std::strtoul(argv[2], nullptr, 10);
        if (part_bytes < 1) {
            std::cerr << "xapian_ceiling: --part-bytes takes a number above 0\n";
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc == 4 && std::strcmp(argv[1], "--dump") == 0) {
        try {
            std::printf("%lu\n", dump(argv[2], argv[3]));
            return 0;
        } catch (const Xapian::Error &e) {
            std::cerr << "xapian_ceiling: " << e.get_description() << "\n";
        } catch (const std::exception &e) {
            std::cerr << "xapian_ceiling: " << e.what() << "\n";
        }
        return 4;
    }
    if (argc != 3) {
        std::cerr << "usage: xapian_ceiling --dump POLIDEX_DB STREAM | xapian_ceiling "
                     "[--default-flush] [--part-bytes BYTES] STREAM DBDIR\n";
        return 2;
    }
    try {
        Reader in(argv[1]);
        auto t0 = std::chrono::steady_clock::now();
        const std::string dest = argv[2];
        std::vector<std::string> names;
        auto part_name = [&](unsigned long k) { return dest + ".part-" + std::to_string(k); };
        names.push_back(part_bytes ? part_name(0) : dest);
        Xapian::WritableDatabase db = scratch(names.back());
        Xapian::Document doc;
        std::string term, value;
        unsigned long docs = 0, batch_docs = 0, batch_bytes = 0, doc_bytes = 0, part_done = 0;
        for (int t = in.type(); t != EOF; t = in.type()) {
            switch (t) {
            case 'D':
                // A new part begins with the document after the one that filled the last.
                if (part_bytes && part_done >= part_bytes) {
                    db.commit();
                    db.close();
                    names.push_back(part_name(names.size()));
                    db = scratch(names.back());
                    batch_docs = batch_bytes = part_done = 0;
                }
                doc.clear_terms();
                doc.clear_values();
                break;
            case 'P':
                in.str(term, in.u16());
                doc.add_posting(term, in.u32());
                break;
            case 'T':
                in.str(term, in.u16());
                doc.add_term(term, in.u32());
                break;
            case 'V': {
                int slot = in.u8();
                in.str(value, in.u32());
                doc.add_value(static_cast<Xapian::valueno>(slot), value);
                break;
            }
            case 'A':
                in.str(value, in.u32());
                doc.set_data(value);
                break;
            case 'B':
                doc_bytes = in.u32();
                batch_bytes += doc_bytes;
                break;
            case 'E':
                db.add_document(doc);
                docs++;
                part_done += doc_bytes;
                if (!default_flush && (++batch_docs >= BATCH_DOCS || batch_bytes >= BATCH_BYTES)) {
                    db.commit();
                    batch_docs = batch_bytes = 0;
                }
                break;
            default:
                throw std::runtime_error("bad record type in stream");
            }
        }
        db.commit();
        db.close();
        if (part_bytes) {
            Xapian::Database all;
            for (const std::string &name : names)
                all.add_database(Xapian::Database(name));
            all.compact(dest, Xapian::Compactor::STANDARD); // synced by the compactor
            for (const std::string &name : names)
                std::filesystem::remove_all(name);
        } else {
            sync_dir(dest);
        }
        std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
        std::printf("%lu %.3f\n", docs, s.count());
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian_ceiling: " << e.get_description() << "\n";
        return 4;
    } catch (const std::exception &e) {
        std::cerr << "xapian_ceiling: " << e.what() << "\n";
        return 4;
    }
    return 0;
}
