/*
 * faults.c — a library tests/e2e_faults.sh preloads (LD_PRELOAD) into the programs to
 * make chosen calls fail the way a broken or full system makes them fail, so that the
 * programs' answers to those failures are tested and not only read:
 *
 *   PDX_FAULT_MKDIR=GLOB     mkdir of a directory whose last path component matches GLOB
 *                            (fnmatch, with extended patterns) fails with ENOSPC
 *   PDX_FAULT_DLOPEN=TEXT    dlopen of a library whose name contains TEXT fails
 *   PDX_FAULT_IO_URING=WHICH io_uring refused: `setup` fails with ENOSYS (an old kernel,
 *                            a sandbox that forbids it), `enter` with EBUSY (a ring that
 *                            stops taking submissions); each refusal adds a line to the
 *                            file PDX_FAULT_LOG names, if set, so a test knows it hit
 *
 * With none set, every call goes straight to the C library.
 */
#define _GNU_SOURCE /* RTLD_NEXT, FNM_EXTMATCH */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The C library's definition of `name`, the next one after this library's. */
static void *next_definition(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

int mkdir(const char *path, mode_t mode)
{
    int (*real)(const char *, mode_t);
    void *sym = next_definition("mkdir");
    memcpy(&real, &sym, sizeof real); /* ISO C has no object-to-function pointer cast */
    const char *glob = getenv("PDX_FAULT_MKDIR");
    if (glob != NULL) {
        const char *slash = strrchr(path, '/');
        if (fnmatch(glob, slash ? slash + 1 : path, FNM_EXTMATCH) == 0) {
            errno = ENOSPC;
            return -1;
        }
    }
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(path, mode);
}

void *dlopen(const char *name, int flags)
{
    void *(*real)(const char *, int);
    void *sym = next_definition("dlopen");
    memcpy(&real, &sym, sizeof real);
    const char *text = getenv("PDX_FAULT_DLOPEN");
    if ((text != NULL && name != NULL && strstr(name, text) != NULL) || real == NULL)
        return NULL;
    return real(name, flags);
}

/* Notes a refusal in PDX_FAULT_LOG, if set. */
static void log_fault(const char *line)
{
    const char *log = getenv("PDX_FAULT_LOG");
    if (log == NULL)
        return;
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, line, strlen(line));
        (void)w;
        close(fd);
    }
}

/* The system calls io_uring has no C library wrapper for go through syscall(2). All six
 * argument registers are passed on, as the C library's own syscall does: the callee
 * uses as many as the call has. */
long syscall(long number, ...)
{
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    const char *which = getenv("PDX_FAULT_IO_URING");
    if (which != NULL && ((number == SYS_io_uring_setup && strcmp(which, "setup") == 0) ||
                          (number == SYS_io_uring_enter && strcmp(which, "enter") == 0))) {
        log_fault(number == SYS_io_uring_setup ? "io_uring_setup refused\n"
                                               : "io_uring_enter refused\n");
        errno = number == SYS_io_uring_setup ? ENOSYS : EBUSY;
        return -1;
    }
    long (*real)(long, ...);
    void *sym = next_definition("syscall");
    memcpy(&real, &sym, sizeof real);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
