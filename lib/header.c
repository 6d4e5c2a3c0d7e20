/* rp_rewrite_response_header: dispatch by header name, plus Refresh and
 * Link (strict profile; httpd rewrites neither, rev-hdr-refresh-00 and
 * rev-hdr-link-00).
 *
 * Refresh and Link are rewritten in one left-to-right pass: the bytes around
 * each URL are copied from the value, and each URL goes through the location
 * rewriting into the same bounded writer. Once the caller's buffer is full
 * the writer only counts, so the size reported on RP_E_NOSPACE is exactly
 * what a call with a large enough buffer writes. No allocation, no
 * recursion; every byte of the value is looked at a bounded number of times. */
#include <string.h>

#include "internal.h"

static bool name_is(const char *n, size_t nl, const char *lit)
{
    size_t k = strlen(lit);
    if (nl != k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (rp__lower((unsigned char)n[i]) != rp__lower((unsigned char)lit[i]))
            return false;
    return true;
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_ows(const char *v, size_t n, size_t i)
{
    while (i < n && ows(v[i]))
        i++;
    return i;
}

/* One value being rewritten: v[at, ...) is not yet in the writer. */
typedef struct hval {
    const rp_table        *t;
    const rp_response_ctx *ctx;
    const char            *v;
    size_t                 n;
    size_t                 at;
    rp_writer             *w;
    bool                   changed;
} hval;

/* Copy the value up to (not including) v[to]. */
static void flush(hval *h, size_t to)
{
    rp__w_put(h->w, h->v + h->at, to - h->at);
    h->at = to;
}

/* v[s, e) holds a URL, possibly with OWS around it: copy what precedes it,
 * then the URL rewritten (or as it is). The OWS stays byte for byte. */
static rp_status put_url(hval *h, size_t s, size_t e)
{
    s = skip_ows(h->v, e, s);
    while (e > s && ows(h->v[e - 1]))
        e--;
    if (s == e)
        return RP_OK; /* empty reference: the resource itself, nothing to map */
    flush(h, s);
    rp_status st = rp__location_into(h->t, h->v + s, e - s, h->ctx, h->w, &h->changed);
    h->at = e;
    return st;
}

/* ---- Refresh ------------------------------------------------------------
 * The URL is found the way browsers find it (WHATWG HTML, "shared
 * declarative refresh steps"): the delay (digits, then digits and dots), a
 * separator (';', ',' or whitespace), then either "url" OWS "=" OWS and an
 * optional quote, or an optional quote right away; a quoted URL ends at the
 * matching quote, an unquoted one at the end of the value. A value the
 * browser would ignore (no delay) is left alone. */
static rp_status refresh(hval *h)
{
    const char *v = h->v;
    size_t n = h->n;
    size_t i = skip_ows(v, n, 0);
    if (i == n || !((v[i] >= '0' && v[i] <= '9') || v[i] == '.'))
        return RP_OK;
    while (i < n && ((v[i] >= '0' && v[i] <= '9') || v[i] == '.'))
        i++;
    if (i == n)
        return RP_OK; /* a delay and no URL: reload this page */
    if (v[i] != ';' && v[i] != ',' && !ows(v[i]))
        return RP_OK; /* not a delay: the browser ignores the header */
    i = skip_ows(v, n, i);
    if (i < n && (v[i] == ';' || v[i] == ','))
        i = skip_ows(v, n, i + 1);
    if (i == n)
        return RP_OK;
    size_t s = i, e = n;
    bool quotes = true;
    if (v[i] == 'u' || v[i] == 'U') {
        /* "url =" is a key; "u..." without it is the URL itself, quotes and all */
        quotes = false;
        if (n - i >= 3 && (v[i + 1] == 'r' || v[i + 1] == 'R') &&
            (v[i + 2] == 'l' || v[i + 2] == 'L')) {
            size_t k = skip_ows(v, n, i + 3);
            if (k < n && v[k] == '=') {
                s = skip_ows(v, n, k + 1);
                quotes = true;
            }
        }
    }
    if (quotes && s < n && (v[s] == '"' || v[s] == '\'')) {
        const char *q = memchr(v + s + 1, v[s], n - s - 1);
        e = q ? (size_t)(q - v) : n;
        s++;
    }
    return put_url(h, s, e);
}

/* ---- Link (RFC 8288) ----------------------------------------------------
 * Link = #link-value; link-value = "<" URI-Reference ">" *( OWS ";" OWS
 * link-param ); link-param = token BWS [ "=" BWS ( token / quoted-string ) ].
 * The value is split the way RFC 8288 Appendix B parses it: the target runs
 * to the first '>'; a parameter value is a quoted-string (with '\' escapes)
 * or runs to the next ';' or ','. So commas inside <...> and inside quoted
 * strings never split links. Rewritten: every target and every "anchor"
 * value (the link context, §3.2). */

/* A link-value that does not parse: skip to the next ',' outside quoted
 * strings and <...>. Returns n when nothing can follow. */
static size_t skip_element(const char *v, size_t n, size_t i)
{
    while (i < n && v[i] != ',') {
        if (v[i] == '"') {
            for (i++; i < n && v[i] != '"'; i++)
                if (v[i] == '\\')
                    i++;
            if (i >= n)
                return n;
        } else if (v[i] == '<') {
            const char *gt = memchr(v + i + 1, '>', n - i - 1);
            if (!gt)
                return n;
            i = (size_t)(gt - v);
        }
        i++;
    }
    return i;
}

/* An unquoted anchor value v[s, e) (a token; "<URI>" is accepted too). A
 * changed token comes out as a quoted-string: the result has '/' and ':',
 * which a token cannot hold. A value with '"' or '\' (no token, and no URI
 * either) is left alone rather than quoted into something else. */
static rp_status anchor_token(hval *h, size_t s, size_t e)
{
    s = skip_ows(h->v, e, s);
    while (e > s && ows(h->v[e - 1]))
        e--;
    if (e - s >= 2 && h->v[s] == '<' && h->v[e - 1] == '>')
        return put_url(h, s + 1, e - 1);
    if (s == e || memchr(h->v + s, '"', e - s) || memchr(h->v + s, '\\', e - s))
        return RP_OK; /* could not be quoted as it is: left alone */
    /* first only count, to learn whether it changes */
    rp_writer probe;
    rp__w_init(&probe, NULL, 0);
    bool changed = false;
    rp_status st = rp__location_into(h->t, h->v + s, e - s, h->ctx, &probe, &changed);
    if (st != RP_OK || !changed)
        return st;
    flush(h, s);
    rp__w_byte(h->w, '"');
    st = rp__location_into(h->t, h->v + s, e - s, h->ctx, h->w, &h->changed);
    rp__w_byte(h->w, '"');
    h->at = e;
    return st;
}

static rp_status link(hval *h)
{
    const char *v = h->v;
    size_t n = h->n, i = 0;
    rp_status st;
    while (i < n) {
        while (i < n && (ows(v[i]) || v[i] == ','))
            i++; /* empty list elements are allowed */
        if (i == n)
            break;
        if (v[i] != '<') {
            i = skip_element(v, n, i);
            continue;
        }
        const char *gt = memchr(v + i + 1, '>', n - i - 1);
        if (!gt)
            return RP_E_SYNTAX;
        size_t e = (size_t)(gt - v);
        if ((st = put_url(h, i + 1, e)) != RP_OK)
            return st;
        i = e + 1;
        for (;;) { /* parameters */
            i = skip_ows(v, n, i);
            if (i == n || v[i] == ',')
                break;
            if (v[i] != ';') {
                i = skip_element(v, n, i);
                break;
            }
            i = skip_ows(v, n, i + 1);
            size_t ns = i;
            while (i < n && !ows(v[i]) && v[i] != '=' && v[i] != ';' && v[i] != ',')
                i++;
            bool anchor = name_is(v + ns, i - ns, "anchor");
            i = skip_ows(v, n, i);
            if (i == n || v[i] != '=')
                continue;
            i = skip_ows(v, n, i + 1);
            if (i < n && v[i] == '"') {
                size_t s = i + 1, j = s;
                bool escaped = false;
                while (j < n && v[j] != '"') {
                    if (v[j] == '\\') {
                        escaped = true;
                        j++;
                    }
                    j++;
                }
                if (j >= n) { /* unterminated: it swallows the rest */
                    i = n;
                    break;
                }
                /* a URI never needs a quoted-pair: one with escapes is left alone */
                if (anchor && !escaped && (st = put_url(h, s, j)) != RP_OK)
                    return st;
                i = j + 1;
            } else {
                size_t s = i;
                while (i < n && v[i] != ';' && v[i] != ',')
                    i++;
                if (anchor && (st = anchor_token(h, s, i)) != RP_OK)
                    return st;
            }
        }
    }
    return RP_OK;
}

RP_API rp_status rp_rewrite_response_header(const rp_table *t, const char *name, size_t name_len,
                                            const char *value, size_t value_len,
                                            const rp_response_ctx *ctx, unsigned flags, char *out,
                                            size_t out_size, size_t *out_len)
{
    static const rp_response_ctx none;
    if (!name && name_len)
        return RP_E_ARG;
    if (!value && !value_len)
        value = ""; /* no NULL reaches memcpy, even for 0 bytes */
    rp_status st = rp__reverse_args(t, value, value_len, ctx, flags, out, out_size, out_len);
    if (st != RP_OK)
        return st;
    if (name_is(name, name_len, "Location") || name_is(name, name_len, "Content-Location") ||
        name_is(name, name_len, "URI") || name_is(name, name_len, "Destination"))
        return rp_rewrite_location(t, value, value_len, ctx, flags, out, out_size, out_len);
    if (name_is(name, name_len, "Set-Cookie"))
        return rp_rewrite_set_cookie(t, value, value_len, ctx, flags, out, out_size, out_len);
    bool is_refresh = name_is(name, name_len, "Refresh");
    bool is_link = name_is(name, name_len, "Link");
    if (t->profile != RP_PROFILE_STRICT || (!is_refresh && !is_link))
        return rp__write_unchanged(value, value_len, out, out_size, out_len);
    rp_writer w;
    rp__w_init(&w, out, out_size);
    hval h = {t, ctx ? ctx : &none, value, value_len, 0, &w, false};
    st = is_refresh ? refresh(&h) : link(&h);
    if (st != RP_OK)
        return st;
    if (!h.changed)
        return rp__write_unchanged(value, value_len, out, out_size, out_len);
    flush(&h, value_len);
    return rp__w_finish(&w, t->limits[RP_LIMIT_OUTPUT_LEN], out_len);
}
