/* Compile a builder into an immutable table: one string arena, flat rule
 * arrays, pre-parsed backend URLs and pre-compiled regexes. */
#include <string.h>

#include "internal.h"

static size_t plen(const rp_trule *r)
{
    size_t n = r->pattern_len;
    if (n > 1 && r->pattern[n - 1] == '/')
        n--;
    return n;
}

static char *arena_put(char **cursor, const char *p, size_t n)
{
    char *dst = *cursor;
    if (n)
        memcpy(dst, p, n);
    dst[n] = '\0';
    *cursor += n + 1;
    return dst;
}

static size_t add_sz(size_t a, size_t b, bool *ovf)
{
    if (a > SIZE_MAX - b) {
        *ovf = true;
        return 0;
    }
    return a + b;
}

RP_API rp_status rp_builder_compile(const rp_builder *b, rp_table **out, rp_diag *diag)
{
    rp__diag_clear(diag);
    if (!b || !out)
        return rp__diag_set(diag, RP_E_ARG, "invalid argument");
    *out = NULL;
    const rp_allocator *ba = &b->a;
    rp_table *t = rp__malloc(ba, sizeof *t);
    if (!t)
        return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
    memset(t, 0, sizeof *t);
    t->a = b->a;
    t->profile = b->profile;
    memcpy(t->limits, b->limits, sizeof t->limits);
    t->enc_slashes = b->enc_slashes;
    t->merge_slashes = b->merge_slashes;
    t->preserve_host = b->preserve_host;

    bool ovf = false;
    size_t total = 1;
    for (size_t i = 0; i < b->nrules; i++) {
        total = add_sz(total, b->rules[i].pattern_len + 1, &ovf);
        if (b->rules[i].url)
            total = add_sz(total, b->rules[i].url_len + 1, &ovf);
    }
    for (size_t i = 0; i < b->nrevs; i++) {
        total = add_sz(total, b->revs[i].path_len + 1, &ovf);
        total = add_sz(total, b->revs[i].url_len + 1, &ovf);
        if (b->revs[i].location)
            total = add_sz(total, b->revs[i].location_len + 1, &ovf);
    }
    for (size_t i = 0; i < b->ncookies; i++) {
        total = add_sz(total, b->cookies[i].internal_len + 1, &ovf);
        total = add_sz(total, b->cookies[i].pub_len + 1, &ovf);
    }
    if (b->server_name)
        total = add_sz(total, b->server_name_len + 1, &ovf);
    if (ovf)
        goto nomem;
    t->strings = rp__malloc(ba, total);
    t->strings_len = total;
    t->rules = b->nrules ? rp__malloc(ba, b->nrules * sizeof *t->rules) : NULL;
    t->order = b->nrules ? rp__malloc(ba, b->nrules * sizeof *t->order) : NULL;
    t->revs = b->nrevs ? rp__malloc(ba, b->nrevs * sizeof *t->revs) : NULL;
    t->cookies = b->ncookies ? rp__malloc(ba, b->ncookies * sizeof *t->cookies) : NULL;
    if (!t->strings || (b->nrules && (!t->rules || !t->order)) || (b->nrevs && !t->revs) ||
        (b->ncookies && !t->cookies))
        goto nomem;
    if (b->nrules)
        memset(t->rules, 0, b->nrules * sizeof *t->rules);
    t->nrules = b->nrules;
    t->nrevs = b->nrevs;
    t->ncookies = b->ncookies;
    rp_status st = RP_OK;

    char *cur = t->strings;
    if (b->server_name) {
        t->server_name = arena_put(&cur, b->server_name, b->server_name_len);
        t->server_name_len = b->server_name_len;
    }
    for (size_t i = 0; i < b->nrules; i++) {
        const rp_brule *src = &b->rules[i];
        rp_trule *r = &t->rules[i];
        memset(r, 0, sizeof *r);
        r->kind = src->kind;
        r->flags = src->flags;
        r->line = src->line;
        r->index = (uint32_t)i;
        r->pattern = arena_put(&cur, src->pattern, src->pattern_len);
        r->pattern_len = src->pattern_len;
        if (src->url) {
            r->url = arena_put(&cur, src->url, src->url_len);
            r->url_len = src->url_len;
            st = rp__parse_backend(r->url, r->url_len,
                                   (t->profile == RP_PROFILE_STRICT ? RP_BE_STRICT : 0u) |
                                       (r->kind == RP_KIND_MATCH ? RP_BE_TEMPLATE : 0u),
                                   &r->be, diag);
            if (st != RP_OK)
                goto fail_st;
        }
        if (src->flags & RP_RULE_MAPPING_ENCODED)
            t->has_encoded_mapping = true;
        if (r->kind == RP_KIND_MATCH) {
            st = rp__regex_compile(&t->a, r->pattern, r->pattern_len, &r->re, diag);
            if (st != RP_OK)
                goto fail_st;
        }
    }
    for (size_t i = 0; i < b->nrevs; i++) {
        rp_brev *d = &t->revs[i];
        const rp_brev *s = &b->revs[i];
        *d = *s;
        d->path = arena_put(&cur, s->path, s->path_len);
        d->url = arena_put(&cur, s->url, s->url_len);
        if (s->location)
            d->location = arena_put(&cur, s->location, s->location_len);
    }
    for (size_t i = 0; i < b->ncookies; i++) {
        rp_bcookie *d = &t->cookies[i];
        const rp_bcookie *s = &b->cookies[i];
        *d = *s;
        d->internal = arena_put(&cur, s->internal, s->internal_len);
        d->pub = arena_put(&cur, s->pub, s->pub_len);
    }

    /* Evaluation order. Apache: <Location> rules first, the last one written
     * first (later sections override earlier ones when merged), then the
     * server rules in configuration order. Strict: regex rules in order,
     * then prefix rules longest first (ties: configuration order). */
    size_t n = 0;
    if (t->profile == RP_PROFILE_APACHE) {
        for (size_t i = b->nrules; i-- > 0;)
            if (t->rules[i].flags & RP_RULE_LOCATION)
                t->order[n++] = (uint32_t)i;
        for (size_t i = 0; i < b->nrules; i++)
            if (!(t->rules[i].flags & RP_RULE_LOCATION))
                t->order[n++] = (uint32_t)i;
    } else {
        for (size_t i = 0; i < b->nrules; i++)
            if (t->rules[i].kind == RP_KIND_MATCH)
                t->order[n++] = (uint32_t)i;
        size_t first = n;
        for (size_t i = 0; i < b->nrules; i++) {
            if (t->rules[i].kind != RP_KIND_PASS)
                continue;
            /* insertion by descending prefix length, stable */
            size_t k = n++;
            while (k > first && plen(&t->rules[t->order[k - 1]]) < plen(&t->rules[i])) {
                t->order[k] = t->order[k - 1];
                k--;
            }
            t->order[k] = (uint32_t)i;
        }
    }
    t->norder = n;
    *out = t;
    return RP_OK;

nomem:
    rp_table_free(t);
    return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
fail_st:
    rp_table_free(t);
    return st;
}

RP_API void rp_table_free(rp_table *t)
{
    if (!t)
        return;
    rp_allocator a = t->a;
    for (size_t i = 0; i < t->nrules; i++)
        rp__regex_free(&t->a, t->rules[i].re);
    rp__free(&a, t->rules, t->nrules * sizeof *t->rules);
    rp__free(&a, t->order, t->nrules * sizeof *t->order);
    rp__free(&a, t->revs, t->nrevs * sizeof *t->revs);
    rp__free(&a, t->cookies, t->ncookies * sizeof *t->cookies);
    rp__free(&a, t->strings, t->strings_len);
    rp__free(&a, t, sizeof *t);
}

RP_API size_t rp_table_rule_count(const rp_table *t)
{
    return t ? t->nrules : 0;
}
