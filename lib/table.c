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

/* A ProxyPassMatch that only moves a prefix, "^/lit(.*)$" -> "URL$1", can
 * be inverted: its reverse rule is /lit <-> URL. *plen / *ulen get the
 * lengths of /lit and URL. */
static bool invertible(const rp_trule *r, size_t *plen, size_t *ulen)
{
    if (r->kind != RP_KIND_MATCH || !r->url || (r->flags & RP_RULE_EXCLUDE))
        return false;
    const char *p = r->pattern;
    size_t n = r->pattern_len, k = 1;
    if (n < 6 || p[0] != '^' || p[1] != '/')
        return false;
    while (k < n && p[k] != '(') {
        char c = p[k];
        bool lit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '/' || c == '-' || c == '_' || c == '~' || c == '%' || c == ',' ||
                   c == ';' || c == '=' || c == '@' || c == ':' || c == '!';
        if (!lit)
            return false;
        k++;
    }
    size_t rest = n - k;
    if (!((rest == 5 && memcmp(p + k, "(.*)$", 5) == 0) ||
          (rest == 4 && memcmp(p + k, "(.*)", 4) == 0)))
        return false;
    const char *u = r->url;
    size_t un = r->url_len;
    if (un < 2 || memcmp(u + un - 2, "$1", 2) != 0)
        return false;
    for (size_t i = 0; i + 2 < un; i++)
        if (u[i] == '$' || u[i] == '&' || u[i] == '\\' || u[i] == '?' || u[i] == '#')
            return false;
    if (un - 2 < r->be.path_off)
        return false;
    if (plen)
        *plen = k - 1;
    if (ulen)
        *ulen = un - 2;
    return true;
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

/* Apache key of a prefix rule: its path with runs of '/' collapsed. */
static uint64_t apache_key(const char *p, size_t n, uint32_t *klen)
{
    uint64_t h = rp__hash_init();
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '/' && i > 0 && p[i - 1] == '/')
            continue;
        h = rp__hash_byte(h, (unsigned char)p[i]);
        k++;
    }
    *klen = k;
    return h;
}

static bool apache_same(const void *ctx, uint32_t a, uint32_t b)
{
    const rp_table *t = ctx;
    const rp_trule *x = &t->rules[t->order[a]], *y = &t->rules[t->order[b]];
    size_t i = 0, j = 0;
    for (;;) {
        while (i < x->pattern_len && x->pattern[i] == '/' && i > 0 && x->pattern[i - 1] == '/')
            i++;
        while (j < y->pattern_len && y->pattern[j] == '/' && j > 0 && y->pattern[j - 1] == '/')
            j++;
        if (i == x->pattern_len || j == y->pattern_len)
            return i == x->pattern_len && j == y->pattern_len;
        if (x->pattern[i++] != y->pattern[j++])
            return false;
    }
}

static bool strict_same(const void *ctx, uint32_t a, uint32_t b)
{
    const rp_table *t = ctx;
    const rp_trule *x = &t->rules[a], *y = &t->rules[b];
    size_t n1 = x->pattern_len, n2 = y->pattern_len;
    if (n1 > 1 && x->pattern[n1 - 1] == '/')
        n1--;
    if (n2 > 1 && y->pattern[n2 - 1] == '/')
        n2--;
    return n1 == n2 && memcmp(x->pattern, y->pattern, n1) == 0;
}

/* Strict key: the path without its trailing '/' ("/" stays "/"). */
static uint64_t strict_key(const char *p, size_t n, uint32_t *klen)
{
    if (n > 1 && p[n - 1] == '/')
        n--;
    uint64_t h = rp__hash_init();
    for (size_t i = 0; i < n; i++)
        h = rp__hash_byte(h, (unsigned char)p[i]);
    *klen = (uint32_t)n;
    return h;
}

static rp_status build_forward_index(rp_table *t)
{
    const rp_allocator *a = &t->a;
    size_t nfast = 0;
    for (size_t k = 0; k < t->norder; k++) {
        const rp_trule *r = &t->rules[t->order[k]];
        if (r->kind == RP_KIND_PASS && !(r->flags & (RP_RULE_MAPPING_SERVLET |
                                                     RP_RULE_MAPPING_ENCODED)))
            nfast++;
    }
    if (t->norder) {
        t->slow = rp__malloc(a, t->norder * sizeof *t->slow);
        t->encoded = rp__malloc(a, t->norder * sizeof *t->encoded);
        if (!t->slow || !t->encoded)
            return RP_E_NOMEM;
    }
    if (nfast && rp__index_init(a, &t->fwd, nfast) != RP_OK)
        return RP_E_NOMEM;
    for (size_t k = 0; k < t->norder; k++) {
        uint32_t ri = t->order[k];
        const rp_trule *r = &t->rules[ri];
        uint32_t klen;
        if (r->kind != RP_KIND_PASS || (r->flags & RP_RULE_MAPPING_SERVLET)) {
            t->slow[t->nslow++] = t->profile == RP_PROFILE_APACHE ? (uint32_t)k : ri;
        } else if (r->flags & RP_RULE_MAPPING_ENCODED) {
            t->encoded[t->nencoded++] = (uint32_t)k;
        } else if (t->profile == RP_PROFILE_APACHE) {
            uint64_t h = apache_key(r->pattern, r->pattern_len, &klen);
            rp__index_put(&t->fwd, h, klen, (uint32_t)k, apache_same, t);
        } else {
            uint64_t h = strict_key(r->pattern, r->pattern_len, &klen);
            rp__index_put(&t->fwd, h, klen, ri, strict_same, t);
        }
    }
    return RP_OK;
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
    t->derive_reverse = b->derive_reverse != 0;
    memcpy(t->opt_line, b->opt_line, sizeof t->opt_line);
    memcpy(t->opt_column, b->opt_column, sizeof t->opt_column);

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
        if (b->cookies[i].location)
            total = add_sz(total, b->cookies[i].location_len + 1, &ovf);
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
        t->server_host = t->server_name;
        t->server_host_len = t->server_name_len;
        for (size_t i = 0; i + 2 < t->server_name_len; i++)
            if (memcmp(t->server_name + i, "://", 3) == 0) {
                t->server_scheme_len = i;
                t->server_host = t->server_name + i + 3;
                t->server_host_len = t->server_name_len - i - 3;
                break;
            }
    }
    for (size_t i = 0; i < b->nrules; i++) {
        const rp_brule *src = &b->rules[i];
        rp_trule *r = &t->rules[i];
        memset(r, 0, sizeof *r);
        r->kind = src->kind;
        r->flags = src->flags;
        r->line = src->line;
        r->column = src->column;
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
            st = rp__regex_compile(&t->a, r->pattern, r->pattern_len, true, &r->re, diag);
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
        if (s->location)
            d->location = arena_put(&cur, s->location, s->location_len);
    }

    /* Reverse rules: the explicit ones, then (derive_reverse) one per prefix
     * ProxyPass that proxies. */
    size_t nder = 0;
    if (t->derive_reverse)
        for (size_t i = 0; i < t->nrules; i++)
            if ((t->rules[i].kind == RP_KIND_PASS && t->rules[i].url) ||
                invertible(&t->rules[i], NULL, NULL))
                nder++;
    if (t->nrevs + nder) {
        t->trevs = rp__malloc(ba, (t->nrevs + nder) * sizeof *t->trevs);
        if (!t->trevs)
            goto nomem;
        memset(t->trevs, 0, (t->nrevs + nder) * sizeof *t->trevs);
        t->ntrevs = t->nrevs + nder;
    }
    size_t kv = 0;
    for (size_t i = 0; i < t->nrevs; i++) {
        rp_trev *v = &t->trevs[kv++];
        const rp_brev *s = &t->revs[i];
        v->fake = s->path;
        v->fake_len = s->path_len;
        v->real = s->url;
        v->real_len = s->url_len;
        v->location = s->location;
        v->location_len = s->location_len;
        v->line = s->line;
        v->path_only = s->url_len > 0 && s->url[0] == '/';
        if (v->path_only) {
            v->bpath = s->url;
            v->bpath_len = s->url_len;
        } else if (rp__parse_backend(s->url, s->url_len, 0, &v->be, NULL) == RP_OK) {
            v->parsed = true;
            v->bpath = s->url + v->be.path_off;
            v->bpath_len = s->url_len - v->be.path_off;
        }
    }
    for (size_t i = 0; nder && i < t->nrules; i++) {
        const rp_trule *r = &t->rules[i];
        size_t plen = r->pattern_len, ulen = r->url_len;
        const char *pat = r->pattern;
        if (r->kind == RP_KIND_MATCH) {
            if (!invertible(r, &plen, &ulen))
                continue;
            pat++; /* after '^' */
        } else if (!r->url) {
            continue;
        }
        rp_trev *v = &t->trevs[kv++];
        v->fake = pat;
        v->fake_len = plen;
        v->real = r->url;
        v->real_len = ulen;
        v->parsed = true;
        v->be = r->be;
        v->bpath = r->url + r->be.path_off;
        v->bpath_len = ulen - r->be.path_off;
        v->line = r->line;
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
    if (build_forward_index(t) != RP_OK || rp__build_reverse_index(t) != RP_OK)
        goto nomem;
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
    rp__index_free(&a, &t->fwd);
    rp__free_reverse_index(t);
    if (t->slow)
        rp__free(&a, t->slow, t->nrules * sizeof *t->slow);
    if (t->encoded)
        rp__free(&a, t->encoded, t->nrules * sizeof *t->encoded);
    rp__free(&a, t->revs, t->nrevs * sizeof *t->revs);
    if (t->trevs)
        rp__free(&a, t->trevs, t->ntrevs * sizeof *t->trevs);
    rp__free(&a, t->cookies, t->ncookies * sizeof *t->cookies);
    rp__free(&a, t->strings, t->strings_len);
    rp__free(&a, t, sizeof *t);
}

RP_API size_t rp_table_rule_count(const rp_table *t)
{
    return t ? t->nrules : 0;
}
