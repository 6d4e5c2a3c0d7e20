/* Hidden declarations shared by the files of lib/. Nothing here is ABI. */
#ifndef REVPROXY_INTERNAL_H
#define REVPROXY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* ---- byte classes (writer.c) ------------------------------------------- */
RP_INTERNAL int rp__hexval(unsigned char c); /* -1 if not a hex digit */
RP_INTERNAL bool rp__is_unreserved(unsigned char c);
RP_INTERNAL unsigned char rp__lower(unsigned char c);

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
RP_INTERNAL void rp__w_put(rp_writer *w, const char *p, size_t n);
RP_INTERNAL void rp__w_byte(rp_writer *w, unsigned char c);
RP_INTERNAL void rp__w_pct(rp_writer *w, unsigned char c); /* "%XX", uppercase */
/* Finish: NUL-terminate, set *out_len, return RP_OK, RP_E_NOSPACE or
 * RP_E_TOO_LONG (over max). */
RP_INTERNAL rp_status rp__w_finish(rp_writer *w, size_t max, size_t *out_len);

/* ---- the builder (builder.c) ------------------------------------------- */
enum { RP_KIND_PASS = 1, RP_KIND_MATCH = 2 };
enum { RP_COOKIE_DOMAIN = 1, RP_COOKIE_PATH = 2 };

typedef struct rp_brule {
    unsigned kind;  /* RP_KIND_* */
    unsigned flags; /* RP_RULE_* */
    uint32_t line;
    char    *pattern; /* path prefix or regex; NUL-terminated copy */
    size_t   pattern_len;
    char    *url; /* backend URL or template; NULL for exclusions */
    size_t   url_len;
} rp_brule;

typedef struct rp_brev {
    uint32_t line;
    char    *path;
    size_t   path_len;
    char    *url;
    size_t   url_len;
    char    *location; /* NULL when not inside <Location> */
    size_t   location_len;
} rp_brev;

typedef struct rp_bcookie {
    unsigned kind; /* RP_COOKIE_* */
    uint32_t line;
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

    uint32_t cur_line; /* line of the directive being loaded; 0 = programmatic */
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
RP_INTERNAL rp_status rp__regex_compile(const rp_allocator *a, const char *pat, size_t len,
                                        rp_regex **out, rp_diag *diag);
RP_INTERNAL void rp__regex_free(const rp_allocator *a, rp_regex *re);
/* Match subject; on RP_OK, ov[2k], ov[2k+1] are the bounds of group k or
 * SIZE_MAX when unset; *ngroups is the number of pairs filled. RP_NO_MATCH
 * or RP_E_LIMIT (a limit was hit: fail closed). Allocates nothing. */
RP_INTERNAL rp_status rp__regex_match(const rp_regex *re, const char *s, size_t len,
                                      size_t ov[2 * RP_MAX_CAPTURES], unsigned *ngroups);

/* ---- the compiled table (table.c) ---------------------------------------- */
typedef struct rp_trule {
    unsigned    kind;
    unsigned    flags;
    uint32_t    line;
    uint32_t    index; /* position among forward rules, in the order added */
    const char *pattern;
    size_t      pattern_len;
    const char *url; /* NULL for exclusions */
    size_t      url_len;
    rp_backend  be;  /* valid when url != NULL */
    rp_regex   *re;  /* RP_KIND_MATCH */
} rp_trule;

struct rp_table {
    rp_allocator a;
    unsigned     profile;
    size_t       limits[RP_NLIMITS];
    unsigned     enc_slashes, merge_slashes, preserve_host;
    char        *server_name;
    size_t       server_name_len;
    rp_trule    *rules;     /* configuration order */
    size_t       nrules;
    uint32_t    *order;     /* evaluation order (indexes into rules) */
    size_t       norder;
    bool         has_encoded_mapping;
    char        *strings;   /* arena holding every string the rules point to */
    size_t       strings_len;
    rp_brev     *revs;      /* copies; strings in the arena */
    size_t       nrevs;
    rp_bcookie  *cookies;
    size_t       ncookies;
};

/* ---- Apache directive loader (config.c) ---------------------------------- */
RP_INTERNAL rp_status rp__load_config(rp_builder *b, const char *text, size_t len,
                                      const char *source_name, rp_diag *diag);

#endif
