/* Helpers shared by the reverse-direction functions (location.c, cookie.c,
 * header.c). */
#include <string.h>

#include "internal.h"

bool rp__scope_path(const rp_response_ctx *ctx, const char **path, size_t *len)
{
    if (!ctx || !ctx->request_target)
        return false;
    const char *p = ctx->request_target;
    size_t n = 0;
    while (n < ctx->request_target_len && p[n] != '?')
        n++;
    /* absolute-form: skip scheme://authority */
    if (n > 0 && p[0] != '/') {
        const char *s = memchr(p, '/', n);
        if (s && (size_t)(s - p) + 1 < n && s[1] == '/') {
            const char *e = memchr(s + 2, '/', n - (size_t)(s + 2 - p));
            if (!e)
                return false; /* no path: only <Location /> covers it */
            n -= (size_t)(e - p);
            p = e;
        }
    }
    *path = p;
    *len = n;
    return true;
}

bool rp__location_applies(const char *loc, size_t loc_len, const rp_response_ctx *ctx)
{
    if (!loc)
        return true; /* not scoped */
    const char *p;
    size_t n;
    if (!rp__scope_path(ctx, &p, &n)) {
        /* an absolute-form target without a path is "/" to <Location /> */
        return ctx && ctx->request_target && loc_len == 1 && loc[0] == '/';
    }
    /* <Location /x> covers /x, /x/ and /x/...; <Location /x/> covers /x/...;
     * an empty one covers every path */
    if (n < loc_len || memcmp(p, loc, loc_len) != 0)
        return false;
    return n == loc_len || (loc_len > 0 && loc[loc_len - 1] == '/') || p[loc_len] == '/';
}

rp_status rp__check_header_value(const char *v, size_t n, size_t limit)
{
    if (n > limit)
        return RP_E_TOO_LONG;
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        /* a word with a byte below 0x0e is looked at byte by byte */
        uint64_t x = rp__load8(v + i);
        if (((x - ones * 0x0e) & ~x & high) == 0)
            continue;
        for (size_t k = i; k < i + 8; k++)
            if (v[k] == '\r' || v[k] == '\n' || v[k] == '\0')
                return RP_E_HEADER;
    }
    for (; i < n; i++)
        if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0')
            return RP_E_HEADER;
    return RP_OK;
}

/* A caller-supplied context string: absent, or bytes without controls
 * (< 0x20, DEL). Eight bytes at a time; a word that may hold one is looked
 * at byte by byte. */
static bool ctx_string_ok(const char *p, size_t n)
{
    if (!p)
        return n == 0;
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x = rp__load8(p + i), d = x ^ (ones * 0x7f);
        if ((((x - ones * 0x20) & ~x) | ((d - ones) & ~d)) & high) {
            for (size_t k = i; k < i + 8; k++)
                if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f)
                    return false;
        }
    }
    for (; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
            return false;
    return true;
}

rp_status rp__reverse_args(const rp_table *t, const char *value, size_t value_len,
                           const rp_response_ctx *ctx, unsigned flags, char *out, size_t out_size,
                           size_t *out_len)
{
    if (!t || (!value && value_len) || !out_len || (!out && out_size) || flags != 0)
        return RP_E_ARG;
    if (ctx && !(ctx_string_ok(ctx->public_origin, ctx->public_origin_len) &&
                 ctx_string_ok(ctx->backend_url, ctx->backend_url_len) &&
                 ctx_string_ok(ctx->request_target, ctx->request_target_len)))
        return RP_E_ARG;
    *out_len = 0;
    return rp__check_header_value(value, value_len, t->limits[RP_LIMIT_HEADER_LEN]);
}

rp_status rp__write_unchanged(const char *value, size_t value_len, char *out, size_t out_size,
                              size_t *out_len)
{
    rp_writer w;
    rp__w_init(&w, out, out_size);
    rp__w_put(&w, value, value_len);
    rp_status st = rp__w_finish(&w, SIZE_MAX, out_len);
    return st == RP_OK ? RP_NO_MATCH : st;
}
