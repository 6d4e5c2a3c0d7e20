/* rp_rewrite_response_header: dispatch by name, Refresh and Link in the
 * strict profile, the Apache profile leaving them alone, the buffer contract
 * at every size, CR/LF/NUL, arguments, and 1 MiB values in linear time.
 * Public API only. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

#define ORIGIN "https://www.example.com"

/* ProxyPassReverse /app http://b:8080/v1 (and the cookie path /v1 -> /app). */
static rp_table *table(unsigned profile, size_t header_limit, size_t output_limit)
{
    rp_builder *b;
    rp_table *t;
    ck_assert_int_eq(rp_builder_new(profile, NULL, &b), RP_OK);
    ck_assert_int_eq(rp_builder_add_reverse(b, "/app", 4, "http://b:8080/v1", 16, NULL, 0, NULL),
                     RP_OK);
    ck_assert_int_eq(rp_builder_add_cookie_path(b, "/v1", 3, "/app", 4, NULL, 0, 0, NULL), RP_OK);
    if (header_limit)
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_HEADER_LEN, header_limit), RP_OK);
    if (output_limit)
        ck_assert_int_eq(rp_builder_set_limit(b, RP_LIMIT_OUTPUT_LEN, output_limit), RP_OK);
    ck_assert_int_eq(rp_builder_compile(b, &t, NULL), RP_OK);
    rp_builder_free(b);
    return t;
}

static rp_response_ctx make_ctx(const char *origin, const char *backend_url)
{
    rp_response_ctx c;
    memset(&c, 0, sizeof c);
    c.public_origin = origin;
    c.public_origin_len = origin ? strlen(origin) : 0;
    c.backend_url = backend_url;
    c.backend_url_len = backend_url ? strlen(backend_url) : 0;
    return c;
}

/* Call with every buffer size from 0 to the size needed + 1 (out == NULL and
 * out != NULL for size 0): RP_E_NOSPACE with the exact size below, want_st
 * and the value at need + 1, never a byte written past out_size. */
static void every_size(const rp_table *t, const char *name, const char *in, size_t in_len,
                       const rp_response_ctx *c, rp_status want_st, const char *want,
                       size_t want_len)
{
    size_t need = 99;
    rp_status st = rp_rewrite_response_header(t, name, strlen(name), in, in_len, c, 0, NULL, 0,
                                              &need);
    ck_assert_msg(st == RP_E_NOSPACE, "%s %s: size query gave %s", name, in, rp_status_name(st));
    ck_assert_msg(need == want_len, "%s %s: size %zu, want %zu", name, in, need, want_len);
    enum { GUARD = 16 };
    char *buf = malloc(need + 1 + GUARD);
    ck_assert_ptr_nonnull(buf);
    for (size_t sz = 0; sz <= need + 1; sz++) {
        memset(buf, 0xA5, need + 1 + GUARD);
        size_t n = 12345;
        st = rp_rewrite_response_header(t, name, strlen(name), in, in_len, c, 0, buf, sz, &n);
        if (sz <= need) {
            ck_assert_msg(st == RP_E_NOSPACE, "%s %s size %zu: %s", name, in, sz,
                          rp_status_name(st));
        } else {
            ck_assert_msg(st == want_st, "%s %s size %zu: %s, want %s", name, in, sz,
                          rp_status_name(st), rp_status_name(want_st));
            ck_assert(memcmp(buf, want, want_len) == 0 && buf[want_len] == '\0');
        }
        ck_assert_msg(n == need, "%s %s size %zu: out_len %zu, want %zu", name, in, sz, n, need);
        for (size_t k = sz; k < need + 1 + GUARD; k++)
            ck_assert_msg((unsigned char)buf[k] == 0xA5, "%s %s size %zu: byte %zu written",
                          name, in, sz, k);
    }
    free(buf);
}

/* want: the value to send ("=" for the input unchanged, RP_NO_MATCH), or
 * "!STATUS". Every successful case is also run at every buffer size. */
static void hdr_ctx(const rp_table *t, const rp_response_ctx *c, const char *name,
                    const char *in, const char *want)
{
    char out[1024];
    size_t n = 0;
    rp_status st = rp_rewrite_response_header(t, name, strlen(name), in, strlen(in), c, 0, out,
                                              sizeof out, &n);
    if (want[0] == '!') {
        ck_assert_msg(strcmp(rp_status_name(st), want + 1) == 0, "%s: %s: got %s, want %s", name,
                      in, rp_status_name(st), want + 1);
        return;
    }
    rp_status want_st = RP_OK;
    if (strcmp(want, "=") == 0) {
        want = in;
        want_st = RP_NO_MATCH;
    }
    ck_assert_msg(st == want_st, "%s: %s: got %s (%s), want %s", name, in, rp_status_name(st),
                  st == RP_OK || st == RP_NO_MATCH ? out : "-", rp_status_name(want_st));
    ck_assert_msg(strcmp(out, want) == 0 && n == strlen(want), "%s: %s:\n got  %s\n want %s",
                  name, in, out, want);
    every_size(t, name, in, strlen(in), c, want_st, want, strlen(want));
}

static void hdr(const rp_table *t, const char *name, const char *in, const char *want)
{
    rp_response_ctx c = make_ctx(ORIGIN, NULL);
    hdr_ctx(t, &c, name, in, want);
}

START_TEST(dispatch_by_name)
{
    rp_table *t = table(RP_PROFILE_STRICT, 0, 0);
    const char *loc = "http://b:8080/v1/login", *pub = ORIGIN "/app/login";
    hdr(t, "Location", loc, pub);
    hdr(t, "location", loc, pub);
    hdr(t, "LOCATION", loc, pub);
    hdr(t, "Content-Location", loc, pub);
    hdr(t, "content-LOCATION", loc, pub);
    hdr(t, "URI", loc, pub);
    hdr(t, "uri", loc, pub);
    hdr(t, "Destination", loc, pub);
    hdr(t, "Location", "http://b:8080/v1x", "=");
    hdr(t, "Location", "http://evil/v1/x", "=");
    hdr(t, "Location", "/v1/x", "/app/x");
    hdr(t, "Set-Cookie", "sid=1; Path=/v1/x; HttpOnly", "sid=1; Path=/app/x; HttpOnly");
    hdr(t, "set-cookie", "sid=1; Path=/other", "=");
    /* unknown names: the value comes back as it is */
    hdr(t, "X-Location", loc, "=");
    hdr(t, "Locations", loc, "=");
    hdr(t, "Location ", loc, "=");
    hdr(t, "Locatio", loc, "=");
    hdr(t, "Content-Type", "text/html", "=");
    hdr(t, "Link2", "<http://b:8080/v1/x>", "=");
    hdr(t, "Refresh-Me", "0; url=http://b:8080/v1/x", "=");
    hdr(t, "", loc, "=");
    hdr(t, "Loc\xc1tion", loc, "="); /* 0xC1 | 0x20 is not 'a' */
    char out[64];
    size_t n;
    ck_assert_int_eq(rp_rewrite_response_header(t, NULL, 0, "x", 1, NULL, 0, out, sizeof out, &n),
                     RP_NO_MATCH);
    ck_assert_str_eq(out, "x");
    rp_table_free(t);
}
END_TEST

START_TEST(refresh_forms)
{
    rp_table *t = table(RP_PROFILE_STRICT, 0, 0);
    const char *R = "Refresh";
    hdr(t, R, "0; url=http://b:8080/v1/login", "0; url=" ORIGIN "/app/login");
    hdr(t, "refresh", "5;URL=http://b:8080/v1/x", "5;URL=" ORIGIN "/app/x");
    hdr(t, R, "5, url=http://b:8080/v1/x", "5, url=" ORIGIN "/app/x");
    hdr(t, R, "5 ; url = http://b:8080/v1/x", "5 ; url = " ORIGIN "/app/x");
    hdr(t, R, "5;\turl\t=\thttp://b:8080/v1/x", "5;\turl\t=\t" ORIGIN "/app/x");
    hdr(t, R, "5; Url=http://b:8080/v1/x", "5; Url=" ORIGIN "/app/x");
    hdr(t, R, "  5  ;  uRL=  http://b:8080/v1/x  ", "  5  ;  uRL=  " ORIGIN "/app/x  ");
    /* quotes: only what is between them is the URL */
    hdr(t, R, "5; url='http://b:8080/v1/x'", "5; url='" ORIGIN "/app/x'");
    hdr(t, R, "5; url=\"http://b:8080/v1/x\"", "5; url=\"" ORIGIN "/app/x\"");
    hdr(t, R, "5; url=\"/v1/x\" trailing; junk", "5; url=\"/app/x\" trailing; junk");
    hdr(t, R, "5; url=' /v1/x '", "5; url=' /app/x '");
    hdr(t, R, "5; url='/v1/x", "5; url='/app/x"); /* unterminated: to the end */
    hdr(t, R, "5; url='/v1/it\"s'", "5; url='/app/it\"s'");
    /* HTML also takes the URL without "url=", after ';', ',' or whitespace */
    hdr(t, R, "5; http://b:8080/v1/x", "5; " ORIGIN "/app/x");
    hdr(t, R, "5 http://b:8080/v1/x", "5 " ORIGIN "/app/x");
    hdr(t, R, "5,/v1/x", "5,/app/x");
    hdr(t, R, "5; '/v1/x'", "5; '/app/x'");
    hdr(t, R, "5.5; url=/v1/x", "5.5; url=/app/x");
    hdr(t, R, ".5; url=/v1/x", ".5; url=/app/x");
    hdr(t, R, "1.2.3; url=/v1/x", "1.2.3; url=/app/x");
    /* nothing to map */
    hdr(t, R, "0; url=http://b:8080/v1x", "=");
    hdr(t, R, "0; url=http://evil/v1/x", "=");
    hdr(t, R, "0; url=https://b:8080/v1/x", "=");
    hdr(t, R, "0; url=/v2/x", "=");
    hdr(t, R, "5", "=");
    hdr(t, R, "5;", "=");
    hdr(t, R, "5; ", "=");
    hdr(t, R, "5; url=", "=");
    hdr(t, R, "5; url=''", "=");
    hdr(t, R, "", "=");
    hdr(t, R, "   ", "=");
    /* no delay: browsers ignore the header, so do we */
    hdr(t, R, "url=/v1/x", "=");
    hdr(t, R, "; url=/v1/x", "=");
    hdr(t, R, "x; url=/v1/x", "=");
    hdr(t, R, "5x; url=/v1/x", "=");
    hdr(t, R, "-1; url=/v1/x", "=");
    /* "url" not followed by '=' is the start of a (relative) URL itself */
    hdr(t, R, "5; urlx=/v1/x", "=");
    hdr(t, R, "5; ur=/v1/x", "=");
    hdr(t, R, "5; url '/v1/x'", "!RP_E_CTL"); /* the URL is "url '/v1/x'" */
    /* the URL is checked like a Location */
    hdr(t, R, "0; url=http://b:8080/v1/\\evil", "!RP_E_BACKSLASH");
    hdr(t, R, "0; url=/v1/x; y", "!RP_E_CTL"); /* unquoted: runs to the end */
    hdr(t, R, "0; url=\"/v1/x\"; y", "0; url=\"/app/x\"; y");
    /* relative URLs resolve against the backend URL, as for Location */
    rp_response_ctx c = make_ctx(ORIGIN, "http://b:8080/v1/dir/page");
    hdr_ctx(t, &c, R, "3; url=other", "3; url=" ORIGIN "/app/dir/other");
    hdr_ctx(t, &c, R, "3; url=../up", "3; url=" ORIGIN "/app/up");
    hdr_ctx(t, &c, R, "3; url=../../x", "=");
    hdr_ctx(t, &c, R, "3; urlx", "3; " ORIGIN "/app/dir/urlx");
    /* no public origin: the result stays path-absolute */
    c = make_ctx(NULL, NULL);
    hdr_ctx(t, &c, R, "0; url=http://b:8080/v1/x", "0; url=/app/x");
    hdr_ctx(t, NULL, R, "0; url=http://b:8080/v1/x", "0; url=/app/x");
    rp_table_free(t);
}
END_TEST

START_TEST(link_lists)
{
    rp_table *t = table(RP_PROFILE_STRICT, 0, 0);
    const char *L = "Link";
    hdr(t, L, "<http://b:8080/v1/n>; rel=next", "<" ORIGIN "/app/n>; rel=next");
    hdr(t, "link", "</v1/n>;rel=next", "</app/n>;rel=next");
    hdr(t, L, "<http://b:8080/v1/p?page=1>; rel=prev, <http://b:8080/v1/p?page=3>; rel=next",
        "<" ORIGIN "/app/p?page=1>; rel=prev, <" ORIGIN "/app/p?page=3>; rel=next");
    /* commas and semicolons inside <...> do not split */
    hdr(t, L, "<http://b:8080/v1/a,b;c>; rel=next, </v1/d>",
        "<" ORIGIN "/app/a,b;c>; rel=next, </app/d>");
    /* nor inside quoted strings, with or without escapes */
    hdr(t, L, "</v1/x>; title=\"a, </v1/no>; b\", </v1/z>",
        "</app/x>; title=\"a, </v1/no>; b\", </app/z>");
    hdr(t, L, "</v1/x>; title=\"say \\\"hi\\\", </v1/no>\", </v1/z>",
        "</app/x>; title=\"say \\\"hi\\\", </v1/no>\", </app/z>");
    hdr(t, L, "</v1/x>; title=\"\\\\\", </v1/z>", "</app/x>; title=\"\\\\\", </app/z>");
    /* anchor: quoted-string, any case, BWS around '=' */
    hdr(t, L, "</v1/x>; rel=up; anchor=\"http://b:8080/v1/y\"",
        "</app/x>; rel=up; anchor=\"" ORIGIN "/app/y\"");
    hdr(t, L, "</v1/x>; ANCHOR = \"/v1/y\"", "</app/x>; ANCHOR = \"/app/y\"");
    hdr(t, L, "<http://other/x>; anchor=\"/v1/y\"", "<http://other/x>; anchor=\"/app/y\"");
    hdr(t, L, "</v1/x>; anchor=\" /v1/y \"", "</app/x>; anchor=\" /app/y \"");
    /* anchor as a token (RFC 8288 §3): when it changes it must be quoted */
    hdr(t, L, "</v1/x>; anchor=#frag", "</app/x>; anchor=#frag");
    hdr(t, L, "</v1/x>; anchor=/v1/y; rel=up", "</app/x>; anchor=\"/app/y\"; rel=up");
    hdr(t, L, "</v1/x>; anchor=/v1/y , </v1/z>", "</app/x>; anchor=\"/app/y\" , </app/z>");
    hdr(t, L, "</v2/x>; anchor=/v2/y", "=");
    hdr(t, L, "</v1/x>; anchor=/v1/a\"b, </v1/z>", "</app/x>; anchor=/v1/a\"b, </app/z>");
    hdr(t, L, "</v1/x>; anchor=/v1/a\\b, </v1/z>", "</app/x>; anchor=/v1/a\\b, </app/z>");
    /* anchor=<...> is no RFC 8288 syntax; the URI inside is mapped anyway */
    hdr(t, L, "</v1/x>; anchor=<http://b:8080/v1/y>", "</app/x>; anchor=<" ORIGIN "/app/y>");
    hdr(t, L, "</v1/x>; anchor=< /v1/y >;rel=a", "</app/x>; anchor=< /app/y >;rel=a");
    /* an anchor with quoted-pairs is left alone (a URI never needs one) */
    hdr(t, L, "</v1/x>; anchor=\"/v1/\\y\"", "</app/x>; anchor=\"/v1/\\y\"");
    /* other parameters are never touched, whatever they hold */
    hdr(t, L, "</v1/x>; rel=\"http://b:8080/v1/rel\"; foo=/v1/y; anchors=\"/v1/z\"; "
              "anchor*=UTF-8''%2Fv1",
        "</app/x>; rel=\"http://b:8080/v1/rel\"; foo=/v1/y; anchors=\"/v1/z\"; "
        "anchor*=UTF-8''%2Fv1");
    hdr(t, L, "</v1/x>; anchor; rel=x", "</app/x>; anchor; rel=x");
    /* several anchors, several links */
    hdr(t, L, "</v1/a>; anchor=\"/v1/b\", </v1/c>; anchor=\"/v1/d\"; anchor=\"/v1/e\"",
        "</app/a>; anchor=\"/app/b\", </app/c>; anchor=\"/app/d\"; anchor=\"/app/e\"");
    /* empty list elements and whitespace */
    hdr(t, L, ", ,</v1/x>,,\t</v1/y> ,", ", ,</app/x>,,\t</app/y> ,");
    hdr(t, L, "< /v1/x >", "< /app/x >");
    hdr(t, L, "<>; rel=self", "=");
    hdr(t, L, "", "=");
    /* nothing to map */
    hdr(t, L, "<http://other/x>; rel=next", "=");
    hdr(t, L, "<http://b:8080/v1x>; rel=next, </v2>", "=");
    /* a link-value that does not parse is kept and the next one still mapped */
    hdr(t, L, "garbage, </v1/x>", "garbage, </app/x>");
    hdr(t, L, "</v1/x> junk, </v1/y>", "</app/x> junk, </app/y>");
    hdr(t, L, "junk \"a, </v1/no>\" <b,c>, </v1/y>", "junk \"a, </v1/no>\" <b,c>, </app/y>");
    hdr(t, L, "junk <a, </v1/y", "=");
    hdr(t, L, "</v1/x>; title=\"abc, </v1/y>", "</app/x>; title=\"abc, </v1/y>");
    hdr(t, L, "</v1/x>; title=\"abc\\", "</app/x>; title=\"abc\\");
    /* errors */
    hdr(t, L, "</v1/x>, <http://b:8080/v1/y", "!RP_E_SYNTAX");
    hdr(t, L, "<", "!RP_E_SYNTAX");
    hdr(t, L, "<http://b:8080/v1/a\\b>", "!RP_E_BACKSLASH");
    hdr(t, L, "</v1/a b>", "!RP_E_CTL");
    /* relative targets and token anchors resolve against the backend URL */
    rp_response_ctx c = make_ctx(ORIGIN, "http://b:8080/v1/dir/page");
    hdr_ctx(t, &c, L, "<next>; rel=next; anchor=#s",
            "<" ORIGIN "/app/dir/next>; rel=next; anchor=\"" ORIGIN "/app/dir/page#s\"");
    hdr_ctx(t, &c, L, "<../../x>", "=");
    rp_table_free(t);
}
END_TEST

/* Links built from pieces, joined in every order with every separator: the
 * result is the pieces' results joined the same way. */
START_TEST(link_combinations)
{
    static const char *const in[] = {
        "</v1/a>; rel=next",
        "<http://b:8080/v1/a,b>; title=\"x, <y>; z\"",
        "<http://other/v1/c>",
        "</v1/d>; anchor=\"/v1/e\"; rel=\"up down\"",
        "</v1/f>;anchor=/v1/g",
        "<urn:x:y>",
    };
    static const char *const out[] = {
        "</app/a>; rel=next",
        "<" ORIGIN "/app/a,b>; title=\"x, <y>; z\"",
        "<http://other/v1/c>",
        "</app/d>; anchor=\"/app/e\"; rel=\"up down\"",
        "</app/f>;anchor=\"/app/g\"",
        "<urn:x:y>",
    };
    static const char *const sep[] = {",", ", ", " ,\t", ",,"};
    enum { P = sizeof in / sizeof in[0], S = sizeof sep / sizeof sep[0] };
    rp_table *t = table(RP_PROFILE_STRICT, 0, 0);
    rp_response_ctx c = make_ctx(ORIGIN, NULL);
    for (size_t a = 0; a < P; a++)
        for (size_t b = 0; b < P; b++)
            for (size_t d = 0; d < P; d++)
                for (size_t s = 0; s < S; s++) {
                    char vin[512], vout[512];
                    snprintf(vin, sizeof vin, "%s%s%s%s%s", in[a], sep[s], in[b], sep[s], in[d]);
                    snprintf(vout, sizeof vout, "%s%s%s%s%s", out[a], sep[s], out[b], sep[s],
                             out[d]);
                    bool same = strcmp(vin, vout) == 0;
                    char buf[512];
                    size_t n;
                    rp_status st = rp_rewrite_response_header(t, "Link", 4, vin, strlen(vin), &c,
                                                              0, buf, sizeof buf, &n);
                    ck_assert_msg(st == (same ? RP_NO_MATCH : RP_OK), "%s: %s", vin,
                                  rp_status_name(st));
                    ck_assert_msg(strcmp(buf, vout) == 0 && n == strlen(vout),
                                  "%s:\n got  %s\n want %s", vin, buf, vout);
                    if (s == 1 && b == 1)
                        every_size(t, "Link", vin, strlen(vin), &c, st, vout, strlen(vout));
                }
    rp_table_free(t);
}
END_TEST

START_TEST(apache_profile)
{
    /* httpd maps neither Refresh nor Link (rev-hdr-refresh-00, rev-hdr-link-00) */
    rp_table *t = table(RP_PROFILE_APACHE, 0, 0);
    hdr(t, "Refresh", "0; url=http://b:8080/v1/x", "=");
    hdr(t, "refresh", "0; url=/v1/x", "=");
    hdr(t, "Link", "<http://b:8080/v1/n>; rel=next", "=");
    hdr(t, "LINK", "</v1/n>; anchor=\"http://b:8080/v1/y\"", "=");
    hdr(t, "Link", "<http://b:8080/v1/n", "="); /* not even parsed */
    hdr(t, "Location", "http://b:8080/v1/x", ORIGIN "/app/x");
    hdr(t, "Content-Location", "http://b:8080/v1/x", ORIGIN "/app/x");
    hdr(t, "URI", "http://b:8080/v1/x", ORIGIN "/app/x");
    hdr(t, "Destination", "http://b:8080/v1/x", ORIGIN "/app/x");
    hdr(t, "Set-Cookie", "s=1; path=/v1/x", "s=1; path=/app");
    hdr(t, "X-Other", "http://b:8080/v1/x", "=");
    hdr(t, "Refresh", "0; url=/v1/x\r\n", "!RP_E_HEADER");
    rp_table_free(t);
}
END_TEST

static void ck_status(const rp_table *t, const char *name, const char *v, size_t n, rp_status want)
{
    char out[256];
    size_t len;
    rp_response_ctx c = make_ctx(ORIGIN, NULL);
    rp_status st = rp_rewrite_response_header(t, name, strlen(name), v, n, &c, 0, out, sizeof out,
                                              &len);
    ck_assert_msg(st == want, "%s (%zu bytes): got %s, want %s", name, n, rp_status_name(st),
                  rp_status_name(want));
    st = rp_rewrite_response_header(t, name, strlen(name), v, n, &c, 0, NULL, 0, &len);
    ck_assert_msg(st == want, "%s (%zu bytes, size query): got %s", name, n, rp_status_name(st));
}

START_TEST(cr_lf_nul)
{
    static const char *const names[] = {"Refresh", "Link", "Location", "Set-Cookie", "X-Any"};
    static const char *const values[] = {
        "0; url=/v1/x",          "</v1/x>; rel=next", "/v1/x",
        "s=1; Path=/v1",         "plain",
    };
    static const char bad[] = {'\r', '\n', '\0'};
    for (unsigned profile = 1; profile <= 2; profile++) {
        rp_table *t = table(profile, 0, 0);
        for (size_t k = 0; k < 5; k++) {
            const char *v = values[k];
            size_t n = strlen(v);
            for (size_t b = 0; b < 3; b++)
                for (size_t at = 0; at <= n; at++) {
                    char buf[64];
                    memcpy(buf, v, at);
                    buf[at] = bad[b];
                    memcpy(buf + at + 1, v + at, n - at);
                    for (size_t nm = 0; nm < 5; nm++)
                        ck_status(t, names[nm], buf, n + 1, RP_E_HEADER);
                }
        }
        /* obs-fold style continuation and a smuggled header */
        ck_status(t, "Refresh", "0; url=/v1/x\r\n Set-Cookie: a=b", 30, RP_E_HEADER);
        ck_status(t, "Link", "</v1/x>\r\nX: y", 13, RP_E_HEADER);
        rp_table_free(t);
    }
}
END_TEST

START_TEST(arguments)
{
    rp_table *t = table(RP_PROFILE_STRICT, 0, 0);
    char out[64];
    size_t n = 7;
    const char *v = "0; url=/v1/x";
    size_t vl = strlen(v);
    ck_assert_int_eq(rp_rewrite_response_header(NULL, "Refresh", 7, v, vl, NULL, 0, out,
                                                sizeof out, &n),
                     RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_response_header(t, NULL, 7, v, vl, NULL, 0, out, sizeof out, &n),
                     RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_response_header(t, "Refresh", 7, NULL, vl, NULL, 0, out,
                                                sizeof out, &n),
                     RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_response_header(t, "Refresh", 7, v, vl, NULL, 0, out, sizeof out,
                                                NULL),
                     RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_response_header(t, "Refresh", 7, v, vl, NULL, 0, NULL, 8, &n),
                     RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_response_header(t, "Refresh", 7, v, vl, NULL, 1, out, sizeof out,
                                                &n),
                     RP_E_ARG);
    ck_assert_int_eq(rp_rewrite_response_header(t, "Link", 4, v, vl, NULL, 0x80000000u, out,
                                                sizeof out, &n),
                     RP_E_ARG);
    /* an empty value may be NULL */
    ck_assert_int_eq(rp_rewrite_response_header(t, "Refresh", 7, NULL, 0, NULL, 0, out,
                                                sizeof out, &n),
                     RP_NO_MATCH);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(out, "");
    /* the name is (pointer, length): "Refresh" inside a longer string */
    ck_assert_int_eq(rp_rewrite_response_header(t, "RefreshXYZ", 7, v, vl, NULL, 0, out,
                                                sizeof out, &n),
                     RP_OK);
    ck_assert_str_eq(out, "0; url=/app/x");
    ck_assert_int_eq(rp_rewrite_response_header(t, "Link: x", 4, "</v1/x>", 7, NULL, 0, out,
                                                sizeof out, &n),
                     RP_OK);
    ck_assert_str_eq(out, "</app/x>");
    /* the value is (pointer, length): bytes after it are not read */
    ck_assert_int_eq(rp_rewrite_response_header(t, "Link", 4, "</v1/x>\r\n", 7, NULL, 0, out,
                                                sizeof out, &n),
                     RP_OK);
    ck_assert_str_eq(out, "</app/x>");
    ck_assert_int_eq(rp_rewrite_response_header(t, "Link", 4, "</v1/x", 6, NULL, 0, out,
                                                sizeof out, &n),
                     RP_E_SYNTAX);
    rp_table_free(t);
}
END_TEST

/* A value of about len bytes made of copies of unit; *want gets the
 * copies of unit_out. */
static char *repeat(const char *unit, const char *unit_out, size_t len, char **want,
                    size_t *in_len, size_t *want_len)
{
    size_t u = strlen(unit), uo = unit_out ? strlen(unit_out) : 0, k = len / u;
    char *v = malloc(k * u + 1);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < k; i++)
        memcpy(v + i * u, unit, u);
    v[k * u] = '\0';
    *in_len = k * u;
    if (want) {
        *want = malloc(k * uo + 1);
        ck_assert_ptr_nonnull(*want);
        for (size_t i = 0; i < k; i++)
            memcpy(*want + i * uo, unit_out, uo);
        (*want)[k * uo] = '\0';
        *want_len = k * uo;
    }
    return v;
}

/* One big value: the result and its size, at a few buffer sizes. */
static void big(const rp_table *t, const char *name, const char *in, size_t in_len,
                rp_status want_st, const char *want, size_t want_len)
{
    rp_response_ctx c = make_ctx(ORIGIN, "http://b:8080/v1/dir/page");
    size_t need = 0;
    rp_status st = rp_rewrite_response_header(t, name, strlen(name), in, in_len, &c, 0, NULL, 0,
                                              &need);
    if (want_st != RP_OK && want_st != RP_NO_MATCH) {
        ck_assert_msg(st == want_st, "%s: got %s, want %s", name, rp_status_name(st),
                      rp_status_name(want_st));
        return;
    }
    ck_assert_msg(st == RP_E_NOSPACE, "%s: %s", name, rp_status_name(st));
    ck_assert_uint_eq(need, want_len);
    char *buf = malloc(need + 1);
    ck_assert_ptr_nonnull(buf);
    const size_t sizes[] = {1, need / 3, need / 2, need, need + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = 0;
        st = rp_rewrite_response_header(t, name, strlen(name), in, in_len, &c, 0, buf, sizes[i],
                                        &n);
        ck_assert_uint_eq(n, need);
        ck_assert_int_eq(st, sizes[i] > need ? want_st : RP_E_NOSPACE);
    }
    ck_assert(memcmp(buf, want, want_len) == 0);
    free(buf);
}

#define MIB (1024u * 1024u)

START_TEST(one_mebibyte)
{
    rp_table *t = table(RP_PROFILE_STRICT, 2 * MIB, 4 * MIB);
    char *want;
    size_t n, wn;
    char *v;
    /* many links */
    v = repeat("<http://b:8080/v1/p?page=12>; rel=\"next, prev\"; anchor=\"/v1/q\", ",
               "<" ORIGIN "/app/p?page=12>; rel=\"next, prev\"; anchor=\"/app/q\", ", MIB, &want,
               &n, &wn);
    big(t, "Link", v, n, RP_OK, want, wn);
    free(v);
    free(want);
    v = repeat("</v1/a>;anchor=/v1/b,", "</app/a>;anchor=\"/app/b\",", MIB, &want, &n, &wn);
    big(t, "Link", v, n, RP_OK, want, wn);
    free(v);
    free(want);
    /* shapes that could make a naive scanner quadratic */
    static const struct {
        const char *unit;
        rp_status   link; /* what Link gives; Refresh leaves them all alone */
    } same[] = {
        {"</v2>", RP_NO_MATCH},
        {";", RP_NO_MATCH},
        {";;=", RP_NO_MATCH},
        {",", RP_NO_MATCH},
        {" ", RP_NO_MATCH},
        {"x<", RP_NO_MATCH},
        {"x\"", RP_NO_MATCH},
        {"x<>", RP_NO_MATCH},
        {"\"a\\\"b\",", RP_NO_MATCH},
        {"</v2>; a=\"\"", RP_NO_MATCH},
        {"</v2>;anchor=", RP_NO_MATCH},
        {"</v2>;anchor=\"\\\"\"", RP_NO_MATCH},
        {"</v2>;anchor=x", RP_E_SYNTAX}, /* "x</v2>" does not resolve: as for Location */
        {"<", RP_E_SYNTAX},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        v = repeat(same[i].unit, same[i].unit, MIB, &want, &n, &wn);
        big(t, "Link", v, n, same[i].link, want, wn);
        big(t, "Refresh", v, n, RP_NO_MATCH, want, wn);
        free(v);
        free(want);
    }
    /* one link with a 1 MiB target, quoted parameter, anchor */
    static const char *const wrap[][2] = {
        {"</v1/", "a>"},
        {"</v1/x>; title=\"", "a\""},
        {"</v1/x>; anchor=\"/v1/", "a\""},
        {"0; url=/v1/", "a"},
    };
    static const char *const wrap_out[][2] = {
        {"</app/", "a>"},
        {"</app/x>; title=\"", "a\""},
        {"</app/x>; anchor=\"/app/", "a\""},
        {"0; url=/app/", "a"},
    };
    for (size_t i = 0; i < 4; i++) {
        size_t body = MIB;
        size_t hl = strlen(wrap[i][0]), tl = strlen(wrap[i][1]);
        size_t ohl = strlen(wrap_out[i][0]), otl = strlen(wrap_out[i][1]);
        v = malloc(hl + body + tl + 1);
        want = malloc(ohl + body + otl + 1);
        memcpy(v, wrap[i][0], hl);
        memset(v + hl, 'a', body);
        memcpy(v + hl + body, wrap[i][1], tl);
        memcpy(want, wrap_out[i][0], ohl);
        memset(want + ohl, 'a', body);
        memcpy(want + ohl + body, wrap_out[i][1], otl);
        big(t, i == 3 ? "Refresh" : "Link", v, hl + body + tl, RP_OK, want, ohl + body + otl);
        free(v);
        free(want);
    }
    rp_table_free(t);

    /* default limits: an 8 KiB header, a 16 KiB result */
    t = table(RP_PROFILE_STRICT, 0, 0);
    v = repeat("</v1/x>,", NULL, MIB, NULL, &n, NULL);
    big(t, "Link", v, n, RP_E_TOO_LONG, NULL, 0);
    big(t, "X-Unknown", v, n, RP_E_TOO_LONG, NULL, 0);
    free(v);
    rp_table_free(t);
    /* a result over RP_LIMIT_OUTPUT_LEN: RP_E_TOO_LONG with the full length */
    t = table(RP_PROFILE_STRICT, 0, 100);
    v = repeat("</v1/x>,", "</app/x>,", 120, &want, &n, &wn);
    char out[512];
    size_t len = 0;
    ck_assert_int_eq(rp_rewrite_response_header(t, "Link", 4, v, n, NULL, 0, out, sizeof out,
                                                &len),
                     RP_E_TOO_LONG);
    ck_assert_uint_eq(len, wn);
    ck_assert_int_eq(rp_rewrite_response_header(t, "Link", 4, v, n, NULL, 0, NULL, 0, &len),
                     RP_E_TOO_LONG);
    ck_assert_uint_eq(len, wn);
    free(v);
    free(want);
    /* unchanged values are not results: no output limit applies */
    v = repeat("</v2/x>,", "</v2/x>,", 400, &want, &n, &wn);
    ck_assert_int_eq(rp_rewrite_response_header(t, "Link", 4, v, n, NULL, 0, out, sizeof out,
                                                &len),
                     RP_NO_MATCH);
    ck_assert_uint_eq(len, n);
    free(v);
    free(want);
    rp_table_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("header");
    TCase *tc = tcase_create("header");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, dispatch_by_name);
    tcase_add_test(tc, refresh_forms);
    tcase_add_test(tc, link_lists);
    tcase_add_test(tc, link_combinations);
    tcase_add_test(tc, apache_profile);
    tcase_add_test(tc, cr_lf_nul);
    tcase_add_test(tc, arguments);
    tcase_add_test(tc, one_mebibyte);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
