/* Unit tests of rp_map_request through the programmatic builder API. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

typedef struct rule {
    const char *kind; /* "pass", "match", "excl", "loc" */
    const char *pat;
    const char *url;
    unsigned    flags;
} rule;

static rp_table *mk(unsigned profile, const rule *rules, size_t n, unsigned slashes, unsigned merge,
                    unsigned preserve)
{
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_option(b, RP_OPT_ENCODED_SLASHES, slashes), RP_OK);
    ck_assert_int_eq(rp_builder_set_option(b, RP_OPT_MERGE_SLASHES, merge), RP_OK);
    ck_assert_int_eq(rp_builder_set_option(b, RP_OPT_PRESERVE_HOST, preserve), RP_OK);
    for (size_t i = 0; i < n; i++) {
        const rule *r = &rules[i];
        rp_status st;
        unsigned fl = r->flags;
        if (strcmp(r->kind, "excl") == 0)
            fl |= RP_RULE_EXCLUDE;
        if (strcmp(r->kind, "loc") == 0)
            fl |= RP_RULE_LOCATION;
        if (strcmp(r->kind, "match") == 0)
            st = rp_builder_add_pass_match(b, r->pat, strlen(r->pat), r->url,
                                           r->url ? strlen(r->url) : 0, fl, &d);
        else
            st = rp_builder_add_pass(b, r->pat, strlen(r->pat), r->url,
                                     r->url ? strlen(r->url) : 0, fl, &d);
        ck_assert_msg(st == RP_OK, "rule %s %s: %s %s", r->pat, r->url ? r->url : "!",
                      rp_status_name(st), d.message);
    }
    rp_table *t = NULL;
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    return t;
}

/* Expect target -> want (a URL) or a status name when want starts with '!'. */
static void expect(const rp_table *t, const char *target, size_t tlen, const char *want)
{
    char out[1024];
    size_t n = 0;
    rp_match m;
    rp_status st = rp_map_request(t, target, tlen, "public.example", 14, RP_MAP_DEFAULT, out,
                                  sizeof out, &n, &m);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "%.*s: got %s (%s), want %s",
                      (int)tlen, target, rp_status_name(st), st == RP_OK ? out : "",
                      want + 1);
    } else {
        ck_assert_msg(st == RP_OK, "%.*s: got %s, want %s", (int)tlen, target,
                      rp_status_name(st), want);
        ck_assert_msg(n == strlen(want) && memcmp(out, want, n) == 0 && out[n] == '\0',
                      "%.*s: got %s, want %s", (int)tlen, target, out, want);
    }
}
#define EXPECT(t, target, want) expect(t, target, strlen(target), want)

START_TEST(apache_prefix_forms)
{
    const rule r[] = {{"pass", "/app", "http://Backend.Internal:8080/internal", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/app", "http://backend.internal:8080/internal");
    EXPECT(t, "/app/x", "http://backend.internal:8080/internal/x");
    EXPECT(t, "/app?q=1", "http://backend.internal:8080/internal?q=1");
    EXPECT(t, "/app/x?", "http://backend.internal:8080/internal/x?");
    EXPECT(t, "//app///x//y", "http://backend.internal:8080/internal/x/y");
    EXPECT(t, "/apple", "!RP_NO_MATCH");
    EXPECT(t, "/APP/x", "!RP_NO_MATCH");
    EXPECT(t, "/app/%41%7e", "http://backend.internal:8080/internal/A~");
    EXPECT(t, "/app/a%20b", "http://backend.internal:8080/internal/a%20b");
    EXPECT(t, "/app/%3f", "http://backend.internal:8080/internal/%3F");
    EXPECT(t, "/app/<>\\", "http://backend.internal:8080/internal/%3C%3E%5C");
    EXPECT(t, "/app/%2F", "!RP_E_ENCODED_SLASH");
    EXPECT(t, "/app/%00", "!RP_E_ENCODED_NUL");
    EXPECT(t, "/app/%zz", "!RP_E_BAD_PERCENT");
    EXPECT(t, "/app/x#f", "!RP_E_FRAGMENT");
    EXPECT(t, "/app/a b", "!RP_E_CTL");
    EXPECT(t, "/app/../../x", "!RP_E_ABOVE_ROOT");
    EXPECT(t, "/app/x/../../secret", "!RP_NO_MATCH");
    EXPECT(t, "/app/.%2e/x", "!RP_NO_MATCH");
    EXPECT(t, "/x/../app/y", "http://backend.internal:8080/internal/y");
    EXPECT(t, "http://other.example/app/x", "http://backend.internal:8080/internal/x");
    EXPECT(t, "http://u@other.example/app/x", "!RP_E_USERINFO");
    EXPECT(t, "*", "!RP_E_FORM");
    EXPECT(t, "ftp://h/app", "!RP_E_FORM");
    EXPECT(t, "http://a\x01b/app/x", "!RP_E_HOST"); /* the authority never goes unchecked */
    EXPECT(t, "http:///app/x", "!RP_E_HOST");
    rp_table_free(t);
}
END_TEST

START_TEST(apache_seam)
{
    const rule r[] = {{"pass", "/a/", "http://b:8080/in", 0},
                      {"pass", "/c", "http://b:8080/in/", 0},
                      {"pass", "/", "http://b:8080", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 3, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/a/x", "http://b:8080/inx");       /* Apache concatenates literally */
    EXPECT(t, "/c/x", "http://b:8080/in//x");
    EXPECT(t, "/", "http://b:8080/");
    EXPECT(t, "/zzz", "!RP_E_UNSAFE_OUTPUT"); /* would become http://b:8080zzz/ */
    rp_table_free(t);
}
END_TEST

START_TEST(apache_order_and_exclusions)
{
    const rule r[] = {{"excl", "/app/admin", NULL, 0},
                      {"pass", "/app", "http://b/one", 0},
                      {"pass", "/app/sub", "http://c/two", 0},
                      {"loc", "/app/loc", "http://d/three", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 4, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/app/admin/x", "!RP_EXCLUDED");
    EXPECT(t, "/app//admin", "!RP_EXCLUDED");
    EXPECT(t, "/app/x/../admin", "!RP_EXCLUDED");
    EXPECT(t, "/app/Admin", "http://b/one/Admin");
    EXPECT(t, "/app/sub/x", "http://b/one/sub/x"); /* first match in order */
    EXPECT(t, "/app/loc/x", "http://d/three/x");   /* <Location> rules first */
    rp_match m;
    char out[64];
    size_t n;
    ck_assert_int_eq(rp_map_request(t, "/app/admin", 10, NULL, 0, 0, out, sizeof out, &n, &m),
                     RP_EXCLUDED);
    ck_assert_uint_eq(m.rule_index, 0);
    ck_assert_int_eq(rp_map_request(t, "/app/q?x", 8, NULL, 0, 0, out, sizeof out, &n, &m), RP_OK);
    ck_assert_uint_eq(m.rule_index, 1);
    ck_assert_str_eq(out, "http://b/one/q?x");
    ck_assert_uint_eq(m.remainder_offset, strlen("http://b/one"));
    ck_assert_uint_eq(m.query_offset, strlen("http://b/one/q"));
    ck_assert_uint_eq(m.path_len, 4);
    ck_assert_ptr_nonnull(m.host);
    ck_assert_int_eq((int)m.host_len, 1);
    ck_assert_int_eq(m.host[0], 'b');
    rp_table_free(t);
}
END_TEST

START_TEST(apache_encoded_slashes)
{
    const rule r[] = {{"pass", "/app", "http://b/in", 0}};
    rp_table *on = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_DECODE, 1, 0);
    EXPECT(on, "/app/a%2Fb", "http://b/in/a/b");
    EXPECT(on, "/app%2Fx", "http://b/in/x");
    EXPECT(on, "/app/..%2Fsecret", "!RP_NO_MATCH");
    EXPECT(on, "/app/.%2F/x", "http://b/in/x");
    EXPECT(on, "/app/a%252Fb", "http://b/in/a%252Fb");
    rp_table_free(on);
    rp_table *keep = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_KEEP, 1, 0);
    EXPECT(keep, "/app/a%2fb", "http://b/in/a%2fb");
    EXPECT(keep, "/app/%2F%2e%2e%2Fx", "http://b/in/%2F..%2Fx");
    rp_table_free(keep);
    rp_table *off = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_REJECT, 0, 0);
    EXPECT(off, "/app/x//y", "http://b/in/x//y");
    EXPECT(off, "/app/x/..//y", "http://b/in//y");
    rp_table_free(off);
}
END_TEST

START_TEST(apache_nocanon_and_mappings)
{
    const rule r[] = {{"pass", "/app", "http://b/in", RP_RULE_NOCANON},
                      {"pass", "/enc", "http://b/e", RP_RULE_MAPPING_ENCODED},
                      {"pass", "/srv", "http://b/s", RP_RULE_MAPPING_SERVLET}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 3, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/app/a%20b?q=%20", "http://b/in/a%20b?q=%20");
    EXPECT(t, "/app/./x", "http://b/in/./x");
    EXPECT(t, "/app/<>", "http://b/in/<>");
    EXPECT(t, "//app/x", "http://b/in/x"); /* raw and canonical differ: nocanon dropped */
    EXPECT(t, "/enc/a%2Fb", "http://b/e/a%2Fb");
    EXPECT(t, "/enc/%41", "http://b/e/A");
    EXPECT(t, "/srv/x;p=1", "http://b/s/x;p=1");
    EXPECT(t, "/srv/x/..;/y", "http://b/s/y");
    EXPECT(t, "/srv;x", "http://b/s");
    EXPECT(t, "/srv/..;/secret", "!RP_NO_MATCH");
    rp_table_free(t);
}
END_TEST

/* '#' in a rule's backend URL: httpd sends it as %23, or raw with nocanon
 * and mapping=encoded (rp_table_check reports backend-fragment); a request
 * never adds one, and the strict profile refuses such a rule. */
START_TEST(backend_url_fragment)
{
    const rule r[] = {{"pass", "/c", "http://b/r#h", 0},
                      {"pass", "/n", "http://b/p#f", RP_RULE_NOCANON},
                      {"pass", "/enc", "http://b/e##", RP_RULE_MAPPING_ENCODED},
                      {"match", "^/m(.*)$", "http://b/q#g$1", RP_RULE_NOCANON}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 4, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/c/x", "http://b/r%23h/x");
    EXPECT(t, "/n/x", "http://b/p#f/x");
    EXPECT(t, "/enc/x%23y", "http://b/e##/x%23y");
    EXPECT(t, "/m/x", "http://b/q#g/x");
    EXPECT(t, "/n/x#y", "!RP_E_FRAGMENT");
    EXPECT(t, "/n/x%23y", "http://b/p#f/x%23y");
    rp_table_free(t);

    /* a control byte or a space of the URL would go out raw: refused per
     * request, as httpd does (AH10412); encoded otherwise */
    const rule c[] = {{"pass", "/sp", "http://b/a b", 0},
                      {"pass", "/spn", "http://b/a b", RP_RULE_NOCANON},
                      {"pass", "/ctl", "http://b/e\x0e", RP_RULE_MAPPING_ENCODED},
                      {"match", "^/m(.*)$", "http://b/q\t$1", RP_RULE_NOCANON}};
    t = mk(RP_PROFILE_APACHE, c, 4, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/sp/x", "http://b/a%20b/x");
    EXPECT(t, "/spn/x", "!RP_E_UNSAFE_OUTPUT");
    EXPECT(t, "//spn/x", "http://b/a%20b/x"); /* nocanon dropped (AH01136): encoded */
    EXPECT(t, "/ctl/x", "!RP_E_UNSAFE_OUTPUT");
    EXPECT(t, "/m/x", "!RP_E_UNSAFE_OUTPUT");
    rp_table_free(t);

    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/c", 2, "http://b/r#h", 12, 0, &d), RP_E_CONFIG);
    ck_assert_ptr_nonnull(strstr(d.message, "fragment"));
    rp_builder_free(b);
}
END_TEST

START_TEST(apache_regex)
{
    const rule r[] = {{"match", "^/u/([^/]+)/(.*)$", "http://b/users/$1?rest=$2", 0},
                      {"match", "\\.php$", "http://b/fpm", 0},
                      {"match", "^/lit/(.*)$", "http://b/x/\\$1", 0},
                      {"match", "(?i)^/ci/(.*)$", "http://b/ci/$1", 0},
                      {"match", "^/(a|b)/(.*)$", "http://b/$2/$1/$3", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 5, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/u/bob/a/b?z=1", "http://b/users/bob%3Frest=a/b?z=1");
    EXPECT(t, "/x/index.php", "http://b/fpm/x/index.php");
    EXPECT(t, "/lit/x", "http://b/x/$1");
    EXPECT(t, "/CI/x", "http://b/ci/x");
    EXPECT(t, "/a/", "http://b//a/");
    EXPECT(t, "/c/x", "!RP_NO_MATCH");
    rp_table_free(t);
}
END_TEST

START_TEST(regex_fails_closed)
{
    const rule r[] = {{"match", "^/(a+)+$", "http://b/x/$1", 0},
                      {"pass", "/", "http://b/fallback/", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 2, RP_SLASHES_REJECT, 1, 0);
    char tg[8000];
    tg[0] = '/';
    memset(tg + 1, 'a', sizeof tg - 2);
    tg[sizeof tg - 1] = '!';
    char out[256];
    size_t n;
    rp_status st = rp_map_request(t, tg, sizeof tg, NULL, 0, 0, out, sizeof out, &n, NULL);
    ck_assert_msg(st == RP_E_LIMIT, "got %s", rp_status_name(st));
    rp_table_free(t);
}
END_TEST

START_TEST(captures_in_authority_refused)
{
    rp_builder *b;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    const char *bad[] = {"http://$1/x", "http://b:8080$1", "$1://b/", "http://b&/"};
    for (size_t i = 0; i < 4; i++) {
        rp_status st = rp_builder_add_pass_match(b, "^/(.*)$", 7, bad[i], strlen(bad[i]), 0, &d);
        ck_assert_msg(st == RP_E_CONFIG, "%s: %s", bad[i], rp_status_name(st));
    }
    ck_assert_int_eq(rp_builder_add_pass_match(b, "^/app/(", 7, "http://b/", 9, 0, &d),
                     RP_E_CONFIG);
    ck_assert_ptr_nonnull(strstr(d.message, "Regular expression could not be compiled."));
    ck_assert_int_eq(rp_builder_add_pass(b, "/a", 2, "backend:8080/x", 14, 0, &d), RP_E_CONFIG);
    ck_assert_str_eq(d.message, "ProxyPass URL must be absolute!: backend:8080/x");
    ck_assert_int_eq(rp_builder_add_pass(b, "/a", 2, "unix:/run/x.sock|http://b/", 26, 0, &d),
                     RP_E_CONFIG);
    rp_builder_free(b);
}
END_TEST

START_TEST(preserve_host)
{
    const rule r[] = {{"pass", "/app", "http://b:81/in", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_REJECT, 1, 1);
    char out[64];
    size_t n;
    rp_match m;
    ck_assert_int_eq(rp_map_request(t, "/app/x", 6, "pub.example:8443", 16, 0, out, sizeof out, &n,
                                    &m),
                     RP_OK);
    ck_assert_int_eq((int)m.host_len, 16);
    ck_assert(memcmp(m.host, "pub.example:8443", 16) == 0);
    ck_assert_int_eq(rp_map_request(t, "/app/x", 6, NULL, 0, 0, out, sizeof out, &n, &m), RP_OK);
    ck_assert_ptr_null(m.host); /* no Host and no server name */
    rp_table_free(t);
    t = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_REJECT, 1, 0);
    ck_assert_int_eq(rp_map_request(t, "/app/x", 6, "pub.example", 11, 0, out, sizeof out, &n, &m),
                     RP_OK);
    ck_assert_int_eq((int)m.host_len, 4);
    ck_assert(memcmp(m.host, "b:81", 4) == 0);
    rp_table_free(t);
}
END_TEST

START_TEST(buffers_and_sizes)
{
    const rule r[] = {{"pass", "/app", "http://b/in", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_REJECT, 1, 0);
    const char *want = "http://b/in/abc?q";
    size_t need = 0;
    ck_assert_int_eq(rp_map_request(t, "/app/abc?q", 10, NULL, 0, 0, NULL, 0, &need, NULL),
                     RP_E_NOSPACE);
    ck_assert_uint_eq(need, strlen(want));
    for (size_t sz = 1; sz <= need + 1; sz++) {
        char *buf = malloc(sz);
        size_t n = 0;
        rp_status st = rp_map_request(t, "/app/abc?q", 10, NULL, 0, 0, buf, sz, &n, NULL);
        if (sz <= need) {
            ck_assert_int_eq(st, RP_E_NOSPACE);
            ck_assert_uint_eq(n, need);
        } else {
            ck_assert_int_eq(st, RP_OK);
            ck_assert_str_eq(buf, want);
        }
        free(buf);
    }
    size_t n;
    char out[8];
    ck_assert_int_eq(rp_map_request(NULL, "/", 1, NULL, 0, 0, out, sizeof out, &n, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_map_request(t, NULL, 1, NULL, 0, 0, out, sizeof out, &n, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_map_request(t, "/", 1, NULL, 0, 0, NULL, 5, &n, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_map_request(t, "/", 1, NULL, 0, 0, out, sizeof out, NULL, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_map_request(t, "/", 1, NULL, 0, 99, out, sizeof out, &n, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_map_request(t, "", 0, NULL, 0, 0, out, sizeof out, &n, NULL), RP_E_FORM);
    char *big = malloc(1 << 20);
    memset(big, 'a', 1 << 20);
    big[0] = '/';
    ck_assert_int_eq(rp_map_request(t, big, 1 << 20, NULL, 0, 0, out, sizeof out, &n, NULL),
                     RP_E_TOO_LONG);
    free(big);
    rp_table_free(t);
}
END_TEST

/* ---- strict profile: SECURITY.md R1-R12 examples ---- */
START_TEST(strict_requirements)
{
    const rule r[] = {{"pass", "/api", "http://b:8080/v1", 0},
                      {"pass", "/api/admin", NULL, RP_RULE_EXCLUDE},
                      {"pass", "/icons", "http://b:8080/icons", 0},
                      {"pass", "/", "http://root/", 0}};
    rp_table *t = mk(RP_PROFILE_STRICT, r, 4, RP_SLASHES_REJECT, 1, 0);
    /* R1 */
    EXPECT(t, "*", "!RP_E_FORM");
    EXPECT(t, "a.example:443", "!RP_E_FORM");
    EXPECT(t, "@10.0.0.1/x", "!RP_E_FORM");
    EXPECT(t, "http://evil.example/a", "!RP_E_FORM");
    /* R2 */
    EXPECT(t, "/a b", "!RP_E_CTL");
    EXPECT(t, "/a#b", "!RP_E_FRAGMENT");
    EXPECT(t, "/a\\b", "!RP_E_BACKSLASH");
    EXPECT(t, "/a\xc3\xa9", "!RP_E_NON_ASCII");
    EXPECT(t, "/a|b", "!RP_E_BAD_CHAR");
    EXPECT(t, "/a?x|y", "!RP_E_BAD_CHAR");
    /* R3 */
    EXPECT(t, "/a%", "!RP_E_BAD_PERCENT");
    EXPECT(t, "/a%2", "!RP_E_BAD_PERCENT");
    EXPECT(t, "/a%zz", "!RP_E_BAD_PERCENT");
    EXPECT(t, "/.%%32%65/", "!RP_E_BAD_PERCENT");
    EXPECT(t, "/%7Euser", "http://root/~user");
    EXPECT(t, "/%41", "http://root/A");
    EXPECT(t, "/%00", "!RP_E_CTL");
    EXPECT(t, "/%0d%0a", "!RP_E_CTL");
    EXPECT(t, "/%7f", "!RP_E_CTL");
    EXPECT(t, "/a%3fb", "http://root/a%3Fb");
    EXPECT(t, "/%252e%252e/x", "http://root/%252e%252e/x");
    EXPECT(t, "/x?a=%zz", "!RP_E_BAD_PERCENT");
    /* R4 */
    EXPECT(t, "/%C0%AE", "!RP_E_BAD_UTF8");
    EXPECT(t, "/%E0%80%AE", "!RP_E_BAD_UTF8");
    EXPECT(t, "/%ED%A0%80", "!RP_E_BAD_UTF8");
    EXPECT(t, "/%F4%90%80%80", "!RP_E_BAD_UTF8");
    EXPECT(t, "/%C3", "!RP_E_BAD_UTF8");
    EXPECT(t, "/caf%c3%a9", "http://root/caf%C3%A9");
    /* R5 */
    EXPECT(t, "/a%2F..%2Fadmin", "!RP_E_ENCODED_SLASH");
    EXPECT(t, "/a/%5c../b", "!RP_E_ENCODED_SLASH");
    /* R6 */
    EXPECT(t, "/api/./v1/../users", "http://b:8080/v1/users");
    EXPECT(t, "/a/b/..", "http://root/a/");
    EXPECT(t, "/a/b/.", "http://root/a/b/");
    EXPECT(t, "/api/%2e%2e/admin", "http://root/admin");
    EXPECT(t, "/icons/.%2e/x", "http://root/x");
    EXPECT(t, "/../x", "!RP_E_ABOVE_ROOT");
    EXPECT(t, "/a/b/../../../c", "!RP_E_ABOVE_ROOT");
    EXPECT(t, "/..;/manager", "!RP_E_DOT_PARAM");
    EXPECT(t, "/a/..;x=1/b", "!RP_E_DOT_PARAM");
    EXPECT(t, "/a/.;/b", "!RP_E_DOT_PARAM");
    EXPECT(t, "/a/..%3B/b", "!RP_E_DOT_PARAM");
    EXPECT(t, "/a/..%3b/b", "!RP_E_DOT_PARAM");
    EXPECT(t, "/api../x", "http://root/api../x");
    EXPECT(t, "/...", "http://root/...");
    /* R7 */
    EXPECT(t, "/a//b///c", "http://root/a/b/c");
    /* R8 */
    EXPECT(t, "/a/b?x=../../y", "http://root/a/b?x=../../y");
    /* R10, R11, R12 */
    EXPECT(t, "/api", "http://b:8080/v1");
    EXPECT(t, "/api/", "http://b:8080/v1/");
    EXPECT(t, "/api/users?id=1", "http://b:8080/v1/users?id=1");
    EXPECT(t, "/apix", "http://root/apix");
    EXPECT(t, "/api%2e%2e/admin", "http://root/api../admin");
    EXPECT(t, "/api/../admin", "http://root/admin");
    EXPECT(t, "/api/admin/x", "!RP_EXCLUDED"); /* longest prefix, not first */
    rp_table_free(t);
}
END_TEST

START_TEST(segment_limit)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_SEGMENTS, 2), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/", 1, "http://r/", 9, 0, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    EXPECT(t, "/a/b", "http://r/a/b");
    EXPECT(t, "/a/b/c", "!RP_E_TOO_LONG");
    rp_table_free(t);
}
END_TEST

/* The fast check that lets an already-canonical path be matched where it
 * lies (a scan 16 bytes at a time for paths of 16 bytes or more, one byte
 * at a time below) must never take a path that canonicalization would
 * change. Oracle: "/x/.." + P canonicalizes to P through the full path, so
 * both requests must give the same status, rule and output. Every byte
 * value at every position of paths of 1 to 48 bytes (both scans, the
 * block seams at 16 and 32, the overlapping last block), and "//" and "/."
 * straddling every position. */
static void same_as_slow(const rp_table *t, const char *p, size_t n)
{
    char a[128], b[128], slow[80];
    size_t an = 0, bn = 0;
    rp_match ma, mb;
    memcpy(slow, "/x/..", 5);
    memcpy(slow + 5, p, n);
    rp_status sa = rp_map_request(t, p, n, NULL, 0, RP_MAP_DEFAULT, a, sizeof a, &an, &ma);
    rp_status sb = rp_map_request(t, slow, n + 5, NULL, 0, RP_MAP_DEFAULT, b, sizeof b, &bn, &mb);
    ck_assert_msg(sa == sb, "%.*s: %s, through canonicalization %s", (int)n, p,
                  rp_status_name(sa), rp_status_name(sb));
    if (sa == RP_OK)
        ck_assert_msg(an == bn && memcmp(a, b, an) == 0, "%.*s: %.*s, through canonicalization %.*s",
                      (int)n, p, (int)an, a, (int)bn, b);
}

START_TEST(fast_canonical_scan)
{
    static const rule root[] = {{"pass", "/", "http://r/", 0}};
    for (unsigned prof = 0; prof < 2; prof++) {
        rp_table *t = mk(prof ? RP_PROFILE_STRICT : RP_PROFILE_APACHE, root, 1, RP_SLASHES_REJECT, 1, 0);
        char p[48];
        for (size_t n = 1; n <= sizeof p; n++) {
            for (size_t i = 0; i < n; i++)
                p[i] = i % 7 == 0 ? '/' : (char)('a' + i % 26);
            same_as_slow(t, p, n);
            for (size_t k = 1; k < n; k++) {
                char keep = p[k], next = k + 1 < n ? p[k + 1] : 0;
                for (unsigned c = 0; c < 256; c++) {
                    p[k] = (char)c;
                    same_as_slow(t, p, n);
                }
                for (size_t j = 0; k + 1 < n && j < 2; j++) {
                    p[k] = '/';
                    p[k + 1] = j ? '.' : '/';
                    same_as_slow(t, p, n);
                    p[k + 1] = next;
                }
                p[k] = keep;
            }
        }
        rp_table_free(t);
    }
}
END_TEST

/* The segment count of the fast scan, on paths long enough for it. */
START_TEST(segment_limit_long_paths)
{
    for (size_t limit = 1; limit <= 12; limit++) {
        rp_builder *b;
        rp_table *t;
        ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_SEGMENTS, limit), RP_OK);
        ck_assert_int_eq(rp_builder_add_pass(b, "/", 1, "http://r/", 9, 0, NULL), RP_OK);
        ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
        rp_builder_free(b);
        for (size_t seglen = 1; seglen <= 9; seglen++) {
            for (size_t segs = limit; segs <= limit + 1; segs++) {
                char p[200], want[220];
                size_t n = 0;
                for (size_t s = 0; s < segs; s++) {
                    p[n++] = '/';
                    for (size_t i = 0; i < seglen; i++)
                        p[n++] = (char)('a' + (s + i) % 26);
                }
                p[n] = '\0';
                snprintf(want, sizeof want, "http://r%s", p);
                expect(t, p, n, segs <= limit ? want : "!RP_E_TOO_LONG");
            }
        }
        rp_table_free(t);
    }
}
END_TEST

/* One Host syntax for rp_map_request's Host, its absolute-form authority
 * and rp_public_origin: a reg-name or a bracketed IPv6 literal that parses
 * as one, then an optional port 1-65535. */
START_TEST(host_syntax)
{
    static const rule r[] = {{"pass", "/app", "http://b/in", 0}};
    rp_table *t = mk(RP_PROFILE_APACHE, r, 1, RP_SLASHES_REJECT, 1, 0);
    static const struct {
        const char *host;
        bool        ok;
    } cases[] = {
        {"public.example", true},     {"public.example:8443", true},
        {"public.example:", true},    {"under_score.example", true},
        {"192.0.2.1:80", true},       {"[::1]", true},
        {"[::1]:8080", true},         {"[2001:db8::1]", true},
        {"[::ffff:192.0.2.1]", true}, {"[1:2:3:4:5:6:7:8]", true},
        {"", false},                  {"a b", false},
        {"public.example:0", false},  {"public.example:65536", false},
        {"public.example:8a", false}, {"user@public.example", false},
        {"[::1", false},              {"[]", false},
        {"[:]", false},               {"[::1]x", false},
        {"[1:2:3:4:5:6:7:8:9]", false}, {"[12345::]", false},
        {"[1::2::3]", false},         {"[fe80::1%25eth0]", false},
        {"[v1.x]", false},            {"[::1]:0", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *h = cases[i].host;
        size_t hn = strlen(h);
        char out[256], target[128];
        size_t n;
        rp_status st = rp_map_request(t, "/app/x", 6, h, hn, RP_MAP_DEFAULT, out, sizeof out, &n,
                                      NULL);
        ck_assert_msg((st == RP_OK) == cases[i].ok, "Host %s: %s", h, rp_status_name(st));
        if (!cases[i].ok)
            ck_assert_int_eq(st, RP_E_HOST);
        st = rp_public_origin(t, "https", 5, h, hn, out, sizeof out, &n);
        ck_assert_msg((st == RP_OK) == cases[i].ok, "rp_public_origin %s: %s", h,
                      rp_status_name(st));
        if (hn == 0 || strchr(h, '@') || strchr(h, ' '))
            continue; /* other rules of the authority apply first */
        int tn = snprintf(target, sizeof target, "http://%s/app/x", h);
        st = rp_map_request(t, target, (size_t)tn, NULL, 0, RP_MAP_DEFAULT, out, sizeof out, &n,
                            NULL);
        ck_assert_msg((st == RP_OK) == cases[i].ok, "%s: %s", target, rp_status_name(st));
    }
    rp_table_free(t);
}
END_TEST

START_TEST(strict_slash_policies)
{
    const rule r[] = {{"pass", "/", "http://root/", 0}};
    rp_table *keep = mk(RP_PROFILE_STRICT, r, 1, RP_SLASHES_KEEP, 1, 0);
    EXPECT(keep, "/a%2f..%2Fadmin", "http://root/a%2F..%2Fadmin");
    rp_table_free(keep);
    rp_table *dec = mk(RP_PROFILE_STRICT, r, 1, RP_SLASHES_DECODE, 1, 0);
    EXPECT(dec, "/a%2F..%2Fadmin", "http://root/admin");
    rp_table_free(dec);
    rp_table *nomerge = mk(RP_PROFILE_STRICT, r, 1, RP_SLASHES_REJECT, 0, 0);
    EXPECT(nomerge, "/a//b", "http://root/a//b");
    EXPECT(nomerge, "//a", "http://root/a");
    rp_table_free(nomerge);
    /* a backend without a path and a remainder starting with "//": the
     * result's path would read as an authority (fuzz_map) */
    const rule b[] = {{"pass", "/bare", "http://bare:8080", 0}, {"pass", "/p", "http://b/p", 0}};
    nomerge = mk(RP_PROFILE_STRICT, b, 2, RP_SLASHES_REJECT, 0, 0);
    EXPECT(nomerge, "/bare//sS/", "!RP_E_UNSAFE_OUTPUT");
    EXPECT(nomerge, "/bare/x//y", "http://bare:8080/x//y");
    EXPECT(nomerge, "/bare", "http://bare:8080/");
    EXPECT(nomerge, "/p//x", "http://b/p//x");
    rp_table_free(nomerge);
}
END_TEST

START_TEST(strict_config_checks)
{
    rp_builder *b;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a/../b", 7, "http://b/", 9, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a%2fb", 6, "http://b/", 9, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a", 2, "http://u@b/", 11, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a", 2, "http://b:99999/", 15, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a", 2, "http://b/x?y", 12, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a", 2, "file:///etc", 11, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a", 2, "http://b/", 9, 0, &d), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/a/", 3, "http://c/", 9, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/n", 2, "http://c/", 9, RP_RULE_NOCANON, &d),
                     RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/d", 2, "http://c/v1/../admin", 20, 0, &d),
                     RP_E_CONFIG);
    /* encoded dot segments too: the backend decodes and resolves them */
    ck_assert_int_eq(rp_builder_add_pass(b, "/d", 2, "http://c/v1/%2e%2E/admin", 24, 0, &d),
                     RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/d", 2, "http://c/v1/.%2e", 16, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/d", 2, "http://c/%2E/x", 14, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/e", 2, "http://c/v1/%2e%2e%2e/x", 23, 0, &d), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/f", 2, "http://c/v1/a%2e", 16, 0, &d), RP_OK);
    /* an IPv6 host in a strict ProxyPassMatch template; '[' elsewhere is refused */
    ck_assert_int_eq(rp_builder_add_pass_match(b, "^/g/(.*)$", 9, "http://[fd00::5]:8080/s/$1", 26,
                                               0, &d),
                     RP_OK);
    ck_assert_int_eq(rp_builder_add_pass_match(b, "^/h/(.*)$", 9, "http://[fd00::5]/s[1]/$1", 24,
                                               0, &d),
                     RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass_match(b, "^/q/(.*)$", 9, "http://b/s?a b=$1", 17, 0, &d),
                     RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass_match(b, "^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)$", 32,
                                               "http://b/$1", 11, 0, &d),
                     RP_E_CONFIG);
    rp_builder_free(b);
}
END_TEST

START_TEST(strict_regex)
{
    const rule r[] = {{"match", "^/img/(.*)$", "http://b/static/$1", 0},
                      {"match", "^/q/([^/]*)$", "http://b/search?term=$1", 0},
                      {"match", "^/dd/(.*)x$", "http://b/s/$1/y", 0}};
    rp_table *t = mk(RP_PROFILE_STRICT, r, 3, RP_SLASHES_REJECT, 1, 0);
    EXPECT(t, "/img/a/b.png", "http://b/static/a/b.png");
    EXPECT(t, "/img/a%3Fb", "http://b/static/a%3Fb");
    EXPECT(t, "/q/a=b&c", "http://b/search?term=a%3Db%26c");
    EXPECT(t, "/dd/..x", "!RP_E_UNSAFE_OUTPUT");
    size_t need = 0; /* the size query gives the same answer as the real call */
    ck_assert_int_eq(rp_map_request(t, "/dd/..x", 7, NULL, 0, 0, NULL, 0, &need, NULL),
                     RP_E_UNSAFE_OUTPUT);
    rp_table_free(t);
}
END_TEST

static int run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(void)
{
    Suite *s = suite_create("map");
    TCase *tc = tcase_create("map");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, apache_prefix_forms);
    tcase_add_test(tc, apache_seam);
    tcase_add_test(tc, apache_order_and_exclusions);
    tcase_add_test(tc, apache_encoded_slashes);
    tcase_add_test(tc, apache_nocanon_and_mappings);
    tcase_add_test(tc, apache_regex);
    tcase_add_test(tc, backend_url_fragment);
    tcase_add_test(tc, regex_fails_closed);
    tcase_add_test(tc, captures_in_authority_refused);
    tcase_add_test(tc, preserve_host);
    tcase_add_test(tc, host_syntax);
    tcase_add_test(tc, buffers_and_sizes);
    tcase_add_test(tc, strict_requirements);
    tcase_add_test(tc, strict_slash_policies);
    tcase_add_test(tc, segment_limit);
    tcase_add_test(tc, segment_limit_long_paths);
    tcase_add_test(tc, fast_canonical_scan);
    tcase_add_test(tc, strict_config_checks);
    tcase_add_test(tc, strict_regex);
    suite_add_tcase(s, tc);
    return run(s);
}
