/* Every byte value at the start, middle and end of a path segment and in the
 * query, in both profiles (SECURITY.md R2). The expected class of each byte
 * is written out here, independently of the library's own tables. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

static rp_table *strict_t, *apache_t;

static rp_table *mk(unsigned profile)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/", 1, "http://r/", 9, 0, NULL), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    return t;
}

static int in_set(int c, const char *set)
{
    return c != 0 && strchr(set, c) != NULL;
}

static int alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* strict (R2): the status a raw byte gets in a path or a query */
static rp_status strict_class(int c, int in_query)
{
    if (c <= 0x20 || c == 0x7f)
        return RP_E_CTL;
    if (c >= 0x80)
        return RP_E_NON_ASCII;
    if (c == '#')
        return RP_E_FRAGMENT;
    if (c == '\\')
        return RP_E_BACKSLASH;
    if (c == '%')
        return RP_E_BAD_PERCENT; /* followed by "x" in every test input */
    if (alnum(c) || in_set(c, "-._~!$&'()*+,;=:@/?"))
        return RP_OK;
    (void)in_query;
    return RP_E_BAD_CHAR;
}

static rp_status apache_class(int c, int in_query)
{
    if (c <= 0x20 || c == 0x7f)
        return RP_E_CTL;
    if (c == '#')
        return RP_E_FRAGMENT;
    if (c == '%' && !in_query)
        return RP_E_BAD_PERCENT; /* httpd does not look at escapes in the query */
    return RP_OK;
}

/* Apache re-encodes the path: these stay, everything else becomes %XX. */
static void apache_path_enc(char *dst, int c)
{
    if (alnum(c) || in_set(c, "/~$-_.+!*'(),;:@&="))
        sprintf(dst, "%c", c);
    else
        sprintf(dst, "%%%02X", (unsigned)c);
}

static void run(rp_table *t, const char *target, size_t len, rp_status want, const char *want_url)
{
    char out[256];
    size_t n = 0;
    rp_status st = rp_map_request(t, target, len, NULL, 0, 0, out, sizeof out, &n, NULL);
    char shown[64];
    size_t k = 0;
    for (size_t i = 0; i < len && k + 5 < sizeof shown; i++) {
        unsigned char c = (unsigned char)target[i];
        k += (size_t)snprintf(shown + k, sizeof shown - k, c > 0x20 && c < 0x7f ? "%c" : "\\x%02x",
                              c);
    }
    ck_assert_msg(st == want, "%s: got %s, want %s", shown, rp_status_name(st),
                  rp_status_name(want));
    if (want == RP_OK && want_url)
        ck_assert_msg(strcmp(out, want_url) == 0, "%s: got %s, want %s", shown, out, want_url);
}

/* positions: 0 = segment start "/Bx", 1 = middle "/xBx", 2 = end "/xB", 3 = query "/x?xB" */
static void build(int pos, int c, char *t, size_t *len)
{
    static const char *const fmt[4][2] = {{"/", "x"}, {"/x", "x"}, {"/x", ""}, {"/x?x", ""}};
    size_t a = strlen(fmt[pos][0]), b = strlen(fmt[pos][1]);
    memcpy(t, fmt[pos][0], a);
    t[a] = (char)c;
    memcpy(t + a + 1, fmt[pos][1], b);
    *len = a + 1 + b;
}

static void strict_byte(int c, int pos)
{
    char t[16];
    size_t len;
    build(pos, c, t, &len);
    rp_status want = strict_class(c, pos == 3);
    char url[64];
    snprintf(url, sizeof url, "http://r%.*s", (int)len, t);
    if (want == RP_OK && c == '/' && pos == 0)
        snprintf(url, sizeof url, "http://r/x"); /* "//x" merged */
    if (want == RP_OK && c == '/' && pos == 2)
        snprintf(url, sizeof url, "http://r/x/");
    run(strict_t, t, len, want, url);
}

static void apache_byte(int c, int pos)
{
    char t[16];
    size_t len;
    build(pos, c, t, &len);
    rp_status want = apache_class(c, pos == 3);
    char url[64], enc[8];
    if (pos == 3) {
        snprintf(url, sizeof url, "http://r%.*s", (int)len, t);
    } else if (c == '?') {
        /* the '?' starts the query */
        snprintf(url, sizeof url, "http://r%.*s", (int)len, t);
        if (pos == 0)
            snprintf(url, sizeof url, "http://r/?x");
    } else {
        apache_path_enc(enc, c);
        if (c == '/')
            snprintf(url, sizeof url, pos == 0 ? "http://r/x" : pos == 1 ? "http://r/x/x"
                                                                        : "http://r/x/");
        else
            snprintf(url, sizeof url, pos == 0 ? "http://r/%sx" : pos == 1 ? "http://r/x%sx"
                                                                          : "http://r/x%s",
                     enc);
    }
    run(apache_t, t, len, want, url);
}

/* one test per position, all 256 byte values in it (forking per byte is too
 * slow under the sanitizers) */
START_TEST(strict_bytes)
{
    for (int c = 0; c < 256; c++)
        strict_byte(c, _i);
}
END_TEST

START_TEST(apache_bytes)
{
    for (int c = 0; c < 256; c++)
        apache_byte(c, _i);
}
END_TEST

static void setup(void)
{
    strict_t = mk(RP_PROFILE_STRICT);
    apache_t = mk(RP_PROFILE_APACHE);
}

static void teardown(void)
{
    rp_table_free(strict_t);
    rp_table_free(apache_t);
}

int main(void)
{
    Suite *s = suite_create("bytes");
    TCase *tc = tcase_create("bytes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, strict_bytes, 0, 4);
    tcase_add_loop_test(tc, apache_bytes, 0, 4);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
