/*
 * revproxy: map request paths to backend URLs through a rule table, and map
 * backend URLs in response headers back to public ones.
 *
 * Ownership and memory (true for every function below):
 *  1. The library never keeps a pointer to caller memory after a call
 *     returns. Builders copy every string they are given.
 *  2. The library never returns memory for the caller to free. Results go
 *     into caller buffers (out, out_size); the only handles are rp_builder
 *     and rp_table, each with its own _free function.
 *  3. On RP_OK, *out_len is the number of bytes written (excluding the NUL
 *     terminator that is always written). On RP_E_NOSPACE, *out_len is the
 *     number of bytes needed (excluding the NUL, so out_size must be at least
 *     *out_len + 1). out == NULL with out_size == 0 asks for the size. On any
 *     other status the contents of out are unspecified but never written past
 *     out_size. Nothing is ever truncated silently.
 *  4. Request-path functions (rp_map_request and the rewrite functions)
 *     allocate nothing and use a bounded amount of stack (see docs/api.md).
 *  5. Inputs are (pointer, length) pairs; an embedded NUL byte is data, not
 *     a terminator.
 *
 * Threads: an rp_builder is used by one thread at a time. An rp_table is
 * immutable once compiled; any number of threads may call the request-path
 * functions on one table at once, without locks.
 *
 * Full reference: docs/api.md. Rule semantics: docs/semantics.md.
 */
#ifndef REVPROXY_REVPROXY_H
#define REVPROXY_REVPROXY_H

#include <stddef.h>
#include <stdint.h>
#include <revproxy/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  if defined(RP_BUILDING_LIBRARY)
#    define RP_API __declspec(dllexport)
#  elif defined(RP_STATIC)
#    define RP_API
#  else
#    define RP_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define RP_API __attribute__((visibility("default")))
#else
#  define RP_API
#endif

#if defined(__GNUC__)
#  define RP_NODISCARD __attribute__((warn_unused_result))
#else
#  define RP_NODISCARD
#endif

/* ------------------------------------------------------------------------
 * Status codes. The numbers are ABI: never renumbered, only appended.
 * RP_OK, RP_NO_MATCH and RP_EXCLUDED are not errors.
 * rp_status_http() gives the HTTP status a server should answer with.
 * ---------------------------------------------------------------------- */
typedef enum rp_status {
    RP_OK               = 0,  /* done */
    RP_NO_MATCH         = 1,  /* no rule applies (forward: not proxied; reverse: keep value) */
    RP_E_NOSPACE        = 2,  /* out_size too small; *out_len = bytes needed */
    RP_E_ARG            = 3,  /* NULL where not allowed, unknown flag/option, bad value */
    RP_E_SYNTAX         = 4,  /* malformed input that no more specific code covers */
    RP_E_TOO_LONG       = 5,  /* input or output over a configured limit */
    RP_E_FORBIDDEN      = 6,  /* refused by policy (no more specific code) */
    RP_E_CONFIG         = 7,  /* rule text or rule arguments invalid (see rp_diag) */
    RP_E_NOMEM          = 8,  /* allocation failed (build time only) */
    RP_EXCLUDED         = 9,  /* an exclusion rule (ProxyPass PATH !) matched: not proxied */
    RP_E_FORM           = 10, /* request-target is not origin-form (or allowed absolute-form) */
    RP_E_CTL            = 11, /* control byte or space (raw, or decoded where refused) */
    RP_E_FRAGMENT       = 12, /* '#' in a request-target */
    RP_E_BACKSLASH      = 13, /* '\' in a path (strict profile) */
    RP_E_NON_ASCII      = 14, /* raw byte >= 0x80 (strict profile) */
    RP_E_BAD_CHAR       = 15, /* byte outside the URI character set (strict profile) */
    RP_E_BAD_PERCENT    = 16, /* '%' not followed by two hex digits */
    RP_E_BAD_UTF8       = 17, /* percent-decoded bytes are not valid UTF-8 (strict) */
    RP_E_ENCODED_SLASH  = 18, /* %2F (or %5C, strict) refused by the encoded-slash policy */
    RP_E_ENCODED_NUL    = 19, /* %00 in a path */
    RP_E_ABOVE_ROOT     = 20, /* ".." would climb above "/" */
    RP_E_DOT_PARAM      = 21, /* dot segment with parameters ("..;x", ".;", "..%3B") (strict) */
    RP_E_LIMIT          = 22, /* a regex match, depth or heap limit was hit (fail closed) */
    RP_E_UNSAFE_OUTPUT  = 23, /* the result would leave the rule's backend origin or prefix */
    RP_E_HEADER         = 24, /* CR, LF or NUL in a header value */
    RP_E_USERINFO       = 25, /* userinfo ("user@") in an absolute-form request-target */
    RP_E_UNSUPPORTED    = 26, /* feature not built in (regex rules without PCRE2) */
    RP_E_INTERNAL       = 27, /* a library invariant failed; please report */
    RP_E_HOST           = 28  /* the Host header value is not a valid host[:port] */
} rp_status;

#define RP_STATUS_LAST RP_E_HOST

/* Human-readable text for a status ("output buffer too small"); never NULL. */
RP_API const char *rp_strerror(rp_status s);
/* The enumerator name ("RP_E_NOSPACE"); never NULL ("RP_UNKNOWN" for others). */
RP_API const char *rp_status_name(rp_status s);
/* The HTTP status code a server should answer a request with when
 * rp_map_request returned s: 0 for RP_OK (proxy it), 404 for RP_NO_MATCH,
 * RP_EXCLUDED, RP_E_ENCODED_SLASH and RP_E_ENCODED_NUL (what Apache
 * answers), 414 for RP_E_TOO_LONG, 403 for RP_E_FORBIDDEN, 502 for
 * RP_E_HEADER (a backend header), 500 for limit, configuration and internal
 * failures, 400 for the other input errors. */
RP_API int rp_status_http(rp_status s);

/* Run-time version: (major << 16) | (minor << 8) | patch, and "X.Y.Z". */
RP_API uint32_t rp_version(void);
RP_API const char *rp_version_string(void);

/* ------------------------------------------------------------------------
 * Diagnostics. Fixed layout (ABI): new data comes through new functions.
 * ---------------------------------------------------------------------- */
typedef struct rp_diag {
    rp_status code;
    uint32_t  line;         /* 1-based line in configuration text; 0 if not applicable */
    uint32_t  column;       /* 1-based byte column; 0 if not applicable */
    size_t    offset;       /* byte offset into the input that failed */
    char      message[200]; /* NUL-terminated; names the problem */
} rp_diag;

/* Build-time allocation hooks; NULL means malloc/realloc/free. The request
 * path never calls them. */
typedef struct rp_allocator {
    void *(*alloc)(void *ud, size_t size);
    void *(*realloc)(void *ud, void *p, size_t old_size, size_t new_size);
    void  (*free)(void *ud, void *p, size_t size);
    void  *ud;
} rp_allocator;

typedef struct rp_builder rp_builder; /* mutable, one thread at a time */
typedef struct rp_table   rp_table;   /* immutable once compiled; share freely */

/* Profiles (DESIGN: two profiles over one engine; see docs/semantics.md). */
#define RP_PROFILE_APACHE 1u  /* Apache httpd 2.4 mod_proxy, case for case */
#define RP_PROFILE_STRICT 2u  /* safe modern default (docs/SECURITY.md) */

/* Limits (rp_builder_set_limit). Defaults in parentheses. */
#define RP_LIMIT_TARGET_LEN    1u /* request-target bytes (8192; at most RP_TARGET_LEN_MAX) */
#define RP_LIMIT_SEGMENTS      2u /* path segments (256 strict; 65535 apache) */
#define RP_LIMIT_HEADER_LEN    3u /* response header value bytes (8192) */
#define RP_LIMIT_COOKIE_ATTRS  4u /* Set-Cookie attributes (64) */
#define RP_LIMIT_RULES         5u /* forward rules in a table (10000) */
#define RP_LIMIT_OUTPUT_LEN    6u /* bytes of any produced value (16384) */
#define RP_TARGET_LEN_MAX  16384u

/* Table-wide options (rp_builder_set_option). */
#define RP_OPT_ENCODED_SLASHES 1u /* RP_SLASHES_*; default REJECT */
#define RP_OPT_MERGE_SLASHES   2u /* 1 = merge "//" (default), 0 = keep */
#define RP_OPT_PRESERVE_HOST   3u /* 1 = send the client's Host (ProxyPreserveHost On) */
#define RP_OPT_DERIVE_REVERSE  4u /* 1 = every prefix ProxyPass also acts as its own
                                     ProxyPassReverse (default: 1 strict, 0 apache) */

/* Encoded slash policy (Apache AllowEncodedSlashes). */
#define RP_SLASHES_REJECT 0u /* Off: %2F refused (RP_E_ENCODED_SLASH, HTTP 404) */
#define RP_SLASHES_DECODE 1u /* On: %2F decoded to '/' before dot-segment removal.
                                Opens CVE-2021-29492-style bypasses if rules guard paths. */
#define RP_SLASHES_KEEP   2u /* NoDecode: %2F kept encoded, matched as data, forwarded
                                encoded. Only if the backend never decodes %2F before
                                authorizing. */

/* Rule flags (rp_builder_add_pass, rp_builder_add_pass_match). */
#define RP_RULE_EXCLUDE          (1u << 0) /* ProxyPass PATH ! : never proxy matches */
#define RP_RULE_NOCANON          (1u << 1) /* forward the raw remainder (Apache nocanon) */
#define RP_RULE_NOQUERY          (1u << 2) /* Apache noquery (accepted; no effect for http) */
#define RP_RULE_MAPPING_ENCODED  (1u << 3) /* Apache mapping=encoded: match the encoded path */
#define RP_RULE_MAPPING_SERVLET  (1u << 4) /* Apache mapping=servlet: ignore ;params when matching */
#define RP_RULE_LOCATION         (1u << 5) /* written inside <Location>/<LocationMatch>:
                                              tried before the server rules, last one first */

/* rp_map_request flags. */
#define RP_MAP_DEFAULT 0u

RP_API RP_NODISCARD rp_status rp_builder_new(unsigned profile, const rp_allocator *alloc,
                                             rp_builder **out);
RP_API void rp_builder_free(rp_builder *b); /* NULL ok */

RP_API RP_NODISCARD rp_status rp_builder_set_limit(rp_builder *b, unsigned which, size_t value);
RP_API RP_NODISCARD rp_status rp_builder_set_option(rp_builder *b, unsigned option, unsigned value);
/* Apache ServerName: "[scheme://]host[:port]". The host[:port] is the Host
 * sent when ProxyPreserveHost is on and the request has no Host, and the
 * public host of rp_public_origin without one; the scheme, when given, is the
 * public scheme. Copied. */
RP_API RP_NODISCARD rp_status rp_builder_set_server_name(rp_builder *b, const char *name,
                                                         size_t name_len);

/* One ProxyPass: path prefix -> backend URL. url is ignored (may be NULL) with
 * RP_RULE_EXCLUDE. diag may be NULL. Rules keep the order they are added in. */
RP_API RP_NODISCARD rp_status rp_builder_add_pass(rp_builder *b, const char *path, size_t path_len,
                                                  const char *url, size_t url_len, unsigned flags,
                                                  rp_diag *diag);
/* One ProxyPassMatch: PCRE2 regex over the path -> URL template with $0..$9.
 * RP_E_UNSUPPORTED when built without PCRE2. */
RP_API RP_NODISCARD rp_status rp_builder_add_pass_match(rp_builder *b, const char *regex,
                                                        size_t regex_len, const char *url,
                                                        size_t url_len, unsigned flags,
                                                        rp_diag *diag);
/* ProxyPassReverse PATH URL: backend URLs under URL in response headers are
 * mapped back under PATH. location (may be NULL) is the <Location> path the
 * directive was written in: the rule then applies only to responses to
 * requests under that path (rp_response_ctx.request_target). */
RP_API RP_NODISCARD rp_status rp_builder_add_reverse(rp_builder *b, const char *path, size_t path_len,
                                                     const char *url, size_t url_len,
                                                     const char *location, size_t location_len,
                                                     rp_diag *diag);

/* Cookie rule flags (rp_builder_add_cookie_domain / _path). */
#define RP_COOKIE_REPLACE_WHOLE (1u << 0) /* strict profile, Path: replace the whole value
                                             (Apache's behaviour) instead of the prefix */
#define RP_COOKIE_ALLOW_WIDENING (1u << 1) /* strict profile, Domain: allow a public domain
                                              that is a parent of other hosts (cookie tossing
                                              risk; see docs/SECURITY.md) */

/* ProxyPassReverseCookieDomain INTERNAL PUBLIC and ProxyPassReverseCookiePath
 * INTERNAL PUBLIC. location as for rp_builder_add_reverse. */
RP_API RP_NODISCARD rp_status rp_builder_add_cookie_domain(rp_builder *b, const char *internal,
                                                           size_t internal_len, const char *pub,
                                                           size_t pub_len, const char *location,
                                                           size_t location_len, unsigned flags,
                                                           rp_diag *diag);
RP_API RP_NODISCARD rp_status rp_builder_add_cookie_path(rp_builder *b, const char *internal,
                                                         size_t internal_len, const char *pub,
                                                         size_t pub_len, const char *location,
                                                         size_t location_len, unsigned flags,
                                                         rp_diag *diag);

/* Load Apache httpd directives (docs/rules.md). source_name only labels
 * diagnostics (may be NULL). On error nothing of this text is kept and diag
 * has the line and column. Directives that do not concern proxying are
 * skipped with a warning (rp_builder_warning_count / rp_builder_warning). */
RP_API RP_NODISCARD rp_status rp_builder_add_config(rp_builder *b, const char *text, size_t len,
                                                    const char *source_name, rp_diag *diag);
/* Load the proxy subset of an nginx configuration (docs/nginx.md): location
 * blocks (prefix, "=", "^~", "~", "~*"), proxy_pass, proxy_redirect,
 * proxy_cookie_domain, proxy_cookie_path and merge_slashes, bare or inside
 * http { server { ... } }. They are translated into rules whose order
 * reproduces nginx's location choice; b must be an RP_PROFILE_APACHE
 * builder (else RP_E_UNSUPPORTED), and the table decodes %2F as nginx does
 * (RP_OPT_ENCODED_SLASHES = RP_SLASHES_DECODE). Other directives are skipped
 * with a warning, as are constructs that translate only approximately;
 * constructs that cannot be expressed at all (most variables in proxy_pass,
 * nested locations, several servers with locations) are RP_E_UNSUPPORTED,
 * invalid text is RP_E_CONFIG, both with the line and column in diag. On error nothing of
 * this text is kept. source_name only labels diagnostics (may be NULL). */
RP_API RP_NODISCARD rp_status rp_builder_add_nginx_config(rp_builder *b, const char *text,
                                                          size_t len, const char *source_name,
                                                          rp_diag *diag);
RP_API size_t rp_builder_warning_count(const rp_builder *b);
/* Copies warning i (0-based) into *out; RP_E_ARG if i is out of range. */
RP_API RP_NODISCARD rp_status rp_builder_warning(const rp_builder *b, size_t i, rp_diag *out);

/* Compile into an immutable table. The builder stays usable (and must still
 * be freed). */
RP_API RP_NODISCARD rp_status rp_builder_compile(const rp_builder *b, rp_table **out, rp_diag *diag);
/* NULL ok; the caller guarantees no call on the table is in flight. */
RP_API void rp_table_free(rp_table *t);
/* Number of forward rules (ProxyPass / ProxyPassMatch) in the table. */
RP_API size_t rp_table_rule_count(const rp_table *t);

/* ---- checking a table's rules (docs/rules.md, "Checking rules") ---------- */
#define RP_SEVERITY_INFO    0u
#define RP_SEVERITY_WARNING 1u
#define RP_SEVERITY_ERROR   2u

/* rp_table_check flags */
#define RP_CHECK_ROUND_TRIP (1u << 0) /* also map sample paths forward and back */

/* One finding. Fixed layout (ABI). */
typedef struct rp_finding {
    const char *code;       /* stable name, e.g. "shadowed-rule" (static storage) */
    unsigned    severity;   /* RP_SEVERITY_* */
    uint32_t    line;       /* directive it is about; 0 when added through the API */
    uint32_t    column;     /* its first byte, 1-based; 0 when unknown */
    uint32_t    other_line; /* the other rule involved (shadowing), or 0 */
    char        message[200]; /* one line, NUL-terminated */
} rp_finding;

/* Look for rules that are wrong or dangerous although they load: shadowed
 * rules and exclusions, slash seams, forward rules without reverse rules and
 * the reverse, widening cookie rules, regexes that backtrack, lenient
 * settings (the codes are listed in docs/rules.md). Fills out[0..cap) and
 * sets *count to the number of findings: RP_OK when they all fit,
 * RP_E_NOSPACE (with *count) when cap is too small; out may be NULL with cap
 * 0 to ask. Findings come in a fixed order: table settings, forward rules,
 * reverse rules, cookie rules, each in the order added. Uses the table's
 * allocator (RP_E_NOMEM); the table is not changed. */
RP_API RP_NODISCARD rp_status rp_table_check(const rp_table *t, unsigned flags, rp_finding *out,
                                             size_t cap, size_t *count);

/* Details of rp_map_request. Fixed layout (ABI). */
/* Filled on RP_OK; the rule fields also on RP_EXCLUDED and RP_E_NOSPACE. */
typedef struct rp_match {
    uint32_t    rule_index;       /* 0-based index among forward rules, in the order added */
    uint32_t    rule_line;        /* line of the rule in its configuration text; 0 if none */
    size_t      path_len;         /* prefix rules: bytes of the canonical path the rule
                                     consumed; regex rules: the whole canonical path */
    size_t      remainder_offset; /* offset in out where the request-derived part starts
                                     (regex rules: where the path starts) */
    size_t      query_offset;     /* offset in out of the '?' (strict regex template with its
                                     own query: of the '&') that adds the request's query;
                                     *out_len when none is added (also with nocanon, whose
                                     raw remainder carries the query) */
    const char *host;             /* Host header to send (not NUL-terminated); points into
                                     out, the host argument, the target (absolute-form) or
                                     the table. NULL unless RP_OK, or when unknown. */
    size_t      host_len;
} rp_match;

/* Map a request-target, as received, to the backend URL.
 *   host: the request's Host header value (may be NULL: no Host header). It
 *     must be a valid host[:port] (reg-name, IPv4 or [IPv6], port 1-65535),
 *     else RP_E_HOST (HTTP 400, as Apache answers).
 *   match: optional; filled on RP_OK and (rule fields only) on RP_EXCLUDED.
 * Returns RP_OK, RP_NO_MATCH, RP_EXCLUDED, RP_E_NOSPACE, or an input error
 * (RP_E_FORM, RP_E_CTL, RP_E_BAD_PERCENT, ...). rp_status_http() turns the
 * status into the answer a server should give. */
RP_API RP_NODISCARD rp_status rp_map_request(const rp_table *t, const char *target,
                                             size_t target_len, const char *host,
                                             size_t host_len, unsigned flags, char *out,
                                             size_t out_size, size_t *out_len, rp_match *match);

/* ------------------------------------------------------------------------
 * The reverse direction: response headers that carry backend URLs.
 * Every function writes the value to send into out: the rewritten value with
 * RP_OK, or the input unchanged with RP_NO_MATCH (no rule applied). Input
 * values with CR, LF or NUL give RP_E_HEADER and nothing usable in out.
 * ---------------------------------------------------------------------- */

/* What the reverse functions know about the exchange. Every field may be
 * NULL/0. Fixed layout (ABI). */
typedef struct rp_response_ctx {
    /* "scheme://host[:port]" the client used, to make rewritten values
     * absolute (Apache always does; see rp_public_origin). NULL: the
     * table's ServerName, when it has one, gives the origin; without either,
     * results are path-absolute, never "//host..." (RP_E_UNSAFE_OUTPUT).
     * No field may hold a control byte (RP_E_ARG): they reach the output. */
    const char *public_origin;
    size_t      public_origin_len;
    /* The URL requested from the backend (what rp_map_request returned): the
     * base for relative Location values (strict profile). */
    const char *backend_url;
    size_t      backend_url_len;
    /* The request-target the response answers: selects the reverse rules
     * written inside <Location> sections. NULL: only unscoped rules apply. */
    const char *request_target;
    size_t      request_target_len;
} rp_response_ctx;

/* Build the public origin Apache would use for a request: scheme (the
 * ServerName's scheme when it has one, else scheme, else "http"), the Host
 * header's host lowercased (the ServerName's when host is NULL) and its port
 * unless it is the scheme's default. RP_E_HOST for an invalid Host. */
RP_API RP_NODISCARD rp_status rp_public_origin(const rp_table *t, const char *scheme,
                                               size_t scheme_len, const char *host,
                                               size_t host_len, char *out, size_t out_size,
                                               size_t *out_len);

/* Location, Content-Location, URI and Destination response values. */
RP_API RP_NODISCARD rp_status rp_rewrite_location(const rp_table *t, const char *value,
                                                  size_t value_len, const rp_response_ctx *ctx,
                                                  unsigned flags, char *out, size_t out_size,
                                                  size_t *out_len);

/* One Set-Cookie value (never a folded list): Domain and Path attributes. */
RP_API RP_NODISCARD rp_status rp_rewrite_set_cookie(const rp_table *t, const char *value,
                                                    size_t value_len, const rp_response_ctx *ctx,
                                                    unsigned flags, char *out, size_t out_size,
                                                    size_t *out_len);

/* Any response header by name (ASCII case-insensitive): Location,
 * Content-Location, URI, Destination, Set-Cookie, Refresh ("N; url=...") and
 * Link (RFC 8288). Other names: RP_NO_MATCH with the value unchanged. */
RP_API RP_NODISCARD rp_status rp_rewrite_response_header(const rp_table *t, const char *name,
                                                         size_t name_len, const char *value,
                                                         size_t value_len,
                                                         const rp_response_ctx *ctx,
                                                         unsigned flags, char *out,
                                                         size_t out_size, size_t *out_len);

/* Request side: a WebDAV Destination header (absolute URL on the public
 * origin, or path-absolute) mapped to the backend URL with the same rules as
 * rp_map_request. public_origin is the origin the client used; a
 * Destination on another origin is RP_E_FORBIDDEN. */
RP_API RP_NODISCARD rp_status rp_map_destination(const rp_table *t, const char *value,
                                                 size_t value_len, const char *public_origin,
                                                 size_t public_origin_len, unsigned flags,
                                                 char *out, size_t out_size, size_t *out_len,
                                                 rp_match *match);

/* Request side: values for the forwarding headers. */
#define RP_FWD_X_FORWARDED_FOR    1u
#define RP_FWD_X_FORWARDED_HOST   2u
#define RP_FWD_X_FORWARDED_PROTO  3u
#define RP_FWD_X_FORWARDED_PREFIX 4u
#define RP_FWD_FORWARDED          5u /* RFC 7239 */

typedef struct rp_forwarded {
    const char *client_addr; /* IPv4 or IPv6 (no brackets) of the client; or NULL */
    size_t      client_addr_len;
    unsigned    client_port; /* 0 = not sent */
    const char *host;        /* Host header the client sent; or NULL */
    size_t      host_len;
    const char *proto;       /* "http" or "https"; or NULL */
    size_t      proto_len;
    const char *prefix;      /* public path prefix removed before the backend; or NULL */
    size_t      prefix_len;
    const char *by;          /* this proxy's address (Forwarded by=); or NULL */
    size_t      by_len;
    const char *prior;       /* the value already received (appended to); or NULL */
    size_t      prior_len;
} rp_forwarded;

RP_API RP_NODISCARD rp_status rp_format_forwarded(unsigned which, const rp_forwarded *in,
                                                  char *out, size_t out_size, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* REVPROXY_REVPROXY_H */
