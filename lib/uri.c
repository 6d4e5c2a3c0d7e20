/* Backend URLs. The only file that includes uriparser. */
#include <string.h>
#include <uriparser/Uri.h>

#include "internal.h"

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 3986 parse of a whole (pointer, length) string; true when valid. */
static bool uri_valid(const char *p, size_t n, bool *has_query_or_fragment, size_t *err_off)
{
    UriUriA uri;
    const char *err = NULL;
    memset(&uri, 0, sizeof uri);
    int rc = uriParseSingleUriExA(&uri, p, p + n, &err);
    if (rc != URI_SUCCESS) {
        if (err_off)
            *err_off = err && err >= p && err <= p + n ? (size_t)(err - p) : 0;
        uriFreeUriMembersA(&uri);
        return false;
    }
    if (has_query_or_fragment)
        *has_query_or_fragment = uri.query.first != NULL || uri.fragment.first != NULL;
    uriFreeUriMembersA(&uri);
    return true;
}

static void origin_put(rp_backend *be, const char *p, size_t n, bool lower)
{
    for (size_t i = 0; i < n && be->origin_len + 1 < sizeof be->origin; i++) {
        unsigned char c = (unsigned char)p[i];
        be->origin[be->origin_len++] = (char)(lower ? rp__lower(c) : c);
    }
    be->origin[be->origin_len] = '\0';
}

/* A path segment that is "." or ".." once decoded ("%2e", "%2E%2e", ...):
 * a backend resolves it, so the strict profile refuses it in a backend
 * path. */
static bool is_dot_segment(const char *p, size_t n)
{
    size_t dots = 0;
    for (size_t i = 0; i < n; dots++) {
        if (p[i] == '.')
            i++;
        else if (i + 2 < n && p[i] == '%' && p[i + 1] == '2' && (p[i + 2] | 0x20) == 'e')
            i += 3;
        else
            return false;
    }
    return dots == 1 || dots == 2;
}

rp_status rp__parse_backend(const char *url, size_t len, unsigned mode, rp_backend *be,
                            rp_diag *diag)
{
    const bool strict = (mode & RP_BE_STRICT) != 0;
    memset(be, 0, sizeof *be);
    const int shown = (int)(len > 150 ? 150 : len);
    size_t i = 0;
    while (i < len && (is_alpha((unsigned char)url[i]) ||
                       (i > 0 && (is_digit((unsigned char)url[i]) || url[i] == '+' ||
                                  url[i] == '-' || url[i] == '.'))))
        i++;
    size_t scheme_len = i;
    if (scheme_len == 0 || len - i < 3 || memcmp(url + i, "://", 3) != 0)
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass URL must be absolute!: %.*s", shown,
                            url);
    size_t auth = i + 3, auth_end = auth;
    while (auth_end < len && url[auth_end] != '/')
        auth_end++;
    if (auth_end == auth)
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass URL must be absolute!: %.*s", shown,
                            url);

    unsigned default_port;
    char sch[8] = {0};
    if (scheme_len < sizeof sch)
        for (size_t k = 0; k < scheme_len; k++)
            sch[k] = (char)rp__lower((unsigned char)url[k]);
    if (strcmp(sch, "http") == 0 || strcmp(sch, "ws") == 0)
        default_port = 80;
    else if (strcmp(sch, "https") == 0 || strcmp(sch, "wss") == 0)
        default_port = 443;
    else {
        if (diag)
            diag->offset = 0;
        return rp__diag_set(diag, RP_E_CONFIG,
                            "ProxyPass: scheme '%.*s' is not supported (http, https, ws, wss)",
                            (int)(scheme_len > 20 ? 20 : scheme_len), url);
    }

    /* userinfo: up to the last '@' of the authority */
    size_t host = auth;
    for (size_t k = auth; k < auth_end; k++)
        if (url[k] == '@')
            host = k + 1;
    if (host != auth && strict) {
        if (diag)
            diag->offset = auth;
        return rp__diag_set(diag, RP_E_CONFIG,
                            "ProxyPass: userinfo in a backend URL is refused (strict profile)");
    }
    size_t host_end, port_start = 0;
    bool have_port = false;
    if (host < auth_end && url[host] == '[') {
        host_end = host;
        while (host_end < auth_end && url[host_end] != ']')
            host_end++;
        if (host_end == auth_end)
            return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: unterminated IPv6 literal: %.*s",
                                shown, url);
        host_end++; /* include ']' */
        char tmp[128];
        size_t hl = host_end - host;
        if (hl + 9 > sizeof tmp)
            return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: invalid IPv6 literal");
        memcpy(tmp, "http://", 7);
        memcpy(tmp + 7, url + host, hl);
        tmp[7 + hl] = '/';
        if (!uri_valid(tmp, hl + 8, NULL, NULL))
            return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: invalid IPv6 literal: %.*s",
                                (int)hl, url + host);
        if (host_end < auth_end) {
            if (url[host_end] != ':')
                return rp__diag_set(diag, RP_E_CONFIG,
                                    "ProxyPass: unexpected text after the IPv6 literal");
            have_port = true;
            port_start = host_end + 1;
        }
    } else {
        host_end = host;
        while (host_end < auth_end && url[host_end] != ':')
            host_end++;
        if (host_end < auth_end) {
            have_port = true;
            port_start = host_end + 1;
        }
        if (host_end == host)
            return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass URL must be absolute!: %.*s",
                                shown, url);
        for (size_t k = host; k < host_end; k++) {
            unsigned char c = (unsigned char)url[k];
            if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
                if (diag)
                    diag->offset = k;
                return rp__diag_set(diag, RP_E_CONFIG,
                                    "ProxyPass: invalid character in the backend host: %.*s",
                                    (int)(host_end - host), url + host);
            }
        }
    }
    if (host_end - host > 255)
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: backend host name too long");

    unsigned port = default_port;
    if (have_port && port_start < auth_end) {
        unsigned long v = 0;
        for (size_t k = port_start; k < auth_end; k++) {
            unsigned char c = (unsigned char)url[k];
            if (!is_digit(c))
                return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: invalid port in %.*s", shown,
                                    url);
            v = v * 10 + (unsigned long)(c - '0');
            if (v > 99999)
                v = 99999;
        }
        if (v == 0 || v > 65535) {
            if (strict)
                return rp__diag_set(diag, RP_E_CONFIG,
                                    "ProxyPass: port out of range (1-65535) in %.*s", shown, url);
            be->bad_port = true; /* Apache accepts it and answers 400 at request time */
        }
        port = (unsigned)v;
    } else if (have_port && strict) {
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: empty port in %.*s", shown, url);
    }

    if (strict && (mode & RP_BE_TEMPLATE)) {
        if (memchr(url, '#', len))
            return rp__diag_set(diag, RP_E_CONFIG,
                                "ProxyPassMatch: a URL template may not carry a fragment");
    } else if (strict) {
        bool qf = false;
        size_t off = 0;
        if (!uri_valid(url, len, &qf, &off)) {
            if (diag)
                diag->offset = off;
            return rp__diag_set(diag, RP_E_CONFIG,
                                "ProxyPass: backend URL is not a valid URI (byte %zu): %.*s", off,
                                shown, url);
        }
        if (qf)
            return rp__diag_set(diag, RP_E_CONFIG,
                                "ProxyPass: a backend URL may not carry a query or fragment "
                                "(strict profile): %.*s",
                                shown, url);
        for (size_t k = auth_end; k < len; k++) {
            size_t e = k + 1;
            while (e < len && url[e] != '/')
                e++;
            if (is_dot_segment(url + k + 1, e - k - 1))
                return rp__diag_set(diag, RP_E_CONFIG,
                                    "ProxyPass: dot segment in the backend path (strict "
                                    "profile): %.*s",
                                    shown, url);
            k = e - 1;
        }
    }

    origin_put(be, url, scheme_len, true);
    origin_put(be, "://", 3, false);
    be->authority_off = be->origin_len;
    origin_put(be, url + host, host_end - host, true);
    if (port != default_port) {
        char pb[8];
        size_t pn = 0;
        char rev[8];
        unsigned v = port;
        do {
            rev[pn++] = (char)('0' + v % 10);
            v /= 10;
        } while (v && pn < sizeof rev);
        pb[0] = ':';
        for (size_t k = 0; k < pn; k++)
            pb[k + 1] = rev[pn - 1 - k];
        origin_put(be, pb, pn + 1, false);
    }
    be->port = port;
    be->path_off = auth_end;
    return RP_OK;
}

/* ---- request-path helpers: no heap, uriparser runs on a stack arena ---- */
typedef struct uarena {
    unsigned char *base;
    size_t         cap, used;
} uarena;

static void *ua_malloc(UriMemoryManager *mm, size_t n)
{
    uarena *a = mm->userData;
    size_t al = (a->used + 15u) & ~(size_t)15u;
    if (al > a->cap || n > a->cap - al)
        return NULL;
    a->used = al + n;
    return a->base + al;
}

static void ua_free(UriMemoryManager *mm, void *p)
{
    (void)mm;
    (void)p;
}

static bool arena_mm(UriMemoryManager *mm, UriMemoryManager *backend, uarena *a)
{
    memset(backend, 0, sizeof *backend);
    backend->malloc = ua_malloc;
    backend->free = ua_free;
    backend->userData = a;
    return uriCompleteMemoryManager(mm, backend) == URI_SUCCESS;
}

bool rp__ip6_parse(const char *s, size_t n, unsigned char out[16])
{
    char tmp[80];
    if (n < 4 || n + 9 > sizeof tmp || s[0] != '[' || s[n - 1] != ']')
        return false;
    for (size_t i = 1; i + 1 < n; i++) /* zone ids (%25) and IPvFuture never match */
        if (!(rp__hexval((unsigned char)s[i]) >= 0 || s[i] == ':' || s[i] == '.'))
            return false;
    memcpy(tmp, "http://", 7);
    memcpy(tmp + 7, s, n);
    tmp[7 + n] = '/';
    _Alignas(16) unsigned char mem[2048];
    uarena a = {mem, sizeof mem, 0};
    UriMemoryManager mm, be;
    if (!arena_mm(&mm, &be, &a))
        return false;
    UriUriA u;
    const char *err = NULL;
    if (uriParseSingleUriExMmA(&u, tmp, tmp + n + 8, &err, &mm) != URI_SUCCESS)
        return false;
    bool ok = u.hostData.ip6 != NULL;
    if (ok)
        memcpy(out, u.hostData.ip6->data, 16);
    return ok;
}

/* Resolve ref against the absolute base (RFC 3986 §5.2, uriparser). */
__attribute__((noinline)) rp_status rp__resolve(const char *base, size_t blen, const char *ref,
                                                size_t rlen, char *out, size_t cap,
                                                size_t *olen)
{
    size_t slashes = 0;
    for (size_t i = 0; i < blen; i++)
        slashes += base[i] == '/';
    for (size_t i = 0; i < rlen; i++)
        slashes += ref[i] == '/';
    if (slashes > 128 || blen > 4096 || rlen > 4096)
        return RP_E_TOO_LONG;
    _Alignas(16) unsigned char mem[40 * 1024];
    uarena a = {mem, sizeof mem, 0};
    UriMemoryManager mm, be;
    if (!arena_mm(&mm, &be, &a))
        return RP_E_INTERNAL;
    UriUriA ub, ur, res;
    const char *err = NULL;
    if (uriParseSingleUriExMmA(&ub, base, base + blen, &err, &mm) != URI_SUCCESS ||
        ub.scheme.first == NULL)
        return RP_E_SYNTAX;
    if (uriParseSingleUriExMmA(&ur, ref, ref + rlen, &err, &mm) != URI_SUCCESS)
        return RP_E_SYNTAX;
    int rc = uriAddBaseUriExMmA(&res, &ur, &ub, URI_RESOLVE_STRICTLY, &mm);
    if (rc == URI_ERROR_MALLOC)
        return RP_E_TOO_LONG;
    if (rc != URI_SUCCESS)
        return RP_E_SYNTAX;
    int chars = 0;
    if (uriToStringCharsRequiredA(&res, &chars) != URI_SUCCESS || chars < 0)
        return RP_E_SYNTAX;
    if ((size_t)chars + 1 > cap)
        return RP_E_TOO_LONG;
    int written = 0;
    if (uriToStringA(out, &res, (int)cap, &written) != URI_SUCCESS || written < 1)
        return RP_E_SYNTAX;
    *olen = (size_t)written - 1;
    return RP_OK;
}

void rp__tbackend_view(const rp_backend *be, rp_tbackend *out)
{
    out->origin = be->origin;
    out->origin_len = (uint16_t)be->origin_len;
    out->authority_off = (uint16_t)be->authority_off;
    out->port = (uint16_t)(be->port > 65535 ? 0 : be->port);
    out->bad_port = be->bad_port;
    out->path_off = (uint32_t)be->path_off;
}
