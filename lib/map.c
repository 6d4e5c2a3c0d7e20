/* rp_map_request: request-target -> backend URL. The hot path: no
 * allocation; working memory is a bounded stack buffer. */
#include <string.h>

#include "internal.h"

/* ---- Apache's alias_match (mod_proxy.c), re-derived from its behaviour:
 * bytes compare exactly; a '/' in the alias matches a run of '/' in the URI
 * (and the alias' own run); the alias' last segment must end at a segment
 * boundary of the URI unless the alias ends in '/'. Returns URI bytes
 * consumed, 0 for no match. servlet: ";params" of URI segments are skipped. */
static size_t alias_match(const char *u, size_t ulen, const char *al, size_t alen, bool servlet)
{
    size_t i = 0, a = 0;
    while (a < alen) {
        if (al[a] == '/') {
            if (servlet && i < ulen && u[i] == ';')
                while (i < ulen && u[i] != '/')
                    i++;
            if (i >= ulen || u[i] != '/')
                return 0;
            while (a < alen && al[a] == '/')
                a++;
            while (i < ulen && u[i] == '/')
                i++;
        } else {
            if (i >= ulen || u[i] != al[a])
                return 0;
            i++;
            a++;
        }
    }
    if (al[alen - 1] != '/') {
        if (servlet && i < ulen && u[i] == ';')
            while (i < ulen && u[i] != '/')
                i++;
        if (i < ulen && u[i] != '/')
            return 0;
    }
    return i;
}

/* Apache ap_proxy_canonenc for a path: '/' and "~$-_.+!*'(),;:@&=" and
 * alphanumerics kept, everything else %XX. keep_2f: a literal "%2F" (from
 * AllowEncodedSlashes NoDecode) is kept as it is. */
static const uint64_t k_enc_keep[4] = {0x2fffffd200000000ull, 0x47fffffe87ffffffull, 0, 0};

static inline bool enc_keep(unsigned char c)
{
    return (k_enc_keep[c >> 6] >> (c & 63)) & 1u;
}

bool rp__apache_plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!enc_keep((unsigned char)s[i]))
            return false;
    return true;
}

static void apache_enc(rp_writer *w, const char *s, size_t n, bool keep_2f)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && enc_keep((unsigned char)s[j]))
            j++;
        rp__w_put(w, s + i, j - i); /* a run of kept bytes at once */
        if (j == n)
            return;
        unsigned char c = (unsigned char)s[j];
        if (keep_2f && c == '%' && j + 2 < n && s[j + 1] == '2' &&
            (s[j + 2] == 'F' || s[j + 2] == 'f')) {
            rp__w_put(w, s + j, 3);
            i = j + 3;
        } else {
            rp__w_pct(w, c);
            i = j + 1;
        }
    }
}

/* Query context for strict regex captures (R14). */
static void query_enc(rp_writer *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '&' || c == '=' || c == '+' || c == ';' || c == '#')
            rp__w_pct(w, c);
        else
            rp__w_byte(w, c);
    }
}

/* ---- ap_pregsub: "$N" is group N, "&" is group 0, "\x" is x. ----------- */
typedef struct subst {
    const char   *tmpl;
    size_t        n;
    const char   *subj;
    const size_t *ov;
} subst;

/* Does the substitution leave the template unchanged (Apache then appends
 * the whole URI)? */
static bool subst_is_identity(const subst *s)
{
    size_t t = 0;
    for (size_t i = 0; i < s->n;) {
        char c = s->tmpl[i++];
        size_t no = SIZE_MAX;
        if (c == '&')
            no = 0;
        else if (c == '$' && i < s->n && s->tmpl[i] >= '0' && s->tmpl[i] <= '9')
            no = (size_t)(s->tmpl[i++] - '0');
        if (no == SIZE_MAX) {
            if (c == '\\' && i < s->n)
                c = s->tmpl[i++];
            if (t >= s->n || s->tmpl[t] != c)
                return false;
            t++;
            continue;
        }
        if (s->ov[2 * no] == SIZE_MAX)
            continue;
        size_t len = s->ov[2 * no + 1] - s->ov[2 * no];
        if (len > s->n - t || memcmp(s->tmpl + t, s->subj + s->ov[2 * no], len) != 0)
            return false;
        t += len;
    }
    return t == s->n;
}

enum { OUT_RAW, OUT_APACHE, OUT_STRICT };

/* Write the substitution; mode chooses the encoding of every byte. */
static void subst_write(const subst *s, rp_writer *w, int mode, bool keep_2f)
{
    bool in_query = false;
    for (size_t i = 0; i < s->n;) {
        char c = s->tmpl[i++];
        size_t no = SIZE_MAX;
        if (c == '&')
            no = 0;
        else if (c == '$' && i < s->n && s->tmpl[i] >= '0' && s->tmpl[i] <= '9')
            no = (size_t)(s->tmpl[i++] - '0');
        if (no == SIZE_MAX) {
            if (c == '\\' && i < s->n)
                c = s->tmpl[i++];
            if (c == '?')
                in_query = true;
            if (mode == OUT_APACHE)
                apache_enc(w, &c, 1, keep_2f);
            else
                rp__w_byte(w, (unsigned char)c);
            continue;
        }
        if (s->ov[2 * no] == SIZE_MAX)
            continue;
        const char *p = s->subj + s->ov[2 * no];
        size_t len = s->ov[2 * no + 1] - s->ov[2 * no];
        if (mode == OUT_APACHE)
            apache_enc(w, p, len, keep_2f);
        else if (mode == OUT_STRICT && in_query)
            query_enc(w, p, len);
        else
            rp__w_put(w, p, len);
    }
}

/* ---- the request ------------------------------------------------------- */
typedef struct req {
    const char *target;
    size_t      target_len;
    const char *path; /* raw path */
    size_t      path_len;
    const char *query; /* after '?', NULL when there is no '?' */
    size_t      query_len;
    const char *abs_host; /* authority of an absolute-form target */
    size_t      abs_host_len;
} req;

static bool ieq(const char *a, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rp__lower((unsigned char)a[i]) != (unsigned char)lit[i])
            return false;
    return true;
}

static bool has_slash_run(const char *p, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (p[i] == '/' && p[i - 1] == '/')
            return true;
    return false;
}

static inline uint32_t pos_of(const rp_table *t, uint32_t ri)
{
    return t->pos ? t->pos[ri] : ri;
}

/* Apache candidate ri, whose path starts at pat (the index's copy of the
 * arena offset, so that the text is read without waiting for the rule
 * record): kept when it comes before the best so far and alias_match
 * agrees. */
static inline void apache_try(const rp_table *t, const char *p, size_t n, uint32_t ri,
                              const char *pat, uint32_t *best, uint32_t *best_pos,
                              size_t *consumed)
{
    if (ri == RP_SLOT_EMPTY)
        return;
    uint32_t ps = pos_of(t, ri);
    if (ps >= *best_pos)
        return;
    size_t c = alias_match(p, n, pat, t->rules[ri].pattern_len, false);
    if (c) {
        *best = ri;
        *best_pos = ps;
        *consumed = c;
    }
}

#define RP_PROBE_BATCH 16

/* One batch of a path walk over the forward index: the keys to look up,
 * hashed and their slots prefetched first (the slot loads then overlap). */
typedef struct pwalk {
    const rp_findex *ix;
    const char      *c; /* the path the keys are prefixes of */
    size_t           cn;
    size_t           j; /* where the next '/' is searched from */
    bool             done;
    rp_hasher        hs;
} pwalk;

typedef struct probe {
    uint64_t h;
    uint32_t len;
    bool     slash; /* a key "P/" (Apache) */
} probe;

/* Prefixes of the path that end before a '/' (and the same prefix with that
 * '/' when some key "P/" has that length), then the whole path; at most
 * RP_PROBE_BATCH. */
static inline __attribute__((always_inline)) unsigned walk_batch(pwalk *w, probe *pv)
{
    unsigned nb = 0;
    while (!w->done && nb + 2 <= RP_PROBE_BATCH) {
        size_t e = rp__find_slash(w->c, w->j, w->cn);
        if (e == w->cn && w->c[w->cn - 1] == '/') {
            w->done = true; /* the whole path was the last "P/" probe */
            break;
        }
        uint64_t h = rp__hash_prefix(&w->hs, w->c, e);
        __builtin_prefetch(&w->ix->slots[rp__slot_of(h, w->ix->cap)]);
        pv[nb++] = (probe){h, (uint32_t)e, false};
        if (e == w->cn) {
            w->done = true;
            break;
        }
        if (rp__slash_len(w->ix, e + 1)) {
            h = rp__hash_prefix(&w->hs, w->c, e + 1);
            __builtin_prefetch(&w->ix->slots[rp__slot_of(h, w->ix->cap)]);
            pv[nb++] = (probe){h, (uint32_t)(e + 1), true};
        }
        w->j = e + 1;
    }
    return nb;
}

/* The slot of a probe's key, or NULL. */
static inline const rp_fslot *probe_slot(const rp_findex *ix, const probe *pr)
{
    uint32_t chk = (uint32_t)(pr->h >> 32), lf = pr->len << 1;
    for (uint32_t i = rp__slot_of(pr->h, ix->cap);;) {
        const rp_fslot *sp = &ix->slots[i];
        if (sp->lenf == 0)
            return NULL;
        if (sp->check == chk && (sp->lenf | 1u) == (lf | 1u))
            return sp;
        if (++i == ix->cap)
            i = 0;
    }
}

/* Fetch a candidate rule's record and its strings (path, then URL) at once.
 * The path is then read through the slot's offset, not the record's
 * pointer: the two misses overlap instead of following each other (at
 * 100k rules: 475 -> 390 ns a call). */
static inline void prefetch_rule(const rp_table *t, const rp_fslot *sp)
{
    __builtin_prefetch(&t->rules[sp->v]);
    __builtin_prefetch(t->strings + sp->soff);
    __builtin_prefetch(t->strings + sp->soff + 64);
}

/* Apache (PERF.md §5): the rule keys are the rule paths with runs of '/'
 * collapsed, as alias_match compares them. Every prefix of the collapsed
 * path that ends before a '/' (key P, and key "P/" when some rule path ends
 * in '/') and the whole path are looked up, until a prefix no longer key
 * starts with; the hit with the lowest evaluation position wins. Only the
 * best candidate's rule is read to verify it (a hash collision gives way to
 * the next). Returns that rule, its position and the bytes it consumed. */
static const rp_trule *probe_apache(const rp_table *t, const char *p, size_t n, bool no_runs,
                                    uint32_t *pos, size_t *consumed)
{
    const rp_findex *ix = &t->fwd;
    uint32_t best = RP_SLOT_EMPTY, best_pos = RP_SLOT_EMPTY;
    if (ix->root != RP_SLOT_EMPTY)
        apache_try(t, p, n, ix->root, t->rules[ix->root].pattern, &best, &best_pos, consumed);
    if (ix->slots) {
        pwalk w = {ix, p, n, 1, false, {0, 0}};
        char cbuf[RP_TARGET_LEN_MAX];
        if (!no_runs && has_slash_run(p, n)) {
            size_t cn = 0;
            for (size_t i = 0; i < n; i++)
                if (!(p[i] == '/' && i > 0 && p[i - 1] == '/'))
                    cbuf[cn++] = p[i];
            w.c = cbuf;
            w.cn = cn;
        }
        rp__hasher_init(&w.hs);
        while (!w.done) {
            probe pv[RP_PROBE_BATCH];
            unsigned nb = walk_batch(&w, pv);
            const rp_fslot *cv[RP_PROBE_BATCH]; /* candidates */
            unsigned nc = 0;
            for (unsigned k = 0; k < nb; k++) {
                const rp_fslot *sp = probe_slot(ix, &pv[k]);
                if (sp && sp->v != RP_SLOT_EMPTY && pos_of(t, sp->v) < best_pos) {
                    prefetch_rule(t, sp);
                    cv[nc++] = sp;
                }
                if (!pv[k].slash && !(sp && (sp->lenf & 1u))) {
                    w.done = true; /* no longer key starts with this prefix + "/" */
                    break;
                }
            }
            /* the lowest position first; a candidate that does not match
             * (a hash collision) gives way to the next */
            for (;;) {
                unsigned m = nc;
                uint32_t mp = best_pos;
                for (unsigned k = 0; k < nc; k++) {
                    uint32_t ps = pos_of(t, cv[k]->v);
                    if (ps < mp) {
                        mp = ps;
                        m = k;
                    }
                }
                if (m == nc)
                    break;
                uint32_t before = best;
                apache_try(t, p, n, cv[m]->v, t->strings + cv[m]->soff, &best, &best_pos,
                           consumed);
                if (best != before)
                    break;
                cv[m] = cv[--nc];
            }
        }
    }
    *pos = best_pos;
    return best == RP_SLOT_EMPTY ? NULL : &t->rules[best];
}

/* Strict: the longest rule path that is the whole canonical path or ends
 * at one of its '/' (R10, R12), by the same walk; the longest verified hit
 * wins. */
static const rp_trule *probe_strict(const rp_table *t, const char *p, size_t n,
                                    size_t *consumed)
{
    const rp_findex *ix = &t->fwd;
    const rp_trule *best = NULL;
    if (ix->root != RP_SLOT_EMPTY) {
        best = &t->rules[ix->root];
        *consumed = 0;
    }
    if (!ix->slots)
        return best;
    pwalk w = {ix, p, n, 1, false, {0, 0}};
    rp__hasher_init(&w.hs);
    while (!w.done) {
        probe pv[RP_PROBE_BATCH];
        unsigned nb = walk_batch(&w, pv);
        for (unsigned k = 0; k < nb; k++) {
            const rp_fslot *sp = probe_slot(ix, &pv[k]);
            if (sp && sp->v != RP_SLOT_EMPTY) {
                /* the key is the rule path without its trailing '/' (strict
                 * paths are canonical: no "//", so no "P/" probes) and the
                 * probe ends at a '/' of p or at its end: the text alone
                 * decides, read through the slot's offset while the record
                 * is fetched */
                __builtin_prefetch(&t->rules[sp->v]);
                if (memcmp(p, t->strings + sp->soff, pv[k].len) == 0) {
                    best = &t->rules[sp->v];
                    *consumed = pv[k].len;
                }
            }
            if (!(sp && (sp->lenf & 1u))) {
                w.done = true;
                break;
            }
        }
    }
    return best;
}

/* Byte classes of a raw path: 1 refused or rewritten by both profiles
 * (controls, space, '#', '%', DEL), 2 by the strict profile, or escaped by
 * Apache's ap_proxy_canonenc ('"', '<', '>', '[', '\\', ']', '^', '`', '{',
 * '|', '}', bytes >= 0x80); 3 is '/'. */
static const unsigned char k_canon_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 0, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 0,
    2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 1,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

#if defined(__SSE2__)
#include <emmintrin.h>

/* Bit i set: byte i of v is in [lo, hi] (unsigned). */
static inline unsigned in_range16(__m128i v, unsigned char lo, unsigned char hi)
{
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8((char)lo));
    return (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((char)(hi - lo))), d));
}
/* Bits set in a 16-bit mask (no POPCNT in baseline x86-64: the builtin
 * would be a libgcc call). */
static inline unsigned popcount16(unsigned x)
{
    x = x - ((x >> 1) & 0x5555u);
    x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
    x = (x + (x >> 4)) & 0x0f0fu;
    return (x + (x >> 8)) & 0x1fu;
}
static inline unsigned eq16(__m128i v, char c)
{
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}

/* already_canonical on 16 bytes at a time: the classes of k_canon_class as
 * bit masks, a '/' followed by '/' or '.' from the mask of '/' shifted by
 * one (carry: the previous block ended in '/'), segments by popcount. The
 * last block is loaded so that it ends at n, its bytes already seen
 * shifted out. n >= 16: nothing outside p[0..n) is read. */
static bool canonical_sse2(const char *p, size_t n, bool strict, size_t *segs,
                           unsigned *seen)
{
    unsigned carry = 0;
    for (size_t i = 0; i < n; i += 16) {
        __m128i v;
        unsigned k = 0;
        if (i + 16 <= n) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        } else {
            k = (unsigned)(i + 16 - n);
            v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        }
        unsigned c1 = (in_range16(v, 0x00, 0x20) | eq16(v, '#') | eq16(v, '%') |
                       eq16(v, 0x7f)) >> k;
        unsigned c2 = ((unsigned)_mm_movemask_epi8(v) | eq16(v, '"') | eq16(v, '<') |
                       eq16(v, '>') | in_range16(v, 0x5b, 0x5e) | eq16(v, '`') |
                       in_range16(v, 0x7b, 0x7d)) >> k;
        unsigned sl = eq16(v, '/') >> k, dot = eq16(v, '.') >> k;
        if (c1 || (strict && c2))
            return false;
        if (c2)
            *seen |= 2u;
        if ((sl | dot) & ((sl << 1) | carry))
            return false;
        *segs += popcount16(sl);
        carry = sl >> 15;
    }
    return true;
}
#endif

/* The same, one byte at a time (k_canon_class: 1 refused by both
 * profiles, 2 refused by strict or escaped by Apache, 3 '/'). */
static bool canonical_scalar(const char *p, size_t n, bool strict, size_t *segs,
                             unsigned *seen)
{
    const unsigned bad = strict ? 3u : 1u; /* class bits that refuse */
    for (size_t i = 0; i < n; i++) {
        unsigned k = k_canon_class[(unsigned char)p[i]];
        if (k == 0)
            continue;
        if (k == 3) {
            if (i + 1 < n && (p[i + 1] == '/' || p[i + 1] == '.'))
                return false;
            (*segs)++;
            continue;
        }
        if (k & bad)
            return false;
        *seen |= k;
    }
    return true;
}

/* Is the raw path already in the form canonicalization would give, so that
 * it can be matched where it lies? No '%', no "//", no segment starting with
 * '.', no byte either profile refuses or rewrites, not too many segments.
 * Paths of 16 bytes or more are scanned 16 bytes at a time where SSE2 is
 * there (x86-64 always): at 10 rules this scan was a fifth of the call. */
static bool already_canonical(const char *p, size_t n, bool strict, size_t max_segments,
                              bool *plain)
{
    size_t segs = 0;
    unsigned seen = 0;
    if (n == 0 || p[0] != '/')
        return false;
#if defined(__SSE2__)
    if (!(n < 16 ? canonical_scalar(p, n, strict, &segs, &seen)
                 : canonical_sse2(p, n, strict, &segs, &seen)))
        return false;
#else
    if (!canonical_scalar(p, n, strict, &segs, &seen))
        return false;
#endif
    /* class 2 is exactly what ap_proxy_canonenc would escape (besides the
     * bytes refused above): without one, the path goes out as it is */
    *plain = seen == 0;
    return !max_segments || segs <= max_segments;
}

/* Split the target into path and query; accept absolute-form in the Apache
 * profile the way httpd does (http/https only, no userinfo). */
static rp_status split_target(const rp_table *t, const char *tg, size_t n, req *r)
{
    static const char root[] = "/";
    memset(r, 0, sizeof *r);
    r->target = tg;
    r->target_len = n;
    size_t p = 0;
    if (tg[0] != '/') {
        if (t->profile != RP_PROFILE_APACHE)
            return RP_E_FORM;
        size_t s = 0;
        if (n >= 5 && ieq(tg, "http:", 5))
            s = 5;
        else if (n >= 6 && ieq(tg, "https:", 6))
            s = 6;
        else
            return RP_E_FORM;
        p = s;
        if (n - s >= 2 && tg[s] == '/' && tg[s + 1] == '/') {
            size_t a = s + 2, e = a;
            while (e < n && tg[e] != '/' && tg[e] != '?' && tg[e] != '#')
                e++;
            for (size_t k = a; k < e; k++)
                if (tg[k] == '@')
                    return RP_E_USERINFO;
            r->abs_host = tg + a;
            r->abs_host_len = e - a;
            if (!rp__host_valid(r->abs_host, r->abs_host_len))
                return RP_E_HOST; /* httpd answers 400 */
            p = e;
        }
    }
    const char *qm = memchr(tg + p, '?', n - p);
    size_t q = qm ? (size_t)(qm - tg) : n;
    r->path = tg + p;
    r->path_len = q - p;
    if (r->path_len == 0 || r->path[0] != '/') {
        if (r->path_len != 0)
            return RP_E_FORM;
        r->path = root;
        r->path_len = 1;
    }
    if (q < n) {
        r->query = tg + q + 1;
        r->query_len = n - q - 1;
    }
    return RP_OK;
}

static void fill_host(const rp_table *t, const req *r, const char *host, size_t host_len,
                      const rp_trule *ru, rp_writer *w, rp_match *m)
{
    if (!m)
        return;
    m->host = NULL;
    m->host_len = 0;
    if (t->preserve_host) {
        if (r->abs_host) {
            m->host = r->abs_host;
            m->host_len = r->abs_host_len;
        } else if (host) {
            m->host = host;
            m->host_len = host_len;
        } else if (t->server_name) {
            m->host = t->server_host;
            m->host_len = t->server_host_len;
        }
        return;
    }
    if (w->buf && w->len <= w->cap) {
        m->host = w->buf + ru->be.authority_off;
        m->host_len = ru->be.origin_len - ru->be.authority_off;
    }
}

/* Build the output of a prefix rule. */
static void out_prefix(const rp_table *t, const rp_trule *ru, const req *r, const char *path,
                       size_t plen, size_t consumed, bool raw, size_t raw_consumed,
                       bool encoded_mapping, bool path_plain, rp_writer *w, rp_match *m,
                       rp_status *err)
{
    const char *bpath = ru->url + ru->be.path_off;
    size_t bplen = ru->url_len - ru->be.path_off;
    const char *rem = raw ? r->target + raw_consumed : path + consumed;
    size_t remlen = raw ? r->target_len - raw_consumed : plen - consumed;
    const bool apache = t->profile == RP_PROFILE_APACHE;

    if (!apache && bplen > 0 && bpath[bplen - 1] == '/')
        bplen--; /* strict: "/internal/" is the prefix "/internal" */
    if (bplen == 0 && remlen > 0 && rem[0] != '/' && rem[0] != '?') {
        /* Apache would splice the request into the backend authority
         * ("http://b:8080" + "x"): refuse (docs/semantics.md). */
        *err = RP_E_UNSAFE_OUTPUT;
        return;
    }
    if (!apache && bplen == 0 && remlen >= 2 && rem[0] == '/' && rem[1] == '/') {
        /* strict without MergeSlashes: a path starting with "//" reads as
         * an authority to many parsers */
        *err = RP_E_UNSAFE_OUTPUT;
        return;
    }
    rp__w_put(w, ru->be.origin, ru->be.origin_len);
    if (!apache || raw || encoded_mapping || ru->be.path_plain)
        rp__w_put(w, bpath, bplen);
    else
        apache_enc(w, bpath, bplen, false);
    if (bplen == 0 && (remlen == 0 || rem[0] == '?'))
        rp__w_byte(w, '/'); /* an empty path is "/" */
    if (m)
        m->remainder_offset = w->len;
    if (raw || !apache || encoded_mapping || path_plain)
        rp__w_put(w, rem, remlen);
    else
        apache_enc(w, rem, remlen, t->enc_slashes == RP_SLASHES_KEEP);
    if (m)
        m->query_offset = w->len;
    if (!raw && r->query) {
        rp__w_byte(w, '?');
        rp__w_put(w, r->query, r->query_len);
    }
}

/* Strict regex output must stay canonical inside its literal prefix (R14). */
static rp_status strict_check_regex_out(const rp_trule *ru, const char *o, size_t n)
{
    size_t ps = ru->be.origin_len, pe = ps;
    while (pe < n && o[pe] != '?')
        pe++;
    if (pe - ps > RP_TARGET_LEN_MAX)
        return RP_E_TOO_LONG;
    char tmp[RP_TARGET_LEN_MAX];
    size_t tl = 0, off = 0;
    rp_canon_opts co = {RP_C_STRICT_CHARS | RP_C_CTL_DECODED | RP_C_UTF8 | RP_C_DOT_PARAM |
                            RP_C_MERGE | RP_C_UPPER_HEX | RP_C_BACKSLASH_ENC,
                        RP_SLASHES_KEEP, 0};
    if (pe == ps)
        return RP_OK;
    if (rp__canon_path(o + ps, pe - ps, &co, tmp, &tl, &off) != RP_OK || tl != pe - ps ||
        memcmp(tmp, o + ps, tl) != 0)
        return RP_E_UNSAFE_OUTPUT;
    /* literal prefix of the template path, up to its last '/' before the
     * first substitution, must be kept */
    const char *tp = ru->url + ru->be.path_off;
    size_t tn = ru->url_len - ru->be.path_off, lit = 0, last_slash = 0;
    while (lit < tn && tp[lit] != '$' && tp[lit] != '&' && tp[lit] != '\\' && tp[lit] != '?') {
        if (tp[lit] == '/')
            last_slash = lit;
        lit++;
    }
    if (lit < tn && (pe - ps < last_slash || memcmp(o + ps, tp, last_slash) != 0))
        return RP_E_UNSAFE_OUTPUT;
    return RP_OK;
}

static __attribute__((noinline)) size_t servlet_try(const rp_table *t, const rp_trule *ru,
                                                    const char *path, size_t plen, char *sbuf,
                                                    size_t *slen, rp_status *err)
{
    size_t off = 0;
    rp_canon_opts co = {RP_C_LITERAL | RP_C_SERVLET | (t->merge_slashes ? RP_C_MERGE : 0u),
                        RP_SLASHES_KEEP, 0};
    *err = rp__canon_path(path, plen, &co, sbuf, slen, &off);
    if (*err != RP_OK) {
        if (*err == RP_E_ABOVE_ROOT)
            *err = RP_OK; /* treated as no match by this rule */
        return 0;
    }
    return alias_match(sbuf, *slen, ru->pattern, ru->pattern_len, true);
}

RP_API rp_status rp_map_request(const rp_table *t, const char *target, size_t target_len,
                                const char *host, size_t host_len, unsigned flags, char *out,
                                size_t out_size, size_t *out_len, rp_match *match)
{
    if (match)
        memset(match, 0, sizeof *match);
    if (!t || (!target && target_len) || !out_len || (!out && out_size) ||
        (!host && host_len) || flags != RP_MAP_DEFAULT)
        return RP_E_ARG;
    *out_len = 0;
    if (target_len > t->limits[RP_LIMIT_TARGET_LEN] || target_len > RP_TARGET_LEN_MAX)
        return RP_E_TOO_LONG;
    if (target_len == 0)
        return RP_E_FORM;
    if (host && !rp__host_valid(host, host_len))
        return RP_E_HOST;

    const bool apache = t->profile == RP_PROFILE_APACHE;
    req r;
    rp_status st = split_target(t, target, target_len, &r);
    if (st != RP_OK)
        return st;
    size_t err_off = 0;
    if (r.query && (st = rp__check_query(r.query, r.query_len, !apache, &err_off)) != RP_OK)
        return st;

    char pathbuf[RP_TARGET_LEN_MAX];
    const char *path = pathbuf;
    size_t plen = 0;
    bool copied = true, plain = false;
    rp_canon_opts co;
    co.max_segments = t->limits[RP_LIMIT_SEGMENTS];
    if (apache) {
        co.flags = t->merge_slashes ? RP_C_MERGE : 0u;
        co.slashes = RP_SLASHES_KEEP; /* Apache decodes %2F (or not) in its second step */
    } else {
        co.flags = RP_C_STRICT_CHARS | RP_C_CTL_DECODED | RP_C_UTF8 | RP_C_DOT_PARAM |
                   RP_C_UPPER_HEX | RP_C_BACKSLASH_ENC | (t->merge_slashes ? RP_C_MERGE : 0u);
        co.slashes = t->enc_slashes;
    }
    if (already_canonical(r.path, r.path_len, !apache, co.max_segments, &plain)) {
        path = r.path; /* the common case: no copy, no decoding */
        plen = r.path_len;
        copied = false;
    } else if ((st = rp__canon_path(r.path, r.path_len, &co, pathbuf, &plen, &err_off)) !=
               RP_OK) {
        return st;
    }

    rp_writer w;
    rp__w_init(&w, out, out_size);
    const rp_trule *hit = NULL;
    size_t consumed = 0;
    size_t ov[2 * RP_MAX_CAPTURES];
    unsigned ng = 0;
    bool raw = false, encoded_phase = false;
    size_t raw_consumed = 0;
    const char *mpath = path; /* the path the hit rule matched (servlet: normalized) */
    size_t mplen = 0;

    /* Apache: mapping=encoded rules see the path before it is decoded. */
    for (size_t e = 0; apache && e < t->nencoded && !hit; e++) {
        const rp_trule *ru = &t->rules[t->encoded[e].rule];
        if ((consumed = alias_match(path, plen, ru->pattern, ru->pattern_len, false)) > 0) {
            hit = ru;
            encoded_phase = true;
        }
    }
    if (!hit && apache && copied) {
        bool dslash = false;
        if ((st = rp__unescape_all(pathbuf, &plen, t->enc_slashes, &dslash)) != RP_OK)
            return st;
        if (dslash) {
            /* AllowEncodedSlashes On: the decoded slashes take part in dot
             * segment removal and merging again. */
            rp_canon_opts c2 = {RP_C_LITERAL | (t->merge_slashes ? RP_C_MERGE : 0u),
                                RP_SLASHES_KEEP, co.max_segments};
            if ((st = rp__canon_path(pathbuf, plen, &c2, pathbuf, &plen, &err_off)) != RP_OK)
                return st;
        }
    }
    mplen = plen; /* phase 1 (encoded) or fully decoded path */
    char servlet_store[RP_TARGET_LEN_MAX];

    /* The prefix rules: one index probe per '/' boundary (PERF.md §5). */
    size_t fast_consumed = 0;
    const rp_trule *fast = NULL;
    uint32_t fast_pos = RP_SLOT_EMPTY;
    if (!hit)
        fast = apache ? probe_apache(t, path, plen, !copied, &fast_pos,
                                     &fast_consumed)
                      : probe_strict(t, path, plen, &fast_consumed);
    /* Regex and servlet rules: Apache tries those written before the best
     * prefix rule, in order; strict tries every regex rule first. */
    for (size_t e = 0; !hit && e < t->nslow; e++) {
        const rp_tslow *sw = &t->slow[e];
        if (apache && sw->pos > fast_pos)
            break;
        const rp_trule *ru = &t->rules[sw->rule];
        if (ru->kind == RP_KIND_PASS) { /* servlet mapping */
            size_t sl = 0;
            consumed = servlet_try(t, ru, path, plen, servlet_store, &sl, &st);
            if (st != RP_OK)
                return st;
            if (consumed) {
                hit = ru;
                mpath = servlet_store;
                mplen = sl;
            }
            continue;
        }
        st = rp__regex_match(sw->re, path, plen, ov, &ng);
        if (st == RP_NO_MATCH)
            continue;
        if (st != RP_OK)
            return st; /* fail closed */
        hit = ru;
        if (apache && (ru->flags & RP_RULE_NOCANON) && !(ru->flags & RP_RULE_EXCLUDE)) {
            size_t ov2[2 * RP_MAX_CAPTURES];
            unsigned ng2 = 0;
            st = rp__regex_match(sw->re, target, target_len, ov2, &ng2);
            if (st == RP_OK) {
                memcpy(ov, ov2, sizeof ov);
                raw = true;
            } else if (st != RP_NO_MATCH) {
                return st;
            }
        }
    }
    if (!hit && fast) {
        hit = fast;
        consumed = fast_consumed;
        if (apache && (hit->flags & RP_RULE_NOCANON) && !(hit->flags & RP_RULE_EXCLUDE)) {
            /* nocanon: the raw remainder is used when the alias matches the
             * raw target over the same length (else nocanon is dropped, as
             * httpd does with AH01136) */
            size_t rl = alias_match(target, target_len, hit->pattern, hit->pattern_len, false);
            if (rl == consumed) {
                raw = true;
                raw_consumed = rl;
            }
        }
    }
    if (!hit)
        return RP_NO_MATCH;
    if (match) {
        match->rule_index = hit->index;
        match->rule_line = hit->line;
        match->path_len = hit->kind == RP_KIND_PASS ? consumed : mplen;
    }
    if (hit->flags & RP_RULE_EXCLUDE)
        return RP_EXCLUDED;
    if (hit->be.bad_port)
        return RP_E_SYNTAX; /* Apache answers 400 for a port over 65535 */
    if (hit->be.ctl && (raw || encoded_phase))
        return RP_E_UNSAFE_OUTPUT; /* httpd: AH10412, a control byte or space would go raw */

    st = RP_OK;
    if (hit->kind == RP_KIND_PASS) {
        /* the raw path, when it is canonical and holds nothing Apache
         * escapes, is written as it is */
        out_prefix(t, hit, &r, mpath, mplen, consumed, raw, raw_consumed, encoded_phase,
                   !copied && plain && mpath == path, &w, match, &st);
        if (st != RP_OK)
            return st;
    } else {
        subst s = {hit->url + hit->be.path_off, hit->url_len - hit->be.path_off,
                   raw ? target : mpath, ov};
        if (match)
            match->remainder_offset = hit->be.origin_len;
        int mode = raw ? OUT_RAW : apache ? OUT_APACHE : OUT_STRICT;
        bool keep2f = t->enc_slashes == RP_SLASHES_KEEP;
        /* strict: the result is built in a scratch buffer first so that it can
         * be checked even when the caller only asks for the size */
        rp_writer sw;
        rp_writer *ow = &w;
        if (!apache) {
            rp__w_init(&sw, servlet_store, sizeof servlet_store);
            ow = &sw;
        }
        rp__w_put(ow, hit->be.origin, hit->be.origin_len);
        if (apache && subst_is_identity(&s)) {
            /* no backreference: Apache appends the whole path */
            if (raw)
                rp__w_put(ow, s.tmpl, s.n);
            else
                apache_enc(ow, s.tmpl, s.n, false);
            if (raw)
                rp__w_put(ow, target, target_len);
            else
                apache_enc(ow, mpath, mplen, keep2f);
        } else {
            subst_write(&s, ow, mode, keep2f);
        }
        if (ow->len == hit->be.origin_len)
            rp__w_byte(ow, '/');
        if (match)
            match->query_offset = ow->len;
        if (r.query && !raw) {
            bool tq = !apache && memchr(s.tmpl, '?', s.n) != NULL;
            rp__w_byte(ow, tq ? '&' : '?');
            rp__w_put(ow, r.query, r.query_len);
        }
        if (!apache) {
            if (sw.len > sw.cap) {
                *out_len = sw.len; /* the length it would have had, as elsewhere */
                return RP_E_TOO_LONG;
            }
            if ((st = strict_check_regex_out(hit, sw.buf, sw.len)) != RP_OK)
                return st;
            rp__w_put(&w, sw.buf, sw.len);
        }
    }
    st = rp__w_finish(&w, t->limits[RP_LIMIT_OUTPUT_LEN], out_len);
    if (st == RP_OK || st == RP_E_NOSPACE)
        fill_host(t, &r, host, host_len, hit, &w, match);
    if (st != RP_OK && match)
        match->host = NULL;
    return st;
}
