/*
 * icu.c — loading ICU's shared libraries on first use (see pdx_icu.h).
 */
#include "pdx_icu.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <unicode/uvernum.h>

#define STR2(x) #x
#define STR(x) STR2(x)

/* The libraries of the ICU the program was compiled against: the table's types are
 * its headers' and the symbols carry its version suffix. */
#define LIB_UC "libicuuc.so." STR(U_ICU_VERSION_MAJOR_NUM)
#define LIB_I18N "libicui18n.so." STR(U_ICU_VERSION_MAJOR_NUM)

static struct pdx_icu table;
static int table_ok;
static char table_error[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

#define ENTRY(fn)                                                                                  \
    {                                                                                              \
        STR(fn), offsetof(struct pdx_icu, fn)                                                      \
    }

struct entry {
    const char *name; /* with ICU's version suffix: ubrk_open_72 */
    size_t offset;    /* of its pointer in struct pdx_icu */
};

static const struct entry UC[] = {ENTRY(ubrk_open),
                                  ENTRY(ubrk_close),
                                  ENTRY(ubrk_setText),
                                  ENTRY(ubrk_first),
                                  ENTRY(ubrk_next),
                                  ENTRY(ubrk_getRuleStatus),
                                  ENTRY(unorm2_getNFCInstance),
                                  ENTRY(unorm2_getNFDInstance),
                                  ENTRY(unorm2_getNFKDInstance),
                                  ENTRY(unorm2_normalize),
                                  ENTRY(unorm2_quickCheck),
                                  ENTRY(unorm2_isNormalized),
                                  ENTRY(u_getIntPropertyValue),
                                  ENTRY(u_charType),
                                  ENTRY(u_isalpha),
                                  ENTRY(u_isupper),
                                  ENTRY(u_istitle),
                                  ENTRY(u_isUWhiteSpace),
                                  ENTRY(u_tolower),
                                  ENTRY(u_foldCase),
                                  ENTRY(u_strFoldCase),
                                  ENTRY(u_strFromUTF8),
                                  ENTRY(u_strToUTF8),
                                  ENTRY(ucnv_open),
                                  ENTRY(ucnv_close),
                                  ENTRY(ucnv_setToUCallBack),
                                  ENTRY(ucnv_toUChars),
                                  ENTRY(UCNV_TO_U_CALLBACK_STOP)};

static const struct entry I18N[] = {ENTRY(ucsdet_open),    ENTRY(ucsdet_close),
                                    ENTRY(ucsdet_setText), ENTRY(ucsdet_detectAll),
                                    ENTRY(ucsdet_getName), ENTRY(ucsdet_getConfidence)};

/* Fills the table's pointers for `n` entries from `lib`; 0, or -1 with the reason in
 * table_error. ISO C has no conversion from dlsym's void * to a function pointer: the
 * bytes are copied, as POSIX guarantees they mean the same. */
static int find_all(void *lib, const char *libname, const struct entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *p = dlsym(lib, e[i].name);
        if (p == NULL) {
            snprintf(table_error, sizeof table_error, "cannot load ICU: %s has no %s", libname,
                     e[i].name);
            return -1;
        }
        memcpy((char *)&table + e[i].offset, &p, sizeof p);
    }
    return 0;
}

static void load(void)
{
    /* RTLD_LOCAL: ICU's symbols stay out of the program's namespace; the libraries stay
     * loaded for the life of the process. */
    void *uc = dlopen(LIB_UC, RTLD_NOW | RTLD_LOCAL);
    void *i18n = uc ? dlopen(LIB_I18N, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (i18n == NULL) {
        const char *why = dlerror();
        snprintf(table_error, sizeof table_error, "cannot load ICU: %s", why ? why : LIB_UC);
        return;
    }
    if (find_all(uc, LIB_UC, UC, sizeof UC / sizeof UC[0]) == 0 &&
        find_all(i18n, LIB_I18N, I18N, sizeof I18N / sizeof I18N[0]) == 0)
        table_ok = 1;
}

const struct pdx_icu *pdx_icu(void)
{
    pthread_once(&table_once, load);
    return table_ok ? &table : NULL;
}

const char *pdx_icu_error(void)
{
    return table_ok ? "" : table_error;
}
