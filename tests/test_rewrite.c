/* Set-Cookie (strict, SECURITY.md R18), Refresh and Link (strict) and the
 * forwarding headers. The Apache profile's cookies are covered case by case
 * by the conformance suite. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

static rp_table *cookie_table(unsigned profile, unsigned path_flags)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_cookie_domain(b, "b.internal", 10, "www.example.com", 15, NULL,
                                                  0, 0, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_add_cookie_path(b, "/v1", 3, "/api", 4, NULL, 0, path_flags, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    return t;
}

static void ck(const rp_table *t, const char *in, const char *want)
{
    char out[4096];
    size_t n = 0;
    rp_status st = rp_rewrite_set_cookie(t, in, strlen(in), NULL, 0, out, sizeof out, &n);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "%s: got %s", in,
                      rp_status_name(st));
        return;
    }
    ck_assert_msg(st == (strcmp(in, want) ? RP_OK : RP_NO_MATCH), "%s: status %s", in,
                  rp_status_name(st));
    ck_assert_msg(strcmp(out, want) == 0 && n == strlen(want), "%s: got %s, want %s", in, out,
                  want);
}

START_TEST(r18_examples)
{
    rp_table *t = cookie_table(RP_PROFILE_STRICT, 0);
    ck(t, "sid=1; Domain=b.internal; Path=/v1; HttpOnly",
       "sid=1; Domain=www.example.com; Path=/api; HttpOnly");
    ck(t, "sid=1; domain=.B.Internal; path=/v1/x", "sid=1; domain=www.example.com; path=/api/x");
    ck(t, "domain=b.internal; Path=/x", "domain=b.internal; Path=/x"); /* the name is no attribute */
    ck(t, "sid=1; Domain=b.internal.evil.test", "sid=1; Domain=b.internal.evil.test");
    ck(t, "sid=1; Path=/v1x", "sid=1; Path=/v1x");
    ck(t, "a=1; Path=/v1; Path=/", "a=1; Path=/api; Path=/");
    ck(t, "__Host-s=1; Path=/v1; Secure", "__Host-s=1; Path=/v1; Secure");
    ck(t, "__Secure-s=1; Domain=b.internal; Secure", "__Secure-s=1; Domain=b.internal; Secure");
    ck(t, "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/v1",
       "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/api");
    ck(t, "fakedomain=local;domain=b.internal", "fakedomain=local;domain=www.example.com");
    ck(t, "a=1 ; Path = /v1", "a=1 ; Path = /api");
    ck(t, "a=1; Path=/v1\r\nX: y", "!RP_E_HEADER");
    rp_table_free(t);
    t = cookie_table(RP_PROFILE_STRICT, RP_COOKIE_REPLACE_WHOLE);
    ck(t, "sid=1; Path=/v1/x", "sid=1; Path=/api");
    rp_table_free(t);
}
END_TEST

START_TEST(duplicates_and_limits)
{
    rp_table *t = cookie_table(RP_PROFILE_STRICT, 0);
    for (int k = 1; k <= 50; k++) {
        char in[4096] = "a=1", want[4096] = "a=1";
        for (int i = 0; i < k; i++) {
            strcat(in, i % 2 ? "; Path=/" : "; Path=/v1/long/enough");
            strcat(want, i % 2 ? "; Path=/" : "; Path=/api/long/enough");
        }
        ck(t, in, want);
    }
    char *many = malloc(10000 * 4 + 4);
    memcpy(many, "a=1", 3);
    for (size_t i = 0; i < 10000; i++)
        memcpy(many + 3 + i * 4, "; x=", 4);
    many[3 + 10000 * 4] = '\0'; /* 10,000 attributes: over the limit of 64 */
    char out[64];
    size_t n;
    ck_assert_int_eq(rp_rewrite_set_cookie(t, many, strlen(many), NULL, 0, out, sizeof out, &n),
                     RP_E_TOO_LONG);
    free(many);
    const char *v = "sid=1; Domain=b.internal; Path=/v1/q";
    const char *want = "sid=1; Domain=www.example.com; Path=/api/q";
    size_t need;
    ck_assert_int_eq(rp_rewrite_set_cookie(t, v, strlen(v), NULL, 0, NULL, 0, &need), RP_E_NOSPACE);
    ck_assert_uint_eq(need, strlen(want));
    for (size_t sz = 1; sz <= need + 1; sz++) {
        char *buf = malloc(sz);
        rp_status st = rp_rewrite_set_cookie(t, v, strlen(v), NULL, 0, buf, sz, &n);
        ck_assert_int_eq(st, sz <= need ? RP_E_NOSPACE : RP_OK);
        ck_assert_uint_eq(n, need);
        if (st == RP_OK)
            ck_assert_str_eq(buf, want);
        free(buf);
    }
    rp_table_free(t);
}
END_TEST

START_TEST(no_widening)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_cookie_domain(b, "a.b.internal", 12, "example.com", 11, NULL, 0,
                                                  0, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_add_cookie_domain(b, "x.internal", 10, "com", 3, NULL, 0,
                                                  RP_COOKIE_ALLOW_WIDENING, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    ck(t, "s=1; Domain=a.b.internal", "s=1; Domain=a.b.internal"); /* would widen */
    ck(t, "s=1; Domain=x.internal", "s=1; Domain=x.internal");     /* single label: never */
    rp_table_free(t);
}
END_TEST

static rp_table *strict_reverse(void)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/app", 4, "http://b:8080/v1", 16, 0, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    return t;
}

static void hdr(const rp_table *t, const char *name, const char *in, const char *want)
{
    rp_response_ctx ctx = {"https://pub", 11, NULL, 0, NULL, 0};
    char out[512];
    size_t n = 0;
    rp_status st = rp_rewrite_response_header(t, name, strlen(name), in, strlen(in), &ctx, 0, out,
                                              sizeof out, &n);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "%s: got %s", in,
                      rp_status_name(st));
        return;
    }
    ck_assert_msg(st == (strcmp(in, want) ? RP_OK : RP_NO_MATCH), "%s %s: status %s", name, in,
                  rp_status_name(st));
    ck_assert_msg(strcmp(out, want) == 0 && n == strlen(want), "%s %s: got %s, want %s", name, in,
                  out, want);
    /* the size asked for first is the size written */
    size_t need = 0;
    st = rp_rewrite_response_header(t, name, strlen(name), in, strlen(in), &ctx, 0, NULL, 0, &need);
    ck_assert_int_eq(st, RP_E_NOSPACE);
    ck_assert_uint_eq(need, n);
    for (size_t sz = 1; sz <= need; sz++) {
        char *buf = malloc(sz);
        size_t m = 0;
        ck_assert_int_eq(rp_rewrite_response_header(t, name, strlen(name), in, strlen(in), &ctx,
                                                    0, buf, sz, &m),
                         RP_E_NOSPACE);
        ck_assert_uint_eq(m, need);
        free(buf);
    }
}

START_TEST(refresh_and_link)
{
    rp_table *t = strict_reverse();
    hdr(t, "Location", "http://b:8080/v1/x", "https://pub/app/x");
    hdr(t, "refresh", "0; url=http://b:8080/v1/x", "0; url=https://pub/app/x");
    hdr(t, "Refresh", "5;URL='http://b:8080/v1/y'", "5;URL='https://pub/app/y'");
    hdr(t, "Refresh", "5, url = \"/v1/z\"", "5, url = \"/app/z\"");
    hdr(t, "Refresh", "5", "5");
    hdr(t, "Refresh", "0; url=http://evil/v1/x", "0; url=http://evil/v1/x");
    hdr(t, "Link", "<http://b:8080/v1/n>; rel=next", "<https://pub/app/n>; rel=next");
    hdr(t, "Link", "<http://b:8080/v1/a,b>; rel=\"x,y\", </v1/p>; rel=prev; anchor=\"/v1/q\"",
        "<https://pub/app/a,b>; rel=\"x,y\", </app/p>; rel=prev; anchor=\"/app/q\"");
    hdr(t, "Link", "<http://other/x>; rel=next", "<http://other/x>; rel=next");
    hdr(t, "X-Unknown", "http://b:8080/v1/x", "http://b:8080/v1/x");
    hdr(t, "Link", "<http://b:8080/v1/n", "!RP_E_SYNTAX");
    hdr(t, "Refresh", "0; url=\nx", "!RP_E_HEADER");
    rp_table_free(t);
    rp_builder *b;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_reverse(b, "/app", 4, "http://b:8080/v1", 16, NULL, 0, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    /* httpd rewrites neither Refresh nor Link (rev-hdr-refresh-00, rev-hdr-link-00) */
    hdr(t, "Refresh", "0; url=http://b:8080/v1/x", "0; url=http://b:8080/v1/x");
    hdr(t, "Link", "<http://b:8080/v1/n>; rel=next", "<http://b:8080/v1/n>; rel=next");
    hdr(t, "Location", "http://b:8080/v1/x", "https://pub/app/x");
    rp_table_free(t);
}
END_TEST

static void fwd(unsigned which, const rp_forwarded *in, const char *want)
{
    char out[256];
    size_t n = 0;
    rp_status st = rp_format_forwarded(which, in, out, sizeof out, &n);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "got %s", rp_status_name(st));
        return;
    }
    ck_assert_msg(st == RP_OK, "got %s", rp_status_name(st));
    ck_assert_str_eq(out, want);
}

START_TEST(forwarding_headers)
{
    rp_forwarded f;
    memset(&f, 0, sizeof f);
    f.client_addr = "2001:db8::1";
    f.client_addr_len = 11;
    f.client_port = 4711;
    f.host = "www.example.com:8443";
    f.host_len = 20;
    f.proto = "https";
    f.proto_len = 5;
    f.prefix = "/app";
    f.prefix_len = 4;
    fwd(RP_FWD_X_FORWARDED_FOR, &f, "2001:db8::1");
    fwd(RP_FWD_X_FORWARDED_HOST, &f, "www.example.com:8443");
    fwd(RP_FWD_X_FORWARDED_PROTO, &f, "https");
    fwd(RP_FWD_X_FORWARDED_PREFIX, &f, "/app");
    fwd(RP_FWD_FORWARDED, &f,
        "for=\"[2001:db8::1]:4711\";host=\"www.example.com:8443\";proto=https");
    f.prior = "198.51.100.7";
    f.prior_len = 12;
    f.client_addr = "192.0.2.60";
    f.client_addr_len = 10;
    f.client_port = 0;
    f.by = "_proxy1";
    f.by_len = 7;
    fwd(RP_FWD_X_FORWARDED_FOR, &f, "198.51.100.7, 192.0.2.60");
    fwd(RP_FWD_FORWARDED, &f,
        "198.51.100.7, for=192.0.2.60;by=_proxy1;host=\"www.example.com:8443\";proto=https");
    f.client_addr = "192.0.2.60\r\nX: y";
    f.client_addr_len = 16;
    fwd(RP_FWD_X_FORWARDED_FOR, &f, "!RP_E_HEADER");
    f.client_addr = "not-an-ip";
    f.client_addr_len = 9;
    fwd(RP_FWD_X_FORWARDED_FOR, &f, "!RP_E_ARG");
    f.client_addr = "unknown";
    f.client_addr_len = 7;
    fwd(RP_FWD_FORWARDED, &f,
        "198.51.100.7, for=unknown;by=_proxy1;host=\"www.example.com:8443\";proto=https");
    fwd(99, &f, "!RP_E_ARG");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rewrite");
    TCase *tc = tcase_create("rewrite");
    tcase_add_test(tc, r18_examples);
    tcase_add_test(tc, duplicates_and_limits);
    tcase_add_test(tc, no_widening);
    tcase_add_test(tc, refresh_and_link);
    tcase_add_test(tc, forwarding_headers);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
