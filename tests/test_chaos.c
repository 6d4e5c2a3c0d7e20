/* Allocation failure at every allocation of every build-time entry point
 * (SECURITY.md R30, curl's "torture" method): allocation k fails for
 * k = 1..N, where N is the number a successful run makes. Each run must end
 * in RP_E_NOMEM (or succeed when nothing failed), leave nothing allocated
 * after the caller frees what it holds, and never hand out a table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

#include "failalloc.h"

static const char *const conf =
    "ServerName https://www.example.com\n"
    "ProxyPreserveHost On\n"
    "ProxyPass /app/static !\n"
    "ProxyPass /app http://backend.internal:8080/internal\n"
    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
    "ProxyPassMatch ^/img/(.*\\.png)$ http://images.internal/static/$1\n"
    "<Location /api>\n"
    "  ProxyPass http://api.internal:9090/v1 timeout=5\n"
    "  ProxyPassReverse http://api.internal:9090/v1\n"
    "  ProxyPassReverseCookiePath /v1 /api\n"
    "</Location>\n"
    "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
    "LogLevel warn\n";

/* One whole build; returns the first failing status or RP_OK. */
static rp_status build(unsigned profile, rp_table **out)
{
    rp_allocator a = failalloc;
    rp_builder *b = NULL;
    rp_diag d;
    *out = NULL;
    rp_status st = rp_builder_new(profile, &a, &b);
    if (st != RP_OK)
        return st;
    st = rp_builder_add_config(b, conf, strlen(conf), "chaos", &d);
    if (st == RP_OK)
        st = rp_builder_add_pass(b, "/extra", 6, "http://x/y", 10, 0, &d);
    if (st == RP_OK)
        st = rp_builder_set_server_name(b, "pub.example", 11);
    if (st == RP_OK)
        st = rp_builder_compile(b, out, &d);
    rp_builder_free(b);
    return st;
}

static void torture(unsigned profile)
{
    rp_table *t;
    fa_calls = fa_live = 0;
    fa_fail_at = -1;
    ck_assert_int_eq(build(profile, &t), RP_OK);
    long n = fa_calls;
    ck_assert_int_gt(n, 10);
    rp_table_free(t);
    ck_assert_int_eq(fa_live, 0);
    for (long k = 1; k <= n; k++) {
        fa_calls = fa_live = 0;
        fa_fail_at = k;
        rp_status st = build(profile, &t);
        ck_assert_msg(st == RP_E_NOMEM, "profile %u, allocation %ld of %ld failed: got %s",
                      profile, k, n, rp_status_name(st));
        ck_assert_msg(t == NULL, "allocation %ld failed but a table came back", k);
        ck_assert_msg(fa_live == 0, "allocation %ld failed: %ld blocks still allocated", k, fa_live);
    }
}

START_TEST(apache_torture)
{
    torture(RP_PROFILE_APACHE);
}
END_TEST

START_TEST(strict_torture)
{
    torture(RP_PROFILE_STRICT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chaos");
    TCase *tc = tcase_create("chaos");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, apache_torture);
    tcase_add_test(tc, strict_torture);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
