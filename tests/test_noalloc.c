/* Zero heap allocations on the request path (issue 4, SECURITY.md R24).
 * Two nets: the table is built with counting rp_allocator hooks, and the
 * process's own malloc/calloc/realloc/free are interposed (plain builds; the
 * sanitizers own malloc in the ASan build) so that a call from anywhere --
 * the library, PCRE2, uriparser -- is seen. Both must stay silent while the
 * per-request functions run. */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

static int armed;
static volatile int sink;
static long hook_calls, libc_calls;

#if !defined(__SANITIZE_ADDRESS__) && !defined(__has_feature)
#define RP_INTERPOSE 1
#elif defined(__has_feature)
#if !__has_feature(address_sanitizer)
#define RP_INTERPOSE 1
#endif
#endif

#ifdef RP_INTERPOSE
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
void *malloc(size_t n)
{
    libc_calls += armed;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    libc_calls += armed;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    libc_calls += armed;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    libc_calls += armed && p;
    __libc_free(p);
}
#endif

static void *h_alloc(void *ud, size_t n)
{
    (void)ud;
    hook_calls += armed;
    return malloc(n);
}
static void *h_realloc(void *ud, void *p, size_t o, size_t n)
{
    (void)ud;
    (void)o;
    hook_calls += armed;
    return realloc(p, n);
}
static void h_free(void *ud, void *p, size_t n)
{
    (void)ud;
    (void)n;
    hook_calls += armed;
    free(p);
}

static const char *const conf =
    "ServerName https://www.example.com\n"
    "ProxyPass /app/static !\n"
    "ProxyPass /app http://backend.internal:8080/internal\n"
    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
    "ProxyPassMatch ^/img/(.*\\.png)$ http://images.internal/static/$1\n"
    "ProxyPass /srv http://b/s mapping=servlet\n"
    "ProxyPass /enc http://b/e mapping=encoded\n"
    "<Location /api>\n"
    "ProxyPass http://api.internal:9090/v1\n"
    "ProxyPassReverse http://api.internal:9090/v1\n"
    "</Location>\n"
    "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
    "ProxyPassReverseCookiePath /internal /app\n";

static const char *const targets[] = {
    "/app/users/42?tab=1", "/app/static/x", "/img/a/b.png", "/api/items", "/srv;x/..;/y",
    "/enc/a%2Fb", "/app/%2e%2e/x", "/x/../app/y", "//app//z", "/nope", "/app/%zz",
    "http://pub/app/x", "/app/a%20b/%C3%A9?q=%00",
};
static const char *const headers[][2] = {
    {"Location", "http://backend.internal:8080/internal/login?x=1"},
    {"Location", "/internal/x"},
    {"Location", "relative/path"},
    {"Content-Location", "http://api.internal:9090/v1/z"},
    {"Set-Cookie", "sid=1; Domain=backend.internal; Path=/internal/a; HttpOnly"},
    {"Set-Cookie", "a=b; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/internal"},
    {"Refresh", "0; url=http://backend.internal:8080/internal/r"},
    {"Link", "<http://backend.internal:8080/internal/n>; rel=next, </internal/p>; rel=prev"},
    {"X-Other", "whatever"},
};

static void exercise(unsigned profile)
{
    rp_allocator a = {h_alloc, h_realloc, h_free, NULL};
    rp_builder *b;
    rp_table *t;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(profile, &a, &b), RP_OK);
    const char *text = conf;
    char strict_conf[2048];
    if (profile == RP_PROFILE_STRICT) { /* no Apache-only options */
        size_t o = 0;
        for (const char *p = conf; *p;) {
            const char *e = strchr(p, '\n');
            size_t n = (size_t)(e - p) + 1;
            if (!memmem(p, n, "mapping=", 8)) {
                memcpy(strict_conf + o, p, n);
                o += n;
            }
            p += n;
        }
        strict_conf[o] = '\0';
        text = strict_conf;
    }
    ck_assert_msg(rp_builder_add_config(b, text, strlen(text), "t", &d) == RP_OK, "%s",
                  d.message);
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);

    char out[1024];
    size_t n;
    rp_match m;
    rp_response_ctx ctx = {"https://www.example.com", 23, "http://backend.internal:8080/internal/a/b",
                           41, "/app/a/b", 8};
    rp_forwarded fw = {"2001:db8::1", 11, 4711, "www.example.com", 15, "https", 5,
                       "/app", 4, NULL, 0, "192.0.2.1", 9};
    hook_calls = libc_calls = 0;
    armed = 1;
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
            sink += (int)rp_map_request(t, targets[i], strlen(targets[i]), "www.example.com", 15, 0, out,
                                 sizeof out, &n, &m);
            sink += (int)rp_map_request(t, targets[i], strlen(targets[i]), NULL, 0, 0, NULL, 0, &n, &m);
            sink += (int)rp_map_destination(t, targets[i], strlen(targets[i]), "https://www.example.com",
                                     23, 0, out, sizeof out, &n, &m);
        }
        for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
            const char *nm = headers[i][0], *v = headers[i][1];
            sink += (int)rp_rewrite_response_header(t, nm, strlen(nm), v, strlen(v), &ctx, 0, out,
                                             sizeof out, &n);
            sink += (int)rp_rewrite_response_header(t, nm, strlen(nm), v, strlen(v), &ctx, 0, NULL, 0,
                                             &n);
            sink += (int)rp_rewrite_location(t, v, strlen(v), &ctx, 0, out, sizeof out, &n);
            sink += (int)rp_rewrite_set_cookie(t, v, strlen(v), &ctx, 0, out, sizeof out, &n);
        }
        sink += (int)rp_public_origin(t, "http", 4, "www.example.com:8443", 20, out, sizeof out, &n);
        for (unsigned which = RP_FWD_X_FORWARDED_FOR; which <= RP_FWD_FORWARDED; which++)
            sink += (int)rp_format_forwarded(which, &fw, out, sizeof out, &n);
    }
    armed = 0;
    ck_assert_msg(hook_calls == 0, "profile %u: %ld allocator-hook calls on the request path",
                  profile, hook_calls);
    ck_assert_msg(libc_calls == 0, "profile %u: %ld malloc/free calls on the request path",
                  profile, libc_calls);
    rp_table_free(t);
}

START_TEST(apache_no_alloc)
{
    exercise(RP_PROFILE_APACHE);
}
END_TEST

START_TEST(strict_no_alloc)
{
    exercise(RP_PROFILE_STRICT);
}
END_TEST

/* The net itself works: a malloc while armed is counted. */
START_TEST(the_net_catches)
{
#ifdef RP_INTERPOSE
    /* valgrind replaces malloc and free, the interposed ones too (meson test
     * --setup valgrind sets RP_TEST_VALGRIND): only the hook net works there */
    if (!getenv("RP_TEST_VALGRIND")) {
        libc_calls = 0;
        armed = 1;
        void *(*volatile m)(size_t) = malloc;
        void (*volatile f)(void *) = free;
        void *p = m(16);
        f(p);
        armed = 0;
        ck_assert_int_eq(libc_calls, 2);
    }
#endif
    rp_allocator a = {h_alloc, h_realloc, h_free, NULL};
    rp_builder *b;
    hook_calls = 0;
    armed = 1;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, &a, &b), RP_OK);
    armed = 0;
    ck_assert_int_ge(hook_calls, 1);
    rp_builder_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("noalloc");
    TCase *tc = tcase_create("noalloc");
    tcase_add_test(tc, apache_no_alloc);
    tcase_add_test(tc, strict_no_alloc);
    tcase_add_test(tc, the_net_catches);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
