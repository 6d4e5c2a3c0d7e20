/* Unit tests of the Apache directive loader (rp_builder_add_config), through
 * the public API only. Golden error files: tests/data/config-errors/NAME.conf
 * with NAME.err holding one line "LINE COLUMN RP_E_NAME message"; the
 * directory comes as argv[1] or in RP_TEST_DATA (either the config-errors
 * directory itself or a directory that holds it). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* strdup, strndup, clock_gettime, dirent */
#endif
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <revproxy/revproxy.h>

/* ---- helpers ------------------------------------------------------------- */

static rp_builder *nb(void)
{
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    return b;
}

static rp_status load_n(rp_builder *b, const char *text, size_t len, rp_diag *d)
{
    return rp_builder_add_config(b, text, len, "test.conf", d);
}

static rp_status load(rp_builder *b, const char *text, rp_diag *d)
{
    return load_n(b, text, strlen(text), d);
}

/* Load text into a fresh builder and expect success. */
static rp_builder *ok(const char *text)
{
    rp_builder *b = nb();
    rp_diag d;
    rp_status st = load(b, text, &d);
    ck_assert_msg(st == RP_OK, "load failed: %s %u:%u %s\n--- text:\n%s", rp_status_name(st),
                  d.line, d.column, d.message, text);
    return b;
}

/* Expect the load to fail with code at line:col and a message starting with msg. */
static void err_n(const char *text, size_t len, rp_status code, uint32_t line, uint32_t col,
                  const char *msg)
{
    rp_builder *b = nb();
    rp_diag d;
    memset(&d, 0x5a, sizeof d);
    rp_status st = load_n(b, text, len, &d);
    ck_assert_msg(st == code, "want %s, got %s (%s)\n--- text:\n%s", rp_status_name(code),
                  rp_status_name(st), st == RP_OK ? "" : d.message, text);
    ck_assert_int_eq(d.code, code);
    ck_assert_msg(d.line == line && d.column == col, "want %u:%u, got %u:%u (%s)", line, col,
                  d.line, d.column, d.message);
    ck_assert_msg(strncmp(d.message, msg, strlen(msg)) == 0, "want message \"%s\", got \"%s\"",
                  msg, d.message);
    ck_assert_msg(strstr(d.message, "test.conf") == NULL, "source name in message: %s",
                  d.message);
    rp_builder_free(b);
}

static void err(const char *text, rp_status code, uint32_t line, uint32_t col, const char *msg)
{
    err_n(text, strlen(text), code, line, col, msg);
}

static rp_table *compile(const rp_builder *b)
{
    rp_table *t = NULL;
    rp_diag d;
    rp_status st = rp_builder_compile(b, &t, &d);
    ck_assert_msg(st == RP_OK, "compile: %s %s", rp_status_name(st), d.message);
    return t;
}

static size_t nrules(const rp_builder *b)
{
    rp_table *t = compile(b);
    size_t n = rp_table_rule_count(t);
    rp_table_free(t);
    return n;
}

/* Map target; want is the backend URL or "!RP_STATUS_NAME". *line gets the rule line. */
static void map_host(const rp_builder *b, const char *target, const char *host, const char *want,
                     uint32_t want_line, const char *want_host)
{
    rp_table *t = compile(b);
    char out[2048];
    size_t n = 0;
    rp_match m;
    memset(&m, 0, sizeof m);
    rp_status st = rp_map_request(t, target, strlen(target), host, host ? strlen(host) : 0,
                                  RP_MAP_DEFAULT, out, sizeof out, &n, &m);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "%s: got %s (%s), want %s",
                      target, rp_status_name(st), st == RP_OK ? out : "", want + 1);
    } else {
        ck_assert_msg(st == RP_OK, "%s: got %s, want %s", target, rp_status_name(st), want);
        ck_assert_str_eq(out, want);
        if (want_host) {
            ck_assert_ptr_nonnull(m.host);
            ck_assert_msg(strlen(want_host) == m.host_len &&
                              memcmp(want_host, m.host, m.host_len) == 0,
                          "host: want %s, got %.*s", want_host, (int)m.host_len, m.host);
        }
    }
    if (want_line)
        ck_assert_uint_eq(m.rule_line, want_line);
    rp_table_free(t);
}

static void map(const rp_builder *b, const char *target, const char *want, uint32_t want_line)
{
    map_host(b, target, "public.example", want, want_line, NULL);
}

/* Index of the first warning containing sub, or -1. */
static long find_warning(const rp_builder *b, const char *sub, rp_diag *out)
{
    size_t n = rp_builder_warning_count(b);
    for (size_t i = 0; i < n; i++) {
        rp_diag d;
        ck_assert_int_eq(rp_builder_warning(b, i, &d), RP_OK);
        if (strstr(d.message, sub)) {
            if (out)
                *out = d;
            return (long)i;
        }
    }
    return -1;
}

static void has_warning(const rp_builder *b, const char *sub, uint32_t line, uint32_t col)
{
    rp_diag d;
    long i = find_warning(b, sub, &d);
    ck_assert_msg(i >= 0, "no warning containing \"%s\" among %zu", sub,
                  rp_builder_warning_count(b));
    ck_assert_int_eq(d.code, RP_OK);
    ck_assert_msg(d.line == line && d.column == col, "warning \"%s\" at %u:%u, want %u:%u",
                  d.message, d.line, d.column, line, col);
}

/* ---- loading and mapping -------------------------------------------------- */

START_TEST(basic)
{
    rp_builder *b = ok("ProxyPass /app http://backend.internal:8080/internal\n"
                       "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                       "ProxyPassReverseCookieDomain backend.internal public.example\n"
                       "ProxyPassReverseCookiePath /internal /app\n");
    ck_assert_uint_eq(nrules(b), 1);
    ck_assert_uint_eq(rp_builder_warning_count(b), 0);
    map(b, "/app/x", "http://backend.internal:8080/internal/x", 1);
    map(b, "/other", "!RP_NO_MATCH", 0);
    rp_builder_free(b);
}
END_TEST

START_TEST(empty_and_blank)
{
    rp_builder *b = ok("");
    ck_assert_uint_eq(nrules(b), 0);
    ck_assert_int_eq(rp_builder_add_config(b, NULL, 0, NULL, NULL), RP_OK);
    ck_assert_int_eq(load(b, "\n\n   \n\t\r\n\f\v\n", NULL), RP_OK);
    ck_assert_int_eq(load(b, "\"\"\n", NULL), RP_OK); /* an empty first word: skipped */
    ck_assert_uint_eq(nrules(b), 0);
    ck_assert_uint_eq(rp_builder_warning_count(b), 0);
    rp_builder_free(b);
}
END_TEST

START_TEST(directive_case)
{
    rp_builder *b = ok("proxypass /a http://h/a\n"
                       "PROXYPASSMATCH ^/b(.*)$ http://h/b$1\n"
                       "pRoXyPaSsReVeRsE /a http://h/a\n");
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/bz", "http://h/bz", 2);
    rp_builder_free(b);
}
END_TEST

START_TEST(no_nul_terminator)
{
    /* The text is (pointer, length): copy it into a buffer without a NUL. */
    const char *src = "ProxyPass /a http://h/a\nProxyPass /b http://h/b";
    size_t n = strlen(src);
    char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, src, n);
    rp_builder *b = nb();
    ck_assert_int_eq(load_n(b, buf, n, NULL), RP_OK);
    ck_assert_uint_eq(nrules(b), 2);
    /* a length that cuts the second line */
    rp_builder *b2 = nb();
    rp_diag d;
    ck_assert_int_eq(load_n(b2, buf, n - 11, &d), RP_E_CONFIG);
    ck_assert_uint_eq(d.line, 2);
    rp_builder_free(b2);
    free(buf);
    rp_builder_free(b);
}
END_TEST

/* ---- quoting (ap_getword_conf) -------------------------------------------- */

/* The URL-must-be-absolute message echoes the value of the URL argument. */
static void url_value(const char *args, const char *want_value)
{
    char text[512], msg[512];
    snprintf(text, sizeof text, "ProxyPass /a %s\n", args);
    snprintf(msg, sizeof msg, "ProxyPass URL must be absolute!: %s", want_value);
    rp_builder *b = nb();
    rp_diag d;
    ck_assert_int_eq(load(b, text, &d), RP_E_CONFIG);
    ck_assert_msg(strcmp(d.message, msg) == 0, "%s: got \"%s\", want \"%s\"", args, d.message,
                  msg);
    ck_assert_uint_eq(d.column, 14);
    rp_builder_free(b);
}

START_TEST(quoting)
{
    url_value("\"a b\"", "a b");
    url_value("'a b'", "a b");
    url_value("\"a\\\"b\"", "a\"b");     /* \" inside "" */
    url_value("'it\\'s'", "it's");       /* \' inside '' */
    url_value("\"a\\\\b\"", "a\\b");     /* \\ inside quotes */
    url_value("\"a\\xb\"", "a\\xb");     /* other escapes kept */
    url_value("\"a'b\"", "a'b");         /* the other quote is data */
    url_value("a\\\\b", "a\\b");         /* \\ outside quotes */
    url_value("a\\$1", "a\\$1");         /* \$ outside quotes: kept (M14) */
    url_value("a\"b", "a\"b");           /* a quote inside a word is data */
    url_value("\"a b", "a b");           /* unterminated: runs to the end */
    url_value("\"\\\"", "\"");           /* only an escaped quote, unterminated */

    /* a closing quote ends the word even when something follows */
    err("ProxyPass /a \"http://h/x\"bare\n", RP_E_CONFIG, 1, 26,
        "Invalid ProxyPass|ProxyPassMatch parameter");

    /* quoted path with a space: A2 */
    rp_builder *b = ok("ProxyPass \"/a b\" http://backend.internal:8080/x\n");
    ck_assert_uint_eq(nrules(b), 1);
    map(b, "/a%20b/y", "http://backend.internal:8080/x/y", 1);
    rp_builder_free(b);

    /* quoted directive name and flags */
    b = ok("\"ProxyPass\" '/q' \"http://h/q\" \"nocanon\"\n");
    ck_assert_uint_eq(nrules(b), 1);
    rp_builder_free(b);
}
END_TEST

/* ---- lines: continuation, comments, CRLF ---------------------------------- */

START_TEST(continuation)
{
    rp_builder *b = ok("ProxyPass /app \\\n    http://backend.internal:8080/internal\n"
                       "ProxyPass /b\\\n/c http://h/bc\n");
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/app/x", "http://backend.internal:8080/internal/x", 1);
    map(b, "/b/c/d", "http://h/bc/d", 3); /* joined with nothing in between: "/b/c" */
    rp_builder_free(b);

    /* CR LF after the backslash */
    b = ok("ProxyPass /app \\\r\n http://h/i\r\nProxyPass /z http://h/z\r\n");
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/z/1", "http://h/z/1", 3);
    rp_builder_free(b);

    /* several continuation lines, one of them only a backslash */
    b = ok("ProxyPass \\\n\\\n /m \\\n http://h/m\nProxyPass /n http://h/n\n");
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/n", "http://h/n", 5);
    rp_builder_free(b);

    url_value("no\\\nhttp", "nohttp");
    /* a backslash at the very end of the text (no LF) is kept */
    err("ProxyPass /a nohttp\\", RP_E_CONFIG, 1, 14, "ProxyPass URL must be absolute!: nohttp\\");
    url_value("nohttp\\\n", "nohttp"); /* continued into the end of the text */
    url_value("\"a \\\nb\"", "a b");   /* inside quotes too */
    url_value("a\\\\\nb", "a\\b");     /* "\\" + LF: continues, one backslash stays */

    /* a backslash followed by a space does not continue */
    err("ProxyPass /a http://h/ \\ \nProxyPass\n", RP_E_CONFIG, 1, 24,
        "Invalid ProxyPass|ProxyPassMatch parameter");

    /* errors on a continuation line point at that physical line */
    err("ProxyPass /app \\\n   backend.internal:8080/x\n", RP_E_CONFIG, 2, 4,
        "ProxyPass URL must be absolute!: backend.internal:8080/x");
    err("ProxyPass /a \\\n  http://h/a \\\r\n     timeout=0\n", RP_E_CONFIG, 3, 6,
        "ProxyPass Timeout must be at least one second");
    err("ProxyPass /a http://h/a \\\n\\\n\\\nkeepalive=x\n", RP_E_CONFIG, 4, 1,
        "ProxyPass KeepAlive must be On|Off");
}
END_TEST

START_TEST(comments)
{
    rp_builder *b = ok("# ProxyPass /x http://h/x\n"
                       "   \t# indented comment\n"
                       "#\n"
                       "ProxyPass /a http://h/a\n");
    ck_assert_uint_eq(nrules(b), 1);
    ck_assert_uint_eq(rp_builder_warning_count(b), 0);
    rp_builder_free(b);

    /* '#' later in a line is not a comment */
    err("ProxyPass /a http://h/a # comment\n", RP_E_CONFIG, 1, 25,
        "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form "
        "'key=value'.");
    url_value("#x", "#x");

    /* a comment ending in a backslash swallows the next line (Apache) */
    b = ok("# a comment \\\nProxyPass /a http://h/a\nProxyPass /b http://h/b\n");
    ck_assert_uint_eq(nrules(b), 1);
    has_warning(b, "line 2 is part of it", 1, 1);
    map(b, "/b", "http://h/b", 3);
    rp_builder_free(b);
}
END_TEST

START_TEST(crlf)
{
    rp_builder *b = ok("ProxyPass /a http://h/a\r\nProxyPass /b http://h/b\r\n\r\n"
                       "ProxyPassReverse /a http://h/a\r\n");
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/b/x", "http://h/b/x", 2);
    rp_builder_free(b);
    err("ProxyPass /a http://h/a\r\n\r\nProxyPass /b http:\r\n", RP_E_CONFIG, 3, 14,
        "ProxyPass URL must be absolute!: http:");
    /* a lone CR is white space, not a line break */
    b = ok("ProxyPass\r/a\rhttp://h/a\r\n");
    ck_assert_uint_eq(nrules(b), 1);
    rp_builder_free(b);
    /* no final line break */
    b = ok("ProxyPass /a http://h/a");
    ck_assert_uint_eq(nrules(b), 1);
    rp_builder_free(b);
}
END_TEST

START_TEST(bom)
{
    rp_builder *b = ok("\xEF\xBB\xBFProxyPass /a http://h/a\n");
    ck_assert_uint_eq(nrules(b), 1);
    ck_assert_uint_eq(rp_builder_warning_count(b), 0);
    rp_builder_free(b);
    err("\xEF\xBB\xBFProxyPass\n", RP_E_CONFIG, 1, 4, "ProxyPass|ProxyPassMatch needs a path");
}
END_TEST

START_TEST(nul_byte)
{
    static const char t1[] = "ProxyPass /a http://h/a\nProx\0yPass /b http://h/b\n";
    rp_builder *b = nb();
    rp_diag d;
    ck_assert_int_eq(load_n(b, t1, sizeof t1 - 1, &d), RP_E_CONFIG);
    ck_assert_uint_eq(d.line, 2);
    ck_assert_uint_eq(d.column, 5);
    ck_assert_uint_eq(d.offset, 28);
    ck_assert_str_eq(d.message, "NUL byte in configuration text");
    ck_assert_uint_eq(nrules(b), 0);
    rp_builder_free(b);
    err_n("\0", 1, RP_E_CONFIG, 1, 1, "NUL byte");
    err_n("# comment \0\n", 12, RP_E_CONFIG, 1, 11, "NUL byte"); /* even in a comment */
}
END_TEST

/* ---- <Location> sections --------------------------------------------------- */

START_TEST(location)
{
    rp_builder *b = ok("<Location /app>\n"
                       "    ProxyPass http://backend.internal:8080/internal\n"
                       "    ProxyPassReverse http://backend.internal:8080/internal\n"
                       "</Location>\n"
                       "ProxyPass /app/sub http://api.internal:9090/two\n");
    ck_assert_uint_eq(nrules(b), 2);
    ck_assert_uint_eq(rp_builder_warning_count(b), 0);
    map(b, "/app/x", "http://backend.internal:8080/internal/x", 2);
    map(b, "/app/sub/x", "http://backend.internal:8080/internal/sub/x", 2); /* L4 */
    rp_builder_free(b);

    /* names compare case-insensitively; quotes in the header */
    b = ok("<location \"/a b\">\nProxyPass http://h/ab\n</LOCATION>\n");
    map(b, "/a%20b/c", "http://h/ab/c", 2);
    rp_builder_free(b);

    /* exclusion inside a Location (X7) */
    b = ok("ProxyPass /app http://backend.internal:8080/internal\n"
           "<Location /app/admin>\n"
           "ProxyPass !\n"
           "</Location>\n");
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/app/admin/x", "!RP_EXCLUDED", 3);
    map(b, "/app/x", "http://backend.internal:8080/internal/x", 1);
    rp_builder_free(b);

    /* text after '>' is ignored with a warning */
    b = ok("<Location /w> junk\nProxyPass http://h/w\n</Location>\n");
    has_warning(b, "text after '>' ignored", 1, 14);
    rp_builder_free(b);

    /* two ProxyPass in one section: warning */
    b = ok("<Location /d>\nProxyPass http://h/1\nProxyPass http://h/2\n</Location>\n");
    has_warning(b, "Apache keeps only the last one", 3, 1);
    map(b, "/d/x", "http://h/2/x", 3);
    rp_builder_free(b);

    /* a second section after the first one closed */
    b = ok("<Location /a>\nProxyPass http://h/a\n</Location>\n"
           "<Location /b>\nProxyPass http://h/b\n</Location>\n");
    ck_assert_uint_eq(nrules(b), 2);
    rp_builder_free(b);
}
END_TEST

START_TEST(location_match)
{
    rp_builder *b = ok("<LocationMatch ^/app/(.*)$>\n"
                       "ProxyPass http://backend.internal:8080/internal/$1\n"
                       "</LocationMatch>\n");
    ck_assert_uint_eq(nrules(b), 1);
    map(b, "/app/sub/x", "http://backend.internal:8080/internal/sub/x", 2); /* L3-04 */
    map(b, "/app", "!RP_NO_MATCH", 0);                                      /* L3-00 */
    rp_builder_free(b);

    b = ok("<Location ~ \"^/re/(.*)$\">\nProxyPass http://h/r/$1\n</Location>\n");
    map(b, "/re/q", "http://h/r/q", 2);
    rp_builder_free(b);

    /* no wildcard: Apache compares the pattern as a literal prefix */
    b = ok("<LocationMatch ^/lit>\nProxyPass http://h/l\n</LocationMatch>\n");
    has_warning(b, "literal path prefix", 2, 1);
    map(b, "/lit/x", "!RP_NO_MATCH", 0);
    rp_builder_free(b);

    /* a wildcard in a plain <Location> makes ProxyPass a regex, as in Apache */
    b = ok("<Location /w*>\nProxyPass http://h/w\n</Location>\n");
    has_warning(b, "regular expression", 2, 1);
    rp_builder_free(b);

    err("<LocationMatch ^/a(>\n</LocationMatch>\n", RP_E_CONFIG, 1, 20,
        "Regex could not be compiled (missing closing parenthesis");
    err("<LocationMatch ^/a/>\nProxyPassReverse http://h/\n</LocationMatch>\n",
        RP_E_UNSUPPORTED, 2, 1, "ProxyPassReverse inside <LocationMatch ^/a/>");
}
END_TEST

START_TEST(location_errors)
{
    err("<Location /a>\n<Location /b>\n</Location>\n</Location>\n", RP_E_CONFIG, 2, 1,
        "<Location> cannot occur within <Location> section");
    err("<Location /a>\n  <LocationMatch ^/b>\n", RP_E_CONFIG, 2, 3,
        "<LocationMatch> cannot occur within <Location> section");
    err("<Location /a>\nProxyPass http://h/\n", RP_E_CONFIG, 1, 1, "<Location> was not closed.");
    err("ProxyPass /a http://h/\n</Location>\n", RP_E_CONFIG, 2, 1,
        "</Location> without matching <Location> section");
    err("<Location /a>\n</LocationMatch>\n", RP_E_CONFIG, 2, 1,
        "Expected </Location> but saw </LocationMatch>");
    err("<Location /a>\n</Location\n", RP_E_CONFIG, 2, 1,
        "</Location> directive missing closing '>'");
    err("<Location /a\nProxyPass http://h/\n</Location>\n", RP_E_CONFIG, 1, 1,
        "<Location> directive missing closing '>'");
    err("<Location>\n</Location>\n", RP_E_CONFIG, 1, 1,
        "<Location> directive missing closing '>'");
    err("<Location >\n</Location>\n", RP_E_CONFIG, 1, 1,
        "<Location> directive requires additional arguments");
    err("<Location /a /b>\n</Location>\n", RP_E_CONFIG, 1, 14,
        "Multiple <Location> arguments not (yet) supported.");
    err("<Location /app>\nServerName x.example\n</Location>\n", RP_E_CONFIG, 2, 1,
        "ServerName not allowed in <Location> context");
    err("<Location /app>\nAllowEncodedSlashes On\n</Location>\n", RP_E_CONFIG, 2, 1,
        "AllowEncodedSlashes not allowed in <Location> context");
    err("<Location /a>\n<Directory /x>\n</Directory>\n</Location>\n", RP_E_CONFIG, 2, 1,
        "<Directory> cannot occur within <Location> section");
}
END_TEST

/* ---- other sections ---------------------------------------------------------- */

START_TEST(sections)
{
    rp_builder *b = ok("<VirtualHost *:80>\n"
                       "  ServerName www.example\n"
                       "  <IfModule mod_proxy.c>\n"
                       "    ProxyPass /a http://h/a\n"
                       "    <Location /l>\n"
                       "      ProxyPass http://h/l\n"
                       "    </Location>\n"
                       "  </IfModule>\n"
                       "  <Directory /var/www>\n"
                       "    Require all granted\n"
                       "    <Files x>\n"
                       "    </Files>\n"
                       "  </Directory>\n"
                       "  <Proxy balancer://c>\n"
                       "    BalancerMember http://h1\n"
                       "    ProxyPass /never http://h/never\n"
                       "  </Proxy>\n"
                       "</VirtualHost>\n");
    ck_assert_uint_eq(nrules(b), 2);
    has_warning(b, "<VirtualHost *:80>: contents read as if at top level", 1, 1);
    has_warning(b, "<IfModule mod_proxy.c>: condition not evaluated", 3, 3);
    has_warning(b, "<Directory /var/www>: section skipped", 9, 3);
    has_warning(b, "<Proxy balancer://c>: section skipped", 14, 3);
    ck_assert_int_lt(find_warning(b, "Require", NULL), 0); /* inside a skipped section */
    map(b, "/l/x", "http://h/l/x", 6);
    map(b, "/never", "!RP_NO_MATCH", 0);
    rp_builder_free(b);

    err("<Directory /x>\nProxyPass /a http://h/\n</Directory>\n", RP_E_CONFIG, 2, 1,
        "ProxyPass cannot occur within <Directory> section");
    err("<If \"true\">\n ProxyPassReverse /a http://h/\n</If>\n", RP_E_CONFIG, 2, 2,
        "ProxyPassReverse cannot occur within <If> section");
    err("<FilesMatch x>\n<Location /a>\n</Location>\n</FilesMatch>\n", RP_E_CONFIG, 2, 1,
        "<Location> cannot occur within <FilesMatch> section");
    err("<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>\n",
        RP_E_CONFIG, 2, 1, "<VirtualHost> cannot occur within <VirtualHost> section");
    err("<IfModule x>\n<VirtualHost *>\n</IfModule>\n", RP_E_CONFIG, 3, 1,
        "Expected </VirtualHost> but saw </IfModule>");
    err("<IfModule x>\n<VirtualHost *>\n</VirtualHost>\n", RP_E_CONFIG, 1, 1,
        "<IfModule> was not closed.");
    /* unknown sections are skipped, but must still balance */
    b = ok("<Foo bar>\nProxyPass /x http://h/x\n</Foo>\nProxyPass /y http://h/y\n");
    ck_assert_uint_eq(nrules(b), 1);
    has_warning(b, "<Foo bar>: section skipped", 1, 1);
    rp_builder_free(b);
}
END_TEST

/* ---- Apache's recorded configuration cases ----------------------------------- */

START_TEST(recorded_errors)
{
    err("ProxyPass\n", RP_E_CONFIG, 1, 1,
        "ProxyPass|ProxyPassMatch needs a path when not defined in a location"); /* cfg-01 */
    err("<Location /app>\nProxyPass /x http://backend.internal:8080/\n</Location>\n",
        RP_E_CONFIG, 2, 11,
        "ProxyPass|ProxyPassMatch can not have a path when defined in a location."); /* 02 */
    err("ProxyPassReverse /app\n", RP_E_CONFIG, 1, 1,
        "ProxyPassReverse needs a path when not defined in a location"); /* cfg-03 */
    err("<Location /app>\nProxyPassReverse /x http://backend.internal:8080/\n</Location>\n",
        RP_E_CONFIG, 2, 18,
        "ProxyPassReverse can not have a path when defined in a location"); /* cfg-04 */
    err("ProxyPassMatch ^/app/( http://backend.internal:8080/$1\n", RP_E_CONFIG, 1, 23,
        "Regular expression could not be compiled."); /* cfg-05 */
    err("ProxyPass /app backend.internal:8080/x\n", RP_E_CONFIG, 1, 16,
        "ProxyPass URL must be absolute!: backend.internal:8080/x"); /* cfg-09 */
    err("ProxyPass /app http://\n", RP_E_CONFIG, 1, 16,
        "ProxyPass URL must be absolute!: http://"); /* cfg-10 */
    err("ProxyPassReverseCookiePath /internal\n", RP_E_CONFIG, 1, 1,
        "ProxyPassReverseCookiePath takes two or three arguments, Path rewrite rule for "
        "proxying cookies"); /* cfg-11 */
    err("ProxyPassReverseCookieDomain a b c d\n", RP_E_CONFIG, 1, 36,
        "ProxyPassReverseCookieDomain takes two or three arguments, Domain rewrite rule for "
        "proxying cookies"); /* cfg-12 */
    err("ProxyPass /app http://backend.internal:8080/ mapping=bogus\n", RP_E_CONFIG, 1, 46,
        "unknown mapping"); /* cfg-13 */
    err("ProxyPassMatch ~ ^/x http://backend.internal:8080/\n", RP_E_CONFIG, 1, 16,
        "ProxyPassMatch invalid syntax ('~' usage)."); /* cfg-14 */
    err("ProxyPass /app http://backend.internal:8080/internal keepalive=maybe\n", RP_E_CONFIG,
        1, 54, "ProxyPass KeepAlive must be On|Off"); /* cfg-23 */
    err("ProxyPass /app http://backend.internal:8080/internal\n"
        "ProxyPassReverseCookieDomain backend.internal \"\"\n",
        RP_E_CONFIG, 2, 47,
        "ProxyPassReverseCookieDomain takes two or three arguments, Domain rewrite rule for "
        "proxying cookies"); /* cfg-24 */
    err("ProxyPass /app http://backend.internal:8080/internal\n"
        "ProxyPassReverse /app http://backend.internal:8080/internal extra words\n",
        RP_E_CONFIG, 2, 67,
        "ProxyPassReverse takes one, two or three arguments, a virtual path and a URL for "
        "reverse proxy behaviour"); /* cfg-25 */
    err("ProxyPassMatch ^/app/(.*)$\n", RP_E_CONFIG, 1, 1,
        "ProxyPass|ProxyPassMatch needs a path when not defined in a location"); /* cfg-27 */
}
END_TEST

START_TEST(recorded_ok)
{
    /* cfg-17 */
    rp_builder *b = ok("ProxyPass /app http://backend.internal:8080/internal noquery interpolate\n");
    map(b, "/app/x", "http://backend.internal:8080/internal/x", 1);
    has_warning(b, "'interpolate' accepted; it has no effect", 1, 62);
    rp_builder_free(b);
    /* cfg-19 */
    b = ok("ProxyPass /app http://backend.internal:8080/internal\n"
           "ProxyPassReverse /app http://backend.internal:8080/internal bogus\n");
    has_warning(b, "third argument 'bogus' is taken as 'interpolate'", 2, 61);
    rp_builder_free(b);
    /* cfg-20 */
    b = ok("ProxyPass /app !\nProxyPass /app/x http://backend.internal:8080/\n");
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/app/x/y", "!RP_EXCLUDED", 1);
    rp_builder_free(b);
    /* cfg-21 */
    b = ok("ProxyPass /app ! nocanon\n");
    map(b, "/app/x", "!RP_EXCLUDED", 1);
    rp_builder_free(b);
    /* cfg-22 */
    b = ok("ProxyPass /app http://backend.internal:8080/internal timeout=5 retry=0\n");
    map(b, "/app/x", "http://backend.internal:8080/internal/x", 1);
    has_warning(b, "worker parameter 'timeout' accepted; it does not affect URL mapping", 1, 54);
    has_warning(b, "worker parameter 'retry' accepted", 1, 64);
    rp_builder_free(b);
    /* cfg-28 */
    b = ok("ProxyPass /app http://backend.internal:8080/internal nocanon mapping=encoded\n");
    map(b, "/app/x", "http://backend.internal:8080/internal/x", 1);
    rp_builder_free(b);
    /* cfg-08: Apache loads it (and answers 400 at request time) */
    b = nb();
    rp_diag d;
    rp_status st = load(b, "ProxyPass /app http://backend.internal:99999/\n", &d);
    ck_assert_msg(st == RP_OK || st == RP_E_CONFIG, "%s", rp_status_name(st));
    rp_builder_free(b);
}
END_TEST

/* ---- ProxyPass forms ----------------------------------------------------------- */

START_TEST(pass_forms)
{
    rp_builder *b = ok("ProxyPass ~ ^/t/(.*)$ http://h/t/$1\n"
                       "ProxyPass ~ \\.png$ !\n"
                       "ProxyPassMatch \\.gif$ !\n"
                       "ProxyPass /x ! mapping=servlet\n"
                       "ProxyPass /s http://h/s noquery nocanon mapping=servlet flushpackets=on\n");
    ck_assert_uint_eq(nrules(b), 5);
    map(b, "/t/a", "http://h/t/a", 1);
    map(b, "/t/a.png", "http://h/t/a.png", 1);
    map(b, "/z.png", "!RP_EXCLUDED", 2);
    map(b, "/z.gif", "!RP_EXCLUDED", 3);
    rp_builder_free(b);

    /* worker parameters: accepted values */
    b = ok("ProxyPass /p http://h/p connectiontimeout=5 ping=100ms acquire=3000 ttl=60 "
           "max=20 min=0 smax=5 keepalive=On disablereuse=off enablereuse=ON lbset=3 "
           "loadfactor=2.5 iobuffersize=0 receivebuffersize=1024 flushwait=10 "
           "route=r1 redirect=r2 status=+H-D secret=s upgrade=websocket "
           "responsefieldsize=0 timeout=1 retry=0 hcmethod=GET\n");
    ck_assert_uint_eq(nrules(b), 1);
    rp_builder_free(b);

    /* and the messages Apache gives for bad ones */
    static const struct {
        const char *param, *msg;
    } bad[] = {
        {"timeout=0", "ProxyPass Timeout must be at least one second"},
        {"retry=-1", "ProxyPass Retry must be a positive value"},
        {"ttl=0", "ProxyPass TTL must be at least one second"},
        {"min=-1", "ProxyPass Min must be a positive number"},
        {"max=-1", "ProxyPass Max must be a positive number"},
        {"smax=-2", "ProxyPass Smax must be a positive number"},
        {"acquire=x", "ProxyPass Acquire timeout has wrong format"},
        {"acquire=0", "ProxyPass Acquire must be at least one millisecond"},
        {"connectiontimeout=5q", "ProxyPass Connectiontimeout has wrong format"},
        {"connectiontimeout=0", "ProxyPass Connectiontimeout must be at least one millisecond."},
        {"ping=", "ProxyPass Ping/Pong timeout must be at least one millisecond"},
        {"ping=1x", "ProxyPass Ping/Pong timeout has wrong format"},
        {"iobuffersize=100", "ProxyPass IOBufferSize must be >= 512 bytes"},
        {"receivebuffersize=1", "ProxyPass ReceiveBufferSize must be >= 512 bytes"},
        {"KeepAlive=yes", "ProxyPass KeepAlive must be On|Off"},
        {"disablereuse=1", "ProxyPass DisableReuse must be On|Off"},
        {"enablereuse=", "ProxyPass EnableReuse must be On|Off"},
        {"flushpackets=maybe", "ProxyPass flushpackets must be on|off|auto"},
        {"flushwait=2000", "ProxyPass flushwait must be <= 1000"},
        {"lbset=100", "ProxyPass lbset must be between 0 and 99"},
        {"loadfactor=0.5", "ProxyPass LoadFactor must be a number between 1..100"},
        {"loadfactor=101", "ProxyPass LoadFactor must be a number between 1..100"},
        {"status=X", "ProxyPass Unknown status parameter option"},
        {"status=+", "ProxyPass Unknown status parameter option"},
        {"responsefieldsize=-1", "ProxyPass ResponseFieldSize must be greater than 0 bytes"},
        {"bogus=1", "ProxyPass unknown Worker parameter: 'bogus'"},
        {"=1", "ProxyPass unknown Worker parameter"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[200];
        snprintf(text, sizeof text, "ProxyPass /p http://h/p %s\n", bad[i].param);
        err(text, RP_E_CONFIG, 1, 25, bad[i].msg);
    }
    /* parameters on an exclusion are not checked (Apache returns first) */
    b = ok("ProxyPass /p ! keepalive=maybe\n");
    has_warning(b, "ignored on an exclusion", 1, 16);
    rp_builder_free(b);

    /* order of errors: the URL is checked before the parameters */
    err("ProxyPass /p nohttp keepalive=x\n", RP_E_CONFIG, 1, 14,
        "ProxyPass URL must be absolute!");
    /* but a bad mapping or a bare word stops the scan first */
    err("ProxyPass /p nohttp bare\n", RP_E_CONFIG, 1, 21,
        "Invalid ProxyPass|ProxyPassMatch parameter");
    /* the second word is the URL, whatever it looks like */
    err("ProxyPass /p mapping=x\n", RP_E_CONFIG, 1, 14,
        "ProxyPass URL must be absolute!: mapping=x");
    err("ProxyPass /p http://h/ mapping=x\n", RP_E_CONFIG, 1, 24, "unknown mapping");
    err("ProxyPass ~\n", RP_E_CONFIG, 1, 1, "ProxyPass|ProxyPassMatch needs a path");
    err("ProxyPass ~ ^/a(( http://h/\n", RP_E_CONFIG, 1, 18,
        "Regular expression could not be compiled.");
    /* inside a Location a bare word after the URL */
    err("<Location /a>\nProxyPass http://h/ bare\n</Location>\n", RP_E_CONFIG, 2, 21,
        "Invalid ProxyPass|ProxyPassMatch parameter");
    /* an empty path */
    err("ProxyPass \"\" http://h/\n", RP_E_CONFIG, 1, 11, "ProxyPass: the path is empty");
}
END_TEST

START_TEST(reverse_and_cookies)
{
    rp_builder *b = ok("ProxyPassReverse /a http://h/a\n"
                       "ProxyPassReverse /b http://h/b interpolate\n"
                       "<Location /c>\n"
                       "ProxyPassReverse http://h/c\n"
                       "ProxyPassReverse http://h/c2 interpolate ignored\n"
                       "ProxyPassReverseCookiePath /internal /app\n"
                       "</Location>\n"
                       "ProxyPassReverseCookieDomain backend.internal public.example interpolate\n"
                       "ProxyPassReverseCookiePath /i /p\n");
    ck_assert_uint_eq(nrules(b), 0);
    has_warning(b, "ProxyPassReverse: 'interpolate' accepted", 2, 32);
    has_warning(b, "argument ignored (as in Apache)", 5, 42);
    /* the cookie rule inside <Location /c> is scoped to it, without a warning */
    ck_assert_uint_eq(rp_builder_warning_count(b), 4); /* the three interpolate warnings and one ignored argument */
    has_warning(b, "ProxyPassReverseCookieDomain: 'interpolate' accepted", 8, 62);
    rp_builder_free(b);

    err("ProxyPassReverse\n", RP_E_CONFIG, 1, 1, "ProxyPassReverse takes one, two or three");
    err("ProxyPassReverse \"\" http://h/\n", RP_E_CONFIG, 1, 18,
        "ProxyPassReverse takes one, two or three");
    err("ProxyPassReverse /a interpolate\n", RP_E_CONFIG, 1, 1,
        "ProxyPassReverse needs a path when not defined in a location");
    err("ProxyPassReverse /a \"\"\n", RP_E_CONFIG, 1, 21, "ProxyPassReverse: the URL is empty");
    err("ProxyPassReverseCookiePath\n", RP_E_CONFIG, 1, 1,
        "ProxyPassReverseCookiePath takes two or three arguments");
    err("ProxyPassReverseCookiePath \"\" /b\n", RP_E_CONFIG, 1, 28,
        "ProxyPassReverseCookiePath takes two or three arguments");
}
END_TEST

START_TEST(strict_profile)
{
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(load(b,
                          "<Location /api>\n  ProxyPass http://h/v1\n</Location>\n"
                          "ProxyPass /a http://h/a\n",
                          &d),
                     RP_OK);
    ck_assert_uint_eq(nrules(b), 2);
    /* the same language; the builder's checks differ and keep their position */
    ck_assert_int_eq(load(b, "\n  ProxyPass /a/../b http://h/\n", &d), RP_E_CONFIG);
    ck_assert_uint_eq(d.line, 2);
    ck_assert_uint_eq(d.column, 13);
    ck_assert_msg(strncmp(d.message, "ProxyPass: path is not in canonical form", 40) == 0, "%s",
                  d.message);
    ck_assert_int_eq(load(b, "ProxyPass /a/ http://h/x\n", &d), RP_E_CONFIG);
    ck_assert_uint_eq(d.column, 11);
    ck_assert_str_eq(d.message, "ProxyPass: duplicate path (first defined at line 4)");
    ck_assert_uint_eq(nrules(b), 2);
    rp_builder_free(b);

    /* the duplicate set (a hash set in the builder) across its growth and
     * across a load that fails and is undone */
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    char p[64];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(p, sizeof p, "/s%d/x%d%s", i % 17, i, i % 2 ? "/" : "");
        ck_assert_int_eq(rp_builder_add_pass(b, p, (size_t)n, "http://h/", 9, 0, &d), RP_OK);
    }
    for (int i = 0; i < 3000; i += 7) {
        int n = snprintf(p, sizeof p, "/s%d/x%d%s", i % 17, i, i % 2 ? "" : "/");
        ck_assert_int_eq(rp_builder_add_pass(b, p, (size_t)n, "http://h/", 9, 0, &d),
                         RP_E_CONFIG);
    }
    ck_assert_int_eq(load(b, "ProxyPass /new1 http://h/\nProxyPass /new2 http://h/\n"
                             "ProxyPass /s0/x0 http://h/\n",
                          &d),
                     RP_E_CONFIG);
    ck_assert_uint_eq(d.line, 3);
    ck_assert_str_eq(d.message, "ProxyPass: duplicate path (first defined at line 0)");
    /* /new1 and /new2 were undone with the failed load: free again */
    ck_assert_int_eq(rp_builder_add_pass(b, "/new1", 5, "http://h/", 9, 0, &d), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/new2/", 6, "http://h/", 9, 0, &d), RP_OK);
    ck_assert_int_eq(rp_builder_add_pass(b, "/new1/", 6, "http://h/", 9, 0, &d), RP_E_CONFIG);
    ck_assert_int_eq(rp_builder_add_pass(b, "/s7/x2999", 9, "http://h/", 9, 0, &d),
                     RP_E_CONFIG);
    ck_assert_uint_eq(nrules(b), 3002);
    rp_builder_free(b);
}
END_TEST

/* ---- settings -------------------------------------------------------------------- */

START_TEST(settings)
{
    rp_builder *b = ok("ProxyPass /a http://backend.internal:8080/a\n"
                       "ProxyPreserveHost On\n"
                       "ServerName https://www.public.example:443\n"
                       "AllowEncodedSlashes NoDecode\n"
                       "MergeSlashes off\n");
    ck_assert_uint_eq(rp_builder_warning_count(b), 0); /* the scheme is kept (public scheme) */
    map_host(b, "/a/x", "public.example", "http://backend.internal:8080/a/x", 1,
             "public.example");
    map_host(b, "/a/x", NULL, "http://backend.internal:8080/a/x", 1, "www.public.example:443");
    rp_builder_free(b);

    b = ok("ProxyPass /a http://backend.internal:8080/a\nProxyPreserveHost Off extra\n");
    has_warning(b, "extra arguments ignored", 2, 23);
    map_host(b, "/a/x", "public.example", "http://backend.internal:8080/a/x", 1,
             "backend.internal:8080");
    rp_builder_free(b);

    err("ProxyPreserveHost maybe\n", RP_E_CONFIG, 1, 19, "ProxyPreserveHost must be On or Off");
    err("ProxyPreserveHost\n", RP_E_CONFIG, 1, 1, "ProxyPreserveHost must be On or Off");
    err("MergeSlashes 1\n", RP_E_CONFIG, 1, 14, "MergeSlashes must be On or Off");
    err("AllowEncodedSlashes\n", RP_E_CONFIG, 1, 1,
        "AllowEncodedSlashes takes one argument, Allow URLs containing '/' encoded as '%2F'");
    err("AllowEncodedSlashes On Off\n", RP_E_CONFIG, 1, 24,
        "AllowEncodedSlashes takes one argument");
    err("AllowEncodedSlashes Decode\n", RP_E_CONFIG, 1, 21,
        "AllowEncodedSlashes must be On, Off, or NoDecode");
    err("ServerName\n", RP_E_CONFIG, 1, 1,
        "ServerName takes one argument, The hostname and port of the server");
    err("ServerName a.example:0\n", RP_E_CONFIG, 1, 12,
        "The port number \"a.example:0\" is outside the appropriate range (i.e., 1..65535).");
    err("ServerName *.example\n", RP_E_CONFIG, 1, 12,
        "Invalid ServerName \"*.example\" use ServerAlias to set multiple server names.");
    err("ServerName http://a.example/x\n", RP_E_CONFIG, 1, 28,
        "ServerName: \"http://a.example/x\" is not a host[:port]");

    /* ProxyPreserveHost inside a Location applies to the whole table */
    b = ok("<Location /a>\nProxyPreserveHost On\n</Location>\n");
    has_warning(b, "applied to the whole table", 2, 1);
    rp_builder_free(b);
}
END_TEST

/* ---- warnings ------------------------------------------------------------------- */

START_TEST(warnings)
{
    rp_builder *b = ok("ServerAdmin webmaster@example.com\n"
                       "  ProxyRequests On\n"
                       "ProxyRequests Off\n"
                       "ProxyTimeout 30\n"
                       "ProxyPas /x http://h/x\n"
                       "Include conf.d/*.conf\n"
                       "RewriteRule ^/x http://h/ [P]\n"
                       "ProxyPass /${V} http://h/v\n"
                       "UseCanonicalName On\n"
                       "ProxyPassInterpolateEnv On\n"
                       "ProxyHTMLURLMap http://h/ /\n");
    has_warning(b, "ServerAdmin: ignored (does not concern proxying)", 1, 1);
    has_warning(b, "ProxyRequests On: ignored", 2, 3);
    has_warning(b, "ProxyRequests: ignored (does not change URL mapping)", 3, 1);
    has_warning(b, "ProxyTimeout: ignored (does not change URL mapping)", 4, 1);
    has_warning(b, "ProxyPas: unknown directive, ignored (misspelled?)", 5, 1);
    has_warning(b, "Include: ignored (included files are not read", 6, 1);
    has_warning(b, "RewriteRule: ignored", 7, 1);
    has_warning(b, "'${' is not expanded", 8, 12);
    has_warning(b, "UseCanonicalName: ignored", 9, 1);
    has_warning(b, "ProxyPassInterpolateEnv: ignored", 10, 1);
    has_warning(b, "ProxyHTMLURLMap: ignored", 11, 1);
    ck_assert_uint_eq(rp_builder_warning_count(b), 11);
    rp_diag w;
    ck_assert_int_eq(rp_builder_warning(b, 11, &w), RP_E_ARG);
    rp_builder_free(b);

    /* the number of warnings one text can record is bounded */
    size_t n = 5000;
    char *text = malloc(n * 4 + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + 4 * i, "Xy \n", 4);
    b = nb();
    ck_assert_int_eq(load_n(b, text, n * 4, NULL), RP_OK);
    ck_assert_uint_eq(rp_builder_warning_count(b), 1001);
    has_warning(b, "more than 1000 warnings", 1001, 1);
    free(text);
    rp_builder_free(b);
}
END_TEST

/* ---- atomicity -------------------------------------------------------------------- */

START_TEST(atomic)
{
    rp_builder *b = ok("ProxyPass /a http://h/a\nServerAdmin x\nServerName first.example\n");
    ck_assert_uint_eq(rp_builder_warning_count(b), 1);
    rp_diag d;
    ck_assert_int_eq(load(b,
                          "ProxyPass /b http://h/b\n"
                          "ProxyPassReverse /b http://h/b\n"
                          "ProxyPassReverseCookiePath /b /c\n"
                          "ServerAdmin y\n"
                          "ServerName second.example\n"
                          "ProxyPreserveHost On\n"
                          "AllowEncodedSlashes On\n"
                          "ProxyPass /c http://h/c\n"
                          "ProxyPass\n",
                          &d),
                     RP_E_CONFIG);
    ck_assert_uint_eq(d.line, 9);
    ck_assert_uint_eq(nrules(b), 1);
    ck_assert_uint_eq(rp_builder_warning_count(b), 1);
    map(b, "/b/x", "!RP_NO_MATCH", 0);
    map(b, "/a/x", "http://h/a/x", 1);
    /* ProxyPreserveHost and ServerName of the failed text are not kept either */
    ck_assert_int_eq(rp_builder_set_option(b, RP_OPT_PRESERVE_HOST, 1), RP_OK);
    map_host(b, "/a/x", NULL, "http://h/a/x", 1, "first.example");
    /* a later text still loads, and its lines count from 1 */
    ck_assert_int_eq(load(b, "\nProxyPass /d http://h/d\n", &d), RP_OK);
    ck_assert_uint_eq(nrules(b), 2);
    map(b, "/d/x", "http://h/d/x", 2);
    rp_builder_free(b);
}
END_TEST

/* ---- size and speed ------------------------------------------------------------------ */

/* Loading must take time linear in the text (SECURITY.md R21). Shown as
 * a ratio, never an absolute time: each shape is loaded at size n and 8n
 * and the thread CPU time (the best of three) may grow at most 20x, where
 * linear work grows 8x and a quadratic loader 64x. The machine's speed,
 * its load and valgrind (meson test --setup valgrind) scale both sides. */
typedef enum shape { MIXED, CONTINUATION, LONG_LINE, NESTING, NESTING_DIRECTORY } shape;

/* The text of a shape at size k (lines, continuations, words or depth);
 * *rules is the number of rules it adds when it loads. */
static size_t gen_shape(shape sh, size_t k, char **out, size_t *rules)
{
    size_t cap = k * 64 + 256, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    *rules = 0;
    switch (sh) {
    case MIXED:
        for (size_t i = 0; i < k; i++) {
            char *p = text + len;
            size_t room = cap - len;
            int n;
            switch (i % 10) {
            case 0:
                n = snprintf(p, room, "ProxyPass /p%zu http://h%zu.internal/x\n", i, i % 7);
                (*rules)++;
                break;
            case 1:
                n = snprintf(p, room, "ProxyPassReverse /p%zu http://h/x\n", i);
                break;
            case 2:
                n = snprintf(p, room, "# comment %zu with \"quotes\"\n", i);
                break;
            case 3:
                n = snprintf(p, room, "ProxyPass /q%zu \\\n", i);
                break;
            case 4:
                n = snprintf(p, room, "    'http://h/q' nocanon\r\n");
                (*rules)++;
                break;
            case 5:
                n = snprintf(p, room, "<Location /l%zu>\n", i);
                break;
            case 6:
                n = snprintf(p, room, "  ProxyPass http://h/l\n");
                (*rules)++;
                break;
            case 7:
                n = snprintf(p, room, "</Location>\n");
                break;
            case 8:
                n = snprintf(p, room, "\n");
                break;
            default:
                n = snprintf(p, room, "   ProxyPassReverseCookiePath /a /b\n");
                break;
            }
            len += (size_t)n;
        }
        break;
    case CONTINUATION: /* one logical line of k continuation lines */
        len += (size_t)snprintf(text + len, cap - len, "ProxyPass /z http://h/z");
        for (size_t i = 0; i < k; i++)
            len += (size_t)snprintf(text + len, cap - len, " \\\n nocanon");
        len += (size_t)snprintf(text + len, cap - len, " keepalive=bad\n");
        break;
    case LONG_LINE: /* one line of k words */
        len += (size_t)snprintf(text + len, cap - len, "ProxyPass /w http://h/w");
        for (size_t i = 0; i < k; i++)
            len += (size_t)snprintf(text + len, cap - len, " noquery");
        *rules = 1;
        break;
    case NESTING:
    case NESTING_DIRECTORY: /* k nested sections with k directives inside */
        if (sh == NESTING_DIRECTORY)
            len += (size_t)snprintf(text + len, cap - len, "<Directory />\n");
        for (size_t i = 0; i < k; i++)
            len += (size_t)snprintf(text + len, cap - len, "<Foo %zu>\n", i);
        for (size_t i = 0; i < k; i++)
            len += (size_t)snprintf(text + len, cap - len, "ProxyPass /a http://h/\n");
        for (size_t i = 0; i < k; i++)
            len += (size_t)snprintf(text + len, cap - len, "</Foo>\n");
        if (sh == NESTING_DIRECTORY)
            len += (size_t)snprintf(text + len, cap - len, "</Directory>\n");
        break;
    }
    *out = text;
    return len;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Load shape sh of size k into a new builder: the result and the CPU time
 * (the best of three runs); the builder of the last run is returned. */
static double load_shape(shape sh, size_t k, rp_status *st, rp_diag *d, rp_builder **bout,
                         size_t *rules)
{
    char *text;
    size_t len = gen_shape(sh, k, &text, rules);
    double best = 0;
    for (int run = 0; run < 3; run++) {
        rp_builder *b = nb();
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_RULES, 100000), RP_OK);
        double t0 = cpu_s();
        *st = load_n(b, text, len, d);
        double dt = cpu_s() - t0;
        if (run == 0 || dt < best)
            best = dt;
        if (run < 2)
            rp_builder_free(b);
        else
            *bout = b;
    }
    free(text);
    return best;
}

static void linear_shape(shape sh, size_t k, const char *what)
{
    rp_status st;
    rp_diag d;
    rp_builder *b;
    size_t rules;
    double small = load_shape(sh, k / 8, &st, &d, &b, &rules);
    rp_builder_free(b);
    double big = load_shape(sh, k, &st, &d, &b, &rules);
    double ratio = big / (small > 1e-6 ? small : 1e-6);
    ck_assert_msg(ratio < 20.0, "%s: %zu took %.4f s, %zu took %.4f s (x%.1f for x8)", what, k / 8,
                  small, k, big, ratio);
    /* and what the big one loaded */
    switch (sh) {
    case MIXED:
    case LONG_LINE:
        ck_assert_msg(st == RP_OK, "%s %u:%u %s", rp_status_name(st), d.line, d.column, d.message);
        ck_assert_uint_eq(nrules(b), rules);
        ck_assert_uint_eq(rp_builder_warning_count(b), 0);
        break;
    case CONTINUATION:
        ck_assert_int_eq(st, RP_E_CONFIG);
        ck_assert_uint_eq(d.line, k + 1);
        ck_assert_uint_eq(d.column, 10);
        break;
    case NESTING:
        ck_assert_int_eq(st, RP_OK);
        ck_assert_uint_eq(nrules(b), 0);
        ck_assert_uint_eq(rp_builder_warning_count(b), 1);
        break;
    case NESTING_DIRECTORY:
        ck_assert_int_eq(st, RP_E_CONFIG);
        ck_assert_uint_eq(d.line, k + 2);
        ck_assert_str_eq(d.message, "ProxyPass cannot occur within <Directory> section");
        break;
    }
    rp_builder_free(b);
}

START_TEST(large_file)
{
#if defined(__GLIBC__)
    /* keep freed memory in the heap: a fresh mmap (and its page faults) on
     * every load of the large size only would time the kernel, not the
     * loader */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
    linear_shape(MIXED, 100000, "100k mixed lines");
    linear_shape(CONTINUATION, 100000, "100k continuation lines");
    linear_shape(LONG_LINE, 200000, "a line of 200k words");
    linear_shape(NESTING, 30000, "30k nested sections");
    linear_shape(NESTING_DIRECTORY, 30000, "30k nested sections in <Directory>");
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------- */

typedef struct counting {
    size_t live;  /* bytes outstanding */
    long   left;  /* allocations allowed before failing (-1: no limit) */
} counting;

static void *c_alloc(void *ud, size_t n)
{
    counting *c = ud;
    if (c->left == 0)
        return NULL;
    if (c->left > 0)
        c->left--;
    void *p = malloc(n);
    if (p)
        c->live += n;
    return p;
}

static void *c_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    counting *c = ud;
    if (c->left == 0)
        return NULL;
    if (c->left > 0)
        c->left--;
    void *q = realloc(p, new_n);
    if (q)
        c->live = c->live - old_n + new_n;
    return q;
}

static void c_free(void *ud, void *p, size_t n)
{
    counting *c = ud;
    if (p)
        c->live -= n;
    free(p);
}

START_TEST(alloc_failures)
{
    static const char text[] = "<VirtualHost *>\n"
                               "ServerName www.example:8080\n"
                               "ProxyPass /a http://h/a timeout=5\n"
                               "ProxyPassMatch ^/m/(.*)$ http://h/m/$1\n"
                               "<Location /l>\n"
                               "ProxyPass http://h/l\n"
                               "ProxyPassReverse http://h/l\n"
                               "ProxyPassReverseCookiePath /x /y\n"
                               "</Location>\n"
                               "ServerAdmin z\n"
                               "</VirtualHost>\n";
    bool done = false;
    for (long k = 0; k < 10000 && !done; k++) {
        counting c = {0, -1};
        rp_allocator a = {c_alloc, c_realloc, c_free, &c};
        rp_builder *b = NULL;
        ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, &a, &b), RP_OK);
        c.left = k;
        rp_diag d;
        rp_status st = rp_builder_add_config(b, text, sizeof text - 1, NULL, &d);
        c.left = -1;
        ck_assert_msg(st == RP_OK || st == RP_E_NOMEM, "k=%ld: %s %s", k, rp_status_name(st),
                      d.message);
        if (st == RP_OK) {
            done = true;
            ck_assert_uint_eq(nrules(b), 3);
        } else {
            ck_assert_uint_eq(rp_builder_warning_count(b), 0);
        }
        rp_builder_free(b);
        ck_assert_msg(c.live == 0, "k=%ld: %zu bytes leaked", k, c.live);
    }
    ck_assert(done);
}
END_TEST

/* ---- golden error files ---------------------------------------------------------------- */

static char *g_dir;
static char **g_files;
static size_t g_nfiles;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *nbuf = realloc(buf, cap * 2);
        if (!nbuf) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nbuf;
        cap *= 2;
    }
    fclose(f);
    if (buf)
        *len = n;
    return buf;
}

START_TEST(golden)
{
    const char *name = g_files[_i];
    char path[4096];
    size_t clen = 0, elen = 0;
    snprintf(path, sizeof path, "%s/%s.conf", g_dir, name);
    char *conf = read_file(path, &clen);
    ck_assert_msg(conf != NULL, "cannot read %s", path);
    snprintf(path, sizeof path, "%s/%s.err", g_dir, name);
    char *want = read_file(path, &elen);
    ck_assert_msg(want != NULL, "cannot read %s", path);
    while (elen > 0 && (want[elen - 1] == '\n' || want[elen - 1] == '\r'))
        elen--;
    ck_assert_msg(memchr(want, '\n', elen) == NULL, "%s.err: more than one line", name);

    rp_builder *b = nb();
    rp_diag d;
    rp_status st = rp_builder_add_config(b, conf, clen, name, &d);
    char got[512];
    if (st == RP_OK)
        snprintf(got, sizeof got, "(loaded without error)");
    else
        snprintf(got, sizeof got, "%u %u %s %s", d.line, d.column, rp_status_name(st),
                 d.message);
    ck_assert_msg(strlen(got) == elen && memcmp(got, want, elen) == 0,
                  "%s:\n  got:  %s\n  want: %.*s", name, got, (int)elen, want);
    ck_assert_uint_eq(nrules(b), 0);
    rp_builder_free(b);
    free(conf);
    free(want);
}
END_TEST

START_TEST(golden_missing)
{
    ck_abort_msg("no golden files: pass the tests/data/config-errors directory as argv[1] or "
                 "in RP_TEST_DATA (looked in \"%s\")",
                 g_dir ? g_dir : "(nothing given)");
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void scan_golden(const char *arg)
{
    if (!arg)
        return;
    char sub[4096];
    struct stat st;
    snprintf(sub, sizeof sub, "%s/config-errors", arg);
    g_dir = strdup(stat(sub, &st) == 0 && S_ISDIR(st.st_mode) ? sub : arg);
    DIR *dir = g_dir ? opendir(g_dir) : NULL;
    if (!dir)
        return;
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 5 || strcmp(e->d_name + n - 5, ".conf") != 0)
            continue;
        if (g_nfiles == cap) {
            cap = cap ? cap * 2 : 32;
            char **nf = realloc(g_files, cap * sizeof *g_files);
            if (!nf)
                break;
            g_files = nf;
        }
        g_files[g_nfiles] = strndup(e->d_name, n - 5);
        if (g_files[g_nfiles])
            g_nfiles++;
    }
    closedir(dir);
    if (g_nfiles)
        qsort(g_files, g_nfiles, sizeof *g_files, cmp_str);
}

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("loader");
    tcase_add_test(tc, basic);
    tcase_add_test(tc, empty_and_blank);
    tcase_add_test(tc, directive_case);
    tcase_add_test(tc, no_nul_terminator);
    tcase_add_test(tc, quoting);
    tcase_add_test(tc, continuation);
    tcase_add_test(tc, comments);
    tcase_add_test(tc, crlf);
    tcase_add_test(tc, bom);
    tcase_add_test(tc, nul_byte);
    tcase_add_test(tc, location);
    tcase_add_test(tc, location_match);
    tcase_add_test(tc, location_errors);
    tcase_add_test(tc, sections);
    tcase_add_test(tc, recorded_errors);
    tcase_add_test(tc, recorded_ok);
    tcase_add_test(tc, pass_forms);
    tcase_add_test(tc, reverse_and_cookies);
    tcase_add_test(tc, strict_profile);
    tcase_add_test(tc, settings);
    tcase_add_test(tc, warnings);
    tcase_add_test(tc, atomic);
    tcase_add_test(tc, alloc_failures);
    suite_add_tcase(s, tc);

    TCase *big = tcase_create("large");
    tcase_set_timeout(big, 30);
    tcase_add_test(big, large_file);
    suite_add_tcase(s, big);

    TCase *gold = tcase_create("golden");
    if (g_nfiles)
        tcase_add_loop_test(gold, golden, 0, (int)g_nfiles);
    else
        tcase_add_test(gold, golden_missing);
    suite_add_tcase(s, gold);
    return s;
}

int main(int argc, char **argv)
{
    const char *data = argc > 1 ? argv[1] : getenv("RP_TEST_DATA");
    scan_golden(data);
    SRunner *sr = srunner_create(config_suite());
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    for (size_t i = 0; i < g_nfiles; i++)
        free(g_files[i]);
    free(g_files);
    free(g_dir);
    return failed != 0 ? 1 : 0;
}
