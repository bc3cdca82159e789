/*
 * pdx_output.h — writing machine-readable output: JSON strings and CSV fields.
 *
 * Every program's --json and --csv output goes through these, so that escaping is the
 * same everywhere: JSON strings are always valid JSON and valid UTF-8 (an invalid byte,
 * possible in a file name, becomes U+FFFD), CSV fields follow RFC 4180 quoting.
 */
#ifndef INDEXER_PDX_OUTPUT_H
#define INDEXER_PDX_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes `len` bytes of `s` as a quoted JSON string. */
void pdx_json_string(FILE *out, const char *s, size_t len);

/* Writes a NUL-terminated string as a JSON string, or `null` when `s` is NULL. */
void pdx_json_cstr(FILE *out, const char *s);

/* Writes `len` bytes of `s` as one CSV field, quoted only when it holds a comma, a
 * quote or a line break. */
void pdx_csv_field(FILE *out, const char *s, size_t len);

/* The same for a NUL-terminated string; NULL writes an empty field. */
void pdx_csv_cstr(FILE *out, const char *s);

#endif /* INDEXER_PDX_OUTPUT_H */
