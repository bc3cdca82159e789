/*
 * fuzz_document.c — bytes → pdx_document_decode.
 *
 * Invariants: on success the text is valid UTF-8, NUL-terminated, not blank, and its
 * title span lies inside it on character boundaries; valid UTF-8 that NFC leaves alone
 * is kept byte for byte (BOM dropped); on failure the document is left empty, an
 * invalid-UTF-8 offset points inside the input, and the status has a message.
 *
 * The same bytes as stored document data (pdx_docdata_decode): refused, or fields that lie
 * inside the data in order and that encode back to the same bytes.
 */
#include "fuzz_common.h"

#include "pdx_document.h"
#include "pdx_schema.h"

static int inside(const uint8_t *data, size_t size, const char *p, size_t n)
{
    return p >= (const char *)data && n <= size && p + n <= (const char *)data + size;
}

static void check_docdata(const uint8_t *data, size_t size)
{
    struct pdx_docdata d;
    if (pdx_docdata_decode((const char *)data, size, &d) != 0)
        return;
    FUZZ_CHECK(inside(data, size, d.path, d.path_len) && inside(data, size, d.title, d.title_len));
    FUZZ_CHECK(inside(data, size, d.date, d.date_len) && inside(data, size, d.text, d.text_len));
    FUZZ_CHECK(d.spans == NULL || inside(data, size, (const char *)d.spans, d.spans_len));
    FUZZ_CHECK(d.text + d.text_len == (const char *)data + size);
    char *again;
    size_t n;
    FUZZ_CHECK(pdx_docdata_encode(&d, &again, &n) == 0);
    FUZZ_CHECK(n == size && memcmp(again, data, size) == 0);
    free(again);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_docdata(data, size);
    struct pdx_document doc = {0};
    size_t bad = (size_t)-1;
    int status = pdx_document_decode((const char *)data, size, &doc, &bad);
    const char *msg = pdx_document_status_message(status);
    FUZZ_CHECK(msg != NULL && msg[0] != '\0');
    if (status != PDX_DOC_OK) {
        FUZZ_CHECK(status > 0);
        FUZZ_CHECK(doc.text == NULL && doc.len == 0);
        if (status == PDX_DOC_INVALID_UTF8)
            FUZZ_CHECK(bad < size);
        pdx_document_free(&doc);
        return 0;
    }
    FUZZ_CHECK(doc.text != NULL);
    FUZZ_CHECK(doc.text[doc.len] == '\0');
    FUZZ_CHECK(fuzz_utf8_valid(doc.text, doc.len));
    FUZZ_CHECK(doc.title_start <= doc.title_end && doc.title_end <= doc.len);
    FUZZ_CHECK(doc.title_end > doc.title_start); /* an OK document is not blank */
    FUZZ_CHECK(fuzz_on_boundary(doc.text, doc.len, doc.title_start));
    FUZZ_CHECK(fuzz_on_boundary(doc.text, doc.len, doc.title_end));
    FUZZ_CHECK(memchr(doc.text + doc.title_start, '\n', doc.title_end - doc.title_start) == NULL);
    FUZZ_CHECK(doc.encoding != NULL);
    FUZZ_CHECK(doc.bom_len <= 4 && doc.bom_len <= size); /* UTF-8 3, UTF-16 2 */
    if (!doc.normalized && strncmp(doc.encoding, "UTF-8", 5) == 0) {
        /* Byte for byte: offsets into the text are offsets into the file + bom_len. */
        FUZZ_CHECK(doc.bom_len <= size && doc.len == size - doc.bom_len);
        FUZZ_CHECK(memcmp(doc.text, data + doc.bom_len, doc.len) == 0);
    }
    pdx_document_free(&doc);
    FUZZ_CHECK(doc.text == NULL && doc.len == 0);
    return 0;
}
