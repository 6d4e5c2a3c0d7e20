/* Round trip (issue 3, item 7): for every prefix ProxyPass of the sample rule
 * tables, a request mapped forward and then redirected by the backend to the
 * very URL it was asked for comes back to the public URL it started from. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* The public prefixes of the prefix rules that proxy: "ProxyPass /p URL" and
 * "<Location /p>" + "ProxyPass URL". */
static size_t prefixes(const char *text, char out[][128], size_t max)
{
    size_t n = 0;
    char loc[128] = "";
    const char *p = text;
    while (*p && n < max) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char line[512];
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        char a[128] = "", b[256] = "", c[256] = "";
        int k = sscanf(line, " %127s %255s %255s", a, b, c);
        if (k >= 2 && strcmp(a, "<Location") == 0) {
            snprintf(loc, sizeof loc, "%.*s", (int)strcspn(b, ">"), b);
        } else if (k >= 1 && strcmp(a, "</Location>") == 0) {
            loc[0] = '\0';
        } else if (k >= 2 && strcmp(a, "ProxyPass") == 0) {
            if (loc[0] && strcmp(b, "!") != 0)
                snprintf(out[n++], 128, "%s", loc);
            else if (!loc[0] && k >= 3 && b[0] == '/' && strcmp(c, "!") != 0)
                snprintf(out[n++], 128, "%s", b);
        }
        p = e ? e + 1 : p + len;
    }
    return n;
}

static void roundtrip(unsigned profile, const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    rp_builder *b;
    rp_table *t;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    ck_assert_msg(rp_builder_add_config(b, text, len, path, &d) == RP_OK, "%s:%u: %s", path,
                  d.line, d.message);
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    char pre[32][128];
    size_t np = prefixes(text, pre, 32);
    ck_assert_msg(np >= 2, "%s: only %zu prefix rules found", path, np);
    const char *origin = "https://www.example.com";
    for (size_t i = 0; i < np; i++) {
        char target[256], backend[512], back[512], want[512];
        snprintf(target, sizeof target, "%s%sdeep/page?q=1",
                 pre[i], pre[i][strlen(pre[i]) - 1] == '/' ? "" : "/");
        size_t n = 0;
        rp_status st = rp_map_request(t, target, strlen(target), "www.example.com", 15, 0,
                                      backend, sizeof backend, &n, NULL);
        ck_assert_msg(st == RP_OK, "%s: %s -> %s", path, target, rp_status_name(st));
        rp_response_ctx ctx = {origin, strlen(origin), backend, n, target, strlen(target)};
        st = rp_rewrite_location(t, backend, n, &ctx, 0, back, sizeof back, &n);
        snprintf(want, sizeof want, "%s%s", origin, target);
        ck_assert_msg(st == RP_OK && strcmp(back, want) == 0,
                      "%s (profile %u): %s -> %s -> %s (%s), want %s", path, profile, target,
                      backend, back, rp_status_name(st), want);
    }
    rp_table_free(t);
    free(text);
}

static const char *srcdir;

START_TEST(sample_apache)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/examples/apache.conf", srcdir);
    roundtrip(RP_PROFILE_APACHE, p);
}
END_TEST

START_TEST(sample_strict)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/examples/apache.conf", srcdir);
    roundtrip(RP_PROFILE_STRICT, p);
}
END_TEST

int main(int argc, char **argv)
{
    srcdir = argc > 1 ? argv[1] : ".";
    Suite *s = suite_create("roundtrip");
    TCase *tc = tcase_create("roundtrip");
    tcase_add_test(tc, sample_apache);
    tcase_add_test(tc, sample_strict);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
