/* rp_format_forwarded: X-Forwarded-For/-Host/-Proto/-Prefix and RFC 7239
 * Forwarded, the quoting rules, prior chains, every kind of invalid input,
 * and the buffer contract at every size. Public API only. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

#define XFF RP_FWD_X_FORWARDED_FOR
#define XFH RP_FWD_X_FORWARDED_HOST
#define XFP RP_FWD_X_FORWARDED_PROTO
#define XFX RP_FWD_X_FORWARDED_PREFIX
#define FWD RP_FWD_FORWARDED

/* Inputs as NUL-terminated strings (NULL = not given); client_port apart. */
typedef struct fin {
    const char *addr, *host, *proto, *prefix, *by, *prior;
    unsigned    port;
} fin;

static rp_forwarded to_struct(const fin *f)
{
    rp_forwarded r;
    memset(&r, 0, sizeof r);
    r.client_addr = f->addr;
    r.client_addr_len = f->addr ? strlen(f->addr) : 0;
    r.client_port = f->port;
    r.host = f->host;
    r.host_len = f->host ? strlen(f->host) : 0;
    r.proto = f->proto;
    r.proto_len = f->proto ? strlen(f->proto) : 0;
    r.prefix = f->prefix;
    r.prefix_len = f->prefix ? strlen(f->prefix) : 0;
    r.by = f->by;
    r.by_len = f->by ? strlen(f->by) : 0;
    r.prior = f->prior;
    r.prior_len = f->prior ? strlen(f->prior) : 0;
    return r;
}

static const char *which_name(unsigned which)
{
    switch (which) {
    case XFF: return "X-Forwarded-For";
    case XFH: return "X-Forwarded-Host";
    case XFP: return "X-Forwarded-Proto";
    case XFX: return "X-Forwarded-Prefix";
    case FWD: return "Forwarded";
    default: return "?";
    }
}

/* RP_OK with want, at every buffer size from 0 to the size + 1. */
static void ok_in(unsigned which, const rp_forwarded *in, const char *want)
{
    size_t wl = strlen(want), need = 99;
    rp_status st = rp_format_forwarded(which, in, NULL, 0, &need);
    ck_assert_msg(st == RP_E_NOSPACE, "%s (want %s): size query gave %s", which_name(which), want,
                  rp_status_name(st));
    ck_assert_msg(need == wl, "%s: size %zu, want %zu (%s)", which_name(which), need, wl, want);
    enum { GUARD = 16 };
    char *buf = malloc(wl + 1 + GUARD);
    ck_assert_ptr_nonnull(buf);
    for (size_t sz = 0; sz <= wl + 1; sz++) {
        memset(buf, 0xA5, wl + 1 + GUARD);
        size_t n = 12345;
        st = rp_format_forwarded(which, in, buf, sz, &n);
        ck_assert_msg(st == (sz > wl ? RP_OK : RP_E_NOSPACE), "%s size %zu: %s",
                      which_name(which), sz, rp_status_name(st));
        ck_assert_uint_eq(n, wl);
        if (st == RP_OK)
            ck_assert_msg(strcmp(buf, want) == 0, "%s:\n got  %s\n want %s", which_name(which),
                          buf, want);
        for (size_t k = sz; k < wl + 1 + GUARD; k++)
            ck_assert_msg((unsigned char)buf[k] == 0xA5, "%s size %zu: byte %zu written",
                          which_name(which), sz, k);
    }
    free(buf);
}

static void ok(unsigned which, fin f, const char *want)
{
    rp_forwarded in = to_struct(&f);
    ok_in(which, &in, want);
}

/* An error, the same with and without a buffer. */
static void bad_in(unsigned which, const rp_forwarded *in, rp_status want, const char *what)
{
    char buf[256];
    size_t n = 7;
    rp_status st = rp_format_forwarded(which, in, buf, sizeof buf, &n);
    ck_assert_msg(st == want, "%s %s: got %s, want %s", which_name(which), what,
                  rp_status_name(st), rp_status_name(want));
    st = rp_format_forwarded(which, in, NULL, 0, &n);
    ck_assert_msg(st == want, "%s %s (size query): got %s, want %s", which_name(which), what,
                  rp_status_name(st), rp_status_name(want));
}

static void bad(unsigned which, fin f, rp_status want)
{
    rp_forwarded in = to_struct(&f);
    char what[512];
    snprintf(what, sizeof what, "addr=%s host=%s proto=%s prefix=%s by=%s prior=%s port=%u",
             f.addr ? f.addr : "-", f.host ? f.host : "-", f.proto ? f.proto : "-",
             f.prefix ? f.prefix : "-", f.by ? f.by : "-", f.prior ? f.prior : "-", f.port);
    bad_in(which, &in, want, what);
}

START_TEST(x_forwarded_for)
{
    ok(XFF, (fin){.addr = "192.0.2.60"}, "192.0.2.60");
    ok(XFF, (fin){.addr = "192.0.2.60", .port = 8080}, "192.0.2.60"); /* no port */
    ok(XFF, (fin){.addr = "2001:db8::1"}, "2001:db8::1");
    ok(XFF, (fin){.addr = "[2001:db8::1]", .port = 4711}, "2001:db8::1"); /* no brackets */
    ok(XFF, (fin){.addr = "::1"}, "::1");
    ok(XFF, (fin){.addr = "::ffff:192.0.2.1"}, "::ffff:192.0.2.1");
    ok(XFF, (fin){.addr = "0.0.0.0"}, "0.0.0.0");
    ok(XFF, (fin){.addr = "255.255.255.255"}, "255.255.255.255");
    ok(XFF, (fin){.addr = "unknown"}, "unknown");
    ok(XFF, (fin){.addr = "_hidden"}, "_hidden");
    /* prior chains */
    ok(XFF, (fin){.addr = "192.0.2.60", .prior = "198.51.100.7"}, "198.51.100.7, 192.0.2.60");
    ok(XFF, (fin){.addr = "2001:db8::1", .prior = "198.51.100.7, 203.0.113.9"},
       "198.51.100.7, 203.0.113.9, 2001:db8::1");
    ok(XFF, (fin){.addr = "192.0.2.60", .prior = ""}, "192.0.2.60");
    ok(XFF, (fin){.addr = "192.0.2.60", .prior = " \t "}, "192.0.2.60");
    ok(XFF, (fin){.addr = "192.0.2.60", .prior = "  198.51.100.7\t"}, "198.51.100.7, 192.0.2.60");
    ok(XFF, (fin){.addr = "192.0.2.60", .prior = "unknown,_x, [::1]:80"},
       "unknown,_x, [::1]:80, 192.0.2.60");
    /* the other fields are not used, so not checked beyond CR/LF/NUL */
    ok(XFF, (fin){.addr = "192.0.2.60", .host = "bad host", .proto = "1x", .prefix = "rel",
                  .by = "nope"},
       "192.0.2.60");
}
END_TEST

START_TEST(x_forwarded_host_proto_prefix)
{
    ok(XFH, (fin){.host = "www.example.com"}, "www.example.com");
    ok(XFH, (fin){.host = "www.example.com:8443"}, "www.example.com:8443");
    ok(XFH, (fin){.host = "WWW.Example.COM"}, "WWW.Example.COM");
    ok(XFH, (fin){.host = "192.0.2.1:80"}, "192.0.2.1:80");
    ok(XFH, (fin){.host = "[2001:db8::1]"}, "[2001:db8::1]");
    ok(XFH, (fin){.host = "[2001:db8::1]:65535"}, "[2001:db8::1]:65535");
    ok(XFH, (fin){.host = "a_b-c.d."}, "a_b-c.d.");
    ok(XFH, (fin){.host = "example.com:"}, "example.com:"); /* empty port, as Host allows */
    ok(XFH, (fin){.host = "h", .prior = "ignored"}, "h");
    ok(XFP, (fin){.proto = "https"}, "https");
    ok(XFP, (fin){.proto = "http"}, "http");
    ok(XFP, (fin){.proto = "wss"}, "wss");
    ok(XFP, (fin){.proto = "coap+tcp"}, "coap+tcp");
    ok(XFX, (fin){.prefix = "/app"}, "/app");
    ok(XFX, (fin){.prefix = "/"}, "/");
    ok(XFX, (fin){.prefix = "/app/"}, "/app/");
    ok(XFX, (fin){.prefix = "/a/b-c_d~e/%2Fx/:@!$&'()*+;="}, "/a/b-c_d~e/%2Fx/:@!$&'()*+;=");
    ok(XFX, (fin){.prefix = "/..a/.b/c."}, "/..a/.b/c.");
    /* each needs its field */
    bad(XFH, (fin){.addr = "192.0.2.1"}, RP_E_ARG);
    bad(XFP, (fin){.addr = "192.0.2.1"}, RP_E_ARG);
    bad(XFX, (fin){.addr = "192.0.2.1"}, RP_E_ARG);
    static const char *const bad_hosts[] = {
        "", "bad host", "a,b", "a;b", "a\"b", "a/b", "a@b", "a:b:c", "a:0", "a:65536", "a:1x",
        ":80", "[2001:db8::1", "[2001:db8::g]", "[]", "[::1]x", "\xc3\xa9.example",
        "a\tb", "a\x7f", "[fe80::1%25eth0]",
    };
    for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++) {
        bad(XFH, (fin){.host = bad_hosts[i]}, RP_E_ARG);
        bad(FWD, (fin){.host = bad_hosts[i]}, RP_E_ARG);
    }
    static const char *const bad_protos[] = {"", "1http", "ht tp", "http:", "h_t", "https\x01",
                                             "-x", "é"};
    for (size_t i = 0; i < sizeof bad_protos / sizeof bad_protos[0]; i++) {
        bad(XFP, (fin){.proto = bad_protos[i]}, RP_E_ARG);
        bad(FWD, (fin){.proto = bad_protos[i]}, RP_E_ARG);
    }
    static const char *const bad_prefixes[] = {
        "", "app", "//evil.example", "//", "/a,b", "/a b", "/a\\b", "/a%", "/a%2", "/a%zz",
        "/.", "/..", "/a/./b", "/a/../b", "/a/..", "/a?b", "/a#b", "/a\"b", "/a<b>", "/\xc3\xa9",
        "/a\x01",
    };
    for (size_t i = 0; i < sizeof bad_prefixes / sizeof bad_prefixes[0]; i++)
        bad(XFX, (fin){.prefix = bad_prefixes[i]}, RP_E_ARG);
}
END_TEST

START_TEST(forwarded_rfc7239)
{
    /* RFC 7239 §4 and §6 quoting */
    ok(FWD, (fin){.addr = "192.0.2.60"}, "for=192.0.2.60");
    ok(FWD, (fin){.addr = "192.0.2.60", .port = 8080}, "for=\"192.0.2.60:8080\"");
    ok(FWD, (fin){.addr = "2001:db8:cafe::17"}, "for=\"[2001:db8:cafe::17]\"");
    ok(FWD, (fin){.addr = "2001:db8:cafe::17", .port = 4711},
       "for=\"[2001:db8:cafe::17]:4711\"");
    ok(FWD, (fin){.addr = "[2001:db8::1]", .port = 1}, "for=\"[2001:db8::1]:1\"");
    ok(FWD, (fin){.addr = "::ffff:192.0.2.1"}, "for=\"[::ffff:192.0.2.1]\"");
    ok(FWD, (fin){.addr = "unknown"}, "for=unknown");
    ok(FWD, (fin){.addr = "UNKNOWN"}, "for=UNKNOWN");
    ok(FWD, (fin){.addr = "unknown", .port = 80}, "for=\"unknown:80\"");
    ok(FWD, (fin){.addr = "_hidden"}, "for=_hidden");
    ok(FWD, (fin){.addr = "_SEVKISEK"}, "for=_SEVKISEK");
    ok(FWD, (fin){.addr = "_a.b-c_d", .port = 65535}, "for=\"_a.b-c_d:65535\"");
    ok(FWD, (fin){.by = "203.0.113.43"}, "by=203.0.113.43");
    ok(FWD, (fin){.by = "2001:db8::2"}, "by=\"[2001:db8::2]\"");
    ok(FWD, (fin){.by = "_proxy1"}, "by=_proxy1");
    ok(FWD, (fin){.host = "example.com"}, "host=example.com");
    ok(FWD, (fin){.host = "example.com:8443"}, "host=\"example.com:8443\"");
    ok(FWD, (fin){.host = "[2001:db8::1]:8443"}, "host=\"[2001:db8::1]:8443\"");
    ok(FWD, (fin){.proto = "https"}, "proto=https");
    /* every pair, in order; missing ones are left out */
    fin all = {.addr = "192.0.2.60", .port = 47011, .by = "203.0.113.43",
               .host = "www.example.com", .proto = "http", .prefix = "/app"};
    ok(FWD, all, "for=\"192.0.2.60:47011\";by=203.0.113.43;host=www.example.com;proto=http");
    ok(FWD, (fin){.addr = "192.0.2.60", .proto = "https"}, "for=192.0.2.60;proto=https");
    ok(FWD, (fin){.by = "_p", .proto = "https"}, "by=_p;proto=https");
    ok(FWD, (fin){.host = "h", .proto = "https"}, "host=h;proto=https");
    ok(FWD, (fin){.addr = "::1", .host = "h"}, "for=\"[::1]\";host=h");
    /* prior chains */
    all.prior = "for=192.0.2.43";
    ok(FWD, all,
       "for=192.0.2.43, for=\"192.0.2.60:47011\";by=203.0.113.43;host=www.example.com;proto=http");
    ok(FWD, (fin){.addr = "192.0.2.60", .prior = "for=\"[2001:db8::1]\";proto=https, for=x"},
       "for=\"[2001:db8::1]\";proto=https, for=x, for=192.0.2.60");
    ok(FWD, (fin){.addr = "192.0.2.60", .prior = "for=\"a\\\"b, c\""},
       "for=\"a\\\"b, c\", for=192.0.2.60");
    ok(FWD, (fin){.addr = "192.0.2.60", .prior = " for=a\t"}, "for=a, for=192.0.2.60");
    ok(FWD, (fin){.addr = "192.0.2.60", .prior = "  "}, "for=192.0.2.60");
    ok(FWD, (fin){.addr = "192.0.2.60", .prior = ""}, "for=192.0.2.60");
    /* the prefix has no place in Forwarded: not used, not checked */
    ok(FWD, (fin){.addr = "192.0.2.60", .prefix = "not a path"}, "for=192.0.2.60");
    /* nothing to say */
    bad(FWD, (fin){.prefix = "/app"}, RP_E_ARG);
    bad(FWD, (fin){.prior = "for=a"}, RP_E_ARG);
    bad(FWD, (fin){0}, RP_E_ARG);
    /* a prior whose quoted-string is open would swallow our element */
    static const char *const bad_priors[] = {
        "for=\"abc", "for=\"a\\\"", "for=\"a\\", "\"", "for=a, for=\"b", "for=\xc3\xa9",
        "for=a\x01", "for=a\x7f",
    };
    for (size_t i = 0; i < sizeof bad_priors / sizeof bad_priors[0]; i++)
        bad(FWD, (fin){.addr = "192.0.2.60", .prior = bad_priors[i]}, RP_E_ARG);
    /* for X-Forwarded-For, quotes mean nothing */
    ok(XFF, (fin){.addr = "192.0.2.60", .prior = "\"x"}, "\"x, 192.0.2.60");
    bad(XFF, (fin){.addr = "192.0.2.60", .prior = "a\x01"}, RP_E_ARG);
    bad(XFF, (fin){.addr = "192.0.2.60", .prior = "\xc3\xa9"}, RP_E_ARG);
}
END_TEST

START_TEST(invalid_addresses)
{
    static const char *const bad_addrs[] = {
        "", "not-an-ip", "192.0.2", "192.0.2.1.5", "192.0.2.256", "192.0.2.-1", "192.0.2.1 ",
        " 192.0.2.1", "01.2.3.4", "1.02.3.4", "1.2.3.00", "1.2.3.0x1", "1.2.3.1a", "1..2.3",
        "1.2.3.", ".1.2.3", "1234.1.1.1", "2001:db8::g", "2001:db8:::1", ":::",
        "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "fe80::1%25eth0", "[::1", "::1]", "[192.0.2.1]",
        "[]", "[[::1]]", "_", "_a!b", "_a b", "_a\"b", "unknow", "unknownx", "192.0.2.1:80",
        "[::1]:80", "v1.x", "\xc3\xa9", "localhost",
    };
    for (size_t i = 0; i < sizeof bad_addrs / sizeof bad_addrs[0]; i++) {
        bad(XFF, (fin){.addr = bad_addrs[i]}, RP_E_ARG);
        bad(FWD, (fin){.addr = bad_addrs[i]}, RP_E_ARG);
        bad(FWD, (fin){.by = bad_addrs[i]}, RP_E_ARG);
    }
    /* no client address */
    bad(XFF, (fin){.prior = "192.0.2.1"}, RP_E_ARG);
    bad(XFF, (fin){0}, RP_E_ARG);
    /* ports */
    bad(FWD, (fin){.addr = "192.0.2.1", .port = 65536}, RP_E_ARG);
    bad(XFF, (fin){.addr = "192.0.2.1", .port = 100000}, RP_E_ARG);
    ok(FWD, (fin){.addr = "192.0.2.1", .port = 65535}, "for=\"192.0.2.1:65535\"");
}
END_TEST

START_TEST(cr_lf_nul_and_controls)
{
    /* CR, LF or NUL in any field, used by this header or not: RP_E_HEADER */
    static const char bytes[] = {'\r', '\n', '\0'};
    for (size_t b = 0; b < 3; b++) {
        for (unsigned field = 0; field < 6; field++) {
            for (unsigned which = XFF; which <= FWD; which++) {
                char v[32];
                fin f = {.addr = "192.0.2.1", .host = "h", .proto = "https", .prefix = "/p",
                         .by = "_b", .prior = "for=x"};
                const char *base[] = {f.addr, f.host, f.proto, f.prefix, f.by, f.prior};
                size_t bl = strlen(base[field]);
                memcpy(v, base[field], bl);
                v[bl] = bytes[b];
                memcpy(v + bl + 1, "X: y", 4);
                rp_forwarded in = to_struct(&f);
                const char **ptr[] = {&in.client_addr, &in.host, &in.proto, &in.prefix, &in.by,
                                      &in.prior};
                size_t *len[] = {&in.client_addr_len, &in.host_len, &in.proto_len,
                                 &in.prefix_len, &in.by_len, &in.prior_len};
                *ptr[field] = v;
                *len[field] = bl + 5;
                bad_in(which, &in, RP_E_HEADER, "CR/LF/NUL");
            }
        }
    }
    /* other controls: RP_E_ARG where the field is used */
    bad(XFF, (fin){.addr = "192.0.2.1\t"}, RP_E_ARG);
    bad(XFH, (fin){.host = "h\x0b"}, RP_E_ARG);
    bad(XFP, (fin){.proto = "\x1bhttps"}, RP_E_ARG);
    bad(XFX, (fin){.prefix = "/a\x7f"}, RP_E_ARG);
    bad(FWD, (fin){.by = "_b\x01"}, RP_E_ARG);
    bad(FWD, (fin){.addr = "192.0.2.1", .prior = "for=a\x0c"}, RP_E_ARG);
}
END_TEST

START_TEST(arguments)
{
    rp_forwarded in;
    memset(&in, 0, sizeof in);
    in.client_addr = "192.0.2.1";
    in.client_addr_len = 9;
    char buf[64];
    size_t n = 7;
    ck_assert_int_eq(rp_format_forwarded(XFF, NULL, buf, sizeof buf, &n), RP_E_ARG);
    ck_assert_int_eq(rp_format_forwarded(XFF, &in, buf, sizeof buf, NULL), RP_E_ARG);
    ck_assert_int_eq(rp_format_forwarded(XFF, &in, NULL, 8, &n), RP_E_ARG);
    static const unsigned bad_which[] = {0, 6, 99, 0xffffffffu};
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(rp_format_forwarded(bad_which[i], &in, buf, sizeof buf, &n), RP_E_ARG);
    /* a NULL pointer with a length, in any field */
    for (unsigned field = 0; field < 6; field++) {
        rp_forwarded f = in;
        const char **ptr[] = {&f.client_addr, &f.host, &f.proto, &f.prefix, &f.by, &f.prior};
        size_t *len[] = {&f.client_addr_len, &f.host_len, &f.proto_len, &f.prefix_len, &f.by_len,
                         &f.prior_len};
        *ptr[field] = NULL;
        *len[field] = 3;
        for (unsigned which = XFF; which <= FWD; which++)
            ck_assert_int_eq(rp_format_forwarded(which, &f, buf, sizeof buf, &n), RP_E_ARG);
    }
    /* (pointer, length): bytes after the length are not read */
    in.client_addr = "192.0.2.1\r\n";
    in.host = "example.com:8443XYZ";
    in.host_len = 16;
    ck_assert_int_eq(rp_format_forwarded(FWD, &in, buf, sizeof buf, &n), RP_OK);
    ck_assert_str_eq(buf, "for=192.0.2.1;host=\"example.com:8443\"");
    ck_assert_uint_eq(n, strlen(buf));
    /* out != NULL with size 0 only counts */
    buf[0] = 'Z';
    ck_assert_int_eq(rp_format_forwarded(XFF, &in, buf, 0, &n), RP_E_NOSPACE);
    ck_assert_uint_eq(n, 9);
    ck_assert_int_eq(buf[0], 'Z');
}
END_TEST

START_TEST(long_chains)
{
    /* a 1 MiB prior is copied as it is; the size is exact */
    size_t k = 1024 * 1024 / 16;
    char *prior = malloc(k * 16 + 1);
    ck_assert_ptr_nonnull(prior);
    for (size_t i = 0; i < k; i++)
        memcpy(prior + i * 16, "for=192.0.2.1,  ", 16);
    size_t pl = k * 16 - 3; /* ends with "1" after trimming nothing */
    prior[pl] = '\0';
    rp_forwarded in;
    memset(&in, 0, sizeof in);
    in.client_addr = "2001:db8::1";
    in.client_addr_len = 11;
    in.prior = prior;
    in.prior_len = pl;
    size_t need = 0;
    ck_assert_int_eq(rp_format_forwarded(FWD, &in, NULL, 0, &need), RP_E_NOSPACE);
    const char *tail = ", for=\"[2001:db8::1]\"";
    ck_assert_uint_eq(need, pl + strlen(tail));
    char *out = malloc(need + 1);
    size_t n = 0;
    ck_assert_int_eq(rp_format_forwarded(FWD, &in, out, need, &n), RP_E_NOSPACE);
    ck_assert_uint_eq(n, need);
    ck_assert_int_eq(rp_format_forwarded(FWD, &in, out, need + 1, &n), RP_OK);
    ck_assert_uint_eq(n, need);
    ck_assert(memcmp(out, prior, pl) == 0 && strcmp(out + pl, tail) == 0);
    ck_assert_int_eq(rp_format_forwarded(XFF, &in, out, need + 1, &n), RP_OK);
    ck_assert(memcmp(out, prior, pl) == 0 && strcmp(out + pl, ", 2001:db8::1") == 0);
    free(out);
    free(prior);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("forwarded");
    TCase *tc = tcase_create("forwarded");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, x_forwarded_for);
    tcase_add_test(tc, x_forwarded_host_proto_prefix);
    tcase_add_test(tc, forwarded_rfc7239);
    tcase_add_test(tc, invalid_addresses);
    tcase_add_test(tc, cr_lf_nul_and_controls);
    tcase_add_test(tc, arguments);
    tcase_add_test(tc, long_chains);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
