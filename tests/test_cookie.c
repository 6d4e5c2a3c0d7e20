/* rp_rewrite_set_cookie through the public API only (docs/cookies.md):
 * SECURITY.md R18 examples, PR 61560, duplicates, limits, sizes, header
 * injection, <Location> scoping, and recorded Apache 2.4.71 cases.
 *
 * Every input is handed over as an exact-size heap copy with no NUL after
 * it, so a read past value_len shows up under AddressSanitizer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

#define A RP_PROFILE_APACHE
#define S RP_PROFILE_STRICT

/* ---- tables ----------------------------------------------------------- */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    return p;
}

static rp_builder *new_builder(unsigned profile)
{
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    return b;
}

/* Compile and free the builder. */
static rp_table *compile(rp_builder *b)
{
    rp_table *t = NULL;
    rp_diag d;
    rp_status st = rp_builder_compile(b, &t, &d);
    ck_assert_msg(st == RP_OK, "compile: %s %s", rp_status_name(st), d.message);
    rp_builder_free(b);
    return t;
}

static void add_domain(rp_builder *b, const char *in, const char *pub, const char *loc,
                       unsigned flags)
{
    ck_assert_int_eq(rp_builder_add_cookie_domain(b, in, strlen(in), pub, strlen(pub), loc,
                                                  loc ? strlen(loc) : 0, flags, NULL),
                     RP_OK);
}

static void add_path(rp_builder *b, const char *in, const char *pub, const char *loc,
                     unsigned flags)
{
    ck_assert_int_eq(rp_builder_add_cookie_path(b, in, strlen(in), pub, strlen(pub), loc,
                                                loc ? strlen(loc) : 0, flags, NULL),
                     RP_OK);
}

/* The R18 table: Domain b.internal -> www.example.com, Path /v1 -> /api. */
static rp_table *r18_table(unsigned profile, unsigned path_flags)
{
    rp_builder *b = new_builder(profile);
    add_domain(b, "b.internal", "www.example.com", NULL, 0);
    add_path(b, "/v1", "/api", NULL, path_flags);
    return compile(b);
}

static rp_table *config_table(unsigned profile, const char *text)
{
    rp_builder *b = new_builder(profile);
    rp_diag d;
    rp_status st = rp_builder_add_config(b, text, strlen(text), "test", &d);
    ck_assert_msg(st == RP_OK, "config: %s line %u: %s", rp_status_name(st), d.line, d.message);
    return compile(b);
}

/* ---- calls -------------------------------------------------------------- */

/* One call on an exact-size heap copy of (in, len). target: the request
 * the response answers (NULL: no context at all). */
static rp_status rewrite(const rp_table *t, const char *target, const char *in, size_t len,
                         char *out, size_t out_size, size_t *n)
{
    rp_response_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.request_target = target;
    ctx.request_target_len = target ? strlen(target) : 0;
    char *copy = xmalloc(len);
    if (len)
        memcpy(copy, in, len);
    rp_status st = rp_rewrite_set_cookie(t, len ? copy : NULL, len, target ? &ctx : NULL, 0, out,
                                         out_size, n);
    free(copy);
    return st;
}

/* Expect want: "!RP_E_NAME" for an error; otherwise the output, with RP_OK
 * when it differs from the input and RP_NO_MATCH when it is the input.
 * Checks the size query and the exact-size buffer too. */
static void expect_at(const rp_table *t, const char *target, const char *in, size_t in_len,
                      const char *want, int line)
{
    int il = (int)(in_len < 200 ? in_len : 200); /* shown in messages */
    size_t cap = 2 * in_len + 4096;
    char *out = xmalloc(cap);
    size_t n = 12345;
    rp_status st = rewrite(t, target, in, in_len, out, cap, &n);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "line %d: [%.*s] got %s", line,
                      il, in, rp_status_name(st));
        size_t q = 0;
        st = rewrite(t, target, in, in_len, NULL, 0, &q);
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0,
                      "line %d: [%.*s] size query got %s", line, il, in, rp_status_name(st));
        free(out);
        return;
    }
    size_t wl = strlen(want);
    rp_status ok = (wl == in_len && memcmp(in, want, wl) == 0) ? RP_NO_MATCH : RP_OK;
    ck_assert_msg(st == ok, "line %d: [%.*s] status %s, want %s", line, il, in,
                  rp_status_name(st), rp_status_name(ok));
    ck_assert_msg(n == wl && memcmp(out, want, wl) == 0 && out[wl] == '\0',
                  "line %d: [%.*s]\n got [%.200s]\nwant [%.200s]", line, il, in, out, want);
    size_t need = 0;
    ck_assert_int_eq(rewrite(t, target, in, in_len, NULL, 0, &need), RP_E_NOSPACE);
    ck_assert_msg(need == wl, "line %d: size query %zu, want %zu", line, need, wl);
    ck_assert_int_eq(rewrite(t, target, in, in_len, out, wl + 1, &n), ok);
    ck_assert(n == wl && memcmp(out, want, wl + 1) == 0);
    ck_assert_int_eq(rewrite(t, target, in, in_len, out, wl, &n), RP_E_NOSPACE);
    ck_assert_uint_eq(n, wl);
    free(out);
}

#define EXPECT_T(t, target, in, want) expect_at(t, target, in, strlen(in), want, __LINE__)
#define EXPECT(t, in, want) EXPECT_T(t, NULL, in, want)

/* ---- SECURITY.md R18 (strict) -------------------------------------------- */

START_TEST(r18_examples)
{
    rp_table *t = r18_table(S, 0);
    EXPECT(t, "sid=1; Domain=b.internal; Path=/v1; HttpOnly",
           "sid=1; Domain=www.example.com; Path=/api; HttpOnly");
    EXPECT(t, "sid=1; domain=.B.Internal; path=/v1/x", "sid=1; domain=www.example.com; path=/api/x");
    /* the first pair is never an attribute: a cookie named domain keeps its value */
    EXPECT(t, "domain=b.internal; Path=/v1", "domain=b.internal; Path=/api");
    EXPECT(t, "path=/v1", "path=/v1");
    EXPECT(t, "sid=1; Domain=b.internal.evil.test", "sid=1; Domain=b.internal.evil.test");
    EXPECT(t, "sid=1; Path=/v1x", "sid=1; Path=/v1x");
    EXPECT(t, "a=1; Path=/v1; Path=/", "a=1; Path=/api; Path=/");
    EXPECT(t, "__Host-s=1; Path=/v1; Secure", "__Host-s=1; Path=/v1; Secure");
    EXPECT(t, "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/v1",
           "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/api");
    rp_table_free(t);
}
END_TEST

/* ---- PR 61560: a cookie *name* ending in "domain" ---------------------------- */

START_TEST(pr61560_fakedomain)
{
    for (unsigned p = A; p <= S; p++) {
        rp_builder *b = new_builder(p);
        add_domain(b, "local", "www.example.com", NULL, 0);
        rp_table *t = compile(b);
        EXPECT(t, "fakedomain=local;domain=local", "fakedomain=local;domain=www.example.com");
        EXPECT(t, "fakedomain=local", "fakedomain=local");
        EXPECT(t, "a=1; xdomain=local; Domain=local", "a=1; xdomain=local; Domain=www.example.com");
        rp_table_free(t);
    }
    /* The same through Apache directives, as httpd-tests writes it. */
    rp_table *t = config_table(A, "ProxyPassReverseCookieDomain local public.example\n");
    EXPECT(t, "fakedomain=local;domain=local", "fakedomain=local;domain=public.example");
    rp_table_free(t);
}
END_TEST

/* A cookie *named* domain or path: httpd reads the first token as an
 * attribute (recorded ck-base-20); strict never does. */
START_TEST(cookie_named_like_an_attribute)
{
    rp_table *a = r18_table(A, 0), *s = r18_table(S, 0);
    EXPECT(a, "domain=b.internal; Path=/x", "domain=www.example.com; Path=/x");
    EXPECT(s, "domain=b.internal; Path=/x", "domain=b.internal; Path=/x");
    EXPECT(a, "path=/v1/q", "path=/api");
    EXPECT(s, "path=/v1/q", "path=/v1/q");
    EXPECT(s, " Domain = b.internal ; Path=/v1", " Domain = b.internal ; Path=/api");
    rp_table_free(a);
    rp_table_free(s);
}
END_TEST

/* ---- commas are data ------------------------------------------------------ */

START_TEST(commas_in_expires)
{
    rp_table *a = r18_table(A, 0), *s = r18_table(S, 0);
    const char *in = "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/v1; Domain=b.internal";
    const char *want =
        "s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/api; Domain=www.example.com";
    EXPECT(a, in, want);
    EXPECT(s, in, want);
    /* a folded list is one value: no second cookie starts after the comma */
    EXPECT(s, "a=1; Path=/v1, b=2; Path=/v1", "a=1; Path=/v1, b=2; Path=/api");
    EXPECT(a, "a=1; Path=/v1, b=2; Path=/v1", "a=1; Path=/v1, b=2; Path=/api");
    EXPECT(s, "a=1; Path=/v1,/v1", "a=1; Path=/v1,/v1");
    rp_table_free(a);
    rp_table_free(s);
}
END_TEST

/* ---- strict Domain -------------------------------------------------------- */

START_TEST(strict_domain_exact)
{
    rp_table *t = r18_table(S, 0);
    EXPECT(t, "a=1; Domain=b.internal", "a=1; Domain=www.example.com");
    EXPECT(t, "a=1; Domain=B.INTERNAL", "a=1; Domain=www.example.com");
    EXPECT(t, "a=1; Domain=.b.internal", "a=1; Domain=www.example.com");
    EXPECT(t, "a=1; Domain=..b.internal", "a=1; Domain=..b.internal"); /* one dot only */
    EXPECT(t, "a=1; Domain=sub.b.internal", "a=1; Domain=sub.b.internal");
    EXPECT(t, "a=1; Domain=b.internal.", "a=1; Domain=b.internal.");
    EXPECT(t, "a=1; Domain=xb.internal", "a=1; Domain=xb.internal");
    EXPECT(t, "a=1; Domain=b.interna", "a=1; Domain=b.interna");
    EXPECT(t, "a=1; Domain=", "a=1; Domain=");
    EXPECT(t, "a=1; Domain=.", "a=1; Domain=.");
    EXPECT(t, "a=1; Domain", "a=1; Domain");
    /* names trimmed and any case, values trimmed, white space kept around */
    EXPECT(t, "a=1;\tDOMAIN\t=\t b.internal \t;x", "a=1;\tDOMAIN\t=\t www.example.com \t;x");
    /* every occurrence is handled */
    EXPECT(t, "a=1; Domain=b.internal; Domain=other.example; domain=.b.internal",
           "a=1; Domain=www.example.com; Domain=other.example; domain=www.example.com");
    rp_table_free(t);

    /* the rule's internal domain may carry the dot; the public one is written as given */
    rp_builder *b = new_builder(S);
    add_domain(b, ".B.Internal", ".www.example.com", NULL, 0);
    t = compile(b);
    EXPECT(t, "a=1; Domain=b.internal", "a=1; Domain=.www.example.com");
    EXPECT(t, "a=1; Domain=.b.internal", "a=1; Domain=.www.example.com");
    rp_table_free(t);
}
END_TEST

START_TEST(strict_domain_refused_rules)
{
    rp_builder *b = new_builder(S);
    add_domain(b, "one.internal", "com", NULL, RP_COOKIE_ALLOW_WIDENING); /* single label */
    add_domain(b, "two.internal", ".localhost", NULL, RP_COOKIE_ALLOW_WIDENING);
    add_domain(b, "a.b.internal", "example.com", NULL, 0);                 /* widening */
    add_domain(b, "c.b.internal", "example.com", NULL, RP_COOKIE_ALLOW_WIDENING);
    add_domain(b, "d.internal", "www.example.com; Domain=evil.example", NULL, 0);
    add_domain(b, "f.internal", "www..example.com", NULL, 0);
    add_domain(b, "g.internal", "www.example.com.", NULL, 0);
    add_domain(b, "h.internal", "[::1]", NULL, 0);
    add_domain(b, "", "www.example.com", NULL, 0);
    add_domain(b, "i.internal", "x.example.com", NULL, 0); /* same label count: fine */
    add_domain(b, "j.internal", "192.0.2.1", NULL, 0);
    rp_table *t = compile(b);
    EXPECT(t, "s=1; Domain=one.internal", "s=1; Domain=one.internal");
    EXPECT(t, "s=1; Domain=two.internal", "s=1; Domain=two.internal");
    EXPECT(t, "s=1; Domain=a.b.internal", "s=1; Domain=a.b.internal");
    EXPECT(t, "s=1; Domain=c.b.internal", "s=1; Domain=example.com");
    EXPECT(t, "s=1; Domain=d.internal", "s=1; Domain=d.internal");
    EXPECT(t, "s=1; Domain=e.internal", "s=1; Domain=e.internal");
    EXPECT(t, "s=1; Domain=f.internal", "s=1; Domain=f.internal");
    EXPECT(t, "s=1; Domain=g.internal", "s=1; Domain=g.internal");
    EXPECT(t, "s=1; Domain=h.internal", "s=1; Domain=h.internal");
    EXPECT(t, "s=1; Domain=", "s=1; Domain=");
    EXPECT(t, "s=1; Domain=.", "s=1; Domain=.");
    EXPECT(t, "s=1; Domain=i.internal", "s=1; Domain=x.example.com");
    EXPECT(t, "s=1; Domain=j.internal", "s=1; Domain=192.0.2.1");
    rp_table_free(t);
}
END_TEST

/* Rules are tried in order; a refused rule does not stop the next one. */
START_TEST(strict_domain_first_usable_rule)
{
    rp_builder *b = new_builder(S);
    add_domain(b, "b.internal", "example", NULL, 0);
    add_domain(b, "b.internal", "first.example.com", NULL, 0);
    add_domain(b, "B.internal", "second.example.com", NULL, 0);
    rp_table *t = compile(b);
    EXPECT(t, "s=1; Domain=b.internal", "s=1; Domain=first.example.com");
    rp_table_free(t);
}
END_TEST

/* ---- strict Path ----------------------------------------------------------- */

START_TEST(strict_path_segments)
{
    rp_table *t = r18_table(S, 0);
    EXPECT(t, "a=1; Path=/v1", "a=1; Path=/api");
    EXPECT(t, "a=1; Path=/v1/", "a=1; Path=/api/");
    EXPECT(t, "a=1; Path=/v1/x/y", "a=1; Path=/api/x/y");
    EXPECT(t, "a=1; Path=/v1x", "a=1; Path=/v1x");
    EXPECT(t, "a=1; Path=/V1", "a=1; Path=/V1"); /* case-sensitive */
    EXPECT(t, "a=1; Path=/", "a=1; Path=/");
    EXPECT(t, "a=1; Path=v1", "a=1; Path=v1");
    EXPECT(t, "a=1; Path=", "a=1; Path=");
    EXPECT(t, "a=1; PATH = /v1/x ;Secure", "a=1; PATH = /api/x ;Secure");
    rp_table_free(t);

    rp_builder *b = new_builder(S);
    add_path(b, "/v2/", "/api", NULL, 0);    /* internal ends with '/' */
    add_path(b, "/v3", "/api/", NULL, 0);    /* public ends with '/' */
    add_path(b, "/", "/root", NULL, 0);      /* everything else */
    add_path(b, "/v4", "/", NULL, 0);        /* onto the root */
    add_path(b, "/v5/", "/five/", NULL, 0);
    t = compile(b);
    EXPECT(t, "a=1; Path=/v2", "a=1; Path=/root/v2");
    EXPECT(t, "a=1; Path=/v2/", "a=1; Path=/api/");
    EXPECT(t, "a=1; Path=/v2/x", "a=1; Path=/api/x");
    EXPECT(t, "a=1; Path=/v3", "a=1; Path=/api/");
    EXPECT(t, "a=1; Path=/v3/x", "a=1; Path=/api/x");
    EXPECT(t, "a=1; Path=/", "a=1; Path=/root/");
    EXPECT(t, "a=1; Path=/other", "a=1; Path=/root/other");
    EXPECT(t, "a=1; Path=/v4", "a=1; Path=/");
    EXPECT(t, "a=1; Path=/v4/x", "a=1; Path=/x");
    EXPECT(t, "a=1; Path=/v5/x", "a=1; Path=/five/x");
    EXPECT(t, "a=1; Path=/v5/", "a=1; Path=/five/");
    rp_table_free(t);
}
END_TEST

START_TEST(strict_path_longest_and_whole)
{
    rp_builder *b = new_builder(S);
    add_path(b, "/v1", "/a", NULL, 0);
    add_path(b, "/v1/admin", "/b", NULL, 0);
    add_path(b, "/v1/admin", "/c", NULL, 0); /* same length: the earlier rule wins */
    add_path(b, "/w", "/whole", NULL, RP_COOKIE_REPLACE_WHOLE);
    add_path(b, "x", "/bad-internal", NULL, 0);
    add_path(b, "/y", "bad-public", NULL, 0);
    add_path(b, "/z", "/z;Domain=evil.example", NULL, 0);
    add_path(b, "", "/empty", NULL, 0);
    rp_table *t = compile(b);
    EXPECT(t, "a=1; Path=/v1/admin/x", "a=1; Path=/b/x");
    EXPECT(t, "a=1; Path=/v1/adminx", "a=1; Path=/a/adminx");
    EXPECT(t, "a=1; Path=/v1/x", "a=1; Path=/a/x");
    EXPECT(t, "a=1; Path=/w/deep/er", "a=1; Path=/whole");
    EXPECT(t, "a=1; Path=/w", "a=1; Path=/whole");
    EXPECT(t, "a=1; Path=/wx", "a=1; Path=/wx"); /* still a segment match */
    EXPECT(t, "a=1; Path=x/y", "a=1; Path=x/y");
    EXPECT(t, "a=1; Path=/y", "a=1; Path=/y");
    EXPECT(t, "a=1; Path=/z", "a=1; Path=/z");
    EXPECT(t, "a=1; Path=/q", "a=1; Path=/q");
    EXPECT(t, "a=1; Path=/r", "a=1; Path=/r");
    rp_table_free(t);

    t = r18_table(S, RP_COOKIE_REPLACE_WHOLE);
    EXPECT(t, "sid=1; Path=/v1/x", "sid=1; Path=/api");
    EXPECT(t, "sid=1; Path=/v1x", "sid=1; Path=/v1x");
    rp_table_free(t);
}
END_TEST

/* ---- prefixed cookies ------------------------------------------------------- */

START_TEST(prefixed_cookies)
{
    rp_table *s = r18_table(S, 0), *a = r18_table(A, 0);
    EXPECT(s, "__Host-s=1; Path=/v1; Secure", "__Host-s=1; Path=/v1; Secure");
    EXPECT(s, "__Secure-s=1; Domain=b.internal; Secure", "__Secure-s=1; Domain=b.internal; Secure");
    EXPECT(s, "__host-s=1; Path=/v1", "__host-s=1; Path=/v1");
    EXPECT(s, "__SECURE-s=1; Path=/v1", "__SECURE-s=1; Path=/v1");
    EXPECT(s, " \t__Host-s=1; Path=/v1", " \t__Host-s=1; Path=/v1");
    EXPECT(s, "=__Host-s; Path=/v1", "=__Host-s; Path=/v1"); /* nameless cookie */
    EXPECT(s, "__Host-; Path=/v1", "__Host-; Path=/v1");
    EXPECT(s, "x__Host-s=1; Path=/v1", "x__Host-s=1; Path=/api");
    EXPECT(s, "_Host-s=1; Path=/v1", "_Host-s=1; Path=/api");
    EXPECT(s, "a=__Host-s; Path=/v1", "a=__Host-s; Path=/api");
    /* Apache has no such rule */
    EXPECT(a, "__Host-s=1; Path=/v1; Secure", "__Host-s=1; Path=/api; Secure");
    rp_table_free(s);
    rp_table_free(a);
}
END_TEST

/* ---- Apache profile details not in the recorded data ----------------------- */

/* Found by fuzz_cookie: a rule whose replacement equals the text it
 * replaces (Apache: Path "/" -> "/root" on "Path=/root"; strict: a rule
 * mapping a path or domain to itself) gave RP_OK for an unchanged value;
 * docs/headers.md promises RP_NO_MATCH whenever nothing changed. */
START_TEST(identity_rewrite_is_no_match)
{
    rp_builder *b = new_builder(A);
    add_path(b, "/", "/root", NULL, 0);
    add_domain(b, "x.internal", "x.internal", NULL, 0);
    rp_table *ta = compile(b);
    EXPECT(ta, "a=1; Path=/root", "a=1; Path=/root");
    EXPECT(ta, "a=1; Path=/root; Domain=x.internal", "a=1; Path=/root; Domain=x.internal");
    EXPECT(ta, "a=1; Path=/x; Domain=x.internal", "a=1; Path=/root; Domain=x.internal");
    rp_table_free(ta);
    b = new_builder(S);
    add_path(b, "/v1", "/v1", NULL, 0);
    add_domain(b, "b.internal", "b.internal", NULL, 0);
    rp_table *ts = compile(b);
    EXPECT(ts, "a=1; Path=/v1/x; Domain=b.internal", "a=1; Path=/v1/x; Domain=b.internal");
    EXPECT(ts, "a=1; Path=/v1/x; Domain=.b.internal", "a=1; Path=/v1/x; Domain=b.internal");
    rp_table_free(ts);
}
END_TEST

START_TEST(apache_details)
{
    rp_table *t = config_table(A, "ProxyPassReverseCookieDomain backend.internal public.example\n"
                                  "ProxyPassReverseCookiePath /internal /app\n");
    /* apr_isspace: \v and \f are skipped before a token too */
    EXPECT(t, "a=1;\vPath=/internal", "a=1;\vPath=/app");
    EXPECT(t, "a=1;\f \tpath=/internal/x", "a=1;\f \tpath=/app");
    /* trailing spaces belong to the value and are replaced with it */
    EXPECT(t, "a=1; Path=/internal   ; Secure", "a=1; Path=/app; Secure");
    /* Domain before Path: both spliced, in text order */
    EXPECT(t, "a=1; Domain=BACKEND.internal.x; Path=/internalz; HttpOnly",
           "a=1; Domain=public.example; Path=/app; HttpOnly");
    /* the name token counts as an attribute, also for Path */
    EXPECT(t, "Path=/internal; Domain=backend.internal",
           "Path=/app; Domain=public.example");
    /* SECURITY.md 1.6: the first of two Path attributes matches, the last
     * does not: httpd's own splice overruns its buffer here; the recorded
     * behaviour (ck-base-33) is "only the last counts" */
    EXPECT(t, "a=1; Path=/internal/; Path=/", "a=1; Path=/internal/; Path=/");
    EXPECT(t, "a=1; Domain=backend.internal.very.long.name; Domain=x",
           "a=1; Domain=backend.internal.very.long.name; Domain=x");
    EXPECT(t, "a=1; Path=/; Path=/internal/deep/er/path",
           "a=1; Path=/; Path=/app");
    /* no '=' directly after the name: not an attribute */
    EXPECT(t, "a=1; Path =/internal; Path", "a=1; Path =/internal; Path");
    rp_table_free(t);

    /* Apache ignores the strict-only rules: single labels, widening, flags */
    rp_builder *b = new_builder(A);
    add_domain(b, "backend", "public", NULL, 0);
    add_path(b, "/i", "/p/", NULL, 0);
    t = compile(b);
    EXPECT(t, "a=1; Domain=backend.internal", "a=1; Domain=public");
    EXPECT(t, "a=1; Path=/ix/y", "a=1; Path=/p/");
    rp_table_free(t);

    /* an empty internal value (programmatic) matches every value, as in httpd */
    b = new_builder(A);
    add_domain(b, "", "public.example", NULL, 0);
    t = compile(b);
    EXPECT(t, "a=1; Domain=", "a=1; Domain=public.example");
    EXPECT(t, "a=1; Domain=anything", "a=1; Domain=public.example");
    rp_table_free(t);
}
END_TEST

/* ---- duplicates (run under ASan in CI) ---------------------------------------- */

/* Build "a=1" followed by k attributes of kinds[i % nk]; the wanted strict
 * (every matching one mapped) and Apache (only the last one counts) results. */
typedef struct dup_kind {
    const char *attr;  /* "; Path=..." */
    const char *strict; /* what strict makes of it */
    const char *apache; /* what Apache makes of it when it is the last one */
} dup_kind;

static void run_duplicates(const rp_table *ts, const rp_table *ta, const dup_kind *kinds,
                           size_t nk)
{
    static char in[16384], ws[16384], wa[16384];
    for (size_t k = 1; k <= 50; k++) {
        size_t il = 0, sl = 0;
        memcpy(in, "a=1", 3);
        memcpy(ws, "a=1", 3);
        il = sl = 3;
        for (size_t i = 0; i < k; i++) {
            const dup_kind *d = &kinds[i % nk];
            size_t x = strlen(d->attr), y = strlen(d->strict);
            memcpy(in + il, d->attr, x);
            memcpy(ws + sl, d->strict, y);
            il += x;
            sl += y;
        }
        in[il] = ws[sl] = '\0';
        /* Apache: everything before the last attribute as is, the last mapped */
        const dup_kind *last = &kinds[(k - 1) % nk];
        size_t keep = il - strlen(last->attr);
        memcpy(wa, in, keep);
        strcpy(wa + keep, last->apache);
        expect_at(ts, NULL, in, il, ws, __LINE__);
        expect_at(ta, NULL, in, il, wa, __LINE__);
    }
}

START_TEST(duplicate_paths)
{
    /* shrinking: the public path is much shorter than the internal one */
    rp_builder *b = new_builder(S);
    add_path(b, "/internal/very/long/prefix", "/p", NULL, 0);
    rp_table *ts = compile(b);
    b = new_builder(A);
    add_path(b, "/internal/very/long/prefix", "/p", NULL, 0);
    rp_table *ta = compile(b);
    static const dup_kind shrink[] = {
        {"; Path=/internal/very/long/prefix/x", "; Path=/p/x", "; Path=/p"},
        {"; Path=/", "; Path=/", "; Path=/"},
        {"; path=/internal/very/long/prefix", "; path=/p", "; path=/p"},
        {"; Path=/internal/very/long/prefixx", "; Path=/internal/very/long/prefixx",
         "; Path=/p"},
    };
    run_duplicates(ts, ta, shrink, 4);
    run_duplicates(ts, ta, shrink + 1, 1); /* none matches */
    run_duplicates(ts, ta, shrink + 1, 2); /* every other one matches */
    rp_table_free(ts);
    rp_table_free(ta);

    /* growing: the public path is much longer */
    b = new_builder(S);
    add_path(b, "/i", "/a/much/longer/public/path/than/before", NULL, 0);
    ts = compile(b);
    b = new_builder(A);
    add_path(b, "/i", "/a/much/longer/public/path/than/before", NULL, 0);
    ta = compile(b);
    static const dup_kind grow[] = {
        {"; Path=/", "; Path=/", "; Path=/"},
        {"; Path=/i/x", "; Path=/a/much/longer/public/path/than/before/x",
         "; Path=/a/much/longer/public/path/than/before"},
        {"; Path=/i", "; Path=/a/much/longer/public/path/than/before",
         "; Path=/a/much/longer/public/path/than/before"},
    };
    run_duplicates(ts, ta, grow, 3);
    run_duplicates(ts, ta, grow, 2);
    rp_table_free(ts);
    rp_table_free(ta);
}
END_TEST

START_TEST(duplicate_domains)
{
    rp_builder *b = new_builder(S); /* 5 labels to 2: widening, allowed here */
    add_domain(b, "backend.internal.very.long.name", "pub.example", NULL,
               RP_COOKIE_ALLOW_WIDENING);
    add_path(b, "/in", "/out", NULL, 0);
    rp_table *ts = compile(b);
    b = new_builder(A);
    add_domain(b, "backend.internal.very.long.name", "pub.example", NULL, 0);
    add_path(b, "/in", "/out", NULL, 0);
    rp_table *ta = compile(b);
    static const dup_kind kinds[] = {
        {"; Domain=backend.internal.very.long.name", "; Domain=pub.example",
         "; Domain=pub.example"},
        {"; Domain=x", "; Domain=x", "; Domain=x"},
        {"; Domain=.BACKEND.internal.very.long.name", "; Domain=pub.example",
         "; Domain=.BACKEND.internal.very.long.name"},
    };
    run_duplicates(ts, ta, kinds, 3);
    run_duplicates(ts, ta, kinds, 2);
    rp_table_free(ts);
    rp_table_free(ta);
}
END_TEST

/* Path and Domain duplicates mixed: Apache splices two spans, the last Path
 * and the last Domain, in whatever order they come. */
START_TEST(duplicates_mixed_apache)
{
    rp_table *t = r18_table(A, 0);
    EXPECT(t, "a=1; Domain=b.internal; Path=/v1; Domain=b.internal; Path=/v1/x",
           "a=1; Domain=b.internal; Path=/v1; Domain=www.example.com; Path=/api");
    EXPECT(t, "a=1; Path=/v1/x; Domain=b.internal; Path=/v1; Domain=b.internal",
           "a=1; Path=/v1/x; Domain=b.internal; Path=/api; Domain=www.example.com");
    EXPECT(t, "a=1; Path=/v1; Domain=b.internal; Path=/; Domain=b.internal",
           "a=1; Path=/v1; Domain=b.internal; Path=/; Domain=www.example.com");
    rp_table_free(t);
}
END_TEST

/* ---- limits ----------------------------------------------------------------- */

static char *attrs_value(size_t nattr, const char *last, size_t *len)
{
    size_t ll = strlen(last);
    char *v = xmalloc(3 + nattr * 4 + ll + 1);
    memcpy(v, "a=1", 3);
    size_t n = 3;
    for (size_t i = 0; i + 1 < nattr; i++) {
        memcpy(v + n, "; x=", 4);
        n += 4;
    }
    memcpy(v + n, last, ll); /* the last attribute */
    n += ll;
    v[n] = '\0';
    *len = n;
    return v;
}

START_TEST(ten_thousand_attributes)
{
    for (unsigned p = A; p <= S; p++) {
        size_t len;
        char *v = attrs_value(10000, "; Path=/v1", &len);
        char *want = xmalloc(len + 2);
        memcpy(want, v, len - 3);
        strcpy(want + len - 3, "/api");
        /* header length allows it: the attribute limit (64) refuses it */
        rp_builder *b = new_builder(p);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_HEADER_LEN, 1u << 20), RP_OK);
        add_path(b, "/v1", "/api", NULL, 0);
        rp_table *t = compile(b);
        expect_at(t, NULL, v, len, "!RP_E_TOO_LONG", __LINE__);
        rp_table_free(t);
        /* raised limits: all 10,000 are read and the last Path mapped */
        b = new_builder(p);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_HEADER_LEN, 1u << 20), RP_OK);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_COOKIE_ATTRS, 10000), RP_OK);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_OUTPUT_LEN, 1u << 20), RP_OK);
        add_path(b, "/v1", "/api", NULL, 0);
        t = compile(b);
        expect_at(t, NULL, v, len, want, __LINE__);
        rp_table_free(t);
        /* one fewer allowed: refused */
        b = new_builder(p);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_HEADER_LEN, 1u << 20), RP_OK);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_COOKIE_ATTRS, 9999), RP_OK);
        add_path(b, "/v1", "/api", NULL, 0);
        t = compile(b);
        expect_at(t, NULL, v, len, "!RP_E_TOO_LONG", __LINE__);
        rp_table_free(t);
        free(want);
        free(v);
    }
}
END_TEST

/* The default limit is 64 attributes, in both profiles, with or without a
 * rule that would apply. */
START_TEST(attribute_limit_boundary)
{
    for (unsigned p = A; p <= S; p++) {
        rp_table *t = r18_table(p, 0);
        rp_table *none = compile(new_builder(p));
        size_t len;
        char *v64 = attrs_value(64, "; Path=/v1", &len);
        char *want = xmalloc(len + 2);
        memcpy(want, v64, len - 3);
        strcpy(want + len - 3, "/api");
        expect_at(t, NULL, v64, len, want, __LINE__);
        expect_at(none, NULL, v64, len, v64, __LINE__);
        free(want);
        free(v64);
        char *v65 = attrs_value(65, "; Path=/v1", &len);
        expect_at(t, NULL, v65, len, "!RP_E_TOO_LONG", __LINE__);
        expect_at(none, NULL, v65, len, "!RP_E_TOO_LONG", __LINE__);
        free(v65);
        /* empty attributes count too */
        char semis[3 + 65 + 1] = "a=1";
        memset(semis + 3, ';', 65);
        semis[3 + 65] = '\0';
        EXPECT(t, semis, "!RP_E_TOO_LONG");
        semis[3 + 64] = '\0';
        EXPECT(t, semis, semis);
        rp_table_free(t);
        rp_table_free(none);
    }
}
END_TEST

START_TEST(one_mib_value)
{
    const size_t big = (size_t)1 << 20;
    const char *tail = "; Path=/v1/x; Domain=b.internal";
    const char *wtail = "; Path=/api/x; Domain=www.example.com";
    size_t tl = strlen(tail), wl = strlen(wtail);
    char *v = xmalloc(2 + big + tl);
    char *want = xmalloc(2 + big + wl + 1);
    memcpy(v, "a=", 2);
    memset(v + 2, 'v', big);
    memcpy(v + 2 + big, tail, tl);
    memcpy(want, v, 2 + big);
    memcpy(want + 2 + big, wtail, wl + 1);
    char *plain = xmalloc(2 + big + 1);
    memcpy(plain, v, 2 + big);
    plain[2 + big] = '\0';
    size_t len = 2 + big + tl;
    for (unsigned p = A; p <= S; p++) {
        /* default header limit (8 KiB) */
        rp_table *t = r18_table(p, 0);
        expect_at(t, NULL, v, len, "!RP_E_TOO_LONG", __LINE__);
        rp_table_free(t);
        /* header limit raised, output limit (16 KiB) still refuses the result */
        rp_builder *b = new_builder(p);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_HEADER_LEN, 2u << 20), RP_OK);
        add_domain(b, "b.internal", "www.example.com", NULL, 0);
        add_path(b, "/v1", "/api", NULL, 0);
        t = compile(b);
        size_t n;
        char *out = xmalloc(4u << 20);
        ck_assert_int_eq(rewrite(t, NULL, v, len, out, 4u << 20, &n), RP_E_TOO_LONG);
        rp_table_free(t);
        free(out);
        /* both raised */
        b = new_builder(p);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_HEADER_LEN, 2u << 20), RP_OK);
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_OUTPUT_LEN, 2u << 20), RP_OK);
        add_domain(b, "b.internal", "www.example.com", NULL, 0);
        add_path(b, "/v1", "/api", NULL, 0);
        t = compile(b);
        if (p == S) {
            expect_at(t, NULL, v, len, want, __LINE__);
        } else { /* Apache: whole Path replaced */
            char *wa = xmalloc(2 + big + 64);
            memcpy(wa, v, 2 + big);
            strcpy(wa + 2 + big, "; Path=/api; Domain=www.example.com");
            expect_at(t, NULL, v, len, wa, __LINE__);
            free(wa);
        }
        /* a 1 MiB value nothing applies to comes back unchanged */
        expect_at(t, NULL, plain, 2 + big, plain, __LINE__);
        rp_table_free(t);
    }
    free(v);
    free(want);
    free(plain);
}
END_TEST

/* ---- header injection ------------------------------------------------------------ */

START_TEST(cr_lf_nul)
{
    static const char bytes[] = {'\r', '\n', '\0'};
    const char *base = "sid=1; Domain=b.internal; Path=/v1; HttpOnly";
    size_t bl = strlen(base);
    size_t at[] = {0, 2, 20, 33, bl - 1, bl};
    for (unsigned p = A; p <= S; p++) {
        rp_table *t = r18_table(p, 0);
        for (size_t i = 0; i < sizeof bytes; i++) {
            for (size_t j = 0; j < sizeof at / sizeof at[0]; j++) {
                char v[128];
                memcpy(v, base, at[j]);
                v[at[j]] = bytes[i];
                memcpy(v + at[j] + 1, base + at[j], bl - at[j]);
                expect_at(t, NULL, v, bl + 1, "!RP_E_HEADER", __LINE__);
            }
            /* a lone byte, and an injection attempt */
            expect_at(t, NULL, &bytes[i], 1, "!RP_E_HEADER", __LINE__);
        }
        EXPECT(t, "a=1; Path=/v1\r\nSet-Cookie: admin=1", "!RP_E_HEADER");
        rp_table_free(t);
    }
}
END_TEST

/* A programmatic rule cannot carry CR, LF or NUL (the bytes that would
 * split a response): both profiles refuse it when it is added. */
START_TEST(rule_with_cr_lf)
{
    static const char *const bad[] = {"www.example.com\r\nX-Evil: 1", "/api\nX-Evil: 1", "a\rb"};
    for (unsigned p = A; p <= S; p++) {
        rp_builder *b = new_builder(p);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            rp_diag d;
            size_t bl = strlen(bad[i]);
            ck_assert_int_eq(rp_builder_add_cookie_domain(b, "b.internal", 10, bad[i], bl, NULL,
                                                          0, 0, &d),
                             RP_E_CONFIG);
            ck_assert_str_eq(d.message, "NUL, CR or LF byte in rule");
            ck_assert_int_eq(rp_builder_add_cookie_path(b, bad[i], bl, "/api", 4, NULL, 0, 0, &d),
                             RP_E_CONFIG);
            ck_assert_int_eq(rp_builder_add_cookie_path(b, "/v1", 3, "/api", 4, bad[i], bl, 0, &d),
                             RP_E_CONFIG);
        }
        add_domain(b, "b.internal", "www.example.com", NULL, 0);
        rp_table *t = compile(b);
        EXPECT(t, "a=1; Domain=b.internal", "a=1; Domain=www.example.com");
        EXPECT(t, "a=1; Path=/v1", "a=1; Path=/v1");
        rp_table_free(t);
    }
}
END_TEST

/* R18: the strict profile keeps a cookie rule it will never apply, and
 * tells the operator with one warning per rule (line of the directive). */
START_TEST(strict_unusable_rule_warns)
{
    static const char conf[] = "ProxyPassReverseCookieDomain one.internal com\n"
                               "ProxyPassReverseCookieDomain a.b.internal example.com\n"
                               "ProxyPassReverseCookieDomain i.internal x.example.com\n"
                               "ProxyPassReverseCookiePath /y bad-public\n"
                               "ProxyPassReverseCookiePath x /a\n"
                               "ProxyPassReverseCookiePath /v1 /api\n";
    static const unsigned want_lines[] = {1, 2, 4, 5};
    for (unsigned p = A; p <= S; p++) {
        rp_builder *b = new_builder(p);
        rp_diag d;
        ck_assert_int_eq(rp_builder_add_config(b, conf, strlen(conf), "c.conf", &d), RP_OK);
        if (p == A) {
            ck_assert_uint_eq(rp_builder_warning_count(b), 0);
        } else {
            ck_assert_uint_eq(rp_builder_warning_count(b), 4);
            for (size_t i = 0; i < 4; i++) {
                ck_assert_int_eq(rp_builder_warning(b, i, &d), RP_OK);
                ck_assert_uint_eq(d.line, want_lines[i]);
                ck_assert_msg(strstr(d.message, "never applies this rule"), "%s", d.message);
                if (i == 1)
                    ck_assert_msg(strstr(d.message, "fewer labels"), "%s", d.message);
            }
        }
        rp_builder_free(b);
    }
    /* the flag that allows widening silences the widening warning */
    rp_builder *b = new_builder(S);
    add_domain(b, "a.b.internal", "example.com", NULL, RP_COOKIE_ALLOW_WIDENING);
    ck_assert_uint_eq(rp_builder_warning_count(b), 0);
    add_domain(b, "a.b.internal", "example.com", NULL, 0);
    ck_assert_uint_eq(rp_builder_warning_count(b), 1);
    rp_builder_free(b);
}
END_TEST


/* ---- buffer sizes --------------------------------------------------------------- */

static void all_sizes(const rp_table *t, const char *in, const char *want, rp_status final)
{
    size_t len = strlen(in), need = 0, n;
    ck_assert_int_eq(rewrite(t, NULL, in, len, NULL, 0, &need), RP_E_NOSPACE);
    ck_assert_uint_eq(need, strlen(want));
    for (size_t sz = 0; sz <= need + 1; sz++) {
        char *buf = xmalloc(sz + 16);
        memset(buf, 0x5a, sz + 16);
        n = 0;
        rp_status st = rewrite(t, NULL, in, len, buf, sz, &n);
        ck_assert_uint_eq(n, need); /* the same size whatever the buffer */
        if (sz <= need) {
            ck_assert_msg(st == RP_E_NOSPACE, "size %zu of %zu: %s", sz, need,
                          rp_status_name(st));
        } else {
            ck_assert_int_eq(st, final);
            ck_assert(memcmp(buf, want, need) == 0 && buf[need] == '\0');
        }
        for (size_t k = sz; k < sz + 16; k++)
            ck_assert_msg(buf[k] == 0x5a, "size %zu: byte %zu written", sz, k);
        free(buf);
    }
}

START_TEST(every_buffer_size)
{
    for (unsigned p = A; p <= S; p++) {
        rp_table *t = r18_table(p, 0);
        all_sizes(t, "sid=1; Domain=b.internal; Path=/v1; HttpOnly",
                  "sid=1; Domain=www.example.com; Path=/api; HttpOnly", RP_OK);
        all_sizes(t, "sid=1; Domain=other.example; Path=/v2", "sid=1; Domain=other.example; Path=/v2",
                  RP_NO_MATCH);
        all_sizes(t, "", "", RP_NO_MATCH);
        all_sizes(t, "s=1; Path=/v1", "s=1; Path=/api", RP_OK);
        rp_table_free(t);
    }
    rp_table *t = r18_table(S, 0);
    all_sizes(t, "a=1; Path=/v1/a; Path=/v1/b; Domain=.b.internal; Domain=b.internal",
              "a=1; Path=/api/a; Path=/api/b; Domain=www.example.com; Domain=www.example.com",
              RP_OK);
    all_sizes(t, "__Host-a=1; Path=/v1", "__Host-a=1; Path=/v1", RP_NO_MATCH);
    rp_table_free(t);
}
END_TEST

/* An output limit applies to a rewritten value. */
START_TEST(output_limit)
{
    rp_builder *b = new_builder(S);
    ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_OUTPUT_LEN, 14), RP_OK);
    add_path(b, "/v1", "/api", NULL, 0);
    rp_table *t = compile(b);
    EXPECT(t, "s=1; Path=/v1", "s=1; Path=/api");             /* 14 bytes */
    EXPECT(t, "s=12; Path=/v1", "!RP_E_TOO_LONG");            /* 15 bytes */
    rp_table_free(t);
}
END_TEST

/* ---- arguments and bounds --------------------------------------------------------- */

START_TEST(arguments)
{
    rp_table *t = r18_table(S, 0);
    char out[64];
    size_t n;
    const char *v = "a=1; Path=/v1";
    ck_assert_int_eq(rp_rewrite_set_cookie(NULL, v, 13, NULL, 0, out, sizeof out, &n), RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_set_cookie(t, NULL, 13, NULL, 0, out, sizeof out, &n), RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_set_cookie(t, v, 13, NULL, 0, out, sizeof out, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_set_cookie(t, v, 13, NULL, 0, NULL, 8, &n), RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_set_cookie(t, v, 13, NULL, 1, out, sizeof out, &n), RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_set_cookie(t, v, 13, NULL, RP_COOKIE_REPLACE_WHOLE, out,
                                           sizeof out, &n),
                     RP_E_ARG);
    /* empty value, NULL or not */
    n = 99;
    ck_assert_int_eq(rp_rewrite_set_cookie(t, NULL, 0, NULL, 0, out, sizeof out, &n), RP_NO_MATCH);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(rp_rewrite_set_cookie(t, "", 0, NULL, 0, out, sizeof out, &n), RP_NO_MATCH);
    /* a non-zero out with out_size 0 is a size query too */
    ck_assert_int_eq(rp_rewrite_set_cookie(t, v, 13, NULL, 0, out, 0, &n), RP_E_NOSPACE);
    ck_assert_uint_eq(n, 14);
    rp_table_free(t);
}
END_TEST

/* Only value_len bytes are read: what follows must not change the result. */
START_TEST(length_not_nul)
{
    for (unsigned p = A; p <= S; p++) {
        rp_table *t = r18_table(p, 0);
        const char *buf = "a=1; Path=/v1x; Domain=b.internal.evil";
        /* cut after "/v1": the 'x' is not part of the value */
        expect_at(t, NULL, buf, 13, "a=1; Path=/api", __LINE__);
        /* cut after "b.internal" */
        expect_at(t, NULL, buf, 33, p == S ? "a=1; Path=/v1x; Domain=www.example.com"
                                           : "a=1; Path=/api; Domain=www.example.com",
                  __LINE__);
        /* cut inside "Path": nothing to map */
        expect_at(t, NULL, buf, 7, "a=1; Pa", __LINE__);
        /* embedded NUL is data, and refused */
        expect_at(t, NULL, "a=1; Path=/v1\0; Path=/v1", 24, "!RP_E_HEADER", __LINE__);
        rp_table_free(t);
    }
}
END_TEST

/* ---- <Location> scoping ------------------------------------------------------------- */

START_TEST(location_scoping)
{
    for (unsigned p = A; p <= S; p++) {
        rp_builder *b = new_builder(p);
        add_path(b, "/internal", "/app", "/app", 0);
        add_domain(b, "b.internal", "www.example.com", "/app/", 0);
        rp_table *t = compile(b);
        const char *in = "a=1; Path=/internal; Domain=b.internal";
        EXPECT_T(t, NULL, in, in); /* no request context: scoped rules never apply */
        EXPECT_T(t, "/other/x", in, in);
        EXPECT_T(t, "/appx", in, in);
        EXPECT_T(t, "/ap", in, in);
        EXPECT_T(t, "/app", in, "a=1; Path=/app; Domain=b.internal"); /* not under /app/ */
        EXPECT_T(t, "/app?q=1", in, "a=1; Path=/app; Domain=b.internal");
        EXPECT_T(t, "/app/x", in, "a=1; Path=/app; Domain=www.example.com");
        EXPECT_T(t, "/app/x?y=/z", in, "a=1; Path=/app; Domain=www.example.com");
        EXPECT_T(t, "http://pub.example/app/x", in, "a=1; Path=/app; Domain=www.example.com");
        rp_table_free(t);

        /* the same from Apache directives */
        t = config_table(p, "<Location /app>\n"
                            "ProxyPassReverseCookiePath /internal /app\n"
                            "</Location>\n");
        EXPECT_T(t, "/app/x", "a=1; Path=/internal", "a=1; Path=/app");
        EXPECT_T(t, "/other", "a=1; Path=/internal", "a=1; Path=/internal");
        EXPECT_T(t, NULL, "a=1; Path=/internal", "a=1; Path=/internal");
        rp_table_free(t);
    }
    /* Apache order: rules outside <Location> first (httpd merges the
     * server's rules in front of the section's), then scoped ones */
    const char *conf = "<Location /app>\n"
                       "ProxyPassReverseCookiePath /internal /scoped\n"
                       "ProxyPassReverseCookieDomain backend.internal scoped.example\n"
                       "</Location>\n"
                       "ProxyPassReverseCookiePath / /root\n"
                       "ProxyPassReverseCookieDomain backend public.example\n";
    rp_table *t = config_table(A, conf);
    EXPECT_T(t, "/app/x", "a=1; Path=/internal; Domain=backend.internal",
             "a=1; Path=/root; Domain=public.example");
    rp_table_free(t);
    /* strict: the longest path wins, scoped or not; for Domain the first
     * exact match in the same order */
    t = config_table(S, conf);
    EXPECT_T(t, "/app/x", "a=1; Path=/internal/x; Domain=backend.internal",
             "a=1; Path=/scoped/x; Domain=scoped.example");
    EXPECT_T(t, "/other", "a=1; Path=/internal/x; Domain=backend.internal",
             "a=1; Path=/root/internal/x; Domain=backend.internal");
    rp_table_free(t);
}
END_TEST

/* ---- recorded Apache 2.4.71 cases (tests/data/apache-cases.jsonl) ------------------- */

static const char *const base_conf =
    "ProxyPass /app http://backend.internal:8080/internal\n"
    "ProxyPassReverseCookieDomain backend.internal public.example\n"
    "ProxyPassReverseCookiePath /internal /app\n";

typedef struct apache_case {
    const char *id, *conf, *in, *out;
} apache_case;

static const apache_case apache_cases[] = {
    {"ck-base-00", NULL, "a=1; Path=/internal", "a=1; Path=/app"},
    {"ck-base-01", NULL, "a=1; path=/internal", "a=1; path=/app"},
    {"ck-base-03", NULL, "a=1; Path=/internalx", "a=1; Path=/app"},
    {"ck-base-08", NULL, "a=1; Domain=.backend.internal", "a=1; Domain=.backend.internal"},
    {"ck-base-09", NULL, "a=1; Domain=BACKEND.INTERNAL", "a=1; Domain=public.example"},
    {"ck-base-10", NULL, "a=1; domain=backend.internal.evil.example", "a=1; domain=public.example"},
    {"ck-base-11", NULL, "a=1; Domain=sub.backend.internal", "a=1; Domain=sub.backend.internal"},
    {"ck-base-14", NULL, "a=1;Path=/internal", "a=1;Path=/app"},
    {"ck-base-15", NULL, "a=1 ; Path = /internal", "a=1 ; Path = /internal"},
    {"ck-base-16", NULL, "a=1;  Path=/internal", "a=1;  Path=/app"},
    {"ck-base-20", NULL, "domain=backend.internal; Path=/x", "domain=public.example; Path=/x"},
    {"ck-base-21", NULL, "xpath=/internal", "xpath=/internal"},
    {"ck-base-22", NULL, "a=path=/internal", "a=path=/internal"},
    {"ck-base-23", NULL, "a=\"v;Path=/internal\"; Path=/x", "a=\"v;Path=/internal\"; Path=/x"},
    {"ck-base-24", NULL, "a=\"quoted value\"; Path=/internal", "a=\"quoted value\"; Path=/app"},
    {"ck-base-26", NULL, "a=1; Max-Age=0; Path=/internal; HttpOnly; Secure; SameSite=Lax",
     "a=1; Max-Age=0; Path=/app; HttpOnly; Secure; SameSite=Lax"},
    {"ck-base-28", NULL, "a=1; Path=", "a=1; Path="},
    {"ck-base-29", NULL, "a=1; Domain=", "a=1; Domain="},
    {"ck-base-31", NULL, "a=1; Path=/other; Path=/internal", "a=1; Path=/other; Path=/app"},
    {"ck-base-33", NULL, "a=1; Domain=backend.internal; Domain=other.example",
     "a=1; Domain=backend.internal; Domain=other.example"},
    {"ck-base-34", NULL, "a=1; Domain=other.example; Domain=backend.internal",
     "a=1; Domain=other.example; Domain=public.example"},
    {"ck-base-35", NULL, "a=1; Path=/internal; Domain=backend.internal; Path=/internal",
     "a=1; Path=/internal; Domain=public.example; Path=/app"},
    {"ck-base-36", NULL, "a=1; Secure; Path=/internal", "a=1; Secure; Path=/app"},
    {"ck-base-40", NULL, "=1; Path=/internal", "=1; Path=/app"},
    {"ck-base-42", NULL, "a=1;\tPath=/internal", "a=1;\tPath=/app"},
    {"ck-base-44", NULL, "a=1; Domain=backend.internal ", "a=1; Domain=public.example"},
    {"ck-base-46", NULL, "a=1;Path=/internal;Domain=backend.internal;Secure",
     "a=1;Path=/app;Domain=public.example;Secure"},
    {"ck-base-48", NULL, "a=1; Path=/internal, b=2; Path=/internal",
     "a=1; Path=/internal, b=2; Path=/app"},
    {"ck-rule-C1-00", "ProxyPassReverseCookiePath / /root\nProxyPassReverseCookiePath /internal /app\n",
     "a=1; Path=/internal", "a=1; Path=/root"},
    {"ck-rule-C1-05", "ProxyPassReverseCookiePath / /root\nProxyPassReverseCookiePath /internal /app\n",
     "a=1; Domain=.backend.internal", "a=1; Domain=.backend.internal"},
    {"ck-rule-C2-00", "ProxyPassReverseCookiePath /internal/ /app/\n", "a=1; Path=/internal",
     "a=1; Path=/internal"},
    {"ck-rule-C2-03", "ProxyPassReverseCookiePath /internal/ /app/\n", "a=1; Path=/internalx",
     "a=1; Path=/internalx"},
    {"ck-rule-C3-07", "ProxyPassReverseCookieDomain .backend.internal .public.example\n",
     "a=1; Domain=backend.internal.evil.example", "a=1; Domain=backend.internal.evil.example"},
    {"ck-rule-C4-04",
     "ProxyPassReverseCookieDomain backend public\n"
     "ProxyPassReverseCookieDomain backend.internal public.example\n",
     "a=1; Domain=backend.internal", "a=1; Domain=public"},
    {"ck-rule-C4-05",
     "ProxyPassReverseCookieDomain backend public\n"
     "ProxyPassReverseCookieDomain backend.internal public.example\n",
     "a=1; Domain=.backend.internal", "a=1; Domain=.backend.internal"},
    {"ck-rule-C5-01",
     "<Location /app>\nProxyPassReverseCookiePath /internal /app\n"
     "ProxyPassReverseCookieDomain backend.internal public.example\n</Location>\n",
     "a=1; Path=/internal/sub", "a=1; Path=/app"},
    {"ck-rule-C5-07",
     "<Location /app>\nProxyPassReverseCookiePath /internal /app\n"
     "ProxyPassReverseCookieDomain backend.internal public.example\n</Location>\n",
     "a=1; Domain=backend.internal.evil.example", "a=1; Domain=public.example"},
    {"ck-rule-C6-04",
     "ProxyPassReverseCookieDomain backend.internal public.example\n"
     "ProxyPassReverseCookieDomain backend.internal other.example\n",
     "a=1; Domain=backend.internal", "a=1; Domain=public.example"},
    {"ck-rule-C7-02", "ProxyPassReverseCookiePath / /app\n", "a=1; Path=/", "a=1; Path=/app"},
    {"ck-rule-C7-03", "ProxyPassReverseCookiePath / /app\n", "a=1; Path=/internalx",
     "a=1; Path=/app"},
    {"ck-rule-C8-00",
     "ProxyPassReverseCookiePath /internal /app/\n"
     "ProxyPassReverseCookieDomain backend.internal .public.example\n",
     "a=1; Path=/internal", "a=1; Path=/app/"},
    {"ck-rule-C8-04",
     "ProxyPassReverseCookiePath /internal /app/\n"
     "ProxyPassReverseCookieDomain backend.internal .public.example\n",
     "a=1; Domain=backend.internal", "a=1; Domain=.public.example"},
    {"ck-rule-C9-01",
     "ProxyPassReverseCookieDomain BACKEND.INTERNAL public.example\n"
     "ProxyPassReverseCookiePath /INTERNAL /app\n",
     "a=1; Path=/internal/sub", "a=1; Path=/internal/sub"},
    {"ck-rule-C9-04",
     "ProxyPassReverseCookieDomain BACKEND.INTERNAL public.example\n"
     "ProxyPassReverseCookiePath /INTERNAL /app\n",
     "a=1; Domain=backend.internal", "a=1; Domain=public.example"},
    {"ck-rule-C10-00", "<Location /other>\nProxyPassReverseCookiePath /internal /app\n</Location>\n",
     "a=1; Path=/internal", "a=1; Path=/internal"},
    {"ck-rule-C11-01",
     "ProxyPassReverseCookiePath /internal /app\nProxyPassReverseCookiePath /internal /second\n",
     "a=1; Path=/internal/sub", "a=1; Path=/app"},
    {"ck-rule-C11-02",
     "ProxyPassReverseCookiePath /internal /app\nProxyPassReverseCookiePath /internal /second\n",
     "a=1; Path=/", "a=1; Path=/"},
};

START_TEST(apache_recorded)
{
    const apache_case *c = &apache_cases[_i];
    rp_table *t = config_table(A, c->conf ? c->conf : base_conf);
    rp_response_ctx ctx = {NULL, 0, NULL, 0, "/app/x", 6};
    char out[512];
    size_t n = 0;
    rp_status st = rp_rewrite_set_cookie(t, c->in, strlen(c->in), &ctx, 0, out, sizeof out, &n);
    rp_status want = strcmp(c->in, c->out) ? RP_OK : RP_NO_MATCH;
    ck_assert_msg(st == want && strcmp(out, c->out) == 0 && n == strlen(c->out),
                  "%s: [%s] got %s [%s], want [%s]", c->id, c->in, rp_status_name(st),
                  st <= RP_NO_MATCH ? out : "", c->out);
    rp_table_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cookie");
    TCase *tc = tcase_create("cookie");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, r18_examples);
    tcase_add_test(tc, pr61560_fakedomain);
    tcase_add_test(tc, cookie_named_like_an_attribute);
    tcase_add_test(tc, commas_in_expires);
    tcase_add_test(tc, strict_domain_exact);
    tcase_add_test(tc, strict_domain_refused_rules);
    tcase_add_test(tc, strict_domain_first_usable_rule);
    tcase_add_test(tc, strict_path_segments);
    tcase_add_test(tc, strict_path_longest_and_whole);
    tcase_add_test(tc, prefixed_cookies);
    tcase_add_test(tc, identity_rewrite_is_no_match);
    tcase_add_test(tc, apache_details);
    tcase_add_test(tc, duplicate_paths);
    tcase_add_test(tc, duplicate_domains);
    tcase_add_test(tc, duplicates_mixed_apache);
    tcase_add_test(tc, ten_thousand_attributes);
    tcase_add_test(tc, attribute_limit_boundary);
    tcase_add_test(tc, one_mib_value);
    tcase_add_test(tc, cr_lf_nul);
    tcase_add_test(tc, rule_with_cr_lf);
    tcase_add_test(tc, strict_unusable_rule_warns);
    tcase_add_test(tc, every_buffer_size);
    tcase_add_test(tc, output_limit);
    tcase_add_test(tc, arguments);
    tcase_add_test(tc, length_not_nul);
    tcase_add_test(tc, location_scoping);
    tcase_add_loop_test(tc, apache_recorded, 0,
                        (int)(sizeof apache_cases / sizeof apache_cases[0]));
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
