/* Allocation through the caller's hooks (build time only). */
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

#define RP_HUGE ((size_t)2 << 20)

/* The default hooks: malloc, except that a block of 2 MiB or more (the
 * index and rule arrays of a large table) is aligned to 2 MiB and marked
 * MADV_HUGEPAGE on Linux, so that lookups in a table of 100,000 rules walk
 * a few huge pages instead of thousands of small ones (TLB misses). Only a
 * hint: nothing changes when the kernel ignores it. */
static void *def_alloc(void *ud, size_t n)
{
    (void)ud;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (n >= RP_HUGE) {
        void *p = NULL;
        size_t rn = (n + RP_HUGE - 1) & ~(RP_HUGE - 1);
        if (posix_memalign(&p, RP_HUGE, rn) != 0)
            return NULL;
        (void)madvise(p, rn, MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(n);
}

static void *def_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    (void)ud;
    (void)old_n;
    return realloc(p, new_n);
}

static void def_free(void *ud, void *p, size_t n)
{
    (void)ud;
    (void)n;
    free(p);
}

void rp__alloc_init(rp_allocator *dst, const rp_allocator *src)
{
    if (src && src->alloc && src->free) {
        *dst = *src;
    } else {
        dst->alloc = def_alloc;
        dst->realloc = def_realloc;
        dst->free = def_free;
        dst->ud = NULL;
    }
}

void *rp__malloc(const rp_allocator *a, size_t n)
{
    return a->alloc(a->ud, n ? n : 1);
}

void *rp__realloc(const rp_allocator *a, void *p, size_t old_n, size_t new_n)
{
    if (!p)
        return rp__malloc(a, new_n);
    if (a->realloc)
        return a->realloc(a->ud, p, old_n, new_n ? new_n : 1);
    void *q = rp__malloc(a, new_n);
    if (!q)
        return NULL;
    memcpy(q, p, old_n < new_n ? old_n : new_n);
    a->free(a->ud, p, old_n);
    return q;
}

void rp__free(const rp_allocator *a, void *p, size_t n)
{
    if (p)
        a->free(a->ud, p, n ? n : 1);
}

char *rp__memdup(const rp_allocator *a, const char *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *q = rp__malloc(a, n + 1);
    if (!q)
        return NULL;
    if (n)
        memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

rp_status rp__grow(const rp_allocator *a, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return RP_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return RP_E_NOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return RP_E_NOMEM;
    void *p = rp__realloc(a, *arr, *cap * elem, ncap * elem);
    if (!p)
        return RP_E_NOMEM;
    *arr = p;
    *cap = ncap;
    return RP_OK;
}
