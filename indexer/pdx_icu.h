/*
 * pdx_icu.h — the ICU functions polidex calls, loaded the first time one is needed.
 *
 * Most searches never call ICU: queries and the stored span tables are cut into words
 * without it (analyzer.c). Linked into the programs, ICU still cost each run a seventh
 * of a millisecond, a tenth of what a search is slower than none: the run-time type
 * information of its C++ classes holds 330 pointers into the C++ library, which the
 * dynamic loader writes into eight pages of the program before main, and which exit
 * then has to free. So the programs do not link ICU: this table is filled from ICU's
 * shared libraries (dlopen, then dlsym of each function) on first use, once per
 * process, whatever the thread. Reading documents and cutting text with punctuation into
 * words load it; a search for plain words never does.
 *
 * Call sites use the members as they would the functions: icu->ubrk_open(...). The
 * members carry ICU's own names, which ICU's headers rename with its version suffix
 * (ubrk_open_72), as dlsym must find them.
 */
#ifndef INDEXER_PDX_ICU_H
#define INDEXER_PDX_ICU_H

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#define PDX_ICU_FN(name) __typeof__(name) *name

struct pdx_icu {
    /* libicuuc */
    PDX_ICU_FN(ubrk_open);
    PDX_ICU_FN(ubrk_close);
    PDX_ICU_FN(ubrk_setText);
    PDX_ICU_FN(ubrk_first);
    PDX_ICU_FN(ubrk_next);
    PDX_ICU_FN(ubrk_getRuleStatus);
    PDX_ICU_FN(unorm2_getNFCInstance);
    PDX_ICU_FN(unorm2_getNFDInstance);
    PDX_ICU_FN(unorm2_getNFKDInstance);
    PDX_ICU_FN(unorm2_normalize);
    PDX_ICU_FN(unorm2_quickCheck);
    PDX_ICU_FN(unorm2_isNormalized);
    PDX_ICU_FN(u_getIntPropertyValue);
    PDX_ICU_FN(u_charType);
    PDX_ICU_FN(u_isalpha);
    PDX_ICU_FN(u_isupper);
    PDX_ICU_FN(u_istitle);
    PDX_ICU_FN(u_isUWhiteSpace);
    PDX_ICU_FN(u_tolower);
    PDX_ICU_FN(u_foldCase);
    PDX_ICU_FN(u_strFoldCase);
    PDX_ICU_FN(u_strFromUTF8);
    PDX_ICU_FN(u_strToUTF8);
    PDX_ICU_FN(ucnv_open);
    PDX_ICU_FN(ucnv_close);
    PDX_ICU_FN(ucnv_setToUCallBack);
    PDX_ICU_FN(ucnv_toUChars);
    PDX_ICU_FN(UCNV_TO_U_CALLBACK_STOP);
    /* libicui18n */
    PDX_ICU_FN(ucsdet_open);
    PDX_ICU_FN(ucsdet_close);
    PDX_ICU_FN(ucsdet_setText);
    PDX_ICU_FN(ucsdet_detectAll);
    PDX_ICU_FN(ucsdet_getName);
    PDX_ICU_FN(ucsdet_getConfidence);
};

/* Returns the table (static, never freed), loading ICU's libraries on the first call;
 * NULL when they cannot be loaded, then and on every later call (pdx_icu_error says
 * why). Safe to call from any thread. */
const struct pdx_icu *pdx_icu(void);

/* Why pdx_icu returned NULL ("cannot load ICU: libicuuc.so.72: cannot open shared
 * object file: ..."), or "" when it did not. */
const char *pdx_icu_error(void);

#endif /* INDEXER_PDX_ICU_H */
