/* The plain hash multimap of a compiled table (reverse rules): one array of
 * 12-byte slots, open addressing with linear probing, capacity at least
 * 1.5 times the number of keys. A slot keeps 32 bits of the key's hash,
 * its length and a value (a rule). The caller verifies a hit against the
 * rule itself, so a hash collision costs a comparison, never a wrong
 * answer. The forward index (table.c, map.c) uses the same hash. */
#include <string.h>

#include "internal.h"

rp_status rp__index_init(const rp_allocator *a, rp_index *ix, size_t nkeys)
{
    memset(ix, 0, sizeof *ix);
    size_t cap = nkeys + nkeys / 2 + 8;
    if (cap >= ((size_t)1 << 31) || cap > SIZE_MAX / sizeof(rp_slot))
        return RP_E_NOMEM;
    ix->slots = rp__malloc(a, cap * sizeof(rp_slot));
    if (!ix->slots)
        return RP_E_NOMEM;
    memset(ix->slots, 0, cap * sizeof(rp_slot));
    ix->cap = (uint32_t)cap;
    return RP_OK;
}

void rp__index_free(const rp_allocator *a, rp_index *ix)
{
    if (ix->slots)
        rp__free(a, ix->slots, (size_t)ix->cap * sizeof(rp_slot));
    memset(ix, 0, sizeof *ix);
}

void rp__index_put(rp_index *ix, uint64_t h, uint32_t len, uint32_t val,
                   bool (*same)(const void *ctx, uint32_t a, uint32_t b), const void *ctx)
{
    uint32_t c = (uint32_t)(h >> 32);
    for (uint32_t i = rp__slot_of(h, ix->cap);;) {
        rp_slot *s = &ix->slots[i];
        if (s->len == 0) {
            s->check = c;
            s->len = len + 1;
            s->val = val;
            ix->count++;
            return;
        }
        /* the same key again (a duplicate rule): the first one stays */
        if (s->check == c && s->len == len + 1 && same && same(ctx, s->val, val)) {
            if (val < s->val)
                s->val = val;
            return;
        }
        if (++i == ix->cap)
            i = 0;
    }
}
