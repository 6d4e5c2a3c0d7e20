/* Guard-page tests (docs/security.md): every parser of the library reads
 * inputs that end exactly at an unreadable page, so that reading one byte
 * past the end faults and the test fails (Check reports the signal).
 *
 * Parsers covered: request-target and Host (rp_map_request), public origin
 * Host (rp_public_origin), Location (rp_rewrite_location), Set-Cookie
 * (rp_rewrite_set_cookie), every header rp_rewrite_response_header knows
 * (Location, Content-Location, URI, Destination, Set-Cookie, Refresh, Link)
 * and its header-name dispatch, WebDAV Destination and public origin
 * (rp_map_destination), the response context (public_origin, backend_url,
 * request_target), Apache directive text (rp_builder_add_config), the
 * builder's own arguments, and rp_format_forwarded.
 *
 * Every input is run in full and as every one of its prefixes (the
 * truncations "/a%", "/a%2", "http://[", "a=1; Path", "0; url=", "<http://x",
 * "ProxyPass \"/a", "<Location /x", ...), and with length 0 and a pointer to
 * the guard page itself. Outputs are placed the same way: after a size query,
 * the call is repeated with a buffer of exactly the size needed (writing one
 * byte more faults) and with one byte less (RP_E_NOSPACE, the same size).
 *
 * Public API only. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

#include "guard.h"

enum { AP = 0, ST = 1, NSET = 3 };
static const unsigned PROFILE[2] = {RP_PROFILE_APACHE, RP_PROFILE_STRICT};
static const char *const PNAME[2] = {"apache", "strict"};

/* Rule tables exercising every code path: prefix, exclusion, regex with a
 * query template, <Location> scoping, IPv6 backend, cookie rules, derived
 * reverse rules; a second set with the lenient options; a third with a
 * backend URL without a path. */
static const char *const CONF[NSET] = {
    "ServerName https://www.example.com\n"
    "ProxyPass /app/static !\n"
    "ProxyPass /app http://backend.internal:8080/internal\n"
    "ProxyPass /api http://[fd00::5]:8080/v1\n"
    "ProxyPassMatch ^/img/(.*)$ http://images.internal/static/$1\n"
    "ProxyPassMatch ^/q/([^/]*)/(.*)$ http://b/q/$2?x=$1\n"
    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
    "ProxyPassReverse /api http://[fd00::5]:8080/v1\n"
    "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
    "ProxyPassReverseCookiePath /internal /app\n"
    "<Location /loc>\n"
    "  ProxyPass http://loc.internal/l\n"
    "  ProxyPassReverse http://loc.internal/l\n"
    "  ProxyPassReverseCookiePath /l /loc\n"
    "</Location>\n",

    "MergeSlashes Off\n"
    "AllowEncodedSlashes NoDecode\n"
    "ProxyPreserveHost On\n"
    "ProxyPass / http://root.internal/\n"
    "ProxyPassReverse / http://root.internal/\n"
    "ProxyPassReverseCookieDomain root.internal www.example.com\n"
    "ProxyPassReverseCookiePath / /\n",

    "AllowEncodedSlashes On\n"
    "ProxyPass / http://root.internal\n"
    "ProxyPassReverse / http://root.internal\n",
};

static rp_table *tbl[NSET][2];
static rp_guard g_in, g_out, g_aux, g_aux2, g_aux3;

static void setup(void)
{
    ck_assert_int_eq(guard_open(&g_in, 20000), 0);
    ck_assert_int_eq(guard_open(&g_out, 70000), 0);
    ck_assert_int_eq(guard_open(&g_aux, 4096), 0);
    ck_assert_int_eq(guard_open(&g_aux2, 4096), 0);
    ck_assert_int_eq(guard_open(&g_aux3, 4096), 0);
    for (int s = 0; s < NSET; s++)
        for (int p = 0; p < 2; p++) {
            rp_builder *b = NULL;
            rp_diag d;
            ck_assert_int_eq(rp_builder_new(PROFILE[p], NULL, &b), RP_OK);
            rp_status st = rp_builder_add_config(b, CONF[s], strlen(CONF[s]), "guard.conf", &d);
            ck_assert_msg(st == RP_OK, "%s set %d: %s %u: %s", PNAME[p], s, rp_status_name(st),
                          d.line, d.message);
            ck_assert_int_eq(rp_builder_compile(b, &tbl[s][p], &d), RP_OK);
            rp_builder_free(b);
        }
}

static void teardown(void)
{
    for (int s = 0; s < NSET; s++)
        for (int p = 0; p < 2; p++) {
            rp_table_free(tbl[s][p]);
            tbl[s][p] = NULL;
        }
    guard_close(&g_in);
    guard_close(&g_out);
    guard_close(&g_aux);
    guard_close(&g_aux2);
    guard_close(&g_aux3);
}

/* ------------------------------------------------------------------------
 * The driver: one call shape for every function under test.
 * ---------------------------------------------------------------------- */

typedef struct call {
    const rp_table *t;
    int             p;
    const char     *name;     /* header name (kind 'H') */
    size_t          name_len;
    const char     *aux;      /* host / public origin / scheme, depending on kind */
    size_t          aux_len;
    const rp_response_ctx *ctx;
    char            kind;
} call;

static rp_status invoke(const call *c, const char *in, size_t len, char *out, size_t out_size,
                        size_t *out_len)
{
    rp_match m;
    switch (c->kind) {
    case 'M': /* target */
        return rp_map_request(c->t, in, len, c->aux, c->aux_len, 0, out, out_size, out_len, &m);
    case 'h': /* Host header of a request */
        return rp_map_request(c->t, "/app/x", 6, in, len, 0, out, out_size, out_len, &m);
    case 'O': /* rp_public_origin host */
        return rp_public_origin(c->t, c->aux, c->aux_len, in, len, out, out_size, out_len);
    case 'o': /* rp_public_origin scheme */
        return rp_public_origin(c->t, in, len, "www.example.com", 15, out, out_size, out_len);
    case 'L':
        return rp_rewrite_location(c->t, in, len, c->ctx, 0, out, out_size, out_len);
    case 'C':
        return rp_rewrite_set_cookie(c->t, in, len, c->ctx, 0, out, out_size, out_len);
    case 'H':
        return rp_rewrite_response_header(c->t, c->name, c->name_len, in, len, c->ctx, 0, out,
                                          out_size, out_len);
    case 'N': /* header name */
        return rp_rewrite_response_header(c->t, in, len, c->aux, c->aux_len, c->ctx, 0, out,
                                          out_size, out_len);
    case 'D': /* Destination value */
        return rp_map_destination(c->t, in, len, c->aux, c->aux_len, 0, out, out_size, out_len,
                                  &m);
    case 'd': /* Destination public origin */
        return rp_map_destination(c->t, c->aux, c->aux_len, in, len, 0, out, out_size, out_len,
                                  &m);
    default:
        ck_abort_msg("bad kind %c", c->kind);
        return RP_E_INTERNAL;
    }
}

static unsigned long n_calls;

/* Results of calls whose status does not matter here (only that they do not
 * fault); warn_unused_result is not silenced by a cast. */
static void ignore(rp_status st)
{
    (void)st;
}

/* Disagreements between a size query and the write that follows (R23) are
 * collected, not fatal, so that the rest of the inputs still run through the
 * guard pages; each test fails at its end if there were any. */
static unsigned long n_mismatch;
static char first_mismatch[512];

static void mismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mismatch(const char *fmt, ...)
{
    if (n_mismatch++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(first_mismatch, sizeof first_mismatch, fmt, ap);
        va_end(ap);
    }
}

static void no_mismatch(void)
{
    ck_assert_msg(n_mismatch == 0, "%lu size/write disagreements; first: %s", n_mismatch,
                  first_mismatch);
}

/* Run one input of len bytes placed at the end of g_in. */
static void run_one(const call *c, const char *s, size_t len)
{
    const char *in = guard_put(&g_in, s, len);
    ck_assert_ptr_nonnull(in);
    size_t n1 = 0, n2 = 0, n3 = 0;
    rp_status st1 = invoke(c, in, len, NULL, 0, &n1);
    n_calls++;
    if (st1 != RP_E_NOSPACE) {
        /* A status that does not depend on the buffer: the same with room.
         * The forward functions answer RP_NO_MATCH / RP_EXCLUDED without
         * writing; the reverse ones always write the value to send. */
        char *o = guard_out(&g_out, 4096);
        rp_status st2 = invoke(c, in, len, o, 4096, &n2);
        if (st2 != st1)
            mismatch("%s %c: %.*s: %s with no buffer, %s with one", PNAME[c->p], c->kind,
                     (int)len, in, rp_status_name(st1), rp_status_name(st2));
        int forward = c->kind == 'M' || c->kind == 'h' || c->kind == 'D' || c->kind == 'd';
        ck_assert_msg(st1 != RP_OK && st1 != RP_E_INTERNAL &&
                          (forward || (st1 != RP_NO_MATCH && st1 != RP_EXCLUDED)),
                      "%s %c: %.*s: %s with no buffer", PNAME[c->p], c->kind, (int)len, in,
                      rp_status_name(st1));
        return;
    }
    ck_assert_msg(n1 < 70000, "%s %c: size %zu", PNAME[c->p], c->kind, n1);
    /* Exactly the room needed, ending at the guard page. */
    char *o = guard_out(&g_out, n1 + 1);
    rp_status st2 = invoke(c, in, len, o, n1 + 1, &n2);
    if (st2 != RP_OK && st2 != RP_NO_MATCH) {
        mismatch("%s %c: %.*s: measured %zu, then %s", PNAME[c->p], c->kind, (int)len, in, n1,
                 rp_status_name(st2));
        return;
    }
    if (n2 != n1 || o[n1] != '\0') {
        mismatch("%s %c: %.*s: measured %zu, wrote %zu", PNAME[c->p], c->kind, (int)len, in, n1,
                 n2);
        return;
    }
    /* One byte short: refused with the same size, nothing written past. */
    o = guard_out(&g_out, n1);
    rp_status st3 = invoke(c, in, len, o, n1, &n3);
    if (st3 != RP_E_NOSPACE || n3 != n1)
        mismatch("%s %c: %.*s: short buffer: %s %zu/%zu", PNAME[c->p], c->kind, (int)len, in,
                 rp_status_name(st3), n3, n1);
}

/* Every prefix (length 0 .. strlen) of every input, on every table. */
static void run_prefixes(call c, const char *const *inputs, size_t count)
{
    for (int s = 0; s < NSET; s++)
        for (int p = 0; p < 2; p++) {
            c.t = tbl[s][p];
            c.p = p;
            for (size_t i = 0; i < count; i++) {
                size_t len = strlen(inputs[i]);
                for (size_t k = 0; k <= len; k++)
                    run_one(&c, inputs[i], k);
            }
        }
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static rp_response_ctx pub_ctx(void)
{
    rp_response_ctx ctx = {"https://www.example.com", 23,
                           "http://backend.internal:8080/internal/a/b?c", 43, "/app/a/b?c", 10};
    return ctx;
}

/* ------------------------------------------------------------------------
 * Inputs
 * ---------------------------------------------------------------------- */

static const char *const TARGETS[] = {
    "/a%2e%2e/", "/a%zz", "/app/.%2e/app/x", "/app/..;/x", "/app/.;x", "/app/..%3B/x",
    "/app/%2e%2E/%2E", "/app/a%2Fb%2f", "/app/a%5c", "/app/%00", "/app/%c3%a9%c3",
    "/app/%e0%80%ae", "/app/%f4%90%80%80", "/app/\xc3\xa9\xc3", "/app/a\\b", "/app/x#f",
    "/app/x?q=%2", "/app/x?q=%", "/app//x//", "//app", "/app/static/x", "/api/v?x=1&y",
    "/img/a/b.png", "/q/k%26v/rest?z=1", "/loc/x/y", "/..", "/./.", "/a/b/../../..",
    "http://h/app/x?q", "HTTPS://H:443/app", "http:/app/x", "http://[", "http://[::1]:8/app",
    "http://u@h/", "http://h:99999/app", "http://", "https:", "*", "@h/x", ":@h/",
    "/app/x y", "/app/\x01", "/app/\x7f", "/\"<>[]^`{|}", "/~user/%7Euser", "/app/%",
};

static const char *const HOSTS[] = {
    "www.example.com:8080", "[fd00::5]:443", "[fd00::5", "[::ffff:1.2.3.4]", "h:", "1.2.3.4:0",
    "a_b.example", "h:65536", "xn--bcher-kva.example.", "[v1.x]",
};

static const char *const LOCATIONS[] = {
    "http://backend.internal:8080/internal/x?y=1#z", "HTTP://BACKEND.INTERNAL.:08080/internal",
    "http://[fd00::5]:8080/v1/x", "http://[FD00:0::5]:8080/v1", "http://[fd00::5%25eth0]:8080/",
    "//backend.internal:8080/internal/x", "../x/./y", "?q", "#f", "x", "/internal/%2",
    "http://backend.internal:8080@evil.example/internal", "http://root.internal//evil",
    "http://root.internal/\\evil", "http://loc.internal/l/x", "http:", "http://",
    "https://root.internal:443/", "/internal/\xc3\xa9",
};

static const char *const COOKIES[] = {
    "a=1; Path=/internal/x; Domain=.backend.internal; Secure; HttpOnly",
    "a=\"1;2\"; Path=/internal; Path=/l/x", "__Host-a=1; Path=/; Secure",
    "__Secure-a=1; Domain=root.internal", "domain=backend.internal; path=/internal",
    "a=1;Path =/internal;  Domain = ROOT.INTERNAL ;", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT",
    "=; ;;", "a=1; Path=/l",
};

static const char *const REFRESHES[] = {
    "0; url=http://backend.internal:8080/internal/x", "5;URL='/internal/x'",
    "0; url=\"/internal", "0,url=/internal/y", "10 ; Url = http://root.internal/x",
    "0; url='http://backend.internal:8080/internal/\\'",
};

static const char *const LINKS[] = {
    "<http://backend.internal:8080/internal/a>; rel=next, </internal/b>; anchor=\"/internal/c\"",
    "<http://root.internal/x>; title=\"a,b\\\"c\", <y>; anchor=/internal/z",
    "<a>; anchor=", "<a>;rel=\"x", " , <http://backend.internal:8080/internal>",
};

static const char *const DESTINATIONS[] = {
    "https://www.example.com/app/x?y", "https://WWW.EXAMPLE.COM:443/app", "https://[",
    "https://www.example.com", "/app/%2e%2e/x", "//www.example.com/app", "https://u@h/app",
};

static const char *const ORIGINS[] = {
    "https://www.example.com:8443", "http://[fd00::5]", "https://", "http:/x", "https://h:",
};

static const char *const NAMES[] = {
    "Location", "content-location", "URI", "Destination", "set-cookie", "REFRESH", "Link",
    "X-Other", "Locatio", "Set-Cookie2",
};

/* ------------------------------------------------------------------------
 * Tests
 * ---------------------------------------------------------------------- */

START_TEST(guard_self_test)
{
    /* The method works: reading the byte after an input faults. Restore the
     * default action first, in case a sanitizer runtime installed its own
     * SIGSEGV handler (which would exit instead of raising the signal). */
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    const char *p = guard_put(&g_in, "abc", 3);
    volatile char c = p[3];
    (void)c;
}
END_TEST

START_TEST(guard_targets)
{
    call c = {.kind = 'M'};
    run_prefixes(c, TARGETS, COUNT(TARGETS));
    c.aux = "www.example.com";
    c.aux_len = 15;
    run_prefixes(c, TARGETS, COUNT(TARGETS));
    no_mismatch();
}
END_TEST

START_TEST(guard_hosts)
{
    call c = {.kind = 'h'};
    run_prefixes(c, HOSTS, COUNT(HOSTS));
    c.kind = 'O';
    c.aux = "https";
    c.aux_len = 5;
    run_prefixes(c, HOSTS, COUNT(HOSTS));
    static const char *const schemes[] = {"https", "HTTP", "ws"};
    c.kind = 'o';
    run_prefixes(c, schemes, COUNT(schemes));
    no_mismatch();
}
END_TEST

START_TEST(guard_location)
{
    rp_response_ctx ctx = pub_ctx();
    call c = {.kind = 'L', .ctx = &ctx};
    run_prefixes(c, LOCATIONS, COUNT(LOCATIONS));
    c.ctx = NULL;
    run_prefixes(c, LOCATIONS, COUNT(LOCATIONS));
    no_mismatch();
}
END_TEST

START_TEST(guard_set_cookie)
{
    rp_response_ctx ctx = pub_ctx();
    call c = {.kind = 'C', .ctx = &ctx};
    run_prefixes(c, COOKIES, COUNT(COOKIES));
    ctx.request_target = "/loc/x";
    ctx.request_target_len = 6;
    run_prefixes(c, COOKIES, COUNT(COOKIES));
    no_mismatch();
}
END_TEST

START_TEST(guard_response_headers)
{
    rp_response_ctx ctx = pub_ctx();
    call c = {.kind = 'H', .ctx = &ctx};
    c.name = "Refresh";
    c.name_len = 7;
    run_prefixes(c, REFRESHES, COUNT(REFRESHES));
    c.name = "Link";
    c.name_len = 4;
    run_prefixes(c, LINKS, COUNT(LINKS));
    c.name = "Location";
    c.name_len = 8;
    run_prefixes(c, LOCATIONS, COUNT(LOCATIONS));
    c.name = "Set-Cookie";
    c.name_len = 10;
    run_prefixes(c, COOKIES, COUNT(COOKIES));
    c.name = "Content-Location";
    c.name_len = 16;
    run_prefixes(c, LOCATIONS, COUNT(LOCATIONS));
    c.name = "Destination";
    c.name_len = 11;
    run_prefixes(c, DESTINATIONS, COUNT(DESTINATIONS));
    no_mismatch();
}
END_TEST

START_TEST(guard_header_names)
{
    /* The name ends at the guard page; the value is an ordinary string. */
    rp_response_ctx ctx = pub_ctx();
    call c = {.kind = 'N', .ctx = &ctx};
    c.aux = "http://backend.internal:8080/internal/x";
    c.aux_len = strlen(c.aux);
    run_prefixes(c, NAMES, COUNT(NAMES));
    c.aux = "0; url=/internal";
    c.aux_len = strlen(c.aux);
    run_prefixes(c, NAMES, COUNT(NAMES));
    no_mismatch();
}
END_TEST

START_TEST(guard_destination)
{
    call c = {.kind = 'D', .aux = "https://www.example.com", .aux_len = 23};
    run_prefixes(c, DESTINATIONS, COUNT(DESTINATIONS));
    c.kind = 'd';
    c.aux = "https://www.example.com/app/x";
    c.aux_len = strlen(c.aux);
    run_prefixes(c, ORIGINS, COUNT(ORIGINS));
    no_mismatch();
}
END_TEST

/* The response context's strings end at guard pages too. */
START_TEST(guard_ctx)
{
    static const char *const backends[] = {"http://backend.internal:8080/internal/a/b?c",
                                           "http://[fd00::5]:8080/v1/", "http://root.internal",
                                           "http://loc.internal/l/x/"};
    static const char *const reqs[] = {"/app/a/b?c", "/loc/x?y", "/loc", "/"};
    static const char *const values[] = {"x/../y", "http://backend.internal:8080/internal/x",
                                         "/l/x", "a=1; Path=/l/x", "?q"};
    for (int s = 0; s < NSET; s++)
        for (int p = 0; p < 2; p++)
            for (size_t o = 0; o < COUNT(ORIGINS); o++)
                for (size_t bi = 0; bi < COUNT(backends); bi++)
                    for (size_t r = 0; r < COUNT(reqs); r++) {
                        /* Every prefix of each field, the others whole. */
                        const char *full[3] = {ORIGINS[o], backends[bi], reqs[r]};
                        for (int f = 0; f < 3; f++)
                            for (size_t k = 0; k <= strlen(full[f]); k++) {
                                size_t l0 = f == 0 ? k : strlen(full[0]);
                                size_t l1 = f == 1 ? k : strlen(full[1]);
                                size_t l2 = f == 2 ? k : strlen(full[2]);
                                rp_response_ctx ctx = {guard_put(&g_aux, full[0], l0), l0,
                                                       guard_put(&g_aux2, full[1], l1), l1,
                                                       guard_put(&g_aux3, full[2], l2), l2};
                                call c = {.t = tbl[s][p], .p = p, .ctx = &ctx};
                                for (size_t v = 0; v < COUNT(values); v++) {
                                    c.kind = v == 3 ? 'C' : 'L';
                                    run_one(&c, values[v], strlen(values[v]));
                                }
                            }
                    }
    no_mismatch();
}
END_TEST

/* Directive text: each text in full and every prefix, both profiles. */
static const char *const CONFIG_TEXTS[] = {
    "ProxyPass \"/a b\" 'http://h/x y' timeout=5 retry=0",
    "<Location /x>\nProxyPass http://h/x\nProxyPassReverse http://h/x\n</Location>",
    "<LocationMatch ^/m/(.*)$>\n ProxyPass http://h/$1\n</LocationMatch>",
    "ProxyPassMatch ^/(a)(b)?$ http://b/$1$2 nocanon",
    "ProxyPass /b\\\n/c http://h/\\\r\n",
    "# comment \\\ncontinued\nProxyPass /d !",
    "\xef\xbb\xbfProxyPass / http://h/",
    "ProxyPass '/q\\'x' \"http://h/\\\"\"",
    "ServerName https://www.example.com:8443\nProxyPreserveHost On\nMergeSlashes Off",
    "AllowEncodedSlashes NoDecode\nProxyPass ~ ^/r(.*) http://h$1",
    "ProxyPassReverseCookieDomain a.internal b.example\nProxyPassReverseCookiePath /a /b",
    "ProxyPass /e http://h/ mapping=servlet status=+H flushwait=100 connectiontimeout=5ms",
    "ProxyPass /f http://[fd00::1]:08080/ keepalive=On lbset=1 loadfactor=2.5",
    "ProxyPassReverse /g http://h/g interpolate\nSomeOtherDirective x y",
    "ProxyPass /h http://h/${VAR}",
    "<Location ~ \"^/z\">\n  ProxyPass http://h/\n",
    "</Location>",
    "ProxyPass \"/unterminated",
    "ProxyPass /x http://h/ \\",
};

START_TEST(guard_config_text)
{
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < COUNT(CONFIG_TEXTS); i++) {
            size_t len = strlen(CONFIG_TEXTS[i]);
            for (size_t k = 0; k <= len; k++) {
                const char *text = guard_put(&g_in, CONFIG_TEXTS[i], k);
                rp_builder *b = NULL;
                rp_diag d;
                ck_assert_int_eq(rp_builder_new(PROFILE[p], NULL, &b), RP_OK);
                rp_status st = rp_builder_add_config(b, text, k, "guard.conf", &d);
                n_calls++;
                ck_assert_msg(st != RP_E_INTERNAL && st != RP_E_ARG, "%s: %.*s: %s", PNAME[p],
                              (int)k, text, rp_status_name(st));
                if (st != RP_OK)
                    ck_assert_msg(d.offset <= k && d.message[0] != '\0' &&
                                      memchr(d.message, '\0', sizeof d.message) != NULL,
                                  "%s: %.*s: diag offset %zu", PNAME[p], (int)k, text, d.offset);
                size_t nw = rp_builder_warning_count(b);
                for (size_t w = 0; w < nw; w++) {
                    rp_diag wd;
                    ck_assert_int_eq(rp_builder_warning(b, w, &wd), RP_OK);
                }
                rp_table *t = NULL;
                if (rp_builder_compile(b, &t, &d) == RP_OK) {
                    char out[256];
                    size_t n;
                    ignore(rp_map_request(t, "/a b", 4, NULL, 0, 0, out, sizeof out, &n, NULL));
                    rp_table_free(t);
                }
                rp_builder_free(b);
            }
        }
}
END_TEST

/* The builder's own arguments. */
START_TEST(guard_builder_args)
{
    static const char *const paths[] = {"/app/x", "/a%2e%2e", "/", "/a/../b", "/%zz"};
    static const char *const urls[] = {"http://h:8080/x?y", "https://[fd00::1]:443/",
                                       "http://u@h/", "http://h:99999/", "ws://h"};
    static const char *const regexes[] = {"^/(a+)+$", "^/(x", "(?i)^/A/(.*)$", "\\"};
    static const char *const templates[] = {"http://h/$1?q=$2", "http://h/\\$1&", "http://$1/"};
    static const char *const domains[] = {"a.internal", ".B.Example", "com", "x"};
    static const char *const names[] = {"https://www.example.com:8443", "h", "[::1]:80", "ftp://x"};
    for (int p = 0; p < 2; p++) {
        rp_builder *b = NULL;
        rp_diag d;
        ck_assert_int_eq(rp_builder_new(PROFILE[p], NULL, &b), RP_OK);
        for (size_t i = 0; i < COUNT(paths); i++)
            for (size_t j = 0; j < COUNT(urls); j++)
                for (size_t k = 0; k <= strlen(paths[i]); k++)
                    for (size_t l = 0; l <= strlen(urls[j]); l += 3) {
                        const char *pp = guard_put(&g_aux, paths[i], k);
                        const char *uu = guard_put(&g_aux2, urls[j], l);
                        ignore(rp_builder_add_pass(b, pp, k, uu, l, 0, &d));
                        ignore(rp_builder_add_reverse(b, pp, k, uu, l, pp, k, &d));
                        n_calls += 2;
                    }
        for (size_t i = 0; i < COUNT(regexes); i++)
            for (size_t j = 0; j < COUNT(templates); j++)
                for (size_t k = 0; k <= strlen(regexes[i]); k++)
                    for (size_t l = 0; l <= strlen(templates[j]); l++) {
                        const char *rr = guard_put(&g_aux, regexes[i], k);
                        const char *tt = guard_put(&g_aux2, templates[j], l);
                        ignore(rp_builder_add_pass_match(b, rr, k, tt, l, 0, &d));
                        n_calls++;
                    }
        for (size_t i = 0; i < COUNT(domains); i++)
            for (size_t j = 0; j < COUNT(domains); j++)
                for (size_t k = 0; k <= strlen(domains[i]); k++)
                    for (size_t l = 0; l <= strlen(domains[j]); l++) {
                        const char *a = guard_put(&g_aux, domains[i], k);
                        const char *c = guard_put(&g_aux2, domains[j], l);
                        const char *loc = guard_put(&g_aux3, "/loc", 4);
                        ignore(rp_builder_add_cookie_domain(b, a, k, c, l, loc, 4, 0, &d));
                        ignore(rp_builder_add_cookie_path(b, a, k, c, l, NULL, 0, 0, &d));
                        n_calls += 2;
                    }
        for (size_t i = 0; i < COUNT(names); i++)
            for (size_t k = 0; k <= strlen(names[i]); k++) {
                ignore(rp_builder_set_server_name(b, guard_put(&g_aux, names[i], k), k));
                n_calls++;
            }
        rp_table *t = NULL;
        ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
        rp_table_free(t);
        rp_builder_free(b);
    }
}
END_TEST

/* rp_format_forwarded: every string field ends at a guard page. */
START_TEST(guard_forwarded)
{
    static const char *const addrs[] = {"192.0.2.60", "2001:db8::1", "unknown", "_hidden", "1.2.3"};
    static const char *const hosts[] = {"www.example.com:8443", "[::1]"};
    static const char *const protos[] = {"https", "http"};
    static const char *const prefixes[] = {"/app/", "/"};
    static const char *const priors[] = {"for=1.2.3.4;proto=http", "10.0.0.1, 10.0.0.2"};
    static const unsigned which[] = {RP_FWD_X_FORWARDED_FOR, RP_FWD_X_FORWARDED_HOST,
                                     RP_FWD_X_FORWARDED_PROTO, RP_FWD_X_FORWARDED_PREFIX,
                                     RP_FWD_FORWARDED};
    const char *const *fields[6] = {addrs, hosts, protos, prefixes, addrs, priors};
    const size_t counts[6] = {COUNT(addrs), COUNT(hosts), COUNT(protos), COUNT(prefixes),
                              COUNT(addrs), COUNT(priors)};
    for (size_t w = 0; w < COUNT(which); w++)
        for (int f = 0; f < 6; f++)
            for (size_t i = 0; i < counts[f]; i++) {
                const char *full = fields[f][i];
                for (size_t k = 0; k <= strlen(full); k++) {
                    rp_forwarded in = {"192.0.2.60", 10, 8080, "www.example.com", 15,
                                       "https", 5, "/app", 4, "203.0.113.43", 12, NULL, 0};
                    const char *g = guard_put(&g_in, full, k);
                    switch (f) {
                    case 0: in.client_addr = g; in.client_addr_len = k; break;
                    case 1: in.host = g; in.host_len = k; break;
                    case 2: in.proto = g; in.proto_len = k; break;
                    case 3: in.prefix = g; in.prefix_len = k; break;
                    case 4: in.by = g; in.by_len = k; break;
                    default: in.prior = g; in.prior_len = k; break;
                    }
                    size_t n = 0, n2 = 0;
                    rp_status st = rp_format_forwarded(which[w], &in, NULL, 0, &n);
                    n_calls++;
                    if (st == RP_E_NOSPACE) {
                        char *o = guard_out(&g_out, n + 1);
                        ck_assert_int_eq(rp_format_forwarded(which[w], &in, o, n + 1, &n2), RP_OK);
                        ck_assert_uint_eq(n2, n);
                        o = guard_out(&g_out, n);
                        ck_assert_int_eq(rp_format_forwarded(which[w], &in, o, n, &n2),
                                         RP_E_NOSPACE);
                    } else {
                        ck_assert_msg(st == RP_E_ARG || st == RP_E_HEADER, "%u %d %.*s: %s",
                                      which[w], f, (int)k, g, rp_status_name(st));
                    }
                }
            }
}
END_TEST

/* Length 0 with a pointer at the guard page itself: nothing may be read. */
START_TEST(guard_empty)
{
    const char *z = guard_put(&g_in, NULL, 0);
    ck_assert_ptr_eq(z, guard_end(&g_in));
    rp_response_ctx ctx = {z, 0, z, 0, z, 0};
    char out[64];
    size_t n;
    rp_match m;
    for (int s = 0; s < NSET; s++)
        for (int p = 0; p < 2; p++) {
            const rp_table *t = tbl[s][p];
            ck_assert_int_eq(rp_map_request(t, z, 0, NULL, 0, 0, out, sizeof out, &n, &m),
                             RP_E_FORM);
            ck_assert_int_eq(rp_map_request(t, "/app", 4, z, 0, 0, out, sizeof out, &n, &m),
                             RP_E_HOST);
            ck_assert_int_eq(rp_public_origin(t, "http", 4, z, 0, out, sizeof out, &n), RP_E_HOST);
            ignore(rp_public_origin(t, z, 0, "h", 1, out, sizeof out, &n));
            ck_assert_int_eq(rp_rewrite_location(t, z, 0, &ctx, 0, out, sizeof out, &n),
                             RP_NO_MATCH);
            ck_assert_int_eq(rp_rewrite_set_cookie(t, z, 0, &ctx, 0, out, sizeof out, &n),
                             RP_NO_MATCH);
            for (size_t i = 0; i < COUNT(NAMES); i++)
                ck_assert_int_eq(rp_rewrite_response_header(t, NAMES[i], strlen(NAMES[i]), z, 0,
                                                            &ctx, 0, out, sizeof out, &n),
                                 RP_NO_MATCH);
            ck_assert_int_eq(rp_rewrite_response_header(t, z, 0, "x", 1, &ctx, 0, out, sizeof out,
                                                        &n),
                             RP_NO_MATCH);
            ignore(rp_map_destination(t, z, 0, z, 0, 0, out, sizeof out, &n, &m));
            ignore(rp_map_destination(t, "/app/x", 6, z, 0, 0, out, sizeof out, &n, &m));
            /* Empty output buffer at the guard page: only a size. */
            rp_status full = rp_map_request(t, "/app/x", 6, NULL, 0, 0, out, sizeof out, &n, &m);
            char *o = guard_out(&g_out, 0);
            ck_assert_int_eq(rp_map_request(t, "/app/x", 6, NULL, 0, 0, o, 0, &n, &m),
                             full == RP_OK ? RP_E_NOSPACE : full);
        }
    for (int p = 0; p < 2; p++) {
        rp_builder *b = NULL;
        rp_diag d;
        ck_assert_int_eq(rp_builder_new(PROFILE[p], NULL, &b), RP_OK);
        ck_assert_int_eq(rp_builder_add_config(b, z, 0, "empty", &d), RP_OK);
        ignore(rp_builder_add_pass(b, z, 0, z, 0, 0, &d));
        ignore(rp_builder_add_pass_match(b, z, 0, z, 0, 0, &d));
        ignore(rp_builder_add_reverse(b, z, 0, z, 0, z, 0, &d));
        ignore(rp_builder_add_cookie_domain(b, z, 0, z, 0, z, 0, 0, &d));
        ignore(rp_builder_add_cookie_path(b, z, 0, z, 0, z, 0, 0, &d));
        ignore(rp_builder_set_server_name(b, z, 0));
        rp_builder_free(b);
    }
    rp_forwarded in = {z, 0, 0, z, 0, z, 0, z, 0, z, 0, z, 0};
    for (unsigned w = RP_FWD_X_FORWARDED_FOR; w <= RP_FWD_FORWARDED; w++)
        ignore(rp_format_forwarded(w, &in, out, sizeof out, &n));
}
END_TEST

/* Long inputs ending at the guard page, around the limits. */
START_TEST(guard_long)
{
    static char buf[20000];
    for (int s = 0; s < NSET; s++)
        for (int p = 0; p < 2; p++) {
            rp_response_ctx ctx = pub_ctx();
            for (size_t len = 8180; len <= 8200; len++) {
                memset(buf, 'a', len);
                memcpy(buf, "/app/", 5);
                buf[len - 1] = '%';
                call c = {.t = tbl[s][p], .p = p, .kind = 'M'};
                run_one(&c, buf, len);
                memcpy(buf, "http://backend.internal:8080/internal/", 38);
                c.kind = 'L';
                c.ctx = &ctx;
                run_one(&c, buf, len);
                memcpy(buf, "a=1; Path=/internal/", 20);
                c.kind = 'C';
                run_one(&c, buf, len);
            }
        }
    no_mismatch();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("guard");
    TCase *tc = tcase_create("guard");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test_raise_signal(tc, guard_self_test, SIGSEGV);
    tcase_add_test(tc, guard_targets);
    tcase_add_test(tc, guard_hosts);
    tcase_add_test(tc, guard_location);
    tcase_add_test(tc, guard_set_cookie);
    tcase_add_test(tc, guard_response_headers);
    tcase_add_test(tc, guard_header_names);
    tcase_add_test(tc, guard_destination);
    tcase_add_test(tc, guard_ctx);
    tcase_add_test(tc, guard_config_text);
    tcase_add_test(tc, guard_builder_args);
    tcase_add_test(tc, guard_forwarded);
    tcase_add_test(tc, guard_empty);
    tcase_add_test(tc, guard_long);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    /* The signal test needs fork mode; CK_FORK=no in the environment would
     * turn its expected SIGSEGV into a crash of the whole run. */
    srunner_set_fork_status(sr, CK_FORK);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
