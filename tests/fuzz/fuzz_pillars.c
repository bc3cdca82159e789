/*
 * fuzz_pillars.c — bytes → pdx_document_decode → pdx_extract of policy pillars (taxonomy ids,
 * declared lists). The invariants are those of fuzz_extract.h.
 */
#include "fuzz_extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_extract_input(data, size, PDX_EXTRACT_PILLARS);
    return 0;
}
