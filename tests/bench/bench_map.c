/* bench_map: the rule-lookup benchmark of revproxy (docs/performance.md).
 *
 * For tables of 10, 1,000, 10,000 and 100,000 rules it
 *   1. generates rules with realistic shapes (shared byte prefixes such as
 *      /app0/svc5 vs /app0/svc55 and /svc4 vs /svc4-beta, nested prefixes
 *      before and after their parent, exclusions, "ProxyPass /files3/"
 *      trailing-slash rules, a few ProxyPassMatch regex rules) and one
 *      ProxyPassReverse per proxying prefix rule;
 *   2. generates a random stream of request-targets (hits, near misses,
 *      misses, empty and "/" tails, queries) and of Location values;
 *   3. computes the expected answer of every query with a straightforward
 *      linear scan written here (Apache's alias_match / first match in
 *      configuration order; ap_proxy_location_reverse_map for Location;
 *      segment-boundary longest prefix for the strict profile), compares
 *      the library's status, rule index and output bytes with it, and exits
 *      1 on any mismatch -- before anything is timed;
 *   4. times rp_map_request, rp_rewrite_location, the linear references and
 *      a memcpy of the expected output (the floor), median of several
 *      repetitions (rows that are compared run their repetitions in turn),
 *      and prints ns per call, ratios measured in the same run,
 *      table build time and memory per rule, canonicalization and
 *      pathological-input rows, and a RESULT block with the targets.
 *
 * The exit status depends only on output mismatches (and setup failures),
 * never on speed. Only the public API is used.
 *
 *   bench_map            full run (N = 10, 1000, 10000, 100000)
 *   bench_map --quick    fewer queries, shorter repetitions
 *   bench_map --smoke    N = 10 and 1000, few queries, checks outputs (CI)
 *   options: --reps R  --min-time S  --queries Q  --n 10,1000  --seed X
 *            --no-strict  --no-regex (tables without ProxyPassMatch rules)  --no-pin
 *            --dump N (print the N-rule table as Apache directives and the first
 *            queries of its streams, then exit)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <revproxy/revproxy.h>

#ifdef BENCH_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

/* ------------------------------------------------------------------------
 * small utilities
 * ---------------------------------------------------------------------- */
#define OUTCAP 32768u /* output buffers: pathological rows write ~15 KB */

/* die("%s", msg) or die("... %s ...", arg): only "%s" is expanded */
static void die(const char *fmt, const char *a)
{
    const char *p = strstr(fmt, "%s");
    fputs("bench_map: ", stderr);
    if (p) {
        fwrite(fmt, 1, (size_t)(p - fmt), stderr);
        fputs(a, stderr);
        fputs(p + 2, stderr);
    } else {
        fputs(fmt, stderr);
    }
    fputs("\n", stderr);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("%s", "out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("%s", "out of memory");
    return p;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64* with a fixed seed: every run generates the same rules and
 * queries. */
static uint64_t g_seed = 0x9E3779B97F4A7C15ull;
static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    uint64_t x = g_rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g_rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}
static size_t rndn(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

/* growable byte string */
typedef struct sbuf {
    char  *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *s, const void *d, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        size_t c = s->cap ? s->cap : 64;
        while (c < s->n + n + 1)
            c *= 2;
        s->p = xrealloc(s->p, c);
        s->cap = c;
    }
    if (n)
        memcpy(s->p + s->n, d, n);
    s->n += n;
    s->p[s->n] = '\0';
}
static void sb_str(sbuf *s, const char *z)
{
    sb_put(s, z, strlen(z));
}
/* prefix followed by a decimal number */
static void sb_fmt(sbuf *s, const char *prefix, unsigned long a)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "%lu", a);
    sb_str(s, prefix);
    sb_put(s, tmp, (size_t)k);
}
static void sb_clear(sbuf *s)
{
    s->n = 0;
    if (s->p)
        s->p[0] = '\0';
}

/* A list of byte strings (queries, expected outputs). */
typedef struct strlist {
    char  **s;
    size_t *len;
    size_t  n, cap;
} strlist;

static void sl_add(strlist *l, const char *p, size_t n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->s = xrealloc(l->s, l->cap * sizeof *l->s);
        l->len = xrealloc(l->len, l->cap * sizeof *l->len);
    }
    char *c = xmalloc(n + 1);
    memcpy(c, p, n);
    c[n] = '\0';
    l->s[l->n] = c;
    l->len[l->n++] = n;
}
static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    free(l->len);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------------------
 * options
 * ---------------------------------------------------------------------- */
typedef struct opts {
    int    smoke, quick, strict, pin, no_regex;
    size_t dump; /* --dump N: print the rules and some queries, then exit */
    int    reps;
    double min_time;
    size_t queries;
    size_t ns[8];
    size_t nn;
} opts;

static opts O;

/* ------------------------------------------------------------------------
 * rules
 * ---------------------------------------------------------------------- */
enum { K_PASS, K_EXCL, K_REGEX };

typedef struct rule {
    int      kind;
    char    *path; /* prefix path, or the regex */
    size_t   path_len;
    char    *url; /* backend URL, or the regex template; NULL for K_EXCL */
    size_t   url_len;
    /* reference data */
    char    *origin; /* "scheme://host[:port]" of url (prefix rules) */
    size_t   origin_len;
    char    *bpath; /* path part of url */
    size_t   bpath_len;
    char    *spath; /* strict: path without a trailing '/' (unless "/") */
    size_t   spath_len;
    int      trailing; /* path ends in '/' */
    int      plain_app; /* "/app<g>/svc<i>" (a target for a regex rule) */
#ifdef BENCH_HAVE_PCRE2
    pcre2_code *re;
#endif
} rule;

typedef struct ruleset {
    rule  *r;
    size_t n, cap;
    size_t nexcl, nregex, nrev;
    size_t fwd_str_bytes; /* bytes of rule strings (paths, URLs, regexes) */
    size_t rev_str_bytes;
} ruleset;

static int g_regex_ok; /* library and bench both have PCRE2 */
static int g_reverse_ok = 1; /* 0: rp_rewrite_location answers RP_E_UNSUPPORTED */
#ifdef BENCH_HAVE_PCRE2
static pcre2_match_data *g_md;
#endif

static void split_url(rule *r)
{
    const char *u = r->url;
    const char *p = strstr(u, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    size_t ol = p ? (size_t)(p - u) : r->url_len;
    r->origin = xmalloc(ol + 1);
    memcpy(r->origin, u, ol);
    r->origin[ol] = '\0';
    r->origin_len = ol;
    r->bpath = r->url + ol;
    r->bpath_len = r->url_len - ol;
}

static rule *rs_push(ruleset *rs)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 64;
        rs->r = xrealloc(rs->r, rs->cap * sizeof *rs->r);
    }
    rule *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static void add_prefix(ruleset *rs, const char *path, const char *url, int plain_app)
{
    rule *r = rs_push(rs);
    r->kind = url ? K_PASS : K_EXCL;
    r->path_len = strlen(path);
    r->path = xmalloc(r->path_len + 1);
    memcpy(r->path, path, r->path_len + 1);
    r->trailing = r->path_len > 1 && path[r->path_len - 1] == '/';
    r->spath = r->path;
    r->spath_len = r->trailing ? r->path_len - 1 : r->path_len;
    r->plain_app = plain_app;
    rs->fwd_str_bytes += r->path_len;
    if (url) {
        r->url_len = strlen(url);
        r->url = xmalloc(r->url_len + 1);
        memcpy(r->url, url, r->url_len + 1);
        split_url(r);
        rs->fwd_str_bytes += r->url_len;
        rs->rev_str_bytes += r->path_len + r->url_len;
        rs->nrev++;
    } else {
        rs->nexcl++;
    }
}

static void add_regex(ruleset *rs, const char *re, const char *tmpl)
{
    rule *r = rs_push(rs);
    r->kind = K_REGEX;
    r->path_len = strlen(re);
    r->path = xmalloc(r->path_len + 1);
    memcpy(r->path, re, r->path_len + 1);
    r->url_len = strlen(tmpl);
    r->url = xmalloc(r->url_len + 1);
    memcpy(r->url, tmpl, r->url_len + 1);
    split_url(r);
    rs->fwd_str_bytes += r->path_len + r->url_len;
    rs->nregex++;
#ifdef BENCH_HAVE_PCRE2
    int err;
    PCRE2_SIZE off;
    /* what Apache's ap_regcomp does: DOTALL, DOLLAR_ENDONLY, no JIT */
    r->re = pcre2_compile((PCRE2_SPTR)re, r->path_len, PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, &err,
                          &off, NULL);
    if (!r->re)
        die("cannot compile regex %s", re);
#endif
}

static void rs_free(ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->r[i].path);
        free(rs->r[i].url);
        free(rs->r[i].origin);
#ifdef BENCH_HAVE_PCRE2
        if (rs->r[i].re)
            pcre2_code_free(rs->r[i].re);
#endif
    }
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

/* The rule shapes, by i mod 10 (each i gives one or two prefix rules):
 *   0, 7  /app<g>/svc<i>                 -> http://be<h>.internal:8080/backend/s<i>
 *   1     /app<g>/svc<i>/admin !         then /app<g>/svc<i>   (exclusion first)
 *   2, 9  /api/v<1-4>/res<i>             -> http://api<h>.internal:8081/v<ver>/res<i>
 *   3     /files<i>/                     -> http://files.internal/files/<i>/
 *   4     /app<g>/svc<i>                 then /app<g>/svc<i>-beta
 *   5     /api/v<..>/res<i>, or /private<i> ! when i % 50 == 25
 *   6     /app<g>/svc<i>/api (nested, before its parent) then /app<g>/svc<i>
 *   8     /app<g>/svc<i> then /app<g>/svc<i>/static (nested after its parent:
 *         shadowed in Apache, longest match in strict)
 * g = i / 100, so /app0/svc5 and /app0/svc55 share a byte prefix; h = (i / 64) % 16,
 * so backends share hosts (and Location values share byte prefixes).
 * The regex rules (2 at N <= 10, else 4) are spread over the order:
 *   j=0  ^/rx<j>/(.*)$                   -> http://rx<j>.internal:9000/rx/$1
 *   j=1  ^/app<g>/svc<i>/(v[0-9]+)/(.*)$ -> http://ver.internal:9000/versioned/$1/<i>/$2
 *        (overlaps the prefix rule /app<g>/svc<i>, which comes after it: the regex wins)
 *   j=2  ^/(.+)\.php$                    -> http://php.internal:9000/fpm/$1.php
 *   j=3  as j=1, with the prefix rule before it (the prefix rule wins)
 */
static void gen_rules(ruleset *rs, size_t N)
{
    memset(rs, 0, sizeof *rs);
    size_t nregex = g_regex_ok ? (N <= 10 ? 2 : 4) : 0;
    size_t nprefix = N - nregex;
    char path[128], url[160];
    for (unsigned long i = 0; rs->n < nprefix; i++) {
        unsigned long g = i / 100, h = (i / 64) % 16, k = i % 10;
        unsigned long ver = 1 + (i / 10) % 4;
        char app[64], be[96];
        snprintf(app, sizeof app, "/app%lu/svc%lu", g, i);
        snprintf(be, sizeof be, "http://be%lu.internal:8080/backend/s%lu", h, i);
        switch (k) {
        case 0:
        case 7:
            add_prefix(rs, app, be, 1);
            break;
        case 1:
            snprintf(path, sizeof path, "%s/admin", app);
            add_prefix(rs, path, NULL, 0);
            if (rs->n < nprefix)
                add_prefix(rs, app, be, 1);
            break;
        case 5:
            if (i % 50 == 25) {
                snprintf(path, sizeof path, "/private%lu", i);
                add_prefix(rs, path, NULL, 0);
                break;
            }
            /* fall through */
        case 2:
        case 9:
            snprintf(path, sizeof path, "/api/v%lu/res%lu", ver, i);
            snprintf(url, sizeof url, "http://api%lu.internal:8081/v%lu/res%lu", h, ver, i);
            add_prefix(rs, path, url, 0);
            break;
        case 3:
            snprintf(path, sizeof path, "/files%lu/", i);
            snprintf(url, sizeof url, "http://files.internal/files/%lu/", i);
            add_prefix(rs, path, url, 0);
            break;
        case 4:
            add_prefix(rs, app, be, 1);
            if (rs->n < nprefix) {
                snprintf(path, sizeof path, "%s-beta", app);
                snprintf(url, sizeof url, "%s-beta", be);
                add_prefix(rs, path, url, 0);
            }
            break;
        case 6:
            snprintf(path, sizeof path, "%s/api", app);
            snprintf(url, sizeof url, "http://api%lu.internal:8081/svc%lu", h, i);
            add_prefix(rs, path, url, 0);
            if (rs->n < nprefix)
                add_prefix(rs, app, be, 1);
            break;
        default: /* 8 */
            add_prefix(rs, app, be, 1);
            if (rs->n < nprefix) {
                snprintf(path, sizeof path, "%s/static", app);
                snprintf(url, sizeof url, "http://static.internal/s%lu", i);
                add_prefix(rs, path, url, 0);
            }
            break;
        }
    }
    if (!nregex)
        return;
    /* insert the regex rules at evenly spread positions */
    rule *pre = rs->r;
    size_t np = rs->n;
    rs->r = NULL;
    rs->n = rs->cap = 0;
    size_t next = 0;
    for (size_t j = 0; j < nregex; j++) {
        size_t pos = (j + 1) * np / (nregex + 1);
        while (next < pos)
            *rs_push(rs) = pre[next++];
        char re[160], tm[160];
        /* j = 0: rx, 1: versioned (prefix rule after it), 2: php,
         * 3: versioned (prefix rule before it) */
        static const int k_shape[4] = {0, 1, 2, 1};
        int shape = k_shape[j % 4];
        if (shape == 1) {
            /* a plain /app<g>/svc<i> rule: after the regex for j = 1 (the
             * regex wins for /v<n>/ tails), before it for j = 3 (the prefix
             * rule wins) */
            size_t t = SIZE_MAX;
            if (j % 4 == 1) {
                for (size_t q = next; q < np && t == SIZE_MAX; q++)
                    if (pre[q].plain_app)
                        t = q;
            }
            for (size_t q = next; q-- > 0 && t == SIZE_MAX;)
                if (pre[q].plain_app)
                    t = q;
            if (t == SIZE_MAX)
                shape = 0;
            else {
                const char *svc = strrchr(pre[t].path, 'c'); /* "svc<i>" */
                snprintf(re, sizeof re, "^%s/(v[0-9]+)/(.*)$", pre[t].path);
                snprintf(tm, sizeof tm, "http://ver.internal:9000/versioned/$1/%s/$2", svc + 1);
            }
        }
        if (shape == 0) {
            snprintf(re, sizeof re, "^/rx%lu/(.*)$", (unsigned long)j);
            snprintf(tm, sizeof tm, "http://rx%lu.internal:9000/rx/$1", (unsigned long)j);
        } else if (shape == 2) {
            snprintf(re, sizeof re, "%s", "^/(.+)\\.php$");
            snprintf(tm, sizeof tm, "%s", "http://php.internal:9000/fpm/$1.php");
        }
        add_regex(rs, re, tm);
    }
    while (next < np)
        *rs_push(rs) = pre[next++];
    free(pre);
}

/* ------------------------------------------------------------------------
 * counting allocator (memory per rule)
 * ---------------------------------------------------------------------- */
/* Every block carries a header: its size and links of a list of the live
 * blocks, so that the blocks a table holds can be listed (largest first). */
typedef struct blk {
    size_t      size;
    struct blk *prev, *next;
    size_t      pad; /* keeps the user pointer 16-byte aligned */
} blk;

typedef struct counter {
    size_t live, peak, nalloc, bad_size;
    blk    head; /* circular list of live blocks */
} counter;

static void c_link(counter *c, blk *h)
{
    if (!c->head.next)
        c->head.next = c->head.prev = &c->head;
    h->next = c->head.next;
    h->prev = &c->head;
    c->head.next->prev = h;
    c->head.next = h;
}
static void c_unlink(blk *h)
{
    h->prev->next = h->next;
    h->next->prev = h->prev;
}

static void *c_alloc(void *ud, size_t n)
{
    counter *c = ud;
    blk *h = malloc(n + sizeof(blk));
    if (!h)
        return NULL;
    h->size = n;
    c_link(c, h);
    c->live += n;
    c->nalloc++;
    if (c->live > c->peak)
        c->peak = c->live;
    return h + 1;
}
static void c_free(void *ud, void *q, size_t size)
{
    counter *c = ud;
    if (!q)
        return;
    blk *h = (blk *)q - 1;
    if (h->size != size)
        c->bad_size++;
    c->live -= h->size;
    c_unlink(h);
    free(h);
}
static void *c_realloc(void *ud, void *q, size_t old, size_t n)
{
    counter *c = ud;
    if (!q)
        return c_alloc(ud, n);
    blk *h = (blk *)q - 1;
    size_t was = h->size;
    if (was != old)
        c->bad_size++;
    c_unlink(h);
    blk *nh = realloc(h, n + sizeof(blk));
    if (!nh) {
        c_link(c, h);
        return NULL;
    }
    nh->size = n;
    c_link(c, nh);
    c->live = c->live - was + n;
    if (c->live > c->peak)
        c->peak = c->live;
    return nh + 1;
}

/* The largest live blocks, and how many blocks are live. */
static size_t c_largest(const counter *c, size_t *top, size_t ntop)
{
    size_t nlive = 0;
    memset(top, 0, ntop * sizeof *top);
    if (!c->head.next)
        return 0;
    for (const blk *h = c->head.next; h != &c->head; h = h->next) {
        nlive++;
        size_t v = h->size;
        for (size_t i = 0; i < ntop; i++)
            if (v > top[i]) {
                size_t t = top[i];
                top[i] = v;
                v = t;
            }
    }
    return nlive;
}

/* ------------------------------------------------------------------------
 * building tables through the public API
 * ---------------------------------------------------------------------- */
typedef struct build_info {
    double total_ms, compile_ms;
} build_info;

static rp_table *build_table(const ruleset *rs, unsigned profile, int with_rev,
                             const rp_allocator *al, build_info *bi)
{
    rp_builder *b = NULL;
    rp_diag d;
    memset(&d, 0, sizeof d);
    double t0 = now_s();
    if (rp_builder_new(profile, al, &b) != RP_OK)
        die("%s", "rp_builder_new failed");
    if (rp_builder_set_limit(b, RP_LIMIT_RULES, rs->n + 16) != RP_OK)
        die("%s", "rp_builder_set_limit(RULES) failed");
    /* the strict row set uses no reverse rules (an older library without
     * the option derives them; harmless here) */
    if (profile == RP_PROFILE_STRICT)
        (void)!rp_builder_set_option(b, RP_OPT_DERIVE_REVERSE, 0);
    for (size_t i = 0; i < rs->n; i++) {
        const rule *r = &rs->r[i];
        rp_status st;
        if (r->kind == K_REGEX)
            st = rp_builder_add_pass_match(b, r->path, r->path_len, r->url, r->url_len, 0, &d);
        else
            st = rp_builder_add_pass(b, r->path, r->path_len, r->url, r->url ? r->url_len : 0,
                                     r->kind == K_EXCL ? RP_RULE_EXCLUDE : 0u, &d);
        if (st != RP_OK) {
            fprintf(stderr, "bench_map: rule %zu (%s): %s: %s\n", i, r->path,
                    rp_status_name(st), d.message);
            exit(2);
        }
    }
    for (size_t i = 0; with_rev && i < rs->n; i++) {
        const rule *r = &rs->r[i];
        if (r->kind != K_PASS)
            continue;
        rp_status st = rp_builder_add_reverse(b, r->path, r->path_len, r->url, r->url_len, NULL,
                                              0, &d);
        if (st != RP_OK) {
            fprintf(stderr, "bench_map: reverse rule %s: %s: %s\n", r->path,
                    rp_status_name(st), d.message);
            exit(2);
        }
    }
    rp_table *t = NULL;
    double t1 = now_s();
    rp_status st = rp_builder_compile(b, &t, &d);
    double t2 = now_s();
    if (st != RP_OK) {
        fprintf(stderr, "bench_map: compile: %s: %s\n", rp_status_name(st), d.message);
        exit(2);
    }
    rp_builder_free(b);
    if (bi) {
        bi->total_ms = (t2 - t0) * 1e3;
        bi->compile_ms = (t2 - t1) * 1e3;
    }
    return t;
}

/* ------------------------------------------------------------------------
 * the references (independent of the library)
 * ---------------------------------------------------------------------- */
typedef struct answer {
    int      st; /* rp_status value */
    uint32_t rule;
    size_t   len;
} answer;

/* httpd 2.4 modules/proxy/mod_proxy.c alias_match(), as written there:
 * strlen of both strings on every call, '/' in the alias matches a run of
 * '/', the last alias segment must end at a segment boundary. */
static size_t apache_alias_match(const char *uri, const char *alias_fakename)
{
    const char *end_fakename = alias_fakename + strlen(alias_fakename);
    const char *aliasp = alias_fakename, *urip = uri;
    const char *end_uri = uri + strlen(uri);

    while (aliasp < end_fakename && urip < end_uri) {
        if (*aliasp == '/') {
            if (*urip != '/')
                return 0;
            while (*aliasp == '/')
                ++aliasp;
            while (*urip == '/')
                ++urip;
        } else {
            if (*urip++ != *aliasp++)
                return 0;
        }
    }
    if (aliasp > end_fakename)
        aliasp = end_fakename;
    if (urip > end_uri)
        urip = end_uri;
    if (urip == end_uri && aliasp != end_fakename)
        return 0;
    if (aliasp[-1] != '/' && *urip != '\0' && *urip != '/')
        return 0;
    return (size_t)(urip - uri);
}

/* The same test with stored lengths and memcmp (the "linear, memcmp +
 * boundary" variant of PERF.md): equal to alias_match for rules without
 * "//" against canonical paths. */
static size_t memcmp_match(const char *uri, size_t ulen, const rule *r)
{
    size_t al = r->path_len;
    if (ulen < al || memcmp(uri, r->path, al) != 0)
        return 0;
    if (r->path[al - 1] != '/' && ulen > al && uri[al] != '/')
        return 0;
    return al;
}

static void wput(char *out, size_t cap, size_t *w, const char *s, size_t n)
{
    if (*w < cap) {
        size_t k = n < cap - *w ? n : cap - *w;
        memcpy(out + *w, s, k);
    }
    *w += n;
}

#ifdef BENCH_HAVE_PCRE2
/* ap_pregsub: "$N" is group N, "&" group 0, "\x" a literal x. */
static size_t pregsub(const char *tm, size_t tn, const char *subj, const size_t *ov, int ngrp,
                      char *out, size_t cap, size_t w)
{
    for (size_t i = 0; i < tn;) {
        char c = tm[i++];
        int no = -1;
        if (c == '&')
            no = 0;
        else if (c == '$' && i < tn && tm[i] >= '0' && tm[i] <= '9')
            no = tm[i++] - '0';
        if (no < 0) {
            if (c == '\\' && i < tn)
                c = tm[i++];
            wput(out, cap, &w, &c, 1);
            continue;
        }
        if (no >= ngrp || ov[2 * no] == (size_t)-1)
            continue;
        wput(out, cap, &w, subj + ov[2 * no], ov[2 * no + 1] - ov[2 * no]);
    }
    return w;
}

#endif

/* Run a regex rule on the path; returns 1 and the output on a match. */
static int regex_rule(const rule *r, const char *path, size_t plen, const char *query,
                      size_t qlen, int has_q, int strict, char *out, size_t cap, size_t *w)
{
#ifdef BENCH_HAVE_PCRE2
    int rc = pcre2_match(r->re, (PCRE2_SPTR)path, plen, 0, 0, g_md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        die("%s", "reference regex failed");
    PCRE2_SIZE *pv = pcre2_get_ovector_pointer(g_md);
    size_t ov[20];
    int ng = rc > 10 ? 10 : rc;
    for (int k = 0; k < 2 * ng; k++)
        ov[k] = pv[k] == PCRE2_UNSET ? (size_t)-1 : (size_t)pv[k];
    const char *tm = r->bpath;
    size_t tn = r->bpath_len;
    *w = 0;
    wput(out, cap, w, r->origin, r->origin_len);
    size_t before = *w;
    *w = pregsub(tm, tn, path, ov, ng, out, cap, *w);
    if (!strict) {
        /* Apache: a template left unchanged by the substitution gets the
         * whole path appended (never the case for the templates here) */
        if (*w - before == tn && *w <= cap && memcmp(out + before, tm, tn) == 0)
            wput(out, cap, w, path, plen);
    }
    if (*w == r->origin_len)
        wput(out, cap, w, "/", 1);
    if (has_q) {
        wput(out, cap, w, "?", 1);
        wput(out, cap, w, query, qlen);
    }
    return 1;
#else
    (void)r; (void)path; (void)plen; (void)query; (void)qlen; (void)has_q; (void)strict;
    (void)out; (void)cap; (void)w;
    return 0;
#endif
}

/* Apache profile forward reference: first match in configuration order.
 * Targets are canonical origin-form (no %, no //, no dot segments), so the
 * decoded path is the raw path and Apache's re-encoding changes nothing. */
static answer ref_apache(const ruleset *rs, const char *tg, size_t tn, int use_memcmp, char *out,
                         size_t cap)
{
    answer a = {RP_NO_MATCH, 0, 0};
    const char *q = memchr(tg, '?', tn);
    size_t plen = q ? (size_t)(q - tg) : tn;
    const char *query = q ? q + 1 : NULL;
    size_t qlen = q ? tn - plen - 1 : 0;
    char uri[OUTCAP]; /* r->uri: the path, NUL-terminated */
    if (plen >= sizeof uri)
        die("%s", "target too long for the reference");
    memcpy(uri, tg, plen);
    uri[plen] = '\0';
    for (size_t i = 0; i < rs->n; i++) {
        const rule *r = &rs->r[i];
        if (r->kind == K_REGEX) {
            size_t w = 0;
            if (regex_rule(r, uri, plen, query, qlen, q != NULL, 0, out, cap, &w)) {
                a.st = RP_OK;
                a.rule = (uint32_t)i;
                a.len = w;
                break;
            }
            continue;
        }
        size_t c = use_memcmp ? memcmp_match(uri, plen, r) : apache_alias_match(uri, r->path);
        if (!c)
            continue;
        a.rule = (uint32_t)i;
        if (r->kind == K_EXCL) {
            a.st = RP_EXCLUDED;
            break;
        }
        size_t w = 0;
        wput(out, cap, &w, r->origin, r->origin_len);
        wput(out, cap, &w, r->bpath, r->bpath_len);
        if (r->bpath_len == 0 && (plen == c))
            wput(out, cap, &w, "/", 1);
        wput(out, cap, &w, uri + c, plen - c);
        if (q) {
            wput(out, cap, &w, "?", 1);
            wput(out, cap, &w, query, qlen);
        }
        a.st = RP_OK;
        a.len = w;
        break;
    }
    if (a.st == RP_OK && a.len < cap)
        out[a.len] = '\0';
    return a;
}

/* Strict profile forward reference: regex rules in order first, then the
 * longest prefix rule that is the whole path or ends at a '/' of it. */
static answer ref_strict(const ruleset *rs, const char *tg, size_t tn, char *out, size_t cap)
{
    answer a = {RP_NO_MATCH, 0, 0};
    const char *q = memchr(tg, '?', tn);
    size_t plen = q ? (size_t)(q - tg) : tn;
    const char *query = q ? q + 1 : NULL;
    size_t qlen = q ? tn - plen - 1 : 0;
    for (size_t i = 0; i < rs->n; i++) {
        const rule *r = &rs->r[i];
        size_t w = 0;
        if (r->kind == K_REGEX &&
            regex_rule(r, tg, plen, query, qlen, q != NULL, 1, out, cap, &w)) {
            a.st = RP_OK;
            a.rule = (uint32_t)i;
            a.len = w;
            if (w < cap)
                out[w] = '\0';
            return a;
        }
    }
    const rule *best = NULL;
    size_t bi = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const rule *r = &rs->r[i];
        if (r->kind == K_REGEX)
            continue;
        size_t sl = r->spath_len;
        if (plen < sl || memcmp(tg, r->spath, sl) != 0 || (plen > sl && tg[sl] != '/'))
            continue;
        if (!best || sl > best->spath_len) {
            best = r;
            bi = i;
        }
    }
    if (!best)
        return a;
    a.rule = (uint32_t)bi;
    if (best->kind == K_EXCL) {
        a.st = RP_EXCLUDED;
        return a;
    }
    size_t c = best->spath_len, bl = best->bpath_len, w = 0;
    if (bl > 0 && best->bpath[bl - 1] == '/')
        bl--;
    wput(out, cap, &w, best->origin, best->origin_len);
    wput(out, cap, &w, best->bpath, bl);
    if (bl == 0 && plen == c)
        wput(out, cap, &w, "/", 1);
    wput(out, cap, &w, tg + c, plen - c);
    if (q) {
        wput(out, cap, &w, "?", 1);
        wput(out, cap, &w, query, qlen);
    }
    a.st = RP_OK;
    a.len = w;
    if (w < cap)
        out[w] = '\0';
    return a;
}

/* httpd 2.4 ap_proxy_location_reverse_map for URL rules: the first rule
 * whose URL is an ASCII-case-insensitive prefix of the whole value wins;
 * the result is fake + rest, made absolute with the public origin. */
static const char k_origin[] = "https://www.example.com";

static answer ref_reverse(const ruleset *rs, const char *v, size_t n, char *out, size_t cap)
{
    answer a = {RP_NO_MATCH, 0, 0};
    for (size_t i = 0; i < rs->n; i++) {
        const rule *r = &rs->r[i];
        if (r->kind != K_PASS)
            continue;
        size_t l2 = r->url_len;
        if (l2 > 0 && n >= l2 && strncasecmp(r->url, v, l2) == 0) {
            size_t w = 0;
            wput(out, cap, &w, k_origin, sizeof k_origin - 1);
            wput(out, cap, &w, r->path, r->path_len);
            wput(out, cap, &w, v + l2, n - l2);
            a.st = RP_OK;
            a.rule = (uint32_t)i;
            a.len = w;
            if (w < cap)
                out[w] = '\0';
            return a;
        }
    }
    /* unchanged */
    size_t w = 0;
    wput(out, cap, &w, v, n);
    a.len = w;
    if (w < cap)
        out[w] = '\0';
    return a;
}

/* ------------------------------------------------------------------------
 * queries
 * ---------------------------------------------------------------------- */
static const char *const k_tails[] = {
    "",
    "/",
    "/x",
    "/index.html",
    "/users/42/profile",
    "/a/b/c/d/e/f/g",
    "/static/css/site.min.css",
    "/v1/items/12345/reviews",
    "/index.php",
    "/deep/path/with/many/segments/and/a/file.txt",
    "/v2/x",
    "/admin",
    "/admin/users",
    "/static/app.js",
    "/api/orders",
    "/static/js/vendor/jquery-3.7.1.min.js",
    "/users/1234567/settings/notifications/email",
    "/v1/accounts/98765/transactions/2024-11-22",
};
#define NTAILS (sizeof k_tails / sizeof k_tails[0])
static const char *const k_queries[] = {"?a=1&b=two", "?", "?q=x/y", "?next=/app/x"};

typedef struct qstats {
    size_t hit, near, miss, regex, query, bytes;
} qstats;

static const rule *pick_prefix(const ruleset *rs)
{
    for (;;) {
        const rule *r = &rs->r[rndn(rs->n)];
        if (r->kind != K_REGEX)
            return r;
    }
}
static const rule *pick_pass(const ruleset *rs)
{
    for (;;) {
        const rule *r = &rs->r[rndn(rs->n)];
        if (r->kind == K_PASS)
            return r;
    }
}

static void put_tail(sbuf *s, const rule *r, const char *tail)
{
    if (r && r->trailing && tail[0] == '/')
        tail++; /* "/files3/" + "x", never "//" */
    sb_str(s, tail);
}

static void gen_targets(const ruleset *rs, size_t nq, strlist *out, qstats *qs)
{
    sbuf s = {0};
    memset(qs, 0, sizeof *qs);
    for (size_t i = 0; i < nq; i++) {
        sb_clear(&s);
        size_t c = rndn(100);
        const char *tail = k_tails[rndn(NTAILS)];
        if (c < 62 || c >= 90) { /* hit (with a query from 90 on) */
            const rule *r = pick_prefix(rs);
            sb_put(&s, r->path, r->path_len);
            put_tail(&s, r, tail);
            if (c >= 90) {
                sb_str(&s, k_queries[rndn(4)]);
                qs->query++;
            }
            qs->hit++;
        } else if (c < 66) { /* aimed at a regex rule */
            const rule *r = NULL;
            if (rs->nregex)
                for (r = &rs->r[rndn(rs->n)]; r->kind != K_REGEX; r = &rs->r[rndn(rs->n)])
                    ;
            if (r && strncmp(r->path, "^/rx", 4) == 0) {
                sb_put(&s, r->path + 1, (size_t)(strchr(r->path + 2, '/') - r->path));
                sb_str(&s, tail[0] ? tail + 1 : "");
            } else if (r && strncmp(r->path, "^/app", 5) == 0) {
                sb_put(&s, r->path + 1, (size_t)(strstr(r->path, "/(v") - r->path - 1));
                sb_fmt(&s, "/v", (unsigned long)rndn(20));
                sb_str(&s, tail);
            } else {
                const rule *p = pick_prefix(rs);
                sb_put(&s, p->path, p->path_len);
                put_tail(&s, p, "/page.php");
            }
            qs->regex++;
        } else if (c < 78) { /* near miss */
            const rule *r = pick_prefix(rs);
            size_t v = rndn(4);
            if (r->trailing) {
                sb_put(&s, r->path, r->path_len - 1); /* "/files3" */
                if (v & 1)
                    sb_str(&s, "x");
            } else if (v == 0) {
                sb_put(&s, r->path, r->path_len);
                sb_str(&s, "x");
                sb_str(&s, tail);
            } else if (v == 1) {
                sb_put(&s, r->path, r->path_len - 1); /* /app0/svc55 -> /app0/svc5 */
                sb_str(&s, tail);
            } else if (v == 2) {
                sb_put(&s, r->path, r->path_len);
                sb_str(&s, "-old");
                sb_str(&s, tail);
            } else {
                sb_put(&s, r->path, r->path_len);
                if (s.p[1] >= 'a' && s.p[1] <= 'z')
                    s.p[1] = (char)(s.p[1] - 'a' + 'A'); /* /App0/...: case-sensitive */
                sb_str(&s, tail);
            }
            qs->near++;
        } else { /* miss */
            switch (rndn(6)) {
            case 0:
                sb_fmt(&s, "/nosuch", (unsigned long)rndn(1000));
                sb_str(&s, tail);
                break;
            case 1:
                sb_fmt(&s, "/app", (unsigned long)rndn(rs->n / 100 + 1));
                sb_str(&s, "/nosuch");
                sb_str(&s, tail);
                break;
            case 2:
                sb_fmt(&s, "/api/v9/res", (unsigned long)rndn(rs->n + 1));
                sb_str(&s, tail);
                break;
            case 3:
                sb_fmt(&s, "/app", (unsigned long)rndn(rs->n / 100 + 1));
                break;
            case 4:
                sb_str(&s, "/");
                break;
            default:
                sb_str(&s, "/favicon.ico");
                break;
            }
            qs->miss++;
        }
        qs->bytes += s.n;
        sl_add(out, s.p, s.n);
    }
    free(s.p);
}

/* scheme and host in a random case (ASCII-case-insensitive match) */
static void scramble_case(char *p, size_t n)
{
    const char *e = strstr(p, "://");
    size_t end = e ? (size_t)(e - p) + 3 : 0;
    if (e) {
        const char *sl = strchr(e + 3, '/');
        end = sl ? (size_t)(sl - p) : n;
    }
    for (size_t i = 0; i < end; i++)
        if (p[i] >= 'a' && p[i] <= 'z' && (rnd() & 1))
            p[i] = (char)(p[i] - 'a' + 'A');
}

static void gen_locations(const ruleset *rs, size_t nq, strlist *out, qstats *qs)
{
    sbuf s = {0};
    memset(qs, 0, sizeof *qs);
    for (size_t i = 0; i < nq; i++) {
        sb_clear(&s);
        size_t c = rndn(100);
        const char *tail = k_tails[rndn(NTAILS)];
        if (c < 70 || c >= 90) { /* hit */
            const rule *r = pick_pass(rs);
            sb_put(&s, r->url, r->url_len);
            if (c >= 90)
                sb_str(&s, (c & 1) ? "/" : "");
            else {
                put_tail(&s, r, tail);
                if (rndn(10) == 0)
                    sb_str(&s, "?next=/backend/x#top");
            }
            if (rndn(4) == 0)
                scramble_case(s.p, s.n);
            qs->hit++;
        } else if (c < 80) { /* near miss (some still match: Apache has no boundary) */
            const rule *r = pick_pass(rs);
            size_t v = rndn(4);
            if (v == 0) { /* another port */
                char *p = strstr(r->url, ":808");
                if (p) {
                    sb_put(&s, r->url, (size_t)(p - r->url));
                    sb_str(&s, ":9090");
                    sb_str(&s, p + 5);
                } else {
                    const char *sl = strchr(r->url + 7, '/');
                    sb_put(&s, r->url, (size_t)(sl - r->url));
                    sb_str(&s, ":81");
                    sb_str(&s, sl);
                }
            } else if (v == 1) { /* https instead of http */
                sb_str(&s, "https");
                sb_str(&s, r->url + 4);
            } else if (v == 2) { /* one byte shorter: .../s55 -> .../s5 */
                sb_put(&s, r->url, r->url_len - 1);
            } else { /* longer: .../s5x (a plain prefix still matches) */
                sb_put(&s, r->url, r->url_len);
                sb_str(&s, "x");
            }
            sb_str(&s, tail);
            qs->near++;
        } else { /* miss */
            switch (rndn(6)) {
            case 0:
                sb_str(&s, "http://elsewhere.example");
                sb_str(&s, tail);
                break;
            case 1:
                sb_str(&s, "https://www.example.com/app0/svc1");
                sb_str(&s, tail);
                break;
            case 2:
                sb_fmt(&s, "/backend/s", (unsigned long)rndn(rs->n + 1));
                sb_str(&s, tail);
                break;
            case 3:
                sb_str(&s, "login?next=1");
                break;
            case 4:
                break; /* empty value */
            default:
                sb_fmt(&s, "http://be", (unsigned long)rndn(16));
                sb_str(&s, ".internal:8080/other");
                sb_str(&s, tail);
                break;
            }
            qs->miss++;
        }
        qs->bytes += s.n;
        sl_add(out, s.p, s.n);
    }
    free(s.p);
}

/* A non-canonical spelling of a canonical path (no query): "//" for one
 * '/', "/." and "/zz/.." inserted before a '/', one letter as %XX. */
static void decanonicalize(const char *p, size_t n, sbuf *s)
{
    size_t slashes[64], ns = 0;
    for (size_t i = 0; i < n && ns < 64; i++)
        if (p[i] == '/')
            slashes[ns++] = i;
    size_t a = slashes[rndn(ns)], b = slashes[rndn(ns)], c = slashes[rndn(ns)];
    size_t letter = SIZE_MAX;
    for (size_t k = 0, i = rndn(n); k < n; k++, i = (i + 1) % n)
        if (p[i] >= 'a' && p[i] <= 'z') {
            letter = i;
            break;
        }
    static const char hx[] = "0123456789abcdef";
    sb_clear(s);
    for (size_t i = 0; i < n; i++) {
        if (i == a)
            sb_str(s, "/");
        if (i == b)
            sb_str(s, "/.");
        if (i == c)
            sb_str(s, "/zz/..");
        if (i == letter) {
            char e[3] = {'%', hx[(unsigned char)p[i] >> 4], hx[p[i] & 15]};
            sb_put(s, e, 3);
        } else {
            sb_put(s, p + i, 1);
        }
    }
}

/* ------------------------------------------------------------------------
 * timing
 * ---------------------------------------------------------------------- */
typedef struct ctx {
    const rp_table  *t;
    const ruleset   *rs;
    const strlist   *q;   /* inputs */
    const strlist   *exp; /* expected outputs (floor) */
    size_t           nq;  /* queries used by this variant (a prefix of q) */
    rp_response_ctx  rctx;
    char            *out;
    size_t           sink;
} ctx;

typedef void (*call_fn)(ctx *c, size_t i);

static void call_map(ctx *c, size_t i)
{
    size_t n = 0;
    rp_match m;
    rp_status st = rp_map_request(c->t, c->q->s[i], c->q->len[i], "www.example.com", 15,
                                  RP_MAP_DEFAULT, c->out, OUTCAP, &n, &m);
    c->sink += n + (size_t)st;
}
static void call_ref_apache(ctx *c, size_t i)
{
    answer a = ref_apache(c->rs, c->q->s[i], c->q->len[i], 0, c->out, OUTCAP);
    c->sink += a.len + (size_t)a.st;
}
static void call_ref_memcmp(ctx *c, size_t i)
{
    answer a = ref_apache(c->rs, c->q->s[i], c->q->len[i], 1, c->out, OUTCAP);
    c->sink += a.len + (size_t)a.st;
}
static void call_ref_strict(ctx *c, size_t i)
{
    answer a = ref_strict(c->rs, c->q->s[i], c->q->len[i], c->out, OUTCAP);
    c->sink += a.len + (size_t)a.st;
}
static void call_loc(ctx *c, size_t i)
{
    size_t n = 0;
    rp_status st = rp_rewrite_location(c->t, c->q->s[i], c->q->len[i], &c->rctx, 0, c->out,
                                       OUTCAP, &n);
    c->sink += n + (size_t)st;
}
static void call_ref_rev(ctx *c, size_t i)
{
    answer a = ref_reverse(c->rs, c->q->s[i], c->q->len[i], c->out, OUTCAP);
    c->sink += a.len + (size_t)a.st;
}
static void call_floor(ctx *c, size_t i)
{
    size_t n = c->exp->len[i];
    memcpy(c->out, c->exp->s[i], n);
    c->out[n] = '\0';
    __asm__ volatile("" : : "r"(c->out) : "memory");
    c->sink += n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct timing {
    double ns;       /* median ns per call */
    double lo, hi;   /* min and max over the repetitions */
    size_t calls;    /* calls in the median repetition (approximately) */
    size_t distinct; /* distinct queries touched */
    double rep[64];  /* ns per call of each repetition, in order */
    int    nrep;
} timing;

/* The ratio a/b of two variants timed in the same group: the median of the
 * ratios of their repetitions taken side by side (r-th of a over r-th of
 * b), which a slow phase of the machine affects less than a ratio of
 * medians. */
static double ratio(const timing *a, const timing *b)
{
    int n = a->nrep < b->nrep ? a->nrep : b->nrep;
    if (n <= 0)
        return b->ns > 0 ? a->ns / b->ns : 0.0;
    double r[64];
    for (int i = 0; i < n; i++)
        r[i] = a->rep[i] / b->rep[i];
    for (int i = 1; i < n; i++) /* insertion sort: n <= 64 */
        for (int j = i; j > 0 && r[j - 1] > r[j]; j--) {
            double t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
    return n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

/* One timed variant. Variants timed together run their repetitions in
 * turn (A B C A B C ...), so that a slow phase of the machine (this VM
 * swings by up to 2x) hits all of them alike and their ratios hold. Each
 * repetition runs for at least O.min_time seconds; calls go round the first
 * c.nq queries, continuing where the last repetition stopped. */
typedef struct tvar {
    call_fn f;
    ctx     c;
    timing *out;
    size_t  qi, batch, total;
    double  ns[64];
    size_t  calls[64];
} tvar;

static void tvar_init(tvar *v, call_fn f, const ctx *c, timing *out)
{
    memset(v, 0, sizeof *v);
    v->f = f;
    v->c = *c;
    v->out = out;
    v->batch = 1;
}

static void one_rep(tvar *v, int r)
{
    size_t k = 0;
    double t0 = now_s(), t = t0;
    do {
        double b0 = t;
        for (size_t j = 0; j < v->batch; j++) {
            v->f(&v->c, v->qi);
            if (++v->qi == v->c.nq)
                v->qi = 0;
        }
        k += v->batch;
        t = now_s();
        if (t - b0 < 2e-4 && v->batch < 4096)
            v->batch *= 2;
    } while (t - t0 < O.min_time);
    v->ns[r] = (t - t0) * 1e9 / (double)k;
    v->calls[r] = k;
    v->total += k;
}

static void time_group(tvar *vs, int nv)
{
    int reps = O.reps > 64 ? 64 : O.reps;
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < nv; i++)
            one_rep(&vs[i], r);
    for (int i = 0; i < nv; i++) {
        tvar *v = &vs[i];
        double sorted[64];
        memcpy(sorted, v->ns, sizeof(double) * (size_t)reps);
        qsort(sorted, (size_t)reps, sizeof(double), cmp_double);
        v->out->ns = sorted[reps / 2];
        v->out->lo = sorted[0];
        v->out->hi = sorted[reps - 1];
        v->out->calls = v->calls[reps / 2];
        memcpy(v->out->rep, v->ns, sizeof(double) * (size_t)reps);
        v->out->nrep = reps;
        v->out->distinct = v->total < v->c.nq ? v->total : v->c.nq;
    }
}

/* ------------------------------------------------------------------------
 * checking
 * ---------------------------------------------------------------------- */
static size_t g_mismatch, g_checked;

static void report_mismatch(const char *what, size_t N, const char *in, size_t inlen,
                            int st_lib, uint32_t rule_lib, const char *out_lib, size_t len_lib,
                            const answer *a, const char *out_ref)
{
    if (g_mismatch++ >= 20)
        return;
    printf("# MISMATCH %s N=%zu input \"%.*s\"\n", what, N, (int)inlen, in);
    printf("#   library:   %s rule %u \"%.*s\"\n", rp_status_name((rp_status)st_lib),
           (unsigned)rule_lib, (int)(len_lib < 300 ? len_lib : 300), out_lib);
    printf("#   reference: %s rule %u \"%.*s\"\n", rp_status_name((rp_status)a->st),
           (unsigned)a->rule, (int)(a->len < 300 ? a->len : 300), out_ref);
}

/* Compare the library's forward answer for q with a. */
static void check_map(const char *what, size_t N, const rp_table *t, const char *q, size_t qn,
                      const answer *a, const char *exp)
{
    char out[OUTCAP];
    size_t n = 0;
    rp_match m;
    memset(&m, 0, sizeof m);
    rp_status st = rp_map_request(t, q, qn, "www.example.com", 15, RP_MAP_DEFAULT, out,
                                  sizeof out, &n, &m);
    g_checked++;
    int bad = (int)st != a->st;
    if (!bad && (st == RP_OK || st == RP_EXCLUDED) && m.rule_index != a->rule)
        bad = 1;
    if (!bad && st == RP_OK && (n != a->len || memcmp(out, exp, n) != 0))
        bad = 1;
    if (bad)
        report_mismatch(what, N, q, qn, (int)st, m.rule_index, out, st == RP_OK ? n : 0, a,
                        a->st == RP_OK ? exp : "");
}

static void check_loc(size_t N, const rp_table *t, const rp_response_ctx *rc, const char *q,
                      size_t qn, const answer *a, const char *exp)
{
    char out[OUTCAP];
    size_t n = 0;
    rp_status st = rp_rewrite_location(t, q, qn, rc, 0, out, sizeof out, &n);
    g_checked++;
    if ((int)st != a->st || n != a->len || memcmp(out, exp, n) != 0)
        report_mismatch("Location", N, q, qn, (int)st, 0, out,
                        (st == RP_OK || st == RP_NO_MATCH) ? n : 0, a, exp);
}

/* ------------------------------------------------------------------------
 * output
 * ---------------------------------------------------------------------- */
#define MAXN 8
typedef struct nres {
    size_t     N;
    int        done;
    timing     map, ref, refm, floor_f, loc, rref, floor_r, smap, sref, canon_ok, canon_work;
    timing     map10, loc10, smap10; /* the 10-rule table, timed in the same groups */
    int        have_canon;
    build_info build, build_fwd;
    double     mem_rule, mem_rule_nostr, fwd_mem_rule, fwd_mem_rule_nostr;
    size_t     fwd_top[3], fwd_blocks; /* forward-only table: largest blocks, live blocks */
    size_t     nrev;
    double     chase_ns;    /* one dependent load in a buffer of the table's size */
    size_t     table_bytes; /* the forward-only table, as allocated */
} nres;

static nres R[MAXN];

/* The 10-rule table and its queries, kept for the flatness ratios. */
typedef struct base {
    int       have;
    ruleset   rs;
    rp_table *t, *ts;
    strlist   tq, lq;
} base;
static base B;

static void row(size_t N, const char *name, const timing *tm, double floor_ns,
                const char *note)
{
    printf("%-8zu %-30s %12.1f %9.1f %9.1f %10.2f  %s\n", N, name, tm->ns, tm->lo, tm->hi,
           floor_ns > 0 ? tm->ns / floor_ns : 0.0, note ? note : "");
}

static void head(void)
{
    printf("%-8s %-30s %12s %9s %9s %10s  %s\n", "N", "variant", "ns/call", "min", "max",
           "x floor", "note");
}

/* ------------------------------------------------------------------------
 * the machine's cost of a dependent miss (docs/performance.md §7.8)
 * ---------------------------------------------------------------------- */
/* ns per load of a pointer chase through `bytes` bytes: one 8-byte slot per
 * 64-byte line, all lines in one random cycle (Sattolo's shuffle), so that
 * each load depends on the one before and lands on a random line, as a
 * lookup's slot and rule loads do. Huge pages are asked for, as the
 * library's default allocator does for large blocks. The median of 5 runs
 * of 2^20 loads. */
static double chase_ns(size_t bytes)
{
    size_t n = bytes / 64;
    if (n < 1024)
        n = 1024;
    size_t sz = n * 64;
    void *mem = NULL;
    if (posix_memalign(&mem, (size_t)2 << 20, sz) != 0)
        return 0;
#ifdef MADV_HUGEPAGE
    (void)madvise(mem, sz, MADV_HUGEPAGE);
#endif
    uint64_t *a = mem;
    uint32_t *perm = xmalloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    uint64_t st = 0x2545F4914F6CDD1Dull; /* its own generator: the query streams stay as they were */
    for (size_t i = n - 1; i > 0; i--) { /* Sattolo: one cycle through all */
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        size_t j = (size_t)(st % i);
        uint32_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    for (size_t i = 0; i < n; i++)
        a[(size_t)perm[i] * 8] = (uint64_t)perm[(i + 1) % n] * 8;
    free(perm);
    double v[5];
    const long steps = 1L << 20;
    uint64_t x = 0;
    for (long i = 0; i < steps; i++) /* warm: page tables, huge pages */
        x = a[x];
    for (int r = 0; r < 5; r++) {
        double t0 = now_s();
        for (long i = 0; i < steps; i++)
            x = a[x];
        v[r] = (now_s() - t0) * 1e9 / (double)steps;
    }
    if (x == UINT64_MAX) /* keeps the chase */
        printf("%lu\n", (unsigned long)x);
    free(mem);
    qsort(v, 5, sizeof v[0], cmp_double);
    return v[2];
}

/* ------------------------------------------------------------------------
 * one table size
 * ---------------------------------------------------------------------- */
static void run_n(nres *res, size_t N)
{
    ruleset rs;
    gen_rules(&rs, N);
    res->N = N;
    res->nrev = rs.nrev;
    g_rng = (g_seed ^ (N * 0x100000001B3ull)) | 1;

    /* memory: forward-only table and full table, through counting hooks */
    counter cf = {0}, ca = {0};
    rp_allocator af = {c_alloc, c_realloc, c_free, &cf}, aa = {c_alloc, c_realloc, c_free, &ca};
    rp_table *tf = build_table(&rs, RP_PROFILE_APACHE, 0, &af, NULL);
    rp_table *tm = build_table(&rs, RP_PROFILE_APACHE, 1, &aa, NULL);
    if (rp_table_rule_count(tm) != rs.n)
        die("%s", "rp_table_rule_count differs from the rules added");
    res->fwd_blocks = c_largest(&cf, res->fwd_top, 3);
    res->fwd_mem_rule = (double)cf.live / (double)rs.n;
    res->fwd_mem_rule_nostr = ((double)cf.live - (double)rs.fwd_str_bytes) / (double)rs.n;
    res->mem_rule = (double)ca.live / (double)rs.n;
    res->table_bytes = cf.live;
    if (N >= 10000 && !O.smoke)
        res->chase_ns = chase_ns(cf.live);
    res->mem_rule_nostr =
        ((double)ca.live - (double)rs.fwd_str_bytes - (double)rs.rev_str_bytes) / (double)rs.n;
    if (cf.bad_size || ca.bad_size)
        printf("# WARNING: the library passed %zu wrong sizes to the free/realloc hooks\n",
               cf.bad_size + ca.bad_size);
    rp_table_free(tf);
    rp_table_free(tm);
    if (cf.live || ca.live)
        printf("# WARNING: %zu bytes still allocated after rp_table_free\n", cf.live + ca.live);
    /* the table that is checked and timed */
    rp_table *t = build_table(&rs, RP_PROFILE_APACHE, 1, NULL, NULL);

    /* build time: median over repetitions, default allocator */
    {
        int nb = O.reps < 3 ? O.reps : (O.reps > 9 ? 9 : O.reps);
        double tot[9], cmp[9], ftot[9], fcmp[9];
        for (int k = 0; k < nb; k++) {
            build_info bi;
            rp_table_free(build_table(&rs, RP_PROFILE_APACHE, 1, NULL, &bi));
            tot[k] = bi.total_ms;
            cmp[k] = bi.compile_ms;
            rp_table_free(build_table(&rs, RP_PROFILE_APACHE, 0, NULL, &bi));
            ftot[k] = bi.total_ms;
            fcmp[k] = bi.compile_ms;
        }
        qsort(tot, (size_t)nb, sizeof(double), cmp_double);
        qsort(cmp, (size_t)nb, sizeof(double), cmp_double);
        qsort(ftot, (size_t)nb, sizeof(double), cmp_double);
        qsort(fcmp, (size_t)nb, sizeof(double), cmp_double);
        res->build.total_ms = tot[nb / 2];
        res->build.compile_ms = cmp[nb / 2];
        res->build_fwd.total_ms = ftot[nb / 2];
        res->build_fwd.compile_ms = fcmp[nb / 2];
    }

    /* queries and expected answers */
    strlist tq = {0}, lq = {0}, texp = {0}, lexp = {0}, sexp = {0};
    answer *ta = xmalloc(O.queries * sizeof *ta), *la = xmalloc(O.queries * sizeof *la);
    answer *sa = xmalloc(O.queries * sizeof *sa);
    qstats ts, ls;
    gen_targets(&rs, O.queries, &tq, &ts);
    gen_locations(&rs, O.queries, &lq, &ls);
    char *buf = xmalloc(OUTCAP);
    size_t hits = 0, lhits = 0;
    double v0 = now_s();
    for (size_t i = 0; i < tq.n; i++) {
        ta[i] = ref_apache(&rs, tq.s[i], tq.len[i], 0, buf, OUTCAP);
        sl_add(&texp, buf, ta[i].st == RP_OK ? ta[i].len : 0);
        hits += ta[i].st == RP_OK;
    }
    for (size_t i = 0; i < lq.n; i++) {
        la[i] = ref_reverse(&rs, lq.s[i], lq.len[i], buf, OUTCAP);
        sl_add(&lexp, buf, la[i].len);
        lhits += la[i].st == RP_OK;
    }
    rp_table *ts_t = NULL;
    if (O.strict) {
        ts_t = build_table(&rs, RP_PROFILE_STRICT, 0, NULL, NULL);
        for (size_t i = 0; i < tq.n; i++) {
            sa[i] = ref_strict(&rs, tq.s[i], tq.len[i], buf, OUTCAP);
            sl_add(&sexp, buf, sa[i].st == RP_OK ? sa[i].len : 0);
        }
    }
    double v1 = now_s();

    rp_response_ctx rctx;
    memset(&rctx, 0, sizeof rctx);
    rctx.public_origin = k_origin;
    rctx.public_origin_len = sizeof k_origin - 1;
    size_t mm0 = g_mismatch, ck0 = g_checked;
    for (size_t i = 0; i < tq.n; i++) {
        check_map("forward/apache", N, t, tq.s[i], tq.len[i], &ta[i], texp.s[i]);
        if (O.strict)
            check_map("forward/strict", N, ts_t, tq.s[i], tq.len[i], &sa[i], sexp.s[i]);
    }
    for (size_t i = 0; g_reverse_ok && i < lq.n; i++)
        check_loc(N, t, &rctx, lq.s[i], lq.len[i], &la[i], lexp.s[i]);
    /* the memcmp reference must agree with the Apache one */
    for (size_t i = 0; i < tq.n; i += (N > 10000 ? 16 : 1)) {
        answer b = ref_apache(&rs, tq.s[i], tq.len[i], 1, buf, OUTCAP);
        g_checked++;
        if (b.st != ta[i].st || b.rule != ta[i].rule || b.len != ta[i].len)
            report_mismatch("ref-memcmp vs ref-apache", N, tq.s[i], tq.len[i], b.st, b.rule,
                            buf, b.len, &ta[i], texp.s[i]);
    }

    /* canonicalization: the hits without a query, canonical and not */
    strlist cq = {0}, ncq = {0}, cexp = {0};
    answer *ca_ = xmalloc(O.queries * sizeof *ca_);
    sbuf sb = {0};
    for (size_t i = 0; i < tq.n && cq.n < 8192; i++) {
        if (ta[i].st != RP_OK || memchr(tq.s[i], '?', tq.len[i]) || tq.len[i] < 2)
            continue;
        decanonicalize(tq.s[i], tq.len[i], &sb);
        ca_[cq.n] = ta[i];
        sl_add(&cq, tq.s[i], tq.len[i]);
        sl_add(&ncq, sb.p, sb.n);
        sl_add(&cexp, texp.s[i], texp.len[i]);
    }
    for (size_t i = 0; i < ncq.n; i++)
        check_map("canonicalization", N, t, ncq.s[i], ncq.len[i], &ca_[i], cexp.s[i]);
    free(sb.p);

    printf("# N=%zu: %zu rules (%zu exclusions, %zu regex), %zu reverse rules; "
           "strings %zu B forward + %zu B reverse\n",
           N, rs.n, rs.nexcl, rs.nregex, rs.nrev, rs.fwd_str_bytes, rs.rev_str_bytes);
    printf("# N=%zu: %zu targets avg %.1f B (hit %.0f%% incl. %.0f%% with a query, regex %.0f%%, near miss "
           "%.0f%%, miss %.0f%%), mapped %.1f%%; %zu Location values avg %.1f B, rewritten "
           "%.1f%%\n",
           N, tq.n, (double)ts.bytes / (double)tq.n, 100.0 * (double)ts.hit / (double)tq.n,
           100.0 * (double)ts.query / (double)tq.n, 100.0 * (double)ts.regex / (double)tq.n,
           100.0 * (double)ts.near / (double)tq.n, 100.0 * (double)ts.miss / (double)tq.n,
           100.0 * (double)hits / (double)tq.n, lq.n, (double)ls.bytes / (double)lq.n,
           100.0 * (double)lhits / (double)lq.n);
    printf("# N=%zu: outputs checked against the linear references: %zu comparisons, %zu "
           "mismatches (references took %.1f s)\n",
           N, g_checked - ck0, g_mismatch - mm0, v1 - v0);
    fflush(stdout);

    /* timing: each group interleaves its repetitions; the 10-rule table's
     * rp_map_request / rp_rewrite_location run in the same group, so the
     * flatness ratios are measured side by side */
    ctx c;
    memset(&c, 0, sizeof c);
    c.rs = &rs;
    c.out = buf;
    c.rctx = rctx;
    c.t = t;
    ctx cb = c; /* the 10-rule baseline */
    int with_base = B.have && N != 10;
    if (with_base) {
        cb.rs = &B.rs;
        cb.t = B.t;
    }
    tvar tv[6];
    int nv;

    c.q = &tq;
    c.exp = &texp;
    c.nq = tq.n;
    tvar_init(&tv[0], call_floor, &c, &res->floor_f);
    tvar_init(&tv[1], call_map, &c, &res->map);
    tvar_init(&tv[2], call_ref_apache, &c, &res->ref);
    tvar_init(&tv[3], call_ref_memcmp, &c, &res->refm);
    nv = 4;
    if (with_base) {
        cb.q = &B.tq;
        cb.nq = B.tq.n;
        tvar_init(&tv[nv++], call_map, &cb, &res->map10);
    }
    time_group(tv, nv);
    if (!with_base)
        res->map10 = res->map;

    c.q = &lq;
    c.exp = &lexp;
    c.nq = lq.n;
    if (g_reverse_ok) {
        tvar_init(&tv[0], call_floor, &c, &res->floor_r);
        tvar_init(&tv[1], call_loc, &c, &res->loc);
        tvar_init(&tv[2], call_ref_rev, &c, &res->rref);
        nv = 3;
        if (with_base) {
            cb.q = &B.lq;
            cb.nq = B.lq.n;
            tvar_init(&tv[nv++], call_loc, &cb, &res->loc10);
        }
        time_group(tv, nv);
        if (!with_base)
            res->loc10 = res->loc;
    }

    if (O.strict) {
        c.q = &tq;
        c.exp = &sexp;
        c.t = ts_t;
        c.nq = tq.n;
        tvar_init(&tv[0], call_map, &c, &res->smap);
        tvar_init(&tv[1], call_ref_strict, &c, &res->sref);
        nv = 2;
        if (with_base && B.ts) {
            cb.q = &B.tq;
            cb.nq = B.tq.n;
            cb.t = B.ts;
            tvar_init(&tv[nv++], call_map, &cb, &res->smap10);
        }
        time_group(tv, nv);
        if (nv == 2)
            res->smap10 = res->smap;
        c.t = t;
    }
    if (cq.n) {
        c.nq = cq.n;
        c.q = &cq;
        tvar_init(&tv[0], call_map, &c, &res->canon_ok);
        c.q = &ncq;
        tvar_init(&tv[1], call_map, &c, &res->canon_work);
        time_group(tv, 2);
        res->have_canon = 1;
    }
    res->done = 1;

    char note[128];
    head();
    row(N, "floor-fwd (memcpy of output)", &res->floor_f, res->floor_f.ns, NULL);
    row(N, "rp_map_request (apache)", &res->map, res->floor_f.ns, NULL);
    if (N != 10 && B.have)
        row(N, "  same, 10-rule table (in turn)", &res->map10, res->floor_f.ns,
            "baseline of lib(N)/lib(10)");
    snprintf(note, sizeof note, "%zu distinct queries timed", res->ref.distinct);
    row(N, "ref-apache (alias_match loop)", &res->ref, res->floor_f.ns, note);
    snprintf(note, sizeof note, "%zu distinct queries timed", res->refm.distinct);
    row(N, "ref-memcmp (linear, lengths)", &res->refm, res->floor_f.ns, note);
    if (g_reverse_ok) {
        row(N, "floor-rev (memcpy of output)", &res->floor_r, res->floor_r.ns, NULL);
        row(N, "rp_rewrite_location (apache)", &res->loc, res->floor_r.ns, NULL);
        if (N != 10 && B.have)
            row(N, "  same, 10-rule table (in turn)", &res->loc10, res->floor_r.ns,
                "baseline of lib(N)/lib(10)");
        snprintf(note, sizeof note, "%zu distinct queries timed", res->rref.distinct);
        row(N, "ref-reverse (strncasecmp loop)", &res->rref, res->floor_r.ns, note);
    }
    if (O.strict) {
        row(N, "rp_map_request (strict)", &res->smap, res->floor_f.ns, NULL);
        if (N != 10 && B.have && B.ts)
            row(N, "  same, 10-rule table (in turn)", &res->smap10, res->floor_f.ns,
                "baseline of lib(N)/lib(10)");
        snprintf(note, sizeof note, "%zu distinct queries timed", res->sref.distinct);
        row(N, "ref-strict (longest, linear)", &res->sref, res->floor_f.ns, note);
    }
    if (res->have_canon) {
        snprintf(note, sizeof note, "%zu mapped targets without query", cq.n);
        row(N, "canon: already canonical", &res->canon_ok, res->floor_f.ns, note);
        row(N, "canon: needs work (//,/.,..,%XX)", &res->canon_work, res->floor_f.ns, NULL);
    }
    printf("%-8zu build (new+add+compile) %.2f ms = %.0f ns/rule (compile %.2f ms); "
           "forward only %.2f ms (compile %.2f ms)\n",
           N, res->build.total_ms, res->build.total_ms * 1e6 / (double)rs.n,
           res->build.compile_ms, res->build_fwd.total_ms, res->build_fwd.compile_ms);
    printf("%-8zu memory: full table %.0f B/rule (%.0f B/rule beyond rule strings); forward "
           "only %.0f B/rule (%.0f beyond strings)\n",
           N, res->mem_rule, res->mem_rule_nostr, res->fwd_mem_rule, res->fwd_mem_rule_nostr);
    printf("%-8zu forward-only table: %zu blocks; largest %.1f, %.1f, %.1f B/rule (%zu, %zu, %zu "
           "B)\n",
           N, res->fwd_blocks, (double)res->fwd_top[0] / (double)rs.n,
           (double)res->fwd_top[1] / (double)rs.n, (double)res->fwd_top[2] / (double)rs.n,
           res->fwd_top[0], res->fwd_top[1], res->fwd_top[2]);
    if (res->chase_ns > 0)
        printf("%-8zu machine: one dependent load at random in a buffer the size of the "
               "forward-only table (%.1f MB): %.1f ns\n",
               N, (double)res->table_bytes / 1e6, res->chase_ns);
    printf("\n");
    fflush(stdout);

    if (N == 10 && !B.have) { /* kept as the baseline of the larger tables */
        B.have = 1;
        B.rs = rs;
        B.t = t;
        B.ts = ts_t;
        B.tq = tq;
        B.lq = lq;
        memset(&tq, 0, sizeof tq);
        memset(&lq, 0, sizeof lq);
        memset(&rs, 0, sizeof rs);
    } else {
        if (ts_t)
            rp_table_free(ts_t);
        rp_table_free(t);
    }
    free(buf);
    free(ta);
    free(la);
    free(sa);
    free(ca_);
    sl_free(&tq);
    sl_free(&lq);
    sl_free(&texp);
    sl_free(&lexp);
    sl_free(&sexp);
    sl_free(&cq);
    sl_free(&ncq);
    sl_free(&cexp);
    rs_free(&rs);
}

/* ------------------------------------------------------------------------
 * pathological inputs (SECURITY.md R21): linear growth
 * ---------------------------------------------------------------------- */
typedef struct patho {
    const char *name;
    double      ns_k, ns_10k, ratio;
    size_t      k;
    int         profile;
} patho;
static patho P[16];
static size_t NP;

static rp_table *patho_table(unsigned profile, int with_regex)
{
    rp_builder *b = NULL;
    rp_diag d;
    if (rp_builder_new(profile, NULL, &b) != RP_OK ||
        rp_builder_set_limit(b, RP_LIMIT_TARGET_LEN, RP_TARGET_LEN_MAX) != RP_OK ||
        rp_builder_set_limit(b, RP_LIMIT_SEGMENTS, 65535) != RP_OK ||
        rp_builder_add_pass(b, "/app0/svc0", 10, "http://be0.internal:8080/backend/s0", 35, 0,
                            &d) != RP_OK ||
        rp_builder_add_pass(b, "/api/v1/res2", 12, "http://api0.internal:8081/v1/res2", 32, 0,
                            &d) != RP_OK)
        die("%s", "cannot build the pathological table");
    if (with_regex) {
        /* the linear one first: ^/(a+)+$ would hit the match limit on /aaa.php */
        if (rp_builder_add_pass_match(b, "^/(.*)\\.php$", 12, "http://php.internal/fpm/$1.php",
                                      30, 0, &d) != RP_OK ||
            rp_builder_add_pass_match(b, "^/(a+)+$", 8, "http://rx.internal/$1", 21, 0, &d) !=
                RP_OK)
            die("%s", "cannot add the pathological regex rules");
    }
    rp_table *t = NULL;
    if (rp_builder_compile(b, &t, &d) != RP_OK)
        die("%s", "cannot compile the pathological table");
    rp_builder_free(b);
    return t;
}

/* The target for a shape at size k. */
static void patho_target(int shape, size_t k, sbuf *s)
{
    sb_clear(s);
    sb_str(s, shape <= 3 ? "/app0/svc0" : "/");
    for (size_t i = 0; i < k; i++) {
        switch (shape) {
        case 0: sb_str(s, "/a/.."); break; /* /a/.. x k */
        case 1: sb_str(s, "/."); break;    /* /./ x k */
        case 2: sb_str(s, "/"); break;     /* // x k */
        case 3: sb_str(s, "/s"); break;    /* k segments */
        default: sb_str(s, "a"); break;    /* regex subject */
        }
    }
    if (shape <= 2)
        sb_str(s, "/x");
    if (shape == 4)
        sb_str(s, "!"); /* ^/(a+)+$ on /aaaa...a! : catastrophic backtracking */
    if (shape == 5)
        sb_str(s, ".php");
}

/* Expected result, checked before timing. */
static int patho_check(int shape, size_t k, rp_status st, const char *out, size_t n, unsigned prof)
{
    static const char be[] = "http://be0.internal:8080/backend/s0";
    size_t bl = sizeof be - 1;
    if (shape <= 2)
        return st == RP_OK && n == bl + 2 && memcmp(out, be, bl) == 0 &&
               memcmp(out + bl, "/x", 2) == 0;
    if (shape == 3) {
        if (st != RP_OK || n != bl + 2 * k || memcmp(out, be, bl) != 0)
            return 0;
        for (size_t i = 0; i < k; i++)
            if (out[bl + 2 * i] != '/' || out[bl + 2 * i + 1] != 's')
                return 0;
        return 1;
    }
    if (shape == 4)
        return st == RP_E_LIMIT || st == RP_NO_MATCH;
    /* shape 5: /aaa.php -> http://php.internal/fpm/aaa.php */
    (void)prof;
    return st == RP_OK && n == 24 + k + 4 && memcmp(out, "http://php.internal/fpm/", 24) == 0;
}

static void run_pathological(void)
{
    static const struct {
        const char *name;
        size_t      k;
        int         regex;
    } shapes[] = {
        {"/a/.. x k", 300, 0},  {"/./ x k", 700, 0},         {"// x k", 1500, 0},
        {"segments x k", 256, 0}, {"regex ^/(a+)+$ on a^k!", 1500, 1},
        {"regex ^/(.*)\\.php$ on a^k", 1500, 1},
    };
    char *out = xmalloc(OUTCAP);
    sbuf s = {0};
    ctx c;
    memset(&c, 0, sizeof c);
    c.out = out;
    printf("# pathological inputs (SECURITY.md R21), 2-rule tables (+2 regex rules for the regex "
           "rows), RP_LIMIT_TARGET_LEN %u, RP_LIMIT_SEGMENTS 65535; each shape at k and 10k\n",
           RP_TARGET_LEN_MAX);
    printf("%-8s %-34s %8s %8s %12s %12s %8s\n", "profile", "shape", "k", "bytes@10k", "ns@k",
           "ns@10k", "ratio");
    for (int prof = 0; prof < (O.strict ? 2 : 1); prof++) {
        unsigned profile = prof ? RP_PROFILE_STRICT : RP_PROFILE_APACHE;
        rp_table *t0 = patho_table(profile, 0);
        rp_table *t1 = g_regex_ok ? patho_table(profile, 1) : NULL;
        for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
            if (shapes[sh].regex && !t1)
                continue;
            rp_table *t = shapes[sh].regex ? t1 : t0;
            size_t bytes = 0;
            strlist one[2];
            memset(one, 0, sizeof one);
            for (int m = 0; m < 2; m++) {
                size_t k = shapes[sh].k * (m ? 10 : 1);
                patho_target((int)sh, k, &s);
                bytes = s.n;
                size_t n = 0;
                rp_status st = rp_map_request(t, s.p, s.n, "www.example.com", 15, RP_MAP_DEFAULT,
                                              out, OUTCAP, &n, NULL);
                g_checked++;
                if (!patho_check((int)sh, k, st, out, n, profile)) {
                    g_mismatch++;
                    printf("# MISMATCH pathological %s (%s) k=%zu: %s \"%.*s\"\n",
                           shapes[sh].name, prof ? "strict" : "apache", k, rp_status_name(st),
                           (int)(n < 120 ? n : 120), st == RP_OK ? out : "");
                }
                sl_add(&one[m], s.p, s.n);
            }
            /* k and 10k timed in turn */
            timing tk, t10k;
            tvar tv[2];
            c.t = t;
            c.nq = 1;
            c.q = &one[0];
            tvar_init(&tv[0], call_map, &c, &tk);
            c.q = &one[1];
            tvar_init(&tv[1], call_map, &c, &t10k);
            time_group(tv, 2);
            sl_free(&one[0]);
            sl_free(&one[1]);
            double ns[2] = {tk.ns, t10k.ns};
            patho *p = &P[NP++];
            p->name = shapes[sh].name;
            p->k = shapes[sh].k;
            p->ns_k = ns[0];
            p->ns_10k = ns[1];
            p->ratio = ratio(&t10k, &tk);
            p->profile = (int)profile;
            printf("%-8s %-34s %8zu %8zu %12.1f %12.1f %7.2fx\n", prof ? "strict" : "apache",
                   shapes[sh].name, shapes[sh].k, bytes, ns[0], ns[1], p->ratio);
        }
        rp_table_free(t0);
        rp_table_free(t1);
    }
    printf("\n");
    free(s.p);
    free(out);
}

/* ------------------------------------------------------------------------
 * summary
 * ---------------------------------------------------------------------- */
static const nres *find_n(size_t N)
{
    for (size_t i = 0; i < O.nn; i++)
        if (R[i].done && R[i].N == N)
            return &R[i];
    return NULL;
}

static void target(const char *what, int have, double val, const char *unit, int pass)
{
    if (!have)
        printf("  %-64s  n/a (not measured in this run)\n", what);
    else
        printf("  %-64s  %10.2f%-4s %s\n", what, val, unit, pass ? "PASS" : "FAIL");
}

static void summary(void)
{
    const nres *r10 = find_n(10);
    printf("# ratios (same run; each is the median of the ratios of repetitions timed side by "
           "side; linear/lib > 1 means the library is faster)\n");
    for (size_t i = 0; i < O.nn; i++) {
        const nres *r = &R[i];
        if (!r->done)
            continue;
        printf("N=%-7zu map: linear/lib %9.1fx (memcmp-linear/lib %8.1fx)  lib/floor %6.1fx",
               r->N, ratio(&r->ref, &r->map), ratio(&r->refm, &r->map),
               ratio(&r->map, &r->floor_f));
        if (r10)
            printf("  lib(N)/lib(10) %5.2fx", ratio(&r->map, &r->map10));
        printf("\n");
        if (g_reverse_ok) {
            printf("N=%-7zu loc: linear/lib %9.1fx                            lib/floor %6.1fx",
                   r->N, ratio(&r->rref, &r->loc), ratio(&r->loc, &r->floor_r));
            if (r10)
                printf("  lib(N)/lib(10) %5.2fx", ratio(&r->loc, &r->loc10));
            printf("\n");
        }
        if (O.strict) {
            printf("N=%-7zu strict map: linear/lib %7.1fx", r->N, ratio(&r->sref, &r->smap));
            if (r10)
                printf("  lib(N)/lib(10) %5.2fx", ratio(&r->smap, &r->smap10));
            printf("\n");
        }
        if (r->have_canon)
            printf("N=%-7zu canon: needs-work/canonical %5.2fx\n", r->N,
                   ratio(&r->canon_work, &r->canon_ok));
        printf("N=%-7zu build %.0f ns/rule, %.0f B/rule (%.0f B/rule beyond rule strings; "
               "forward only %.0f)\n",
               r->N, r->build.total_ms * 1e6 / (double)r->N, r->mem_rule, r->mem_rule_nostr,
               r->fwd_mem_rule_nostr);
    }
    printf("\n");

    const nres *r100k = find_n(100000);
    printf("RESULT (informational: the exit status depends only on output mismatches)\n");
    double v;
    v = r100k ? ratio(&r100k->ref, &r100k->map) : 0;
    target("rp_map_request at 100k: faster than the linear reference (>= 1000x)", r100k != NULL,
           v, "x", r100k && v >= 1000.0);
    v = (r100k && r10) ? ratio(&r100k->map, &r100k->map10) : 0;
    target("rp_map_request at 100k vs itself at 10 rules (<= 1.5x)", r100k && r10, v, "x",
           r100k && r10 && v <= 1.5);
    if (r100k && r10 && r100k->chase_ns > 0)
        printf("  %-64s  %10.2fx\n", "  (info) 10-rule call + 2 such dependent loads, over it",
               (r100k->map10.ns + 2 * r100k->chase_ns) / r100k->map10.ns);
    v = r10 ? ratio(&r10->map, &r10->ref) : 0;
    target("rp_map_request at 10 rules vs the linear reference (<= 1.0x)", r10 != NULL, v, "x",
           r10 && v <= 1.0);
    v = (g_reverse_ok && r100k && r10) ? ratio(&r100k->loc, &r100k->loc10) : 0;
    target("rp_rewrite_location at 100k vs itself at 10 rules (<= 2x)",
           g_reverse_ok && r100k && r10, v, "x", g_reverse_ok && r100k && r10 && v <= 2.0);
    if (g_reverse_ok && r100k && r10 && r100k->chase_ns > 0)
        printf("  %-64s  %10.2fx\n", "  (info) 10-rule call + 2 such dependent loads, over it",
               (r100k->loc10.ns + 2 * r100k->chase_ns) / r100k->loc10.ns);
    target("table build, 100k rules, forward + reverse (< 100 ms)", r100k != NULL,
           r100k ? r100k->build.total_ms : 0, "ms", r100k && r100k->build.total_ms < 100.0);
    target("table bytes per rule beyond rule strings, 100k, forward (< 100)", r100k != NULL,
           r100k ? r100k->fwd_mem_rule_nostr : 0, "B", r100k && r100k->fwd_mem_rule_nostr < 100.0);
    if (r100k)
        printf("  %-64s  %.1f, %.1f, %.1f B/rule\n",
               "  (info) its three largest blocks, 100k, forward", (double)r100k->fwd_top[0] / 1e5,
               (double)r100k->fwd_top[1] / 1e5, (double)r100k->fwd_top[2] / 1e5);
    for (size_t i = 0; i < NP; i++) {
        char what[128];
        snprintf(what, sizeof what, "pathological %s (%s), 10k vs k (<= 12x)", P[i].name,
                 P[i].profile == (int)RP_PROFILE_STRICT ? "strict" : "apache");
        target(what, 1, P[i].ratio, "x", P[i].ratio <= 12.0);
    }
    printf("  %-64s  %10zu     %s\n", "outputs checked / mismatches", g_checked,
           g_mismatch ? "FAIL" : "PASS");
    printf("  mismatches: %zu\n", g_mismatch);
}

/* ------------------------------------------------------------------------
 * main
 * ---------------------------------------------------------------------- */
static void pin_cpu(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        printf("# not pinned (sched_getaffinity: %s)\n", strerror(errno));
        return;
    }
    size_t last = SIZE_MAX;
    for (size_t i = 0; i < (size_t)CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &set))
            last = i;
    if (last == SIZE_MAX)
        return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0)
        printf("# pinned to CPU %zu\n", last);
    else
        printf("# not pinned (sched_setaffinity: %s)\n", strerror(errno));
}

static void cpu_name(char *buf, size_t n)
{
    snprintf(buf, n, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c += 2;
                c[strcspn(c, "\n")] = '\0';
                snprintf(buf, n, "%s", c);
            }
            break;
        }
    }
    fclose(f);
}

/* --dump N: the rules as Apache directives, then the first queries. */
static void dump(size_t N)
{
    ruleset rs;
    gen_rules(&rs, N);
    g_rng = (g_seed ^ (N * 0x100000001B3ull)) | 1;
    for (size_t i = 0; i < rs.n; i++) {
        const rule *r = &rs.r[i];
        if (r->kind == K_REGEX)
            printf("ProxyPassMatch %s %s\n", r->path, r->url);
        else
            printf("ProxyPass %s %s\n", r->path, r->kind == K_EXCL ? "!" : r->url);
    }
    for (size_t i = 0; i < rs.n; i++)
        if (rs.r[i].kind == K_PASS)
            printf("ProxyPassReverse %s %s\n", rs.r[i].path, rs.r[i].url);
    strlist tq = {0}, lq = {0};
    qstats qs;
    gen_targets(&rs, O.queries, &tq, &qs);
    gen_locations(&rs, O.queries, &lq, &qs);
    char *buf = xmalloc(OUTCAP);
    for (size_t i = 0; i < tq.n && i < 60; i++) {
        answer a = ref_apache(&rs, tq.s[i], tq.len[i], 0, buf, OUTCAP);
        printf("# target %-50s -> %s %s\n", tq.s[i], rp_status_name((rp_status)a.st),
               a.st == RP_OK ? buf : "");
    }
    for (size_t i = 0; i < lq.n && i < 30; i++) {
        answer a = ref_reverse(&rs, lq.s[i], lq.len[i], buf, OUTCAP);
        printf("# location %-60s -> %s %s\n", lq.s[i], rp_status_name((rp_status)a.st), buf);
    }
    free(buf);
    sl_free(&tq);
    sl_free(&lq);
    rs_free(&rs);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_map [--smoke|--quick] [--reps R] [--min-time S] "
                    "[--queries Q] [--n 10,1000,...] [--seed X] [--no-strict] [--no-regex] "
                    "[--no-pin] [--dump N]\n");
    exit(2);
}

/* A library without the reverse direction (before it existed) answers
 * RP_E_UNSUPPORTED: the Location rows are then skipped, and said so. Any
 * other answer goes through the normal checks. */
static int probe_reverse(void)
{
    rp_builder *b = NULL;
    rp_table *t = NULL;
    if (rp_builder_new(RP_PROFILE_APACHE, NULL, &b) != RP_OK)
        return 1;
    if (rp_builder_add_reverse(b, "/a", 2, "http://b/x", 10, NULL, 0, NULL) != RP_OK ||
        rp_builder_compile(b, &t, NULL) != RP_OK) {
        rp_builder_free(b);
        return 1;
    }
    rp_builder_free(b);
    char out[64];
    size_t n = 0;
    rp_status st = rp_rewrite_location(t, "http://b/x/y", 12, NULL, 0, out, sizeof out, &n);
    rp_table_free(t);
    return st != RP_E_UNSUPPORTED;
}

static int probe_regex(void)
{
#ifdef BENCH_HAVE_PCRE2
    rp_builder *b = NULL;
    if (rp_builder_new(RP_PROFILE_APACHE, NULL, &b) != RP_OK)
        return 0;
    rp_status st = rp_builder_add_pass_match(b, "^/x(.*)$", 8, "http://b/$1", 11, 0, NULL);
    rp_builder_free(b);
    return st == RP_OK;
#else
    return 0;
#endif
}

int main(int argc, char **argv)
{
    O.strict = 1;
    O.pin = 1;
    O.reps = 5;
    O.min_time = 0.25;
    O.queries = 65536;
    size_t defn[] = {10, 1000, 10000, 100000};
    int user_n = 0, user_reps = 0, user_time = 0, user_q = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--smoke") == 0)
            O.smoke = 1;
        else if (strcmp(a, "--quick") == 0)
            O.quick = 1;
        else if (strcmp(a, "--no-strict") == 0)
            O.strict = 0;
        else if (strcmp(a, "--no-pin") == 0)
            O.pin = 0;
        else if (strcmp(a, "--no-regex") == 0)
            O.no_regex = 1;
        else if (strcmp(a, "--dump") == 0 && i + 1 < argc)
            O.dump = (size_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(a, "--reps") == 0 && i + 1 < argc) {
            O.reps = atoi(argv[++i]);
            user_reps = 1;
        } else if (strcmp(a, "--min-time") == 0 && i + 1 < argc) {
            O.min_time = atof(argv[++i]);
            user_time = 1;
        } else if (strcmp(a, "--queries") == 0 && i + 1 < argc) {
            O.queries = (size_t)strtoul(argv[++i], NULL, 10);
            user_q = 1;
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            g_seed = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(a, "--n") == 0 && i + 1 < argc) {
            char *p = argv[++i];
            O.nn = 0;
            while (*p && O.nn < MAXN) {
                O.ns[O.nn++] = (size_t)strtoul(p, &p, 10);
                if (*p == ',')
                    p++;
            }
            user_n = 1;
        } else
            usage();
    }
    if (O.smoke) {
        if (!user_n) {
            O.ns[0] = 10;
            O.ns[1] = 1000;
            O.nn = 2;
        }
        if (!user_reps)
            O.reps = 1;
        if (!user_time)
            O.min_time = 0.002;
        if (!user_q)
            O.queries = 4096;
    } else if (O.quick) {
        if (!user_reps)
            O.reps = 5;
        if (!user_time)
            O.min_time = 0.05;
        if (!user_q)
            O.queries = 16384;
    }
    if (!user_n) {
        if (!O.smoke) {
            memcpy(O.ns, defn, sizeof defn);
            O.nn = 4;
        }
    }
    if (O.reps < 1)
        O.reps = 1;
    if (O.queries < 16)
        O.queries = 16;
    for (size_t i = 0; i < O.nn; i++)
        if (O.ns[i] < 8)
            die("%s", "--n: every N must be at least 8");
    /* ascending, so that the 10-rule table (the flatness baseline) comes first */
    for (size_t i = 1; i < O.nn; i++)
        for (size_t j = i; j > 0 && O.ns[j - 1] > O.ns[j]; j--) {
            size_t tmp = O.ns[j];
            O.ns[j] = O.ns[j - 1];
            O.ns[j - 1] = tmp;
        }

    g_regex_ok = !O.no_regex && probe_regex();
    g_reverse_ok = probe_reverse();
#ifdef BENCH_HAVE_PCRE2
    g_md = pcre2_match_data_create(10, NULL);
#endif
    if (O.dump) {
        dump(O.dump);
#ifdef BENCH_HAVE_PCRE2
        pcre2_match_data_free(g_md);
#endif
        return 0;
    }
    char cpu[128];
    cpu_name(cpu, sizeof cpu);
    printf("# bench_map: revproxy %s; %s; %ld CPUs online; compiler %s\n", rp_version_string(),
           cpu, sysconf(_SC_NPROCESSORS_ONLN), __VERSION__);
    if (O.pin)
        pin_cpu();
    printf("# mode %s: N =", O.smoke ? "smoke (checks outputs; times are not meaningful)"
                                     : O.quick ? "quick" : "full");
    for (size_t i = 0; i < O.nn; i++)
        printf(" %zu", O.ns[i]);
    printf("; %zu queries per stream; median of %d repetitions of >= %.3f s; regex rules %s\n",
           O.queries, O.reps, O.min_time,
           g_regex_ok ? "on (reference: PCRE2 without JIT, as Apache's ap_regexec)"
                      : "off (no PCRE2)");
    if (!g_reverse_ok)
        printf("# rp_rewrite_location answers RP_E_UNSUPPORTED in this library: Location rows "
               "skipped\n");
    printf("# the linear rows at large N get through only part of the query stream in each "
           "repetition: see 'distinct queries timed'\n\n");
    fflush(stdout);

    for (size_t i = 0; i < O.nn; i++)
        run_n(&R[i], O.ns[i]);
    run_pathological();
    summary();
    if (B.have) {
        rp_table_free(B.t);
        rp_table_free(B.ts);
        sl_free(&B.tq);
        sl_free(&B.lq);
        rs_free(&B.rs);
    }
#ifdef BENCH_HAVE_PCRE2
    pcre2_match_data_free(g_md);
#endif
    if (g_mismatch) {
        printf("bench_map: %zu output mismatches\n", g_mismatch);
        return 1;
    }
    return 0;
}
