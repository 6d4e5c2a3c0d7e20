/* rp_table_check (docs/rules.md, "Checking rules"): positions, order,
 * severities, the count/NOSPACE protocol, argument errors, the round-trip
 * flag and allocation failure. tests/check.sh covers every code through
 * rpmap; these tests cover the C contract. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

#include "failalloc.h"

static rp_table *load(unsigned profile, const char *text, const rp_allocator *a)
{
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(profile, a, &b), RP_OK);
    rp_status st = rp_builder_add_config(b, text, strlen(text), "t.conf", &d);
    ck_assert_msg(st == RP_OK, "config: %s", d.message);
    rp_table *t = NULL;
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    return t;
}

/* index of the first finding with this code, or -1 */
static int find(const rp_finding *f, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].code, code) == 0)
            return (int)i;
    return -1;
}

static const char *const shadow =
    "ProxyPass /old http://c/old\n"
    "  ProxyPass   /old/x http://c/x\n"
    "ProxyPassReverse /old http://c/old\n"
    "ProxyPassReverse /old/x http://c/x\n";

START_TEST(positions_and_other_line)
{
    rp_table *t = load(RP_PROFILE_APACHE, shadow, NULL);
    rp_finding f[8];
    size_t n = 99;
    ck_assert_int_eq(rp_table_check(t, 0, f, 8, &n), RP_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(f[0].code, "shadowed-rule");
    ck_assert_uint_eq(f[0].severity, RP_SEVERITY_WARNING);
    ck_assert_uint_eq(f[0].line, 2);
    ck_assert_uint_eq(f[0].column, 3); /* the directive's first byte */
    ck_assert_uint_eq(f[0].other_line, 1);
    ck_assert_ptr_nonnull(strstr(f[0].message, "/old/x"));
    ck_assert_ptr_null(strchr(f[0].message, '\n'));
    rp_table_free(t);
}
END_TEST

START_TEST(clean_table_has_no_findings)
{
    rp_table *t = load(RP_PROFILE_APACHE,
                       "ProxyPass /old/x http://c/x\n"
                       "ProxyPass /old http://c/old\n"
                       "ProxyPassReverse /old http://c/old\n"
                       "ProxyPassReverse /old/x http://c/x\n",
                       NULL);
    size_t n = 99;
    ck_assert_int_eq(rp_table_check(t, 0, NULL, 0, &n), RP_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(rp_table_check(t, RP_CHECK_ROUND_TRIP, NULL, 0, &n), RP_OK);
    ck_assert_uint_eq(n, 0);
    rp_table_free(t);
}
END_TEST

static const char *const many =
    "AllowEncodedSlashes On\n"
    "ProxyPass /app http://b/app\n"
    "ProxyPass /app/static !\n"
    "ProxyPass /api/ http://api/v1\n"
    "ProxyPassReverse /app http://b/app\n"
    "ProxyPassReverse /gone http://nowhere/gone\n"
    "ProxyPassReverseCookieDomain b.internal com\n";

START_TEST(nospace_reports_count_and_fills_what_fits)
{
    rp_table *t = load(RP_PROFILE_APACHE, many, NULL);
    size_t n = 0, all;
    ck_assert_int_eq(rp_table_check(t, 0, NULL, 0, &all), all ? RP_E_NOSPACE : RP_OK);
    ck_assert_uint_ge(all, 6);
    rp_finding *f = calloc(all, sizeof *f);
    ck_assert_int_eq(rp_table_check(t, 0, f, all, &n), RP_OK);
    ck_assert_uint_eq(n, all);
    rp_finding two[2];
    memset(two, 0, sizeof two);
    ck_assert_int_eq(rp_table_check(t, 0, two, 2, &n), RP_E_NOSPACE);
    ck_assert_uint_eq(n, all);
    ck_assert_str_eq(two[0].code, f[0].code); /* the same first findings */
    ck_assert_str_eq(two[1].message, f[1].message);
    /* order: settings first, then forward rules, reverse rules, cookies */
    ck_assert_str_eq(f[0].code, "lenient-encoded-slashes");
    ck_assert_uint_eq(f[0].line, 1);
    int ex = find(f, all, "exclusion-after-rule"), gl = find(f, all, "slash-glue"),
        un = find(f, all, "unused-reverse"), ck = find(f, all, "cookie-domain-single-label");
    ck_assert_int_ge(ex, 0);
    ck_assert_int_ge(gl, 0);
    ck_assert_int_ge(un, 0);
    ck_assert_int_ge(ck, 0);
    ck_assert_int_lt(ex, gl);
    ck_assert_int_lt(gl, un);
    ck_assert_int_lt(un, ck);
    ck_assert_uint_eq(f[ex].severity, RP_SEVERITY_ERROR);
    ck_assert_uint_eq(f[ex].line, 3);
    ck_assert_uint_eq(f[ex].other_line, 2);
    ck_assert_uint_eq(f[ck].severity, RP_SEVERITY_ERROR);
    ck_assert_uint_eq(f[ck].line, 7);
    ck_assert_uint_eq(f[un].line, 6);
    free(f);
    rp_table_free(t);
}
END_TEST

START_TEST(bad_arguments)
{
    rp_table *t = load(RP_PROFILE_APACHE, shadow, NULL);
    rp_finding f[2];
    size_t n = 7;
    ck_assert_int_eq(rp_table_check(NULL, 0, f, 2, &n), RP_E_ARG);
    ck_assert_int_eq(rp_table_check(t, 0, f, 2, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_table_check(t, 0, NULL, 2, &n), RP_E_ARG);
    ck_assert_int_eq(rp_table_check(t, 1u << 7, f, 2, &n), RP_E_ARG);
    rp_table_free(t);
}
END_TEST

/* Found by fuzz_config: a table with reverse rules and no forward rule made
 * check_reverse do arithmetic on a NULL array (clang UBSan: "applying zero
 * offset to null pointer"). The reverse rule is reported unused. */
START_TEST(reverse_rules_without_forward_rules)
{
    rp_table *t = load(RP_PROFILE_APACHE, "ProxyPassReverse /app http://b/v1\n", NULL);
    rp_finding f[4];
    size_t n = 0;
    ck_assert_int_eq(rp_table_check(t, 0, f, 4, &n), RP_OK);
    ck_assert_int_ge(find(f, n, "unused-reverse"), 0);
    rp_table_free(t);
}
END_TEST

START_TEST(round_trip_only_when_asked)
{
    rp_table *t = load(RP_PROFILE_APACHE,
                       "ProxyPass /app http://b/app\n"
                       "ProxyPassReverse /other http://b/app\n",
                       NULL);
    rp_finding f[8];
    size_t n = 0;
    ck_assert_int_eq(rp_table_check(t, 0, f, 8, &n), RP_OK);
    ck_assert_int_lt(find(f, n, "round-trip"), 0);
    ck_assert_int_eq(rp_table_check(t, RP_CHECK_ROUND_TRIP, f, 8, &n), RP_OK);
    int i = find(f, n, "round-trip");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(f[i].line, 1);
    ck_assert_ptr_nonnull(strstr(f[i].message, "/other"));
    rp_table_free(t);
}
END_TEST

START_TEST(strict_profile_findings)
{
    /* strict never merges slashes in Apache's way nor decodes %2F: the
     * lenient settings must be named when they are turned on */
    rp_table *t = load(RP_PROFILE_STRICT,
                       "MergeSlashes Off\n"
                       "ProxyPass /app/ http://b/app/\n"
                       "ProxyPassReverse /app/ http://b/app/\n",
                       NULL);
    rp_finding f[8];
    size_t n = 0;
    ck_assert_int_eq(rp_table_check(t, 0, f, 8, &n), RP_OK);
    int i = find(f, n, "lenient-merge-slashes");
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(f[i].line, 1);
    ck_assert_uint_eq(f[i].column, 1);
    rp_table_free(t);
}
END_TEST

START_TEST(allocation_failure)
{
    rp_table *t = load(RP_PROFILE_APACHE, many, &failalloc);
    size_t want = 0, n = 0;
    rp_finding f[32];
    fa_calls = 0;
    fa_fail_at = 0;
    ck_assert_int_eq(rp_table_check(t, RP_CHECK_ROUND_TRIP, f, 32, &want), RP_OK);
    long total = fa_calls;
    ck_assert_int_ge(total, 1); /* it allocates its probe buffers */
    for (long k = 1; k <= total; k++) {
        fa_calls = 0;
        fa_fail_at = k;
        long before = fa_live;
        n = 12345;
        ck_assert_int_eq(rp_table_check(t, RP_CHECK_ROUND_TRIP, f, 32, &n), RP_E_NOMEM);
        ck_assert_int_eq(fa_live, before);
    }
    fa_fail_at = 0;
    ck_assert_int_eq(rp_table_check(t, RP_CHECK_ROUND_TRIP, f, 32, &n), RP_OK);
    ck_assert_uint_eq(n, want);
    rp_table_free(t);
    ck_assert_int_eq(fa_live, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("check");
    tcase_add_test(tc, positions_and_other_line);
    tcase_add_test(tc, clean_table_has_no_findings);
    tcase_add_test(tc, nospace_reports_count_and_fills_what_fits);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, reverse_rules_without_forward_rules);
    tcase_add_test(tc, round_trip_only_when_asked);
    tcase_add_test(tc, strict_profile_findings);
    tcase_add_test(tc, allocation_failure);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
