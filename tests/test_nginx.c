/* Unit tests of the nginx migration loader (rp_builder_add_nginx_config),
 * through the public API: nginx's documented examples, location priority,
 * proxy_pass with and without a URI part, proxy_redirect, cookies, warnings,
 * and errors with line and column (golden files in tests/data/nginx: NAME.conf
 * with NAME.err holding "LINE COLUMN RP_E_NAME message-prefix"; the
 * directory comes as argv[1]). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

static const char *g_dir = "tests/data/nginx";

/* ---- helpers ------------------------------------------------------------- */

static rp_builder *load_b(const char *text)
{
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    rp_diag d;
    rp_status st = rp_builder_add_nginx_config(b, text, strlen(text), "t.conf", &d);
    ck_assert_msg(st == RP_OK, "load failed: %s %u:%u %s\n--- text:\n%s", rp_status_name(st),
                  d.line, d.column, d.message, text);
    return b;
}

static rp_table *tbl(const char *text)
{
    rp_builder *b = load_b(text);
    rp_table *t = NULL;
    rp_diag d;
    rp_status st = rp_builder_compile(b, &t, &d);
    ck_assert_msg(st == RP_OK, "compile: %s %s", rp_status_name(st), d.message);
    rp_builder_free(b);
    return t;
}

/* want: a URL, or "!NO_MATCH", "!EXCLUDED", "!RP_E_..." */
static void map_is(const rp_table *t, const char *target, const char *want)
{
    char out[1024];
    size_t n = 0;
    rp_status st = rp_map_request(t, target, strlen(target), "public.example", 14,
                                  RP_MAP_DEFAULT, out, sizeof out, &n, NULL);
    char got[1100];
    if (st == RP_OK)
        snprintf(got, sizeof got, "%s", out);
    else if (st == RP_NO_MATCH)
        snprintf(got, sizeof got, "!NO_MATCH");
    else if (st == RP_EXCLUDED)
        snprintf(got, sizeof got, "!EXCLUDED");
    else
        snprintf(got, sizeof got, "!%s", rp_status_name(st));
    ck_assert_msg(strcmp(got, want) == 0, "map %s: want %s, got %s", target, want, got);
}

static void hdr_is(const rp_table *t, const char *name, const char *value, const char *request,
                   const char *want)
{
    rp_response_ctx ctx = {"http://public.example", 21, NULL, 0, request,
                           request ? strlen(request) : 0};
    char out[1024];
    size_t n = 0;
    rp_status st = rp_rewrite_response_header(t, name, strlen(name), value, strlen(value), &ctx,
                                              0, out, sizeof out, &n);
    ck_assert_msg(st == RP_OK || st == RP_NO_MATCH, "%s %s: %s", name, value,
                  rp_status_name(st));
    ck_assert_msg(strcmp(out, want) == 0, "%s: %s (request %s): want %s, got %s", name, value,
                  request ? request : "-", want, out);
}

static bool has_warning(const rp_builder *b, uint32_t line, uint32_t col, const char *part)
{
    for (size_t i = 0; i < rp_builder_warning_count(b); i++) {
        rp_diag d;
        if (rp_builder_warning(b, i, &d) == RP_OK && d.line == line &&
            (col == 0 || d.column == col) && strstr(d.message, part))
            return true;
    }
    return false;
}

static void err_is(const char *text, rp_status code, uint32_t line, uint32_t col,
                   const char *msg)
{
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    rp_diag d;
    rp_status st = rp_builder_add_nginx_config(b, text, strlen(text), NULL, &d);
    ck_assert_msg(st == code, "want %s, got %s (%s)\n--- text:\n%s", rp_status_name(code),
                  rp_status_name(st), d.message, text);
    ck_assert_msg(d.line == line && d.column == col, "want %u:%u, got %u:%u (%s)", line, col,
                  d.line, d.column, d.message);
    ck_assert_msg(strstr(d.message, msg) != NULL, "message \"%s\" lacks \"%s\"", d.message,
                  msg);
    /* nothing was kept */
    ck_assert_uint_eq(rp_builder_warning_count(b), 0);
    rp_table *t = NULL;
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    ck_assert_uint_eq(rp_table_rule_count(t), 0);
    rp_table_free(t);
    rp_builder_free(b);
}

/* ---- nginx documentation: proxy_pass -------------------------------------- */

START_TEST(doc_proxy_pass)
{
    rp_table *t = tbl("location /name/ { proxy_pass http://127.0.0.1/remote/; }\n"
                      "location /some/path/ { proxy_pass http://127.0.0.1; }\n");
    /* with a URI part: the location name is replaced */
    map_is(t, "/name/x", "http://127.0.0.1/remote/x");
    map_is(t, "/name/a/b?q=1", "http://127.0.0.1/remote/a/b?q=1");
    /* normalized first: decoded, dot segments, slashes */
    map_is(t, "/name/a/../b", "http://127.0.0.1/remote/b");
    map_is(t, "/name//x", "http://127.0.0.1/remote/x");
    map_is(t, "/name/a%2Fb", "http://127.0.0.1/remote/a/b");
    /* without: the request URI as the client sent it */
    map_is(t, "/some/path/page.html", "http://127.0.0.1/some/path/page.html");
    map_is(t, "/some/path/a/../b?x=%41", "http://127.0.0.1/some/path/a/../b?x=%41");
    map_is(t, "/some/path/a%2Fb", "http://127.0.0.1/some/path/a%2Fb");
    map_is(t, "/other", "!NO_MATCH");
    /* each rule remembers the line of its location */
    char out[256];
    size_t n = 0;
    rp_match m;
    ck_assert_int_eq(rp_map_request(t, "/some/path/x", 12, NULL, 0, RP_MAP_DEFAULT, out,
                                    sizeof out, &n, &m),
                     RP_OK);
    ck_assert_uint_eq(m.rule_line, 2);
    ck_assert_int_eq(rp_map_request(t, "/name/x", 7, NULL, 0, RP_MAP_DEFAULT, out, sizeof out,
                                    &n, &m),
                     RP_OK);
    ck_assert_uint_eq(m.rule_line, 1);
    ck_assert_str_eq(out + m.remainder_offset, "x");
    rp_table_free(t);
}
END_TEST

/* ---- nginx documentation: location, configurations A to E ------------------- */

START_TEST(doc_location_priority)
{
    rp_table *t = tbl("server {\n"
                      "  location = / { proxy_pass http://a.internal; }\n"
                      "  location / { proxy_pass http://b.internal; }\n"
                      "  location /documents/ { proxy_pass http://c.internal; }\n"
                      "  location ^~ /images/ { proxy_pass http://d.internal; }\n"
                      "  location ~* \\.(gif|jpg|jpeg)$ { proxy_pass http://e.internal; }\n"
                      "}\n");
    map_is(t, "/", "http://a.internal/");
    map_is(t, "/index.html", "http://b.internal/index.html");
    map_is(t, "/documents/document.html", "http://c.internal/documents/document.html");
    map_is(t, "/images/1.gif", "http://d.internal/images/1.gif");
    map_is(t, "/documents/1.jpg", "http://e.internal/documents/1.jpg");
    map_is(t, "/x.GIF", "http://e.internal/x.GIF");
    /* nginx answers 301 for "/images" and "/documents": not proxied here */
    map_is(t, "/images", "!EXCLUDED");
    map_is(t, "/documents", "!EXCLUDED");
    rp_table_free(t);
}
END_TEST

START_TEST(priority_rules)
{
    /* the order in the file does not matter for prefixes: the longest wins */
    rp_table *t = tbl("location / { proxy_pass http://root.internal; }\n"
                      "location /a { proxy_pass http://a.internal; }\n"
                      "location /a/b { proxy_pass http://ab.internal; }\n"
                      "location /a/b/c { proxy_pass http://abc.internal; }\n"
                      "location ~ ^/a/b/c/re { proxy_pass http://re.internal; }\n"
                      "location ~ \\.x$ { proxy_pass http://x1.internal; }\n"
                      "location ~ \\.x$ { proxy_pass http://x2.internal; }\n");
    map_is(t, "/a/b/c/d", "http://abc.internal/a/b/c/d");
    map_is(t, "/a/bcd", "http://ab.internal/a/bcd");
    map_is(t, "/apple", "http://a.internal/apple"); /* raw byte prefix */
    map_is(t, "/zzz", "http://root.internal/zzz");
    /* a regex beats a longer prefix; the first regex in file order wins */
    map_is(t, "/a/b/c/re", "http://re.internal/a/b/c/re");
    map_is(t, "/a/b/c/f.x", "http://x1.internal/a/b/c/f.x");
    map_is(t, "/a/b/c/f.X", "http://abc.internal/a/b/c/f.X"); /* "~" is case-sensitive */
    rp_table_free(t);

    /* "^~" stops the regex search only as the longest matching prefix */
    t = tbl("location ^~ /s/ { proxy_pass http://stop.internal; }\n"
            "location /s/plain/ { proxy_pass http://plain.internal; }\n"
            "location ^~ /s/plain/deep/ { proxy_pass http://deep.internal; }\n"
            "location ~ \\.php$ { proxy_pass http://php.internal; }\n");
    map_is(t, "/s/x.php", "http://stop.internal/s/x.php");
    map_is(t, "/s/plain/x.php", "http://php.internal/s/plain/x.php");
    map_is(t, "/s/plain/x.html", "http://plain.internal/s/plain/x.html");
    map_is(t, "/s/plain/deep/x.php", "http://deep.internal/s/plain/deep/x.php");
    map_is(t, "/t.php", "http://php.internal/t.php");
    rp_table_free(t);

    /* "=" wins over everything, and only for the exact path */
    t = tbl("location = /app { proxy_pass http://eq.internal/exact; }\n"
            "location /app/ { proxy_pass http://pfx.internal/; }\n"
            "location ~ ^/app { proxy_pass http://re.internal; }\n");
    map_is(t, "/app", "http://eq.internal/exact");
    map_is(t, "/app?q=1", "http://eq.internal/exact?q=1");
    map_is(t, "/app/", "http://re.internal/app/");
    rp_table_free(t);

    /* the automatic 301 of a proxying "/app/" is decided before any regex */
    t = tbl("location /app/ { proxy_pass http://pfx.internal/; }\n"
            "location ~ ^/app$ { proxy_pass http://re.internal; }\n"
            "location /x/ { }\n");
    map_is(t, "/app", "!EXCLUDED");
    map_is(t, "/app/q", "http://pfx.internal/q");
    map_is(t, "/x", "!NO_MATCH"); /* no proxy_pass: no 301 */
    map_is(t, "/x/y", "!EXCLUDED");
    rp_table_free(t);
}
END_TEST

START_TEST(uri_part_seams)
{
    rp_table *t = tbl("location /app { proxy_pass http://b.internal:8080/internal/; }\n"
                      "location /app2/ { proxy_pass http://b.internal:8080/internal; }\n"
                      "location /r { proxy_pass http://b.internal:8080/; }\n"
                      "location /amp/ { proxy_pass http://b.internal:8080/a&b/; }\n");
    map_is(t, "/app/x", "http://b.internal:8080/internal//x");
    map_is(t, "/app-x/y", "http://b.internal:8080/internal/-x/y");
    map_is(t, "/app2/x", "http://b.internal:8080/internalx");
    map_is(t, "/r/x/", "http://b.internal:8080//x/");
    /* '&', '$' and '\' of the URI part are text, not template syntax */
    map_is(t, "/amp/x", "http://b.internal:8080/a&b/x");
    rp_table_free(t);
}
END_TEST

START_TEST(variables)
{
    rp_builder *b = load_b("location ~ ^/app/(.*)$ {\n"
                           "    proxy_pass http://b.internal/internal/$1;\n"
                           "}\n"
                           "location ~ ^/q/(.*)$ { proxy_pass http://b.internal/q/$1$is_args$args; }\n"
                           "location /raw/ { proxy_pass http://b.internal$request_uri; }\n");
    ck_assert(has_warning(b, 2, 5, "drops the query"));
    ck_assert(has_warning(b, 2, 5, "re-encoded"));
    ck_assert(!has_warning(b, 4, 0, "drops the query"));
    rp_table *t = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    map_is(t, "/app/a/b", "http://b.internal/internal/a/b");
    map_is(t, "/q/a?x=1", "http://b.internal/q/a?x=1");
    map_is(t, "/raw/a/../b", "http://b.internal/raw/a/../b");
    rp_table_free(t);
    /* $uri: the normalized path */
    t = tbl("location /u/ { proxy_pass http://b.internal/pre$uri$is_args$args; }\n"
            "location = /e { proxy_pass http://b.internal$uri; }\n");
    map_is(t, "/u/a/../b?q=1", "http://b.internal/pre/u/b?q=1");
    map_is(t, "/u//x", "http://b.internal/pre/u/x");
    map_is(t, "/e", "http://b.internal/e");
    rp_table_free(t);
}
END_TEST

START_TEST(merge_slashes)
{
    rp_table *t = tbl("merge_slashes off;\n"
                      "location /app/ { proxy_pass http://b.internal/internal/; }\n");
    map_is(t, "//app/x", "!NO_MATCH");
    map_is(t, "/app//x", "http://b.internal/internal//x");
    rp_table_free(t);
    t = tbl("http { merge_slashes on; server { location /app/ { proxy_pass "
            "http://b.internal/internal/; } } }\n");
    map_is(t, "//app//x", "http://b.internal/internal/x");
    map_is(t, "/%2Fapp/x", "http://b.internal/internal/x");
    rp_table_free(t);
}
END_TEST

/* ---- proxy_redirect and cookies ------------------------------------------------ */

START_TEST(redirect_default)
{
    rp_table *t = tbl("location /app/ { proxy_pass http://backend.internal:8080/internal/; }\n");
    hdr_is(t, "Location", "http://backend.internal:8080/internal/x", "/app/q",
           "http://public.example/app/x");
    hdr_is(t, "Location", "http://backend.internal:8080/internal", "/app/q",
           "http://backend.internal:8080/internal");
    hdr_is(t, "Location", "http://backend.internal/internal/x", "/app/q",
           "http://backend.internal/internal/x");
    rp_table_free(t);

    /* without a URI part: BK/ -> / */
    t = tbl("location /app/ { proxy_pass http://backend.internal:8080; }\n");
    hdr_is(t, "Location", "http://backend.internal:8080/app/x", "/app/q",
           "http://public.example/app/x");
    hdr_is(t, "Location", "http://backend.internal:8080/other", "/app/q",
           "http://public.example/other");
    rp_table_free(t);

    /* off, explicit (replaces the default unless "default" is listed) */
    t = tbl("location /a/ { proxy_pass http://b.internal/ia/; proxy_redirect off; }\n"
            "location /b/ { proxy_pass http://b.internal/ib/;\n"
            "  proxy_redirect http://b.internal/elsewhere/ /b/e/; }\n"
            "location /c/ { proxy_pass http://b.internal/ic/;\n"
            "  proxy_redirect http://b.internal/elsewhere/ /c/e/; proxy_redirect default; }\n");
    hdr_is(t, "Location", "http://b.internal/ia/x", "/a/q", "http://b.internal/ia/x");
    hdr_is(t, "Location", "http://b.internal/ib/x", "/b/q", "http://b.internal/ib/x");
    hdr_is(t, "Location", "http://b.internal/elsewhere/x", "/b/q",
           "http://public.example/b/e/x");
    hdr_is(t, "Location", "http://b.internal/ic/x", "/c/q", "http://public.example/c/x");
    hdr_is(t, "Location", "http://b.internal/elsewhere/x", "/c/q",
           "http://public.example/c/e/x");
    rp_table_free(t);

    /* a location's rules replace the server's; others inherit them */
    t = tbl("proxy_redirect http://backend.internal:8080/ /srv/;\n"
            "location /app/ { proxy_pass http://backend.internal:8080/internal/; }\n"
            "location /b/ { proxy_pass http://backend.internal:8080/internal/;\n"
            "  proxy_redirect http://backend.internal:8080/internal/ /b/; }\n");
    hdr_is(t, "Location", "http://backend.internal:8080/internal/x", "/app/q",
           "http://public.example/srv/internal/x");
    hdr_is(t, "Location", "http://backend.internal:8080/internal/x", "/b/q",
           "http://public.example/b/x");
    rp_table_free(t);
}
END_TEST

START_TEST(redirect_regex_warns)
{
    rp_builder *b = load_b("location /app/ {\n"
                           "  proxy_pass http://b.internal/;\n"
                           "  proxy_redirect ~^http://b\\.internal/(.*)$ /app/$1;\n"
                           "  proxy_redirect http://$host/ /;\n"
                           "}\n");
    ck_assert(has_warning(b, 3, 3, "regular expression"));
    ck_assert(has_warning(b, 4, 3, "variables"));
    rp_builder_free(b);
}
END_TEST

START_TEST(cookies)
{
    rp_table *t = tbl("proxy_cookie_path /internal/ /srv/;\n"
                      "location /app/ { proxy_pass http://backend.internal:8080/internal/;\n"
                      "  proxy_cookie_domain backend.internal public.example; }\n"
                      "location /c/ { proxy_pass http://backend.internal:8080/internal/;\n"
                      "  proxy_cookie_path /internal/ /c/; }\n");
    hdr_is(t, "Set-Cookie", "a=1; Domain=backend.internal", "/app/q",
           "a=1; Domain=public.example");
    hdr_is(t, "Set-Cookie", "a=1; Domain=.backend.internal", "/app/q",
           "a=1; Domain=.public.example");
    hdr_is(t, "Set-Cookie", "a=1; Domain=BACKEND.INTERNAL", "/app/q",
           "a=1; Domain=public.example");
    /* inherited proxy_cookie_path (Apache profile: the whole value is replaced) */
    hdr_is(t, "Set-Cookie", "a=1; Path=/internal/", "/app/q", "a=1; Path=/srv/");
    hdr_is(t, "Set-Cookie", "a=1; Path=/internal/", "/c/q", "a=1; Path=/c/");
    hdr_is(t, "Set-Cookie", "a=1; Domain=backend.internal", "/c/q",
           "a=1; Domain=backend.internal");
    rp_table_free(t);
}
END_TEST

/* ---- loading --------------------------------------------------------------- */

START_TEST(syntax_forms)
{
    /* comments, quotes, escapes, glued modifiers, several lines per directive */
    rp_table *t = tbl("# comment\n"
                      "http {\n"
                      "  server { # another\n"
                      "    location =/e { proxy_pass http://e.internal; }\n"
                      "    location ^~/s/ { proxy_pass http://s.internal; }\n"
                      "    location ~*\\.PNG$ { proxy_pass http://p.internal; }\n"
                      "    location \"/q u/\" {\n"
                      "      proxy_pass\n"
                      "        'http://q.internal/x/';\n"
                      "    }\n"
                      "    location ~ \"^/b{2}$\" { proxy_pass http://b.internal; }\n"
                      "  }\n"
                      "}\n");
    map_is(t, "/e", "http://e.internal/e");
    map_is(t, "/s/a.png", "http://s.internal/s/a.png");
    map_is(t, "/t/a.png", "http://p.internal/t/a.png");
    map_is(t, "/q%20u/z", "http://q.internal/x/z");
    map_is(t, "/bb", "http://b.internal/bb");
    map_is(t, "/b", "!NO_MATCH");
    rp_table_free(t);
}
END_TEST

START_TEST(servers_and_upstreams)
{
    /* a redirect-only server (no locations) next to the proxying one; its
     * server-level rules do not reach the other server's locations */
    rp_builder *b = load_b("http {\n"
                           "  upstream app_pool { server 10.0.0.1:8080; }\n"
                           "  server { listen 80; proxy_redirect off; return 301 https://$host; }\n"
                           "  server {\n"
                           "    listen 443 ssl;\n"
                           "    location /app/ { proxy_pass http://app_pool/internal/; }\n"
                           "    location ~ ^/t/(.*)$ { proxy_pass http://b.internal/a&b\\$1; }\n"
                           "  }\n"
                           "}\n");
    ck_assert(has_warning(b, 6, 22, "names the upstream \"app_pool\""));
    rp_table *t = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    rp_builder_free(b);
    map_is(t, "/app/x", "http://app_pool/internal/x");
    map_is(t, "/t/x", "http://b.internal/a&b%5Cx"); /* '&' and '\' are text */
    hdr_is(t, "Location", "http://app_pool/internal/y", "/app/q", "http://public.example/app/y");
    rp_table_free(t);
}
END_TEST

START_TEST(warnings)
{
    rp_builder *b = load_b("user www;\n"
                           "events { worker_connections 10; }\n"
                           "http {\n"
                           "  server {\n"
                           "    listen 80;\n"
                           "    location /a/ {\n"
                           "      proxy_set_header Host $host;\n"
                           "      rewrite ^ /x break;\n"
                           "      proxy_pass http://a.internal/;\n"
                           "    }\n"
                           "    location @named { proxy_pass http://n.internal; }\n"
                           "  }\n"
                           "}\n");
    ck_assert(has_warning(b, 1, 1, "\"user\" skipped"));
    ck_assert(has_warning(b, 2, 1, "\"events\" skipped"));
    ck_assert(has_warning(b, 5, 5, "\"listen\" skipped"));
    ck_assert(has_warning(b, 7, 7, "\"proxy_set_header\" skipped"));
    ck_assert(has_warning(b, 8, 7, "unsupported: \"rewrite\""));
    ck_assert(has_warning(b, 11, 5, "named location"));
    ck_assert(!has_warning(b, 2, 10, "worker_connections")); /* inside a skipped block */
    rp_builder_free(b);
}
END_TEST

START_TEST(errors)
{
    err_is("location ~ /app/ { proxy_pass http://b.internal/internal/; }", RP_E_CONFIG, 1, 31,
           "cannot have URI part");
    err_is("location /app/ {\n  proxy_pass b.internal:8080;\n}", RP_E_CONFIG, 2, 14,
           "invalid URL prefix");
    err_is("location /a/ { proxy_pass http://; }", RP_E_CONFIG, 1, 27, "no host");
    err_is("location /a/ { proxy_pass http://user@b.internal/; }", RP_E_CONFIG, 1, 27,
           "host not found");
    err_is("location /a/ { proxy_pass http://b/a b/; }", RP_E_CONFIG, 1, 16,
           "invalid number of arguments");
    err_is("location /a/ { proxy_pass http://b.internal/;\n  proxy_redirect false; }",
           RP_E_CONFIG, 2, 18, "invalid parameter \"false\"");
    err_is("location /a/ {\n  proxy_pass http://b$request_uri; proxy_redirect default; }",
           RP_E_CONFIG, 2, 36, "with variables");
    err_is("\n\n  location ~ (unclosed { proxy_pass http://b.internal; }", RP_E_CONFIG, 3, 3,
           "missing closing parenthesis");
    err_is("location = /x { location /x/y { proxy_pass http://b; } }", RP_E_CONFIG, 1, 17,
           "cannot be inside the exact location");
    err_is("location /x { location /x/y { proxy_pass http://b; } }", RP_E_UNSUPPORTED, 1, 15,
           "nested locations");
    err_is("server { upstream u { server 127.0.0.1:1; } }", RP_E_CONFIG, 1, 10,
           "\"upstream\" directive is not allowed here");
    err_is("location /a/ { proxy_pass http://b.internal/$uri_x; }", RP_E_UNSUPPORTED, 1, 45,
           "variables in proxy_pass");
    err_is("location /a/ { proxy_pass unix:/tmp/s; }", RP_E_UNSUPPORTED, 1, 27, "unix:");
    err_is("server { location /a/ { } }\n  server { location /b/ { } }", RP_E_UNSUPPORTED, 2, 3,
           "more than one server with locations");
    err_is("location /a/ { }\nserver { }", RP_E_UNSUPPORTED, 2, 1, "a server block after");
    err_is("server { }\nlocation /a/ { }", RP_E_UNSUPPORTED, 2, 1, "outside the server block");
    err_is("location /a/ { proxy_pass http://b.internal; }\nlocation /a/ { }", RP_E_CONFIG, 2,
           10, "duplicate location");
    err_is("location /a/ { proxy_pass http://b.internal;", RP_E_CONFIG, 1, 45,
           "unexpected end of file");
    err_is("location /a/ { proxy_pass \"http://b.internal; }", RP_E_CONFIG, 1, 27,
           "quoted string is not closed");
    err_is("}", RP_E_CONFIG, 1, 1, "unexpected \"}\"");
    err_is("proxy_pass http://b.internal;", RP_E_CONFIG, 1, 1, "not allowed here");
    err_is("merge_slashes maybe;", RP_E_CONFIG, 1, 15, "must be \"on\" or \"off\"");
}
END_TEST

START_TEST(nul_in_text)
{
    static const char text[] = "location /a/ {\n proxy_pass http://b;\0 }";
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    rp_diag d;
    ck_assert_int_eq(rp_builder_add_nginx_config(b, text, sizeof text - 1, NULL, &d),
                     RP_E_CONFIG);
    ck_assert_uint_eq(d.line, 2);
    ck_assert_uint_eq(d.column, 22);
    rp_builder_free(b);
}
END_TEST

START_TEST(profile_and_args)
{
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_STRICT, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_nginx_config(b, "", 0, NULL, &d), RP_E_UNSUPPORTED);
    rp_builder_free(b);
    ck_assert_int_eq(rp_builder_add_nginx_config(NULL, "", 0, NULL, &d), RP_E_ARG);
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_nginx_config(b, NULL, 3, NULL, &d), RP_E_ARG);
    ck_assert_int_eq(rp_builder_add_nginx_config(b, NULL, 0, NULL, NULL), RP_OK);
    rp_builder_free(b);
}
END_TEST

/* A failed load leaves the builder as it was, options included. */
START_TEST(atomic)
{
    rp_builder *b = NULL;
    rp_diag d;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_config(b, "ProxyPass /x/ http://x.internal/\n", 32, NULL, &d),
                     RP_OK);
    const char *bad = "merge_slashes off;\nlocation /a/ { proxy_pass http://a.internal/; }\n"
                      "location /b/ { proxy_pass ftp://b; }\n";
    ck_assert_int_eq(rp_builder_add_nginx_config(b, bad, strlen(bad), NULL, &d), RP_E_CONFIG);
    ck_assert_uint_eq(d.line, 3);
    rp_table *t = NULL;
    ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
    ck_assert_uint_eq(rp_table_rule_count(t), 1);
    map_is(t, "/x//y", "http://x.internal/y");       /* merge_slashes still on */
    map_is(t, "/x/a%2Fb", "!RP_E_ENCODED_SLASH");    /* %2F policy restored */
    rp_table_free(t);
    rp_builder_free(b);
}
END_TEST

#define HDR 16

typedef struct counting {
    size_t live;
    long   left;
} counting;

static void *c_alloc(void *ud, size_t n)
{
    counting *c = ud;
    if (c->left == 0)
        return NULL;
    if (c->left > 0)
        c->left--;
    void *p = malloc(n + HDR); /* HDR keeps malloc's alignment */
    if (!p)
        return NULL;
    *(size_t *)p = n;
    c->live += n;
    return (char *)p + HDR;
}

static void c_free(void *ud, void *p, size_t n)
{
    counting *c = ud;
    (void)n;
    if (!p)
        return;
    size_t *h = (size_t *)(void *)((char *)p - HDR);
    c->live -= *h;
    free(h);
}

static void *c_realloc(void *ud, void *p, size_t old_n, size_t new_n)
{
    if (!p)
        return c_alloc(ud, new_n);
    void *q = c_alloc(ud, new_n);
    if (!q)
        return NULL;
    memcpy(q, p, old_n < new_n ? old_n : new_n);
    c_free(ud, p, old_n);
    return q;
}

START_TEST(alloc_failures)
{
    static const char text[] =
        "http { server { listen 80;\n"
        "  proxy_cookie_path /i/ /p/;\n"
        "  location = / { proxy_pass http://a.internal; }\n"
        "  location /d/ { proxy_pass http://c.internal/x/; proxy_redirect default;\n"
        "    proxy_cookie_domain .b.internal p.example; }\n"
        "  location ^~ /i/ { proxy_pass http://d.internal; }\n"
        "  location ~* \\.gif$ { proxy_pass http://e.internal; }\n"
        "  location /i/j/ { }\n"
        "} }\n";
    bool done = false;
    for (long k = 0; k < 20000 && !done; k++) {
        counting c = {0, -1};
        rp_allocator a = {c_alloc, c_realloc, c_free, &c};
        rp_builder *b = NULL;
        ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, &a, &b), RP_OK);
        c.left = k;
        rp_diag d;
        rp_status st = rp_builder_add_nginx_config(b, text, sizeof text - 1, NULL, &d);
        c.left = -1;
        ck_assert_msg(st == RP_OK || st == RP_E_NOMEM, "k=%ld: %s %s", k, rp_status_name(st),
                      d.message);
        if (st == RP_OK) {
            done = true;
            rp_table *t = NULL;
            ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
            ck_assert_uint_eq(rp_table_rule_count(t), 6); /* 5 locations + the 301s */
            rp_table_free(t);
        } else {
            ck_assert_uint_eq(rp_builder_warning_count(b), 0);
        }
        rp_builder_free(b);
        ck_assert_msg(c.live == 0, "k=%ld: %zu bytes leaked", k, c.live);
    }
    ck_assert(done);
}
END_TEST

/* ---- nginx 1.22.1 recordings (tests/data/nginx-cases.jsonl) ---------------------- */

enum { K_URL, K_NOT_PROXIED, K_EXCLUDED, K_ERROR, K_CONFIG_OK, K_CONFIG_ERR };

typedef struct ngx_hdr {
    const char *name;
    const char *in;
    size_t      in_len;
    const char *out;
    size_t      out_len;
} ngx_hdr;

typedef struct ngx_case {
    const char *id;
    const char *conf;
    const char *target;
    size_t      target_len;
    const char *host;
    int         kind;
    const char *url;
    size_t      hdr_off, nhdr;
    const char *public_origin;
    const char *note; /* "" checked; "skip: ..." must differ; "n/a: ..." not a mapping case */
} ngx_case;

#include "nginx_cases.inc"

#define NCASES (sizeof k_ngx_cases / sizeof k_ngx_cases[0])

/* Run one case; returns NULL when revproxy does what nginx did, else why not
 * (in buf). */
static const char *run_case(const ngx_case *c, char *buf, size_t bufsz)
{
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    rp_diag d;
    rp_status st = rp_builder_add_nginx_config(b, c->conf, strlen(c->conf), c->id, &d);
    rp_table *t = NULL;
    if (st == RP_OK)
        st = rp_builder_compile(b, &t, &d);
    rp_builder_free(b);
    const char *why = NULL;
    if (c->kind == K_CONFIG_ERR || c->kind == K_CONFIG_OK) {
        if ((st == RP_OK) != (c->kind == K_CONFIG_OK)) {
            snprintf(buf, bufsz, "load gave %s (%s)", rp_status_name(st), d.message);
            why = buf;
        }
        rp_table_free(t);
        return why;
    }
    if (st != RP_OK) {
        snprintf(buf, bufsz, "load gave %s %u:%u (%s)", rp_status_name(st), d.line, d.column,
                 d.message);
        return buf;
    }
    char out[20000];
    size_t n = 0;
    st = rp_map_request(t, c->target, c->target_len, c->host, strlen(c->host), RP_MAP_DEFAULT,
                        out, sizeof out, &n, NULL);
    bool ok;
    switch (c->kind) {
    case K_URL:
        ok = st == RP_OK && strcmp(out, c->url) == 0;
        break;
    case K_NOT_PROXIED:
        ok = st == RP_NO_MATCH || st == RP_EXCLUDED;
        break;
    case K_EXCLUDED:
        ok = st == RP_EXCLUDED;
        break;
    default:
        ok = st != RP_OK && st != RP_NO_MATCH && st != RP_EXCLUDED;
        break;
    }
    if (!ok) {
        snprintf(buf, bufsz, "map gave %s %.300s, nginx %.300s", rp_status_name(st),
                 st == RP_OK ? out : "", c->kind == K_URL ? c->url : "(not proxied or 400)");
        why = buf;
    }
    for (size_t i = 0; i < c->nhdr && !why; i++) {
        const ngx_hdr *h = &k_ngx_hdrs[c->hdr_off + i];
        rp_response_ctx ctx = {c->public_origin, strlen(c->public_origin), NULL, 0, c->target,
                               c->target_len};
        st = rp_rewrite_response_header(t, h->name, strlen(h->name), h->in, h->in_len, &ctx, 0,
                                        out, sizeof out, &n);
        if ((st != RP_OK && st != RP_NO_MATCH) || n != h->out_len ||
            memcmp(out, h->out, n) != 0) {
            snprintf(buf, bufsz, "%s: %.200s -> %.200s (%s), nginx %.200s", h->name, h->in,
                     st == RP_OK || st == RP_NO_MATCH ? out : "", rp_status_name(st), h->out);
            why = buf;
        }
    }
    rp_table_free(t);
    return why;
}

/* The cases run in chunks (one forked test each: forks are slow under
 * ASan); a chunk reports every case that failed. */
#define CHUNK 100
#define NCHUNKS ((NCASES + CHUNK - 1) / CHUNK)

START_TEST(recorded)
{
    static char report[4096];
    size_t rl = 0, nbad = 0;
    report[0] = '\0';
    for (size_t k = (size_t)_i * CHUNK; k < NCASES && k < (size_t)(_i + 1) * CHUNK; k++) {
        const ngx_case *c = &k_ngx_cases[k];
        if (strncmp(c->note, "n/a", 3) == 0)
            continue;
        char buf[1024];
        const char *why = run_case(c, buf, sizeof buf);
        if (c->note[0] && why == NULL)
            why = "listed in nginx-skips.txt but now behaves like nginx: remove it from the list";
        else if (c->note[0])
            why = NULL; /* a known divergence, still there */
        if (why) {
            nbad++;
            if (rl + 200 < sizeof report)
                rl += (size_t)snprintf(report + rl, sizeof report - rl, "\n  %s: %.160s", c->id,
                                       why);
        }
    }
    ck_assert_msg(nbad == 0, "%zu recorded case(s) differ from nginx:%s", nbad, report);
}
END_TEST

/* Mutated configurations: never a crash, a leak (ASan) or an unexpected
 * status; a refused text leaves nothing behind. */
static uint64_t g_rng = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

START_TEST(mutations)
{
    static const char *const base[] = {
        "http { server { listen 80;\n location = / { proxy_pass http://a.internal; }\n"
        " location /d/ { proxy_pass http://c.internal/x/; proxy_redirect default; }\n"
        " location ^~ /i/ { proxy_pass http://d.internal; proxy_cookie_path /i/ /p/; }\n"
        " location ~* \"\\.(gif|png)$\" { proxy_pass http://e.internal; }\n"
        " location /i/j/ { } merge_slashes off; } }\n",
        "location ~ ^/u/(.*)$ { proxy_pass http://b:8080/v/$1$is_args$args; }\n"
        "location /r/ { proxy_pass http://b$request_uri; proxy_cookie_domain .x y; }\n"
        "proxy_redirect http://b/ /;\n",
    };
    static const char special[] = "{};\"'\\$#~^=*/ \n?&@:%\0";
    char buf[1024];
    const char *targets[] = {"/", "/d/x", "/i/j/k", "/a.png", "/u/a?b", "/r/..", "/%2F/x"};
    for (int iter = 0; iter < 3000; iter++) {
        const char *src = base[iter % 2];
        size_t n = strlen(src);
        memcpy(buf, src, n);
        int edits = 1 + (int)(rnd() % 4);
        for (int e = 0; e < edits && n > 2; e++) {
            size_t at = (size_t)(rnd() % n);
            switch (rnd() % 4) {
            case 0:
                buf[at] = special[rnd() % (sizeof special - 1)];
                break;
            case 1:
                if (n + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = special[rnd() % (sizeof special - 1)];
                    n++;
                }
                break;
            case 2:
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
                break;
            default: {
                size_t len = (size_t)(rnd() % 40);
                if (at + len <= n && n + len < sizeof buf) {
                    memmove(buf + at + len, buf + at, n - at);
                    n += len;
                }
                break;
            }
            }
        }
        rp_builder *b = NULL;
        ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
        rp_diag d;
        rp_status st = rp_builder_add_nginx_config(b, buf, n, NULL, &d);
        ck_assert_msg(st == RP_OK || st == RP_E_CONFIG || st == RP_E_UNSUPPORTED,
                      "iter %d: %s (%s)", iter, rp_status_name(st), d.message);
        if (st != RP_OK) {
            ck_assert_uint_eq(rp_builder_warning_count(b), 0);
            ck_assert_uint_ge(d.line, 1);
        }
        rp_table *t = NULL;
        ck_assert_int_eq(rp_builder_compile(b, &t, &d), RP_OK);
        if (st != RP_OK)
            ck_assert_uint_eq(rp_table_rule_count(t), 0);
        for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
            char out[512];
            size_t ol = 0;
            rp_status ms = rp_map_request(t, targets[k], strlen(targets[k]), "h", 1,
                                          RP_MAP_DEFAULT, out, sizeof out, &ol, NULL);
            ck_assert_int_le(ms, RP_STATUS_LAST);
        }
        rp_table_free(t);
        rp_builder_free(b);
    }
}
END_TEST

/* ---- golden error files (tests/data/nginx/NAME.conf + NAME.err) ------------------ */

static const char *const k_golden[] = {"uri-in-regex", "bad-prefix", "nested-exact",
                                       "bad-regex", "unclosed-block", "variables"};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

START_TEST(golden)
{
    char path[512];
    size_t clen = 0, elen = 0;
    snprintf(path, sizeof path, "%s/%s.conf", g_dir, k_golden[_i]);
    char *conf = slurp(path, &clen);
    ck_assert_msg(conf != NULL, "cannot read %s", path);
    snprintf(path, sizeof path, "%s/%s.err", g_dir, k_golden[_i]);
    char *err = slurp(path, &elen);
    ck_assert_msg(err != NULL, "cannot read %s", path);
    unsigned line = 0, col = 0;
    char name[64], msg[256];
    int got = sscanf(err, "%u %u %63s %255[^\n]", &line, &col, name, msg);
    ck_assert_int_eq(got, 4);
    rp_builder *b = NULL;
    ck_assert_int_eq(rp_builder_new(RP_PROFILE_APACHE, NULL, &b), RP_OK);
    rp_diag d;
    rp_status st = rp_builder_add_nginx_config(b, conf, clen, path, &d);
    ck_assert_str_eq(rp_status_name(st), name);
    ck_assert_msg(d.line == line && d.column == col, "%s: want %u:%u, got %u:%u (%s)",
                  k_golden[_i], line, col, d.line, d.column, d.message);
    ck_assert_msg(strncmp(d.message, msg, strlen(msg)) == 0, "%s: want \"%s\", got \"%s\"",
                  k_golden[_i], msg, d.message);
    rp_builder_free(b);
    free(conf);
    free(err);
}
END_TEST

static Suite *nginx_suite(void)
{
    Suite *s = suite_create("nginx");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, doc_proxy_pass);
    tcase_add_test(tc, doc_location_priority);
    tcase_add_test(tc, priority_rules);
    tcase_add_test(tc, uri_part_seams);
    tcase_add_test(tc, variables);
    tcase_add_test(tc, merge_slashes);
    tcase_add_test(tc, redirect_default);
    tcase_add_test(tc, redirect_regex_warns);
    tcase_add_test(tc, cookies);
    tcase_add_test(tc, syntax_forms);
    tcase_add_test(tc, warnings);
    tcase_add_test(tc, servers_and_upstreams);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, nul_in_text);
    tcase_add_test(tc, profile_and_args);
    tcase_add_test(tc, atomic);
    tcase_add_test(tc, alloc_failures);
    tcase_add_test(tc, mutations);
    tcase_add_loop_test(tc, golden, 0, (int)(sizeof k_golden / sizeof k_golden[0]));
    suite_add_tcase(s, tc);
    TCase *rec = tcase_create("recorded");
    tcase_set_timeout(rec, 60);
    tcase_add_loop_test(rec, recorded, 0, (int)NCHUNKS);
    suite_add_tcase(s, rec);
    return s;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        g_dir = argv[1];
    SRunner *sr = srunner_create(nginx_suite());
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? 1 : 0;
}
