/* Compile a builder into an immutable table: one string arena, flat rule
 * arrays, pre-parsed backend URLs and pre-compiled regexes. */
#include <string.h>

#include "internal.h"

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

/* ---- the forward index ---------------------------------------------------
 * Built in place; a scratch array (kref) keeps where each slot's key bytes
 * are in kbuf, so that equal keys share a slot. The table grows when the
 * prefixes that only lead to longer keys push it over 3/4 full. */
typedef struct fbuild {
    const rp_allocator *a;
    rp_findex  *ix;
    uint32_t   *kref;
    const char *kbuf;
    const rp_table *t;
    bool        oom;
} fbuild;

static uint32_t pos_of(const rp_table *t, uint32_t ri)
{
    return t->pos ? t->pos[ri] : ri;
}

static bool fb_alloc(fbuild *fb, uint32_t cap, rp_fslot **slots, uint32_t **kref)
{
    *slots = rp__malloc(fb->a, (size_t)cap * sizeof **slots);
    *kref = rp__malloc(fb->a, (size_t)cap * sizeof **kref);
    if (!*slots || !*kref) {
        if (*slots)
            rp__free(fb->a, *slots, (size_t)cap * sizeof **slots);
        if (*kref)
            rp__free(fb->a, *kref, (size_t)cap * sizeof **kref);
        *slots = NULL;
        *kref = NULL;
        return false;
    }
    memset(*slots, 0, (size_t)cap * sizeof **slots);
    return true;
}

static bool fb_grow(fbuild *fb)
{
    rp_findex *ix = fb->ix;
    uint32_t ncap;
    rp_fslot *ns;
    uint32_t *nk;
    if (ix->cap > (UINT32_MAX >> 2) || !fb_alloc(fb, ncap = 2 * ix->cap, &ns, &nk))
        return false;
    for (uint32_t i = 0; i < ix->cap; i++) {
        if (ix->slots[i].lenf == 0)
            continue;
        uint64_t h = rp__hash_bytes(fb->kbuf + fb->kref[i], ix->slots[i].lenf >> 1);
        uint32_t j = rp__slot_of(h, ncap);
        while (ns[j].lenf != 0)
            if (++j == ncap)
                j = 0;
        ns[j] = ix->slots[i];
        nk[j] = fb->kref[i];
    }
    rp__free(fb->a, ix->slots, (size_t)ix->cap * sizeof *ix->slots);
    rp__free(fb->a, fb->kref, (size_t)ix->cap * sizeof *fb->kref);
    ix->slots = ns;
    fb->kref = nk;
    ix->cap = ncap;
    return true;
}

/* The slot of key kbuf[off..off+len), created when absent; NULL when out
 * of memory. */
static rp_fslot *fb_slot(fbuild *fb, uint32_t off, uint32_t len)
{
    rp_findex *ix = fb->ix;
    uint64_t h = rp__hash_bytes(fb->kbuf + off, len);
    uint32_t c = (uint32_t)(h >> 32);
    for (uint32_t i = rp__slot_of(h, ix->cap);;) {
        rp_fslot *s = &ix->slots[i];
        if (s->lenf == 0) {
            if ((uint64_t)(ix->count + 1) * 4 > (uint64_t)ix->cap * 3) {
                if (!fb_grow(fb))
                    return NULL;
                return fb_slot(fb, off, len);
            }
            s->check = c;
            s->lenf = len << 1;
            s->v = RP_SLOT_EMPTY;
            s->soff = 0;
            fb->kref[i] = off;
            ix->count++;
            return s;
        }
        if (s->check == c && (s->lenf >> 1) == len &&
            memcmp(fb->kbuf + fb->kref[i], fb->kbuf + off, len) == 0)
            return s;
        if (++i == ix->cap)
            i = 0;
    }
}

static void fb_val(const rp_table *t, rp_fslot *s, uint32_t ri)
{
    if (s->v == RP_SLOT_EMPTY || pos_of(t, ri) < pos_of(t, s->v)) {
        s->v = ri;
        s->soff = (uint32_t)(t->rules[ri].pattern - t->strings);
    }
}

/* Enter key kbuf[off..off+n) of rule ri: every prefix that ends before one
 * of its '/' is marked interior (Apache: the '/' that ends a key "P/" too,
 * so that a walk probes "P/" after P). */
static void fb_add(fbuild *fb, rp_findex *ix, uint32_t off, uint32_t n, uint32_t ri)
{
    const char *k = fb->kbuf + off;
    if (n == 0 || k[0] != '/')
        return; /* a path always starts with '/': never matches */
    if (n == 1) {
        uint32_t *root = &ix->root;
        if (*root == RP_SLOT_EMPTY || pos_of(fb->t, ri) < pos_of(fb->t, *root))
            *root = ri;
        return;
    }
    if (k[n - 1] == '/') { /* Apache only: strict keys have no trailing '/' */
        if (n < 256)
            ix->slash_lens[n >> 6] |= (uint64_t)1 << (n & 63);
        else
            ix->slash_long = true;
    }
    for (uint32_t j = 1; j < n; j++) {
        if (k[j] == '/') {
            rp_fslot *s = fb_slot(fb, off, j);
            if (!s) {
                fb->oom = true;
                return;
            }
            s->lenf |= 1u;
        }
    }
    rp_fslot *s = fb_slot(fb, off, n);
    if (!s) {
        fb->oom = true;
        return;
    }
    fb_val(fb->t, s, ri);
}

static rp_status build_forward_index(rp_table *t, rp_regex **tre)
{
    const rp_allocator *a = &t->a;
    const bool apache = t->profile == RP_PROFILE_APACHE;
    size_t nslow = 0, nenc = 0, nfast = 0, kbytes = 0, nkeys = 0;
    t->fwd.root = RP_SLOT_EMPTY;
    for (size_t k = 0; k < t->norder; k++) {
        const rp_trule *r = &t->rules[t->order[k]];
        if (r->kind != RP_KIND_PASS || (r->flags & RP_RULE_MAPPING_SERVLET)) {
            nslow++;
        } else if (r->flags & RP_RULE_MAPPING_ENCODED) {
            nenc++;
        } else {
            nfast++;
            kbytes += r->pattern_len;
            for (size_t j = 0; j < r->pattern_len; j++)
                nkeys += r->pattern[j] == '/';
            nkeys++;
        }
    }
    if (apache) {
        bool loc = false;
        for (size_t k = 0; k < t->nrules && !loc; k++)
            loc = (t->rules[k].flags & RP_RULE_LOCATION) != 0;
        if (loc) {
            t->pos = rp__malloc(a, t->nrules * sizeof *t->pos);
            if (!t->pos)
                return RP_E_NOMEM;
            for (size_t k = 0; k < t->norder; k++)
                t->pos[t->order[k]] = (uint32_t)k;
        }
    }
    rp_tslow *slow = nslow ? rp__malloc(a, nslow * sizeof *slow) : NULL;
    rp_tslow *enc = nenc ? rp__malloc(a, nenc * sizeof *enc) : NULL;
    if ((nslow && !slow) || (nenc && !enc)) {
        if (slow)
            rp__free(a, slow, nslow * sizeof *slow);
        if (enc)
            rp__free(a, enc, nenc * sizeof *enc);
        return RP_E_NOMEM;
    }
    t->slow = slow;
    t->encoded = enc;
    /* the regexes move from tre to the slow list: nothing fails in between */
    for (size_t k = 0; k < t->norder; k++) {
        uint32_t ri = t->order[k];
        const rp_trule *r = &t->rules[ri];
        rp_tslow e = {apache ? (uint32_t)k : ri, ri, tre ? tre[ri] : NULL};
        if (r->kind != RP_KIND_PASS || (r->flags & RP_RULE_MAPPING_SERVLET))
            t->slow[t->nslow++] = e;
        else if (r->flags & RP_RULE_MAPPING_ENCODED)
            t->encoded[t->nencoded++] = e;
        if (tre)
            tre[ri] = NULL;
    }
    if (!nfast)
        return RP_OK;
    (void)nkeys;
    if (kbytes >= UINT32_MAX / 2 || nfast >= ((size_t)1 << 29) || t->strings_len > UINT32_MAX)
        return RP_E_NOMEM; /* slots keep 32-bit arena offsets */

    fbuild fb;
    memset(&fb, 0, sizeof fb);
    fb.a = a;
    fb.t = t;
    fb.ix = &t->fwd;
    uint32_t cap0 = (uint32_t)(nfast + nfast / 2 + 16);
    char *kbuf = rp__malloc(a, kbytes + 1);
    if (!kbuf)
        return RP_E_NOMEM;
    if (!fb_alloc(&fb, cap0, &t->fwd.slots, &fb.kref)) {
        rp__free(a, kbuf, kbytes + 1);
        return RP_E_NOMEM;
    }
    t->fwd.cap = cap0;
    fb.kbuf = kbuf;
    /* keys: Apache collapses runs of '/'; strict drops a trailing '/' */
    uint32_t off = 0;
    for (size_t k = 0; k < t->norder && !fb.oom; k++) {
        uint32_t ri = t->order[k];
        const rp_trule *r = &t->rules[ri];
        if (r->kind != RP_KIND_PASS ||
            (r->flags & (RP_RULE_MAPPING_SERVLET | RP_RULE_MAPPING_ENCODED)))
            continue;
        uint32_t n = 0;
        if (apache) {
            for (size_t i = 0; i < r->pattern_len; i++)
                if (!(r->pattern[i] == '/' && i > 0 && r->pattern[i - 1] == '/'))
                    kbuf[off + n++] = r->pattern[i];
        } else {
            n = r->pattern_len;
            if (n > 1 && r->pattern[n - 1] == '/')
                n--;
            memcpy(kbuf + off, r->pattern, n);
        }
        fb_add(&fb, &t->fwd, off, n, ri);
        off += n;
    }
    rp__free(a, kbuf, kbytes + 1);
    rp__free(a, fb.kref, (size_t)t->fwd.cap * sizeof *fb.kref);
    if (fb.oom)
        return RP_E_NOMEM;
    if (t->fwd.count == 0) {
        rp__free(a, t->fwd.slots, (size_t)t->fwd.cap * sizeof *t->fwd.slots);
        t->fwd.slots = NULL;
        t->fwd.cap = 0;
    }
    return RP_OK;
}

/* Does the origin of be differ from the start of url (then it needs bytes
 * of its own in the arena)? */
static bool origin_differs(const rp_backend *be, const char *url, size_t len)
{
    return be->origin_len > len || memcmp(be->origin, url, be->origin_len) != 0;
}

static void set_be(rp_tbackend *d, const rp_backend *s)
{
    rp__tbackend_view(s, d);
    d->origin = NULL;
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
    rp_regex **tre = NULL; /* compiled regexes until the slow list owns them */
    unsigned char *tdiff = NULL;
    rp_status st = RP_OK;
    rp_backend pb;

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
    t->rules = b->nrules ? rp__malloc(ba, b->nrules * sizeof *t->rules) : NULL;
    t->order = b->nrules ? rp__malloc(ba, b->nrules * sizeof *t->order) : NULL;
    tre = b->nrules ? rp__malloc(ba, b->nrules * sizeof *tre) : NULL;
    if (tre)
        memset(tre, 0, b->nrules * sizeof *tre);
    tdiff = b->nrules ? rp__malloc(ba, b->nrules) : NULL;
    t->nrules = b->nrules;
    if (b->nrules && (!t->rules || !t->order || !tre || !tdiff))
        goto nomem;

    /* backends and regexes first: the arena also holds the origins that
     * are not the start of their URL */
    for (size_t i = 0; i < b->nrules; i++) {
        const rp_brule *src = &b->rules[i];
        rp_trule *r = &t->rules[i];
        memset(r, 0, sizeof *r);
        r->kind = (uint8_t)src->kind;
        r->flags = (uint16_t)src->flags;
        r->line = src->line;
        r->column = src->column;
        r->index = (uint32_t)i;
        r->pattern_len = (uint32_t)src->pattern_len;
        tdiff[i] = 0;
        if (src->url && src->be_ok) {
            r->url_len = (uint32_t)src->url_len;
            r->be = src->be; /* parsed by rp_builder_add_pass */
            if (src->be_differs) {
                tdiff[i] = 1;
                total = add_sz(total, src->be.origin_len + 1u, &ovf);
            }
        } else if (src->url) {
            r->url_len = (uint32_t)src->url_len;
            st = rp__parse_backend(src->url, src->url_len,
                                   (t->profile == RP_PROFILE_STRICT ? RP_BE_STRICT : 0u) |
                                       (r->kind == RP_KIND_MATCH ? RP_BE_TEMPLATE : 0u),
                                   &pb, diag);
            if (st != RP_OK)
                goto fail_st;
            set_be(&r->be, &pb);
            if (origin_differs(&pb, src->url, src->url_len)) {
                tdiff[i] = 1;
                total = add_sz(total, pb.origin_len + 1u, &ovf);
            }
        }
        if (src->flags & RP_RULE_MAPPING_ENCODED)
            t->has_encoded_mapping = true;
        if (r->kind == RP_KIND_MATCH) {
            st = rp__regex_compile(&t->a, src->pattern, src->pattern_len, true, &tre[i], diag);
            if (st != RP_OK)
                goto fail_st;
        }
    }
    /* Reverse rules: the explicit ones, then (derive_reverse) one per prefix
     * ProxyPass that proxies. The explicit ones' URLs are parsed here. */
    size_t nder = 0;
    for (size_t i = 0; t->derive_reverse && i < t->nrules; i++) {
        rp_trule view = t->rules[i]; /* with the builder's strings (no arena yet) */
        view.pattern = b->rules[i].pattern;
        view.url = b->rules[i].url;
        if ((view.kind == RP_KIND_PASS && view.url) || invertible(&view, NULL, NULL))
            nder++;
    }
    if (b->nrevs + nder) {
        t->trevs = rp__malloc(ba, (b->nrevs + nder) * sizeof *t->trevs);
        if (!t->trevs)
            goto nomem;
        t->ntrevs = b->nrevs + nder;
        memset(t->trevs, 0, t->ntrevs * sizeof *t->trevs);
    }
    for (size_t i = 0; i < b->nrevs; i++) {
        const rp_brev *s = &b->revs[i];
        rp_trev *v = &t->trevs[i];
        v->path_only = s->url_len > 0 && s->url[0] == '/';
        /* the Apache lookups compare text: only strict needs the backend */
        if (v->path_only || t->profile == RP_PROFILE_APACHE)
            continue;
        if (rp__parse_backend(s->url, s->url_len, 0, &pb, NULL) == RP_OK) {
            v->parsed = true;
            set_be(&v->be, &pb);
            if (origin_differs(&pb, s->url, s->url_len)) {
                v->be.origin = s->url; /* marks: needs its own copy */
                total = add_sz(total, pb.origin_len + 1u, &ovf);
            }
        }
    }
    if (ovf)
        goto nomem;
    t->strings = rp__malloc(ba, total);
    t->strings_len = total;
    t->cookies = b->ncookies ? rp__malloc(ba, b->ncookies * sizeof *t->cookies) : NULL;
    if (!t->strings || (b->ncookies && !t->cookies))
        goto nomem;
    t->nrevs = b->nrevs;
    t->ncookies = b->ncookies;

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
        r->pattern = arena_put(&cur, src->pattern, src->pattern_len);
        if (src->url) {
            r->url = arena_put(&cur, src->url, src->url_len);
            r->be.path_plain = rp__apache_plain(r->url + r->be.path_off, r->url_len - r->be.path_off);
            for (size_t k = 0; k < r->url_len; k++)
                if ((unsigned char)r->url[k] <= 0x20 || r->url[k] == 0x7f)
                    r->be.ctl = true;
            if (!tdiff[i]) {
                r->be.origin = r->url;
            } else {
                if (rp__parse_backend(src->url, src->url_len,
                                      (t->profile == RP_PROFILE_STRICT ? RP_BE_STRICT : 0u) |
                                          (r->kind == RP_KIND_MATCH ? RP_BE_TEMPLATE : 0u),
                                      &pb, NULL) != RP_OK)
                    goto nomem; /* cannot happen: it parsed above */
                r->be.origin = arena_put(&cur, pb.origin, pb.origin_len);
            }
        }
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

    /* the explicit reverse rules, their strings straight into the arena */
    size_t kv = 0;
    for (size_t i = 0; i < t->nrevs; i++) {
        rp_trev *v = &t->trevs[kv++];
        const rp_brev *s = &b->revs[i];
        const char *url = arena_put(&cur, s->url, s->url_len);
        v->fake = arena_put(&cur, s->path, s->path_len);
        v->fake_len = (uint32_t)s->path_len;
        v->real = url;
        v->real_len = (uint32_t)s->url_len;
        if (s->location) {
            v->location = arena_put(&cur, s->location, s->location_len);
            v->location_len = (uint32_t)s->location_len;
        }
        v->line = s->line;
        v->column = s->column;
        if (v->path_only) {
            v->bpath = url;
            v->bpath_len = (uint32_t)s->url_len;
        } else if (v->parsed) {
            if (!v->be.origin) {
                v->be.origin = url;
            } else {
                if (rp__parse_backend(s->url, s->url_len, 0, &pb, NULL) != RP_OK)
                    goto nomem; /* cannot happen: it parsed above */
                v->be.origin = arena_put(&cur, pb.origin, pb.origin_len);
            }
            v->bpath = url + v->be.path_off;
            v->bpath_len = (uint32_t)(s->url_len - v->be.path_off);
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
        v->fake_len = (uint32_t)plen;
        v->real = r->url;
        v->real_len = (uint32_t)ulen;
        v->parsed = true;
        v->be = r->be;
        v->bpath = r->url + r->be.path_off;
        v->bpath_len = (uint32_t)(ulen - r->be.path_off);
        v->line = r->line;
        v->column = r->column;
    }

    /* Evaluation order. Apache: <Location> rules first, the last one written
     * first (later sections override earlier ones when merged), then the
     * server rules in configuration order. Strict: regex rules in order,
     * then the prefix rules (the index picks the longest). */
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
        /* the prefix rules in configuration order: the index gives the
         * longest (their paths are unique), so no sort (an insertion sort
         * here was quadratic) */
        for (size_t i = 0; i < b->nrules; i++)
            if (t->rules[i].kind == RP_KIND_PASS)
                t->order[n++] = (uint32_t)i;
    }
    t->norder = n;
    if (build_forward_index(t, tre) != RP_OK || rp__build_reverse_index(t) != RP_OK)
        goto nomem;
    if (tre)
        rp__free(ba, tre, b->nrules * sizeof *tre);
    if (tdiff)
        rp__free(ba, tdiff, b->nrules);
    *out = t;
    return RP_OK;

nomem:
    st = rp__diag_set(diag, RP_E_NOMEM, "out of memory");
fail_st:
    if (tre) {
        for (size_t i = 0; i < b->nrules; i++)
            rp__regex_free(ba, tre[i]);
        rp__free(ba, tre, b->nrules * sizeof *tre);
    }
    if (tdiff)
        rp__free(ba, tdiff, b->nrules);
    rp_table_free(t);
    return st;
}

RP_API void rp_table_free(rp_table *t)
{
    if (!t)
        return;
    rp_allocator a = t->a;
    for (size_t i = 0; i < t->nslow; i++)
        rp__regex_free(&t->a, t->slow[i].re);
    if (t->rules)
        rp__free(&a, t->rules, t->nrules * sizeof *t->rules);
    if (t->order)
        rp__free(&a, t->order, t->nrules * sizeof *t->order);
    if (t->pos)
        rp__free(&a, t->pos, t->nrules * sizeof *t->pos);
    if (t->fwd.slots)
        rp__free(&a, t->fwd.slots, (size_t)t->fwd.cap * sizeof *t->fwd.slots);
    rp__free_reverse_index(t);
    if (t->slow)
        rp__free(&a, t->slow, t->nslow * sizeof *t->slow);
    if (t->encoded)
        rp__free(&a, t->encoded, t->nencoded * sizeof *t->encoded);
    if (t->trevs)
        rp__free(&a, t->trevs, t->ntrevs * sizeof *t->trevs);
    if (t->cookies)
        rp__free(&a, t->cookies, t->ncookies * sizeof *t->cookies);
    if (t->strings)
        rp__free(&a, t->strings, t->strings_len);
    rp__free(&a, t, sizeof *t);
}

RP_API size_t rp_table_rule_count(const rp_table *t)
{
    return t ? t->nrules : 0;
}
