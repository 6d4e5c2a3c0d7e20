/* Allocator hooks for allocation-failure tests (SECURITY.md R30): counts
 * calls in fa_calls, fails call number fa_fail_at (0: never) and keeps the
 * number of live blocks in fa_live, so a test can check that a failed build
 * leaked nothing. One copy per test program (static). */
#ifndef REVPROXY_TESTS_FAILALLOC_H
#define REVPROXY_TESTS_FAILALLOC_H

#include <stdlib.h>

#include <revproxy/revproxy.h>

static long fa_calls, fa_fail_at, fa_live;

static void *fa_alloc(void *ud, size_t n)
{
    (void)ud;
    if (++fa_calls == fa_fail_at)
        return NULL;
    void *p = malloc(n);
    fa_live += p != NULL;
    return p;
}

static void *fa_realloc(void *ud, void *p, size_t o, size_t n)
{
    (void)ud;
    (void)o;
    if (++fa_calls == fa_fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        fa_live++;
    return q;
}

static void fa_free(void *ud, void *p, size_t n)
{
    (void)ud;
    (void)n;
    fa_live -= p != NULL;
    free(p);
}

static const rp_allocator failalloc = {fa_alloc, fa_realloc, fa_free, NULL};

#endif
