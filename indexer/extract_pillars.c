/*
 * extract_pillars.c — policy pillars (work in progress).
 */
#include "extract_common.h"

int pdx_pillars_init(struct pdx_extractor *ex, const struct pdx_extractor_options *opts,
                  char *errbuf, size_t errbuf_len)
{
    (void)ex;
    (void)opts;
    (void)errbuf;
    (void)errbuf_len;
    return 0;
}

void pdx_pillars_free(struct pdx_pillars *in)
{
    (void)in;
}

int pdx_pillars_extract(struct pdx_extractor *ex, const char *text, size_t len,
                     struct pdx_extraction *out)
{
    (void)ex;
    (void)text;
    (void)len;
    (void)out;
    return 0;
}
