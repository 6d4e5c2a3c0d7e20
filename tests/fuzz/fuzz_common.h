/* Shared code of the libFuzzer targets in tests/fuzz/ (docs/security.md §4).
 *
 * Every target uses the public API only. Each one reads its first input bytes
 * as a small header that chooses the profile, the table options and one of
 * the fixed rule tables below, then checks invariants and calls abort() when
 * one fails (that is how libFuzzer, and the replayer, report a finding).
 *
 * Header bytes are read relative to a printable base so that the committed
 * seeds are text files: option byte '0' + bits, table byte 'a' + index,
 * variant byte '0' + value. Any byte value is accepted (the arithmetic wraps
 * and is reduced modulo the number of choices).
 */
#ifndef REVPROXY_FUZZ_COMMON_H
#define REVPROXY_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__GNUC__)
#define FZ_FN static __attribute__((unused))
#define FZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define FZ_NORETURN __attribute__((noreturn))
#else
#define FZ_FN static
#define FZ_PRINTF(a, b)
#define FZ_NORETURN
#endif

/* ------------------------------------------------------------------------
 * Failure reporting: print what broke and the whole input, then abort().
 * ---------------------------------------------------------------------- */
static const uint8_t *fz_cur_data;
static size_t fz_cur_size;

FZ_FN void fz_dump(const char *label, const void *p, size_t n)
{
    const unsigned char *s = p;
    fprintf(stderr, "  %s (%zu bytes): \"", label, n);
    for (size_t i = 0; i < n && i < 4096; i++) {
        unsigned char c = s[i];
        if (c == '\\' || c == '"')
            fprintf(stderr, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, "%s\"\n", n > 4096 ? "..." : "");
}

FZ_FN FZ_NORETURN FZ_PRINTF(3, 4) void fz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "\n==FUZZ INVARIANT== %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (fz_cur_data)
        fz_dump("input", fz_cur_data, fz_cur_size);
    fflush(stderr);
    abort();
}

#define FZ_FAIL(...) fz_fail(__FILE__, __LINE__, __VA_ARGS__)
#define FZ_CHECK(cond, ...)                                                                  \
    do {                                                                                     \
        if (!(cond))                                                                         \
            fz_fail(__FILE__, __LINE__, "check '" #cond "' failed: " __VA_ARGS__);           \
    } while (0)

/* ------------------------------------------------------------------------
 * Small byte helpers (no ctype.h).
 * ---------------------------------------------------------------------- */
FZ_FN unsigned char fz_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

FZ_FN bool fz_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fz_lower((unsigned char)a[i]) != fz_lower((unsigned char)b[i]))
            return false;
    return true;
}

FZ_FN bool fz_has_crlfnul(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
            return true;
    return false;
}

/* Any byte that is not visible ASCII (0x21-0x7E)? */
FZ_FN bool fz_has_nonvisible(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c > 0x7e)
            return true;
    }
    return false;
}

/* Control byte or space (0x00-0x20, 0x7F)? Bytes >= 0x80 are not counted. */
FZ_FN bool fz_has_ctl(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c == 0x7f)
            return true;
    }
    return false;
}

FZ_FN int fz_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

FZ_FN bool fz_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

FZ_FN const void *fz_memmem(const void *h, size_t hn, const void *nd, size_t nn)
{
    const char *s = h;
    if (nn == 0)
        return h;
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(s + i, nd, nn) == 0)
            return s + i;
    return NULL;
}

FZ_FN bool fz_starts(const char *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(p, lit, k) == 0;
}

/* Path P (no query) matches prefix pat at a segment boundary (R10)? The
 * prefix is taken without a trailing '/'; "/" matches everything. On a match
 * *consumed is the number of bytes of P it covers. */
FZ_FN bool fz_seg_prefix(const char *p, size_t n, const char *pat, size_t *consumed)
{
    size_t k = strlen(pat);
    if (k > 1 && pat[k - 1] == '/')
        k--;
    if (k == 1 && pat[0] == '/') {
        *consumed = 0;
        return true;
    }
    if (n < k || memcmp(p, pat, k) != 0 || (n > k && p[k] != '/'))
        return false;
    *consumed = k;
    return true;
}

/* Is p the strict profile's canonical form of a path (SECURITY.md R3-R7)?
 * merge: slash merging on; keep_2f: %2F / %5C may remain (RP_SLASHES_KEEP).
 * Returns NULL when it is, or a reason. */
FZ_FN const char *fz_strict_canonical(const char *p, size_t n, bool merge, bool keep_2f)
{
    if (n == 0 || p[0] != '/')
        return "does not start with '/'";
    if (n >= 2 && p[1] == '/')
        return "starts with \"//\"";
    size_t seg = 1;
    for (size_t i = 1; i <= n; i++) {
        if (i == n || p[i] == '/') {
            size_t sl = i - seg;
            const char *s = p + seg;
            if ((sl == 1 && s[0] == '.') || (sl == 2 && s[0] == '.' && s[1] == '.'))
                return "dot segment";
            if (sl >= 2 && s[0] == '.' && (s[1] == ';' || (sl >= 3 && s[1] == '.' && s[2] == ';')))
                return "dot segment with parameters";
            if (merge && sl == 0 && i < n)
                return "\"//\" with slash merging on";
            seg = i + 1;
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (c == '%') {
            if (i + 2 >= n)
                return "'%' at the end";
            int h1 = fz_hexval((unsigned char)p[i + 1]), h2 = fz_hexval((unsigned char)p[i + 2]);
            if (h1 < 0 || h2 < 0)
                return "'%' not followed by two hex digits";
            if ((p[i + 1] >= 'a' && p[i + 1] <= 'f') || (p[i + 2] >= 'a' && p[i + 2] <= 'f'))
                return "lowercase hex digit";
            unsigned char v = (unsigned char)(h1 * 16 + h2);
            if (fz_unreserved(v))
                return "encoded unreserved character";
            if (v < 0x20 || v == 0x7f)
                return "encoded control byte";
            if ((v == '/' || v == '\\') && !keep_2f)
                return "encoded slash or backslash";
            i += 2;
            continue;
        }
        if (fz_unreserved(c))
            continue;
        switch (c) {
        case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
        case ',': case ';': case '=': case ':': case '@':
            continue;
        default:
            return "byte outside pchar";
        }
    }
    /* dot segments hidden as ".%3B" are parameters too */
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] == '/' && p[i + 1] == '.') {
            size_t j = i + 1, d = 0;
            while (j < n && d < 2 && p[j] == '.') {
                j++;
                d++;
            }
            if (n - j >= 3 && p[j] == '%' && p[j + 1] == '3' && (p[j + 2] == 'B'))
                return "dot segment with encoded parameters";
        }
    return NULL;
}

/* ------------------------------------------------------------------------
 * The header bytes.
 * ---------------------------------------------------------------------- */
enum {
    FZ_O_STRICT = 1u << 0,    /* RP_PROFILE_STRICT (else Apache) */
    FZ_O_NOMERGE = 1u << 1,   /* RP_OPT_MERGE_SLASHES 0 */
    FZ_O_SLASH_SHIFT = 2,     /* 2 bits: RP_SLASHES_* (3 = REJECT) */
    FZ_O_PRESERVE = 1u << 4,  /* RP_OPT_PRESERVE_HOST 1 */
    FZ_O_DERIVE_FLIP = 1u << 5 /* RP_OPT_DERIVE_REVERSE: the profile's default inverted */
};

FZ_FN unsigned fz_opts(uint8_t b)
{
    return (unsigned)(uint8_t)(b - '0') & 63u;
}

FZ_FN unsigned fz_slashes(unsigned o)
{
    unsigned s = (o >> FZ_O_SLASH_SHIFT) & 3u;
    return s == 3 ? RP_SLASHES_REJECT : s;
}

FZ_FN bool fz_strict(unsigned o)
{
    return (o & FZ_O_STRICT) != 0;
}

FZ_FN bool fz_merge(unsigned o)
{
    return (o & FZ_O_NOMERGE) == 0;
}

FZ_FN bool fz_derive(unsigned o)
{
    return fz_strict(o) != ((o & FZ_O_DERIVE_FLIP) != 0);
}

FZ_FN unsigned fz_variant(uint8_t b)
{
    return (unsigned)(uint8_t)(b - '0');
}

/* ------------------------------------------------------------------------
 * The fixed rule tables.
 * ---------------------------------------------------------------------- */
enum { FZ_PASS = 1, FZ_MATCH, FZ_REV, FZ_CDOM, FZ_CPATH };

typedef struct fz_rule {
    int         kind;
    const char *a;      /* path, regex, public path, cookie internal */
    const char *b;      /* URL, template, backend URL, cookie public; NULL: exclusion */
    unsigned    flags;  /* RP_RULE_* or RP_COOKIE_* */
    const char *loc;    /* <Location> scope of reverse and cookie rules */
} fz_rule;

typedef struct fz_spec {
    const char    *name;
    const fz_rule *rules;
    size_t         n;
    const char    *server_name;
    const char   **extra_public; /* public prefixes that regex rules derive */
} fz_spec;

#define FZ_N(a) (sizeof(a) / sizeof((a)[0]))

/* 0: the root rule alone. */
static const fz_rule fz_t_root[] = {
    {FZ_PASS, "/", "http://r/", 0, NULL},
};

/* 1: nested prefixes, an exclusion, trailing slashes, a backend without a
 * path, reverse and cookie rules. */
static const fz_rule fz_t_nested[] = {
    {FZ_PASS, "/app", "http://backend.internal:8080/internal", 0, NULL},
    {FZ_PASS, "/app/static", NULL, RP_RULE_EXCLUDE, NULL},
    {FZ_PASS, "/app/api", "http://api.internal:9090/v1/", 0, NULL},
    {FZ_PASS, "/img/", "http://images.internal/static/", 0, NULL},
    {FZ_PASS, "/files", "https://files.internal/", 0, NULL},
    {FZ_PASS, "/bare", "http://bare.internal:8080", 0, NULL},
    {FZ_PASS, "/api", "http://b:8080/v1", 0, NULL},
    {FZ_REV, "/app", "http://backend.internal:8080/internal", 0, NULL},
    {FZ_REV, "/pub", "http://other.internal/", 0, NULL},
    {FZ_REV, "/api", "http://b:8080/v1", 0, NULL},
    {FZ_CDOM, "backend.internal", "www.example.com", 0, NULL},
    {FZ_CDOM, "b.internal", "www.example.com", 0, NULL},
    {FZ_CDOM, ".api.internal", ".example.com", 0, NULL},
    {FZ_CPATH, "/internal", "/app", 0, NULL},
    {FZ_CPATH, "/v1/", "/app/api/", 0, NULL},
    {FZ_CPATH, "/v1", "/api", 0, NULL},
};

/* 2: regex rules (skipped when the library has no PCRE2) over a root rule. */
static const char *fz_t_regex_public[] = {"/img/", NULL};
static const fz_rule fz_t_regex[] = {
    {FZ_MATCH, "^/img/(.*)$", "http://images.internal/static/$1", 0, NULL},
    {FZ_MATCH, "^/u/([^/]+)/(.*)$", "http://users.internal/p/$2?user=$1", 0, NULL},
    {FZ_MATCH, "\\.php$", "http://fpm.internal:9000/fpm", 0, NULL},
    {FZ_MATCH, "^/private(/|$)", NULL, RP_RULE_EXCLUDE, NULL},
    {FZ_MATCH, "^/dl/([^/]*)/(.*)$", "http://dl.internal/$2/$1", 0, NULL},
    {FZ_MATCH, "^/(a+)+b$", "http://redos.internal/", 0, NULL},
    {FZ_MATCH, "^/here/(.*)", "http://b:8080/elsewhere?$1", 0, NULL},
    {FZ_PASS, "/", "http://r/", 0, NULL},
    {FZ_REV, "/", "http://r/", 0, NULL},
};

/* 3: rules written inside <Location> sections. */
static const fz_rule fz_t_location[] = {
    {FZ_PASS, "/app", "http://backend.internal:8080/internal", 0, NULL},
    {FZ_PASS, "/app/admin", "http://admin.internal/x", RP_RULE_LOCATION, NULL},
    {FZ_MATCH, "^/loc/(.*)$", "http://loc.internal/l/$1", RP_RULE_LOCATION, NULL},
    {FZ_PASS, "/app/admin/off", NULL, RP_RULE_EXCLUDE | RP_RULE_LOCATION, NULL},
    {FZ_REV, "/app/admin", "http://admin.internal/x", 0, "/app/admin"},
    {FZ_REV, "/app", "http://backend.internal:8080/internal", 0, NULL},
    {FZ_REV, "/loc", "http://loc.internal/l", 0, "/loc"},
    {FZ_CPATH, "/x", "/app/admin", 0, "/app/admin"},
    {FZ_CPATH, "/internal", "/app", 0, NULL},
    {FZ_CDOM, "admin.internal", "admin.example.com", 0, "/app/admin"},
    {FZ_CDOM, "backend.internal", "www.example.com", 0, NULL},
};

/* 4: trailing-slash variants on either side, and a root rule whose backend
 * has no path. */
static const fz_rule fz_t_slashes[] = {
    {FZ_PASS, "/a/", "http://b/internal", 0, NULL},
    {FZ_PASS, "/c", "http://b/c-internal/", 0, NULL},
    {FZ_PASS, "/d/", "http://b/d/", 0, NULL},
    {FZ_PASS, "/", "http://root.internal:8080", 0, NULL},
    {FZ_REV, "/a/", "http://b/internal", 0, NULL},
    {FZ_REV, "/c", "http://b/c-internal/", 0, NULL},
    {FZ_REV, "/", "http://root.internal:8080", 0, NULL},
    {FZ_CPATH, "/internal/", "/a/", 0, NULL},
    {FZ_CPATH, "/c-internal", "/c", RP_COOKIE_REPLACE_WHOLE, NULL},
    {FZ_CDOM, "root.internal", "example.com", 0, NULL},
};

/* 5: other origins (IPv6, https, ws), the Apache-only rule flags, a
 * ServerName, cookie flags. */
static const fz_rule fz_t_origins[] = {
    {FZ_PASS, "/v6", "http://[fd00::5]:8080/v1", 0, NULL},
    {FZ_PASS, "/s", "https://secure.internal/s", 0, NULL},
    {FZ_PASS, "/ws", "ws://ws.internal:81/socket", 0, NULL},
    {FZ_PASS, "/raw", "http://raw.internal/r", RP_RULE_NOCANON, NULL},
    {FZ_PASS, "/enc", "http://enc.internal/e", RP_RULE_MAPPING_ENCODED, NULL},
    {FZ_PASS, "/srv", "http://srv.internal/s", RP_RULE_MAPPING_SERVLET, NULL},
    {FZ_PASS, "/q", "http://q.internal/q", RP_RULE_NOQUERY, NULL},
    {FZ_REV, "/v6", "http://[FD00:0::5]:8080/v1", 0, NULL},
    {FZ_REV, "/s", "https://secure.internal/s", 0, NULL},
    {FZ_CDOM, "secure.internal", "secure.example.com", 0, NULL},
    {FZ_CDOM, "internal", "example.com", 0, NULL},
    {FZ_CDOM, "b.c.internal", "example.com", RP_COOKIE_ALLOW_WIDENING, NULL},
    {FZ_CPATH, "/s", "/pub", RP_COOKIE_REPLACE_WHOLE, NULL},
    {FZ_CPATH, "/", "/root", 0, NULL},
};

static const fz_spec fz_specs[] = {
    {"root", fz_t_root, FZ_N(fz_t_root), NULL, NULL},
    {"nested", fz_t_nested, FZ_N(fz_t_nested), NULL, NULL},
    {"regex", fz_t_regex, FZ_N(fz_t_regex), NULL, fz_t_regex_public},
    {"location", fz_t_location, FZ_N(fz_t_location), NULL, NULL},
    {"slashes", fz_t_slashes, FZ_N(fz_t_slashes), NULL, NULL},
    {"origins", fz_t_origins, FZ_N(fz_t_origins), "www.example.com", NULL},
};
#define FZ_NSPECS FZ_N(fz_specs)

typedef struct fz_tab {
    rp_table      *t;
    const fz_spec *spec;
    unsigned       opts;
    size_t         nfwd;
    const fz_rule *fwd[32]; /* rp_match.rule_index -> rule */
    bool           has_regex;
} fz_tab;

static fz_tab *fz_cache[64][FZ_NSPECS];
static bool fz_atexit_done;

FZ_FN void fz_cache_free(void)
{
    for (size_t o = 0; o < 64; o++)
        for (size_t s = 0; s < FZ_NSPECS; s++) {
            if (fz_cache[o][s]) {
                rp_table_free(fz_cache[o][s]->t);
                free(fz_cache[o][s]);
                fz_cache[o][s] = NULL;
            }
        }
}

/* The compiled table for option bits o and table byte tb (cached). */
FZ_FN const fz_tab *fz_table(unsigned o, unsigned tb)
{
    size_t si = tb % FZ_NSPECS;
    o &= 63u;
    if (fz_cache[o][si])
        return fz_cache[o][si];
    if (!fz_atexit_done) {
        atexit(fz_cache_free);
        fz_atexit_done = true;
    }
    const fz_spec *sp = &fz_specs[si];
    fz_tab *ft = calloc(1, sizeof *ft);
    if (!ft)
        abort();
    ft->spec = sp;
    ft->opts = o;
    rp_builder *b = NULL;
    rp_diag d;
    if (rp_builder_new(fz_strict(o) ? RP_PROFILE_STRICT : RP_PROFILE_APACHE, NULL, &b) != RP_OK)
        FZ_FAIL("rp_builder_new");
    if (rp_builder_set_option(b, RP_OPT_MERGE_SLASHES, fz_merge(o) ? 1u : 0u) != RP_OK ||
        rp_builder_set_option(b, RP_OPT_ENCODED_SLASHES, fz_slashes(o)) != RP_OK ||
        rp_builder_set_option(b, RP_OPT_PRESERVE_HOST, (o & FZ_O_PRESERVE) ? 1u : 0u) != RP_OK ||
        rp_builder_set_option(b, RP_OPT_DERIVE_REVERSE, fz_derive(o) ? 1u : 0u) != RP_OK)
        FZ_FAIL("rp_builder_set_option");
    if (sp->server_name &&
        rp_builder_set_server_name(b, sp->server_name, strlen(sp->server_name)) != RP_OK)
        FZ_FAIL("rp_builder_set_server_name");
    for (size_t i = 0; i < sp->n; i++) {
        const fz_rule *r = &sp->rules[i];
        size_t al = strlen(r->a), bl = r->b ? strlen(r->b) : 0, ll = r->loc ? strlen(r->loc) : 0;
        rp_status st = RP_OK;
        switch (r->kind) {
        case FZ_PASS:
            st = rp_builder_add_pass(b, r->a, al, r->b, bl, r->flags, &d);
            /* docs/api.md §4.5 says the strict profile accepts the Apache-only
             * flags with no effect; lib/builder.c refuses them: skip the rule */
            if (st == RP_E_CONFIG && fz_strict(o) &&
                (r->flags & (RP_RULE_NOCANON | RP_RULE_MAPPING_ENCODED | RP_RULE_MAPPING_SERVLET)))
                continue;
            break;
        case FZ_MATCH:
            st = rp_builder_add_pass_match(b, r->a, al, r->b, bl, r->flags, &d);
            if (st == RP_E_UNSUPPORTED)
                continue; /* built without PCRE2 */
            break;
        case FZ_REV:
            st = rp_builder_add_reverse(b, r->a, al, r->b, bl, r->loc, ll, &d);
            break;
        case FZ_CDOM:
            st = rp_builder_add_cookie_domain(b, r->a, al, r->b, bl, r->loc, ll, r->flags, &d);
            break;
        case FZ_CPATH:
            st = rp_builder_add_cookie_path(b, r->a, al, r->b, bl, r->loc, ll, r->flags, &d);
            break;
        default:
            abort();
        }
        if (st != RP_OK)
            FZ_FAIL("table %s rule %zu (%s): %s: %s", sp->name, i, r->a, rp_status_name(st),
                    d.message);
        if (r->kind == FZ_PASS || r->kind == FZ_MATCH) {
            if (ft->nfwd >= FZ_N(ft->fwd))
                abort();
            ft->fwd[ft->nfwd++] = r;
            if (r->kind == FZ_MATCH)
                ft->has_regex = true;
        }
    }
    if (rp_builder_compile(b, &ft->t, &d) != RP_OK)
        FZ_FAIL("compile table %s: %s", sp->name, d.message);
    rp_builder_free(b);
    if (rp_table_rule_count(ft->t) != ft->nfwd)
        FZ_FAIL("table %s: rule count %zu, expected %zu", sp->name, rp_table_rule_count(ft->t),
                ft->nfwd);
    fz_cache[o][si] = ft;
    return ft;
}

/* Origin ("scheme://authority") of a rule URL as the library writes it (the
 * URLs above are already lowercase, without a default port). */
FZ_FN size_t fz_origin_len(const char *url)
{
    const char *s = strstr(url, "://");
    if (!s)
        return 0;
    const char *p = strchr(s + 3, '/');
    return p ? (size_t)(p - url) : strlen(url);
}

/* ------------------------------------------------------------------------
 * The size protocol (SECURITY.md R23): every output function is called
 *   1. with (NULL, 0): counting mode,
 *   2. with a large buffer,
 *   3. with a buffer of exactly the size needed,
 *   4. with buffers one byte short and of a size chosen by the input, and
 *      with a non-NULL buffer of size 0,
 * and the answers must agree: the size reported by RP_E_NOSPACE is what the
 * large-buffer call wrote, nothing is written past out_size (the short
 * buffers are heap blocks of exactly that size, so ASan or valgrind sees any
 * overrun), and repeated calls give the same bytes.
 * ---------------------------------------------------------------------- */
typedef rp_status (*fz_call)(void *ctx, char *out, size_t out_size, size_t *out_len);

#define FZ_BIG (64u * 1024u)

typedef struct fz_res {
    rp_status st;
    size_t    len;
    char     *out; /* heap copy, NUL-terminated (len bytes) when st is OK/NO_MATCH */
    rp_status st_query; /* the status of the counting call */
} fz_res;

enum {
    FZ_SZ_MAP = 1u << 0 /* rp_map_request: documented exception for strict regex checks */
};

FZ_FN bool fz_status_valid(rp_status st)
{
    return (unsigned)st <= (unsigned)RP_STATUS_LAST;
}

FZ_FN fz_res fz_sized(fz_call fn, void *ctx, unsigned salt, unsigned flags)
{
    fz_res r;
    size_t nq = 12345, n = 0;
    memset(&r, 0, sizeof r);
    rp_status sq = fn(ctx, NULL, 0, &nq);
    char *big = malloc(FZ_BIG);
    if (!big)
        abort();
    memset(big, 0xA5, FZ_BIG);
    rp_status st = fn(ctx, big, FZ_BIG, &n);
    FZ_CHECK(fz_status_valid(st) && fz_status_valid(sq), "status %d / %d", (int)st, (int)sq);
    FZ_CHECK(st != RP_E_INTERNAL && sq != RP_E_INTERNAL, "RP_E_INTERNAL");
    FZ_CHECK(st != RP_E_ARG && sq != RP_E_ARG, "RP_E_ARG for valid arguments");
    FZ_CHECK(st != RP_E_NOSPACE, "RP_E_NOSPACE with a %u-byte buffer (needed %zu)", FZ_BIG, n);
    r.st = st;
    r.st_query = sq;
    r.len = n;
    /* rp_map_request writes only with RP_OK; the reverse functions write the
     * value unchanged with RP_NO_MATCH too */
    if (st == RP_OK || (st == RP_NO_MATCH && !(flags & FZ_SZ_MAP))) {
        FZ_CHECK(n < FZ_BIG, "length %zu", n);
        FZ_CHECK(big[n] == '\0', "output not NUL-terminated at %zu", n);
        FZ_CHECK(sq == RP_E_NOSPACE && nq == n,
                 "counting call: %s with %zu bytes, real call: %s with %zu bytes",
                 rp_status_name(sq), nq, rp_status_name(st), n);
        /* exact size */
        char *ex = malloc(n + 1);
        size_t n2 = 0;
        if (!ex)
            abort();
        rp_status s2 = fn(ctx, ex, n + 1, &n2);
        FZ_CHECK(s2 == st && n2 == n && memcmp(ex, big, n + 1) == 0,
                 "exact-size call: %s with %zu bytes, large buffer: %s with %zu bytes",
                 rp_status_name(s2), n2, rp_status_name(st), n);
        free(ex);
        /* non-NULL buffer of size 0 */
        char one[1] = {'x'};
        size_t n0 = 0;
        rp_status s0 = fn(ctx, one, 0, &n0);
        FZ_CHECK(s0 == RP_E_NOSPACE && n0 == n && one[0] == 'x',
                 "size-0 call: %s with %zu bytes (want RP_E_NOSPACE, %zu)", rp_status_name(s0),
                 n0, n);
        /* too small: one byte short, and a size chosen by the input */
        size_t sizes[2] = {n, n ? 1 + salt % n : 0};
        for (int k = 0; k < 2; k++) {
            size_t sz = sizes[k];
            if (sz == 0 || (k == 1 && sz == n))
                continue;
            char *sm = malloc(sz);
            size_t n3 = 0;
            if (!sm)
                abort();
            rp_status s3 = fn(ctx, sm, sz, &n3);
            FZ_CHECK(s3 == RP_E_NOSPACE && n3 == n,
                     "%zu-byte buffer: %s with %zu bytes (want RP_E_NOSPACE, %zu)", sz,
                     rp_status_name(s3), n3, n);
            free(sm);
        }
        r.out = big;
        return r;
    }
    free(big);
    if (st == RP_E_NOSPACE)
        return r;
    /* errors: the counting call fails the same way (map: strict regex output
     * is only checked when it fits, docs/api.md §1.3) */
    if (!((flags & FZ_SZ_MAP) && sq == RP_E_NOSPACE && st == RP_E_UNSAFE_OUTPUT))
        FZ_CHECK(sq == st, "counting call: %s, real call: %s", rp_status_name(sq),
                 rp_status_name(st));
    return r;
}

FZ_FN void fz_res_free(fz_res *r)
{
    free(r->out);
    r->out = NULL;
}

/* ------------------------------------------------------------------------
 * Response contexts chosen by a variant value.
 * ---------------------------------------------------------------------- */
static const char *const fz_pub_origins[] = {NULL, "https://www.example.com",
                                             "http://pub.example:8080/"};
static const char *const fz_backend_urls[] = {NULL, "http://backend.internal:8080/internal/x/y",
                                              "http://images.internal/static/a/"};
static const char *const fz_req_targets[] = {NULL, "/app/admin/x", "/loc/q?x=1"};

FZ_FN rp_response_ctx fz_ctx(unsigned v)
{
    rp_response_ctx c;
    const char *po = fz_pub_origins[v % 3];
    const char *bu = fz_backend_urls[(v / 3) % 3];
    const char *rt = fz_req_targets[(v / 9) % 3];
    c.public_origin = po;
    c.public_origin_len = po ? strlen(po) : 0;
    c.backend_url = bu;
    c.backend_url_len = bu ? strlen(bu) : 0;
    c.request_target = rt;
    c.request_target_len = rt ? strlen(rt) : 0;
    return c;
}

/* The origin the reverse functions put in front of an absolute result. */
FZ_FN size_t fz_put_origin(const fz_tab *T, const rp_response_ctx *c, char *buf, size_t cap)
{
    size_t n = 0;
    if (c->public_origin) {
        n = c->public_origin_len;
        while (n && c->public_origin[n - 1] == '/')
            n--;
        if (n >= cap)
            abort();
        memcpy(buf, c->public_origin, n);
    } else if (T->spec->server_name) {
        n = (size_t)snprintf(buf, cap, "http://%s", T->spec->server_name);
    }
    return n;
}

#endif /* REVPROXY_FUZZ_COMMON_H */
