/* rp_table_check: findings about rules that load but are wrong or risky
 * (docs/rules.md, "Checking rules"). Where a finding depends on how the
 * table maps requests (shadowing, slash seams, reverse coverage, round
 * trips), it is decided by running the table's own rp_map_request and
 * rp_rewrite_* on probe values, so the checker can never disagree with the
 * engine. Not on the request path: it may allocate (the table's
 * allocator). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SHOWN 80 /* bytes of a rule string shown in a message */

typedef struct checker {
    const rp_table *t;
    rp_finding     *out;
    size_t          cap, n;
    char           *buf; /* a mapped URL */
    char           *buf2; /* a rewritten value, a probe path */
    size_t          bufsz;
} checker;

static int shown(size_t n)
{
    return (int)(n > SHOWN ? SHOWN : n);
}

static void add(checker *c, const char *code, unsigned sev, uint32_t line, uint32_t col,
                uint32_t other, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void add(checker *c, const char *code, unsigned sev, uint32_t line, uint32_t col,
                uint32_t other, const char *fmt, ...)
{
    if (c->n < c->cap) {
        rp_finding *f = &c->out[c->n];
        memset(f, 0, sizeof *f);
        f->code = code;
        f->severity = sev;
        f->line = line;
        f->column = col;
        f->other_line = other;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->message, sizeof f->message, fmt, ap);
        va_end(ap);
    }
    c->n++;
}

/* ---- table settings -------------------------------------------------------- */

static void check_settings(checker *c)
{
    const rp_table *t = c->t;
    const uint32_t *L = t->opt_line, *C = t->opt_column;
    if (t->enc_slashes == RP_SLASHES_DECODE)
        add(c, "lenient-encoded-slashes", RP_SEVERITY_WARNING, L[RP_OPT_ENCODED_SLASHES],
            C[RP_OPT_ENCODED_SLASHES], 0,
            "%s: %%2F is decoded before matching, so /a%%2F..%%2Fadmin "
            "is /admin here but not to a front end that checked the raw path (CVE-2021-29492 "
            "class)",
            L[RP_OPT_ENCODED_SLASHES] ? "AllowEncodedSlashes On"
                                      : "RP_SLASHES_DECODE (as nginx)");
    else if (t->enc_slashes == RP_SLASHES_KEEP)
        add(c, "lenient-encoded-slashes", RP_SEVERITY_WARNING, L[RP_OPT_ENCODED_SLASHES],
            C[RP_OPT_ENCODED_SLASHES], 0,
            "AllowEncodedSlashes NoDecode: %%2F reaches the backend encoded; a backend that "
            "decodes it before routing escapes the prefix (CVE-2021-29492 class)");
    if (!t->merge_slashes)
        add(c, "lenient-merge-slashes", RP_SEVERITY_WARNING, L[RP_OPT_MERGE_SLASHES],
            C[RP_OPT_MERGE_SLASHES], 0,
            "MergeSlashes Off: /app//admin is not /app/admin here, but is to a backend that "
            "merges slashes; exclusions can be bypassed (CVE-2019-0220 class)");
    if (t->preserve_host)
        add(c, "lenient-preserve-host", RP_SEVERITY_INFO, L[RP_OPT_PRESERVE_HOST],
            C[RP_OPT_PRESERVE_HOST], 0,
            "ProxyPreserveHost On: backends see the Host the client chose; they must not build "
            "links or cache keys from it (host header poisoning class)");
}

/* ---- regex shapes ------------------------------------------------------------ */

static bool is_quant(const char *p, size_t n, size_t i)
{
    return i < n && (p[i] == '*' || p[i] == '+' || (p[i] == '{' && i + 1 < n &&
                                                     p[i + 1] >= '0' && p[i + 1] <= '9'));
}

/* A quantified group that itself holds a quantifier ("(a+)+", "(.*)*",
 * "(?:x+y?)*"): exponential backtracking on a near miss. */
static bool nested_quantifier(const char *p, size_t n)
{
    enum { DEPTH = 64 };
    bool inner[DEPTH];
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '\\') {
            i++;
            continue;
        }
        if (ch == '[') { /* a class: "[]x]" and "[^]x]" hold a literal ']' */
            size_t j = i + 1;
            if (j < n && p[j] == '^')
                j++;
            if (j < n && p[j] == ']')
                j++;
            while (j < n && p[j] != ']')
                j += p[j] == '\\' ? 2 : 1;
            i = j;
            continue;
        }
        if (ch == '(') {
            if (depth == DEPTH)
                return false; /* too deep to judge; PCRE2's limits still apply */
            inner[depth++] = false;
            continue;
        }
        if (ch == ')') {
            if (depth == 0)
                continue;
            bool had = inner[--depth];
            if (had && is_quant(p, n, i + 1))
                return true;
            if (had && depth)
                inner[depth - 1] = true;
            continue;
        }
        if ((ch == '*' || ch == '+' || (ch == '{' && is_quant(p, n, i))) && depth)
            inner[depth - 1] = true;
    }
    return false;
}

static bool has_backreference(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] == '\\') {
            char d = p[i + 1];
            if ((d >= '1' && d <= '9') || d == 'g' || d == 'k')
                return true;
            i++;
        } else if (p[i] == '(' && i + 3 < n && memcmp(p + i, "(?P=", 4) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- forward rules ------------------------------------------------------------ */

/* Map a probe path; the backend URL (NUL-terminated) in c->buf on RP_OK. */
static rp_status probe(checker *c, const char *path, size_t n, size_t *out_len, rp_match *m)
{
    memset(m, 0, sizeof *m);
    return rp_map_request(c->t, path, n, NULL, 0, 0, c->buf, c->bufsz, out_len, m);
}

static const char *rule_word(const rp_trule *r)
{
    return r->kind == RP_KIND_MATCH ? "ProxyPassMatch" : "ProxyPass";
}

/* Which rule takes the rule's own path, and what that means. */
static void check_reach(checker *c, const rp_trule *r)
{
    rp_match m;
    size_t n;
    rp_status st = probe(c, r->pattern, r->pattern_len, &n, &m);
    if (st == RP_OK || st == RP_EXCLUDED || st == RP_E_NOSPACE || st == RP_E_TOO_LONG) {
        if (m.rule_index == r->index || m.rule_index >= c->t->nrules)
            return;
        const rp_trule *w = &c->t->rules[m.rule_index];
        if (w->kind != RP_KIND_PASS)
            return; /* a regex that matches this path need not match the longer ones */
        if (!r->url && w->url)
            add(c, "exclusion-after-rule", RP_SEVERITY_ERROR, r->line, r->column, w->line,
                "ProxyPass %.*s ! comes after ProxyPass %.*s, which proxies every path it was "
                "meant to exclude: move the exclusion first",
                shown(r->pattern_len), r->pattern, shown(w->pattern_len), w->pattern);
        else
            add(c, "shadowed-rule", RP_SEVERITY_WARNING, r->line, r->column, w->line,
                "ProxyPass %.*s can never match: ProxyPass %.*s%s is tried first and covers "
                "every path it matches",
                shown(r->pattern_len), r->pattern, shown(w->pattern_len), w->pattern,
                w->url ? "" : " !");
        return;
    }
    add(c, "never-matches", RP_SEVERITY_WARNING, r->line, r->column, 0,
        "ProxyPass %.*s never matches: its own path gives %s%s", shown(r->pattern_len),
        r->pattern, st == RP_NO_MATCH ? "no match" : rp_status_name(st),
        r->pattern_len && r->pattern[0] != '/' ? " (a path must start with '/')" : "");
}

static bool has_double_slash(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] == '/' && p[i + 1] == '/')
            return true;
    return false;
}

/* Apache joins the rest of the path to the backend URL as it is: a slash on
 * one side only glues segments or doubles the slash. */
static void check_seam(checker *c, const rp_trule *r)
{
    size_t pl = r->pattern_len;
    const char *bp = r->url + r->be.path_off;
    size_t bl = r->url_len - r->be.path_off;
    bool path_slash = pl > 0 && r->pattern[pl - 1] == '/';
    bool url_slash = bl > 0 && bp[bl - 1] == '/';
    if (path_slash == url_slash || pl + 2 > c->bufsz)
        return;
    /* probe: PATH + "x" (glue) or PATH + "/x" (double slash) */
    char *p = c->buf2;
    memcpy(p, r->pattern, pl);
    size_t n = pl;
    if (!path_slash)
        p[n++] = '/';
    p[n++] = 'x';
    rp_match m;
    size_t on;
    rp_status st = probe(c, p, n, &on, &m);
    if (m.rule_index != r->index)
        return;
    if (st == RP_E_UNSAFE_OUTPUT) {
        add(c, "slash-glue", RP_SEVERITY_ERROR, r->line, r->column, 0,
            "ProxyPass %.*s %.*s: %.*s would run into the backend's authority (refused with "
            "RP_E_UNSAFE_OUTPUT); give the URL a path, e.g. a trailing '/'",
            shown(pl), r->pattern, shown(r->url_len), r->url, shown(n), p);
        return;
    }
    if (st != RP_OK)
        return;
    const char *path = c->buf + r->be.origin_len;
    size_t pn = on - r->be.origin_len;
    if (path_slash && pn >= 2 && path[pn - 1] == 'x' && path[pn - 2] != '/')
        add(c, "slash-glue", RP_SEVERITY_WARNING, r->line, r->column, 0,
            "ProxyPass %.*s %.*s: %.*s goes to %.*s, gluing two segments together; end both "
            "with '/' or neither",
            shown(pl), r->pattern, shown(r->url_len), r->url, shown(n), p, shown(on), c->buf);
    else if (!path_slash && has_double_slash(path, pn))
        add(c, "slash-double", RP_SEVERITY_WARNING, r->line, r->column, 0,
            "ProxyPass %.*s %.*s: %.*s goes to %.*s, with an empty segment; end both with '/' "
            "or neither",
            shown(pl), r->pattern, shown(r->url_len), r->url, shown(n), p, shown(on), c->buf);
}

static void check_flags(checker *c, const rp_trule *r)
{
    if (r->flags & RP_RULE_NOCANON)
        add(c, "lenient-nocanon", RP_SEVERITY_WARNING, r->line, r->column, 0,
            "%s %.*s ... nocanon forwards the raw path: dot segments and escapes past the "
            "prefix reach the backend (path traversal, CVE-2021-41773 class)",
            rule_word(r), shown(r->pattern_len), r->pattern);
    if (r->flags & RP_RULE_MAPPING_ENCODED)
        add(c, "lenient-mapping", RP_SEVERITY_WARNING, r->line, r->column, 0,
            "%s %.*s ... mapping=encoded forwards %%2F encoded whatever AllowEncodedSlashes "
            "says (CVE-2021-29492 class)",
            rule_word(r), shown(r->pattern_len), r->pattern);
    if (r->flags & RP_RULE_MAPPING_SERVLET)
        add(c, "lenient-mapping", RP_SEVERITY_WARNING, r->line, r->column, 0,
            "%s %.*s ... mapping=servlet matches /p;x as /p: safe only in front of a servlet "
            "container (the '..;' differential class)",
            rule_word(r), shown(r->pattern_len), r->pattern);
    /* '#' in the backend URL: the strict profile refuses it when building;
     * Apache sends it as %23, or raw with nocanon / mapping=encoded (httpd
     * re-appends the parsed fragment to the request line), where the
     * backend's parser ends the path at it */
    const char *hash = r->url ? memchr(r->url, '#', r->url_len) : NULL;
    if (hash) {
        bool raw = (r->flags & (RP_RULE_NOCANON | RP_RULE_MAPPING_ENCODED)) != 0;
        add(c, "backend-fragment", raw ? RP_SEVERITY_ERROR : RP_SEVERITY_WARNING, r->line,
            r->column, 0,
            raw ? "%s %.*s %.*s: '#' in the backend URL is sent raw (nocanon / mapping=encoded): "
                  "the request line is invalid and the backend ends the path at '#'"
                : "%s %.*s %.*s: '#' in the backend URL is sent as %%23, part of the path; a "
                  "fragment has no meaning in a request",
            rule_word(r), shown(r->pattern_len), r->pattern, shown(r->url_len), r->url);
    }
}

/* Would a backend redirect to what this rule forwards to come back public? */
static void check_reverse_of(checker *c, const rp_trule *r, unsigned flags)
{
    if (c->t->derive_reverse && !(flags & RP_CHECK_ROUND_TRIP))
        return;
    const char *pat = r->pattern;
    size_t pl = r->pattern_len;
    /* probes: the prefix itself, a path below it, and one with an escape
     * and a query (both must come back as the client sent them) */
    static const char *const below[] = {"", "rt/x", "rt/a%20b/?q=1&r=%2F"};
    for (size_t k = 0; k < sizeof below / sizeof below[0]; k++) {
        char *p = c->buf2;
        size_t n = pl, bl = strlen(below[k]);
        if (pl + bl + 2 > c->bufsz / 2)
            return;
        memcpy(p, pat, pl);
        if (bl) {
            if (n == 0 || p[n - 1] != '/')
                p[n++] = '/';
            memcpy(p + n, below[k], bl);
            n += bl;
        }
        rp_match m;
        size_t on;
        if (probe(c, p, n, &on, &m) != RP_OK || m.rule_index != r->index)
            continue;
        static const char origin[] = "https://public.example";
        rp_response_ctx ctx = {origin, sizeof origin - 1, c->buf, on, p, n};
        char *loc = c->buf2 + n + 1;
        size_t cap = c->bufsz - n - 1, ln = 0;
        rp_status st = rp_rewrite_location(c->t, c->buf, on, &ctx, 0, loc, cap, &ln);
        if (st == RP_NO_MATCH) {
            if (!c->t->derive_reverse)
                add(c, "no-reverse", RP_SEVERITY_WARNING, r->line, r->column, 0,
                    "ProxyPass %.*s has no ProxyPassReverse: a redirect to %.*s reaches the "
                    "client unchanged",
                    shown(pl), pat, shown(on), c->buf);
            return;
        }
        if (st != RP_OK || !(flags & RP_CHECK_ROUND_TRIP))
            return;
        size_t ol = sizeof origin - 1;
        if (ln == ol + n && memcmp(loc, origin, ol) == 0 && memcmp(loc + ol, p, n) == 0)
            continue;
        add(c, "round-trip", RP_SEVERITY_WARNING, r->line, r->column, 0,
            "GET %.*s goes to %.*s, but a redirect there comes back as %.*s", shown(n), p,
            shown(on), c->buf, shown(ln), loc);
        return;
    }
}

static void check_forward(checker *c, unsigned flags)
{
    for (size_t i = 0; i < c->t->nrules; i++) {
        const rp_trule *r = &c->t->rules[i];
        check_flags(c, r);
        if (r->kind == RP_KIND_MATCH) {
            if (nested_quantifier(r->pattern, r->pattern_len))
                add(c, "regex-backtracking", RP_SEVERITY_WARNING, r->line, r->column, 0,
                    "ProxyPassMatch %.*s: a quantified group holds a quantifier; a near miss "
                    "backtracks exponentially (the match limit then fails it closed)",
                    shown(r->pattern_len), r->pattern);
            if (has_backreference(r->pattern, r->pattern_len))
                add(c, "regex-backreference", RP_SEVERITY_WARNING, r->line, r->column, 0,
                    "ProxyPassMatch %.*s: a backreference makes matching slow on long paths; "
                    "match the text instead",
                    shown(r->pattern_len), r->pattern);
            continue;
        }
        check_reach(c, r);
        if (!r->url)
            continue;
        if (c->t->profile == RP_PROFILE_APACHE)
            check_seam(c, r);
        check_reverse_of(c, r, flags);
    }
}

/* ---- reverse rules ------------------------------------------------------------ */

/* Sort keys: "origin + path" of each forward rule's backend (templates up to
 * their first '$'), and the paths alone, for path-only reverse rules. */
typedef struct key {
    const char *a; /* origin (normalized) */
    size_t      al;
    const char *b; /* path */
    size_t      bl;
} key;

static int key_cmp(const key *x, const key *y)
{
    /* compare the concatenations a+b */
    size_t xl = x->al + x->bl, yl = y->al + y->bl, n = xl < yl ? xl : yl;
    for (size_t i = 0; i < n; i++) {
        unsigned char cx = (unsigned char)(i < x->al ? x->a[i] : x->b[i - x->al]);
        unsigned char cy = (unsigned char)(i < y->al ? y->a[i] : y->b[i - y->al]);
        if (cx != cy)
            return cx < cy ? -1 : 1;
    }
    return xl < yl ? -1 : xl > yl;
}

static int key_qsort(const void *x, const void *y)
{
    return key_cmp(x, y);
}

static char key_at(const key *k, size_t i)
{
    return i < k->al ? k->a[i] : k->b[i - k->al];
}

/* k cut to its first l bytes */
static key key_cut(const key *k, size_t l)
{
    key r = *k;
    if (l <= r.al) {
        r.al = l;
        r.bl = 0;
    } else {
        r.bl = l - r.al;
    }
    return r;
}

/* Index of the first key >= q. */
static size_t lower_bound(const key *keys, size_t nk, const key *q)
{
    size_t lo = 0, hi = nk;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(&keys[mid], q) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Is q a prefix of some key, or some key a prefix of q (cut where a path
 * segment ends)? */
static bool overlaps(const key *keys, size_t nk, const key *q)
{
    size_t ql = q->al + q->bl;
    size_t lo = lower_bound(keys, nk, q);
    if (lo < nk && keys[lo].al + keys[lo].bl >= ql) {
        key pre = key_cut(&keys[lo], ql);
        if (key_cmp(&pre, q) == 0)
            return true; /* q is a prefix of a key */
    }
    for (size_t l = ql; l > 0; l--) {
        bool boundary = l == ql || l == q->al || key_at(q, l) == '/' || key_at(q, l - 1) == '/';
        if (!boundary)
            continue;
        key pre = key_cut(q, l);
        size_t a = lower_bound(keys, nk, &pre);
        if (a < nk && key_cmp(&keys[a], &pre) == 0)
            return true;
    }
    return false;
}

static size_t template_len(const rp_trule *r)
{
    const char *d = memchr(r->url, '$', r->url_len);
    return d ? (size_t)(d - r->url) : r->url_len;
}

static rp_status check_reverse(checker *c)
{
    const rp_table *t = c->t;
    if (t->nrevs == 0)
        return RP_OK;
    key *full = t->nrules ? rp__malloc(&t->a, 2 * t->nrules * sizeof *full) : NULL;
    if (t->nrules && !full)
        return RP_E_NOMEM;
    key *paths = full ? full + t->nrules : NULL; /* no arithmetic on NULL */
    size_t nf = 0;
    for (size_t i = 0; i < t->nrules; i++) {
        const rp_trule *r = &t->rules[i];
        if (!r->url)
            continue;
        size_t ul = r->kind == RP_KIND_MATCH ? template_len(r) : r->url_len;
        size_t po = r->be.path_off < ul ? r->be.path_off : ul;
        full[nf] = (key){r->be.origin, r->be.origin_len, r->url + po, ul - po};
        paths[nf] = (key){"", 0, r->url + po, ul - po};
        nf++;
    }
    if (nf) {
        qsort(full, nf, sizeof *full, key_qsort);
        /* paths were filled at the same positions: move them next to full */
        memmove(full + nf, paths, nf * sizeof *paths);
        paths = full + nf;
        qsort(paths, nf, sizeof *paths, key_qsort);
    }
    for (size_t j = 0; j < t->nrevs; j++) {
        const rp_trev *v = &t->trevs[j];
        bool used;
        rp_backend pb;
        if (v->path_only) {
            key q = {"", 0, v->bpath, v->bpath_len};
            used = overlaps(paths, nf, &q);
        } else if (v->parsed) {
            key q = {v->be.origin, v->be.origin_len, v->bpath, v->bpath_len};
            used = overlaps(full, nf, &q);
        } else if (t->profile == RP_PROFILE_APACHE &&
                   rp__parse_backend(v->real, v->real_len, 0, &pb, NULL) == RP_OK) {
            /* the Apache table keeps the URL as text: parse it here */
            key q = {pb.origin, pb.origin_len, v->real + pb.path_off, v->real_len - pb.path_off};
            used = overlaps(full, nf, &q);
        } else {
            used = true; /* not a URL: nothing to compare (the Apache text match applies) */
        }
        if (!used)
            add(c, "unused-reverse", RP_SEVERITY_WARNING, v->line, v->column, 0,
                "ProxyPassReverse %.*s %.*s: no ProxyPass forwards to this backend URL; a "
                "typo, or a rule left over",
                shown(v->fake_len), v->fake, shown(v->real_len), v->real);
    }
    if (full)
        rp__free(&t->a, full, 2 * t->nrules * sizeof *full);
    return RP_OK;
}

/* ---- cookie rules ------------------------------------------------------------- */

/* Domains under which anyone can register a name: a cookie for one of them
 * goes to every site below it. Single labels ("com") are caught by their
 * label count; this is the multi-label part of a small built-in list. */
static const char *const k_suffixes[] = {
    "co.uk",        "org.uk",        "ac.uk",        "gov.uk",        "me.uk",
    "com.au",       "net.au",        "org.au",       "co.jp",         "ne.jp",
    "or.jp",        "co.nz",         "co.za",        "com.br",        "com.cn",
    "co.in",        "co.kr",         "com.mx",       "com.tr",        "github.io",
    "gitlab.io",    "herokuapp.com", "appspot.com",  "blogspot.com",  "cloudfront.net",
    "amazonaws.com", "azurewebsites.net", "vercel.app", "netlify.app", "pages.dev",
    "workers.dev",  "web.app",       "firebaseapp.com", "fly.dev",    "onrender.com",
};

static size_t labels(const char *d, size_t n)
{
    size_t k = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        k += d[i] == '.';
    return k;
}

static bool ieq(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (rp__lower((unsigned char)a[i]) != (unsigned char)b[i])
            return false;
    return true;
}

static void check_cookie(checker *c, const rp_bcookie *k)
{
    const char *in = k->internal, *pb = k->pub;
    size_t inl = k->internal_len, pl = k->pub_len;
    if (k->kind == RP_COOKIE_DOMAIN) {
        if (inl && in[0] == '.') {
            in++;
            inl--;
        }
        if (pl && pb[0] == '.') {
            pb++;
            pl--;
        }
        if (pl == 0)
            return;
        bool suffix = false;
        for (size_t i = 0; i < sizeof k_suffixes / sizeof k_suffixes[0]; i++)
            suffix |= ieq(pb, pl, k_suffixes[i]);
        if (labels(pb, pl) < 2)
            add(c, "cookie-domain-single-label", RP_SEVERITY_ERROR, k->line, k->column, 0,
                "ProxyPassReverseCookieDomain %.*s %.*s: a one-label domain offers the cookie "
                "to a whole top-level domain (browsers drop it)",
                shown(k->internal_len), k->internal, shown(k->pub_len), k->pub);
        else if (suffix)
            add(c, "cookie-domain-public-suffix", RP_SEVERITY_ERROR, k->line, k->column, 0,
                "ProxyPassReverseCookieDomain %.*s %.*s: %.*s is a public suffix; the cookie "
                "would go to every site under it",
                shown(k->internal_len), k->internal, shown(k->pub_len), k->pub, shown(pl), pb);
        else if (labels(pb, pl) < labels(in, inl))
            add(c, "cookie-domain-widening", RP_SEVERITY_WARNING, k->line, k->column, 0,
                "ProxyPassReverseCookieDomain %.*s %.*s: the public domain is wider than the "
                "internal one; every host under %.*s gets (and can overwrite) the cookie%s",
                shown(k->internal_len), k->internal, shown(k->pub_len), k->pub, shown(pl), pb,
                c->t->profile == RP_PROFILE_STRICT && !(k->flags & RP_COOKIE_ALLOW_WIDENING)
                    ? " (strict: ignored)"
                    : "");
        return;
    }
    /* Path: does the rule also take a path that only starts with the same
     * bytes ("/v1" taking "/v1x")? Ask the engine. */
    if (inl == 0 || in[inl - 1] == '/' || inl + 16 > c->bufsz)
        return;
    char *v = c->buf2;
    memcpy(v, "a=1; Path=", 10);
    memcpy(v + 10, in, inl);
    memcpy(v + 10 + inl, "x", 1);
    size_t vn = 10 + inl + 1, on = 0;
    rp_response_ctx ctx = {NULL, 0, NULL, 0, k->location, k->location_len};
    if (rp_rewrite_set_cookie(c->t, v, vn, &ctx, 0, c->buf, c->bufsz, &on) == RP_OK)
        add(c, "cookie-path-boundary", RP_SEVERITY_WARNING, k->line, k->column, 0,
            "ProxyPassReverseCookiePath %.*s %.*s also rewrites Path=%.*sx (a text prefix, not "
            "a path segment): it becomes %.*s",
            shown(k->internal_len), k->internal, shown(k->pub_len), k->pub, shown(inl), in,
            shown(on > 10 ? on - 10 : 0), c->buf + 10);
}

/* ---- entry point ------------------------------------------------------------ */

RP_API rp_status rp_table_check(const rp_table *t, unsigned flags, rp_finding *out, size_t cap,
                                size_t *count)
{
    if (!t || !count || (!out && cap) || (flags & ~RP_CHECK_ROUND_TRIP))
        return RP_E_ARG;
    *count = 0;
    checker c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.out = out;
    c.cap = cap;
    /* probe buffers: the longest result the table may produce, twice (a
     * probe and its rewrite share buf2) */
    size_t lim = t->limits[RP_LIMIT_OUTPUT_LEN];
    c.bufsz = (lim < RP_TARGET_LEN_MAX ? RP_TARGET_LEN_MAX : lim > (1u << 20) ? (1u << 20) : lim) +
              1;
    c.buf = rp__malloc(&t->a, 2 * c.bufsz);
    if (!c.buf)
        return RP_E_NOMEM;
    c.buf2 = c.buf + c.bufsz;
    check_settings(&c);
    check_forward(&c, flags);
    rp_status st = check_reverse(&c);
    for (size_t i = 0; st == RP_OK && i < t->ncookies; i++)
        check_cookie(&c, &t->cookies[i]);
    rp__free(&t->a, c.buf, 2 * c.bufsz);
    if (st != RP_OK)
        return st;
    *count = c.n;
    return c.n > cap ? RP_E_NOSPACE : RP_OK;
}
