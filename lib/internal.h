/* Hidden declarations shared by the files of lib/. Nothing here is ABI. */
#ifndef REVPROXY_INTERNAL_H
#define REVPROXY_INTERNAL_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "revproxy/revproxy.h"

#define RP_INTERNAL __attribute__((visibility("hidden")))

/* ---- allocation (alloc.c) ---------------------------------------------- */
RP_INTERNAL void rp__alloc_init(rp_allocator *dst, const rp_allocator *src);
RP_INTERNAL void *rp__malloc(const rp_allocator *a, size_t n);
RP_INTERNAL void *rp__realloc(const rp_allocator *a, void *p, size_t old_n, size_t new_n);
RP_INTERNAL void rp__free(const rp_allocator *a, void *p, size_t n);
/* Copy (p, n) into a new NUL-terminated buffer of n + 1 bytes. */
RP_INTERNAL char *rp__memdup(const rp_allocator *a, const char *p, size_t n);
/* Grow *arr (element size elem) so that it holds at least need elements. */
RP_INTERNAL rp_status rp__grow(const rp_allocator *a, void **arr, size_t *cap, size_t need,
                               size_t elem);

/* ---- diagnostics (status.c) -------------------------------------------- */
RP_INTERNAL void rp__diag_clear(rp_diag *d);
RP_INTERNAL rp_status rp__diag_set(rp_diag *d, rp_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with a position (the loaders: line, column, byte offset). */
RP_INTERNAL rp_status rp__diag_vset_at(rp_diag *d, rp_status code, uint32_t line, uint32_t col,
                                       size_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* ---- byte classes (writer.c) ------------------------------------------- */
RP_INTERNAL int rp__hexval(unsigned char c); /* -1 if not a hex digit */
RP_INTERNAL bool rp__is_unreserved(unsigned char c);
static inline unsigned char rp__lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ---- bounded writer (writer.c) -----------------------------------------
 * One routine for counting and writing: with buf == NULL (or cap == 0) it
 * only counts. len always grows by what was asked, so the caller learns the
 * size needed even when the buffer was too small. */
typedef struct rp_writer {
    char  *buf;
    size_t cap; /* bytes usable for content (one byte is kept for the NUL) */
    size_t len; /* bytes asked for so far */
} rp_writer;

RP_INTERNAL void rp__w_init(rp_writer *w, char *out, size_t out_size);
/* Inline: the request paths write through these for every piece. */
static inline void rp__w_put(rp_writer *w, const char *p, size_t n)
{
    if (n && w->buf && w->len <= w->cap && n <= w->cap - w->len)
        memcpy(w->buf + w->len, p, n);
    if (n > SIZE_MAX - w->len)
        w->len = SIZE_MAX; /* saturate: reported as too long */
    else
        w->len += n;
}
static inline void rp__w_byte(rp_writer *w, unsigned char c)
{
    if (w->buf && w->len < w->cap)
        w->buf[w->len] = (char)c;
    if (w->len != SIZE_MAX)
        w->len++;
}
RP_INTERNAL void rp__w_pct(rp_writer *w, unsigned char c); /* "%XX", uppercase */
/* Finish: NUL-terminate, set *out_len, return RP_OK, RP_E_NOSPACE or
 * RP_E_TOO_LONG (over max). */
RP_INTERNAL rp_status rp__w_finish(rp_writer *w, size_t max, size_t *out_len);

/* A parsed backend as a compiled table keeps it: the origin lives in the
 * table's string arena (usually it is the start of the URL itself). */
typedef struct rp_tbackend {
    const char *origin;
    uint32_t    path_off;
    uint16_t    origin_len;
    uint16_t    authority_off;
    uint16_t    port;
    bool        bad_port;
    /* set by rp_builder_compile for forward rules (in the padding): */
    bool        path_plain; /* the path holds nothing Apache's encoding escapes */
    bool        ctl;        /* the URL holds a control byte or a space (Apache profile) */
} rp_tbackend;

/* ---- the builder (builder.c) ------------------------------------------- */
enum { RP_KIND_PASS = 1, RP_KIND_MATCH = 2 };
enum { RP_COOKIE_DOMAIN = 1, RP_COOKIE_PATH = 2 }; /* rp_bcookie.kind */

typedef struct rp_brule {
    unsigned kind;  /* RP_KIND_* */
    unsigned flags; /* RP_RULE_* */
    uint32_t line;
    uint32_t column; /* of the directive (0: programmatic) */
    char    *pattern; /* path prefix or regex; NUL-terminated copy */
    size_t   pattern_len;
    char    *url; /* backend URL or template; NULL for exclusions */
    size_t   url_len;
    /* ProxyPass: the URL as rp_builder_add_pass parsed it (be.origin NULL),
     * so that rp_builder_compile need not parse it again */
    rp_tbackend be;
    bool        be_ok;      /* be is valid */
    bool        be_differs; /* the normalized origin is not the URL's start */
} rp_brule;

typedef struct rp_brev {
    uint32_t line;
    uint32_t column;
    char    *path;
    size_t   path_len;
    char    *url;
    size_t   url_len;
    char    *location; /* NULL when not inside <Location> */
    size_t   location_len;
} rp_brev;

typedef struct rp_bcookie {
    unsigned kind; /* RP_COOKIE_DOMAIN / RP_COOKIE_PATH */
    unsigned flags; /* RP_COOKIE_REPLACE_WHOLE, RP_COOKIE_ALLOW_WIDENING */
    uint32_t line;
    uint32_t column;
    char    *location; /* NULL when not inside <Location> */
    size_t   location_len;
    char    *internal;
    size_t   internal_len;
    char    *pub;
    size_t   pub_len;
} rp_bcookie;

#define RP_NLIMITS 7

struct rp_builder {
    rp_allocator a;
    unsigned     profile;
    size_t       limits[RP_NLIMITS]; /* indexed by RP_LIMIT_* */
    unsigned     enc_slashes;        /* RP_SLASHES_* */
    unsigned     merge_slashes;      /* 0/1 */
    unsigned     preserve_host;      /* 0/1 */
    unsigned     derive_reverse;     /* 0/1 */
    char        *server_name;
    size_t       server_name_len;

    rp_brule  *rules;
    size_t     nrules, caprules;
    rp_brev   *revs;
    size_t     nrevs, caprevs;
    rp_bcookie *cookies;
    size_t     ncookies, capcookies;
    rp_diag   *warnings;
    size_t     nwarnings, capwarnings;
    /* strict: the prefix rules by path (without a trailing '/'), to refuse a
     * duplicate in constant time; indexes into rules, UINT32_MAX = free.
     * Dropped when rules are truncated, rebuilt on the next add. */
    uint32_t  *dups;
    size_t     ndups, capdups; /* capdups: a power of two, or 0 */

    uint32_t cur_line; /* line of the directive being loaded; 0 = programmatic */
    uint32_t cur_column; /* its column */
    uint32_t opt_line[RP_OPT_DERIVE_REVERSE + 1]; /* where each option was last set */
    uint32_t opt_column[RP_OPT_DERIVE_REVERSE + 1];
    bool     warn_oom; /* a warning could not be stored (reported as RP_E_NOMEM) */
};

/* Record a warning (an ignored directive, ...). Best effort: a failed
 * allocation drops the warning. */
RP_INTERNAL void rp__builder_warn(rp_builder *b, uint32_t line, uint32_t column,
                                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Drop rules, reverse rules, cookie rules and warnings added after the
 * given counts (used to undo a failed rp_builder_add_config). */
RP_INTERNAL void rp__builder_truncate(rp_builder *b, size_t nrules, size_t nrevs, size_t ncookies,
                                      size_t nwarnings);

/* ---- backend URLs (uri.c) ----------------------------------------------- */
typedef struct rp_backend {
    /* Normalized origin for output: scheme "://" host [":" port], with the
     * scheme and host lowercased and a default port dropped. */
    char    origin[300];
    size_t  origin_len;
    size_t  authority_off; /* host[:port] inside origin (the Host header value) */
    unsigned port;         /* effective port */
    bool    bad_port;      /* port out of range (Apache profile: 400 at request time) */
    size_t  path_off;      /* where the path (or template rest) starts in the URL text */
} rp_backend;

/* Parse "scheme://[userinfo@]host[:port]" at the start of url (the rest is the
 * path, returned through be->path_off). strict: userinfo refused, the whole
 * URL must be an RFC 3986 URI without query or fragment. */
#define RP_BE_STRICT   1u /* strict profile checks */
#define RP_BE_TEMPLATE 2u /* a ProxyPassMatch template: "$N" and a query allowed */
RP_INTERNAL rp_status rp__parse_backend(const char *url, size_t len, unsigned mode, rp_backend *be,
                                        rp_diag *diag);

/* A view of be (valid while be lives). */
RP_INTERNAL void rp__tbackend_view(const rp_backend *be, rp_tbackend *out);

/* "[v6]" -> 16 bytes (uriparser on a stack arena). false if not an IPv6 literal. */
RP_INTERNAL bool rp__ip6_parse(const char *s, size_t n, unsigned char out[16]);
/* Host header syntax, for rp_map_request (Host, absolute-form authority),
 * rp_public_origin and rp_forwarded (the host it sends): a reg-name
 * (letters, digits, '-', '.', '_'; an IPv4 address is one) or an IPv6
 * literal in brackets that rp__ip6_parse accepts, then optionally ':' and
 * a port 1-65535 (empty: the default). Inline: every request's Host
 * passes here. */
static inline bool rp__host_valid(const char *h, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return false;
    if (h[0] == '[') {
        const char *rb = (const char *)memchr(h, ']', n);
        unsigned char ip[16];
        if (!rb || !rp__ip6_parse(h, (size_t)(rb - h) + 1, ip))
            return false;
        i = (size_t)(rb - h) + 1;
    } else {
        while (i < n && h[i] != ':') {
            unsigned char c = (unsigned char)h[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_'))
                return false;
            i++;
        }
        if (i == 0)
            return false;
    }
    if (i == n)
        return true;
    if (h[i] != ':')
        return false;
    if (++i == n)
        return true; /* empty port: the default */
    unsigned long port = 0;
    for (; i < n; i++) {
        if (h[i] < '0' || h[i] > '9')
            return false;
        port = port * 10 + (unsigned long)(h[i] - '0');
        if (port > 65535)
            return false;
    }
    return port > 0;
}
/* RFC 3986 §5.2 resolution of ref against an absolute base, into out (cap
 * bytes, NUL-terminated). No heap: uriparser runs on a stack arena; more
 * than 128 segments is RP_E_TOO_LONG. */
RP_INTERNAL rp_status rp__resolve(const char *base, size_t blen, const char *ref, size_t rlen,
                                  char *out, size_t cap, size_t *olen);

/* ---- request-target canonicalization (target.c) ------------------------- */
#define RP_C_STRICT_CHARS   (1u << 0) /* R2: refuse '\', bytes >= 0x80, "<>[]^`{|}" */
#define RP_C_CTL_DECODED    (1u << 1) /* refuse %00-%1F and %7F (RP_E_CTL) */
#define RP_C_UTF8           (1u << 2) /* decoded bytes >= 0x80 must be UTF-8 */
#define RP_C_DOT_PARAM      (1u << 3) /* refuse "..;x", ".;x", "..%3B" segments */
#define RP_C_MERGE          (1u << 4) /* merge runs of '/' */
#define RP_C_UPPER_HEX      (1u << 5) /* rewrite kept %xx as %XX */
#define RP_C_LITERAL        (1u << 6) /* '%' is a literal byte (already decoded text) */
#define RP_C_BACKSLASH_ENC  (1u << 7) /* %5C follows the encoded-slash policy */
#define RP_C_SERVLET        (1u << 8) /* dot segments by name before ';' */

typedef struct rp_canon_opts {
    unsigned flags;
    unsigned slashes;      /* RP_SLASHES_* for %2F in phase 1 (strict) */
    size_t   max_segments; /* 0 = no limit */
} rp_canon_opts;

/* Phase 1: one left-to-right pass over a raw path (no query): checks bytes,
 * decodes %XX of unreserved characters, removes dot segments, merges
 * slashes. out must hold len bytes. The output always starts with '/'. */
RP_INTERNAL rp_status rp__canon_path(const char *in, size_t len, const rp_canon_opts *o,
                                     char *out, size_t *out_len, size_t *err_off);
/* Apache's second step: decode every %XX in place (ap_unescape_url).
 * %2F follows the policy; %00 is RP_E_ENCODED_NUL. *decoded_slash is set
 * when a %2F was decoded (RP_SLASHES_DECODE). */
RP_INTERNAL rp_status rp__unescape_all(char *p, size_t *len, unsigned slashes,
                                       bool *decoded_slash);
/* Raw byte check of a query (everything after the first '?'). */
RP_INTERNAL rp_status rp__check_query(const char *q, size_t len, bool strict, size_t *err_off);

/* ---- regex (regex.c) ----------------------------------------------------- */
#define RP_MAX_CAPTURES 10 /* $0..$9 */
typedef struct rp_regex rp_regex;
RP_INTERNAL bool rp__regex_available(void);
/* jit: also JIT-compile (the table's copy; a validation compile skips it). */
RP_INTERNAL rp_status rp__regex_compile(const rp_allocator *a, const char *pat, size_t len,
                                        bool jit, rp_regex **out, rp_diag *diag);
RP_INTERNAL void rp__regex_free(const rp_allocator *a, rp_regex *re);
RP_INTERNAL unsigned rp__regex_groups(const rp_regex *re); /* capture groups */
/* Match subject; on RP_OK, ov[2k], ov[2k+1] are the bounds of group k or
 * SIZE_MAX when unset; *ngroups is the number of pairs filled. RP_NO_MATCH
 * or RP_E_LIMIT (a limit was hit: fail closed). Allocates nothing. */
RP_INTERNAL rp_status rp__regex_match(const rp_regex *re, const char *s, size_t len,
                                      size_t ov[2 * RP_MAX_CAPTURES], unsigned *ngroups);

/* ---- the flat hash indexes (index.c) ----------------------------------------
 * Keys are byte strings hashed 8 bytes at a time, so that a caller walking a
 * path can hash every prefix that ends at a '/' in one pass (rp_hasher).
 * Slots keep 32 bits of the hash and the key length; a hit is always
 * verified against the rule itself, so a collision costs a comparison,
 * never a wrong answer. */
#define RP_SLOT_EMPTY UINT32_MAX

typedef struct rp_hasher {
    uint64_t h;     /* state over the full words before pos */
    size_t   pos;   /* multiple of 8 */
} rp_hasher;
static inline uint64_t rp__load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}
/* The bytes s[start..n), fewer than 8, as a word; reads nothing outside
 * s[0..n). */
static inline uint64_t rp__load_tail(const char *s, size_t start, size_t n)
{
    size_t r = n - start;
    if (r == 0)
        return 0;
    if (n >= 8)
        return rp__load8(s + n - 8) >> (8 * (8 - r));
    uint64_t w = 0;
    for (size_t i = 0; i < r; i++)
        w |= (uint64_t)(unsigned char)s[start + i] << (8 * i);
    return w;
}
/* Index of the first '/' in s[from..n), or n. */
static inline size_t rp__find_slash(const char *s, size_t from, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t i = from;
    for (; i + 8 <= n; i += 8) {
        uint64_t x = rp__load8(s + i) ^ (ones * '/');
        uint64_t z = (x - ones) & ~x & high;
        if (z) {
            /* the lowest flagged byte is exact (false positives only
             * follow a true one) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + ((size_t)__builtin_ctzll(z) >> 3);
#else
            for (; s[i] != '/'; i++) {
            }
            return i;
#endif
        }
    }
    for (; i < n; i++)
        if (s[i] == '/')
            return i;
    return n;
}
/* ASCII lowercase of 8 bytes at once. */
static inline uint64_t rp__lower8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t x = w & ~high;
    uint64_t ge_a = x + ones * (0x80 - 'A');
    uint64_t gt_z = x + ones * (0x7f - 'Z');
    uint64_t up = ge_a & ~gt_z & ~w & high;
    return w | (up >> 2);
}
/* ASCII case-insensitive equality of n bytes. */
static inline bool rp__ieq(const char *a, const char *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (rp__lower8(rp__load8(a + i)) != rp__lower8(rp__load8(b + i)))
            return false;
    for (; i < n; i++)
        if (rp__lower((unsigned char)a[i]) != rp__lower((unsigned char)b[i]))
            return false;
    return true;
}
static inline uint64_t rp__mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}
static inline uint64_t rp__fmix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}
static inline void rp__hasher_init(rp_hasher *hs)
{
    hs->h = 0x243f6a8885a308d3ull;
    hs->pos = 0;
}
/* Hash of s[0..n); s[0..n) must be readable, and n must not go below the
 * previous call's n on the same hasher. */
static inline uint64_t rp__hash_prefix(rp_hasher *hs, const char *s, size_t n)
{
    while (hs->pos + 8 <= n) {
        hs->h = rp__mix(hs->h, rp__load8(s + hs->pos));
        hs->pos += 8;
    }
    uint64_t tail = rp__load_tail(s, hs->pos, n);
    return rp__fmix(hs->h ^ (tail * 0x9fb21c651e98df25ull) ^ (uint64_t)n);
}
static inline uint64_t rp__hash_bytes(const char *s, size_t n)
{
    rp_hasher hs;
    rp__hasher_init(&hs);
    return rp__hash_prefix(&hs, s, n);
}

/* The forward index: one slot per distinct key, a rule path without its
 * trailing '/' (strict), or with runs of '/' collapsed (Apache, where a
 * rule path ending in '/' is a key of its own, "P/"). v is the rule keyed
 * so, the winner among equal keys (Apache: lowest evaluation position;
 * strict: lowest index), and soff where its path starts in the string
 * arena (its URL follows it there): a lookup can fetch the rule record and
 * its strings at the same time. The interior flag says that some longer
 * key starts with the key + "/": a path walk stops at the first prefix
 * without it. Slots of prefixes that are no rule's key have v empty. */
typedef struct rp_fslot {
    uint32_t check; /* high 32 bits of the hash */
    uint32_t lenf;  /* key length << 1 | interior; 0 = empty slot */
    uint32_t v;     /* rule index or RP_SLOT_EMPTY */
    uint32_t soff;  /* offset of rules[v].pattern in the string arena */
} rp_fslot;
typedef struct rp_findex {
    rp_fslot *slots; /* NULL when empty */
    uint32_t  cap;
    uint32_t  count;
    uint32_t  root;          /* the rule keyed "/" (or RP_SLOT_EMPTY) */
    uint64_t  slash_lens[4]; /* Apache: bit l, a key "P/" is l bytes long (l < 256) */
    bool      slash_long;    /* Apache: a key "P/" is 256 bytes or longer */
} rp_findex;
/* Can a key "P/" be n bytes long? */
static inline bool rp__slash_len(const rp_findex *ix, size_t n)
{
    return n < 256 ? (ix->slash_lens[n >> 6] >> (n & 63)) & 1u : ix->slash_long;
}
static inline uint32_t rp__slot_of(uint64_t h, uint32_t cap)
{
    return (uint32_t)(((h & 0xffffffffu) * (uint64_t)cap) >> 32);
}

/* A plain multimap (reverse rules): key hash + length -> value. */
typedef struct rp_slot {
    uint32_t check;
    uint32_t len; /* key length + 1; 0 = empty */
    uint32_t val;
} rp_slot;
typedef struct rp_index {
    rp_slot *slots; /* NULL when empty */
    uint32_t cap;
    uint32_t count;
} rp_index;
RP_INTERNAL rp_status rp__index_init(const rp_allocator *a, rp_index *ix, size_t nkeys);
RP_INTERNAL void rp__index_free(const rp_allocator *a, rp_index *ix);
/* Insert; same(ctx, a, b) tells whether values a and b have the same key
 * bytes (then only the smaller value is kept). */
RP_INTERNAL void rp__index_put(rp_index *ix, uint64_t h, uint32_t len, uint32_t val,
                               bool (*same)(const void *ctx, uint32_t a, uint32_t b),
                               const void *ctx);
/* Iterate the values stored under (h, len): RP_SLOT_EMPTY ends. */
static inline uint32_t rp__index_next(const rp_index *ix, uint64_t h, uint32_t len,
                                      uint32_t *cursor)
{
    uint32_t c = (uint32_t)(h >> 32);
    for (uint32_t i = *cursor;;) {
        const rp_slot *s = &ix->slots[i];
        if (++i == ix->cap)
            i = 0;
        if (s->len == 0) {
            *cursor = i;
            return RP_SLOT_EMPTY;
        }
        if (s->check == c && s->len == len + 1) {
            *cursor = i;
            return s->val;
        }
    }
}
static inline uint32_t rp__index_first(const rp_index *ix, uint64_t h, uint32_t len,
                                       uint32_t *cursor)
{
    if (!ix->slots)
        return RP_SLOT_EMPTY;
    *cursor = rp__slot_of(h, ix->cap);
    return rp__index_next(ix, h, len, cursor);
}

/* ---- the compiled table (table.c) ---------------------------------------- */
typedef struct rp_trule {
    const char *pattern;
    const char *url; /* NULL for exclusions */
    rp_tbackend be;  /* valid when url != NULL */
    uint32_t    pattern_len;
    uint32_t    url_len;
    uint32_t    line;
    uint32_t    column; /* of the directive (0: programmatic) */
    uint32_t    index;  /* position among forward rules, in the order added */
    uint16_t    flags;
    uint8_t     kind;
} rp_trule;
/* Does s[0..n) hold only bytes ap_proxy_canonenc keeps as they are (map.c)? */
RP_INTERNAL bool rp__apache_plain(const char *s, size_t n);

/* A rule tried one by one (regex, servlet, mapping=encoded). */
typedef struct rp_tslow {
    uint32_t        pos;  /* Apache: evaluation position; strict: rule index */
    uint32_t        rule; /* rule index */
    rp_regex       *re;   /* RP_KIND_MATCH (owned) */
} rp_tslow;

/* A reverse rule ready for the request path (table.c). */
typedef struct rp_trev {
    const char *fake;     /* public path (ProxyPassReverse PATH) */
    const char *real;     /* backend URL or path, as written */
    const char *location; /* <Location> scope or NULL */
    const char *bpath;    /* path part of real (be valid) or real (path_only) */
    rp_tbackend be;
    uint32_t    fake_len;
    uint32_t    real_len;
    uint32_t    location_len;
    uint32_t    bpath_len;
    uint32_t    line;
    uint32_t    column;
    bool        path_only; /* real starts with '/' */
    bool        parsed;    /* be is valid (real is an absolute http(s)/ws(s) URL);
                              the Apache profile leaves explicit rules unparsed
                              (its lookups compare text; rp_table_check parses) */
} rp_trev;

/* A directory of the Apache reverse index: the keys (lowercased `real`)
 * whose text up to and including their last '/' is D. mask bit l: some key
 * of the group is D plus l more bytes (l < 64); longer tails are listed in
 * rev_xlens[xoff .. xoff + xn), ascending. */
typedef struct rp_rgroup {
    uint64_t mask;
    uint64_t h;    /* hash of the lowercased D */
    uint32_t dlen; /* length of D */
    uint32_t rep;  /* a trev whose real starts with D (to verify a hit) */
    uint32_t xoff;
    uint32_t xn;
} rp_rgroup;
/* The rules of one <Location> path (Apache reverse index of scoped rules):
 * rev_lrules[off .. off + n), ascending; rep is the first of them. */
typedef struct rp_lgroup {
    uint32_t off;
    uint32_t n;
    uint32_t rep;
} rp_lgroup;
/* A key of the Apache reverse index: off locates the rule's `real` in the
 * string arena, so that a hit is verified without loading the rule. */
typedef struct rp_rkey {
    uint32_t check; /* high 32 bits of the hash */
    uint32_t len;   /* key length + 1; 0 = empty slot */
    uint32_t val;   /* the first trev with this key */
    uint32_t off;   /* its `real` in t->strings */
} rp_rkey;

struct rp_table {
    rp_allocator a;
    unsigned     profile;
    size_t       limits[RP_NLIMITS];
    unsigned     enc_slashes, merge_slashes, preserve_host;
    char        *server_name;     /* "[scheme://]host[:port]" as given */
    size_t       server_name_len;
    const char  *server_host;     /* host[:port] part of server_name */
    size_t       server_host_len;
    size_t       server_scheme_len; /* scheme part (0 = none) */
    bool         derive_reverse;  /* forward prefix rules act as reverse rules */
    uint32_t     opt_line[RP_OPT_DERIVE_REVERSE + 1]; /* where each option was set */
    uint32_t     opt_column[RP_OPT_DERIVE_REVERSE + 1];
    rp_trule    *rules;     /* configuration order */
    size_t       nrules;
    uint32_t    *order;     /* evaluation order (indexes into rules) */
    size_t       norder;
    /* Forward index (rp_findex). Values are rule indexes; Apache compares
     * them by evaluation position (pos, NULL when it is the rule index). */
    rp_findex    fwd;
    uint32_t    *pos;
    rp_tslow    *slow;      /* Apache: regex and servlet rules by position;
                               strict: regex rules, in order */
    size_t       nslow;
    rp_tslow    *encoded;   /* Apache: mapping=encoded rules by position */
    size_t       nencoded;
    bool         has_encoded_mapping;
    char        *strings;   /* arena holding every string the rules point to */
    size_t       strings_len;
    size_t       nrevs;     /* explicit reverse rules (the first trevs) */
    rp_trev     *trevs;     /* explicit reverse rules, then derived ones */
    size_t       ntrevs;    /* explicit: nrevs; derived: the rest */
    /* Reverse index. Apache: rev_keys maps each unscoped rule's lowercased
     * `real` (URL or path-only) to the first rule written with it; the
     * directory groups (rev_groups through rev_gslots) say at which lengths
     * to probe it below each '/' of a value; scoped rules are tried in order
     * after them. Strict: rev_a keyed by canonical origin + backend path,
     * rev_b by backend path alone. */
    rp_index     rev_a, rev_b;
    rp_rkey     *rev_keys;
    uint32_t     rev_kcap;
    uint64_t    *rev_bloom;     /* a filter over rev_keys: 2 bits per key in one word */
    uint32_t     rev_bloom_mask; /* words - 1 (a power of two) */
    uint32_t     rev_max_dlen; /* the longest directory of a group */
    bool         rev_any_url;  /* some unscoped rule's `real` is a URL... */
    bool         rev_any_path; /* ...or a path (then the path of a URL value is probed too) */
    uint64_t     rev_dlens[4]; /* bit d: a group's directory is d bytes long
                                  (d < 256; longer ones are always probed) */
    rp_rgroup   *rev_groups;
    size_t       nrev_groups, caprev_groups;
    uint32_t    *rev_gslots; /* group indexes, RP_SLOT_EMPTY = free */
    uint32_t     rev_gcap;
    uint32_t    *rev_xlens;  /* tail lengths >= 64 of the groups */
    size_t       nrev_xlens;
    uint32_t    *rev_scoped; /* Apache: trev indexes with a <Location> scope */
    size_t       nrev_scoped;
    /* Apache: the scoped rules by their <Location> path. rev_loc maps the
     * path's text to its group in rev_lgroups; a lookup probes the prefixes
     * of the request's path that a <Location> can cover. */
    rp_index     rev_loc;
    rp_lgroup   *rev_lgroups;
    size_t       nrev_lgroups;
    uint32_t    *rev_lrules; /* nrev_scoped trev indexes, grouped */
    rp_bcookie  *cookies;
    size_t       ncookies;
};

/* ---- reverse direction helpers (reverse.c) --------------------------------- */
/* Canonical origin "scheme://host:port" for index keys (location.c): scheme
 * and host lowercased, one trailing dot dropped, IPv6 as 32 hex digits, the
 * port always written. 0 when the host is not usable. out holds 320 bytes. */
RP_INTERNAL size_t rp__origin_key(const char *sch, size_t sn, const char *host, size_t hn,
                                  unsigned port, char *out);
RP_INTERNAL rp_status rp__build_reverse_index(rp_table *t);
/* Rewrite one location value into w (the value itself when no rule applies;
 * *changed is set when one did). The caller checked the value. */
RP_INTERNAL rp_status rp__location_into(const rp_table *t, const char *value, size_t value_len,
                                        const rp_response_ctx *ctx, rp_writer *w, bool *changed);
RP_INTERNAL void rp__free_reverse_index(rp_table *t);
/* Does a rule written in <Location loc> apply to the response's request?
 * loc == NULL (unscoped) always applies; a scoped rule needs
 * ctx->request_target under loc (segment boundary, as <Location> matches). */
RP_INTERNAL bool rp__location_applies(const char *loc, size_t loc_len, const rp_response_ctx *ctx);
/* The path of ctx->request_target that <Location> sections are matched
 * against (no query; absolute-form without scheme://authority). false when
 * there is no request target, or an absolute-form one without a path. */
RP_INTERNAL bool rp__scope_path(const rp_response_ctx *ctx, const char **p, size_t *n);
/* Why the strict profile can never apply this cookie rule (a sentence for
 * a warning), or NULL when it can. */
RP_INTERNAL const char *rp__strict_cookie_rule_problem(const rp_bcookie *c);
/* RP_E_HEADER for CR, LF or NUL; RP_E_TOO_LONG over limit. */
RP_INTERNAL rp_status rp__check_header_value(const char *v, size_t n, size_t limit);
/* Common argument checks of rp_rewrite_*: RP_E_ARG (also for a ctx string
 * given as NULL with a length, or holding a control byte: the public origin
 * is written into results, so CR or LF there would split the response),
 * then the header value check against RP_LIMIT_HEADER_LEN. Sets
 * *out_len = 0. */
RP_INTERNAL rp_status rp__reverse_args(const rp_table *t, const char *value, size_t value_len,
                                       const rp_response_ctx *ctx, unsigned flags, char *out,
                                       size_t out_size, size_t *out_len);
/* Copy the value unchanged into out: RP_NO_MATCH, or RP_E_NOSPACE with the size. */
RP_INTERNAL rp_status rp__write_unchanged(const char *value, size_t value_len, char *out,
                                          size_t out_size, size_t *out_len);

/* ---- Apache directive loader (config.c) ---------------------------------- */
RP_INTERNAL rp_status rp__load_config(rp_builder *b, const char *text, size_t len,
                                      const char *source_name, rp_diag *diag);

#endif
