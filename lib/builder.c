/* rp_builder: collects rules (validated as they are added) and settings. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define RULE_FLAGS                                                                         \
    (RP_RULE_EXCLUDE | RP_RULE_NOCANON | RP_RULE_NOQUERY | RP_RULE_MAPPING_ENCODED |       \
     RP_RULE_MAPPING_SERVLET | RP_RULE_LOCATION)

static const size_t k_default_limits[RP_NLIMITS] = {
    0,     /* unused */
    8192,  /* RP_LIMIT_TARGET_LEN */
    256,   /* RP_LIMIT_SEGMENTS (strict); apache profile: 65535 */
    8192,  /* RP_LIMIT_HEADER_LEN */
    64,    /* RP_LIMIT_COOKIE_ATTRS */
    10000, /* RP_LIMIT_RULES */
    16384, /* RP_LIMIT_OUTPUT_LEN */
};

RP_API rp_status rp_builder_new(unsigned profile, const rp_allocator *alloc, rp_builder **out)
{
    if (!out)
        return RP_E_ARG;
    *out = NULL;
    if (profile != RP_PROFILE_APACHE && profile != RP_PROFILE_STRICT)
        return RP_E_ARG;
    if (alloc && (!alloc->alloc || !alloc->free))
        return RP_E_ARG;
    rp_allocator a;
    rp__alloc_init(&a, alloc);
    rp_builder *b = rp__malloc(&a, sizeof *b);
    if (!b)
        return RP_E_NOMEM;
    memset(b, 0, sizeof *b);
    b->a = a;
    b->profile = profile;
    memcpy(b->limits, k_default_limits, sizeof b->limits);
    if (profile == RP_PROFILE_APACHE)
        b->limits[RP_LIMIT_SEGMENTS] = 65535;
    b->enc_slashes = RP_SLASHES_REJECT;
    b->merge_slashes = 1;
    b->preserve_host = 0;
    b->derive_reverse = profile == RP_PROFILE_STRICT;
    *out = b;
    return RP_OK;
}

static void free_rule(const rp_allocator *a, rp_brule *r)
{
    rp__free(a, r->pattern, r->pattern_len + 1);
    if (r->url)
        rp__free(a, r->url, r->url_len + 1);
}

static void free_rev(const rp_allocator *a, rp_brev *r)
{
    rp__free(a, r->path, r->path_len + 1);
    rp__free(a, r->url, r->url_len + 1);
    if (r->location)
        rp__free(a, r->location, r->location_len + 1);
}

static void free_cookie(const rp_allocator *a, rp_bcookie *c)
{
    rp__free(a, c->internal, c->internal_len + 1);
    rp__free(a, c->pub, c->pub_len + 1);
    if (c->location)
        rp__free(a, c->location, c->location_len + 1);
}

static void dups_drop(rp_builder *b)
{
    if (b->dups)
        rp__free(&b->a, b->dups, b->capdups * sizeof *b->dups);
    b->dups = NULL;
    b->ndups = b->capdups = 0;
}

void rp__builder_truncate(rp_builder *b, size_t nrules, size_t nrevs, size_t ncookies,
                          size_t nwarnings)
{
    if (b->nrules > nrules)
        dups_drop(b);
    while (b->nrules > nrules)
        free_rule(&b->a, &b->rules[--b->nrules]);
    while (b->nrevs > nrevs)
        free_rev(&b->a, &b->revs[--b->nrevs]);
    while (b->ncookies > ncookies)
        free_cookie(&b->a, &b->cookies[--b->ncookies]);
    if (b->nwarnings > nwarnings)
        b->nwarnings = nwarnings;
}

RP_API void rp_builder_free(rp_builder *b)
{
    if (!b)
        return;
    rp__builder_truncate(b, 0, 0, 0, 0);
    dups_drop(b);
    rp_allocator a = b->a;
    rp__free(&a, b->rules, b->caprules * sizeof *b->rules);
    rp__free(&a, b->revs, b->caprevs * sizeof *b->revs);
    rp__free(&a, b->cookies, b->capcookies * sizeof *b->cookies);
    rp__free(&a, b->warnings, b->capwarnings * sizeof *b->warnings);
    if (b->server_name)
        rp__free(&a, b->server_name, b->server_name_len + 1);
    rp__free(&a, b, sizeof *b);
}

RP_API rp_status rp_builder_set_limit(rp_builder *b, unsigned which, size_t value)
{
    if (!b || which == 0 || which >= RP_NLIMITS || value == 0)
        return RP_E_ARG;
    if (which == RP_LIMIT_TARGET_LEN && value > RP_TARGET_LEN_MAX)
        return RP_E_ARG;
    b->limits[which] = value;
    return RP_OK;
}

RP_API rp_status rp_builder_set_option(rp_builder *b, unsigned option, unsigned value)
{
    if (!b)
        return RP_E_ARG;
    unsigned *slot, max = 1;
    switch (option) {
    case RP_OPT_ENCODED_SLASHES:
        slot = &b->enc_slashes;
        max = RP_SLASHES_KEEP;
        break;
    case RP_OPT_MERGE_SLASHES:
        slot = &b->merge_slashes;
        break;
    case RP_OPT_PRESERVE_HOST:
        slot = &b->preserve_host;
        break;
    case RP_OPT_DERIVE_REVERSE:
        slot = &b->derive_reverse;
        break;
    default:
        return RP_E_ARG;
    }
    if (value > max)
        return RP_E_ARG;
    *slot = value;
    b->opt_line[option] = b->cur_line; /* for rp_table_check's findings */
    b->opt_column[option] = b->cur_column;
    return RP_OK;
}

/* NUL, CR or LF: bytes that would end a string or split a header if a
 * rule ever carried them into a result (SECURITY.md R16). */
static bool has_nul(const char *p, size_t n)
{
    return p && n && (memchr(p, '\0', n) || memchr(p, '\r', n) || memchr(p, '\n', n));
}

/* RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme(const char *p, size_t n)
{
    if (n == 0 || !((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '-' || c == '.'))
            return false;
    }
    return true;
}

RP_API rp_status rp_builder_set_server_name(rp_builder *b, const char *name, size_t name_len)
{
    if (!b || !name || name_len == 0 || has_nul(name, name_len))
        return RP_E_ARG;
    size_t i0 = 0; /* an optional "scheme://" gives the public scheme */
    for (size_t i = 0; i + 2 < name_len; i++)
        if (name[i] == ':' && name[i + 1] == '/' && name[i + 2] == '/') {
            i0 = i + 3;
            break;
        }
    if (i0 && !is_scheme(name, i0 - 3))
        return RP_E_ARG;
    for (size_t i = i0; i < name_len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@' || c == '?' || c == '#')
            return RP_E_ARG;
    }
    char *copy = rp__memdup(&b->a, name ? name : "", name_len);
    if (!copy)
        return RP_E_NOMEM;
    if (b->server_name)
        rp__free(&b->a, b->server_name, b->server_name_len + 1);
    b->server_name = copy;
    b->server_name_len = name_len;
    return RP_OK;
}

void rp__builder_warn(rp_builder *b, uint32_t line, uint32_t column, const char *fmt, ...)
{
    if (rp__grow(&b->a, (void **)&b->warnings, &b->capwarnings, b->nwarnings + 1,
                 sizeof *b->warnings) != RP_OK) {
        b->warn_oom = true;
        return;
    }
    rp_diag *d = &b->warnings[b->nwarnings++];
    memset(d, 0, sizeof *d);
    d->code = RP_OK;
    d->line = line;
    d->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}

RP_API size_t rp_builder_warning_count(const rp_builder *b)
{
    return b ? b->nwarnings : 0;
}

RP_API rp_status rp_builder_warning(const rp_builder *b, size_t i, rp_diag *out)
{
    if (!b || !out || i >= b->nwarnings)
        return RP_E_ARG;
    *out = b->warnings[i];
    return RP_OK;
}

/* Validate a prefix-rule path. Strict: must be canonical (R12). */
static rp_status check_path(const rp_builder *b, const char *path, size_t len, rp_diag *diag)
{
    if (len == 0)
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: the path is empty");
    if (b->profile != RP_PROFILE_STRICT)
        return RP_OK;
    if (path[0] != '/')
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: the path must start with '/'");
    if (len > RP_TARGET_LEN_MAX)
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: the path is too long");
    char canon[RP_TARGET_LEN_MAX];
    size_t clen = 0, off = 0;
    rp_canon_opts o = {RP_C_STRICT_CHARS | RP_C_CTL_DECODED | RP_C_UTF8 | RP_C_DOT_PARAM |
                           RP_C_MERGE | RP_C_UPPER_HEX | RP_C_BACKSLASH_ENC,
                       RP_SLASHES_KEEP, 0};
    rp_status st = rp__canon_path(path, len, &o, canon, &clen, &off);
    if (st != RP_OK) {
        if (diag)
            diag->offset = off;
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPass: invalid path (%s at byte %zu)",
                            rp_status_name(st), off);
    }
    if (clen != len || memcmp(canon, path, len) != 0) {
        return rp__diag_set(diag, RP_E_CONFIG,
                            "ProxyPass: path is not in canonical form (canonical: %.*s)",
                            (int)(clen > 120 ? 120 : clen), canon);
    }
    return RP_OK;
}

/* Validate a ProxyPassMatch URL template: literal scheme and authority. */
static rp_status check_template(const rp_builder *b, const char *url, size_t len, rp_diag *diag)
{
    rp_backend be;
    const char *sep = NULL;
    size_t auth_end = 0; /* end of "scheme://authority" (0: none) */
    for (size_t i = 0; i + 2 < len; i++) {
        if (url[i] == ':' && url[i + 1] == '/' && url[i + 2] == '/') {
            sep = url + i;
            break;
        }
    }
    if (sep) {
        auth_end = (size_t)(sep - url) + 3;
        while (auth_end < len && url[auth_end] != '/')
            auth_end++;
        for (size_t i = 0; i < auth_end; i++) {
            if (url[i] == '$' || url[i] == '&' || url[i] == '\\') {
                if (diag)
                    diag->offset = i;
                return rp__diag_set(diag, RP_E_CONFIG,
                                    "ProxyPassMatch: a backreference or '%c' in the scheme or "
                                    "authority of the URL lets the request choose the backend",
                                    url[i]);
            }
        }
    }
    if (b->profile == RP_PROFILE_STRICT) {
        /* the literal text of a strict template must be URI characters (the
         * captures are canonical already); '[' and ']' only around an IPv6
         * host in the authority (its syntax is checked below) */
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)url[i];
            if (c <= 0x20 || c >= 0x7f || c == '#' || c == '"' || c == '<' || c == '>' ||
                c == '^' || c == '`' || c == '{' || c == '|' || c == '}' ||
                ((c == '[' || c == ']') && i >= auth_end)) {
                if (diag)
                    diag->offset = i;
                return rp__diag_set(diag, RP_E_CONFIG,
                                    "ProxyPassMatch: byte 0x%02X at offset %zu is not allowed in "
                                    "a URL template (strict profile)",
                                    c, i);
            }
        }
    }
    return rp__parse_backend(url, len,
                             RP_BE_TEMPLATE | (b->profile == RP_PROFILE_STRICT ? RP_BE_STRICT : 0u),
                             &be, diag);
}

static rp_status add_rule(rp_builder *b, unsigned kind, const char *pattern, size_t pattern_len,
                          const char *url, size_t url_len, unsigned flags,
                          const rp_backend *be, rp_diag *diag)
{
    if (b->nrules >= b->limits[RP_LIMIT_RULES])
        return rp__diag_set(diag, RP_E_TOO_LONG, "too many rules (limit %zu)",
                            b->limits[RP_LIMIT_RULES]);
    rp_status st = rp__grow(&b->a, (void **)&b->rules, &b->caprules, b->nrules + 1,
                            sizeof *b->rules);
    if (st != RP_OK)
        return rp__diag_set(diag, st, "out of memory");
    rp_brule r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.flags = flags;
    r.line = b->cur_line;
    r.column = b->cur_column;
    r.pattern = rp__memdup(&b->a, pattern, pattern_len);
    r.pattern_len = pattern_len;
    if (!r.pattern)
        return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
    if (url) {
        r.url = rp__memdup(&b->a, url, url_len);
        r.url_len = url_len;
        if (!r.url) {
            rp__free(&b->a, r.pattern, pattern_len + 1);
            return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
        }
    }
    if (be) {
        rp__tbackend_view(be, &r.be);
        r.be.origin = NULL;
        r.be_ok = true;
        r.be_differs = be->origin_len > url_len || memcmp(be->origin, url, be->origin_len) != 0;
    }
    b->rules[b->nrules++] = r;
    return RP_OK;
}

static rp_status check_common(rp_builder *b, const char *pattern, size_t pattern_len,
                              const char *url, size_t url_len, unsigned flags, rp_diag *diag)
{
    rp__diag_clear(diag);
    if (!b || (!pattern && pattern_len) || (flags & ~(unsigned)RULE_FLAGS))
        return rp__diag_set(diag, RP_E_ARG, "invalid argument");
    if (!(flags & RP_RULE_EXCLUDE) && !url)
        return rp__diag_set(diag, RP_E_ARG, "invalid argument: URL is NULL");
    if ((flags & RP_RULE_MAPPING_ENCODED) && (flags & RP_RULE_MAPPING_SERVLET))
        return rp__diag_set(diag, RP_E_ARG, "mapping=encoded and mapping=servlet exclude each other");
    if (b->profile == RP_PROFILE_STRICT &&
        (flags & (RP_RULE_NOCANON | RP_RULE_MAPPING_ENCODED | RP_RULE_MAPPING_SERVLET)))
        return rp__diag_set(diag, RP_E_CONFIG,
                            "nocanon and mapping= are Apache-profile options: the strict profile "
                            "matches and forwards one canonical form");
    if (has_nul(pattern, pattern_len) || (url && has_nul(url, url_len)))
        return rp__diag_set(diag, RP_E_CONFIG, "NUL, CR or LF byte in rule");
    (void)url_len;
    return RP_OK;
}

/* ---- strict duplicate paths ----------------------------------------------- */
static size_t dup_len(const char *p, size_t n)
{
    return n > 1 && p[n - 1] == '/' ? n - 1 : n;
}

static void dup_put(uint32_t *slots, size_t cap, const rp_brule *r, uint32_t idx)
{
    size_t n = dup_len(r->pattern, r->pattern_len);
    size_t i = (size_t)rp__hash_bytes(r->pattern, n) & (cap - 1);
    while (slots[i] != UINT32_MAX)
        i = (i + 1) & (cap - 1);
    slots[i] = idx;
}

/* Room for one more entry (the set is rebuilt from the rules when it grows
 * or after a truncation). On RP_E_NOMEM nothing changed. */
static rp_status dups_reserve(rp_builder *b)
{
    if (b->capdups && (b->ndups + 1) * 4 <= b->capdups * 3)
        return RP_OK;
    size_t cap = b->capdups ? b->capdups : 64;
    while ((b->nrules + 1) * 4 > cap * 3) {
        if (cap > SIZE_MAX / 2 / sizeof(uint32_t))
            return RP_E_NOMEM;
        cap *= 2;
    }
    uint32_t *slots = rp__malloc(&b->a, cap * sizeof *slots);
    if (!slots)
        return RP_E_NOMEM;
    memset(slots, 0xff, cap * sizeof *slots);
    size_t n = 0;
    for (size_t i = 0; i < b->nrules; i++) {
        if (b->rules[i].kind != RP_KIND_PASS)
            continue;
        dup_put(slots, cap, &b->rules[i], (uint32_t)i);
        n++;
    }
    dups_drop(b);
    b->dups = slots;
    b->capdups = cap;
    b->ndups = n;
    return RP_OK;
}

/* The prefix rule with the same path (a trailing '/' aside), or NULL. */
static const rp_brule *dup_find(const rp_builder *b, const char *path, size_t len)
{
    size_t n = dup_len(path, len);
    for (size_t i = (size_t)rp__hash_bytes(path, n) & (b->capdups - 1);
         b->dups[i] != UINT32_MAX; i = (i + 1) & (b->capdups - 1)) {
        const rp_brule *r = &b->rules[b->dups[i]];
        if (dup_len(r->pattern, r->pattern_len) == n && memcmp(r->pattern, path, n) == 0)
            return r;
    }
    return NULL;
}

RP_API rp_status rp_builder_add_pass(rp_builder *b, const char *path, size_t path_len,
                                     const char *url, size_t url_len, unsigned flags,
                                     rp_diag *diag)
{
    rp_status st = check_common(b, path, path_len, url, url_len, flags, diag);
    if (st != RP_OK)
        return st;
    if ((st = check_path(b, path, path_len, diag)) != RP_OK)
        return st;
    rp_backend be;
    if (flags & RP_RULE_EXCLUDE) {
        url = NULL;
        url_len = 0;
    } else if ((st = rp__parse_backend(url, url_len,
                                       b->profile == RP_PROFILE_STRICT ? RP_BE_STRICT : 0u, &be,
                                       diag)) != RP_OK) {
        return st;
    }
    const bool strict = b->profile == RP_PROFILE_STRICT;
    if (strict) {
        /* a hash set, not a scan: 100,000 rules would otherwise cost 5e9
         * comparisons */
        if (b->nrules >= b->limits[RP_LIMIT_RULES])
            return rp__diag_set(diag, RP_E_TOO_LONG, "too many rules (limit %zu)",
                                b->limits[RP_LIMIT_RULES]);
        if (dups_reserve(b) != RP_OK)
            return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
        const rp_brule *r = dup_find(b, path, path_len);
        if (r)
            return rp__diag_set(diag, RP_E_CONFIG,
                                "ProxyPass: duplicate path (first defined at line %u)",
                                (unsigned)r->line);
    }
    st = add_rule(b, RP_KIND_PASS, path, path_len, url, url_len, flags, url ? &be : NULL, diag);
    if (st == RP_OK && strict) {
        dup_put(b->dups, b->capdups, &b->rules[b->nrules - 1], (uint32_t)(b->nrules - 1));
        b->ndups++;
    }
    return st;
}

RP_API rp_status rp_builder_add_pass_match(rp_builder *b, const char *regex, size_t regex_len,
                                           const char *url, size_t url_len, unsigned flags,
                                           rp_diag *diag)
{
    rp_status st = check_common(b, regex, regex_len, url, url_len, flags, diag);
    if (st != RP_OK)
        return st;
    if (flags & (RP_RULE_MAPPING_ENCODED | RP_RULE_MAPPING_SERVLET))
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPassMatch: mapping= is for ProxyPass only");
    if (!rp__regex_available())
        return rp__diag_set(diag, RP_E_UNSUPPORTED,
                            "ProxyPassMatch: this build of revproxy has no regex support "
                            "(configure with -Dregex=enabled and PCRE2)");
    if (b->profile == RP_PROFILE_STRICT && regex_len > 1024)
        return rp__diag_set(diag, RP_E_CONFIG,
                            "ProxyPassMatch: pattern longer than 1024 bytes (strict profile)");
    rp_regex *re = NULL;
    if ((st = rp__regex_compile(&b->a, regex, regex_len, false, &re, diag)) != RP_OK)
        return st;
    unsigned groups = rp__regex_groups(re);
    rp__regex_free(&b->a, re);
    if (b->profile == RP_PROFILE_STRICT && groups > 9)
        return rp__diag_set(diag, RP_E_CONFIG,
                            "ProxyPassMatch: more than 9 capture groups (strict profile)");
    if (flags & RP_RULE_EXCLUDE) {
        url = NULL;
        url_len = 0;
    } else if ((st = check_template(b, url, url_len, diag)) != RP_OK) {
        return st;
    }
    return add_rule(b, RP_KIND_MATCH, regex, regex_len, url, url_len, flags, NULL, diag);
}

RP_API rp_status rp_builder_add_reverse(rp_builder *b, const char *path, size_t path_len,
                                        const char *url, size_t url_len, const char *location,
                                        size_t location_len, rp_diag *diag)
{
    rp__diag_clear(diag);
    if (!b || (!path && path_len) || !url || (!location && location_len))
        return rp__diag_set(diag, RP_E_ARG, "invalid argument");
    if (has_nul(path, path_len) || has_nul(url, url_len) || has_nul(location, location_len))
        return rp__diag_set(diag, RP_E_CONFIG, "NUL, CR or LF byte in rule");
    if (path_len == 0)
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPassReverse: the path is empty");
    if (url_len == 0)
        return rp__diag_set(diag, RP_E_CONFIG, "ProxyPassReverse: the URL is empty");
    rp_status st = rp__grow(&b->a, (void **)&b->revs, &b->caprevs, b->nrevs + 1, sizeof *b->revs);
    if (st != RP_OK)
        return rp__diag_set(diag, st, "out of memory");
    rp_brev r;
    memset(&r, 0, sizeof r);
    r.line = b->cur_line;
    r.column = b->cur_column;
    r.path = rp__memdup(&b->a, path, path_len);
    r.path_len = path_len;
    r.url = rp__memdup(&b->a, url, url_len);
    r.url_len = url_len;
    if (location) {
        r.location = rp__memdup(&b->a, location, location_len);
        r.location_len = location_len;
    }
    if (!r.path || !r.url || (location && !r.location)) {
        free_rev(&b->a, &r);
        return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
    }
    b->revs[b->nrevs++] = r;
    return RP_OK;
}

static rp_status add_cookie(rp_builder *b, unsigned kind, const char *internal,
                            size_t internal_len, const char *pub, size_t pub_len,
                            const char *location, size_t location_len, unsigned flags,
                            rp_diag *diag)
{
    rp__diag_clear(diag);
    if (!b || !internal || !pub || (!location && location_len) ||
        (flags & ~(RP_COOKIE_REPLACE_WHOLE | RP_COOKIE_ALLOW_WIDENING)))
        return rp__diag_set(diag, RP_E_ARG, "invalid argument");
    if (has_nul(internal, internal_len) || has_nul(pub, pub_len) ||
        has_nul(location, location_len))
        return rp__diag_set(diag, RP_E_CONFIG, "NUL, CR or LF byte in rule");
    rp_status st = rp__grow(&b->a, (void **)&b->cookies, &b->capcookies, b->ncookies + 1,
                            sizeof *b->cookies);
    if (st != RP_OK)
        return rp__diag_set(diag, st, "out of memory");
    rp_bcookie c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.flags = flags;
    c.line = b->cur_line;
    c.column = b->cur_column;
    c.internal = rp__memdup(&b->a, internal, internal_len);
    c.internal_len = internal_len;
    c.pub = rp__memdup(&b->a, pub, pub_len);
    c.pub_len = pub_len;
    if (location) {
        c.location = rp__memdup(&b->a, location, location_len);
        c.location_len = location_len;
    }
    if (!c.internal || !c.pub || (location && !c.location)) {
        free_cookie(&b->a, &c);
        return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
    }
    const char *problem = b->profile == RP_PROFILE_STRICT ? rp__strict_cookie_rule_problem(&c)
                                                          : NULL;
    if (problem) {
        /* kept (the rule order stays as written) but never applied: say so */
        bool had_oom = b->warn_oom;
        b->warn_oom = false;
        rp__builder_warn(b, b->cur_line, b->cur_column, "%s: %s; the strict profile never applies this rule",
                         kind == RP_COOKIE_PATH ? "ProxyPassReverseCookiePath"
                                                : "ProxyPassReverseCookieDomain",
                         problem);
        if (b->warn_oom) {
            free_cookie(&b->a, &c);
            return rp__diag_set(diag, RP_E_NOMEM, "out of memory (while recording a warning)");
        }
        b->warn_oom = had_oom;
    }
    b->cookies[b->ncookies++] = c;
    return RP_OK;
}

RP_API rp_status rp_builder_add_cookie_domain(rp_builder *b, const char *internal,
                                              size_t internal_len, const char *pub,
                                              size_t pub_len, const char *location,
                                              size_t location_len, unsigned flags, rp_diag *diag)
{
    return add_cookie(b, RP_COOKIE_DOMAIN, internal, internal_len, pub, pub_len, location,
                      location_len, flags, diag);
}

RP_API rp_status rp_builder_add_cookie_path(rp_builder *b, const char *internal,
                                            size_t internal_len, const char *pub,
                                            size_t pub_len, const char *location,
                                            size_t location_len, unsigned flags, rp_diag *diag)
{
    return add_cookie(b, RP_COOKIE_PATH, internal, internal_len, pub, pub_len, location,
                      location_len, flags, diag);
}

RP_API rp_status rp_builder_add_config(rp_builder *b, const char *text, size_t len,
                                       const char *source_name, rp_diag *diag)
{
    rp__diag_clear(diag);
    if (!b || (!text && len))
        return rp__diag_set(diag, RP_E_ARG, "invalid argument");
    size_t nr = b->nrules, nv = b->nrevs, nc = b->ncookies, nw = b->nwarnings;
    unsigned es = b->enc_slashes, ms = b->merge_slashes, ph = b->preserve_host;
    b->warn_oom = false;
    rp_status st = rp__load_config(b, text ? text : "", len, source_name, diag);
    b->cur_line = 0;
    b->cur_column = 0;
    if (st == RP_OK && b->warn_oom)
        st = rp__diag_set(diag, RP_E_NOMEM, "out of memory (while recording a warning)");
    if (st != RP_OK) {
        rp__builder_truncate(b, nr, nv, nc, nw);
        b->enc_slashes = es;
        b->merge_slashes = ms;
        b->preserve_host = ph;
    }
    return st;
}
