/* Pathological request-targets (SECURITY.md R21): the RESULTS, in both
 * profiles. The time they take is measured by tests/bench/bench_map (never
 * here): "/a/.." x k, "/./" x k, "//" x k, many segments, and a regex with
 * catastrophic backtracking against a long path. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

static const unsigned k_profiles[] = {RP_PROFILE_APACHE, RP_PROFILE_STRICT};
#define NPROFILES 2
#define BIG 40000

/* rules: /app -> http://b.internal/v1, / -> http://root.internal/ (last);
 * seg_limit 0 keeps the profile's default segment limit. */
static rp_table *mk_prefix(unsigned profile, size_t seg_limit)
{
    rp_builder *b = NULL;
    rp_diag d;
    rp_table *t = NULL;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_TARGET_LEN, RP_TARGET_LEN_MAX), RP_OK);
    if (seg_limit)
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_SEGMENTS, seg_limit), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/app", 4, "http://b.internal/v1", 20, 0, &d), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/", 1, "http://root.internal/", 21, 0, &d), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    return t;
}

static rp_table *mk_regex(unsigned profile)
{
    rp_builder *b = NULL;
    rp_diag d;
    rp_table *t = NULL;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_TARGET_LEN, RP_TARGET_LEN_MAX), RP_OK);
    rp_status st = rp_builder_add_pass_match(b, "^/(a+)+$", 8, "http://rx.internal/$1", 21, 0, &d);
    if (st == RP_E_UNSUPPORTED) { /* built without PCRE2 */
        rp_builder_free(b);
        return NULL;
    }
    ck_assert_int_eq(st, RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    return t;
}

/* target = head + unit x k + tail, in a static buffer */
static char g_target[BIG];
static size_t build(const char *head, const char *unit, size_t k, const char *tail)
{
    size_t n = 0, hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    ck_assert(hl + ul * k + tl < sizeof g_target);
    memcpy(g_target, head, hl);
    n = hl;
    for (size_t i = 0; i < k; i++) {
        memcpy(g_target + n, unit, ul);
        n += ul;
    }
    memcpy(g_target + n, tail, tl);
    n += tl;
    return n;
}

static char g_out[BIG];

/* want: a URL, or "!STATUS" */
static void expect(const rp_table *t, size_t len, const char *want, const char *what)
{
    size_t n = 0;
    rp_status st = rp_map_request(t, g_target, len, "www.example.com", 15, RP_MAP_DEFAULT, g_out,
                                  sizeof g_out, &n, NULL);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "%s (%zu bytes): got %s, want %s",
                      what, len, rp_status_name(st), want + 1);
        return;
    }
    ck_assert_msg(st == RP_OK, "%s (%zu bytes): got %s, want %s", what, len, rp_status_name(st),
                  want);
    ck_assert_msg(n == strlen(want) && memcmp(g_out, want, n) == 0,
                  "%s (%zu bytes): got %.*s, want %s", what, len, (int)(n < 200 ? n : 200), g_out,
                  want);
}

static const size_t k_sizes[] = {1, 10, 300, 3000};

/* "/a/.." x k: every pair cancels */
START_TEST(dotdot)
{
    rp_table *t = mk_prefix(k_profiles[_i], 65535);
    for (size_t s = 0; s < sizeof k_sizes / sizeof k_sizes[0]; s++) {
        size_t k = k_sizes[s];
        expect(t, build("/app", "/a/..", k, "/x"), "http://b.internal/v1/x", "/app(/a/..)^k/x");
        expect(t, build("/app", "/a/..", k, ""), "http://b.internal/v1/", "/app(/a/..)^k");
        expect(t, build("", "/a/..", k, ""), "http://root.internal/", "(/a/..)^k");
        expect(t, build("", "/a/..", k, "/.."), "!RP_E_ABOVE_ROOT", "(/a/..)^k/..");
        expect(t, build("/app", "/a/..", k, "/../../x"), "!RP_E_ABOVE_ROOT", "above the root");
    }
    rp_table_free(t);
}
END_TEST

/* "/./" x k */
START_TEST(dot)
{
    rp_table *t = mk_prefix(k_profiles[_i], 65535);
    for (size_t s = 0; s < sizeof k_sizes / sizeof k_sizes[0]; s++) {
        size_t k = k_sizes[s] * 2;
        expect(t, build("/app", "/.", k, "/x"), "http://b.internal/v1/x", "/app(/.)^k/x");
        expect(t, build("/app", "/.", k, "/"), "http://b.internal/v1/", "/app(/.)^k/");
        expect(t, build("", "/.", k, "/"), "http://root.internal/", "(/.)^k/");
        expect(t, build("/app/x", "/.", k, "/../y"), "http://b.internal/v1/y", "(/.)^k then ..");
    }
    rp_table_free(t);
}
END_TEST

/* "//" x k: slash runs are merged (the default in both profiles) */
START_TEST(slashes)
{
    rp_table *t = mk_prefix(k_profiles[_i], 65535);
    for (size_t s = 0; s < sizeof k_sizes / sizeof k_sizes[0]; s++) {
        size_t k = k_sizes[s] * 5;
        expect(t, build("/app", "/", k, "/x"), "http://b.internal/v1/x", "/app(/)^k/x");
        expect(t, build("", "/", k, "app/x"), "http://b.internal/v1/x", "(/)^k app/x");
        expect(t, build("", "/", k, ""), "http://root.internal/", "(/)^k");
        expect(t, build("/app/x", "/", k, "../y"), "http://b.internal/v1/y", "x(/)^k..");
    }
    rp_table_free(t);
}
END_TEST

/* Segment limit: at the limit the target maps, one over is RP_E_TOO_LONG.
 * RP_LIMIT_SEGMENTS counts the raw '/' separators, so dot segments and
 * slash runs count too (they cannot be used to get around it). */
START_TEST(segments)
{
    unsigned profile = k_profiles[_i];
    /* strict: the default limit is 256; apache: set it to 256 */
    rp_table *t = mk_prefix(profile, profile == RP_PROFILE_STRICT ? 0 : 256);
    static char want[BIG];
    size_t wl = (size_t)snprintf(want, sizeof want, "%s", "http://b.internal/v1");
    for (size_t i = 0; i < 255; i++) {
        memcpy(want + wl, "/s", 2);
        wl += 2;
    }
    want[wl] = '\0';
    /* "/app" + 255 x "/s" = 256 segments */
    expect(t, build("/app", "/s", 255, ""), want, "256 segments");
    expect(t, build("/app", "/s", 256, ""), "!RP_E_TOO_LONG", "257 segments");
    expect(t, build("/app", "/s", 1000, ""), "!RP_E_TOO_LONG", "1001 segments");
    expect(t, build("/app", "/.", 300, "/x"), "!RP_E_TOO_LONG", "dot segments count");
    expect(t, build("/app", "/", 300, "x"), "!RP_E_TOO_LONG", "slash runs count");
    rp_table_free(t);

    /* the Apache default (65535) and a raised strict limit accept 8000 */
    t = mk_prefix(profile, profile == RP_PROFILE_STRICT ? 65535 : 0);
    size_t n = build("/app", "/s", 7999, "");
    size_t out_len = 0;
    rp_status st = rp_map_request(t, g_target, n, NULL, 0, RP_MAP_DEFAULT, g_out, sizeof g_out,
                                  &out_len, NULL);
    ck_assert_int_eq(st, RP_OK);
    ck_assert_uint_eq(out_len, strlen("http://b.internal/v1") + 2 * 7999);
    rp_table_free(t);
}
END_TEST

/* ^/(a+)+$ backtracks exponentially on "/aaa...a!": the regex limits fail
 * closed (RP_E_LIMIT) or the match fails (RP_NO_MATCH); never a crash, and
 * the table keeps working afterwards. */
START_TEST(regex_backtracking)
{
    rp_table *t = mk_regex(k_profiles[_i]);
    if (!t)
        return; /* no PCRE2 */
    expect(t, build("/", "a", 4, ""), "http://rx.internal/aaaa", "/aaaa");
    static const size_t ks[] = {25, 1000, RP_TARGET_LEN_MAX - 2, 30000};
    for (size_t s = 0; s < sizeof ks / sizeof ks[0]; s++) {
        size_t n = build("/", "a", ks[s], "!");
        size_t out_len = 0;
        rp_status st = rp_map_request(t, g_target, n, NULL, 0, RP_MAP_DEFAULT, g_out,
                                      sizeof g_out, &out_len, NULL);
        if (n > RP_TARGET_LEN_MAX) /* 30,000 a's: refused before the regex runs */
            ck_assert_msg(st == RP_E_TOO_LONG, "%zu a's + '!': %s", ks[s], rp_status_name(st));
        else
            ck_assert_msg(st == RP_E_LIMIT || st == RP_NO_MATCH, "%zu a's + '!': %s", ks[s],
                          rp_status_name(st));
    }
    /* still usable */
    expect(t, build("/", "a", 4, ""), "http://rx.internal/aaaa", "/aaaa after the limit");
    rp_table_free(t);

    /* the target limit cannot be raised past RP_TARGET_LEN_MAX */
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(k_profiles[_i], NULL, &b), RP_OK);
    ck_assert_int_ne(rp_builder_set_limit(b, RP_LIMIT_TARGET_LEN, 30002), RP_OK);
    rp_builder_free(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pathological");
    TCase *tc = tcase_create("results");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, dotdot, 0, NPROFILES);
    tcase_add_loop_test(tc, dot, 0, NPROFILES);
    tcase_add_loop_test(tc, slashes, 0, NPROFILES);
    tcase_add_loop_test(tc, segments, 0, NPROFILES);
    tcase_add_loop_test(tc, regex_backtracking, 0, NPROFILES);
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
    return failed ? 1 : 0;
}
