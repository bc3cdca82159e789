// xapian_ceiling.cc — the raw-Xapian ceiling for the benchmark (not part of polidex).
//
// Replays a term stream written by tests/bench/dump_terms.c (the terms, positions,
// values and data polidex produces for a corpus) straight into a fresh Xapian database:
// no reading of documents, no analysis, no extraction — only Xapian's own writing, one
// writer, add_document (no lookup per document), Xapian's default flush threshold and
// one commit at the end. No indexer built on Xapian can beat this on one writer.
//
// Usage: xapian_ceiling STREAM DBDIR.  Prints "docs seconds" on stdout.
#include <xapian.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

class Reader {
  public:
    explicit Reader(const char *path) : f_(std::fopen(path, "rb"))
    {
        if (!f_)
            throw std::runtime_error(std::string("cannot open ") + path);
    }
    ~Reader() { std::fclose(f_); }
    Reader(const Reader &) = delete;
    Reader &operator=(const Reader &) = delete;

    int type() { return std::fgetc(f_); }
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

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::cerr << "usage: xapian_ceiling STREAM DBDIR\n";
        return 2;
    }
    try {
        Reader in(argv[1]);
        auto t0 = std::chrono::steady_clock::now();
        Xapian::WritableDatabase db(argv[2], Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::Document doc;
        std::string term, value;
        unsigned long docs = 0;
        for (int t = in.type(); t != EOF; t = in.type()) {
            switch (t) {
            case 'D':
                doc.clear_terms();
                doc.clear_values();
                break;
            case 'P':
                in.str(term, in.u16());
                doc.add_posting(term, in.u32());
                break;
            case 'T': {
                in.str(term, in.u16());
                doc.add_term(term, in.u32());
                break;
            }
            case 'B':
                in.str(term, in.u16());
                doc.add_boolean_term(term);
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
            case 'E':
                db.add_document(doc);
                docs++;
                break;
            default:
                throw std::runtime_error("bad record type in stream");
            }
        }
        db.commit();
        db.close();
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
