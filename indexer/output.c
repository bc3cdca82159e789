/*
 * output.c — JSON and CSV escaping shared by the programs.
 */
#include "pdx_output.h"

#include <string.h>

#include "pdx_document.h"

/* Writes valid UTF-8 bytes, escaping what JSON requires; unescaped runs go out whole. */
static void json_run(FILE *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F)
            continue;
        fwrite(s + run, 1, i - run, out);
        run = i + 1;
        switch (c) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            fputs(u, out);
        }
        }
    }
    fwrite(s + run, 1, n - run, out);
}

void pdx_json_string(FILE *out, const char *s, size_t len)
{
    size_t i = 0;
    putc('"', out);
    while (i < len) {
        size_t ok = pdx_utf8_valid_prefix(s + i, len - i);
        json_run(out, s + i, ok);
        i += ok;
        if (i < len) {
            fputs("\\ufffd", out);
            i++;
        }
    }
    putc('"', out);
}

void pdx_json_cstr(FILE *out, const char *s)
{
    if (s)
        pdx_json_string(out, s, strlen(s));
    else
        fputs("null", out);
}

void pdx_csv_field(FILE *out, const char *s, size_t len)
{
    if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\n', len) &&
        !memchr(s, '\r', len)) {
        fwrite(s, 1, len, out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc('"', out);
        putc(s[i], out);
    }
    putc('"', out);
}

void pdx_csv_cstr(FILE *out, const char *s)
{
    if (s)
        pdx_csv_field(out, s, strlen(s));
}
