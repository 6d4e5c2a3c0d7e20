/* rp_rewrite_set_cookie: Domain and Path of one Set-Cookie value. One
 * bounded-writer pass; no allocation. */
#include <string.h>

#include "internal.h"

static bool ieq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rp__lower((unsigned char)a[i]) != rp__lower((unsigned char)b[i]))
            return false;
    return true;
}

/* An attribute: [start, end) of the whole token, the value [vs, ve). */
typedef struct attr {
    size_t start, end, vs, ve;
} attr;

/* Apache (ap_proxy_cookie_reverse_map): tokens split on ';', leading
 * spaces and tabs skipped, the first token included; the last "path=" and
 * the last "domain=" token count; the value runs to the next ';'. */
static void apache_scan(const char *v, size_t n, attr *path, attr *dom, bool *hp, bool *hd)
{
    size_t i = 0;
    *hp = *hd = false;
    while (i <= n) {
        size_t s = i;
        while (s < n && (v[s] == ' ' || v[s] == '\t'))
            s++;
        size_t e = s;
        while (e < n && v[e] != ';')
            e++;
        if (e - s >= 5 && ieq_n(v + s, "path=", 5)) {
            *path = (attr){s, e, s + 5, e};
            *hp = true;
        } else if (e - s >= 7 && ieq_n(v + s, "domain=", 7)) {
            *dom = (attr){s, e, s + 7, e};
            *hd = true;
        }
        i = e + 1;
    }
}

static const rp_bcookie *apache_rule(const rp_table *t, unsigned kind, const char *val, size_t vn,
                                     const rp_response_ctx *ctx)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < t->ncookies; i++) {
            const rp_bcookie *c = &t->cookies[i];
            if (c->kind != kind || (c->location != NULL) != (pass == 1) ||
                !rp__location_applies(c->location, c->location_len, ctx))
                continue;
            if (c->internal_len > vn)
                continue;
            if (kind == RP_COOKIE_PATH ? memcmp(val, c->internal, c->internal_len) == 0
                                       : ieq_n(val, c->internal, c->internal_len))
                return c;
        }
    }
    return NULL;
}

static rp_status apache_cookie(const rp_table *t, const char *v, size_t n,
                               const rp_response_ctx *ctx, rp_writer *w, bool *hit)
{
    attr p = {0}, d = {0};
    bool hp, hd;
    apache_scan(v, n, &p, &d, &hp, &hd);
    const rp_bcookie *rp = hp ? apache_rule(t, RP_COOKIE_PATH, v + p.vs, p.ve - p.vs, ctx) : NULL;
    const rp_bcookie *rd = hd ? apache_rule(t, RP_COOKIE_DOMAIN, v + d.vs, d.ve - d.vs, ctx) : NULL;
    if (!rp && !rd)
        return RP_OK;
    *hit = true;
    /* splice in text order */
    const attr *first = NULL, *second = NULL;
    const rp_bcookie *r1 = NULL, *r2 = NULL;
    if (rp && rd) {
        bool pf = p.vs < d.vs;
        first = pf ? &p : &d;
        second = pf ? &d : &p;
        r1 = pf ? rp : rd;
        r2 = pf ? rd : rp;
    } else {
        first = rp ? &p : &d;
        r1 = rp ? rp : rd;
    }
    size_t at = 0;
    rp__w_put(w, v, first->vs - at);
    rp__w_put(w, r1->pub, r1->pub_len);
    at = first->ve;
    if (second) {
        rp__w_put(w, v + at, second->vs - at);
        rp__w_put(w, r2->pub, r2->pub_len);
        at = second->ve;
    }
    rp__w_put(w, v + at, n - at);
    return RP_OK;
}

/* ---- strict (RFC 6265 §5.2) ---- */
static void trim(const char *v, size_t *s, size_t *e)
{
    while (*s < *e && (v[*s] == ' ' || v[*s] == '\t'))
        (*s)++;
    while (*e > *s && (v[*e - 1] == ' ' || v[*e - 1] == '\t'))
        (*e)--;
}

static size_t labels(const char *d, size_t n)
{
    size_t k = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        k += d[i] == '.';
    return k;
}

/* Domain: exact match after lowercasing and dropping one leading '.'. */
static const rp_bcookie *strict_domain(const rp_table *t, const char *val, size_t vn,
                                       const rp_response_ctx *ctx)
{
    if (vn && val[0] == '.') {
        val++;
        vn--;
    }
    for (size_t i = 0; i < t->ncookies; i++) {
        const rp_bcookie *c = &t->cookies[i];
        if (c->kind != RP_COOKIE_DOMAIN || !rp__location_applies(c->location, c->location_len, ctx))
            continue;
        const char *in = c->internal;
        size_t inl = c->internal_len;
        if (inl && in[0] == '.') {
            in++;
            inl--;
        }
        const char *pb = c->pub;
        size_t pl = c->pub_len;
        if (pl && pb[0] == '.') {
            pb++;
            pl--;
        }
        if (labels(pb, pl) < 2)
            continue; /* never a single-label public domain */
        if (!(c->flags & RP_COOKIE_ALLOW_WIDENING) && labels(pb, pl) < labels(in, inl))
            continue; /* widening to a parent needs the flag */
        if (inl == vn && ieq_n(val, in, vn))
            return c;
    }
    return NULL;
}

/* Path: segment-boundary prefix; returns the rule and the bytes matched. */
static const rp_bcookie *strict_path(const rp_table *t, const char *val, size_t vn,
                                     const rp_response_ctx *ctx, size_t *matched)
{
    const rp_bcookie *best = NULL;
    for (size_t i = 0; i < t->ncookies; i++) {
        const rp_bcookie *c = &t->cookies[i];
        if (c->kind != RP_COOKIE_PATH || !rp__location_applies(c->location, c->location_len, ctx))
            continue;
        size_t in = c->internal_len;
        if (in > 1 && c->internal[in - 1] == '/')
            in--;
        bool ok = in <= vn && memcmp(val, c->internal, in) == 0 &&
                  (in == vn || val[in] == '/' || (in == 1 && c->internal[0] == '/'));
        if (ok && (!best || in > *matched)) {
            best = c;
            *matched = in == 1 && c->internal[0] == '/' ? 0 : in;
        }
    }
    return best;
}

static rp_status strict_cookie(const rp_table *t, const char *v, size_t n,
                               const rp_response_ctx *ctx, rp_writer *w, bool *hit)
{
    /* the cookie-pair: up to the first ';' */
    size_t i = 0;
    while (i < n && v[i] != ';')
        i++;
    size_t ns = 0, ne = i;
    trim(v, &ns, &ne);
    if ((ne - ns >= 7 && memcmp(v + ns, "__Host-", 7) == 0) ||
        (ne - ns >= 9 && memcmp(v + ns, "__Secure-", 9) == 0))
        return RP_OK; /* prefixed cookies: any change breaks them */
    size_t nattr = 0, at = 0;
    bool any = false;
    while (i < n) {
        size_t s = i + 1, e = s;
        while (e < n && v[e] != ';')
            e++;
        if (++nattr > t->limits[RP_LIMIT_COOKIE_ATTRS])
            return RP_E_TOO_LONG;
        size_t as = s, ae = e;
        trim(v, &as, &ae);
        size_t eq = as;
        while (eq < ae && v[eq] != '=')
            eq++;
        size_t ks = as, ke = eq;
        trim(v, &ks, &ke);
        if (eq < ae) {
            size_t vs = eq + 1, ve = ae;
            trim(v, &vs, &ve);
            const char *pub = NULL;
            size_t pl = 0, keep_from = ve;
            if (ke - ks == 6 && ieq_n(v + ks, "domain", 6)) {
                const rp_bcookie *c = strict_domain(t, v + vs, ve - vs, ctx);
                if (c) {
                    pub = c->pub;
                    pl = c->pub_len;
                }
            } else if (ke - ks == 4 && ieq_n(v + ks, "path", 4)) {
                size_t m = 0;
                const rp_bcookie *c = strict_path(t, v + vs, ve - vs, ctx, &m);
                if (c) {
                    pub = c->pub;
                    pl = c->pub_len;
                    if (!(c->flags & RP_COOKIE_REPLACE_WHOLE)) {
                        keep_from = vs + m;
                        if (pl > 1 && pub[pl - 1] == '/' && keep_from < ve && v[keep_from] == '/')
                            pl--;
                    }
                }
            }
            if (pub) {
                rp__w_put(w, v + at, vs - at);
                rp__w_put(w, pub, pl);
                at = keep_from;
                any = true;
            }
        }
        i = e;
    }
    if (!any)
        return RP_OK;
    *hit = true;
    rp__w_put(w, v + at, n - at);
    return RP_OK;
}

RP_API rp_status rp_rewrite_set_cookie(const rp_table *t, const char *value, size_t value_len,
                                       const rp_response_ctx *ctx, unsigned flags, char *out,
                                       size_t out_size, size_t *out_len)
{
    static const rp_response_ctx none;
    rp_status st = rp__reverse_args(t, value, value_len, flags, out, out_size, out_len);
    if (st != RP_OK)
        return st;
    if (!ctx)
        ctx = &none;
    rp_writer w;
    rp__w_init(&w, out, out_size);
    bool hit = false;
    st = t->profile == RP_PROFILE_APACHE ? apache_cookie(t, value, value_len, ctx, &w, &hit)
                                         : strict_cookie(t, value, value_len, ctx, &w, &hit);
    if (st != RP_OK)
        return st;
    if (!hit)
        return rp__write_unchanged(value, value_len, out, out_size, out_len);
    return rp__w_finish(&w, t->limits[RP_LIMIT_OUTPUT_LEN], out_len);
}
