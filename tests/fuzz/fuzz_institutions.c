/*
 * fuzz_institutions.c — bytes → pdx_document_decode → pdx_extract of institutions (ids, names,
 * acronyms). The invariants are those of fuzz_extract.h.
 */
#include "fuzz_extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_extract_input(data, size, PDX_EXTRACT_INSTITUTIONS);
    return 0;
}
