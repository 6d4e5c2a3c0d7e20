/* fuzz_config: the directive loader (rp_builder_add_config, then
 * rp_builder_compile), and the tables it builds.
 *
 * Input: byte 0 = '0' + bits (bit 0: strict profile, else Apache; bit 1: a
 * second rp_builder_add_config call with the same text on the same builder),
 * then Apache directive text.
 *
 * Invariants (abort() on violation):
 *  - loading returns RP_OK or a configuration status (never RP_E_INTERNAL,
 *    RP_E_ARG, RP_E_NOSPACE); on an error the diagnostic has that status, a
 *    NUL-terminated non-empty message, and a line and offset inside the
 *    text; every warning can be read back, and one past the last is RP_E_ARG;
 *  - compiling a loaded builder gives RP_OK or a configuration status, and
 *    compiling it twice gives tables that answer alike;
 *  - every '/'-word of the text, and variants of it ("W", "W/x", "Wx",
 *    "W/../y", "W/%2e%2e/y"), is mapped through the table with the size
 *    protocol of fuzz_common.h (R23); an RP_OK URL has no control byte or
 *    space, no '#' from the request (strict: none at all; Apache: one the
 *    rule's own URL holds, as httpd sends it with nocanon or
 *    mapping=encoded), starts with "scheme://", and begins with the same
 *    "scheme://authority/prefix" (the bytes before rp_match.remainder_offset,
 *    without trailing '/'; strict: followed by '/', '?' or the end) for every
 *    request its rule maps: a request never chooses the backend or
 *    leaves the rule's backend prefix; strict: its path has no dot segment;
 *  - the mapped URL rewritten as a Location value gives no CR, LF or NUL;
 *  - rp_table_check answers RP_OK, with the count RP_E_NOSPACE reported.
 */
#include "fuzz_common.h"

#define MAXPROBES 24
#define MAXRULES  64

static bool cfg_status_ok(rp_status st)
{
    return st == RP_OK || st == RP_E_CONFIG || st == RP_E_TOO_LONG || st == RP_E_UNSUPPORTED ||
           st == RP_E_NOMEM;
}

typedef struct map_args {
    const rp_table *t;
    const char     *tg;
    size_t          n;
    rp_match        m;
} map_args;

static rp_status call_map(void *vctx, char *out, size_t sz, size_t *len)
{
    map_args *a = vctx;
    rp_match m;
    rp_status st = rp_map_request(a->t, a->tg, a->n, NULL, 0, RP_MAP_DEFAULT, out, sz, len, &m);
    if (sz == FZ_BIG)
        a->m = m;
    return st;
}

typedef struct loc_args {
    const rp_table        *t;
    const char            *v;
    size_t                 n;
    const rp_response_ctx *ctx;
} loc_args;

static rp_status call_loc(void *vctx, char *out, size_t sz, size_t *len)
{
    loc_args *a = vctx;
    return rp_rewrite_location(a->t, a->v, a->n, a->ctx, 0, out, sz, len);
}

static void check_diag(const rp_diag *d, rp_status st, const char *text, size_t len)
{
    FZ_CHECK(memchr(d->message, '\0', sizeof d->message) != NULL, "diag message not terminated");
    FZ_CHECK(d->message[0] != '\0', "empty diag message for %s", rp_status_name(st));
    FZ_CHECK(d->code == st, "diag code %s, status %s", rp_status_name(d->code),
             rp_status_name(st));
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    FZ_CHECK(d->line <= lines, "diag line %u of %zu", d->line, lines);
    FZ_CHECK(d->offset <= len, "diag offset %zu of %zu", d->offset, len);
}

/* The '/'-words of the text (at most MAXPROBES / 5 of them, each under 200
 * bytes) with variants; returns the number of probes. */
static size_t probes(const char *text, size_t len, char out[][256], size_t *lens)
{
    static const char *const sfx[] = {"", "/x", "x", "/../y", "/%2e%2e/y"};
    size_t k = 0;
    size_t i = 0;
    while (i < len && k + 5 <= MAXPROBES) {
        while (i < len && text[i] != '/')
            i++;
        size_t s = i;
        while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
               text[i] != '\r' && text[i] != '"' && text[i] != '>')
            i++;
        size_t wl = i - s;
        if (wl == 0 || wl >= 200)
            continue;
        for (size_t j = 0; j < 5; j++) {
            size_t sl = strlen(sfx[j]);
            memcpy(out[k], text + s, wl);
            memcpy(out[k] + wl, sfx[j], sl);
            lens[k] = wl + sl;
            k++;
        }
    }
    static const char *const fixed[] = {"/", "/app/x", "/a/b/../c?q=1"};
    for (size_t j = 0; j < 3 && k < MAXPROBES; j++) {
        lens[k] = strlen(fixed[j]);
        memcpy(out[k], fixed[j], lens[k]);
        k++;
    }
    return k;
}

static bool has_dot_segment(const char *p, size_t n)
{
    size_t seg = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '/') {
            size_t sl = i - seg;
            if (seg > 0 && ((sl == 1 && p[seg] == '.') ||
                            (sl == 2 && p[seg] == '.' && p[seg + 1] == '.')))
                return true;
            seg = i + 1;
        }
    }
    return false;
}

static void check_table(const rp_table *t, const rp_table *t2, bool strict, const char *text,
                        size_t len, unsigned salt)
{
    static char pr[MAXPROBES][256];
    size_t pl[MAXPROBES];
    size_t np = probes(text, len, pr, pl);
    size_t nrules = rp_table_rule_count(t);
    FZ_CHECK(nrules == rp_table_rule_count(t2), "two compilations: %zu and %zu rules", nrules,
             rp_table_rule_count(t2));
    char *prefix[MAXRULES];
    size_t prefix_len[MAXRULES];
    memset(prefix, 0, sizeof prefix);
    memset(prefix_len, 0, sizeof prefix_len);

    for (size_t i = 0; i < np; i++) {
        map_args a;
        memset(&a, 0, sizeof a);
        a.t = t;
        a.tg = pr[i];
        a.n = pl[i];
        fz_res r = fz_sized(call_map, &a, salt + (unsigned)i, FZ_SZ_MAP);

        map_args a2 = a;
        a2.t = t2;
        char o2[20000];
        size_t n2 = 0;
        rp_status s2 = rp_map_request(t2, a.tg, a.n, NULL, 0, RP_MAP_DEFAULT, o2, sizeof o2, &n2,
                                      &a2.m);
        FZ_CHECK(s2 == r.st && (r.st != RP_OK || (n2 == r.len && memcmp(o2, r.out, n2) == 0)),
                 "two compilations map \"%.*s\" differently: %s / %s", (int)a.n, a.tg,
                 rp_status_name(r.st), rp_status_name(s2));
        if (r.st != RP_OK) {
            fz_res_free(&r);
            continue;
        }
        const rp_match *m = &a.m;
        FZ_CHECK(m->rule_index < nrules, "rule_index %u of %zu", m->rule_index, nrules);
        FZ_CHECK(!fz_has_ctl(r.out, r.len), "control byte or space in \"%s\"", r.out);
        /* a request can never put '#' into the output (it is RP_E_FRAGMENT
         * raw and stays %23 encoded); the rule's own URL can, in the Apache
         * profile with nocanon or mapping=encoded, as httpd sends it
         * (finding backend-fragment); strict refuses such a rule */
        FZ_CHECK(m->remainder_offset <= r.len, "remainder_offset %zu of %zu",
                 m->remainder_offset, r.len);
        for (size_t h = m->remainder_offset; h < r.len; h++) {
            if (r.out[h] != '#')
                continue;
            /* a regex rule's remainder starts at the path, template text
             * included: the '#' with the bytes either side of it must then
             * be the rule's own text (a capture may follow it) */
            size_t b0 = h > m->remainder_offset ? h - 1 : h, e = h + 1 < r.len ? h + 2 : h + 1;
            FZ_CHECK(!strict && (fz_memmem(text, len, r.out + b0, e - b0) != NULL ||
                                 fz_memmem(text, len, r.out + b0, h + 1 - b0) != NULL),
                     "'#' from the request in \"%s\"", r.out);
        }
        FZ_CHECK(!strict || memchr(r.out, '#', r.len) == NULL, "'#' in strict output \"%s\"",
                 r.out);
        const char *ss = fz_memmem(r.out, r.len, "://", 3);
        FZ_CHECK(ss != NULL && ss > r.out, "no scheme in \"%s\"", r.out);
        size_t ro = m->remainder_offset;
        FZ_CHECK(ro <= r.len && ro >= (size_t)(ss - r.out) + 3, "remainder_offset %zu in \"%s\"",
                 ro, r.out);
        /* "http://m/" + "" and "http://m" + "/x" are the same prefix: compare
         * without its trailing '/', and require a boundary after it */
        while (ro > (size_t)(ss - r.out) + 3 && r.out[ro - 1] == '/')
            ro--;
        /* Apache joins "ProxyPass / http://b/x" and "/y" to "http://b/xy",
         * as httpd does (its documentation asks for matching trailing
         * slashes); strict keeps the segment boundary */
        if (strict)
            FZ_CHECK(ro == r.len || r.out[ro] == '/' || r.out[ro] == '?',
                     "no boundary after the backend prefix in \"%s\"", r.out);
        if (m->rule_index < MAXRULES) {
            char **pp = &prefix[m->rule_index];
            if (!*pp) {
                *pp = malloc(ro + 1);
                if (!*pp)
                    abort();
                memcpy(*pp, r.out, ro);
                prefix_len[m->rule_index] = ro;
            } else {
                FZ_CHECK(prefix_len[m->rule_index] == ro && memcmp(*pp, r.out, ro) == 0,
                         "rule %u: backend prefix \"%.*s\", then \"%.*s\" for \"%.*s\"",
                         m->rule_index, (int)prefix_len[m->rule_index], *pp, (int)ro, r.out,
                         (int)a.n, a.tg);
            }
        }
        if (strict) {
            const char *path = memchr(ss + 3, '/', r.len - (size_t)(ss + 3 - r.out));
            if (path) {
                size_t pn = r.len - (size_t)(path - r.out);
                const char *q = memchr(path, '?', pn);
                if (q)
                    pn = (size_t)(q - path);
                FZ_CHECK(!has_dot_segment(path, pn), "dot segment in strict output \"%s\"",
                         r.out);
            }
        }
        /* the reverse direction on what the table produced */
        static const char pub[] = "https://pub.example";
        rp_response_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.public_origin = pub;
        ctx.public_origin_len = sizeof pub - 1;
        ctx.request_target = a.tg;
        ctx.request_target_len = a.n;
        loc_args la = {t, r.out, r.len, &ctx};
        fz_res lr = fz_sized(call_loc, &la, salt, 0);
        if (lr.st == RP_OK || lr.st == RP_NO_MATCH)
            FZ_CHECK(!fz_has_crlfnul(lr.out, lr.len), "CR/LF/NUL in a rewritten Location");
        fz_res_free(&lr);
        fz_res_free(&r);
    }
    for (size_t i = 0; i < MAXRULES; i++)
        free(prefix[i]);

    size_t cnt = 0;
    rp_status cs = rp_table_check(t, 0, NULL, 0, &cnt);
    FZ_CHECK(cs == RP_OK || cs == RP_E_NOSPACE, "rp_table_check: %s", rp_status_name(cs));
    if (cnt) {
        rp_finding *f = calloc(cnt, sizeof *f);
        size_t cnt2 = 0;
        if (!f)
            abort();
        cs = rp_table_check(t, 0, f, cnt, &cnt2);
        FZ_CHECK(cs == RP_OK && cnt2 == cnt, "rp_table_check: %s, %zu then %zu findings",
                 rp_status_name(cs), cnt, cnt2);
        for (size_t i = 0; i < cnt; i++)
            FZ_CHECK(f[i].code && memchr(f[i].message, '\0', sizeof f[i].message),
                     "finding %zu", i);
        free(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    fz_cur_data = data;
    fz_cur_size = size;
    const unsigned bits = fz_variant(data[0]);
    const bool strict = (bits & 1u) != 0;
    const char *text = (const char *)data + 1;
    const size_t len = size - 1;
    unsigned salt = 0;
    for (size_t i = 0; i < size; i++)
        salt = salt * 31u + data[i];

    rp_builder *b = NULL;
    rp_diag d;
    memset(&d, 0, sizeof d);
    if (rp_builder_new(strict ? RP_PROFILE_STRICT : RP_PROFILE_APACHE, NULL, &b) != RP_OK)
        FZ_FAIL("rp_builder_new");
    rp_status st = rp_builder_add_config(b, text, len, "fuzz.conf", &d);
    FZ_CHECK(cfg_status_ok(st), "rp_builder_add_config: %s", rp_status_name(st));
    if (st != RP_OK)
        check_diag(&d, st, text, len);
    if (st == RP_OK && (bits & 2u)) {
        st = rp_builder_add_config(b, text, len, "fuzz2.conf", &d);
        FZ_CHECK(cfg_status_ok(st), "second rp_builder_add_config: %s", rp_status_name(st));
        if (st != RP_OK)
            check_diag(&d, st, text, len);
    }
    size_t nw = rp_builder_warning_count(b);
    for (size_t i = 0; i < nw; i++) {
        rp_diag w;
        FZ_CHECK(rp_builder_warning(b, i, &w) == RP_OK, "warning %zu of %zu", i, nw);
        FZ_CHECK(memchr(w.message, '\0', sizeof w.message) != NULL, "warning not terminated");
    }
    rp_diag w;
    FZ_CHECK(rp_builder_warning(b, nw, &w) == RP_E_ARG, "warning past the last");

    if (st == RP_OK) {
        rp_table *t = NULL, *t2 = NULL;
        rp_status cs = rp_builder_compile(b, &t, &d);
        FZ_CHECK(cfg_status_ok(cs), "rp_builder_compile: %s", rp_status_name(cs));
        if (cs == RP_OK) {
            rp_status cs2 = rp_builder_compile(b, &t2, &d);
            FZ_CHECK(cs2 == RP_OK, "second compile: %s", rp_status_name(cs2));
            check_table(t, t2, strict, text, len, salt);
        } else {
            check_diag(&d, cs, text, len);
            FZ_CHECK(t == NULL, "table returned with %s", rp_status_name(cs));
        }
        rp_table_free(t);
        rp_table_free(t2);
    }
    rp_builder_free(b);
    return 0;
}
