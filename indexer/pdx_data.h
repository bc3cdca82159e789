/*
 * pdx_data.h — the plain-text data files of indexer/data/, compiled into the programs.
 *
 * The build turns each indexer/data/NAME.txt into a string constant (see the Makefile's
 * generated build/gen/pdx_data.c); this is how code reads them. Each file is UTF-8,
 * one entry per line, `#` starting a comment line.
 */
#ifndef INDEXER_PDX_DATA_H
#define INDEXER_PDX_DATA_H

#include <stddef.h>

/* Returns the contents of indexer/data/NAME.txt (NAME without ".txt"), a static
 * NUL-terminated string, and its length in *len (may be NULL); NULL if no such file
 * was compiled in. */
const char *pdx_data_get(const char *name, size_t *len);

#endif /* INDEXER_PDX_DATA_H */
