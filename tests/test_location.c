/* rp_rewrite_location, rp_public_origin, rp_map_destination: the strict
 * profile's rules (SECURITY.md R16-R17) and the buffer contract. The Apache
 * profile is covered case by case by the conformance suite. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

#include <revproxy/revproxy.h>

static rp_table *strict_table(const char *fake, const char *real, const char *pass_prefix,
                              const char *pass_url)
{
    rp_builder *b;
    rp_table *t;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    if (fake)
        ck_assert_int_eq(rp_builder_add_reverse(b, fake, strlen(fake), real, strlen(real), NULL, 0,
                                                &d),
                         RP_OK);
    if (pass_prefix)
        ck_assert_int_eq(rp_builder_add_pass(b, pass_prefix, strlen(pass_prefix), pass_url,
                                             strlen(pass_url), 0, &d),
                         RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    return t;
}

/* want: the value to send, or "!STATUS" */
static void loc(const rp_table *t, const char *origin, const char *backend_url, const char *value,
                const char *want)
{
    rp_response_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.public_origin = origin;
    ctx.public_origin_len = origin ? strlen(origin) : 0;
    ctx.backend_url = backend_url;
    ctx.backend_url_len = backend_url ? strlen(backend_url) : 0;
    char out[512];
    size_t n = 0;
    rp_status st = rp_rewrite_location(t, value, strlen(value), &ctx, 0, out, sizeof out, &n);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "%s: got %s, want %s", value,
                      rp_status_name(st), want + 1);
        return;
    }
    ck_assert_msg(st == RP_OK || st == RP_NO_MATCH, "%s: got %s", value, rp_status_name(st));
    ck_assert_msg(strcmp(out, want) == 0 && n == strlen(want), "%s: got %s, want %s", value, out,
                  want);
    ck_assert_msg((st == RP_OK) == (strcmp(value, want) != 0), "%s: status %s", value,
                  rp_status_name(st));
}

START_TEST(r17_examples)
{
    rp_table *t = strict_table("/api", "http://b:8080/v1", NULL, NULL);
    const char *o = "https://www.example.com";
    loc(t, o, NULL, "http://b:8080/v1/login", "https://www.example.com/api/login");
    loc(t, o, NULL, "HTTP://B:8080/v1", "https://www.example.com/api");
    loc(t, o, NULL, "http://b:8080/v1/", "https://www.example.com/api/");
    loc(t, o, NULL, "/v1/x", "/api/x");
    loc(t, o, NULL, "http://b:8080/v1x", "http://b:8080/v1x");
    loc(t, o, NULL, "http://b:8080@evil.example/v1/", "http://b:8080@evil.example/v1/");
    loc(t, o, NULL, "http://b/v1/x", "http://b/v1/x");
    loc(t, o, NULL, "https://b:8080/v1/x", "https://b:8080/v1/x");
    loc(t, o, NULL, "//b:8080/v1/x", "https://www.example.com/api/x");
    loc(t, o, NULL, "http://b:8080/v1/\\evil", "!RP_E_BACKSLASH");
    loc(t, o, NULL, "http://b:8080/v1/a%20b?q=%2F#frag", "https://www.example.com/api/a%20b?q=%2F#frag");
    loc(t, o, NULL, "http://b.:8080/v1/x", "https://www.example.com/api/x");
    loc(t, o, NULL, "http://evil.example/v1/x", "http://evil.example/v1/x");
    loc(t, o, NULL, "http://b:8080.evil.example/v1/x", "http://b:8080.evil.example/v1/x");
    loc(t, o, NULL, "bar", "bar"); /* no backend URL: nothing to resolve against */
    loc(t, o, "http://b:8080/v1/x/y", "bar", "https://www.example.com/api/x/bar");
    loc(t, o, "http://b:8080/v1/x", "../../etc", "../../etc");
    loc(t, o, NULL, "", "");
    loc(t, NULL, NULL, "http://b:8080/v1/login", "/api/login"); /* no origin: path-absolute */
    loc(t, o, NULL, "http://b:8080/v1/a b", "!RP_E_CTL");
    loc(t, o, NULL, "http://b:8080/v1/\xc3\xa9", "!RP_E_NON_ASCII");
    rp_table_free(t);
}
END_TEST

START_TEST(never_protocol_relative)
{
    rp_table *t = strict_table("/", "http://b:8080/v1", NULL, NULL);
    loc(t, NULL, NULL, "/v1//evil.example", "/evil.example");
    loc(t, NULL, NULL, "http://b:8080/v1//evil.example/x", "/evil.example/x");
    loc(t, "https://pub", NULL, "http://b:8080/v1//evil.example", "https://pub//evil.example");
    /* a path-absolute value stays path-absolute: guarded with an origin too */
    loc(t, "https://pub", NULL, "/v1//evil.example", "/evil.example");
    loc(t, "https://pub", NULL, "/v1/\t/evil.example", "!RP_E_CTL");
    loc(t, NULL, NULL, "/v1", "/");
    rp_table_free(t);
    /* a PATH that is an absolute URL carries its own origin (never doubled) */
    t = strict_table("https://www.example.com/api", "http://b:8080/v1", NULL, NULL);
    loc(t, "https://pub", NULL, "http://b:8080/v1/login", "https://www.example.com/api/login");
    loc(t, NULL, NULL, "/v1/login", "https://www.example.com/api/login");
    rp_table_free(t);
    rp_builder *b;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_option(b, RP_OPT_MERGE_SLASHES, 0), RP_OK);
    ck_assert_int_eq(rp_builder_add_reverse(b, "/", 1, "http://b:8080/v1", 16, NULL, 0, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    loc(t, NULL, NULL, "/v1//evil.example", "!RP_E_UNSAFE_OUTPUT");
    rp_table_free(t);
}
END_TEST

START_TEST(hosts_and_ports)
{
    rp_table *t = strict_table("/p", "http://[fd00::5]:8080/v1", NULL, NULL);
    loc(t, "https://pub", NULL, "http://[FD00:0::5]:8080/v1/x", "https://pub/p/x");
    loc(t, "https://pub", NULL, "http://[fd00::6]:8080/v1/x", "http://[fd00::6]:8080/v1/x");
    loc(t, "https://pub", NULL, "http://[fd00::5%25eth0]:8080/v1/x", "http://[fd00::5%25eth0]:8080/v1/x");
    rp_table_free(t);
    t = strict_table("/p", "http://b/v1", NULL, NULL);
    loc(t, "https://pub", NULL, "http://b:80/v1/x", "https://pub/p/x");
    loc(t, "https://pub", NULL, "http://b:/v1/x", "https://pub/p/x");
    loc(t, "https://pub", NULL, "http://b:443/v1/x", "http://b:443/v1/x");
    loc(t, "https://pub", NULL, "http://0x62/v1/x", "http://0x62/v1/x");
    rp_table_free(t);
}
END_TEST

START_TEST(derived_from_proxypass)
{
    /* strict: ProxyPass alone is enough (RP_OPT_DERIVE_REVERSE defaults on) */
    rp_table *t = strict_table(NULL, NULL, "/app", "http://backend.internal/internal/");
    loc(t, "https://www.example.com", NULL, "http://backend.internal/internal/x?y=1",
        "https://www.example.com/app/x?y=1");
    loc(t, "https://www.example.com", NULL, "/internal", "/app");
    rp_table_free(t);
    rp_builder *b;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_option(b, RP_OPT_DERIVE_REVERSE, 0), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/app", 4, "http://b/i", 10, 0, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    loc(t, "https://pub", NULL, "http://b/i/x", "http://b/i/x");
    rp_table_free(t);
    /* a ProxyPassMatch that only moves a prefix is inverted too */
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass_match(b, "^/img/(.*)$", 11, "http://b/static/$1", 18, 0,
                                               NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_add_pass_match(b, "^/v/(.*\\.png)$", 14, "http://c/p/$1", 13, 0,
                                               NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    loc(t, "https://pub", NULL, "http://b/static/a/b.png?x", "https://pub/img/a/b.png?x");
    loc(t, "https://pub", NULL, "http://c/p/a.png", "http://c/p/a.png"); /* not invertible */
    rp_table_free(t);
    /* equal backend paths: the rule written first wins, and an explicit
     * ProxyPassReverse comes before the rules derived from ProxyPass (the
     * last one written used to win, so a derived rule overrode it) */
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/pub", 4, "http://b/x", 10, 0, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/pub2", 5, "http://b/x", 10, 0, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    loc(t, "https://pub", NULL, "http://b/x/y", "https://pub/pub/y");
    loc(t, "https://pub", NULL, "/x/y", "/pub/y");
    rp_table_free(t);
    ck_assert_int_eq(rp_builder_add_reverse(b, "/explicit", 9, "http://b/x", 10, NULL, 0, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_add_reverse(b, "/second", 7, "http://b/x/", 11, NULL, 0, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    loc(t, "https://pub", NULL, "http://b/x/y", "https://pub/explicit/y");
    loc(t, "https://pub", NULL, "/x/y", "/explicit/y");
    rp_table_free(t);
}
END_TEST

START_TEST(location_scope)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_option(b, RP_OPT_DERIVE_REVERSE, 0), RP_OK);
    ck_assert_int_eq(rp_builder_add_reverse(b, "/app", 4, "http://b/i", 10, "/app", 4, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    rp_response_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    char out[64];
    size_t n;
    ck_assert_int_eq(rp_rewrite_location(t, "http://b/i/x", 12, &ctx, 0, out, sizeof out, &n),
                     RP_NO_MATCH);
    ctx.request_target = "/app/page?x";
    ctx.request_target_len = 11;
    ck_assert_int_eq(rp_rewrite_location(t, "http://b/i/x", 12, &ctx, 0, out, sizeof out, &n),
                     RP_OK);
    ck_assert_str_eq(out, "/app/x");
    ctx.request_target = "/apple";
    ctx.request_target_len = 6;
    ck_assert_int_eq(rp_rewrite_location(t, "http://b/i/x", 12, &ctx, 0, out, sizeof out, &n),
                     RP_NO_MATCH);
    rp_table_free(t);
}
END_TEST

START_TEST(bad_input_and_buffers)
{
    rp_table *t = strict_table("/api", "http://b:8080/v1", NULL, NULL);
    rp_response_ctx ctx = {"https://pub", 11, NULL, 0, NULL, 0};
    char out[128];
    size_t n;
    ck_assert_int_eq(rp_rewrite_location(t, "http://b:8080/v1/\r\nX: y", 24, &ctx, 0, out,
                                         sizeof out, &n),
                     RP_E_HEADER);
    ck_assert_int_eq(rp_rewrite_location(t, "http://b:8080/v1/\0x", 19, &ctx, 0, out, sizeof out,
                                         &n),
                     RP_E_HEADER);
    ck_assert_int_eq(rp_rewrite_location(NULL, "x", 1, &ctx, 0, out, sizeof out, &n), RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_location(t, "x", 1, &ctx, 7, out, sizeof out, &n), RP_E_ARG);
    char *big = malloc(1 << 20);
    memset(big, 'a', 1 << 20);
    ck_assert_int_eq(rp_rewrite_location(t, big, 1 << 20, &ctx, 0, out, sizeof out, &n),
                     RP_E_TOO_LONG);
    free(big);
    const char *v = "http://b:8080/v1/abc?q";
    const char *want = "https://pub/api/abc?q";
    size_t need = 0;
    ck_assert_int_eq(rp_rewrite_location(t, v, strlen(v), &ctx, 0, NULL, 0, &need), RP_E_NOSPACE);
    ck_assert_uint_eq(need, strlen(want));
    for (size_t sz = 1; sz <= need + 1; sz++) {
        char *buf = malloc(sz);
        rp_status st = rp_rewrite_location(t, v, strlen(v), &ctx, 0, buf, sz, &n);
        if (sz <= need) {
            ck_assert_int_eq(st, RP_E_NOSPACE);
            ck_assert_uint_eq(n, need);
        } else {
            ck_assert_int_eq(st, RP_OK);
            ck_assert_str_eq(buf, want);
        }
        free(buf);
    }
    /* unchanged values follow the same contract */
    ck_assert_int_eq(rp_rewrite_location(t, "/zzz", 4, &ctx, 0, NULL, 0, &need), RP_E_NOSPACE);
    ck_assert_uint_eq(need, 4);
    rp_table_free(t);
}
END_TEST

/* The context strings are the caller's: a control byte (< 0x20, DEL) in
 * any of them, at any position, is RP_E_ARG; every other byte passes. */
START_TEST(context_strings_checked)
{
    rp_table *t = strict_table("/api", "http://b:8080/v1", NULL, NULL);
    char out[256], s[40];
    size_t n;
    for (size_t len = 1; len <= sizeof s; len++) {
        for (size_t k = 0; k < len; k++) {
            for (unsigned c = 0; c < 256; c++) {
                memset(s, 'a', sizeof s);
                s[k] = (char)c;
                bool bad = c < 0x20 || c == 0x7f;
                for (int which = 0; which < 3; which++) {
                    rp_response_ctx ctx = {"https://pub", 11, NULL, 0, NULL, 0};
                    if (which == 0) {
                        ctx.public_origin = s;
                        ctx.public_origin_len = len;
                    } else if (which == 1) {
                        ctx.backend_url = s;
                        ctx.backend_url_len = len;
                    } else {
                        ctx.request_target = s;
                        ctx.request_target_len = len;
                    }
                    rp_status st = rp_rewrite_location(t, "/x", 2, &ctx, 0, out, sizeof out, &n);
                    ck_assert_msg((st == RP_E_ARG) == bad, "field %d, len %zu, byte 0x%02x at %zu: %s",
                                  which, len, c, k, rp_status_name(st));
                }
            }
        }
    }
    rp_table_free(t);
}
END_TEST

/* Found by fuzz_location: an Apache table without any reverse rule did
 * pointer arithmetic on its (NULL) rule-length array, undefined behaviour
 * that clang's UBSan reports ("applying zero offset to null pointer"). */
START_TEST(apache_no_reverse_rules)
{
    rp_builder *b;
    rp_table *t;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/app", 4, "http://b/v1", 11, 0, &d), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    loc(t, "https://pub", NULL, "http://b/v1/x", "http://b/v1/x");
    loc(t, NULL, NULL, "/v1/x", "/v1/x");
    loc(t, "https://pub", NULL, "", "");
    rp_table_free(t);
}
END_TEST

START_TEST(public_origin)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_server_name(b, "https://www.pub.example:443", 27), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    char out[128];
    size_t n;
    ck_assert_int_eq(rp_public_origin(t, "http", 4, "Pub.Example:8443", 16, out, sizeof out, &n),
                     RP_OK);
    ck_assert_str_eq(out, "https://pub.example:8443");
    ck_assert_int_eq(rp_public_origin(t, "http", 4, "pub.example:443", 15, out, sizeof out, &n),
                     RP_OK);
    ck_assert_str_eq(out, "https://pub.example");
    ck_assert_int_eq(rp_public_origin(t, NULL, 0, NULL, 0, out, sizeof out, &n), RP_OK);
    ck_assert_str_eq(out, "https://www.pub.example");
    ck_assert_int_eq(rp_public_origin(t, "http", 4, "a b", 3, out, sizeof out, &n), RP_E_HOST);
    ck_assert_int_eq(rp_public_origin(t, "http", 4, "h:0", 3, out, sizeof out, &n), RP_E_HOST);
    ck_assert_int_eq(rp_public_origin(t, "http", 4, "h:65536", 7, out, sizeof out, &n), RP_E_HOST);
    ck_assert_int_eq(rp_public_origin(t, "http", 4, "[2001:db8::1]:8080", 18, out, sizeof out, &n),
                     RP_OK);
    ck_assert_str_eq(out, "https://[2001:db8::1]:8080");
    rp_table_free(t);
}
END_TEST

START_TEST(destination)
{
    rp_table *t = strict_table(NULL, NULL, "/app", "http://b/internal");
    char out[128];
    size_t n;
    const char *o = "https://www.example.com";
    ck_assert_int_eq(rp_map_destination(t, "https://www.example.com/app/new", 31, o, strlen(o), 0,
                                        out, sizeof out, &n, NULL),
                     RP_OK);
    ck_assert_str_eq(out, "http://b/internal/new");
    ck_assert_int_eq(rp_map_destination(t, "https://WWW.example.com:443/app/x", 33, o, strlen(o),
                                        0, out, sizeof out, &n, NULL),
                     RP_OK);
    ck_assert_str_eq(out, "http://b/internal/x");
    ck_assert_int_eq(rp_map_destination(t, "/app/y", 6, o, strlen(o), 0, out, sizeof out, &n,
                                        NULL),
                     RP_OK);
    ck_assert_str_eq(out, "http://b/internal/y");
    ck_assert_int_eq(rp_map_destination(t, "https://evil.example/app/x", 26, o, strlen(o), 0, out,
                                        sizeof out, &n, NULL),
                     RP_E_FORBIDDEN);
    ck_assert_int_eq(rp_map_destination(t, "http://www.example.com/app/x", 28, o, strlen(o), 0,
                                        out, sizeof out, &n, NULL),
                     RP_E_FORBIDDEN);
    ck_assert_int_eq(rp_map_destination(t, "https://www.example.com/other", 29, o, strlen(o), 0,
                                        out, sizeof out, &n, NULL),
                     RP_NO_MATCH);
    rp_table_free(t);
}
END_TEST

/* ---- the Apache reverse index (lib/location.c, build_apache) ----------------
 * Rules given as "fake real" or "fake real @location"; the public origin
 * is https://o, so a rewritten value is "https://o" + fake + rest. */
static rp_table *apache_table(const char *const *rules, size_t n)
{
    rp_builder *b;
    rp_table *t;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", rules[i]);
        char *fake = buf, *real = strchr(buf, ' ');
        *real++ = '\0';
        char *loc = strchr(real, ' ');
        if (loc) {
            *loc = '\0';
            loc += 2; /* " @" */
        }
        ck_assert_int_eq(rp_builder_add_reverse(b, fake, strlen(fake), real, strlen(real), loc,
                                                loc ? strlen(loc) : 0, &d),
                         RP_OK);
    }
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    return t;
}

static void aloc(const rp_table *t, const char *target, const char *value, const char *want)
{
    rp_response_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.public_origin = "https://o";
    ctx.public_origin_len = 9;
    ctx.request_target = target;
    ctx.request_target_len = target ? strlen(target) : 0;
    char out[512];
    size_t n = 0;
    rp_status st = rp_rewrite_location(t, value, strlen(value), &ctx, 0, out, sizeof out, &n);
    ck_assert_msg(st == RP_OK || st == RP_NO_MATCH, "%s: got %s", value, rp_status_name(st));
    ck_assert_msg(strcmp(out, want) == 0, "%s: got %s, want %s", value, out, want);
}

START_TEST(apache_index_edges)
{
    const char *rules[] = {
        "/app http://b/app",             /* 0: text prefix, "http://b/apple" too */
        "/ten http://b/d/s10",           /* 1: same directory, longer tail, first */
        "/one http://b/d/s1",            /* 2 */
        "/o80 http://c:80",              /* 3: origin only: also "http://c:8080" */
        "/f3/ http://b/files/3/",        /* 4: ends in '/' */
        "/f30/ http://b/files/30/",      /* 5 */
        "/dup http://b/files/3/",        /* 6: same text as 4: never used */
        "/x http://e/q",                 /* 7: a shorter directory ... */
        "/y http://e/q/r",               /* 8: ... written before a longer one */
        "/p/ /back/",                    /* 9: path only, any host */
        "/sc http://s/a @/loc",          /* 10: scoped */
        "/un http://s/a/b",              /* 11: unscoped, wins over 10 */
        /* 12: a tail of 70 bytes */
        "/long http://l/d/0123456789012345678901234567890123456789012345678901234567890123456789",
        "/long2 http://l/d/0123456789",  /* 13: a prefix of 12's tail, written later */
    };
    rp_table *t = apache_table(rules, sizeof rules / sizeof *rules);
    aloc(t, NULL, "http://b/apple", "https://o/apple"); /* "/app" + "le" */
    aloc(t, NULL, "http://b/ap", "http://b/ap");
    aloc(t, NULL, "http://b/d/s10/x", "https://o/ten/x");
    aloc(t, NULL, "http://b/d/s1/x", "https://o/one/x");
    aloc(t, NULL, "http://b/d/s1x", "https://o/onex");
    aloc(t, NULL, "http://b/d/s100", "https://o/ten0");
    aloc(t, NULL, "HTTP://B/D/S10/X", "https://o/ten/X");
    aloc(t, NULL, "http://B/App/Y", "https://o/app/Y");
    aloc(t, NULL, "http://c:80/x", "https://o/o80/x");
    aloc(t, NULL, "http://c:8080/x", "https://o/o8080/x");
    aloc(t, NULL, "http://c", "http://c");
    aloc(t, NULL, "http://b/files/3/a", "https://o/f3/a");
    aloc(t, NULL, "http://b/files/30/a", "https://o/f30/a");
    aloc(t, NULL, "http://b/files/3", "http://b/files/3");
    aloc(t, NULL, "http://e/q/r/s", "https://o/x/r/s"); /* 7 written first */
    aloc(t, NULL, "http://e/qr", "https://o/xr");
    aloc(t, NULL, "http://any.host/back/z", "https://o/p/z");
    aloc(t, NULL, "/back/z", "https://o/p/z");
    aloc(t, NULL, "/back", "/back");
    aloc(t, NULL, "http://s/a/b/c", "https://o/un/c");
    aloc(t, "/loc/x", "http://s/a/b/c", "https://o/un/c");
    aloc(t, "/loc/x", "http://s/a/c", "https://o/sc/c");
    aloc(t, "/other", "http://s/a/c", "http://s/a/c");
    aloc(t, NULL,
         "http://l/d/0123456789012345678901234567890123456789012345678901234567890123456789/z",
         "https://o/long/z");
    aloc(t, NULL, "http://l/d/0123456789x", "https://o/long2x");
    rp_table_free(t);
}
END_TEST

/* Random rules over a small alphabet against a first-match linear scan:
 * text prefixes across every kind of boundary, caseless. */
static bool ref_match(const char *real, const char *v, const char **rest)
{
    const char *part = v;
    if (real[0] == '/') {
        const char *s = strstr(v, "://");
        if (s) {
            const char *sl = strchr(s + 3, '/');
            if (sl)
                part = sl;
        }
    }
    size_t n = strlen(real);
    if (strlen(part) < n || strncasecmp(part, real, n) != 0)
        return false;
    *rest = part + n;
    return true;
}

/* Does <Location loc> cover the request target? (reverse.c's rule, written
 * again: the path before '?', absolute-form without scheme://authority.) */
static bool ref_applies(const char *loc, const char *target)
{
    if (!target)
        return false;
    size_t n = strcspn(target, "?");
    const char *p = target;
    if (n > 0 && p[0] != '/') {
        const char *s = memchr(p, '/', n);
        if (s && (size_t)(s - p) + 1 < n && s[1] == '/') {
            const char *e = memchr(s + 2, '/', n - (size_t)(s + 2 - p));
            if (!e)
                return strcmp(loc, "/") == 0;
            n -= (size_t)(e - p);
            p = e;
        }
    }
    size_t l = strlen(loc);
    if (n < l || memcmp(p, loc, l) != 0)
        return false;
    return n == l || (l > 0 && loc[l - 1] == '/') || p[l] == '/';
}

/* Scoped rules (ProxyPassReverse inside <Location>) through their index:
 * server-level rules first, then the scoped rules whose <Location> covers
 * the request, in the order written, the first that matches wins. Random
 * tables with nested, equal, empty and trailing-slash locations against
 * random request targets and values, compared with a linear reference. */
START_TEST(apache_scoped_random)
{
    static const char *const atoms[] = {"a", "B", "/", "h://", "h://a", ":8", "ab/", "/a"};
    static const char *const locs[] = {"", "/", "/a", "/a/", "/a/b", "/ab", "/b", "/a//", "/a/b/"};
    static const char *const targets[] = {NULL,   "/",       "/a",         "/a/",   "/a/b",
                                          "/a/bc", "/a/b/c", "/ab",        "/b/x",  "/a//b",
                                          "/a?x=/b", "*",    "http://h/a/b", "http://h", "/ab/"};
    unsigned long long x = 0x2545f4914f6cdd1dull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (int round = 0; round < 60; round++) {
        size_t n = 1 + RND() % 40;
        char reals[40][40], rulebuf[40][80];
        const char *rules[40], *loc[40];
        for (size_t i = 0; i < n; i++) {
            reals[i][0] = '\0';
            size_t k = 1 + RND() % 3;
            for (size_t j = 0; j < k; j++)
                strcat(reals[i], atoms[RND() % 8]);
            loc[i] = RND() % 4 ? locs[RND() % 9] : NULL;
            if (loc[i])
                snprintf(rulebuf[i], sizeof rulebuf[i], "/r%zu/ %.39s @%s", i, reals[i], loc[i]);
            else
                snprintf(rulebuf[i], sizeof rulebuf[i], "/r%zu/ %.39s", i, reals[i]);
            rules[i] = rulebuf[i];
        }
        rp_table *t = apache_table(rules, n);
        for (int q = 0; q < 300; q++) {
            const char *target = targets[RND() % 15];
            char v[64] = "";
            size_t k = RND() % 5;
            for (size_t j = 0; j < k; j++)
                strcat(v, atoms[RND() % 8]);
            char want[160];
            snprintf(want, sizeof want, "%s", v);
            const char *rest;
            size_t hit = SIZE_MAX;
            for (size_t i = 0; i < n && hit == SIZE_MAX; i++)
                if (!loc[i] && ref_match(reals[i], v, &rest))
                    hit = i;
            for (size_t i = 0; i < n && hit == SIZE_MAX; i++)
                if (loc[i] && ref_applies(loc[i], target) && ref_match(reals[i], v, &rest))
                    hit = i;
            if (hit != SIZE_MAX)
                snprintf(want, sizeof want, "https://o/r%zu/%s", hit, rest);
            aloc(t, target, v, want);
        }
        rp_table_free(t);
    }
#undef RND
}
END_TEST

/* More <Location> sections covering one request than the lookup keeps on
 * its stack (64): every scoped rule is tried in order, still the first
 * match wins. */
START_TEST(apache_scoped_many_nested)
{
    static char bufs[100][64];
    const char *rules[100];
    char deep[256] = "";
    for (size_t i = 0; i < 100; i++) {
        /* locations /d, /d/d, /d/d/d, ... (100 nested); rule i is scoped to
         * the i-th; rules 0..49 do not match the value, 50.. do */
        strcat(deep, "/d");
        snprintf(bufs[i], sizeof bufs[i], "/r%zu/ http://b/%s @%s", i, i < 50 ? "no" : "yes",
                 deep);
        rules[i] = bufs[i];
    }
    rp_table *t = apache_table(rules, 100);
    char target[300];
    snprintf(target, sizeof target, "%s/x", deep);
    aloc(t, target, "http://b/yes/z", "https://o/r50//z");
    aloc(t, "/d/d/x", "http://b/yes/z", "http://b/yes/z"); /* only rules 0, 1 apply */
    rp_table_free(t);
}
END_TEST

START_TEST(apache_index_random)
{
    static const char *const atoms[] = {"a", "B", "/", "h://", "h://a", ":8", "ab/", "/a"};
    unsigned long long x = 0x9e3779b97f4a7c15ull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + RND() % 60;
        char reals[60][40], rulebuf[60][64];
        const char *rules[60];
        for (size_t i = 0; i < n; i++) {
            reals[i][0] = '\0';
            size_t k = 1 + RND() % 4;
            for (size_t j = 0; j < k; j++)
                strcat(reals[i], atoms[RND() % 8]);
            snprintf(rulebuf[i], sizeof rulebuf[i], "/r%zu/ %.39s", i, reals[i]);
            rules[i] = rulebuf[i];
        }
        rp_table *t = apache_table(rules, n);
        for (int q = 0; q < 200; q++) {
            char v[64] = "";
            size_t k = RND() % 6;
            for (size_t j = 0; j < k; j++)
                strcat(v, atoms[RND() % 8]);
            if (RND() % 2)
                for (char *c = v; *c; c++)
                    if (*c >= 'a' && *c <= 'z' && RND() % 2)
                        *c = (char)(*c - 32);
            char want[160];
            snprintf(want, sizeof want, "%s", v);
            for (size_t i = 0; i < n; i++) {
                const char *rest;
                if (ref_match(reals[i], v, &rest)) {
                    snprintf(want, sizeof want, "https://o/r%zu/%s", i, rest);
                    break;
                }
            }
            aloc(t, NULL, v, want);
        }
        rp_table_free(t);
    }
#undef RND
}
END_TEST

int main(void)
{
    Suite *s = suite_create("location");
    TCase *tc = tcase_create("location");
    tcase_add_test(tc, r17_examples);
    tcase_add_test(tc, never_protocol_relative);
    tcase_add_test(tc, hosts_and_ports);
    tcase_add_test(tc, derived_from_proxypass);
    tcase_add_test(tc, location_scope);
    tcase_add_test(tc, bad_input_and_buffers);
    tcase_add_test(tc, context_strings_checked);
    tcase_add_test(tc, apache_no_reverse_rules);
    tcase_add_test(tc, public_origin);
    tcase_add_test(tc, destination);
    tcase_add_test(tc, apache_index_edges);
    tcase_add_test(tc, apache_index_random);
    tcase_add_test(tc, apache_scoped_random);
    tcase_add_test(tc, apache_scoped_many_nested);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
