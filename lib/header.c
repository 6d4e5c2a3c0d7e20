/* rp_rewrite_response_header: dispatch by header name, plus Refresh and
 * Link (strict profile; httpd rewrites neither). The URLs inside a value are
 * rewritten through the same writer as the rest of it, so the size reported
 * on RP_E_NOSPACE is exactly what a second call writes. */
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

/* Rewrite v[s, e) as a location into the writer; *changed when it did. */
static rp_status put_url(const rp_table *t, const char *v, size_t s, size_t e,
                         const rp_response_ctx *ctx, rp_writer *w, bool *changed)
{
    return rp__location_into(t, v + s, e - s, ctx, w, changed);
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Refresh: "N; url=URL" (also ',' and quotes around the URL). */
static rp_status refresh(const rp_table *t, const char *v, size_t n, const rp_response_ctx *ctx,
                         rp_writer *w, bool *changed)
{
    size_t i = 0;
    while (i < n && ((v[i] >= '0' && v[i] <= '9') || v[i] == '.' || ows(v[i])))
        i++;
    if (i >= n || (v[i] != ';' && v[i] != ','))
        return RP_OK;
    i++;
    while (i < n && ows(v[i]))
        i++;
    if (n - i < 3 || !name_is(v + i, 3, "url"))
        return RP_OK;
    i += 3;
    while (i < n && ows(v[i]))
        i++;
    if (i >= n || v[i] != '=')
        return RP_OK;
    i++;
    while (i < n && ows(v[i]))
        i++;
    size_t s = i, e = n;
    if (i < n && (v[i] == '"' || v[i] == '\'')) {
        s = i + 1;
        const char *q = memchr(v + s, v[i], n - s);
        e = q ? (size_t)(q - v) : n;
    } else {
        while (e > s && ows(v[e - 1]))
            e--;
    }
    rp__w_put(w, v, s);
    rp_status st = put_url(t, v, s, e, ctx, w, changed);
    if (st != RP_OK)
        return st;
    rp__w_put(w, v + e, n - e);
    return RP_OK;
}

/* Link (RFC 8288): link-values separated by ',' outside <> and quotes; the
 * target in <...> and an anchor="..." parameter are rewritten. */
static rp_status link(const rp_table *t, const char *v, size_t n, const rp_response_ctx *ctx,
                      rp_writer *w, bool *changed)
{
    size_t i = 0, at = 0;
    bool in_params = false;
    while (i < n) {
        char c = v[i];
        if (c == '<' && !in_params) {
            const char *gt = memchr(v + i + 1, '>', n - i - 1);
            if (!gt)
                return RP_E_SYNTAX;
            size_t e = (size_t)(gt - v);
            rp__w_put(w, v + at, i + 1 - at);
            rp_status st = put_url(t, v, i + 1, e, ctx, w, changed);
            if (st != RP_OK)
                return st;
            at = e;
            i = e + 1;
            in_params = true;
            continue;
        }
        if (c == '"') {
            size_t j = i + 1;
            while (j < n && v[j] != '"')
                j += v[j] == '\\' ? 2 : 1;
            i = j < n ? j + 1 : n;
            continue;
        }
        if (c == ',' && in_params) {
            in_params = false;
            i++;
            continue;
        }
        if (c == ';' && in_params) {
            size_t j = i + 1;
            while (j < n && ows(v[j]))
                j++;
            if (n - j >= 6 && name_is(v + j, 6, "anchor")) {
                size_t k = j + 6;
                while (k < n && ows(v[k]))
                    k++;
                if (k < n && v[k] == '=') {
                    k++;
                    while (k < n && ows(v[k]))
                        k++;
                    size_t s = k, e = k;
                    if (k < n && v[k] == '"') {
                        s = k + 1;
                        e = s;
                        while (e < n && v[e] != '"' && v[e] != '\\')
                            e++;
                        if (e >= n || v[e] != '"') { /* escapes: leave it alone */
                            i = k;
                            continue;
                        }
                    } else {
                        while (e < n && v[e] != ';' && v[e] != ',' && !ows(v[e]))
                            e++;
                    }
                    rp__w_put(w, v + at, s - at);
                    rp_status st = put_url(t, v, s, e, ctx, w, changed);
                    if (st != RP_OK)
                        return st;
                    at = e;
                    i = e;
                    continue;
                }
            }
        }
        i++;
    }
    rp__w_put(w, v + at, n - at);
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
    rp_status st = rp__reverse_args(t, value, value_len, flags, out, out_size, out_len);
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
    if (!ctx)
        ctx = &none;
    rp_writer w;
    rp__w_init(&w, out, out_size);
    bool changed = false;
    st = is_refresh ? refresh(t, value, value_len, ctx, &w, &changed)
                    : link(t, value, value_len, ctx, &w, &changed);
    if (st != RP_OK)
        return st;
    if (!changed)
        return rp__write_unchanged(value, value_len, out, out_size, out_len);
    return rp__w_finish(&w, t->limits[RP_LIMIT_OUTPUT_LEN], out_len);
}
