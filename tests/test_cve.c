/* Regression corpus of real vulnerabilities (../shared/SECURITY.md §1, R31).
 *
 * One test per row of SECURITY.md §1.1-§1.6 that applies to a URL-mapping
 * library, named after the CVE or issue id. Every test builds its rule table
 * from Apache directive text (rp_builder_add_config) in BOTH profiles and
 * checks the exact malicious input of the row against the exact expected
 * status or output of each profile: the strict profile against the "revproxy
 * must" column, the Apache profile against docs/semantics.md (httpd 2.4's
 * behaviour, with its documented deviations). Rows that do not apply are
 * listed, with the reason, in docs/security.md.
 *
 * Public API only. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <revproxy/revproxy.h>

#include "guard.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------- */

enum { AP = 0, ST = 1 };
static const unsigned PROFILE[2] = {RP_PROFILE_APACHE, RP_PROFILE_STRICT};
static const char *const PNAME[2] = {"apache", "strict"};

typedef struct tables {
    rp_table *t[2]; /* [AP], [ST] */
} tables;

typedef struct limit_set {
    unsigned which;
    size_t   value;
} limit_set;

static rp_table *load1(unsigned profile, const char *conf, const limit_set *lim, size_t nlim)
{
    rp_builder *b = NULL;
    rp_diag d;
    memset(&d, 0, sizeof d);
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    for (size_t i = 0; i < nlim; i++)
        ck_assert_int_eq(rp_builder_set_limit(b, lim[i].which, lim[i].value), RP_OK);
    rp_status st = rp_builder_add_config(b, conf, strlen(conf), "cve.conf", &d);
    ck_assert_msg(st == RP_OK, "%s profile: config refused: %s %u:%u %s\n%s",
                  profile == RP_PROFILE_APACHE ? "apache" : "strict", rp_status_name(st), d.line,
                  d.column, d.message, conf);
    rp_table *t = NULL;
    st = rp_builder_compile(b, &t, &d);
    ck_assert_msg(st == RP_OK, "compile: %s %s", rp_status_name(st), d.message);
    rp_builder_free(b);
    return t;
}

static tables load_lim(const char *conf, const limit_set *lim, size_t nlim)
{
    tables T;
    for (int p = 0; p < 2; p++)
        T.t[p] = load1(PROFILE[p], conf, lim, nlim);
    return T;
}

static tables load(const char *conf)
{
    return load_lim(conf, NULL, 0);
}

static void unload(tables *T)
{
    for (int p = 0; p < 2; p++) {
        rp_table_free(T->t[p]);
        T->t[p] = NULL;
    }
}

/* Status of loading conf into a fresh builder of the profile (and compiling). */
static rp_status conf_status(unsigned profile, const char *conf)
{
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    rp_status st = rp_builder_add_config(b, conf, strlen(conf), "cve.conf", &d);
    if (st == RP_OK) {
        rp_table *t = NULL;
        st = rp_builder_compile(b, &t, &d);
        rp_table_free(t);
    }
    rp_builder_free(b);
    return st;
}

#define CONF_REFUSED(conf)                                                                         \
    do {                                                                                           \
        for (int p_ = 0; p_ < 2; p_++) {                                                           \
            rp_status st_ = conf_status(PROFILE[p_], conf);                                        \
            ck_assert_msg(st_ == RP_E_CONFIG, "%s: %s: got %s, want RP_E_CONFIG", PNAME[p_],      \
                          conf, rp_status_name(st_));                                              \
        }                                                                                          \
    } while (0)

static int want_status(const char *want, rp_status *st)
{
    if (want[0] != '!')
        return 0;
    for (int s = 0; s <= RP_STATUS_LAST; s++)
        if (strcmp(rp_status_name((rp_status)s), want + 1) == 0) {
            *st = (rp_status)s;
            return 1;
        }
    ck_abort_msg("bad expectation %s", want);
    return 0;
}

/* A backend URL we produced: visible ASCII only (R16). */
static void check_url_bytes(const char *pn, const char *in, size_t inlen, const char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        ck_assert_msg(c >= 0x21 && c <= 0x7e, "%s: %.*s: output byte 0x%02x at %zu: %.300s", pn,
                      (int)inlen, in, c, i, out);
    }
    ck_assert_msg(out[n] == '\0', "%s: output not NUL-terminated", pn);
}

#define HOST "www.example.com"

/* Map target (len bytes); want is the URL, or "!STATUS_NAME". */
static void fwd_one(const rp_table *t, int p, const char *target, size_t len, const char *host,
                    size_t host_len, const char *want)
{
    static char out[65536];
    size_t n = 0;
    rp_match m;
    rp_status st = rp_map_request(t, target, len, host, host_len, RP_MAP_DEFAULT, out,
                                  sizeof out, &n, &m);
    rp_status ws;
    if (want_status(want, &ws)) {
        ck_assert_msg(st == ws, "%s: %.*s: got %s (%.300s), want %s", PNAME[p], (int)(len > 200 ? 200 : len), target,
                      rp_status_name(st), st == RP_OK ? out : "", want + 1);
        return;
    }
    ck_assert_msg(st == RP_OK, "%s: %.*s: got %s, want %s", PNAME[p], (int)(len > 200 ? 200 : len), target,
                  rp_status_name(st), want);
    ck_assert_msg(n == strlen(want) && memcmp(out, want, n) == 0,
                  "%s: %.*s:\n got  %.300s\n want %.300s", PNAME[p], (int)(len > 200 ? 200 : len),
                  target, out, want);
    check_url_bytes(PNAME[p], target, len, out, n);
}

/* Same target, expectation per profile. Literal targets: embedded NULs count. */
#define FWD2(T, target, wa, ws)                                                                    \
    do {                                                                                           \
        fwd_one((T).t[AP], AP, target, sizeof(target) - 1, HOST, sizeof HOST - 1, wa);             \
        fwd_one((T).t[ST], ST, target, sizeof(target) - 1, HOST, sizeof HOST - 1, ws);             \
    } while (0)
#define FWD(T, target, w) FWD2(T, target, w, w)

static void fwd2_dyn(const tables *T, const char *target, size_t len, const char *wa,
                     const char *ws)
{
    fwd_one(T->t[AP], AP, target, len, HOST, sizeof HOST - 1, wa);
    fwd_one(T->t[ST], ST, target, len, HOST, sizeof HOST - 1, ws);
}

/* Reverse direction. kind: 'L' rp_rewrite_location, 'C' rp_rewrite_set_cookie,
 * 'H' rp_rewrite_response_header(name). want: the value, "=" (RP_NO_MATCH
 * with the input unchanged in out) or "!STATUS_NAME". */
static void rev_one(const rp_table *t, int p, char kind, const char *name, const char *origin,
                    const char *value, size_t len, const char *want)
{
    static char out[65536];
    size_t n = 0;
    rp_response_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if (origin) {
        ctx.public_origin = origin;
        ctx.public_origin_len = strlen(origin);
    }
    rp_status st;
    switch (kind) {
    case 'L':
        st = rp_rewrite_location(t, value, len, &ctx, 0, out, sizeof out, &n);
        break;
    case 'C':
        st = rp_rewrite_set_cookie(t, value, len, &ctx, 0, out, sizeof out, &n);
        break;
    default:
        st = rp_rewrite_response_header(t, name, strlen(name), value, len, &ctx, 0, out,
                                        sizeof out, &n);
        break;
    }
    rp_status ws;
    if (want_status(want, &ws)) {
        ck_assert_msg(st == ws, "%s %c %s: %.*s: got %s (%.300s), want %s", PNAME[p], kind,
                      name ? name : "", (int)(len > 200 ? 200 : len), value, rp_status_name(st),
                      st == RP_OK || st == RP_NO_MATCH ? out : "", want + 1);
        return;
    }
    if (strcmp(want, "=") == 0) {
        ck_assert_msg(st == RP_NO_MATCH, "%s %c %s: %.*s: got %s (%.300s), want unchanged", PNAME[p],
                      kind, name ? name : "", (int)(len > 200 ? 200 : len), value, rp_status_name(st),
                      st == RP_OK ? out : "");
        ck_assert_msg(n == len && memcmp(out, value, len) == 0 && out[n] == '\0',
                      "%s: unchanged value not copied: %s", PNAME[p], out);
        return;
    }
    ck_assert_msg(st == RP_OK, "%s %c %s: %.*s: got %s (%.300s), want %s", PNAME[p], kind,
                  name ? name : "", (int)(len > 200 ? 200 : len), value, rp_status_name(st),
                  st == RP_NO_MATCH ? out : "", want);
    ck_assert_msg(n == strlen(want) && memcmp(out, want, n) == 0 && out[n] == '\0',
                  "%s %c %s: %.*s:\n got  %.300s\n want %.300s", PNAME[p], kind, name ? name : "",
                  (int)(len > 200 ? 200 : len), value, out, want);
    /* Never a header-splitting byte, never protocol-relative (§1.6). */
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(out[i] != '\r' && out[i] != '\n' && out[i] != '\0', "CTL in output");
    if (kind == 'L')
        ck_assert_msg(!(n >= 2 && out[0] == '/' && (out[1] == '/' || out[1] == '\\')),
                      "%s: protocol-relative result %s", PNAME[p], out);
}

#define LOC2(T, origin, value, wa, ws)                                                             \
    do {                                                                                           \
        rev_one((T).t[AP], AP, 'L', NULL, origin, value, sizeof(value) - 1, wa);                   \
        rev_one((T).t[ST], ST, 'L', NULL, origin, value, sizeof(value) - 1, ws);                   \
    } while (0)
#define LOC(T, origin, value, w) LOC2(T, origin, value, w, w)
#define COOKIE2(T, value, wa, ws)                                                                  \
    do {                                                                                           \
        rev_one((T).t[AP], AP, 'C', NULL, NULL, value, sizeof(value) - 1, wa);                     \
        rev_one((T).t[ST], ST, 'C', NULL, NULL, value, sizeof(value) - 1, ws);                     \
    } while (0)
#define COOKIE(T, value, w) COOKIE2(T, value, w, w)
#define HDR2(T, origin, name, value, wa, ws)                                                       \
    do {                                                                                           \
        rev_one((T).t[AP], AP, 'H', name, origin, value, sizeof(value) - 1, wa);                   \
        rev_one((T).t[ST], ST, 'H', name, origin, value, sizeof(value) - 1, ws);                   \
    } while (0)
#define HDR(T, origin, name, value, w) HDR2(T, origin, name, value, w, w)

#define PUB "https://www.example.com"

/* The Host the backend gets (rp_match.host) for target. */
static void host_sent(const rp_table *t, int p, const char *target, const char *host,
                      const char *want)
{
    static char out[65536];
    size_t n = 0;
    rp_match m;
    rp_status st = rp_map_request(t, target, strlen(target), host, host ? strlen(host) : 0,
                                  RP_MAP_DEFAULT, out, sizeof out, &n, &m);
    ck_assert_msg(st == RP_OK, "%s: %.200s: %s", PNAME[p], target, rp_status_name(st));
    ck_assert_msg(m.host != NULL && m.host_len == strlen(want) &&
                      memcmp(m.host, want, m.host_len) == 0,
                  "%s: %.200s: Host sent %.*s, want %s", PNAME[p], target, (int)m.host_len,
                  m.host ? m.host : "", want);
}

static char *repeat(const char *pre, const char *unit, size_t k, const char *post, size_t *len)
{
    size_t lp = strlen(pre), lu = strlen(unit), lq = strlen(post);
    size_t n = lp + lu * k + lq;
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, pre, lp);
    for (size_t i = 0; i < k; i++)
        memcpy(s + lp + i * lu, unit, lu);
    memcpy(s + lp + lu * k, post, lq);
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ========================================================================
 * §1.1 Apache httpd mod_proxy / mod_rewrite
 * ====================================================================== */

/* CVE-2021-40438 (SSRF): "unix:" searched anywhere in the path+query and the
 * part after '|' used as the backend. */
START_TEST(cve_2021_40438)
{
    tables T = load("ProxyPass / http://backend.internal:8080/\n");
    size_t len;
    char *target = repeat("/?unix:", "A", 5000, "|http://example.com/", &len);
    char *want = repeat("http://backend.internal:8080/?unix:", "A", 5000, "|http://example.com/",
                        NULL);
    /* Apache profile: the query is opaque and forwarded; the backend stays. */
    fwd2_dyn(&T, target, len, want, "!RP_E_BAD_CHAR");
    host_sent(T.t[AP], AP, target, HOST, "backend.internal:8080");
    free(target);
    free(want);
    /* The same in the path. */
    FWD2(T, "/unix:/run/x.sock|http://example.com/",
         "http://backend.internal:8080/unix:/run/x.sock%7Chttp:/example.com/", "!RP_E_BAD_CHAR");
    /* Over the target limit: 414, never truncated. */
    target = repeat("/?unix:", "A", 9000, "|http://example.com/", &len);
    fwd2_dyn(&T, target, len, "!RP_E_TOO_LONG", "!RP_E_TOO_LONG");
    free(target);
    ck_assert_int_eq(rp_status_http(RP_E_TOO_LONG), 414);
    unload(&T);
    /* A unix: backend never comes from configuration either. */
    CONF_REFUSED("ProxyPass / unix:/run/x.sock|http://example.com/\n");
}
END_TEST

/* CVE-2021-41773: ".%2e" survived normalization and became ".." later. */
START_TEST(cve_2021_41773)
{
    tables T = load("ProxyPass /cgi-bin http://backend.internal:8080/cgi-bin\n"
                    "ProxyPass /icons http://backend.internal:8080/icons\n");
    FWD(T, "/cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh", "!RP_E_ABOVE_ROOT");
    FWD(T, "/icons/.%2e/%2e%2e/etc/passwd", "!RP_E_ABOVE_ROOT");
    FWD(T, "/icons/.%2e/x", "!RP_NO_MATCH");
    FWD(T, "/icons/.%2E/x", "!RP_NO_MATCH");
    FWD(T, "/icons/%2e%2e/cgi-bin/sh", "http://backend.internal:8080/cgi-bin/sh");
    FWD(T, "/icons/.%2e/icons/x", "http://backend.internal:8080/icons/x");
    ck_assert_int_eq(rp_status_http(RP_E_ABOVE_ROOT), 400);
    unload(&T);
}
END_TEST

/* CVE-2021-42013: "%%32%65" decoded twice. */
START_TEST(cve_2021_42013)
{
    tables T = load("ProxyPass /cgi-bin http://backend.internal:8080/cgi-bin\n"
                    "ProxyPass /icons http://backend.internal:8080/icons\n");
    FWD(T, "/icons/.%%32%65/.%%32%65/etc/passwd", "!RP_E_BAD_PERCENT");
    FWD(T, "/cgi-bin/.%%32%65/.%%32%65/.%%32%65/bin/sh", "!RP_E_BAD_PERCENT");
    FWD(T, "/icons/%%32e/x", "!RP_E_BAD_PERCENT");
    /* Never decoded twice: %252e stays %252e. */
    FWD(T, "/icons/%252e%252e/x", "http://backend.internal:8080/icons/%252e%252e/x");
    FWD(T, "/icons/.%252e/x", "http://backend.internal:8080/icons/.%252e/x");
    unload(&T);
}
END_TEST

/* CVE-2023-25690: a decoded capture put CR/LF/SP into the backend request. */
START_TEST(cve_2023_25690)
{
    tables T = load("ProxyPassMatch ^/here/(.*) http://b:8080/elsewhere?$1\n"
                    "ProxyPass /app http://b:8080/app\n");
    FWD2(T, "/here/x%20HTTP/1.1%0d%0aHost:%20b%0d%0a%0d%0aGET%20/admin",
         "http://b:8080/elsewhere%3Fx%20HTTP/1.1%0D%0AHost:%20b%0D%0A%0D%0AGET%20/admin",
         "!RP_E_CTL");
    /* Strict: a capture in the query part is encoded for query context. */
    FWD2(T, "/here/a&b=c+d;e%23f", "http://b:8080/elsewhere%3Fa&b=c+d;e%23f",
         "http://b:8080/elsewhere?a%26b%3Dc%2Bd%3Be%23f");
    FWD2(T, "/app/x%0d%0a", "http://b:8080/app/x%0D%0A", "!RP_E_CTL");
    FWD2(T, "/app/x%7f", "http://b:8080/app/x%7F", "!RP_E_CTL");
    FWD(T, "/here/x HTTP/1.1\r\nHost: b", "!RP_E_CTL");
    FWD(T, "/app/x?a=\r\nHost:%20b", "!RP_E_CTL");
    unload(&T);
}
END_TEST

/* CVE-2024-38473: %3F decoded to '?' and sent to the backend. */
START_TEST(cve_2024_38473)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD(T, "/app/admin.php%3Fooo.php", "http://backend.internal:8080/internal/admin.php%3Fooo.php");
    FWD(T, "/app/admin.php%3fooo.php", "http://backend.internal:8080/internal/admin.php%3Fooo.php");
    FWD(T, "/app/admin.php%3Fooo.php?x=1",
        "http://backend.internal:8080/internal/admin.php%3Fooo.php?x=1");
    unload(&T);
}
END_TEST

/* CVE-2024-38474: a decoded '?' (or '/') in a backreference cut the template. */
START_TEST(cve_2024_38474)
{
    tables T = load("ProxyPassMatch ^/user/(.+)$ http://b/var/user/$1/profile.yml\n");
    FWD(T, "/user/orange%2Fsecret.yml%3F", "!RP_E_ENCODED_SLASH");
    ck_assert_int_eq(rp_status_http(RP_E_ENCODED_SLASH), 404);
    FWD(T, "/user/orange%3Fsecret.yml", "http://b/var/user/orange%3Fsecret.yml/profile.yml");
    FWD(T, "/user/orange%23x", "http://b/var/user/orange%23x/profile.yml");
    unload(&T);
}
END_TEST

/* CVE-2024-38475: a substitution starting with a backreference. */
START_TEST(cve_2024_38475)
{
    CONF_REFUSED("ProxyPassMatch ^/html/(.*)$ /$1.html\n");
    CONF_REFUSED("ProxyPassMatch ^/html/(.*)$ $1.html\n");
    CONF_REFUSED("ProxyPassMatch ^/html/(.*)$ $1://b/\n");
    tables T = load("ProxyPassMatch ^/html/(.*)$ http://b/$1.html\n");
    FWD(T, "/html/usr/share/x.php%3F", "http://b/usr/share/x.php%3F.html");
    host_sent(T.t[AP], AP, "/html/usr/share/x.php%3F", HOST, "b");
    host_sent(T.t[ST], ST, "/html/usr/share/x.php%3F", HOST, "b");
    unload(&T);
}
END_TEST

/* CVE-2024-38476: backend response headers trusted as internal redirects.
 * The library only rewrites strings; untrusted values are validated. */
START_TEST(cve_2024_38476)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverse /app http://backend.internal:8080/internal\n");
    LOC(T, PUB, "/server-status", "=");
    LOC(T, PUB, "http://backend.internal:8080/server-status", "=");
    HDR(T, PUB, "Content-Type", "application/x-httpd-php", "=");
    HDR(T, PUB, "Location", "/server-status\r\n", "!RP_E_HEADER");
    unload(&T);
}
END_TEST

/* CVE-2024-38477: NULL dereference on a request lacking a component. Every
 * entry point handles empty and absent inputs with a defined status. */
START_TEST(cve_2024_38477)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverseCookieDomain backend.internal www.example.com\n");
    char out[256];
    size_t n;
    rp_match m;
    for (int p = 0; p < 2; p++) {
        const rp_table *t = T.t[p];
        ck_assert_int_eq(rp_map_request(t, "", 0, NULL, 0, 0, out, sizeof out, &n, &m), RP_E_FORM);
        ck_assert_int_eq(rp_map_request(t, NULL, 0, NULL, 0, 0, out, sizeof out, &n, &m),
                         RP_E_FORM);
        ck_assert_int_eq(rp_map_request(t, "/app", 4, "", 0, 0, out, sizeof out, &n, &m),
                         RP_E_HOST);
        ck_assert_int_eq(rp_map_request(t, "/app", 4, NULL, 0, 0, out, sizeof out, &n, &m), RP_OK);
        ck_assert_str_eq(out, "http://backend.internal:8080/internal");
        ck_assert_int_eq(rp_map_request(t, "/", 1, NULL, 0, 0, out, sizeof out, &n, &m),
                         RP_NO_MATCH);
        ck_assert_int_eq(rp_map_request(t, "/app", 4, NULL, 0, 0, NULL, 0, &n, NULL),
                         RP_E_NOSPACE);
        ck_assert_uint_eq(n, strlen("http://backend.internal:8080/internal"));
        ck_assert_int_eq(rp_map_request(NULL, "/app", 4, NULL, 0, 0, out, sizeof out, &n, &m),
                         RP_E_ARG);
        ck_assert_int_eq(rp_map_request(t, "/app", 4, NULL, 0, 0, out, sizeof out, NULL, &m),
                         RP_E_ARG);
        /* Empty header values and a NULL ctx. */
        ck_assert_int_eq(rp_rewrite_location(t, "", 0, NULL, 0, out, sizeof out, &n), RP_NO_MATCH);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(rp_rewrite_location(t, NULL, 0, NULL, 0, out, sizeof out, &n),
                         RP_NO_MATCH);
        ck_assert_int_eq(rp_rewrite_set_cookie(t, "", 0, NULL, 0, out, sizeof out, &n),
                         RP_NO_MATCH);
        ck_assert_int_eq(rp_rewrite_set_cookie(t, "=", 1, NULL, 0, out, sizeof out, &n),
                         RP_NO_MATCH);
        ck_assert_int_eq(rp_rewrite_set_cookie(t, ";", 1, NULL, 0, out, sizeof out, &n),
                         RP_NO_MATCH);
        static const char *const names[] = {"Location", "Content-Location", "URI",
                                            "Destination", "Set-Cookie", "Refresh", "Link", ""};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            rp_status st = rp_rewrite_response_header(t, names[i], strlen(names[i]), "", 0, NULL,
                                                      0, out, sizeof out, &n);
            ck_assert_msg(st == RP_NO_MATCH && n == 0, "%s: empty %s: %s", PNAME[p], names[i],
                          rp_status_name(st));
        }
        ck_assert_int_eq(rp_rewrite_response_header(t, NULL, 0, "x", 1, NULL, 0, out, sizeof out,
                                                    &n),
                         RP_NO_MATCH);
        rp_status st = rp_map_destination(t, "", 0, PUB, strlen(PUB), 0, out, sizeof out, &n, &m);
        ck_assert_msg(st == RP_E_FORM, "%s: empty Destination: %s", PNAME[p], rp_status_name(st));
        ck_assert_int_eq(rp_public_origin(t, "https", 5, "", 0, out, sizeof out, &n), RP_E_HOST);
        ck_assert_int_eq(rp_public_origin(t, NULL, 0, NULL, 0, out, sizeof out, &n), RP_E_ARG);
    }
    unload(&T);
}
END_TEST

/* CVE-2024-39573: a string that looks like a URL becoming a proxy target. */
START_TEST(cve_2024_39573)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD(T, "/http://evil.example/x", "!RP_NO_MATCH");
    FWD(T, "/app/http://evil.example/x",
        "http://backend.internal:8080/internal/http:/evil.example/x");
    host_sent(T.t[AP], AP, "/app/http://evil.example/x", HOST, "backend.internal:8080");
    host_sent(T.t[ST], ST, "/app/http://evil.example/x", HOST, "backend.internal:8080");
    unload(&T);
}
END_TEST

/* CVE-2011-3368 / CVE-2011-4317 / CVE-2011-3639: a target not starting with
 * '/' turned the configured host into userinfo. */
START_TEST(cve_2011_3368)
{
    tables T = load("ProxyPass / http://internal/\n");
    FWD(T, "@10.0.0.1/admin", "!RP_E_FORM");
    FWD(T, ":@10.0.0.1/", "!RP_E_FORM");
    FWD(T, "10.0.0.1/admin", "!RP_E_FORM");
    FWD(T, "/@10.0.0.1/admin", "http://internal/@10.0.0.1/admin");
    unload(&T);
    /* The template authority must be followed by a literal '/'. */
    CONF_REFUSED("ProxyPassMatch (.*) http://internal$1\n");
    CONF_REFUSED("ProxyPassMatch ^(.*)$ http://internal:80$1\n");
    /* A prefix rule whose backend URL has no path: Apache would append the
     * request to the authority; revproxy refuses (semantics.md §5). */
    T = load("ProxyPass / http://internal\n");
    FWD2(T, "/@10.0.0.1/admin", "!RP_E_UNSAFE_OUTPUT", "http://internal/@10.0.0.1/admin");
    FWD2(T, "/.evil.example/x", "!RP_E_UNSAFE_OUTPUT", "http://internal/.evil.example/x");
    FWD(T, "/", "http://internal/");
    unload(&T);
}
END_TEST

/* CVE-2019-10098 / CVE-2020-1927: an encoded newline let a regex match a
 * different substring. */
START_TEST(cve_2019_10098)
{
    tables T = load("ProxyPassMatch ^/r/(.*)/$ http://b/r/$1\n");
    FWD2(T, "/r/%0a//evil.example/", "http://b/r/%0A/evil.example", "!RP_E_CTL");
    FWD2(T, "/r/a%0a/", "http://b/r/a%0A", "!RP_E_CTL");
    FWD(T, "/r/a/", "http://b/r/a");
    unload(&T);
}
END_TEST

/* CVE-2019-0220: "//" seen by one component and merged by another. */
START_TEST(cve_2019_0220)
{
    tables T = load("ProxyPass /admin !\nProxyPass / http://b/\n");
    FWD(T, "/admin/", "!RP_EXCLUDED");
    FWD(T, "//admin/", "!RP_EXCLUDED");
    FWD(T, "///admin//x", "!RP_EXCLUDED");
    FWD(T, "/x//y", "http://b/x/y");
    unload(&T);
    T = load("MergeSlashes Off\nProxyPass /admin !\nProxyPass / http://b/\n");
    FWD(T, "//admin/", "!RP_EXCLUDED");
    FWD(T, "/admin//x", "!RP_EXCLUDED");
    FWD(T, "/x//y", "http://b/x//y");
    unload(&T);
}
END_TEST

/* CVE-2019-10092: the request URL reflected into an error page. Request-path
 * errors are codes; their text is static and never contains the input. */
START_TEST(cve_2019_10092)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD2(T, "/app/<script>alert(1)</script>",
         "http://backend.internal:8080/internal/%3Cscript%3Ealert(1)%3C/script%3E",
         "!RP_E_BAD_CHAR");
    FWD2(T, "/<script>", "!RP_NO_MATCH", "!RP_E_BAD_CHAR");
    for (int s = 0; s <= RP_STATUS_LAST + 1; s++) {
        const char *e = rp_strerror((rp_status)s);
        ck_assert_ptr_nonnull(e);
        ck_assert_ptr_null(strchr(e, '<'));
    }
    unload(&T);
}
END_TEST

/* CVE-2016-4975 / CVE-2016-8743: CR/LF into Location; bare CR accepted. */
START_TEST(cve_2016_4975)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverse /app http://backend.internal:8080/internal\n");
    FWD2(T, "/app/%0d%0aSet-Cookie:%20a=1",
         "http://backend.internal:8080/internal/%0D%0ASet-Cookie:%20a=1", "!RP_E_CTL");
    FWD(T, "/app/x\ry", "!RP_E_CTL");
    FWD(T, "/app/x\ny", "!RP_E_CTL");
    /* Encoded stays encoded, byte for byte. */
    LOC(T, PUB, "http://backend.internal:8080/internal/%0d%0aSet-Cookie:x",
        PUB "/app/%0d%0aSet-Cookie:x");
    LOC(T, PUB, "http://backend.internal:8080/internal/\r\nSet-Cookie: x", "!RP_E_HEADER");
    LOC(T, PUB, "http://backend.internal:8080/internal/\rx", "!RP_E_HEADER");
    LOC(T, PUB, "http://backend.internal:8080/internal/\nx", "!RP_E_HEADER");
    ck_assert_int_eq(rp_status_http(RP_E_HEADER), 502);
    unload(&T);
}
END_TEST

/* CVE-2016-4975, continued: the other sources of bytes that a rewritten
 * value is built from (ServerName, a ProxyPassReverse path added through the
 * API, the caller's public origin) may not carry CR or LF into it either
 * (R16; docs/SECURITY.md §10.1-§10.3). */
START_TEST(cve_2016_4975_config_sources)
{
    static const char evil_name[] = "a\r\nX-Evil: 1\r\nb://host";
    for (int p = 0; p < 2; p++) {
        rp_builder *b = NULL;
        rp_diag d;
        ck_assert_int_eq(rp_builder_new(PROFILE[p], NULL, &b), RP_OK);
        rp_status st = rp_builder_set_server_name(b, evil_name, sizeof evil_name - 1);
        ck_assert_msg(st == RP_E_ARG, "%s: ServerName with CR LF in the scheme: %s", PNAME[p],
                      rp_status_name(st));
        st = rp_builder_add_reverse(b, "/x\r\ny", 5, "http://b2/app", 13, NULL, 0, &d);
        ck_assert_msg(st == RP_E_CONFIG, "%s: ProxyPassReverse path with CR LF: %s", PNAME[p],
                      rp_status_name(st));
        rp_builder_free(b);
    }
    tables T = load("ProxyPassReverse /app http://b/app\n");
    for (int p = 0; p < 2; p++) {
        char out[256];
        size_t n;
        rp_response_ctx ctx = {"https://h\r\nX: y", 15, NULL, 0, NULL, 0};
        rp_status st = rp_rewrite_location(T.t[p], "http://b/app/x", 14, &ctx, 0, out, sizeof out, &n);
        ck_assert_msg(st == RP_E_ARG, "%s: public origin with CR LF: %s", PNAME[p],
                      rp_status_name(st));
    }
    unload(&T);
}
END_TEST

/* CVE-2022-37436 / CVE-2023-38709 / CVE-2023-27522: malicious backend
 * headers split the client response. */
START_TEST(cve_2022_37436)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverseCookieDomain backend.internal www.example.com\n");
    COOKIE(T, "a=b\r\nX: y", "!RP_E_HEADER");
    COOKIE(T, "a=b\nX: y", "!RP_E_HEADER");
    COOKIE(T, "a=b; Domain=backend.internal\r\nX: y", "!RP_E_HEADER");
    COOKIE(T, "a=b\0X", "!RP_E_HEADER");
    HDR(T, PUB, "Set-Cookie", "a=b\r\nX: y", "!RP_E_HEADER");
    HDR(T, PUB, "Location", "http://backend.internal:8080/internal/x\0y", "!RP_E_HEADER");
    HDR(T, PUB, "Content-Location", "/internal/x\r\n", "!RP_E_HEADER");
    HDR(T, PUB, "URI", "/internal/x\n", "!RP_E_HEADER");
    HDR(T, PUB, "Refresh", "0; url=http://backend.internal:8080/internal/x\r\nX: y",
        "!RP_E_HEADER");
    HDR(T, PUB, "Link", "<http://backend.internal:8080/internal/a>; rel=next\nX: y",
        "!RP_E_HEADER");
    /* Any header passed through the rewriter: "the value to send" never
     * carries a splitting byte. */
    HDR(T, PUB, "X-Other", "a\r\nX: y", "!RP_E_HEADER");
    unload(&T);
}
END_TEST

/* CVE-2021-44224: an absolute-form authority reached a backend. */
START_TEST(cve_2021_44224)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD2(T, "http://evil.example/app/x", "http://backend.internal:8080/internal/x", "!RP_E_FORM");
    host_sent(T.t[AP], AP, "http://evil.example/app/x", HOST, "backend.internal:8080");
    FWD2(T, "http://evil.example/", "!RP_NO_MATCH", "!RP_E_FORM");
    FWD(T, "unix:/run/x.sock|http://evil.example/app/x", "!RP_E_FORM");
    FWD(T, "ftp://evil.example/app/x", "!RP_E_FORM");
    unload(&T);
}
END_TEST

/* CVE-2003-0542, CVE-2006-3747, CVE-2021-39275, CVE-2022-28615,
 * CVE-2026-44631: more than 9 captures overflowed a fixed array; off-by-one;
 * under-sized escaping; reading past the end of huge input; signed-char
 * classification. */
START_TEST(cve_2003_0542)
{
    /* More than 9 groups: httpd accepts them ($10 is $1 then '0'); the strict
     * profile refuses the rule (R13: at most 9 capture groups). */
    static const char conf[] =
        "ProxyPassMatch ^/m/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)$ http://b/$9/$1$0\n"
        "ProxyPassMatch ^/n/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)$ http://b/n/$10\n";
    ck_assert_int_eq(conf_status(RP_PROFILE_STRICT, conf), RP_E_CONFIG);
    rp_table *ta = load1(RP_PROFILE_APACHE, conf, NULL, 0);
    fwd_one(ta, AP, "/m/abcdefghijkl", 15, HOST, sizeof HOST - 1, "http://b/i/a/m/abcdefghijkl");
    fwd_one(ta, AP, "/n/abcdefghij", 13, HOST, sizeof HOST - 1, "http://b/n/a0");
    rp_table_free(ta);
    tables T = load("ProxyPassMatch ^/m/(a)(b)(c)(d)(e)(f)(g)(h)(i)$ http://b/$9/$1$0\n"
                    "ProxyPass /app http://b/app\n");
    FWD(T, "/m/abcdefghi", "http://b/i/a/m/abcdefghi");
    /* Every byte value >= 0x80, where a signed char would be negative. */
    char target[8 + 128];
    memcpy(target, "/app/", 5);
    for (int i = 0; i < 128; i++)
        target[5 + i] = (char)(0x80 + i);
    fwd_one(T.t[ST], ST, target, 5 + 128, HOST, sizeof HOST - 1, "!RP_E_NON_ASCII");
    char want[64 + 3 * 128];
    int w = snprintf(want, sizeof want, "http://b/app/");
    for (int i = 0; i < 128; i++)
        w += snprintf(want + w, sizeof want - (size_t)w, "%%%02X", 0x80 + i);
    fwd_one(T.t[AP], AP, target, 5 + 128, HOST, sizeof HOST - 1, want);
    /* A long input right up to the limit: exact output. */
    size_t len;
    char *big = repeat("/app/", "a", 8192 - 5, "", &len);
    char *bigw = repeat("http://b/app/", "a", 8192 - 5, "", NULL);
    fwd2_dyn(&T, big, len, bigw, bigw);
    free(big);
    free(bigw);
    unload(&T);
}
END_TEST

/* CVE-2020-11984 / CVE-2021-36160: overflow building a packet from a very
 * long URI. Explicit maximum output length, reject instead of truncate. */
START_TEST(cve_2020_11984)
{
    size_t len;
    char *conf = repeat("ProxyPass /app http://b/", "p", 9000, "\n", NULL);
    tables T = load(conf);
    free(conf);
    char *target = repeat("/app/", "x", 8000, "", &len);
    fwd2_dyn(&T, target, len, "!RP_E_TOO_LONG", "!RP_E_TOO_LONG");
    free(target);
    target = repeat("/app/", "x", 8192, "", &len);
    fwd2_dyn(&T, target, len, "!RP_E_TOO_LONG", "!RP_E_TOO_LONG");
    free(target);
    unload(&T);
    /* Apache re-encoding triples the size: still refused, not truncated. */
    T = load("ProxyPass /app http://b/app\n");
    target = repeat("/app/", "\"", 8000, "", &len);
    fwd2_dyn(&T, target, len, "!RP_E_TOO_LONG", "!RP_E_BAD_CHAR");
    free(target);
    unload(&T);
}
END_TEST

/* CVE-2020-11993: concurrent use of shared state. A short version of
 * tests/test_threads.c: threads on one table, every result as in one thread. */
typedef struct thr_arg {
    const rp_table *t;
    int             bad;
} thr_arg;

static const char *const THR_TARGETS[] = {"/app/x", "/app/%2e%2e/app/y?q=1", "/app/a%3fb",
                                          "/nope", "/app/../../x", "/app/a%2Fb"};

static void *thr_run(void *arg)
{
    thr_arg *a = arg;
    char out[256], ref[256];
    size_t n, rn;
    for (int i = 0; i < 2000; i++) {
        const char *tg = THR_TARGETS[(size_t)i % (sizeof THR_TARGETS / sizeof THR_TARGETS[0])];
        rp_match m;
        rp_status st = rp_map_request(a->t, tg, strlen(tg), NULL, 0, 0, out, sizeof out, &n, &m);
        rp_status rs = rp_map_request(a->t, tg, strlen(tg), NULL, 0, 0, ref, sizeof ref, &rn, NULL);
        if (st != rs || (st == RP_OK && (n != rn || memcmp(out, ref, n) != 0)))
            a->bad++;
        st = rp_rewrite_location(a->t, "http://b/app/z", 14, NULL, 0, out, sizeof out, &n);
        if (st != RP_OK || n != 6 || memcmp(out, "/app/z", 6) != 0)
            a->bad++;
    }
    return NULL;
}

START_TEST(cve_2020_11993)
{
    tables T = load("ProxyPass /app http://b/app\nProxyPassReverse /app http://b/app\n");
    for (int p = 0; p < 2; p++) {
        pthread_t th[4];
        thr_arg a[4];
        for (int i = 0; i < 4; i++) {
            a[i].t = T.t[p];
            a[i].bad = 0;
            ck_assert_int_eq(pthread_create(&th[i], NULL, thr_run, &a[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(th[i], NULL);
            ck_assert_msg(a[i].bad == 0, "%s: thread %d: %d bad results", PNAME[p], i, a[i].bad);
        }
    }
    unload(&T);
}
END_TEST

/* CVE-2017-7679: one byte read past the end of a backend header ending
 * mid-token. Each value ends exactly at an unreadable page. */
START_TEST(cve_2017_7679)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
                    "ProxyPassReverseCookiePath /internal /app\n");
    rp_guard g;
    ck_assert_int_eq(guard_open(&g, 4096), 0);
    static const struct {
        const char *name, *value, *want_ap, *want_st;
    } cases[] = {
        {"Location", "http://backend.internal:8080", "=", "="},
        {"Location", "http://backend.internal:8080/internal", PUB "/app", PUB "/app"},
        {"Location", "http://backend.internal:8080/internal/x%", PUB "/app/x%", PUB "/app/x%"},
        {"Location", "http://[", "=", "="},
        {"Location", "http://backend.internal:", "=", "="},
        {"Set-Cookie", "a=1; Path", "=", "="},
        {"Set-Cookie", "a=1; Domain=", "=", "="},
        {"Set-Cookie", "a=1; Path=/internal", "a=1; Path=/app", "a=1; Path=/app"},
        {"Set-Cookie", "a=1; Domain=backend.internal", "a=1; Domain=www.example.com",
         "a=1; Domain=www.example.com"},
        {"Refresh", "0; url=", "=", "="},
        {"Refresh", "0; url='http://backend.internal:8080/internal", "=",
         "0; url='" PUB "/app"},
        {"Link", "<http://backend.internal:8080/internal", "=", "!RP_E_SYNTAX"},
        {"Link", "<http://backend.internal:8080/internal>; anchor=\"", "=",
         "<" PUB "/app>; anchor=\""},
        {"Content-Type", "text/html; charset=", "=", "="},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].value);
        const char *v = guard_put(&g, cases[i].value, len);
        rev_one(T.t[AP], AP, 'H', cases[i].name, PUB, v, len, cases[i].want_ap);
        rev_one(T.t[ST], ST, 'H', cases[i].name, PUB, v, len, cases[i].want_st);
    }
    guard_close(&g);
    unload(&T);
}
END_TEST

/* httpd PR 61560: the cookie *name* "fakedomain=" was rewritten. */
START_TEST(pr_61560)
{
    tables T = load("ProxyPassReverseCookieDomain local public.example\n");
    COOKIE(T, "fakedomain=local;domain=local", "fakedomain=local;domain=public.example");
    COOKIE(T, "fakedomain=local", "=");
    COOKIE(T, "a=fakedomain=local; x=1", "=");
    /* A cookie whose name is "domain": httpd treats it as the attribute
     * (docs/cookies.md, ck-base-20); the strict profile never does. */
    COOKIE2(T, "domain=local; Path=/", "domain=public.example; Path=/", "=");
    unload(&T);
}
END_TEST

/* httpd PR 15207: "file%25" was forwarded decoded as "file%". */
START_TEST(pr_15207)
{
    tables T = load("ProxyPass /reverse/ http://b/reverse/\n");
    FWD(T, "/reverse/nonesuch/file%25", "http://b/reverse/nonesuch/file%25");
    FWD(T, "/reverse/nonesuch/file%", "!RP_E_BAD_PERCENT");
    FWD(T, "/reverse/nonesuch/%2541", "http://b/reverse/nonesuch/%2541");
    unload(&T);
}
END_TEST

/* ========================================================================
 * §1.2 nginx
 * ====================================================================== */

/* CVE-2009-2629: buffer underflow collapsing "..". */
START_TEST(cve_2009_2629)
{
    tables T = load("ProxyPass / http://b/\n");
    FWD(T, "/%2e%2e/", "!RP_E_ABOVE_ROOT");
    FWD(T, "/../", "!RP_E_ABOVE_ROOT");
    FWD(T, "//..", "!RP_E_ABOVE_ROOT");
    FWD(T, "/..", "!RP_E_ABOVE_ROOT");
    FWD(T, "/.%2e", "!RP_E_ABOVE_ROOT");
    FWD(T, "/a/b/../../../c", "!RP_E_ABOVE_ROOT");
    FWD(T, "/a/../..", "!RP_E_ABOVE_ROOT");
    FWD(T, "/a/..", "http://b/");
    FWD(T, "/a/b/..", "http://b/a/");
    /* Every combination of up to 5 of these segments: either above root or a
     * path without dot segments. */
    static const char *const seg[] = {"/a", "/..", "/.", "/%2e%2e", "//", "/.%2e"};
    const size_t ns = sizeof seg / sizeof seg[0];
    for (size_t k = 1; k <= 5; k++) {
        size_t total = 1;
        for (size_t i = 0; i < k; i++)
            total *= ns;
        for (size_t c = 0; c < total; c++) {
            char tg[64] = "";
            size_t x = c;
            for (size_t i = 0; i < k; i++, x /= ns)
                strcat(tg, seg[x % ns]);
            for (int p = 0; p < 2; p++) {
                char out[128];
                size_t n;
                rp_status st =
                    rp_map_request(T.t[p], tg, strlen(tg), NULL, 0, 0, out, sizeof out, &n, NULL);
                ck_assert_msg(st == RP_OK || st == RP_E_ABOVE_ROOT, "%s: %s: %s", PNAME[p], tg,
                              rp_status_name(st));
                if (st == RP_OK)
                    ck_assert_msg(strstr(out + 8, "/../") == NULL && strstr(out + 8, "/./") == NULL
                                      && strstr(out + 8, "//") == NULL,
                                  "%s: %s -> %s", PNAME[p], tg, out);
            }
        }
    }
    unload(&T);
}
END_TEST

/* CVE-2013-4547: unescaped space mis-parsed. */
START_TEST(cve_2013_4547)
{
    tables T = load("ProxyPass / http://b/\n");
    FWD(T, "/1.gif\x20\x00.php", "!RP_E_CTL");
    FWD(T, "/test\x20/../admin/index.php", "!RP_E_CTL");
    FWD(T, "/test%20/../admin/index.php", "http://b/admin/index.php");
    ck_assert_int_eq(rp_status_http(RP_E_CTL), 400);
    unload(&T);
}
END_TEST

/* nginx merge_slashes: "//scripts/one.php" vs a "/scripts/" location. */
START_TEST(nginx_merge_slashes)
{
    tables T = load("ProxyPass /scripts http://b/scripts\n");
    FWD(T, "//scripts/one.php", "http://b/scripts/one.php");
    FWD(T, "/scripts//one.php", "http://b/scripts/one.php");
    unload(&T);
    T = load("MergeSlashes Off\nProxyPass /scripts http://b/scripts\n");
    FWD(T, "//scripts/one.php", "http://b/scripts/one.php");
    FWD(T, "/scripts//one.php", "http://b/scripts//one.php");
    unload(&T);
}
END_TEST

/* nginx alias off-by-slash: "/files" matching "/files../". */
START_TEST(nginx_alias_off_by_slash)
{
    tables T = load("ProxyPass /files http://b/home/\nProxyPass /api http://b/v1/\n");
    FWD(T, "/files../etc/passwd", "!RP_NO_MATCH");
    FWD(T, "/api../admin", "!RP_NO_MATCH");
    FWD(T, "/files/../etc/passwd", "!RP_NO_MATCH");
    FWD(T, "/filesx", "!RP_NO_MATCH");
    /* Apache's literal seam doubles the slash; strict drops the backend's
     * trailing slash (semantics.md §4). Neither leaves /home/. */
    FWD2(T, "/files/x", "http://b/home//x", "http://b/home/x");
    unload(&T);
}
END_TEST

/* nginx $uri CRLF: a decoded URI reflected into a header. */
START_TEST(nginx_uri_crlf)
{
    tables T = load("ProxyPass / http://b/\n");
    FWD2(T, "/%0d%0aSet-Cookie:%20a=1", "http://b/%0D%0ASet-Cookie:%20a=1", "!RP_E_CTL");
    FWD2(T, "/%0D%0ALocation:%20http://evil", "http://b/%0D%0ALocation:%20http:/evil",
         "!RP_E_CTL");
    unload(&T);
}
END_TEST

/* nginx proxy_pass with variables (gixy "ssrf"): the client picks the host. */
START_TEST(nginx_proxy_pass_variables)
{
    CONF_REFUSED("ProxyPassMatch ^/proxy/(.*)/(.*)$ $1://$2\n");
    CONF_REFUSED("ProxyPassMatch ^/proxy/(.*)/(.*)$ http://$2/\n");
    CONF_REFUSED("ProxyPassMatch ^/proxy/(.*)$ http://b:$1/\n");
    CONF_REFUSED("ProxyPassMatch ^/proxy/(.*)$ http://&/\n");
    CONF_REFUSED("ProxyPassMatch ^/proxy/(.*)$ http://user$1@b/\n");
    tables T = load("ProxyPassMatch ^/proxy/(.*)$ http://b/proxy/$1\n");
    FWD(T, "/proxy/http/169.254.169.254/latest/meta-data/",
        "http://b/proxy/http/169.254.169.254/latest/meta-data/");
    host_sent(T.t[AP], AP, "/proxy/http/169.254.169.254/latest/meta-data/", HOST, "b");
    host_sent(T.t[ST], ST, "/proxy/http/169.254.169.254/latest/meta-data/", HOST, "b");
    unload(&T);
}
END_TEST

/* nginx proxy_pass URI semantics: one documented mapping semantics. */
START_TEST(nginx_proxy_pass_uri)
{
    tables T = load("ProxyPass /name/ http://127.0.0.1/remote/\n");
    FWD(T, "/name/x", "http://127.0.0.1/remote/x");
    FWD(T, "/name/%7Ex/../y", "http://127.0.0.1/remote/y");
    FWD(T, "/name//x", "http://127.0.0.1/remote/x");
    FWD(T, "/name/a%2fb", "!RP_E_ENCODED_SLASH");
    FWD(T, "/name/a%3fb?c=%3f", "http://127.0.0.1/remote/a%3Fb?c=%3f");
    unload(&T);
}
END_TEST

/* CVE-2026-42945 ("Nginx Rift") / CVE-2026-9256: length computed in one
 * pass, copy in another. Here: the size reported is exactly what is written,
 * for every function, and a buffer one byte short is never overrun. */
static void size_exact(const rp_table *t, int p, char kind, const char *name, const char *origin,
                       const char *in)
{
    size_t len = strlen(in), n = 0, n2 = 0;
    rp_response_ctx ctx = {origin, origin ? strlen(origin) : 0, NULL, 0, NULL, 0};
    rp_status st;
#define CALL(o, sz, nn)                                                                            \
    (kind == 'M'   ? rp_map_request(t, in, len, NULL, 0, 0, o, sz, nn, NULL)                       \
     : kind == 'L' ? rp_rewrite_location(t, in, len, &ctx, 0, o, sz, nn)                           \
     : kind == 'C' ? rp_rewrite_set_cookie(t, in, len, &ctx, 0, o, sz, nn)                         \
                   : rp_rewrite_response_header(t, name, strlen(name), in, len, &ctx, 0, o, sz, nn))
    st = CALL(NULL, 0, &n);
    if (st != RP_E_NOSPACE) {
        /* Refused whatever the buffer: the same answer with one. */
        static char big[65536];
        rp_status st2 = CALL(big, sizeof big, &n2);
        ck_assert_msg(st2 == st, "%s %c %s: size query %s, write %s", PNAME[p], kind, in,
                      rp_status_name(st), rp_status_name(st2));
        return;
    }
    rp_guard g;
    ck_assert_int_eq(guard_open(&g, n + 1), 0);
    char *o = guard_out(&g, n);
    st = CALL(o, n, &n2); /* one short: the NUL does not fit */
    ck_assert_msg(st == RP_E_NOSPACE && n2 == n, "%s %c %s: %s %zu/%zu", PNAME[p], kind, in,
                  rp_status_name(st), n2, n);
    o = guard_out(&g, n + 1);
    st = CALL(o, n + 1, &n2);
    ck_assert_msg((st == RP_OK || st == RP_NO_MATCH) && n2 == n && o[n] == '\0',
                  "%s %c %s: %s, wrote %zu (%s), measured %zu", PNAME[p], kind, in,
                  rp_status_name(st), n2, st == RP_OK ? o : "", n);
    ck_assert_uint_eq(strlen(o), n);
    guard_close(&g);
#undef CALL
}

START_TEST(cve_2026_42945)
{
    tables T = load("ProxyPassMatch ^/r/(.*)$ http://b/x?a=$1\n"
                    "ProxyPass /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
                    "ProxyPassReverseCookiePath /internal /app\n");
    static const char *const targets[] = {
        "/r/a&b=c+d;e", "/r/%26%3D%2B%3B", "/r/x?y=1&z", "/app/%7e%41/x?q=a&b",
        "/app/\"<>\"", "/r/\"{|}\"", "/app/caf%c3%a9"};
    for (int p = 0; p < 2; p++) {
        for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
            char out[512];
            size_t n;
            rp_status st = rp_map_request(T.t[p], targets[i], strlen(targets[i]), NULL, 0, 0, out,
                                          sizeof out, &n, NULL);
            if (st == RP_OK)
                size_exact(T.t[p], p, 'M', NULL, NULL, targets[i]);
        }
        size_exact(T.t[p], p, 'L', NULL, PUB, "http://backend.internal:8080/internal/a?b=c#d");
        size_exact(T.t[p], p, 'L', NULL, PUB, "http://backend.internal:8080/other");
        size_exact(T.t[p], p, 'C', NULL, PUB,
                   "a=1; Path=/internal/x; Domain=backend.internal; Path=/internal");
        size_exact(T.t[p], p, 'H', "Refresh", PUB, "5; url=http://backend.internal:8080/internal/r");
        size_exact(T.t[p], p, 'H', "Link", PUB,
                   "<http://backend.internal:8080/internal/a>; rel=next, "
                   "</internal/b>; anchor=\"http://backend.internal:8080/internal/c\"");
    }
    unload(&T);
    /* Results that are re-checked after they are built (a leading "//"
     * merged or refused): the size query gives the same answer. */
    static const char *const roots[] = {"ProxyPassReverse / http://root.internal\n",
                                        "MergeSlashes Off\nProxyPassReverse / http://root.internal/\n"};
    for (int c = 0; c < 2; c++) {
        T = load(roots[c]);
        for (int p = 0; p < 2; p++) {
            size_exact(T.t[p], p, 'L', NULL, NULL, "http://root.internal//evil");
            size_exact(T.t[p], p, 'L', NULL, NULL, "http://root.internal/x");
            size_exact(T.t[p], p, 'L', NULL, PUB, "http://root.internal//evil");
            size_exact(T.t[p], p, 'H', "Refresh", NULL, "0; url=http://root.internal//evil");
            size_exact(T.t[p], p, 'H', "Link", NULL, "<http://root.internal//evil>");
        }
        unload(&T);
    }
}
END_TEST

/* ========================================================================
 * §1.3 Envoy
 * ====================================================================== */

/* CVE-2019-9901: routing on the raw path. Always canonicalize first. */
START_TEST(cve_2019_9901)
{
    tables T = load("ProxyPass /info http://b/info\n");
    FWD(T, "/info/../private", "!RP_NO_MATCH");
    FWD(T, "/info/%2e%2e/private", "!RP_NO_MATCH");
    FWD(T, "/info/./x", "http://b/info/x");
    FWD(T, "/info/x/../y", "http://b/info/y");
    unload(&T);
}
END_TEST

/* CVE-2019-9900: NUL in a header value; c_str() vs string_view. */
START_TEST(cve_2019_9900)
{
    tables T = load("ProxyPass /app http://b:8080/v1\n"
                    "ProxyPassReverse /app http://b:8080/v1\n"
                    "ProxyPassReverseCookieDomain b.internal www.example.com\n");
    FWD(T, "/app/user\0admin", "!RP_E_CTL");
    FWD(T, "/app/x?role=user\0admin", "!RP_E_CTL");
    /* A NUL after the given length is not read: (pointer, length). */
    fwd2_dyn(&T, "/app/x\0/../../etc", 6, "http://b:8080/v1/x", "http://b:8080/v1/x");
    char out[128];
    size_t n;
    for (int p = 0; p < 2; p++) {
        ck_assert_int_eq(rp_map_request(T.t[p], "/app", 4, "user\0admin", 10, 0, out, sizeof out,
                                        &n, NULL),
                         RP_E_HOST);
        ck_assert_int_eq(rp_public_origin(T.t[p], "https", 5, "a\0b", 3, out, sizeof out, &n),
                         RP_E_HOST);
    }
    LOC(T, PUB, "http://b:8080/v1/x\0y", "!RP_E_HEADER");
    COOKIE(T, "a=b\0; Domain=b.internal", "!RP_E_HEADER");
    unload(&T);
}
END_TEST

/* CVE-2019-18801: a fixed-size assumption about one header. Long values are
 * handled with their real lengths. */
START_TEST(cve_2019_18801)
{
    tables T = load("ProxyPass /app http://b:8080/v1\nProxyPassReverse /app http://b:8080/v1\n");
    size_t len;
    char *loc = repeat("http://b:8080/v1/", "m", 5000, "", &len);
    char *want = repeat(PUB "/app/", "m", 5000, "", NULL);
    rev_one(T.t[AP], AP, 'L', NULL, PUB, loc, len, want);
    rev_one(T.t[ST], ST, 'L', NULL, PUB, loc, len, want);
    free(loc);
    free(want);
    char *host = repeat("", "h", 5000, "", &len);
    char out[256];
    size_t n;
    rp_match m;
    for (int p = 0; p < 2; p++) {
        ck_assert_int_eq(rp_map_request(T.t[p], "/app/x", 6, host, len, 0, out, sizeof out, &n, &m),
                         RP_OK);
        ck_assert_str_eq(out, "http://b:8080/v1/x");
        ck_assert_uint_eq(m.host_len, 6);
    }
    free(host);
    unload(&T);
}
END_TEST

/* CVE-2019-18802 / CVE-2019-18838: trailing whitespace; a missing path. */
START_TEST(cve_2019_18802)
{
    tables T = load("ProxyPass /app http://b/app\n");
    FWD(T, "", "!RP_E_FORM");
    FWD(T, "/app/x ", "!RP_E_CTL");
    FWD(T, "/app/x\t", "!RP_E_CTL");
    FWD(T, " /app/x", "!RP_E_FORM");
    char out[64];
    size_t n;
    for (int p = 0; p < 2; p++) {
        ck_assert_int_eq(rp_map_request(T.t[p], "/app", 4, "b ", 2, 0, out, sizeof out, &n, NULL),
                         RP_E_HOST);
        ck_assert_int_eq(rp_map_request(T.t[p], "/app", 4, " b", 2, 0, out, sizeof out, &n, NULL),
                         RP_E_HOST);
        ck_assert_int_eq(rp_map_request(T.t[p], "/app", 4, "b\t", 2, 0, out, sizeof out, &n, NULL),
                         RP_E_HOST);
    }
    unload(&T);
}
END_TEST

/* CVE-2019-15225: backtracking regex on a very long URI. */
START_TEST(cve_2019_15225)
{
    tables T = load("ProxyPassMatch ^/(a+)+$ http://b/redos/$1\nProxyPass / http://b/fallback/\n");
    size_t len;
    char *huge = repeat("/", "a", 65536, "!", &len);
    fwd2_dyn(&T, huge, len, "!RP_E_TOO_LONG", "!RP_E_TOO_LONG");
    free(huge);
    /* Under the length limit: the regex limit trips and the call fails
     * closed (the fallback rule is not tried). */
    char *evil = repeat("/", "a", 8000, "!", &len);
    for (int p = 0; p < 2; p++) {
        char out[16384];
        size_t n;
        double t0 = now_sec();
        rp_status st = rp_map_request(T.t[p], evil, len, NULL, 0, 0, out, sizeof out, &n, NULL);
        double dt = now_sec() - t0;
        ck_assert_msg(st == RP_E_LIMIT, "%s: got %s", PNAME[p], rp_status_name(st));
        ck_assert_msg(dt < 1.0, "%s: %.3f s", PNAME[p], dt);
    }
    free(evil);
    ck_assert_int_eq(rp_status_http(RP_E_LIMIT), 500);
    FWD(T, "/aaa", "http://b/redos/aaa");
    unload(&T);
}
END_TEST

/* CVE-2021-29492: %2F passed an ACL and was decoded by the backend. */
START_TEST(cve_2021_29492)
{
    tables T = load("ProxyPass /admin !\nProxyPass / http://b/\n");
    FWD(T, "/something%2F..%2Fadmin", "!RP_E_ENCODED_SLASH");
    FWD(T, "/something%2f..%2fadmin", "!RP_E_ENCODED_SLASH");
    FWD2(T, "/something%5C..%5Cadmin", "http://b/something%5C..%5Cadmin",
         "!RP_E_ENCODED_SLASH");
    unload(&T);
    /* NoDecode: kept encoded, one segment, forwarded encoded. */
    T = load("AllowEncodedSlashes NoDecode\nProxyPass /admin !\nProxyPass / http://b/\n");
    FWD(T, "/something%2F..%2Fadmin", "http://b/something%2F..%2Fadmin");
    unload(&T);
    /* On: decoded before dot segments, so the exclusion sees /admin. */
    T = load("AllowEncodedSlashes On\nProxyPass /admin !\nProxyPass / http://b/\n");
    FWD(T, "/something%2F..%2Fadmin", "!RP_EXCLUDED");
    unload(&T);
}
END_TEST

/* CVE-2021-32779: '#fragment' treated as part of the path. */
START_TEST(cve_2021_32779)
{
    tables T = load("ProxyPass /app1 http://b/app1\n");
    FWD(T, "/app1/admin#foo", "!RP_E_FRAGMENT");
    FWD(T, "/app1/x?a#b", "!RP_E_FRAGMENT");
    FWD(T, "/app1/admin%23foo", "http://b/app1/admin%23foo");
    unload(&T);
}
END_TEST

/* CVE-2021-43824: CONNECT (no path) crashed a filter. */
START_TEST(cve_2021_43824)
{
    tables T = load("ProxyPass / http://b/\n");
    FWD(T, "host:443", "!RP_E_FORM");
    FWD(T, "a.example:443", "!RP_E_FORM");
    FWD(T, "*", "!RP_E_FORM");
    FWD(T, "", "!RP_E_FORM");
    unload(&T);
}
END_TEST

/* CVE-2026-73551 / CVE-2026-73511 / CVE-2026-73553: "..;foo=bar" not a dot
 * segment; matrix parameters matched differently from Tomcat. */
START_TEST(cve_2026_73551)
{
    tables T = load("ProxyPass /user http://b/user\n");
    FWD2(T, "/user/..;foo=bar/admin", "http://b/user/..;foo=bar/admin", "!RP_E_DOT_PARAM");
    FWD2(T, "/user/.;/admin", "http://b/user/.;/admin", "!RP_E_DOT_PARAM");
    FWD2(T, "/user/..%3B/admin", "http://b/user/..;/admin", "!RP_E_DOT_PARAM");
    FWD2(T, "/user/..%3b/admin", "http://b/user/..;/admin", "!RP_E_DOT_PARAM");
    unload(&T);
    /* Matrix parameters are data, and the same data is matched and forwarded. */
    T = load("ProxyPass /admin !\nProxyPass / http://b/\n");
    FWD(T, "/admin;x=y/action", "http://b/admin;x=y/action");
    FWD(T, "/admin/action", "!RP_EXCLUDED");
    unload(&T);
}
END_TEST

/* CVE-2025-46821: '*' excluded from the path characters. */
START_TEST(cve_2025_46821)
{
    tables T = load("ProxyPass /api http://b:8080/v1\n");
    FWD(T, "/api/*/admin", "http://b:8080/v1/*/admin");
    FWD(T, "/api/!$&'()*+,;=:@-._~", "http://b:8080/v1/!$&'()*+,;=:@-._~");
    unload(&T);
}
END_TEST

/* ========================================================================
 * §1.4 Traefik, HAProxy, Tomcat, Go and other clients
 * ====================================================================== */

/* Traefik CVE-2026-48020: "/api../admin" routed via the "/api" router. */
START_TEST(traefik_cve_2026_48020)
{
    tables T = load("ProxyPass /api http://b:8080/v1\n");
    FWD(T, "/api../admin", "!RP_NO_MATCH");
    FWD(T, "/api%2e%2e/admin", "!RP_NO_MATCH");
    FWD(T, "/api%2E%2E/admin", "!RP_NO_MATCH");
    FWD(T, "/api/../admin", "!RP_NO_MATCH");
    FWD(T, "/api", "http://b:8080/v1");
    unload(&T);
    T = load("ProxyPass /api http://b:8080/v1\nProxyPass / http://public.internal/\n");
    FWD(T, "/api../admin", "http://public.internal/api../admin");
    FWD(T, "/api%2e%2e/admin", "http://public.internal/api../admin");
    unload(&T);
}
END_TEST

/* Traefik CVE-2026-40912: decoded and encoded paths desynchronized. */
START_TEST(traefik_cve_2026_40912)
{
    tables T = load("ProxyPass /api http://b:8080/v1\n");
    FWD(T, "/api/a%3Fb%2523c", "http://b:8080/v1/a%3Fb%2523c");
    FWD(T, "/api/a%3fb", "http://b:8080/v1/a%3Fb");
    FWD(T, "/api/%7e%41", "http://b:8080/v1/~A");
    unload(&T);
}
END_TEST

/* Traefik CVE-2025-32431 / CVE-2025-47952: encoded '/', '\', NUL, ';', '?',
 * '#' and "%2e%2e" bypassed path matchers. */
START_TEST(traefik_cve_2025_32431)
{
    tables T = load("ProxyPass /public http://b/public\n");
    FWD(T, "/public/%2e%2e/admin", "!RP_NO_MATCH");
    FWD(T, "/public/a%2fb", "!RP_E_ENCODED_SLASH");
    FWD2(T, "/public/a%5cb", "http://b/public/a%5Cb", "!RP_E_ENCODED_SLASH");
    FWD2(T, "/public/a%00b", "!RP_E_ENCODED_NUL", "!RP_E_CTL");
    FWD2(T, "/public/a%3bb", "http://b/public/a;b", "http://b/public/a%3Bb");
    FWD(T, "/public/a%3fb", "http://b/public/a%3Fb");
    FWD(T, "/public/a%23b", "http://b/public/a%23b");
    unload(&T);
}
END_TEST

/* Traefik GHSA-fvhj-4qfh-q2hm: the fragment forwarded as %23. */
START_TEST(traefik_ghsa_fvhj_4qfh_q2hm)
{
    tables T = load("ProxyPass / http://b/\n");
    FWD(T, "/#/../admin", "!RP_E_FRAGMENT");
    /* An encoded '#' is data: the proxy sees and forwards the same path. */
    FWD(T, "/%23/../admin", "http://b/admin");
    unload(&T);
}
END_TEST

/* HAProxy CVE-2023-45539: '#' accepted in the URI. */
START_TEST(haproxy_cve_2023_45539)
{
    tables T = load("ProxyPass / http://b/\n");
    FWD(T, "/index.html#.png", "!RP_E_FRAGMENT");
    FWD(T, "/index.html%23.png", "http://b/index.html%23.png");
    unload(&T);
}
END_TEST

/* HAProxy CVE-2021-39240 / 39241 / 39242: spaces in the path; Host vs
 * authority. */
START_TEST(haproxy_cve_2021_39240)
{
    tables T = load("ProxyPass /static http://static.internal/\nProxyPass / http://app.internal/\n");
    FWD(T, "/admin? HTTP/1.1 /static", "!RP_E_CTL");
    FWD(T, "/admin?%20HTTP/1.1%20/static", "http://app.internal/admin?%20HTTP/1.1%20/static");
    host_sent(T.t[AP], AP, "http://static.internal/admin", "static.internal", "app.internal");
    host_sent(T.t[ST], ST, "/admin", "static.internal", "app.internal");
    unload(&T);
}
END_TEST

/* HAProxy CVE-2021-40346 / CVE-2023-25725: header-length overflow; empty
 * header names. */
START_TEST(haproxy_cve_2021_40346)
{
    tables T = load("ProxyPass /app http://b/app\nProxyPassReverse /app http://b/app\n");
    HDR(T, PUB, "", "http://b/app/x", "=");
    char name[301];
    memset(name, 'A', 300);
    name[300] = '\0';
    HDR(T, PUB, name, "http://b/app/x", "=");
    /* A name with a NUL is not "Location" (pointer, length). */
    for (int p = 0; p < 2; p++) {
        char out[64];
        size_t n;
        ck_assert_int_eq(rp_rewrite_response_header(T.t[p], "Location\0", 9, "http://b/app/x", 14,
                                                    NULL, 0, out, sizeof out, &n),
                         RP_NO_MATCH);
        ck_assert_str_eq(out, "http://b/app/x");
    }
    size_t len;
    char *v = repeat("http://b/app/", "v", 8192 - 13, "", &len);
    char *w = repeat("/app/", "v", 8192 - 13, "", NULL);
    rev_one(T.t[AP], AP, 'H', "Location", NULL, v, len, w);
    rev_one(T.t[ST], ST, 'H', "Location", NULL, v, len, w);
    free(w);
    free(v);
    v = repeat("http://b/app/", "v", 8193 - 13, "", &len);
    rev_one(T.t[AP], AP, 'H', "Location", PUB, v, len, "!RP_E_TOO_LONG");
    rev_one(T.t[ST], ST, 'H', "Location", PUB, v, len, "!RP_E_TOO_LONG");
    free(v);
    unload(&T);
}
END_TEST

/* Tomcat "..;/" (Orange Tsai, BH USA 2018). */
START_TEST(tomcat_dotdot_semicolon)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD2(T, "/app/..;/manager/html", "http://backend.internal:8080/internal/..;/manager/html",
         "!RP_E_DOT_PARAM");
    FWD2(T, "/app/..;x=1/manager", "http://backend.internal:8080/internal/..;x=1/manager",
         "!RP_E_DOT_PARAM");
    FWD2(T, "/app/.;/x", "http://backend.internal:8080/internal/.;/x", "!RP_E_DOT_PARAM");
    unload(&T);
    /* Apache profile, mapping=servlet: dot segments recognized by name, as
     * Tomcat does (the strict profile refuses mapping=). */
    rp_table *t = load1(RP_PROFILE_APACHE, "ProxyPass /app http://b/app mapping=servlet\n", NULL, 0);
    fwd_one(t, AP, "/app/x/..;/y", 12, HOST, sizeof HOST - 1, "http://b/app/y");
    fwd_one(t, AP, "/app/..;/manager", 16, HOST, sizeof HOST - 1, "!RP_NO_MATCH");
    rp_table_free(t);
    ck_assert_int_eq(conf_status(RP_PROFILE_STRICT, "ProxyPass /app http://b/app mapping=servlet\n"),
                     RP_E_CONFIG);
}
END_TEST

/* Tomcat CVE-2007-0450 / CVE-2008-2938 / CVE-2008-2370: '\' and %5C as
 * separators; overlong UTF-8 '.'; normalizing before stripping the query. */
START_TEST(tomcat_cve_2007_0450)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD2(T, "/app/..%5C..%5Cconf/x", "http://backend.internal:8080/internal/..%5C..%5Cconf/x",
         "!RP_E_ENCODED_SLASH");
    FWD2(T, "/app/..\\..\\conf/x", "http://backend.internal:8080/internal/..%5C..%5Cconf/x",
         "!RP_E_BACKSLASH");
    FWD2(T, "/app/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
         "http://backend.internal:8080/internal/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd",
         "!RP_E_BAD_UTF8");
    FWD(T, "/app/b?x=../../y", "http://backend.internal:8080/internal/b?x=../../y");
    FWD(T, "/app/b?/../../y", "http://backend.internal:8080/internal/b?/../../y");
    unload(&T);
}
END_TEST

/* CVE-2020-1938 "Ghostcat": metadata for the backend trusted from the proxy.
 * What revproxy emits for the backend comes from configuration. */
START_TEST(cve_2020_1938)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    host_sent(T.t[AP], AP, "/app/x", "evil.example", "backend.internal:8080");
    host_sent(T.t[ST], ST, "/app/x", "evil.example", "backend.internal:8080");
    host_sent(T.t[AP], AP, "http://evil.example/app/x", "evil.example", "backend.internal:8080");
    for (int p = 0; p < 2; p++) {
        char out[256];
        size_t n;
        rp_match m;
        ck_assert_int_eq(rp_map_request(T.t[p], "/app/a/b?x", 10, "evil.example", 12, 0, out,
                                        sizeof out, &n, &m),
                         RP_OK);
        ck_assert_uint_eq(m.rule_index, 0);
        ck_assert_str_eq(out + m.remainder_offset, "/a/b?x");
        ck_assert_str_eq(out + m.query_offset, "?x");
    }
    unload(&T);
}
END_TEST

/* Go CVE-2022-2880: query parameters the proxy could not parse forwarded. */
START_TEST(go_cve_2022_2880)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD(T, "/app/?a=1;admin=true", "http://backend.internal:8080/internal/?a=1;admin=true");
    FWD(T, "/app?a=1&a=2;x=%3b", "http://backend.internal:8080/internal?a=1&a=2;x=%3b");
    FWD(T, "/app/x??&", "http://backend.internal:8080/internal/x??&");
    unload(&T);
}
END_TEST

/* Go CVE-2022-32190: joining a base and "../x" escaped the base. */
START_TEST(go_cve_2022_32190)
{
    static const char *const confs[] = {"ProxyPass /api http://b/v1\n",
                                        "ProxyPass /api/ http://b/v1/\n"};
    for (int c = 0; c < 2; c++) {
        tables T = load(confs[c]);
        FWD(T, "/api/..", "!RP_NO_MATCH");
        FWD(T, "/api/./../x", "!RP_NO_MATCH");
        FWD(T, "/api/%2e%2e/x", "!RP_NO_MATCH");
        FWD(T, "/api/ ../x", "!RP_E_CTL");
        FWD(T, "/api/%20../x", "http://b/v1/%20../x");
        FWD2(T, "/api/..;/x", "http://b/v1/..;/x", "!RP_E_DOT_PARAM");
        unload(&T);
    }
}
END_TEST

/* Go GO-2026-6218: quadratic dot-segment removal. */
static double best_time(const rp_table *t, const char *s, size_t len, rp_status want)
{
    static char out[32768];
    double best = 1e9;
    for (int r = 0; r < 15; r++) {
        size_t n;
        double t0 = now_sec();
        rp_status st = rp_map_request(t, s, len, NULL, 0, 0, out, sizeof out, &n, NULL);
        double dt = now_sec() - t0;
        ck_assert_int_eq(st, want);
        if (dt < best)
            best = dt;
    }
    return best;
}

START_TEST(go_2026_6218)
{
    size_t len;
    char *big = repeat("", "/a/..", 1600, "", &len); /* 8000 bytes */
    tables T = load("ProxyPass / http://b/\n");
    fwd2_dyn(&T, big, len, "http://b/", "!RP_E_TOO_LONG"); /* strict: 3200 segments > 256 */
    unload(&T);
    const limit_set lim[] = {{RP_LIMIT_SEGMENTS, 100000}, {RP_LIMIT_TARGET_LEN, 16384}};
    T = load_lim("ProxyPass / http://b/\n", lim, 2);
    fwd2_dyn(&T, big, len, "http://b/", "http://b/");
    size_t len_s;
    char *small = repeat("", "/a/..", 160, "", &len_s);
    char *big2 = repeat("", "/a/..", 3200, "", &len); /* 16000 bytes */
    for (int p = 0; p < 2; p++) {
        double ts = best_time(T.t[p], small, len_s, RP_OK);
        double tb = best_time(T.t[p], big2, len, RP_OK);
        /* 20x the input: linear gives ~20x; allow noise, refuse quadratic (400x). */
        ck_assert_msg(tb <= 20 * ts * 6 + 1e-4, "%s: %g s vs %g s", PNAME[p], tb, ts);
    }
    free(small);
    free(big2);
    free(big);
    unload(&T);
}
END_TEST

/* Go CVE-2023-29406: Host with CRLF injected headers. */
START_TEST(go_cve_2023_29406)
{
    tables T = load("ProxyPass /app http://b/app\nProxyPassReverse /app http://b/app\n");
    static const char *const bad[] = {"go.dev\r\nX-Evil: oops", "go.dev\n", "go.dev/x",
                                      "a@go.dev", "go.dev:99999", "go dev", "[::1", "go.dev:x"};
    for (int p = 0; p < 2; p++) {
        char out[128];
        size_t n;
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            ck_assert_msg(rp_map_request(T.t[p], "/app", 4, bad[i], strlen(bad[i]), 0, out,
                                         sizeof out, &n, NULL) == RP_E_HOST,
                          "%s: Host %s", PNAME[p], bad[i]);
            ck_assert_msg(rp_public_origin(T.t[p], "https", 5, bad[i], strlen(bad[i]), out,
                                           sizeof out, &n) == RP_E_HOST,
                          "%s: public origin Host %s", PNAME[p], bad[i]);
        }
        rp_builder *b;
        ck_assert_int_eq(rp_builder_new(PROFILE[p], NULL, &b), RP_OK);
        ck_assert_int_eq(rp_builder_set_server_name(b, "go.dev\r\nX-Evil: oops", 21), RP_E_ARG);
        rp_builder_free(b);
    }
    LOC(T, PUB, "http://go.dev\r\nX-Evil: oops/", "!RP_E_HEADER");
    unload(&T);
    /* A ServerName line cannot carry a CR LF either. */
    CONF_REFUSED("ServerName go.dev\rX-Evil:oops\nProxyPass /app http://b/app\n");
}
END_TEST

/* Node CVE-2018-12116: path characters truncated to latin1 became CR LF. */
START_TEST(node_cve_2018_12116)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n");
    FWD2(T, "/app/\xc4\x8d\xc4\x8a", "http://backend.internal:8080/internal/%C4%8D%C4%8A",
         "!RP_E_NON_ASCII");
    FWD(T, "/app/\x0d\x0a", "!RP_E_CTL");
    FWD2(T, "/app/%c4%8d%c4%8a", "http://backend.internal:8080/internal/%C4%8D%C4%8A",
         "http://backend.internal:8080/internal/%C4%8D%C4%8A");
    unload(&T);
}
END_TEST

/* curl CVE-2016-8624 / CVE-2022-27780 / CVE-2016-8622: '#' and '%2F' in the
 * authority; signed lengths. */
START_TEST(curl_cve_2016_8624)
{
    tables T = load("ProxyPass /app http://b:8080/v1\nProxyPassReverse /app http://b:8080/v1\n");
    LOC(T, PUB, "http://b:8080#@evil.example/v1/x", "=");
    LOC(T, PUB, "http://b:8080%2F127.0.0.1/v1/x", "=");
    LOC(T, PUB, "http://b%2F:8080/v1/x", "=");
    LOC(T, PUB, "http://b:8080?@evil.example/v1/x", "=");
    char out[256];
    size_t n;
    for (int p = 0; p < 2; p++) {
        rp_status st = rp_map_destination(T.t[p], "https://www.example.com%2F127.0.0.1/app/x",
                                          41, PUB, strlen(PUB), 0, out, sizeof out, &n, NULL);
        ck_assert_msg(st == RP_E_FORBIDDEN, "%s: %s", PNAME[p], rp_status_name(st));
        st = rp_map_destination(T.t[p], "https://www.example.com#@evil.example/app/x", 43, PUB,
                                strlen(PUB), 0, out, sizeof out, &n, NULL);
        ck_assert_msg(st == RP_E_FORM, "%s: %s", PNAME[p], rp_status_name(st));
        st = rp_map_destination(T.t[p], "https://www.example.com/app/x", 29, PUB, strlen(PUB), 0,
                                out, sizeof out, &n, NULL);
        ck_assert_int_eq(st, RP_OK);
        ck_assert_str_eq(out, "http://b:8080/v1/x");
    }
    unload(&T);
}
END_TEST

/* ========================================================================
 * §1.5 Generic attack classes
 * ====================================================================== */

START_TEST(class_absolute_form)
{
    tables T = load("ProxyPass /a http://b/a\n");
    FWD2(T, "http://evil.example/a", "http://b/a", "!RP_E_FORM");
    FWD2(T, "HTTP://WWW.EXAMPLE.COM/a/x", "http://b/a/x", "!RP_E_FORM");
    FWD(T, "ftp://evil.example/a", "!RP_E_FORM");
    unload(&T);
}
END_TEST

START_TEST(class_userinfo)
{
    tables T = load("ProxyPass /v1 http://b:8080/v1\nProxyPassReverse /api http://b:8080/v1\n");
    FWD2(T, "http://public.example@evil.example/", "!RP_E_USERINFO", "!RP_E_FORM");
    FWD2(T, "http://u:p@www.example.com/v1/x", "!RP_E_USERINFO", "!RP_E_FORM");
    LOC(T, PUB, "http://b:8080@evil.example/v1/", "=");
    LOC(T, PUB, "http://u@b:8080/v1/x", "=");
    ck_assert_int_eq(rp_status_http(RP_E_USERINFO), 400);
    unload(&T);
}
END_TEST

START_TEST(class_authority_form)
{
    tables T = load("ProxyPass / http://b/\n");
    FWD(T, "a.example:443", "!RP_E_FORM");
    FWD(T, "*", "!RP_E_FORM");
    FWD(T, "[::1]:443", "!RP_E_FORM");
    unload(&T);
}
END_TEST

START_TEST(class_ipv6_literal)
{
    tables T = load("ProxyPass /api http://[FD00::5]:8080/v1\n"
                    "ProxyPassReverse /api http://[fd00::5]:8080/v1\n");
    FWD(T, "/api/x", "http://[fd00::5]:8080/v1/x");
    LOC2(T, PUB, "http://[FD00:0::5]:8080/v1/x", "=", PUB "/api/x");
    LOC2(T, PUB, "http://[fd00::5]:8080/v1/x", PUB "/api/x", PUB "/api/x");
    LOC(T, PUB, "http://[fd00::5%25eth0]:8080/v1/x", "=");
    LOC(T, PUB, "http://[fd00::5:8080/v1/x", "=");
    LOC(T, PUB, "http://[fd00::5]]:8080/v1/x", "=");
    LOC(T, PUB, "http://fd00::5:8080/v1/x", "=");
    unload(&T);
}
END_TEST

START_TEST(class_ipv4_alt_forms)
{
    tables T = load("ProxyPass /lo http://127.0.0.1/v1\nProxyPassReverse /lo http://127.0.0.1/v1\n");
    LOC(T, PUB, "http://0x7f.1/v1/x", "=");
    LOC(T, PUB, "http://2130706433/v1/x", "=");
    LOC(T, PUB, "http://0177.0.0.1/v1/x", "=");
    LOC(T, PUB, "http://127.1/v1/x", "=");
    LOC(T, PUB, "http://127.0.0.1/v1/x", PUB "/lo/x");
    unload(&T);
}
END_TEST

START_TEST(class_idna_unicode_host)
{
    tables T = load("ProxyPass /api http://backend/v1\nProxyPassReverse /api http://backend/v1\n");
    /* Cyrillic a; U+3002 ideographic full stop. */
    LOC2(T, PUB, "http://b\xd0\xb0" "ckend/v1/x", "=", "!RP_E_NON_ASCII");
    LOC2(T, PUB, "http://backend\xe3\x80\x82/v1/x", "=", "!RP_E_NON_ASCII");
    LOC(T, PUB, "http://xn--bckend-5ve/v1/x", "=");
    unload(&T);
    CONF_REFUSED("ProxyPass /api http://b\xd0\xb0" "ckend/v1\n");
}
END_TEST

START_TEST(class_case_folding)
{
    tables T = load("ProxyPass /api http://Backend:8080/v1\n"
                    "ProxyPassReverse /api http://backend:8080/v1\n");
    FWD(T, "/api/X", "http://backend:8080/v1/X");
    FWD(T, "/API/x", "!RP_NO_MATCH");
    LOC(T, PUB, "HTTP://BACKEND:8080/v1/x", PUB "/api/x");
    /* The path is case-sensitive in the strict profile; httpd compares the
     * whole URL case-insensitively ("FIXME" in ap_proxy_location_reverse_map). */
    LOC2(T, PUB, "HTTP://Backend:8080/V1/x", PUB "/api/x", "=");
    unload(&T);
}
END_TEST

START_TEST(class_default_port)
{
    tables T = load("ProxyPass /d http://b:80/v1\nProxyPassReverse /d http://b:80/v1\n"
                    "ProxyPass /s https://b/v1\nProxyPassReverse /s https://b/v1\n");
    FWD(T, "/d/x", "http://b/v1/x");
    LOC(T, PUB, "http://b:80/v1/x", PUB "/d/x");
    LOC2(T, PUB, "http://b/v1/x", "=", PUB "/d/x");
    LOC2(T, PUB, "http://b:/v1/x", "=", PUB "/d/x");
    LOC2(T, PUB, "http://b:0080/v1/x", "=", PUB "/d/x");
    LOC(T, PUB, "http://b:443/v1/x", "=");
    LOC(T, PUB, "https://b/v1/x", PUB "/s/x");
    LOC2(T, PUB, "https://b:443/v1/x", "=", PUB "/s/x");
    LOC(T, PUB, "http://b:65616/v1/x", "=");
    unload(&T);
}
END_TEST

START_TEST(class_trailing_dot)
{
    tables T = load("ProxyPass /api http://b:8080/v1\nProxyPassReverse /api http://b:8080/v1\n");
    LOC2(T, PUB, "http://b.:8080/v1/x", "=", PUB "/api/x");
    LOC(T, PUB, "http://b..:8080/v1/x", "=");
    unload(&T);
}
END_TEST

START_TEST(class_overlong_utf8)
{
    tables T = load("ProxyPass /app http://b/app\n");
    FWD2(T, "/app/%c0%ae%c0%ae/", "http://b/app/%C0%AE%C0%AE/", "!RP_E_BAD_UTF8");
    FWD2(T, "/app/%e0%80%ae", "http://b/app/%E0%80%AE", "!RP_E_BAD_UTF8");
    FWD2(T, "/app/%ed%a0%80", "http://b/app/%ED%A0%80", "!RP_E_BAD_UTF8");
    FWD2(T, "/app/%f4%90%80%80", "http://b/app/%F4%90%80%80", "!RP_E_BAD_UTF8");
    FWD2(T, "/app/%c3", "http://b/app/%C3", "!RP_E_BAD_UTF8");
    FWD(T, "/app/caf%c3%a9", "http://b/app/caf%C3%A9");
    unload(&T);
}
END_TEST

START_TEST(class_double_encoding)
{
    tables T = load("ProxyPass /app http://b/app\n");
    FWD(T, "/app/%252e%252e/admin", "http://b/app/%252e%252e/admin");
    FWD(T, "/app/%252f", "http://b/app/%252f");
    unload(&T);
}
END_TEST

START_TEST(class_nul)
{
    tables T = load("ProxyPass /app http://b/app\n");
    FWD2(T, "/app/a%00.php", "!RP_E_ENCODED_NUL", "!RP_E_CTL");
    FWD(T, "/app/a\0.php", "!RP_E_CTL");
    ck_assert_int_eq(rp_status_http(RP_E_ENCODED_NUL), 404);
    unload(&T);
}
END_TEST

START_TEST(class_backslash)
{
    tables T = load("ProxyPass /app http://b/app\n"
                    "ProxyPassReverse /app http://b/app\n");
    FWD2(T, "/app/a\\..\\b", "http://b/app/a%5C..%5Cb", "!RP_E_BACKSLASH");
    FWD2(T, "/app/a/%5c../b", "http://b/app/a/%5C../b", "!RP_E_ENCODED_SLASH");
    LOC2(T, PUB, "http://b/app/\\evil.example", PUB "/app/\\evil.example", "!RP_E_BACKSLASH");
    unload(&T);
}
END_TEST

START_TEST(class_fullwidth)
{
    tables T = load("ProxyPass /app http://b/app\n");
    FWD2(T, "/app/\xef\xbc\x85\xef\xbc\x92\xef\xbc\x85\xef\xbc\x92",
         "http://b/app/%EF%BC%85%EF%BC%92%EF%BC%85%EF%BC%92", "!RP_E_NON_ASCII");
    FWD2(T, "/app/\xef\xbc\x8f" "x", "http://b/app/%EF%BC%8Fx", "!RP_E_NON_ASCII");
    FWD(T, "/app/%ef%bc%8f", "http://b/app/%EF%BC%8F");
    unload(&T);
}
END_TEST

START_TEST(class_very_long_input)
{
    tables T = load("ProxyPass / http://b/\n");
    size_t len;
    char *s = repeat("/", "a", 1u << 20, "", &len);
    fwd2_dyn(&T, s, len, "!RP_E_TOO_LONG", "!RP_E_TOO_LONG");
    free(s);
    s = repeat("", "%41", 100000, "", &len);
    s[0] = '/';
    fwd2_dyn(&T, s, len, "!RP_E_TOO_LONG", "!RP_E_TOO_LONG");
    free(s);
    s = repeat("", "/a", 4096, "", &len); /* 8192 bytes, 4096 segments */
    char *w = repeat("http://b", "/a", 4096, "", NULL);
    fwd2_dyn(&T, s, len, w, "!RP_E_TOO_LONG");
    free(w);
    free(s);
    unload(&T);
}
END_TEST

START_TEST(class_quadratic)
{
    const limit_set lim[] = {{RP_LIMIT_SEGMENTS, 100000}, {RP_LIMIT_TARGET_LEN, 16384}};
    tables T = load_lim("ProxyPass / http://b/\n", lim, 2);
    size_t ls, lb;
    char *small = repeat("", "/.", 400, "/x", &ls);
    char *big = repeat("", "/.", 8000, "/x", &lb);
    fwd2_dyn(&T, big, lb, "http://b/x", "http://b/x");
    for (int p = 0; p < 2; p++) {
        double ts = best_time(T.t[p], small, ls, RP_OK);
        double tb = best_time(T.t[p], big, lb, RP_OK);
        ck_assert_msg(tb <= 20 * ts * 6 + 1e-4, "%s: %g s vs %g s", PNAME[p], tb, ts);
    }
    free(small);
    free(big);
    unload(&T);
    /* 10 000 prefix rules: the cost of a lookup does not grow with them. */
    size_t cap = 10000 * 48, w = 0;
    char *conf = malloc(cap);
    ck_assert_ptr_nonnull(conf);
    for (int i = 0; i < 10000; i++)
        w += (size_t)snprintf(conf + w, cap - w, "ProxyPass /r%d http://b/r%d\n", i, i);
    T = load_lim(conf, lim, 1); /* strict: allow the 3000 segments below */
    free(conf);
    FWD(T, "/r9999/x", "http://b/r9999/x");
    char *deep = repeat("/r5000", "/s", 3000, "", &lb);
    for (int p = 0; p < 2; p++) {
        static char out[16384];
        size_t n;
        double t0 = now_sec();
        for (int i = 0; i < 100; i++)
            ck_assert_int_eq(rp_map_request(T.t[p], deep, lb, NULL, 0, 0, out, sizeof out, &n,
                                            NULL),
                             RP_OK);
        ck_assert_uint_eq(n, strlen("http://b/r5000") + 2 * 3000);
        double dt = (now_sec() - t0) / 100;
        ck_assert_msg(dt < 0.05, "%s: %g s per lookup", PNAME[p], dt);
    }
    free(deep);
    unload(&T);
}
END_TEST

START_TEST(class_redos)
{
    tables T = load("ProxyPassMatch ^/(a|aa)*$ http://b/x\n"
                    "ProxyPassMatch ^/(a*)\\1*b$ http://b/y\n");
    size_t len;
    char *evil = repeat("/", "a", 8000, "!", &len);
    for (int p = 0; p < 2; p++) {
        char out[256];
        size_t n;
        double t0 = now_sec();
        rp_status st = rp_map_request(T.t[p], evil, len, NULL, 0, 0, out, sizeof out, &n, NULL);
        double dt = now_sec() - t0;
        ck_assert_msg(st == RP_E_LIMIT, "%s: %s", PNAME[p], rp_status_name(st));
        ck_assert_msg(dt < 1.0, "%s: %.3f s", PNAME[p], dt);
    }
    free(evil);
    unload(&T);
}
END_TEST

/* ========================================================================
 * §1.6 Response-header rewriting pitfalls
 * ====================================================================== */

/* Open redirect by naive prefix replace: "http://backend" matching
 * "http://backend.evil.test/x". */
START_TEST(rev_open_redirect_prefix)
{
    tables T = load("ProxyPassReverse /app http://backend\n");
    /* httpd: wrong but harmless (the host stays ours); strict: not claimed. */
    LOC2(T, PUB, "http://backend.evil.test/x", PUB "/app.evil.test/x", "=");
    LOC2(T, PUB, "http://backend@evil.test/x", PUB "/app@evil.test/x", "=");
    LOC2(T, PUB, "http://backend:80@evil.test/x", PUB "/app:80@evil.test/x", "=");
    LOC(T, PUB, "http://backend/x", PUB "/app/x");
    unload(&T);
    /* The authority is parsed and compared exactly, the path at a segment
     * boundary (R17 examples). httpd compares a plain prefix. */
    T = load("ProxyPass /api http://b:8080/v1\nProxyPassReverse /api http://b:8080/v1\n");
    LOC(T, PUB, "http://b:8080/v1/login", PUB "/api/login");
    LOC(T, PUB, "HTTP://B:8080/v1", PUB "/api");
    LOC2(T, PUB, "/v1/x", "=", "/api/x");
    LOC2(T, PUB, "http://b:8080/v1x", PUB "/apix", "=");
    LOC(T, PUB, "http://b:8080@evil.example/v1/", "=");
    LOC(T, PUB, "http://b/v1/x", "=");
    LOC2(T, PUB, "//b:8080/v1/x", "=", PUB "/api/x");
    LOC2(T, PUB, "http://b:8080/v1/\\evil", PUB "/api/\\evil", "!RP_E_BACKSLASH");
    LOC(T, PUB, "http://b:8080.evil.test/v1/x", "=");
    LOC(T, PUB, "http://b.evil.test/v1/x", "=");
    unload(&T);
    /* R17 writes the public side of a rule as an absolute URL
     * ("https://www.example.com/api"). The strict profile either refuses
     * such a PATH or maps to it exactly: never origin + URL glued together,
     * never a host that the backend's value extends. */
    static const char abs_conf[] = "ProxyPassReverse https://www.example.com/api http://b:8080/v1\n";
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    rp_status st = rp_builder_add_config(b, abs_conf, sizeof abs_conf - 1, NULL, &d);
    ck_assert_msg(st == RP_OK || st == RP_E_CONFIG, "%s", rp_status_name(st));
    if (st == RP_OK) {
        rp_table *t = NULL;
        ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
        rev_one(t, ST, 'L', NULL, NULL, "http://b:8080/v1/login", 22,
                "https://www.example.com/api/login");
        rev_one(t, ST, 'L', NULL, PUB, "http://b:8080/v1/login", 22,
                "https://www.example.com/api/login");
        rev_one(t, ST, 'L', NULL, PUB, "http://b:8080.evil.test/v1/x", 28, "=");
        rp_table_free(t);
    }
    rp_builder_free(b);
    /* httpd (Apache profile) glues PATH and the rest as text; with an
     * absolute PATH that is the open redirect of SECURITY.md §1.6, kept for
     * conformance: docs/security.md tells operators to write a path. */
}
END_TEST

/* Protocol-relative results: a rewritten value never starts with "//" or
 * "/\" (a browser would go to another host). */
START_TEST(rev_protocol_relative)
{
    tables T = load("ProxyPass / http://root.internal/\n"
                    "ProxyPassReverse / http://root.internal/\n");
    /* Without a public origin (and without ServerName) results stay relative. */
    LOC2(T, NULL, "http://root.internal//evil.example", "!RP_E_UNSAFE_OUTPUT", "/evil.example");
    LOC2(T, NULL, "http://root.internal/\\evil.example", "!RP_E_UNSAFE_OUTPUT",
         "!RP_E_BACKSLASH");
    LOC(T, NULL, "http://root.internal/x", "/x");
    LOC2(T, PUB, "http://root.internal//evil.example", PUB "//evil.example",
         PUB "//evil.example");
    unload(&T);
    /* A reverse URL without a trailing slash: httpd's "/" + "/x". */
    T = load("ProxyPassReverse / http://root.internal\n");
    LOC2(T, NULL, "http://root.internal/x", "!RP_E_UNSAFE_OUTPUT", "/x");
    LOC2(T, PUB, "http://root.internal/x", PUB "//x", PUB "/x");
    HDR2(T, NULL, "Content-Location", "http://root.internal/x", "!RP_E_UNSAFE_OUTPUT", "/x");
    HDR2(T, NULL, "Refresh", "0; url=http://root.internal//evil.example", "=", "0; url=/evil.example");
    HDR2(T, NULL, "Link", "<http://root.internal//evil.example>", "=", "</evil.example>");
    unload(&T);
    T = load("MergeSlashes Off\nProxyPass / http://root.internal/\n"
             "ProxyPassReverse / http://root.internal/\n");
    LOC2(T, NULL, "http://root.internal//evil.example", "!RP_E_UNSAFE_OUTPUT",
         "!RP_E_UNSAFE_OUTPUT");
    unload(&T);
    /* With a ServerName the Apache profile makes the result absolute, as
     * httpd always does. */
    T = load("ServerName www.example.com\nProxyPassReverse / http://root.internal\n");
    LOC2(T, NULL, "http://root.internal//evil.example", "http://www.example.com///evil.example",
         "http://www.example.com//evil.example");
    LOC2(T, NULL, "http://root.internal/x", "http://www.example.com//x", "http://www.example.com/x");
    unload(&T);
}
END_TEST

/* Cookie attribute parsing: tokenize on ';' only, never split on ','. */
START_TEST(rev_cookie_attribute_parsing)
{
    tables T = load("ProxyPassReverseCookieDomain b.internal www.example.com\n"
                    "ProxyPassReverseCookiePath /v1 /api\n");
    COOKIE(T, "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/v1",
           "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/api");
    COOKIE(T, "a=1, b=2; Domain=b.internal", "a=1, b=2; Domain=www.example.com");
    COOKIE(T, "sid=1; Domain=b.internal; Path=/v1; HttpOnly",
           "sid=1; Domain=www.example.com; Path=/api; HttpOnly");
    COOKIE2(T, "sid=1; domain=.B.Internal; path=/v1/x", "sid=1; domain=.B.Internal; path=/api",
            "sid=1; domain=www.example.com; path=/api/x");
    COOKIE2(T, "sid=1; Domain=b.internal.evil.test", "sid=1; Domain=www.example.com", "=");
    COOKIE2(T, "sid=1; Path=/v1x", "sid=1; Path=/api", "=");
    unload(&T);
}
END_TEST

/* Duplicate attributes: the httpd splice bug (SECURITY.md §1.6 finding).
 * One bounded writer pass, 1..50 duplicates (run under ASan). */
START_TEST(rev_cookie_duplicate_attrs)
{
    tables T = load("ProxyPassReverseCookiePath /app/ /pub/\n"
                    "ProxyPassReverseCookiePath /internal /p\n"
                    "ProxyPassReverseCookieDomain backend.internal.very.long.name "
                    "www.a.b.example.com\n");
    COOKIE2(T, "a=1; Path=/app/; Path=/", "=", "a=1; Path=/pub/; Path=/");
    COOKIE2(T, "a=1; Domain=backend.internal.very.long.name; Domain=x", "=",
            "a=1; Domain=www.a.b.example.com; Domain=x");
    COOKIE(T, "a=1; Domain=x; Domain=backend.internal.very.long.name",
           "a=1; Domain=x; Domain=www.a.b.example.com");
    for (size_t k = 1; k <= 50; k++) {
        size_t len;
        char *in = repeat("a=1", "; Path=/internal/x", k, "; Path=/", &len);
        char *ws = repeat("a=1", "; Path=/p/x", k, "; Path=/", NULL);
        rev_one(T.t[AP], AP, 'C', NULL, NULL, in, len, "=");
        rev_one(T.t[ST], ST, 'C', NULL, NULL, in, len, ws);
        free(in);
        free(ws);
        in = repeat("a=1", "; Path=/", k, "; Path=/internal/x", &len);
        char *wa = repeat("a=1", "; Path=/", k, "; Path=/p", NULL);
        ws = repeat("a=1", "; Path=/", k, "; Path=/p/x", NULL);
        rev_one(T.t[AP], AP, 'C', NULL, NULL, in, len, wa);
        rev_one(T.t[ST], ST, 'C', NULL, NULL, in, len, ws);
        free(in);
        free(wa);
        free(ws);
        in = repeat("a=1", "; Domain=backend.internal.very.long.name", k, "; Domain=x", &len);
        ws = repeat("a=1", "; Domain=www.a.b.example.com", k, "; Domain=x", NULL);
        rev_one(T.t[AP], AP, 'C', NULL, NULL, in, len, "=");
        rev_one(T.t[ST], ST, 'C', NULL, NULL, in, len, ws);
        free(in);
        free(ws);
    }
    unload(&T);
}
END_TEST

/* RFC 6265: the last Domain / Path counts; a leading '.' is ignored. */
START_TEST(rev_cookie_rfc6265)
{
    tables T = load("ProxyPassReverseCookieDomain b.internal www.example.com\n"
                    "ProxyPassReverseCookiePath /v1 /api\n");
    COOKIE2(T, "a=1; Path=/v1; Path=/", "=", "a=1; Path=/api; Path=/");
    COOKIE(T, "a=1; Path=/; Path=/v1", "a=1; Path=/; Path=/api");
    COOKIE2(T, "a=1; Domain=.b.internal", "=", "a=1; Domain=www.example.com");
    unload(&T);
}
END_TEST

/* Domain widening / cookie tossing; single-label targets. R18: "mapping
 * target must have >= 2 labels; widening ... requires
 * allow_cookie_domain_widening" (a flag the directive text cannot set). The
 * strict profile never applies such a rule, and tells the operator: the rule
 * is refused (RP_E_CONFIG) or accepted with a warning. */
static void strict_rule_flagged(const char *conf)
{
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    rp_status st = rp_builder_add_config(b, conf, strlen(conf), "cve.conf", &d);
    ck_assert_msg(st == RP_E_CONFIG || (st == RP_OK && rp_builder_warning_count(b) > 0),
                  "strict: %s: %s with %zu warnings: silently accepted", conf, rp_status_name(st),
                  rp_builder_warning_count(b));
    rp_builder_free(b);
}

START_TEST(rev_cookie_domain_widening)
{
    tables T = load("ProxyPassReverseCookieDomain app.b.internal example.com\n");
    COOKIE2(T, "a=1; Domain=app.b.internal", "a=1; Domain=example.com", "=");
    unload(&T);
    rp_table *t = load1(RP_PROFILE_APACHE, "ProxyPassReverseCookieDomain b.internal com\n", NULL, 0);
    rev_one(t, AP, 'C', NULL, NULL, "a=1; Domain=b.internal", 22, "a=1; Domain=com");
    rp_table_free(t);
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    if (rp_builder_add_config(b, "ProxyPassReverseCookieDomain b.internal com\n", 44, NULL, &d) ==
        RP_OK) {
        ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
        rev_one(t, ST, 'C', NULL, NULL, "a=1; Domain=b.internal", 22, "=");
        rp_table_free(t);
    }
    rp_builder_free(b);
    strict_rule_flagged("ProxyPassReverseCookieDomain b.internal com\n");
    strict_rule_flagged("ProxyPassReverseCookieDomain app.b.internal example.com\n");
}
END_TEST

/* Cookie prefixes: __Host- and __Secure- cookies are left alone (strict). */
START_TEST(rev_cookie_prefixes)
{
    tables T = load("ProxyPassReverseCookieDomain b.internal www.example.com\n"
                    "ProxyPassReverseCookiePath /v1 /api\n");
    COOKIE2(T, "__Host-s=1; Path=/v1; Secure", "__Host-s=1; Path=/api; Secure", "=");
    COOKIE2(T, "__Secure-s=1; Domain=b.internal; Secure",
            "__Secure-s=1; Domain=www.example.com; Secure", "=");
    unload(&T);
}
END_TEST

/* Headers to cover: Location, Content-Location, URI, Destination, Set-Cookie
 * (httpd); Refresh and Link as well (strict, like nginx). */
START_TEST(rev_headers_to_cover)
{
    tables T = load("ProxyPass /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                    "ProxyPassReverseCookiePath /internal /app\n");
    static const char *const loc_like[] = {"Location", "content-location", "URI", "Destination"};
    for (size_t i = 0; i < 4; i++)
        HDR(T, PUB, loc_like[i], "http://backend.internal:8080/internal/x", PUB "/app/x");
    HDR(T, PUB, "Set-Cookie", "a=1; Path=/internal", "a=1; Path=/app");
    HDR2(T, PUB, "Refresh", "0; url=http://backend.internal:8080/internal/x", "=",
         "0; url=" PUB "/app/x");
    HDR2(T, PUB, "Refresh", "5;URL='http://backend.internal:8080/internal/x'", "=",
         "5;URL='" PUB "/app/x'");
    HDR2(T, PUB, "Link", "<http://backend.internal:8080/internal/a>; rel=next", "=",
         "<" PUB "/app/a>; rel=next");
    HDR(T, PUB, "X-Other", "http://backend.internal:8080/internal/x", "=");
    /* The request-side Destination: mapped forward, only on the public origin. */
    static const struct {
        const char *v, *want;
    } dest[] = {
        {"https://www.example.com/app/x", "http://backend.internal:8080/internal/x"},
        {"/app/x", "http://backend.internal:8080/internal/x"},
        {"https://www.example.com:443/app/x", "http://backend.internal:8080/internal/x"},
        {"https://evil.example/app/x", "!RP_E_FORBIDDEN"},
        {"//evil.example/app/x", "!RP_E_FORBIDDEN"},
        {"https://u@www.example.com/app/x", "!RP_E_FORBIDDEN"},
        {"http://www.example.com/app/x", "!RP_E_FORBIDDEN"},
        {"https://www.example.com/app/../../x", "!RP_E_ABOVE_ROOT"},
        {"https://www.example.com/app/x\r\n", "!RP_E_HEADER"},
    };
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < sizeof dest / sizeof dest[0]; i++) {
            char out[256];
            size_t n;
            rp_status st = rp_map_destination(T.t[p], dest[i].v, strlen(dest[i].v), PUB,
                                              strlen(PUB), 0, out, sizeof out, &n, NULL);
            rp_status ws = RP_OK;
            if (want_status(dest[i].want, &ws))
                ck_assert_msg(st == ws, "%s: Destination %s: %s", PNAME[p], dest[i].v,
                              rp_status_name(st));
            else
                ck_assert_msg(st == RP_OK && strcmp(out, dest[i].want) == 0,
                              "%s: Destination %s: %s %s", PNAME[p], dest[i].v,
                              rp_status_name(st), out);
        }
    unload(&T);
}
END_TEST

/* Host-header poisoning: the public origin comes from the caller's
 * configuration; rp_public_origin refuses Host values that are not
 * host[:port] and falls back to ServerName without one. */
START_TEST(rev_host_header_poisoning)
{
    tables T = load("ServerName https://www.example.com\n"
                    "ProxyPass /app http://b/app\nProxyPassReverse /app http://b/app\n");
    char out[256];
    size_t n;
    static const char *const bad[] = {"evil.example/x", "a@evil.example", "evil.example\r\n",
                                      "evil example", "evil.example:0", "evil.example:65536"};
    for (int p = 0; p < 2; p++) {
        ck_assert_int_eq(rp_public_origin(T.t[p], "http", 4, NULL, 0, out, sizeof out, &n), RP_OK);
        ck_assert_str_eq(out, "https://www.example.com");
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            ck_assert_msg(rp_public_origin(T.t[p], "http", 4, bad[i], strlen(bad[i]), out,
                                           sizeof out, &n) == RP_E_HOST,
                          "%s: %s", PNAME[p], bad[i]);
    }
    LOC(T, PUB, "http://b/app/x", PUB "/app/x");
    unload(&T);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *suite(void)
{
    Suite *s = suite_create("cve");
    TCase *tc = tcase_create("cve");
    tcase_set_timeout(tc, 120);
    /* §1.1 */
    tcase_add_test(tc, cve_2021_40438);
    tcase_add_test(tc, cve_2021_41773);
    tcase_add_test(tc, cve_2021_42013);
    tcase_add_test(tc, cve_2023_25690);
    tcase_add_test(tc, cve_2024_38473);
    tcase_add_test(tc, cve_2024_38474);
    tcase_add_test(tc, cve_2024_38475);
    tcase_add_test(tc, cve_2024_38476);
    tcase_add_test(tc, cve_2024_38477);
    tcase_add_test(tc, cve_2024_39573);
    tcase_add_test(tc, cve_2011_3368);
    tcase_add_test(tc, cve_2019_10098);
    tcase_add_test(tc, cve_2019_0220);
    tcase_add_test(tc, cve_2019_10092);
    tcase_add_test(tc, cve_2016_4975);
    tcase_add_test(tc, cve_2016_4975_config_sources);
    tcase_add_test(tc, cve_2022_37436);
    tcase_add_test(tc, cve_2021_44224);
    tcase_add_test(tc, cve_2003_0542);
    tcase_add_test(tc, cve_2020_11984);
    tcase_add_test(tc, cve_2020_11993);
    tcase_add_test(tc, cve_2017_7679);
    tcase_add_test(tc, pr_61560);
    tcase_add_test(tc, pr_15207);
    /* §1.2 */
    tcase_add_test(tc, cve_2009_2629);
    tcase_add_test(tc, cve_2013_4547);
    tcase_add_test(tc, nginx_merge_slashes);
    tcase_add_test(tc, nginx_alias_off_by_slash);
    tcase_add_test(tc, nginx_uri_crlf);
    tcase_add_test(tc, nginx_proxy_pass_variables);
    tcase_add_test(tc, nginx_proxy_pass_uri);
    tcase_add_test(tc, cve_2026_42945);
    /* §1.3 */
    tcase_add_test(tc, cve_2019_9901);
    tcase_add_test(tc, cve_2019_9900);
    tcase_add_test(tc, cve_2019_18801);
    tcase_add_test(tc, cve_2019_18802);
    tcase_add_test(tc, cve_2019_15225);
    tcase_add_test(tc, cve_2021_29492);
    tcase_add_test(tc, cve_2021_32779);
    tcase_add_test(tc, cve_2021_43824);
    tcase_add_test(tc, cve_2026_73551);
    tcase_add_test(tc, cve_2025_46821);
    /* §1.4 */
    tcase_add_test(tc, traefik_cve_2026_48020);
    tcase_add_test(tc, traefik_cve_2026_40912);
    tcase_add_test(tc, traefik_cve_2025_32431);
    tcase_add_test(tc, traefik_ghsa_fvhj_4qfh_q2hm);
    tcase_add_test(tc, haproxy_cve_2023_45539);
    tcase_add_test(tc, haproxy_cve_2021_39240);
    tcase_add_test(tc, haproxy_cve_2021_40346);
    tcase_add_test(tc, tomcat_dotdot_semicolon);
    tcase_add_test(tc, tomcat_cve_2007_0450);
    tcase_add_test(tc, cve_2020_1938);
    tcase_add_test(tc, go_cve_2022_2880);
    tcase_add_test(tc, go_cve_2022_32190);
    tcase_add_test(tc, go_2026_6218);
    tcase_add_test(tc, go_cve_2023_29406);
    tcase_add_test(tc, node_cve_2018_12116);
    tcase_add_test(tc, curl_cve_2016_8624);
    /* §1.5 */
    tcase_add_test(tc, class_absolute_form);
    tcase_add_test(tc, class_userinfo);
    tcase_add_test(tc, class_authority_form);
    tcase_add_test(tc, class_ipv6_literal);
    tcase_add_test(tc, class_ipv4_alt_forms);
    tcase_add_test(tc, class_idna_unicode_host);
    tcase_add_test(tc, class_case_folding);
    tcase_add_test(tc, class_default_port);
    tcase_add_test(tc, class_trailing_dot);
    tcase_add_test(tc, class_overlong_utf8);
    tcase_add_test(tc, class_double_encoding);
    tcase_add_test(tc, class_nul);
    tcase_add_test(tc, class_backslash);
    tcase_add_test(tc, class_fullwidth);
    tcase_add_test(tc, class_very_long_input);
    tcase_add_test(tc, class_quadratic);
    tcase_add_test(tc, class_redos);
    /* §1.6 */
    tcase_add_test(tc, rev_open_redirect_prefix);
    tcase_add_test(tc, rev_protocol_relative);
    tcase_add_test(tc, rev_cookie_attribute_parsing);
    tcase_add_test(tc, rev_cookie_duplicate_attrs);
    tcase_add_test(tc, rev_cookie_rfc6265);
    tcase_add_test(tc, rev_cookie_domain_widening);
    tcase_add_test(tc, rev_cookie_prefixes);
    tcase_add_test(tc, rev_headers_to_cover);
    tcase_add_test(tc, rev_host_header_poisoning);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
