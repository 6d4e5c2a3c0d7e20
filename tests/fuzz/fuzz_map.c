/* fuzz_map: rp_map_request over the fixed rule tables (docs/security.md §4).
 *
 * Input: byte 0 = option bits ('0' + bits, fuzz_common.h), byte 1 = table
 * ('a' + index), byte 2 = Host header choice ('0' + index), then the
 * request-target.
 *
 * Invariants (abort() on violation):
 *  - the size protocol of fuzz_common.h (R23), and rp_match's rule fields the
 *    same in counting mode;
 *  - every RP_OK output: no CTL, SP, NUL, '#' (strict: visible ASCII only),
 *    starts with its rule's backend origin followed by '/', carries the
 *    request's query byte for byte after '?' (or '&'), rp_match.host is the
 *    backend authority (or the preserved Host);
 *  - strict (R9-R12, R14): the output path is canonical; a prefix rule maps
 *    to backend prefix B + the canonical remainder at a segment boundary
 *    (R11); the chosen prefix rule is the longest segment-boundary match, and
 *    RP_NO_MATCH means no prefix rule matches (R10, R12); a regex result
 *    keeps its template's literal prefix;
 *  - canonical form: the canonical path C (read from the root table's
 *    output) is idempotent (mapping C again gives the same URL) and mapping
 *    C through any table gives exactly what the raw target gave; input
 *    errors do not depend on the table;
 *  - Apache: the output path is made of Apache's encoded set and has no dot
 *    segment (except nocanon, which forwards the raw remainder; and
 *    mapping=encoded forwards other raw bytes as httpd does), a prefix
 *    rule's output starts with its encoded backend path, and the output path
 *    maps to itself again;
 *  - root table with derived reverse rules: rewriting the output back gives
 *    the public origin + C + query (round trip).
 */
#include "fuzz_common.h"

static const char *const hosts[] = {NULL,     "www.example.com", "Pub.Example.COM:8443",
                                    "[2001:db8::1]:8080", "bad host", "", "h:", "h:0"};
static const bool host_ok[] = {true, true, true, true, false, false, true, false};

typedef struct map_args {
    const rp_table *t;
    const char     *tg;
    size_t          n;
    const char     *host;
    size_t          hl;
    rp_match        m;  /* from the large-buffer call */
    rp_match        mq; /* from the counting call */
} map_args;

static rp_status call_map(void *vctx, char *out, size_t sz, size_t *len)
{
    map_args *a = vctx;
    rp_match m;
    rp_status st = rp_map_request(a->t, a->tg, a->n, a->host, a->hl, RP_MAP_DEFAULT, out, sz,
                                  len, &m);
    if (sz == FZ_BIG)
        a->m = m;
    else if (!out)
        a->mq = m;
    return st;
}

typedef struct mapped {
    fz_res   r;
    rp_match m;
} mapped;

static mapped do_map(const fz_tab *T, const char *tg, size_t n, const char *host, size_t hl,
                     unsigned salt)
{
    map_args a;
    mapped res;
    memset(&a, 0, sizeof a);
    a.t = T->t;
    a.tg = tg;
    a.n = n;
    a.host = host;
    a.hl = hl;
    res.r = fz_sized(call_map, &a, salt, FZ_SZ_MAP);
    res.m = a.m;
    if (res.r.st == RP_OK || res.r.st == RP_EXCLUDED) {
        FZ_CHECK(a.m.rule_index < T->nfwd, "rule_index %u of %zu", a.m.rule_index, T->nfwd);
        if (res.r.st == RP_OK)
            FZ_CHECK(a.mq.rule_index == a.m.rule_index && a.mq.path_len == a.m.path_len,
                     "counting call matched rule %u (path_len %zu), real call rule %u (%zu)",
                     a.mq.rule_index, a.mq.path_len, a.m.rule_index, a.m.path_len);
    }
    if (res.r.st != RP_OK)
        FZ_CHECK(res.m.host == NULL, "rp_match.host set with %s", rp_status_name(res.r.st));
    return res;
}

/* Apache's ap_proxy_canonenc set for a path. */
static bool apache_keep(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("/~$-_.+!*'(),;:@&=", c) != NULL);
}

static size_t apache_enc(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (apache_keep(c)) {
            out[w++] = (char)c;
        } else {
            out[w++] = '%';
            out[w++] = hex[c >> 4];
            out[w++] = hex[c & 15];
        }
    }
    return w;
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

static const char *query_of(const char *tg, size_t n, size_t *ql)
{
    const char *q = memchr(tg, '?', n);
    if (!q)
        return NULL;
    *ql = n - (size_t)(q - tg) - 1;
    return q + 1;
}

/* The invariants of one RP_OK result. C (strict: the canonical path; Apache:
 * NULL) comes from the root table. */
static void check_ok(const fz_tab *T, const char *tg, size_t n, const char *host, size_t hl,
                     const mapped *mp, const char *C, size_t cn)
{
    const unsigned o = T->opts;
    const bool strict = fz_strict(o);
    const char *out = mp->r.out;
    const size_t len = mp->r.len;
    const rp_match *m = &mp->m;
    const fz_rule *ru = T->fwd[m->rule_index];

    FZ_CHECK(ru->b != NULL, "RP_OK from exclusion rule %s", ru->a);
    FZ_CHECK(!fz_has_ctl(out, len), "control byte or space in the output");
    FZ_CHECK(memchr(out, '#', len) == NULL, "'#' in the output");
    if (strict)
        FZ_CHECK(!fz_has_nonvisible(out, len), "non-visible byte in a strict output");
    FZ_CHECK(len <= 16384, "output of %zu bytes over RP_LIMIT_OUTPUT_LEN", len);

    /* origin: never extended by the request (R11, R15, semantics.md §5) */
    size_t ol = fz_origin_len(ru->b);
    FZ_CHECK(len > ol && memcmp(out, ru->b, ol) == 0 && out[ol] == '/',
             "output does not start with the origin of rule %s (%s) and '/'", ru->a, ru->b);
    size_t auth = (size_t)(strstr(ru->b, "://") - ru->b) + 3;
    if (!(o & FZ_O_PRESERVE)) {
        FZ_CHECK(m->host && m->host_len == ol - auth && memcmp(m->host, ru->b + auth, ol - auth) == 0,
                 "rp_match.host is not the backend authority");
    } else if (n && tg[0] == '/') {
        if (host)
            FZ_CHECK(m->host == host && m->host_len == hl, "preserved host is not the Host given");
        else if (T->spec->server_name)
            FZ_CHECK(m->host && m->host_len == strlen(T->spec->server_name) &&
                         memcmp(m->host, T->spec->server_name, m->host_len) == 0,
                     "preserved host is not the ServerName");
        else
            FZ_CHECK(m->host == NULL, "a preserved host without Host or ServerName");
    }
    if (m->host)
        FZ_CHECK(!fz_has_crlfnul(m->host, m->host_len), "CR/LF/NUL in rp_match.host");

    /* the query, byte for byte */
    const bool nocanon = !strict && (ru->flags & RP_RULE_NOCANON);
    size_t ql = 0;
    const char *q = query_of(tg, n, &ql);
    FZ_CHECK(m->remainder_offset <= len && m->query_offset <= len, "offsets past the output");
    size_t pe = len;
    if (!nocanon) {
        if (q) {
            bool amp = strict && ru->kind == FZ_MATCH && strchr(ru->b, '?');
            FZ_CHECK(m->query_offset + 1 + ql == len && out[m->query_offset] == (amp ? '&' : '?') &&
                         memcmp(out + m->query_offset + 1, q, ql) == 0,
                     "query not carried byte for byte (query_offset %zu)", m->query_offset);
        } else {
            FZ_CHECK(m->query_offset == len, "query_offset %zu without a query", m->query_offset);
        }
        pe = m->query_offset;
        if (strict && ru->kind == FZ_MATCH && strchr(ru->b, '?')) {
            const char *qq = memchr(out + ol, '?', pe - ol);
            if (qq)
                pe = (size_t)(qq - out);
        } else if (!strict) {
            const char *qq = memchr(out + ol, '?', pe - ol);
            FZ_CHECK(qq == NULL, "'?' in an Apache output path");
        }
    } else {
        const char *qq = memchr(out + ol, '?', len - ol);
        if (qq)
            pe = (size_t)(qq - out);
    }
    const char *path = out + ol;
    size_t pn = pe - ol;
    const char *bp = ru->b + ol;
    size_t bn = strlen(bp);

    if (strict) {
        const char *why = fz_strict_canonical(path, pn, fz_merge(o), fz_slashes(o) == RP_SLASHES_KEEP);
        FZ_CHECK(why == NULL, "strict output path not canonical: %s", why);
        if (ru->kind == FZ_PASS && C) {
            /* R11: B + canonical remainder at a segment boundary */
            size_t pl = m->path_len, rl = strlen(ru->a);
            if (rl > 1 && ru->a[rl - 1] == '/')
                rl--;
            if (rl == 1)
                rl = 0;
            FZ_CHECK(pl == rl && pl <= cn && memcmp(C, ru->a, pl) == 0 &&
                         (pl == cn || C[pl] == '/' || pl == 0),
                     "rule %s consumed %zu bytes of the canonical path", ru->a, pl);
            if (bn && bp[bn - 1] == '/')
                bn--;
            size_t rem = cn - pl;
            if (bn == 0 && rem == 0)
                FZ_CHECK(pn == 1 && path[0] == '/', "empty mapping is not \"/\"");
            else
                FZ_CHECK(pn == bn + rem && memcmp(path, bp, bn) == 0 &&
                             memcmp(path + bn, C + pl, rem) == 0,
                         "output path is not backend prefix + canonical remainder (R11)");
        } else if (ru->kind == FZ_MATCH) {
            /* R14: the template's literal prefix up to its last '/' is kept */
            size_t lit = 0, last = 0;
            while (lit < bn && bp[lit] != '$' && bp[lit] != '&' && bp[lit] != '\\' &&
                   bp[lit] != '?') {
                if (bp[lit] == '/')
                    last = lit;
                lit++;
            }
            if (lit == bn)
                FZ_CHECK(pn == bn && memcmp(path, bp, bn) == 0,
                         "template without a group not used as written");
            else
                FZ_CHECK(pn > last && memcmp(path, bp, last + 1) == 0,
                         "regex output leaves the template prefix (R14)");
        }
    } else {
        if (!nocanon) {
            FZ_CHECK(!has_dot_segment(path, pn), "dot segment in an Apache output path");
            for (size_t i = 0; i < pn; i++) {
                unsigned char c = (unsigned char)path[i];
                if (c == '%') {
                    FZ_CHECK(i + 2 < pn && fz_hexval((unsigned char)path[i + 1]) >= 0 &&
                                 fz_hexval((unsigned char)path[i + 2]) >= 0,
                             "bad escape in an Apache output path");
                    i += 2;
                    continue;
                }
                /* mapping=encoded forwards the path as it was after the
                 * first decoding step, as httpd's "proxy-noencode" does:
                 * bytes outside the set stay raw (no CTL, SP, '#': checked
                 * above) */
                if (ru->flags & RP_RULE_MAPPING_ENCODED)
                    continue;
                FZ_CHECK(apache_keep(c), "byte 0x%02x not encoded in an Apache output path", c);
            }
        }
        if (ru->kind == FZ_PASS && !(ru->flags & (RP_RULE_NOCANON | RP_RULE_MAPPING_ENCODED))) {
            char enc[3 * 64];
            size_t el = apache_enc(bp, bn, enc);
            FZ_CHECK(pn >= el && memcmp(path, enc, el) == 0,
                     "Apache output does not start with the encoded backend path");
        }
    }
}

/* Longest segment-boundary prefix rule for canonical path C (R10, R12). */
static const fz_rule *longest_prefix(const fz_tab *T, const char *C, size_t cn)
{
    const fz_rule *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < T->nfwd; i++) {
        const fz_rule *r = T->fwd[i];
        size_t c = 0;
        if (r->kind != FZ_PASS || !fz_seg_prefix(C, cn, r->a, &c))
            continue;
        size_t k = strlen(r->a);
        if (!best || k > best_len) {
            best = r;
            best_len = k;
        }
    }
    return best;
}

static bool same_result(const mapped *a, const mapped *b)
{
    if (a->r.st != b->r.st)
        return false;
    if (a->r.st == RP_OK)
        return a->r.len == b->r.len && memcmp(a->r.out, b->r.out, a->r.len) == 0 &&
               a->m.rule_index == b->m.rule_index;
    if (a->r.st == RP_EXCLUDED)
        return a->m.rule_index == b->m.rule_index;
    return true;
}

static void show(const char *label, const mapped *m)
{
    fprintf(stderr, "  %s: %s", label, rp_status_name(m->r.st));
    if (m->r.st == RP_OK || m->r.st == RP_EXCLUDED)
        fprintf(stderr, " rule %u", m->m.rule_index);
    fputc('\n', stderr);
    if (m->r.st == RP_OK)
        fz_dump("output", m->r.out, m->r.len);
}

static void free_mapped(mapped *m)
{
    fz_res_free(&m->r);
}

/* target2 = path + ("?" + query) */
static char *with_query(const char *p, size_t pn, const char *q, size_t ql, size_t *n2)
{
    char *t = malloc(pn + ql + 2);
    if (!t)
        abort();
    memcpy(t, p, pn);
    *n2 = pn;
    if (q) {
        t[(*n2)++] = '?';
        memcpy(t + *n2, q, ql);
        *n2 += ql;
    }
    return t;
}

static bool spec_has_flag(const fz_spec *s, unsigned f)
{
    for (size_t i = 0; i < s->n; i++)
        if ((s->rules[i].kind == FZ_PASS || s->rules[i].kind == FZ_MATCH) && (s->rules[i].flags & f))
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    fz_cur_data = data;
    fz_cur_size = size;
    const unsigned o = fz_opts(data[0]);
    const bool strict = fz_strict(o);
    const fz_tab *T = fz_table(o, (unsigned)(uint8_t)(data[1] - 'a'));
    const fz_tab *R = fz_table(o, 0);
    const unsigned v = fz_variant(data[2]) % (unsigned)FZ_N(hosts);
    const char *host = hosts[v];
    const size_t hl = host ? strlen(host) : 0;
    const char *tg = (const char *)data + 3;
    const size_t n = size - 3;
    unsigned salt = 0;
    for (size_t i = 0; i < size; i++)
        salt = salt * 31u + data[i];

    mapped mt = do_map(T, tg, n, host, hl, salt);
    mapped mr = T == R ? mt : do_map(R, tg, n, host, hl, salt);

    /* Host header validation comes right after the length and form checks */
    if (!host_ok[v] && n > 0 && n <= 8192)
        FZ_CHECK(mt.r.st == RP_E_HOST, "invalid Host accepted: %s", rp_status_name(mt.r.st));
    if (host_ok[v] && n && tg[0] == '/')
        FZ_CHECK(mt.r.st != RP_E_HOST, "valid Host refused");
    if (mt.r.st == RP_E_TOO_LONG && n <= 8192 && mt.r.len == 0 && strict) {
        /* only the segment limit can say this for a short strict target */
        size_t slashes = 0;
        for (size_t i = 0; i < n && tg[i] != '?'; i++)
            slashes += tg[i] == '/' || (tg[i] == '%' && i + 2 < n && tg[i + 1] == '2' &&
                                        (tg[i + 2] == 'F' || tg[i + 2] == 'f'));
        FZ_CHECK(slashes > 256, "RP_E_TOO_LONG for a short target with %zu slashes", slashes);
    }

    /* the canonical path, from the root table ("http://r" + C + query) */
    const char *C = NULL;
    size_t cn = 0;
    if (mr.r.st == RP_OK) {
        FZ_CHECK(mr.r.len >= 9 && memcmp(mr.r.out, "http://r/", 9) == 0, "root table output");
        C = mr.r.out + 8;
        cn = mr.m.query_offset - 8;
        if (T != R)
            check_ok(R, tg, n, host, hl, &mr, C, cn);
    }
    if (mt.r.st == RP_OK)
        check_ok(T, tg, n, host, hl, &mt, C, cn);

    if (mr.r.st != RP_OK) {
        /* an input error does not depend on the rules */
        bool enc_phase = !strict && (mr.r.st == RP_E_ENCODED_SLASH || mr.r.st == RP_E_ENCODED_NUL) &&
                         spec_has_flag(T->spec, RP_RULE_MAPPING_ENCODED);
        if (!enc_phase)
            FZ_CHECK(mt.r.st == mr.r.st, "table %s: %s, root table: %s", T->spec->name,
                     rp_status_name(mt.r.st), rp_status_name(mr.r.st));
    } else {
        size_t ql = 0;
        const char *q = query_of(tg, n, &ql);
        size_t pathlen = q ? (size_t)(q - 1 - tg) : n;
        if (strict) {
            const char *why = fz_strict_canonical(C, cn, fz_merge(o), fz_slashes(o) == RP_SLASHES_KEEP);
            FZ_CHECK(why == NULL, "canonical path: %s", why);
            FZ_CHECK(cn <= pathlen, "canonical path (%zu bytes) longer than the path (%zu)", cn,
                     pathlen);
            /* R10/R12: rule choice among prefix rules */
            const fz_rule *best = longest_prefix(T, C, cn);
            if (mt.r.st == RP_NO_MATCH)
                FZ_CHECK(best == NULL, "RP_NO_MATCH although prefix rule %s matches", best->a);
            if ((mt.r.st == RP_OK || mt.r.st == RP_EXCLUDED) && T->fwd[mt.m.rule_index]->kind == FZ_PASS)
                FZ_CHECK(T->fwd[mt.m.rule_index] == best, "rule %s chosen, longest prefix is %s",
                         T->fwd[mt.m.rule_index]->a, best ? best->a : "(none)");
        }
        /* idempotence (R9) and "matching sees only the canonical form" */
        /* Apache: nocanon and mapping=encoded see other forms of the path by
         * design, and with MergeSlashes Off a prefix rule's alias swallows a
         * run of '/' that a regex rule sees (httpd does the same, the
         * CVE-2019-0220 class), so "//img/x" and "/img/x" may differ there */
        bool apache_raw = !strict && (spec_has_flag(T->spec, RP_RULE_NOCANON | RP_RULE_MAPPING_ENCODED) ||
                                      (!fz_merge(o) && T->has_regex));
        size_t n2 = 0;
        char *t2 = with_query(C, cn, q, ql, &n2);
        /* Apache re-encodes raw bytes (one byte becomes "%XX"): a
         * canonical target over the 8192-byte target limit is refused as
         * too long, by design; idempotence holds within the limit */
        const bool fits = n2 <= 8192;
        mapped r2 = do_map(R, t2, n2, host, hl, salt);
        if (!fits && r2.r.st == RP_E_TOO_LONG && !strict) {
            free_mapped(&r2);
            free(t2);
            if (T != R)
                free_mapped(&mr);
            free_mapped(&mt);
            return 0;
        }
        if (!same_result(&r2, &mr)) {
            fz_dump("canonical target", t2, n2);
            show("raw target", &mr);
            show("canonical target", &r2);
        }
        FZ_CHECK(same_result(&r2, &mr), "canonical form not idempotent: mapping it again gives %s%s%.*s",
                 rp_status_name(r2.r.st), r2.r.st == RP_OK ? " " : "",
                 r2.r.st == RP_OK ? (int)r2.r.len : 0, r2.r.st == RP_OK ? r2.r.out : "");
        if (T != R && !apache_raw) {
            mapped t2m = do_map(T, t2, n2, host, hl, salt);
            if (!same_result(&t2m, &mt)) {
                fz_dump("canonical target", t2, n2);
                show("raw target", &mt);
                show("canonical target", &t2m);
            }
            FZ_CHECK(same_result(&t2m, &mt),
                     "table %s maps the canonical form differently: %s vs %s", T->spec->name,
                     rp_status_name(t2m.r.st), rp_status_name(mt.r.st));
            free_mapped(&t2m);
        }
        free_mapped(&r2);

        /* round trip through the derived reverse rule of the root table
         * (a URL over the 8192-byte header limit is refused as a Location
         * value, RP_E_TOO_LONG: Apache's re-encoding can grow a target
         * past it) */
        if (T == R && fz_derive(o) && mr.r.len <= 8192) {
            static const char pub[] = "https://pub.example";
            rp_response_ctx ctx;
            memset(&ctx, 0, sizeof ctx);
            ctx.public_origin = pub;
            ctx.public_origin_len = sizeof pub - 1;
            char buf[20000];
            size_t bl = 0;
            rp_status st = rp_rewrite_location(R->t, mr.r.out, mr.r.len, &ctx, 0, buf, sizeof buf, &bl);
            size_t want_n = sizeof pub - 1 + n2;
            FZ_CHECK(st == RP_OK && bl == want_n && memcmp(buf, pub, sizeof pub - 1) == 0 &&
                         memcmp(buf + sizeof pub - 1, t2, n2) == 0,
                     "round trip: %s gives %s \"%.*s\"", mr.r.out, rp_status_name(st), (int)bl, buf);
        }
        free(t2);
    }
    if (T != R)
        free_mapped(&mr);
    free_mapped(&mt);
    return 0;
}
