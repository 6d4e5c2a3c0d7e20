/* Guard pages for the tests: place an input so that its last byte is the last
 * readable byte before a PROT_NONE page, so that reading even one byte past
 * the end faults (SIGSEGV), and place an output buffer the same way so that
 * writing one byte past out_size faults.
 *
 *   rp_guard g;
 *   guard_open(&g, 65536);                   // room for inputs up to 64 KiB
 *   const char *p = guard_put(&g, s, n);     // p[n - 1] is the last readable byte
 *   ...                                      // p may be used until the next guard_put
 *   guard_close(&g);
 *
 * guard_put(&g, NULL, 0) (or any data with n == 0) returns a pointer to the
 * first byte of the guard page itself: a length-0 input whose pointer may not
 * be dereferenced at all.
 *
 * Header-only (static functions) so that any test can include it; POSIX
 * (mmap, mprotect, sysconf). */
#ifndef REVPROXY_TESTS_GUARD_H
#define REVPROXY_TESTS_GUARD_H

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct rp_guard {
    unsigned char *base;  /* start of the mapping */
    size_t         room;  /* readable (and writable) bytes before the guard page */
    size_t         page;  /* page size */
} rp_guard;

/* Map room (rounded up to whole pages) readable+writable bytes followed by
 * one PROT_NONE page. Returns 0 on success, -1 on failure. */
static inline int guard_open(rp_guard *g, size_t room)
{
    long ps = sysconf(_SC_PAGESIZE);
    g->page = ps > 0 ? (size_t)ps : 4096u;
    if (room == 0)
        room = 1;
    g->room = (room + g->page - 1) / g->page * g->page;
    void *m = mmap(NULL, g->room + g->page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED) {
        g->base = NULL;
        return -1;
    }
    g->base = (unsigned char *)m;
    if (mprotect(g->base + g->room, g->page, PROT_NONE) != 0) {
        munmap(m, g->room + g->page);
        g->base = NULL;
        return -1;
    }
    return 0;
}

static inline void guard_close(rp_guard *g)
{
    if (g->base)
        munmap(g->base, g->room + g->page);
    g->base = NULL;
}

/* The first byte of the guard page: one past the last usable byte. */
static inline char *guard_end(const rp_guard *g)
{
    return (char *)(g->base + g->room);
}

/* Copy n bytes so that they end exactly at the guard page. NULL if n does
 * not fit. The bytes before the copy are filled with 'Z' so that a read
 * *before* the start sees plausible but wrong data rather than zeros. */
static inline const char *guard_put(rp_guard *g, const void *data, size_t n)
{
    if (n > g->room)
        return NULL;
    unsigned char *p = g->base + g->room - n;
    memset(g->base, 'Z', g->room - n);
    if (n)
        memcpy(p, data, n);
    return (const char *)p;
}

/* An output buffer of exactly n bytes ending at the guard page (n == 0:
 * the guard page address itself). Its contents are set to 0xA5. */
static inline char *guard_out(rp_guard *g, size_t n)
{
    if (n > g->room)
        return NULL;
    unsigned char *p = g->base + g->room - n;
    memset(p, 0xA5, n);
    return (char *)p;
}

#endif /* REVPROXY_TESTS_GUARD_H */
