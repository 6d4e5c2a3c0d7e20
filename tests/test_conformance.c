/*
 * Apache httpd conformance: run the cases recorded from a real Apache httpd
 * 2.4.71 (tests/data/apache-cases.jsonl, schema in
 * ../shared/conformance/README.md) through the Apache profile.
 *
 * tests/gen_conformance.py turns the cases and tests/data/apache-skips.txt
 * into apache_cases.inc (in the build directory): one struct rp_conf_case
 * per case, all groups. This test runs the groups forward, encoding,
 * security and config; the reverse and cookie groups need the response
 * rewriting functions and are not run yet.
 *
 * Skipped cases (apache-skips.txt) are not run and not counted as passed:
 * the loop test covers only the cases that run, and every skipped case of
 * the groups above is reported as a "# SKIP id: reason" TAP comment line.
 *
 * TAP output (meson: protocol 'tap'); exit status 1 if any test failed.
 */
#include <check.h>
#include <revproxy/revproxy.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apache_cases.inc"

#if defined(__GNUC__)
#  define RP_TEST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define RP_TEST_PRINTF(f, a)
#endif

/*
 * The recorder put every case's config inside a <VirtualHost> after a fixed
 * preamble that starts with "ServerName canonical.example:80" (README, "How
 * the cases were recorded"). Apache uses that name for a request without a
 * Host header: with ProxyPreserveHost On it is the Host sent to the backend
 * (fwd-preservehost-07 expects "canonical.example": Apache leaves out the
 * default port 80). To behave like the recording, every case's config is
 * loaded with this line in front of it, in the same text, so a ServerName
 * in the case's own config still comes later and wins as it did in Apache.
 * (Diagnostic line numbers are therefore one more than in the case.)
 */
#define PREAMBLE "ServerName canonical.example\n"

/* Big enough for any backend URL the cases expect (the longest is ~8 KiB)
 * and for the default output limit (16384). */
#define OUT_SIZE 32768u

/* Escaped values longer than this are shown as head ... tail. */
#define SHOW_MAX 240u
#define SHOW_HEAD 160u
#define SHOW_TAIL 60u
#define ESC_SIZE (4u * SHOW_MAX + 64u)

static size_t run_idx[RP_CONF_CASE_COUNT]; /* cases the loop test runs */
static size_t run_count;

/* Resources of the running case, released before a failure aborts the test
 * (so nothing leaks with CK_FORK=no either). */
static rp_builder *cur_builder;
static rp_table *cur_table;
static char *cur_config;
static char out_buf[OUT_SIZE];

static bool active_group(const char *g)
{
    return strcmp(g, "forward") == 0 || strcmp(g, "encoding") == 0 ||
           strcmp(g, "security") == 0 || strcmp(g, "config") == 0 ||
           strcmp(g, "reverse") == 0 || strcmp(g, "cookie") == 0;
}

/* The response headers the recorder reports (observed.headers). */
static bool reported_header(const char *name, size_t n)
{
    static const char *const names[] = {"Location", "Content-Location", "URI", "Destination",
                                        "Set-Cookie", "Refresh", "Link"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t k = strlen(names[i]);
        if (k != n)
            continue;
        size_t j = 0;
        while (j < k && (name[j] | 0x20) == (names[i][j] | 0x20))
            j++;
        if (j == k)
            return true;
    }
    return false;
}

/* Deviations (docs/semantics.md) are run too, against what revproxy does
 * instead: EXPECT in apache-skips.txt. */
static size_t dev_idx[RP_CONF_CASE_COUNT];
static size_t dev_count;

static void collect_cases(void)
{
    size_t i;
    run_count = 0;
    dev_count = 0;
    for (i = 0; i < RP_CONF_CASE_COUNT; i++) {
        const struct rp_conf_case *c = &rp_conf_cases[i];
        if (active_group(c->group) && c->skip_reason == NULL)
            run_idx[run_count++] = i;
        else if (active_group(c->group) && strcmp(c->skip_kind, "deviation") == 0)
            dev_idx[dev_count++] = i;
    }
}

static void release(void)
{
    rp_table_free(cur_table);
    cur_table = NULL;
    rp_builder_free(cur_builder);
    cur_builder = NULL;
    free(cur_config);
    cur_config = NULL;
}

/* Append the escaped bytes p[0..n) to dst: quoted, printable ASCII as is
 * (with \" and \\), everything else \xNN; long values as head ... tail.
 * No newline ever reaches the message (it goes on one TAP line). */
static void esc_range(char *dst, size_t *pos, size_t cap, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n && *pos + 5 < cap; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '"' || ch == '\\') {
            dst[(*pos)++] = '\\';
            dst[(*pos)++] = (char)ch;
        } else if (ch >= 0x20 && ch < 0x7f) {
            dst[(*pos)++] = (char)ch;
        } else {
            dst[(*pos)++] = '\\';
            dst[(*pos)++] = 'x';
            dst[(*pos)++] = hex[ch >> 4];
            dst[(*pos)++] = hex[ch & 15u];
        }
    }
}

static const char *esc(char *dst, size_t cap, const char *p, size_t n)
{
    size_t pos = 0;
    if (p == NULL) {
        snprintf(dst, cap, "(null)");
        return dst;
    }
    dst[pos++] = '"';
    if (n <= SHOW_MAX) {
        esc_range(dst, &pos, cap, p, n);
    } else {
        int k;
        esc_range(dst, &pos, cap, p, SHOW_HEAD);
        k = snprintf(dst + pos, cap - pos, "\"...(%zu bytes)...\"", n);
        if (k > 0 && (size_t)k < cap - pos)
            pos += (size_t)k;
        esc_range(dst, &pos, cap, p + n - SHOW_TAIL, SHOW_TAIL);
    }
    if (pos + 2 <= cap)
        dst[pos++] = '"';
    dst[pos < cap ? pos : cap - 1] = '\0';
    return dst;
}

/* Report a failure of case c: "[id] comment: <message>", then abort. */
static _Noreturn void case_fail(const struct rp_conf_case *c, const char *fmt, ...)
    RP_TEST_PRINTF(2, 3);
static _Noreturn void case_fail(const struct rp_conf_case *c, const char *fmt, ...)
{
    char msg[3000];
    size_t used;
    int k;
    va_list ap;

    k = snprintf(msg, sizeof msg, "[%s] %s: ", c->id, c->comment);
    used = (k > 0 && (size_t)k < sizeof msg) ? (size_t)k : sizeof msg - 1;
    va_start(ap, fmt);
    vsnprintf(msg + used, sizeof msg - used, fmt, ap);
    va_end(ap);
    /* Comments and messages are one line already; make sure of it. */
    for (used = 0; msg[used] != '\0'; used++)
        if (msg[used] == '\n' || msg[used] == '\r')
            msg[used] = ' ';
    release();
    ck_abort_msg("%s", msg);
}

static const char *diag_text(const rp_diag *d)
{
    /* message is NUL-terminated by contract; do not trust it blindly. */
    return memchr(d->message, '\0', sizeof d->message) ? d->message : "(unterminated)";
}

/* Load PREAMBLE + the case's config; compile unless loading failed.
 * Returns the first non-RP_OK status (or RP_OK) with its diagnostic in *d. */
static rp_status load_case(const struct rp_conf_case *c, rp_diag *d)
{
    size_t pre = sizeof PREAMBLE - 1;
    size_t len = pre + c->config_len;
    rp_status st;

    memset(d, 0, sizeof *d);
    st = rp_builder_new(RP_PROFILE_APACHE, NULL, &cur_builder);
    if (st != RP_OK)
        case_fail(c, "rp_builder_new(RP_PROFILE_APACHE) returned %s", rp_status_name(st));
    cur_config = malloc(len + 1);
    if (cur_config == NULL)
        case_fail(c, "out of memory");
    memcpy(cur_config, PREAMBLE, pre);
    if (c->config_len > 0)
        memcpy(cur_config + pre, c->config, c->config_len);
    cur_config[len] = '\0';

    st = rp_builder_add_config(cur_builder, cur_config, len, c->id, d);
    if (st != RP_OK)
        return st;
    memset(d, 0, sizeof *d);
    return rp_builder_compile(cur_builder, &cur_table, d);
}

static void run_config_error(const struct rp_conf_case *c, rp_status st, const rp_diag *d)
{
    char e1[ESC_SIZE], e2[ESC_SIZE];
    const char *msg = diag_text(d);

    if (st == RP_OK)
        case_fail(c, "Apache refused the config with %s but it loaded and compiled; config %s",
                  esc(e1, sizeof e1, c->config_error_msg, strlen(c->config_error_msg)),
                  esc(e2, sizeof e2, c->config, c->config_len));
    if (st != RP_E_CONFIG)
        case_fail(c, "expected RP_E_CONFIG with %s, got %s with %s (line %u col %u)",
                  esc(e1, sizeof e1, c->config_error_msg, strlen(c->config_error_msg)),
                  rp_status_name(st), esc(e2, sizeof e2, msg, strlen(msg)),
                  (unsigned)d->line, (unsigned)d->column);
    if (strstr(msg, c->config_error_msg) == NULL)
        case_fail(c, "RP_E_CONFIG as expected, but the message %s does not contain Apache's %s",
                  esc(e2, sizeof e2, msg, strlen(msg)),
                  esc(e1, sizeof e1, c->config_error_msg, strlen(c->config_error_msg)));
}

static void run_headers(const struct rp_conf_case *c, const char *backend_url, size_t blen);

static void run_request(const struct rp_conf_case *c)
{
    char e1[ESC_SIZE], e2[ESC_SIZE], e3[ESC_SIZE], e4[ESC_SIZE], e5[ESC_SIZE];
    size_t n = 0;
    rp_match m;
    rp_status st;

    memset(&m, 0, sizeof m);
    st = rp_map_request(cur_table, c->target, c->target_len, c->host, c->host_len,
                        RP_MAP_DEFAULT, out_buf, sizeof out_buf, &n, &m);

    if (!c->proxied) {
        if (st == RP_OK)
            case_fail(c, "target %s host %s: Apache answered %d without proxying, "
                      "we mapped it to %s",
                      esc(e1, sizeof e1, c->target, c->target_len),
                      esc(e2, sizeof e2, c->host, c->host_len), c->status,
                      esc(e3, sizeof e3, out_buf, n < sizeof out_buf ? n : 0));
        if (rp_status_http(st) != c->status)
            case_fail(c, "target %s host %s: expected HTTP %d (not proxied), got %s = HTTP %d",
                      esc(e1, sizeof e1, c->target, c->target_len),
                      esc(e2, sizeof e2, c->host, c->host_len), c->status,
                      rp_status_name(st), rp_status_http(st));
        return;
    }

    if (st != RP_OK)
        case_fail(c, "target %s host %s: expected proxied to %s, got %s = HTTP %d",
                  esc(e1, sizeof e1, c->target, c->target_len),
                  esc(e2, sizeof e2, c->host, c->host_len),
                  esc(e3, sizeof e3, c->backend_url, c->backend_url_len),
                  rp_status_name(st), rp_status_http(st));
    if (n >= sizeof out_buf)
        case_fail(c, "RP_OK with out_len %zu >= buffer size %zu", n, sizeof out_buf);
    if (n != c->backend_url_len || memcmp(out_buf, c->backend_url, n) != 0) {
        size_t i = 0;
        while (i < n && i < c->backend_url_len && out_buf[i] == c->backend_url[i])
            i++;
        case_fail(c, "target %s host %s: backend URL got %s (%zu bytes), expected %s "
                  "(%zu bytes), first difference at byte %zu",
                  esc(e1, sizeof e1, c->target, c->target_len),
                  esc(e2, sizeof e2, c->host, c->host_len),
                  esc(e3, sizeof e3, out_buf, n), n,
                  esc(e4, sizeof e4, c->backend_url, c->backend_url_len),
                  c->backend_url_len, i);
    }
    if (m.host == NULL || m.host_len != c->backend_host_len ||
        memcmp(m.host, c->backend_host, c->backend_host_len) != 0)
        case_fail(c, "target %s host %s -> %s: backend Host got %s, expected %s",
                  esc(e1, sizeof e1, c->target, c->target_len),
                  esc(e2, sizeof e2, c->host, c->host_len),
                  esc(e3, sizeof e3, c->backend_url, c->backend_url_len),
                  esc(e4, sizeof e4, m.host, m.host ? m.host_len : 0),
                  esc(e5, sizeof e5, c->backend_host, c->backend_host_len));
    run_headers(c, out_buf, n);
}

/* Reverse direction: every backend response header goes through
 * rp_rewrite_response_header with the public origin Apache would build from
 * the request's Host (rp_public_origin), the backend URL we mapped and the
 * request-target; the results must be what the client got from httpd. */
static void run_headers(const struct rp_conf_case *c, const char *backend_url, size_t blen)
{
    char e1[ESC_SIZE], e2[ESC_SIZE], e3[ESC_SIZE];
    char origin[512], val[OUT_SIZE];
    size_t on = 0, k = 0;
    /* httpd takes the public host from an absolute-form http: target (not
     * from https: ones, sec-absform-01), else from Host */
    const char *host = c->host;
    size_t host_len = c->host_len;
    if (c->target_len > 5 && (c->target[0] | 0x20) == 'h' && (c->target[1] | 0x20) == 't' &&
        (c->target[2] | 0x20) == 't' && (c->target[3] | 0x20) == 'p' && c->target[4] == ':') {
        const char *a = memchr(c->target, '/', c->target_len);
        if (a && (size_t)(a - c->target) + 1 < c->target_len && a[1] == '/') {
            const char *hs = a + 2, *e = hs;
            while (e < c->target + c->target_len && *e != '/' && *e != '?')
                e++;
            host = hs;
            host_len = (size_t)(e - hs);
        }
    }
    rp_status st = rp_public_origin(cur_table, "http", 4, host, host_len, origin,
                                    sizeof origin, &on);
    if (st != RP_OK)
        case_fail(c, "rp_public_origin(host %s) returned %s",
                  esc(e1, sizeof e1, c->host, c->host_len), rp_status_name(st));
    rp_response_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.public_origin = origin;
    ctx.public_origin_len = on;
    ctx.backend_url = backend_url;
    ctx.backend_url_len = blen;
    ctx.request_target = c->target;
    ctx.request_target_len = c->target_len;
    bool used[64] = {false};
    if (c->n_obs_headers > 64)
        case_fail(c, "too many observed headers (%zu)", c->n_obs_headers);
    for (size_t i = 0; i < c->n_be_headers; i++) {
        const struct rp_conf_hdr *h = &c->be_headers[i];
        if (!reported_header(h->name, h->name_len))
            continue;
        size_t n = 0;
        st = rp_rewrite_response_header(cur_table, h->name, h->name_len, h->value, h->value_len,
                                        &ctx, 0, val, sizeof val, &n);
        if (st != RP_OK && st != RP_NO_MATCH)
            case_fail(c, "%s %s: rp_rewrite_response_header returned %s", h->name,
                      esc(e1, sizeof e1, h->value, h->value_len), rp_status_name(st));
        /* the order counts among headers of one name only (README of the
         * recorded cases): take the next unused observed header of this name */
        const struct rp_conf_hdr *o = NULL;
        for (size_t j = 0; j < c->n_obs_headers && !o; j++) {
            const struct rp_conf_hdr *x = &c->obs_headers[j];
            if (used[j] || x->name_len != h->name_len)
                continue;
            size_t q = 0;
            while (q < x->name_len && (x->name[q] | 0x20) == (h->name[q] | 0x20))
                q++;
            if (q == x->name_len) {
                used[j] = true;
                o = x;
            }
        }
        if (!o)
            case_fail(c, "%s %s -> %s: Apache sent no such header", h->name,
                      esc(e1, sizeof e1, h->value, h->value_len), esc(e2, sizeof e2, val, n));
        k++;
        /* httpd's header parser drops the spaces around a value */
        const char *want = o->value;
        size_t wn = o->value_len;
        const char *got = val;
        while (n && (got[0] == ' ' || got[0] == '\t')) {
            got++;
            n--;
        }
        while (n && (got[n - 1] == ' ' || got[n - 1] == '\t'))
            n--;
        if (n != wn || memcmp(got, want, n) != 0)
            case_fail(c, "%s %s (origin %s): got %s, Apache sent %s", h->name,
                      esc(e1, sizeof e1, h->value, h->value_len), origin,
                      esc(e2, sizeof e2, got, n), esc(e3, sizeof e3, want, wn));
    }
    if (k != c->n_obs_headers)
        case_fail(c, "Apache sent %zu reported headers, we produced %zu", c->n_obs_headers, k);
}

START_TEST(test_apache_case)
{
    const struct rp_conf_case *c = &rp_conf_cases[run_idx[_i]];
    rp_diag d;
    rp_status st;

    st = load_case(c, &d);
    if (c->config_error) {
        run_config_error(c, st, &d);
    } else {
        if (st != RP_OK) {
            char e1[ESC_SIZE], e2[ESC_SIZE];
            const char *msg = diag_text(&d);
            case_fail(c, "Apache accepted the config, we refused it: %s %s "
                      "(line %u col %u, counting the ServerName line); config %s",
                      rp_status_name(st), esc(e1, sizeof e1, msg, strlen(msg)),
                      (unsigned)d.line, (unsigned)d.column,
                      esc(e2, sizeof e2, c->config, c->config_len));
        }
        run_request(c);
    }
    release();
}
END_TEST

START_TEST(test_apache_deviation)
{
    const struct rp_conf_case *c = &rp_conf_cases[dev_idx[_i]];
    const char *want = c->dev_expect;
    char e1[ESC_SIZE], e2[ESC_SIZE];
    rp_diag d;
    size_t n = 0;
    rp_status st = load_case(c, &d);

    if (strcmp(want, "config") == 0) {
        if (st != RP_E_CONFIG)
            case_fail(c, "deviation: expected the config to be refused (RP_E_CONFIG), got %s",
                      rp_status_name(st));
        release();
        return;
    }
    if (st != RP_OK)
        case_fail(c, "deviation: config refused: %s %s", rp_status_name(st), diag_text(&d));
    st = rp_map_request(cur_table, c->target, c->target_len, c->host, c->host_len,
                        RP_MAP_DEFAULT, out_buf, sizeof out_buf, &n, NULL);
    if (strncmp(want, "url=", 4) == 0) {
        if (st != RP_OK || n != strlen(want + 4) || memcmp(out_buf, want + 4, n) != 0)
            case_fail(c, "deviation: target %s: expected %s, got %s %s",
                      esc(e1, sizeof e1, c->target, c->target_len), want + 4,
                      rp_status_name(st),
                      esc(e2, sizeof e2, out_buf, st == RP_OK && n < sizeof out_buf ? n : 0));
    } else if (strcmp(rp_status_name(st), want) != 0) {
        case_fail(c, "deviation: target %s: expected %s, got %s",
                  esc(e1, sizeof e1, c->target, c->target_len), want, rp_status_name(st));
    }
    release();
}
END_TEST

/* A broken generator or data file must not pass by running nothing. */
START_TEST(test_case_count)
{
    ck_assert_msg(run_count >= 500,
                  "only %zu runnable cases in the forward, encoding, security and config "
                  "groups (of %zu cases in all); expected at least 500",
                  run_count, (size_t)RP_CONF_CASE_COUNT);
}
END_TEST

int main(void)
{
    Suite *s;
    TCase *tc_cases, *tc_sanity;
    SRunner *sr;
    size_t i, later = 0;
    int failed;

    collect_cases();

    /* Check has no "skip": report skipped cases as TAP comments, not as
     * passed tests. Flush before Check forks so the lines print once. */
    for (i = 0; i < RP_CONF_CASE_COUNT; i++) {
        const struct rp_conf_case *c = &rp_conf_cases[i];
        if (!active_group(c->group))
            later++;
        else if (c->skip_reason != NULL && strcmp(c->skip_kind, "deviation") == 0)
            printf("# DEVIATION %s (tested against %s): %s\n", c->id, c->dev_expect,
                   c->skip_reason);
        else if (c->skip_reason != NULL)
            printf("# SKIP %s: %s: %s\n", c->id, c->skip_kind, c->skip_reason);
    }
    printf("# %zu cases run, %zu deviations checked, %zu cases of other groups\n", run_count,
           dev_count, later);
    fflush(stdout);

    s = suite_create("apache-conformance");
    tc_sanity = tcase_create("sanity");
    tcase_add_test(tc_sanity, test_case_count);
    suite_add_tcase(s, tc_sanity);
    tc_cases = tcase_create("cases");
    tcase_add_loop_test(tc_cases, test_apache_case, 0, (int)run_count);
    tcase_add_loop_test(tc_cases, test_apache_deviation, 0, (int)dev_count);
    suite_add_tcase(s, tc_cases);

    sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
