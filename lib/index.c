/* The flat hash index of a compiled table (PERF.md §5): one array of
 * 16-byte slots, open addressing with linear probing, power-of-two capacity
 * at least twice the number of keys. Keys are byte strings (rule prefixes);
 * a slot keeps the key's 64-bit hash, its length and a value (a rule
 * position). The caller verifies a hit against the rule itself, so a hash
 * collision costs a comparison, never a wrong answer. */
#include <string.h>

#include "internal.h"

uint64_t rp__hash_init(void)
{
    return 0xcbf29ce484222325ull; /* FNV-1a offset basis */
}

uint64_t rp__hash_byte(uint64_t h, unsigned char c)
{
    return (h ^ c) * 0x100000001b3ull;
}

rp_status rp__index_init(const rp_allocator *a, rp_index *ix, size_t nkeys)
{
    memset(ix, 0, sizeof *ix);
    size_t cap = 8;
    while (cap < 2 * nkeys) {
        if (cap > (SIZE_MAX / sizeof(rp_slot)) / 2 || cap >= ((size_t)1 << 31))
            return RP_E_NOMEM;
        cap *= 2;
    }
    ix->slots = rp__malloc(a, cap * sizeof(rp_slot));
    if (!ix->slots)
        return RP_E_NOMEM;
    for (size_t i = 0; i < cap; i++)
        ix->slots[i].val = RP_SLOT_EMPTY;
    ix->mask = (uint32_t)(cap - 1);
    return RP_OK;
}

void rp__index_free(const rp_allocator *a, rp_index *ix)
{
    if (ix->slots)
        rp__free(a, ix->slots, ((size_t)ix->mask + 1) * sizeof(rp_slot));
    memset(ix, 0, sizeof *ix);
}

void rp__index_put(rp_index *ix, uint64_t h, uint32_t len, uint32_t val,
                   bool (*same)(const void *ctx, uint32_t a, uint32_t b), const void *ctx)
{
    uint32_t i = (uint32_t)h & ix->mask;
    for (;; i = (i + 1) & ix->mask) {
        rp_slot *s = &ix->slots[i];
        if (s->val == RP_SLOT_EMPTY) {
            s->h = h;
            s->len = len;
            s->val = val;
            ix->count++;
            return;
        }
        /* the same key again (a duplicate rule): the first one stays */
        if (s->h == h && s->len == len && same && same(ctx, s->val, val)) {
            if (val < s->val)
                s->val = val;
            return;
        }
    }
}

uint32_t rp__index_first(const rp_index *ix, uint64_t h, uint32_t len, uint32_t *cursor)
{
    if (!ix->slots)
        return RP_SLOT_EMPTY;
    *cursor = (uint32_t)h & ix->mask;
    return rp__index_next(ix, h, len, cursor);
}

uint32_t rp__index_next(const rp_index *ix, uint64_t h, uint32_t len, uint32_t *cursor)
{
    for (uint32_t i = *cursor;; i = (i + 1) & ix->mask) {
        const rp_slot *s = &ix->slots[i];
        if (s->val == RP_SLOT_EMPTY) {
            *cursor = i;
            return RP_SLOT_EMPTY;
        }
        if (s->h == h && s->len == len) {
            *cursor = (i + 1) & ix->mask;
            return s->val;
        }
    }
}
