/* rp_rewrite_set_cookie: the Domain and Path attributes of one Set-Cookie
 * value (docs/cookies.md).
 *
 * Both profiles read the value left to right once to find what to change,
 * then produce the result with one bounded-writer pass (SECURITY.md R23):
 * the same code counts (out == NULL) and writes. Nothing is allocated,
 * nothing recurses, nothing reads past value_len (the value is not
 * NUL-terminated), and the work is linear in the value times the number of
 * cookie rules. */
#include <string.h>

#include "internal.h"

/* ---- bytes ------------------------------------------------------------- */

/* ASCII case-insensitive comparison of n bytes. */
static bool ieq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rp__lower((unsigned char)a[i]) != rp__lower((unsigned char)b[i]))
            return false;
    return true;
}

/* Does (p, n) start with the literal lit (ASCII case-insensitive)? */
static bool starts_ci(const char *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && ieq_n(p, lit, k);
}

/* RFC 6265 WSP. */
static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* apr_isspace in the C locale: what httpd skips before a token. CR and LF
 * never reach here (rp__reverse_args refuses them). */
static bool is_apr_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Index of the next ';' at or after i, or n. */
static size_t next_semi(const char *v, size_t i, size_t n)
{
    if (i >= n)
        return n;
    const char *p = memchr(v + i, ';', n - i);
    return p ? (size_t)(p - v) : n;
}

/* Trim WSP from both ends of [*s, *e). */
static void trim_wsp(const char *v, size_t *s, size_t *e)
{
    while (*s < *e && is_wsp(v[*s]))
        (*s)++;
    while (*e > *s && is_wsp(v[*e - 1]))
        (*e)--;
}

/* CR, LF or NUL: never allowed into a header value. The builder refuses NUL
 * but takes CR and LF from programmatic callers. */
static bool has_header_break(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
            return true;
    return false;
}

/* ---- rule order ---------------------------------------------------------- */

/* The cookie rules of one kind in httpd's order: rules written outside
 * <Location> first (the server's per-directory defaults are the base of the
 * merge), then <Location>-scoped ones, each in configuration order. *cur
 * starts at 0; NULL ends the walk. Callers compare the value first and ask
 * applies() only of a rule that matches (it reads the request target). */
static const rp_bcookie *next_rule(const rp_table *t, unsigned kind, size_t *cur)
{
    while (*cur < 2 * t->ncookies) {
        size_t k = (*cur)++;
        bool scoped_pass = k >= t->ncookies;
        const rp_bcookie *c = &t->cookies[scoped_pass ? k - t->ncookies : k];
        if (c->kind == kind && (c->location != NULL) == scoped_pass)
            return c;
    }
    return NULL;
}

static bool applies(const rp_bcookie *c, const rp_response_ctx *ctx)
{
    return rp__location_applies(c->location, c->location_len, ctx);
}

/* ---- Apache profile (ap_proxy_cookie_reverse_map, httpd 2.4.71) -----------
 * The value is cut at every ';' (the cookie-pair included, so a cookie named
 * "path" or "domain" is read as an attribute); leading white space of a
 * token is skipped; a token starting with "path=" or "domain=" (any case)
 * carries a value that runs to the next ';', trailing spaces included. Only
 * the last Path and the last Domain token count (ck-base-31, -33, -34,
 * -35): httpd keeps the position of the last one. The first rule whose
 * internal value is a prefix (Path: case-sensitive, Domain: any case) of
 * that value replaces the whole value. httpd's own splice can mix the offset
 * of one occurrence with the length of another and overrun its buffer
 * (SECURITY.md §1.6); here the replacements are spans of the input, written
 * in order. */

typedef struct splice {
    size_t      s, e; /* replaced span of the value */
    const char *with;
    size_t      with_len;
} splice;

static const rp_bcookie *apache_rule(const rp_table *t, unsigned kind, const char *val, size_t vn,
                                     const rp_response_ctx *ctx)
{
    size_t cur = 0;
    const rp_bcookie *c;
    while ((c = next_rule(t, kind, &cur)) != NULL) {
        if (c->internal_len > vn)
            continue;
        if ((kind == RP_COOKIE_PATH ? memcmp(val, c->internal, c->internal_len) == 0
                                    : ieq_n(val, c->internal, c->internal_len)) &&
            applies(c, ctx))
            return c;
    }
    return NULL;
}

static rp_status apache_cookie(const rp_table *t, const char *v, size_t n,
                               const rp_response_ctx *ctx, rp_writer *w, bool *hit)
{
    bool has_path = false, has_dom = false;
    size_t ps = 0, pe = 0, ds = 0, de = 0;
    for (size_t i = 0; i <= n;) {
        size_t e = next_semi(v, i, n);
        size_t s = i;
        while (s < e && is_apr_space(v[s]))
            s++;
        if (starts_ci(v + s, e - s, "path=")) {
            has_path = true;
            ps = s + 5;
            pe = e;
        } else if (starts_ci(v + s, e - s, "domain=")) {
            has_dom = true;
            ds = s + 7;
            de = e;
        }
        i = e + 1;
    }
    const rp_bcookie *rpath = has_path ? apache_rule(t, RP_COOKIE_PATH, v + ps, pe - ps, ctx) : NULL;
    const rp_bcookie *rdom = has_dom ? apache_rule(t, RP_COOKIE_DOMAIN, v + ds, de - ds, ctx) : NULL;
    splice sp[2];
    size_t nsp = 0;
    if (rpath)
        sp[nsp++] = (splice){ps, pe, rpath->pub, rpath->pub_len};
    if (rdom)
        sp[nsp++] = (splice){ds, de, rdom->pub, rdom->pub_len};
    if (nsp == 0)
        return RP_OK;
    if (nsp == 2 && sp[1].s < sp[0].s) {
        splice x = sp[0];
        sp[0] = sp[1];
        sp[1] = x;
    }
    bool differs = false;
    for (size_t k = 0; k < nsp; k++) {
        if (has_header_break(sp[k].with, sp[k].with_len))
            return RP_E_HEADER; /* a programmatic rule with CR/LF: fail closed */
        differs |= sp[k].with_len != sp[k].e - sp[k].s ||
                   memcmp(sp[k].with, v + sp[k].s, sp[k].with_len) != 0;
    }
    if (!differs)
        return RP_OK; /* a rule applied but wrote what was there: unchanged */
    *hit = true;
    size_t at = 0;
    for (size_t k = 0; k < nsp; k++) {
        rp__w_put(w, v + at, sp[k].s - at);
        rp__w_put(w, sp[k].with, sp[k].with_len);
        at = sp[k].e;
    }
    rp__w_put(w, v + at, n - at);
    return RP_OK;
}

/* ---- strict profile (RFC 6265 §5.2) --------------------------------------- */

/* Labels of a domain name written without a leading dot. */
static size_t count_labels(const char *d, size_t n)
{
    size_t k = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        k += d[i] == '.';
    return k;
}

/* (p, n) without one leading '.'. */
static void drop_dot(const char **p, size_t *n)
{
    if (*n && (*p)[0] == '.') {
        (*p)++;
        (*n)--;
    }
}

/* A public cookie domain the strict profile will write: labels of letters,
 * digits, '-' and '_', none empty, at least two of them (one leading '.'
 * already dropped). A single label ("com", "localhost") would hand the
 * cookie to a whole TLD or is refused by browsers anyway. */
static bool valid_public_domain(const char *d, size_t n)
{
    if (n == 0 || d[0] == '.' || d[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || (c == '.' && i + 1 < n && d[i + 1] != '.');
        if (!ok)
            return false;
    }
    return count_labels(d, n) >= 2;
}

/* Domain: the first applicable rule whose internal domain equals the value,
 * ASCII case-insensitively, after one leading '.' is dropped on both sides.
 * Rules that could not be written safely never match (see docs/cookies.md):
 * an empty internal domain, a public domain that is not a plain host name
 * of two labels or more, and, without RP_COOKIE_ALLOW_WIDENING, a public
 * domain with fewer labels than the internal one (a parent domain shares the
 * cookie with every sibling host). */
static const rp_bcookie *strict_domain(const rp_table *t, const char *val, size_t vn,
                                       const rp_response_ctx *ctx)
{
    drop_dot(&val, &vn);
    if (vn == 0)
        return NULL;
    size_t cur = 0;
    const rp_bcookie *c;
    while ((c = next_rule(t, RP_COOKIE_DOMAIN, &cur)) != NULL) {
        const char *in = c->internal, *pb = c->pub;
        size_t inl = c->internal_len, pl = c->pub_len;
        drop_dot(&in, &inl);
        drop_dot(&pb, &pl);
        if (inl != vn || !ieq_n(val, in, vn))
            continue;
        if (!valid_public_domain(pb, pl))
            continue;
        if (!(c->flags & RP_COOKIE_ALLOW_WIDENING) && count_labels(pb, pl) < count_labels(in, inl))
            continue;
        if (applies(c, ctx))
            return c;
    }
    return NULL;
}

/* A public cookie path the strict profile will write: starts with '/', no
 * ';' and no control byte (RFC 6265 path-value). */
static bool valid_public_path(const char *p, size_t n)
{
    if (n == 0 || p[0] != '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == ';' || c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

const char *rp__strict_cookie_rule_problem(const rp_bcookie *c)
{
    const char *in = c->internal, *pb = c->pub;
    size_t inl = c->internal_len, pl = c->pub_len;
    if (c->kind == RP_COOKIE_PATH) {
        if (inl == 0 || in[0] != '/')
            return "the internal path does not start with '/'";
        if (!valid_public_path(pb, pl))
            return "the public path must start with '/' and hold no ';' or control byte";
        return NULL;
    }
    drop_dot(&in, &inl);
    drop_dot(&pb, &pl);
    if (inl == 0)
        return "the internal domain is empty";
    if (!valid_public_domain(pb, pl))
        return "the public domain is not a host name of two labels or more";
    if (!(c->flags & RP_COOKIE_ALLOW_WIDENING) && count_labels(pb, pl) < count_labels(in, inl))
        return "the public domain has fewer labels than the internal one (widening)";
    return NULL;
}

/* Path: the applicable rule with the longest internal path that matches the
 * value at a segment boundary: the value starts with it and either equals
 * it, continues with '/', or the internal path ends with '/'. Ties go to the
 * earlier rule. Rules whose internal or public path does not start with '/'
 * never match. */
static const rp_bcookie *strict_path(const rp_table *t, const char *val, size_t vn,
                                     const rp_response_ctx *ctx)
{
    const rp_bcookie *best = NULL;
    size_t cur = 0;
    const rp_bcookie *c;
    while ((c = next_rule(t, RP_COOKIE_PATH, &cur)) != NULL) {
        size_t in = c->internal_len;
        if (in == 0 || c->internal[0] != '/' || in > vn || memcmp(val, c->internal, in) != 0)
            continue;
        if (!(in == vn || val[in] == '/' || c->internal[in - 1] == '/'))
            continue;
        if (best && in <= best->internal_len)
            continue;
        if (valid_public_path(c->pub, c->pub_len) && applies(c, ctx))
            best = c;
    }
    return best;
}

/* Is this cookie's name (or, for a nameless cookie, its value) one of the
 * RFC 6265bis prefixes? Browsers check them case-insensitively; any
 * rewrite of such a cookie would get it dropped or weaken its guarantee. */
static bool has_cookie_prefix(const char *v, size_t pair_end)
{
    size_t s = 0, e = pair_end;
    trim_wsp(v, &s, &e);
    const char *eq = memchr(v + s, '=', e - s);
    if (eq && (size_t)(eq - v) == s) { /* "=value": no name, check the value */
        s++;
        trim_wsp(v, &s, &e);
    }
    return starts_ci(v + s, e - s, "__Host-") || starts_ci(v + s, e - s, "__Secure-");
}

static rp_status strict_cookie(const rp_table *t, const char *v, size_t n,
                               const rp_response_ctx *ctx, rp_writer *w, bool *hit)
{
    size_t i = next_semi(v, 0, n); /* the cookie-pair is never an attribute */
    if (has_cookie_prefix(v, i))
        return RP_OK;
    size_t at = 0; /* bytes of v before at are in the writer */
    while (i < n) {
        size_t as = i + 1, ae = next_semi(v, as, n);
        i = ae;
        trim_wsp(v, &as, &ae);
        const char *eqp = memchr(v + as, '=', ae - as);
        if (!eqp)
            continue;
        size_t eq = (size_t)(eqp - v);
        size_t ks = as, ke = eq, vs = eq + 1, ve = ae;
        trim_wsp(v, &ks, &ke);
        trim_wsp(v, &vs, &ve);
        const char *with = NULL;
        size_t with_len = 0, resume = ve;
        if (ke - ks == 6 && ieq_n(v + ks, "domain", 6)) {
            const rp_bcookie *c = strict_domain(t, v + vs, ve - vs, ctx);
            if (c) {
                with = c->pub; /* as the rule writes it: the backend's dot is not kept */
                with_len = c->pub_len;
            }
        } else if (ke - ks == 4 && ieq_n(v + ks, "path", 4)) {
            const rp_bcookie *c = strict_path(t, v + vs, ve - vs, ctx);
            if (c) {
                with = c->pub;
                with_len = c->pub_len;
                if (!(c->flags & RP_COOKIE_REPLACE_WHOLE)) {
                    /* Replace the internal path without its trailing '/'
                     * and keep the rest, which is then empty or starts with
                     * '/'; before a non-empty rest the public path gives up
                     * its own trailing '/' (so "/a/" + "/x" is "/a/x"). */
                    size_t cut = c->internal_len;
                    if (c->internal[cut - 1] == '/')
                        cut--;
                    resume = vs + cut;
                    if (resume < ve && with[with_len - 1] == '/')
                        with_len--;
                }
            }
        }
        /* a replacement by the same bytes is no change (RP_NO_MATCH) */
        if (with && !(with_len == resume - vs && memcmp(with, v + vs, with_len) == 0)) {
            rp__w_put(w, v + at, vs - at);
            rp__w_put(w, with, with_len);
            at = resume;
            *hit = true;
        }
    }
    if (*hit)
        rp__w_put(w, v + at, n - at);
    return RP_OK;
}

/* ---- entry point ---------------------------------------------------------- */

RP_API rp_status rp_rewrite_set_cookie(const rp_table *t, const char *value, size_t value_len,
                                       const rp_response_ctx *ctx, unsigned flags, char *out,
                                       size_t out_size, size_t *out_len)
{
    rp_status st = rp__reverse_args(t, value, value_len, ctx, flags, out, out_size, out_len);
    if (st != RP_OK)
        return st;
    rp_writer w;
    rp__w_init(&w, out, out_size);
    if (value_len == 0) { /* nothing to rewrite (and value may be NULL) */
        st = rp__w_finish(&w, SIZE_MAX, out_len);
        return st == RP_OK ? RP_NO_MATCH : st;
    }
    /* Attributes are what follows each ';' (both profiles). */
    size_t nattr = 0;
    for (size_t i = next_semi(value, 0, value_len); i < value_len;
         i = next_semi(value, i + 1, value_len))
        if (++nattr > t->limits[RP_LIMIT_COOKIE_ATTRS])
            return RP_E_TOO_LONG;
    bool hit = false;
    st = t->profile == RP_PROFILE_APACHE ? apache_cookie(t, value, value_len, ctx, &w, &hit)
                                         : strict_cookie(t, value, value_len, ctx, &w, &hit);
    if (st != RP_OK)
        return st;
    if (!hit)
        return rp__write_unchanged(value, value_len, out, out_size, out_len);
    return rp__w_finish(&w, t->limits[RP_LIMIT_OUTPUT_LEN], out_len);
}
