/*
 * fuzz_dates.c — bytes → pdx_document_decode → pdx_extract of dates (TIMEX3 values), with
 * the invariants of fuzz_extract.h; plus pdx_find_doc_date (a found date is a real
 * calendar date whose span lies inside the text) and pdx_ymd_parse on the raw bytes.
 */
#include "fuzz_extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_extract_input(data, size, PDX_EXTRACT_DATES);

    char s[32];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    struct pdx_ymd y = {0};
    if (pdx_ymd_parse(s, &y) == 0)
        FUZZ_CHECK(y.year >= 1000 && y.year <= 9999 && y.month >= 1 && y.month <= 12 &&
                   y.day >= 1 && y.day <= 31);

    struct pdx_document doc = {0};
    if (pdx_document_decode((const char *)data, size, &doc, NULL) == PDX_DOC_OK) {
        size_t start = (size_t)-1, end = (size_t)-1;
        struct pdx_ymd d = {0};
        if (pdx_find_doc_date(fuzz_extractor(0), doc.text, doc.len, &d, &start, &end) == 1) {
            FUZZ_CHECK(d.year >= 1000 && d.year <= 9999 && d.month >= 1 && d.month <= 12 &&
                       d.day >= 1 && d.day <= 31);
            FUZZ_CHECK(start < end && end <= doc.len);
            FUZZ_CHECK(fuzz_on_boundary(doc.text, doc.len, start) &&
                       fuzz_on_boundary(doc.text, doc.len, end));
        }
    }
    pdx_document_free(&doc);
    return 0;
}
