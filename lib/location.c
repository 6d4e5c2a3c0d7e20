/* rp_rewrite_location (Location, Content-Location, URI, Destination),
 * rp_public_origin and rp_map_destination. No allocation; the values are
 * spliced from the input, so the backend's bytes survive as they were. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- small helpers ------------------------------------------------------ */
static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool ieq_n(const char *a, const char *b, size_t n)
{
    return rp__ieq(a, b, n);
}

static void trim_ows(const char **v, size_t *n)
{
    while (*n && ((*v)[0] == ' ' || (*v)[0] == '\t')) {
        (*v)++;
        (*n)--;
    }
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

/* Apache ap_is_url: a scheme (letters, digits, + - .) and ':' */
static bool is_url(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) ||
                     s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    return i > 0 && i < n && s[i] == ':';
}

/* host[:port]: *hend = end of the host (after ']' for an IP literal),
 * *pstart = start of the port digits (n when there is no port). false when
 * an IP literal is unterminated or followed by something other than ':'. */
static bool split_hostport(const char *a, size_t n, size_t *hend, size_t *pstart)
{
    *hend = *pstart = n;
    if (n && a[0] == '[') {
        const char *rb = memchr(a, ']', n);
        if (!rb)
            return false;
        *hend = (size_t)(rb - a) + 1;
        if (*hend < n && a[*hend] != ':')
            return false;
        *pstart = *hend < n ? *hend + 1 : n;
    } else {
        const char *c = memchr(a, ':', n);
        if (c) {
            *hend = (size_t)(c - a);
            *pstart = *hend + 1;
        }
    }
    return true;
}

/* RFC 3986 appendix B split of a URI reference. */
typedef struct uparts {
    size_t scheme_len; /* 0 = no scheme */
    bool   has_auth;
    size_t auth_start, auth_end;
    size_t path_start, path_end; /* rest (query, fragment) starts at path_end */
} uparts;

static void split_uri(const char *s, size_t n, uparts *u)
{
    memset(u, 0, sizeof *u);
    size_t i = 0;
    if (n && is_alpha((unsigned char)s[0])) {
        i = 1;
        while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) ||
                         s[i] == '+' || s[i] == '-' || s[i] == '.'))
            i++;
        if (i < n && s[i] == ':')
            u->scheme_len = i++;
        else
            i = 0;
    }
    if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        u->has_auth = true;
        u->auth_start = i + 2;
        i += 2;
        while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        u->auth_end = i;
    }
    u->path_start = i;
    while (i < n && s[i] != '?' && s[i] != '#')
        i++;
    u->path_end = i;
}

static unsigned default_port(const char *scheme, size_t n)
{
    if ((n == 4 && ieq_n(scheme, "http", 4)) || (n == 2 && ieq_n(scheme, "ws", 2)))
        return 80;
    if ((n == 5 && ieq_n(scheme, "https", 5)) || (n == 3 && ieq_n(scheme, "wss", 3)))
        return 443;
    return 0;
}

/* Does the authority a (of a value whose scheme is sch) name the backend
 * origin be? Scheme and host ASCII-caseless, one trailing dot ignored, IPv6
 * by value, default port == no port, userinfo never matches (R17). */
static bool same_origin(const char *sch, size_t schn, const char *a, size_t an,
                        const rp_tbackend *be)
{
    const char *bo = be->origin;
    size_t bsn = be->authority_off - 3;
    if (schn != bsn || !ieq_n(sch, bo, schn))
        return false;
    if (memchr(a, '@', an))
        return false;
    /* split value host / port */
    size_t hend = an, pstart = an;
    if (an && a[0] == '[') {
        const char *rb = memchr(a, ']', an);
        if (!rb)
            return false;
        hend = (size_t)(rb - a) + 1;
        if (hend < an) {
            if (a[hend] != ':')
                return false;
            pstart = hend + 1;
        }
    } else {
        const char *c = memchr(a, ':', an);
        if (c) {
            hend = (size_t)(c - a);
            pstart = hend + 1;
        }
    }
    unsigned port = default_port(sch, schn);
    if (pstart < an) {
        unsigned long v = 0;
        for (size_t i = pstart; i < an; i++) {
            if (!is_digit((unsigned char)a[i]))
                return false;
            v = v * 10 + (unsigned long)(a[i] - '0');
            if (v > 65535)
                return false;
        }
        if (v == 0)
            return false;
        port = (unsigned)v;
    }
    if (port != be->port)
        return false;
    /* backend host text */
    const char *bh = bo + be->authority_off;
    size_t bhn = be->origin_len - be->authority_off;
    if (bhn && bh[0] == '[') {
        const char *rb = memchr(bh, ']', bhn);
        bhn = rb ? (size_t)(rb - bh) + 1 : bhn;
        unsigned char x[16], y[16];
        return hend && a[0] == '[' && rp__ip6_parse(a, hend, x) && rp__ip6_parse(bh, bhn, y) &&
               memcmp(x, y, 16) == 0;
    }
    const char *c = memchr(bh, ':', bhn);
    if (c)
        bhn = (size_t)(c - bh);
    size_t hn = hend;
    if (hn > 1 && a[hn - 1] == '.')
        hn--;
    if (bhn > 1 && bh[bhn - 1] == '.')
        bhn--;
    return hn == bhn && ieq_n(a, bh, hn);
}

/* Segment-boundary prefix: path == B, or path starts with B + "/" (B without
 * its trailing '/'). Returns the bytes of path consumed or SIZE_MAX. */
static size_t seg_match(const char *path, size_t pn, const char *b, size_t bn)
{
    if (bn && b[bn - 1] == '/')
        bn--;
    if (pn < bn || memcmp(path, b, bn) != 0)
        return SIZE_MAX;
    if (pn > bn && path[bn] != '/')
        return SIZE_MAX;
    return bn;
}

size_t rp__origin_key(const char *sch, size_t sn, const char *host, size_t hn, unsigned port,
                      char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (sn == 0 || sn > 16 || hn == 0 || hn > 255)
        return 0;
    for (size_t i = 0; i < sn; i++)
        out[o++] = (char)rp__lower((unsigned char)sch[i]);
    memcpy(out + o, "://", 3);
    o += 3;
    if (host[0] == '[') {
        unsigned char ip[16];
        if (!rp__ip6_parse(host, hn, ip))
            return 0;
        out[o++] = '[';
        for (size_t i = 0; i < 16; i++) {
            out[o++] = hex[ip[i] >> 4];
            out[o++] = hex[ip[i] & 15];
        }
        out[o++] = ']';
    } else {
        if (hn > 1 && host[hn - 1] == '.')
            hn--;
        for (size_t i = 0; i < hn; i++)
            out[o++] = (char)rp__lower((unsigned char)host[i]);
    }
    out[o++] = ':';
    char d[8];
    size_t nd = 0;
    do {
        d[nd++] = (char)('0' + port % 10);
        port /= 10;
    } while (port && nd < sizeof d);
    while (nd)
        out[o++] = d[--nd];
    return o;
}

/* Canonical origin key of a parsed backend. */
static size_t be_origin_key(const rp_tbackend *be, char *out)
{
    const char *bh = be->origin + be->authority_off;
    size_t bhn = be->origin_len - be->authority_off;
    if (bhn && bh[0] == '[') {
        const char *rb = memchr(bh, ']', bhn);
        bhn = rb ? (size_t)(rb - bh) + 1 : bhn;
    } else {
        const char *c = memchr(bh, ':', bhn);
        if (c)
            bhn = (size_t)(c - bh);
    }
    return rp__origin_key(be->origin, be->authority_off - 3, bh, bhn, be->port, out);
}

#define lower8 rp__lower8

/* rp__hash_prefix of the lowercased bytes. */
static inline uint64_t hash_prefix_lc(rp_hasher *hs, const char *s, size_t n)
{
    while (hs->pos + 8 <= n) {
        hs->h = rp__mix(hs->h, lower8(rp__load8(s + hs->pos)));
        hs->pos += 8;
    }
    uint64_t tail = lower8(rp__load_tail(s, hs->pos, n));
    return rp__fmix(hs->h ^ (tail * 0x9fb21c651e98df25ull) ^ (uint64_t)n);
}

/* Strict keys: canonical origin + backend path, hashed in two parts. */
static inline uint64_t hash_pair(uint64_t ho, uint64_t hp)
{
    return rp__fmix(ho * 0xd6e8feb86659fd93ull ^ hp);
}

static size_t strip_slash(const char *p, size_t n)
{
    return n > 1 && p[n - 1] == '/' ? n - 1 : n;
}

/* ---- the Apache reverse index ----------------------------------------------
 * A rule matches a value whose first real_len bytes are its `real`, caseless
 * (a text prefix at any byte). Each unscoped rule is keyed twice: rev_keys
 * maps its whole lowercased `real` to the first rule written with it, and
 * its directory D (`real` up to and including its last '/' before its last
 * byte, or "" without one) names a group that records the lengths of the
 * tails after D; a tail holds no '/' but as its last byte. A lookup goes
 * through the lengths d that some directory has (a 256-bit set, then every
 * '/' past 255) where the value's first d bytes end in '/': one probe finds
 * the group of that text, then rev_keys is probed only at the group's tail
 * lengths that end by the value's next '/'. Origin-only rules
 * ("http://b:80") fall into the group "http://". Every key hit is compared
 * with the rule's text; the lowest rule index wins. The work depends on the
 * value and the lengths of the rules, not on their number. */

/* rp_rkey.len: the rule's public path follows its text in the arena */
#define RKEY_FAKE_NEXT (1u << 31)

/* The length of D: after the last '/' of s[0..n) but its last byte (so
 * that "http://b/files/3/" joins "http://b/files/"), 0 without one. */
static size_t dir_len(const char *s, size_t n)
{
    if (n)
        n--;
    while (n && s[n - 1] != '/')
        n--;
    return n;
}

static bool gslots_rehash(rp_table *t, uint32_t ncap)
{
    uint32_t *ns = rp__malloc(&t->a, (size_t)ncap * sizeof *ns);
    if (!ns)
        return false;
    memset(ns, 0xff, (size_t)ncap * sizeof *ns);
    for (size_t gi = 0; gi < t->nrev_groups; gi++) {
        uint32_t j = rp__slot_of(t->rev_groups[gi].h, ncap);
        while (ns[j] != RP_SLOT_EMPTY)
            if (++j == ncap)
                j = 0;
        ns[j] = (uint32_t)gi;
    }
    if (t->rev_gslots)
        rp__free(&t->a, t->rev_gslots, (size_t)t->rev_gcap * sizeof *t->rev_gslots);
    t->rev_gslots = ns;
    t->rev_gcap = ncap;
    return true;
}

/* The group of rule ri's D (length d, hash h), created when absent; NULL
 * when out of memory. */
static rp_rgroup *group_get(rp_table *t, uint64_t h, size_t d, uint32_t ri)
{
    const char *p = t->trevs[ri].real;
    uint32_t i = rp__slot_of(h, t->rev_gcap);
    for (;;) {
        uint32_t gi = t->rev_gslots[i];
        if (gi == RP_SLOT_EMPTY)
            break;
        rp_rgroup *g = &t->rev_groups[gi];
        if (g->h == h && g->dlen == d && ieq_n(p, t->trevs[g->rep].real, d))
            return g;
        if (++i == t->rev_gcap)
            i = 0;
    }
    /* new: keep the slots at most half full */
    if ((t->nrev_groups + 1) * 2 > t->rev_gcap) {
        if (t->rev_gcap > (UINT32_MAX >> 2) || !gslots_rehash(t, 2 * t->rev_gcap))
            return NULL;
        i = rp__slot_of(h, t->rev_gcap);
        while (t->rev_gslots[i] != RP_SLOT_EMPTY)
            if (++i == t->rev_gcap)
                i = 0;
    }
    if (rp__grow(&t->a, (void **)&t->rev_groups, &t->caprev_groups, t->nrev_groups + 1,
                 sizeof *t->rev_groups) != RP_OK)
        return NULL;
    rp_rgroup *g = &t->rev_groups[t->nrev_groups];
    memset(g, 0, sizeof *g);
    g->h = h;
    g->dlen = (uint32_t)d;
    g->rep = ri;
    t->rev_gslots[i] = (uint32_t)t->nrev_groups++;
    return g;
}

/* The filter in front of rev_keys: a key of hash h sets two bits of one
 * word; a length whose bits are not both set is not probed. The key slot
 * is prefetched before the filter is read (the filter is small and mostly
 * cached, the slot is not: waiting for the filter first put it in series
 * with the slot's miss), so the filter saves the probe loop and the text
 * compare, not the slot's cache line. */
static inline uint64_t bloom_bits(uint64_t h)
{
    return (uint64_t)1 << ((h >> 32) & 63) | (uint64_t)1 << ((h >> 38) & 63);
}
static inline uint32_t bloom_word(const rp_table *t, uint64_t h)
{
    return ((uint32_t)h >> 8) & t->rev_bloom_mask;
}

/* Enter rule ri's key (hash h); an equal key already there (a rule written
 * earlier with the same text, caseless) keeps its rule. */
static void key_put(rp_table *t, uint64_t h, uint32_t ri)
{
    const rp_trev *r = &t->trevs[ri];
    uint32_t c = (uint32_t)(h >> 32), off = (uint32_t)(r->real - t->strings);
    for (uint32_t i = rp__slot_of(h, t->rev_kcap);;) {
        rp_rkey *k = &t->rev_keys[i];
        if (k->len == 0) {
            uint32_t flag = r->fake == r->real + r->real_len + 1 && r->fake[r->fake_len] == '\0'
                                ? RKEY_FAKE_NEXT
                                : 0;
            *k = (rp_rkey){c, (r->real_len + 1) | flag, ri, off};
            return;
        }
        if (k->check == c && (k->len & ~RKEY_FAKE_NEXT) == r->real_len + 1 &&
            ieq_n(t->strings + k->off, r->real, r->real_len))
            return;
        if (++i == t->rev_kcap)
            i = 0;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Tails of 64 bytes or more: (group << 32 | length) pairs, sorted and
 * without duplicates, become each group's run of rev_xlens. */
static rp_status set_long_tails(rp_table *t, uint64_t *pairs, size_t np)
{
    qsort(pairs, np, sizeof *pairs, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < np; i++)
        if (k == 0 || pairs[k - 1] != pairs[i])
            pairs[k++] = pairs[i];
    t->rev_xlens = rp__malloc(&t->a, k * sizeof *t->rev_xlens);
    if (!t->rev_xlens)
        return RP_E_NOMEM;
    t->nrev_xlens = k;
    for (size_t i = 0; i < k; i++) {
        rp_rgroup *g = &t->rev_groups[pairs[i] >> 32];
        if (g->xn == 0)
            g->xoff = (uint32_t)i;
        g->xn++;
        t->rev_xlens[i] = (uint32_t)pairs[i];
    }
    return RP_OK;
}

/* Group the scoped rules by the text of their <Location> path (in rule
 * order within a group) and index the groups by that text. */
static rp_status build_scoped(rp_table *t)
{
    const rp_allocator *a = &t->a;
    size_t nsc = t->nrev_scoped;
    if (nsc >= ((size_t)1 << 30))
        return RP_E_NOMEM;
    uint32_t *gof = rp__malloc(a, nsc * sizeof *gof);
    t->rev_lgroups = rp__malloc(a, nsc * sizeof *t->rev_lgroups);
    t->rev_lrules = rp__malloc(a, nsc * sizeof *t->rev_lrules);
    rp_status st = RP_E_NOMEM;
    if (!gof || !t->rev_lgroups || !t->rev_lrules || rp__index_init(a, &t->rev_loc, nsc) != RP_OK)
        goto out;
    for (size_t k = 0; k < nsc; k++) {
        const rp_trev *r = &t->trevs[t->rev_scoped[k]];
        uint64_t h = rp__hash_bytes(r->location, r->location_len);
        uint32_t len = (uint32_t)r->location_len, cur, gi;
        for (gi = rp__index_first(&t->rev_loc, h, len, &cur); gi != RP_SLOT_EMPTY;
             gi = rp__index_next(&t->rev_loc, h, len, &cur)) {
            const rp_trev *q = &t->trevs[t->rev_lgroups[gi].rep];
            if (q->location_len == r->location_len &&
                memcmp(q->location, r->location, r->location_len) == 0)
                break;
        }
        if (gi == RP_SLOT_EMPTY) {
            gi = (uint32_t)t->nrev_lgroups++;
            t->rev_lgroups[gi] = (rp_lgroup){0, 0, t->rev_scoped[k]};
            rp__index_put(&t->rev_loc, h, len, gi, NULL, NULL);
        }
        t->rev_lgroups[gi].n++;
        gof[k] = gi;
    }
    uint32_t off = 0;
    for (size_t g = 0; g < t->nrev_lgroups; g++) {
        t->rev_lgroups[g].off = off;
        off += t->rev_lgroups[g].n;
        t->rev_lgroups[g].n = 0; /* counted again while filling */
    }
    for (size_t k = 0; k < nsc; k++) {
        rp_lgroup *g = &t->rev_lgroups[gof[k]];
        t->rev_lrules[g->off + g->n++] = t->rev_scoped[k];
    }
    st = RP_OK;
out:
    if (gof)
        rp__free(a, gof, nsc * sizeof *gof);
    return st;
}

static rp_status build_apache(rp_table *t)
{
    const rp_allocator *a = &t->a;
    size_t nun = 0, nsc = 0;
    for (size_t i = 0; i < t->ntrevs; i++) {
        if (t->trevs[i].location) {
            nsc++;
        } else {
            nun++;
            if (t->trevs[i].path_only)
                t->rev_any_path = true;
            else
                t->rev_any_url = true;
        }
    }
    if (nsc) {
        t->rev_scoped = rp__malloc(a, nsc * sizeof *t->rev_scoped);
        if (!t->rev_scoped)
            return RP_E_NOMEM;
        for (size_t i = 0; i < t->ntrevs; i++)
            if (t->trevs[i].location)
                t->rev_scoped[t->nrev_scoped++] = (uint32_t)i;
        rp_status st = build_scoped(t);
        if (st != RP_OK)
            return st;
    }
    if (!nun)
        return RP_OK;
    /* keys locate their text by a 32-bit offset into the arena */
    if (t->strings_len >= RKEY_FAKE_NEXT || nun >= ((size_t)1 << 30))
        return RP_E_NOMEM;
    t->rev_kcap = (uint32_t)(nun + nun / 2 + 8);
    t->rev_keys = rp__malloc(a, (size_t)t->rev_kcap * sizeof *t->rev_keys);
    if (!t->rev_keys || !gslots_rehash(t, 16))
        return RP_E_NOMEM;
    memset(t->rev_keys, 0, (size_t)t->rev_kcap * sizeof *t->rev_keys);
    size_t nw = 1;
    while (nw * 8 < nun)
        nw *= 2; /* about 8 bits per key */
    t->rev_bloom = rp__malloc(a, nw * sizeof *t->rev_bloom);
    if (!t->rev_bloom)
        return RP_E_NOMEM;
    memset(t->rev_bloom, 0, nw * sizeof *t->rev_bloom);
    t->rev_bloom_mask = (uint32_t)(nw - 1);
    uint64_t *pairs = NULL;
    size_t np = 0, capp = 0;
    rp_status st = RP_OK;
    for (size_t i = 0; i < t->ntrevs && st == RP_OK; i++) {
        const rp_trev *r = &t->trevs[i];
        if (r->location)
            continue;
        size_t d = dir_len(r->real, r->real_len), tail = r->real_len - d;
        rp_hasher hs;
        rp__hasher_init(&hs);
        uint64_t hd = hash_prefix_lc(&hs, r->real, d);
        uint64_t hk = hash_prefix_lc(&hs, r->real, r->real_len);
        key_put(t, hk, (uint32_t)i);
        t->rev_bloom[bloom_word(t, hk)] |= bloom_bits(hk);
        if (d > t->rev_max_dlen)
            t->rev_max_dlen = (uint32_t)d;
        if (d < 256)
            t->rev_dlens[d >> 6] |= (uint64_t)1 << (d & 63);
        rp_rgroup *g = group_get(t, hd, d, (uint32_t)i);
        if (!g)
            st = RP_E_NOMEM;
        else if (tail < 64)
            g->mask |= (uint64_t)1 << tail;
        else if ((st = rp__grow(a, (void **)&pairs, &capp, np + 1, sizeof *pairs)) == RP_OK)
            pairs[np++] = (uint64_t)(g - t->rev_groups) << 32 | tail;
    }
    if (st == RP_OK && np)
        st = set_long_tails(t, pairs, np);
    if (pairs)
        rp__free(a, pairs, capp * sizeof *pairs);
    return st;
}

rp_status rp__build_reverse_index(rp_table *t)
{
    const rp_allocator *a = &t->a;
    if (!t->ntrevs)
        return RP_OK;
    if (t->profile == RP_PROFILE_APACHE)
        return build_apache(t);
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < t->ntrevs; i++) {
        const rp_trev *r = &t->trevs[i];
        na += r->parsed;
        nb += r->parsed || r->path_only;
    }
    if ((na && rp__index_init(a, &t->rev_a, na) != RP_OK) ||
        (nb && rp__index_init(a, &t->rev_b, nb) != RP_OK))
        return RP_E_NOMEM;
    char key[320];
    for (size_t i = 0; i < t->ntrevs; i++) {
        const rp_trev *r = &t->trevs[i];
        size_t bl = strip_slash(r->bpath, r->bpath_len);
        if (bl == 1 && r->bpath[0] == '/')
            bl = 0; /* "http://b/" and "http://b" are both the root */
        if (r->parsed) {
            size_t kl = be_origin_key(&r->be, key);
            if (kl) {
                uint64_t h = hash_pair(rp__hash_bytes(key, kl), rp__hash_bytes(r->bpath, bl));
                rp__index_put(&t->rev_a, h, (uint32_t)(kl + bl), (uint32_t)i, NULL, NULL);
            }
        }
        if (r->parsed || r->path_only) {
            uint64_t h = rp__hash_bytes(r->bpath, bl);
            rp__index_put(&t->rev_b, h, (uint32_t)bl, (uint32_t)i, NULL, NULL);
        }
    }
    return RP_OK;
}

void rp__free_reverse_index(rp_table *t)
{
    const rp_allocator *a = &t->a;
    rp__index_free(a, &t->rev_a);
    rp__index_free(a, &t->rev_b);
    if (t->rev_keys)
        rp__free(a, t->rev_keys, (size_t)t->rev_kcap * sizeof *t->rev_keys);
    if (t->rev_bloom)
        rp__free(a, t->rev_bloom, ((size_t)t->rev_bloom_mask + 1) * sizeof *t->rev_bloom);
    if (t->rev_groups)
        rp__free(a, t->rev_groups, t->caprev_groups * sizeof *t->rev_groups);
    if (t->rev_gslots)
        rp__free(a, t->rev_gslots, (size_t)t->rev_gcap * sizeof *t->rev_gslots);
    if (t->rev_xlens)
        rp__free(a, t->rev_xlens, t->nrev_xlens * sizeof *t->rev_xlens);
    if (t->rev_lgroups)
        rp__free(a, t->rev_lgroups, t->nrev_scoped * sizeof *t->rev_lgroups);
    if (t->rev_lrules)
        rp__free(a, t->rev_lrules, t->nrev_scoped * sizeof *t->rev_lrules);
    rp__index_free(a, &t->rev_loc);
    if (t->rev_scoped)
        rp__free(a, t->rev_scoped, t->nrev_scoped * sizeof *t->rev_scoped);
}

static const rp_response_ctx k_no_ctx;

/* Write public origin (ctx, else the table's ServerName, else nothing).
 * Returns whether anything was written. */
static bool put_origin(const rp_table *t, const rp_response_ctx *ctx, rp_writer *w)
{
    size_t mark = w->len;
    if (ctx->public_origin) {
        size_t n = ctx->public_origin_len;
        while (n && ctx->public_origin[n - 1] == '/')
            n--;
        rp__w_put(w, ctx->public_origin, n);
    } else if (t->server_name) {
        if (t->server_scheme_len)
            rp__w_put(w, t->server_name, t->server_scheme_len);
        else
            rp__w_put(w, "http", 4);
        rp__w_put(w, "://", 3);
        rp__w_put(w, t->server_host, t->server_host_len);
    }
    return w->len != mark;
}

/* Byte i of the concatenation a + b (0 past its end). */
static char at2(const char *a, size_t an, const char *b, size_t bn, size_t i)
{
    return i < an ? a[i] : i - an < bn ? b[i - an] : '\0';
}

/* Write a + b, a result that is a path-absolute reference of its own (no
 * origin in front of it). It must not start with "//" or "/\", which a
 * browser reads as a network-path reference to another host (an open
 * redirect, SECURITY.md R17; a TAB among them is dropped by browsers, so
 * it counts as nothing). In the strict profile with MergeSlashes on, a run
 * of leading '/' is cut to one; otherwise, or for a '\', the result is
 * RP_E_UNSAFE_OUTPUT. The
 * decision is taken from a and b, never from the buffer, so a size query
 * agrees with the write. */
static rp_status put_path_ref(const rp_table *t, rp_writer *w, const char *a, size_t an,
                              const char *b, size_t bn)
{
    size_t n = an + bn, i = 1;
    if (n == 0 || at2(a, an, b, bn, 0) != '/') {
        rp__w_put(w, a, an);
        rp__w_put(w, b, bn);
        return RP_OK;
    }
    bool slashes = false;
    for (; i < n; i++) {
        char c = at2(a, an, b, bn, i);
        if (c == '\\')
            return RP_E_UNSAFE_OUTPUT;
        if (c == '/')
            slashes = true;
        else if (c != '\t')
            break;
    }
    if (!slashes) {
        rp__w_put(w, a, an);
        rp__w_put(w, b, bn);
        return RP_OK;
    }
    if (!t->merge_slashes || t->profile == RP_PROFILE_APACHE)
        return RP_E_UNSAFE_OUTPUT; /* httpd would have put its own origin in front */
    /* "/" then everything after the run */
    rp__w_byte(w, '/');
    if (i < an)
        rp__w_put(w, a + i, an - i);
    size_t bi = i > an ? i - an : 0;
    rp__w_put(w, b + bi, bn - bi);
    return RP_OK;
}

/* ---- Apache: ap_proxy_location_reverse_map ------------------------------ */
/* What apache_try needs of a rule (from the index key when it can, so that
 * the rule's record is not loaded). */
typedef struct arule {
    const char *real, *fake;
    size_t      real_len, fake_len;
    bool        path_only;
} arule;

static arule arule_of(const rp_trev *r)
{
    return (arule){r->real, r->fake, r->real_len, r->fake_len, r->path_only};
}

/* verified: the index compared r's text with the value already. */
static rp_status apache_try(const rp_table *t, const arule *r, const char *v, size_t n,
                            bool verified, const rp_response_ctx *ctx, rp_writer *w, bool *hit)
{
    const char *part = v;
    size_t pn = n;
    if (r->path_only) {
        /* the host is ignored: the path after "scheme://authority" counts */
        for (size_t i = 0; i + 2 < n; i++) {
            if (v[i] == ':' && v[i + 1] == '/' && v[i + 2] == '/') {
                const char *sl = memchr(v + i + 3, '/', n - i - 3);
                if (sl) {
                    part = sl;
                    pn = n - (size_t)(sl - v);
                }
                break;
            }
        }
    }
    if (!verified && (pn < r->real_len || !ieq_n(part, r->real, r->real_len)))
        return RP_OK;
    *hit = true;
    const char *rest = part + r->real_len;
    size_t rn = pn - r->real_len;
    /* result u = fake + rest; absolute unless it is a URL already */
    bool url = is_url(r->fake, r->fake_len) ||
               (r->fake_len == 0 && is_url(rest, rn));
    if (url || put_origin(t, ctx, w)) {
        rp__w_put(w, r->fake, r->fake_len);
        rp__w_put(w, rest, rn);
        return RP_OK;
    }
    /* no origin known: a path-absolute result, guarded */
    return put_path_ref(t, w, r->fake, r->fake_len, rest, rn);
}

/* Probe the keys p[0..d + l) for the tail lengths l <= m of group g. */
static inline void probe_group(const rp_table *t, const rp_rgroup *g, rp_hasher *hs,
                               const char *p, size_t d, size_t m, const rp_rkey **best)
{
    uint64_t mask = m >= 63 ? g->mask : g->mask & ((2ull << m) - 1);
    const uint32_t *x = g->xn ? t->rev_xlens + g->xoff : NULL;
    size_t xn = g->xn, xi = 0;
    while (mask || (xi < xn && x[xi] <= m)) {
        /* a batch: hash and prefetch first, so that the slot loads overlap */
        uint64_t hv[16];
        uint32_t lv[16];
        size_t nb = 0;
        for (; nb < 16 && mask; nb++) {
            lv[nb] = (uint32_t)(d + (size_t)__builtin_ctzll(mask));
            mask &= mask - 1;
        }
        for (; nb < 16 && !mask && xi < xn && x[xi] <= m; nb++)
            lv[nb] = (uint32_t)(d + x[xi++]);
        for (size_t q = 0; q < nb; q++) {
            hv[q] = hash_prefix_lc(hs, p, lv[q]);
            __builtin_prefetch(&t->rev_keys[rp__slot_of(hv[q], t->rev_kcap)]);
            uint64_t bb = bloom_bits(hv[q]);
            if ((t->rev_bloom[bloom_word(t, hv[q])] & bb) != bb)
                lv[q] = UINT32_MAX; /* no key of this length and text */
        }
        for (size_t q = 0; q < nb; q++) {
            if (lv[q] == UINT32_MAX)
                continue;
            uint32_t c = (uint32_t)(hv[q] >> 32);
            for (uint32_t i = rp__slot_of(hv[q], t->rev_kcap);;) {
                const rp_rkey *k = &t->rev_keys[i];
                if (k->len == 0)
                    break;
                if (k->check == c && (k->len & ~RKEY_FAKE_NEXT) == lv[q] + 1 &&
                    (!*best || k->val < (*best)->val)) {
                    /* what follows the text in the arena: the public path
                     * (RKEY_FAKE_NEXT), else load the rule's record */
                    if (k->len & RKEY_FAKE_NEXT)
                        __builtin_prefetch(t->strings + k->off + lv[q]);
                    else
                        __builtin_prefetch(&t->trevs[k->val]);
                    if (ieq_n(p, t->strings + k->off, lv[q]))
                        *best = k;
                }
                if (++i == t->rev_kcap)
                    i = 0;
            }
        }
    }
}

/* The groups of directory p[0..d) (a prefix that is empty or ends in '/'):
 * each group with its hash and length lends its lengths (in practice there
 * is one); the keys probed at them are compared with the text, the groups
 * are not. */
static inline void probe_dir(const rp_table *t, rp_hasher *hs, const char *p, size_t n,
                             size_t d, const rp_rkey **best)
{
    uint64_t h = hash_prefix_lc(hs, p, d);
    rp_hasher start = *hs;
    for (uint32_t i = rp__slot_of(h, t->rev_gcap);;) {
        uint32_t gi = t->rev_gslots[i];
        if (gi == RP_SLOT_EMPTY)
            return;
        const rp_rgroup *g = &t->rev_groups[gi];
        if (g->h == h && g->dlen == d) {
            /* a tail holds no '/' but as its last byte: it ends at the
             * value's next '/' at the latest */
            size_t e = rp__find_slash(p, d, n), m = e - d + (e < n);
            rp_hasher hq = start;
            probe_group(t, g, &hq, p, d, m, best);
            *hs = hq;
        }
        if (++i == t->rev_gcap)
            i = 0;
    }
}

/* Unscoped Apache rules through the index (see build_apache): at each
 * length d that some group's directory has, where p[0..d) is empty or ends
 * in '/', the group of that text gives the lengths at which a rule can end;
 * the rule written first among the hits wins. */
static void probe_dirs(const rp_table *t, const char *p, size_t n, const rp_rkey **best)
{
    rp_hasher hs;
    rp__hasher_init(&hs);
    size_t lim = n < t->rev_max_dlen ? n : t->rev_max_dlen;
    for (size_t w = 0; w < 4 && w * 64 <= lim; w++) {
        uint64_t bits = t->rev_dlens[w];
        if (lim - w * 64 < 63)
            bits &= (2ull << (lim - w * 64)) - 1;
        while (bits) {
            size_t d = w * 64 + (size_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (d == 0 || p[d - 1] == '/')
                probe_dir(t, &hs, p, n, d, best);
        }
    }
    /* directories of 256 bytes or more: below every '/' */
    for (size_t d = 256; d <= lim;) {
        if (p[d - 1] == '/')
            probe_dir(t, &hs, p, n, d, best);
        size_t e = rp__find_slash(p, d, n);
        if (e == n)
            break;
        d = e + 1;
    }
}

/* The unscoped rule that applies to v, written first; false when none. */
static bool apache_lookup(const rp_table *t, const char *v, size_t n, arule *out)
{
    const rp_rkey *best = NULL;
    if (!t->rev_gslots)
        return false;
    /* a URL rule never starts with '/', a path-only rule always does */
    if (t->rev_any_url && (n == 0 || v[0] != '/'))
        probe_dirs(t, v, n, &best);
    /* the path of a URL value, for the path-only rules */
    const char *part = v;
    size_t pn = t->rev_any_path ? n : 0;
    for (size_t i = 0; i + 2 < pn; i++) {
        if (v[i] == ':' && v[i + 1] == '/' && v[i + 2] == '/') {
            const char *sl = memchr(v + i + 3, '/', n - i - 3);
            if (sl) {
                part = sl;
                pn = n - (size_t)(sl - v);
            }
            break;
        }
    }
    if (pn && part[0] == '/')
        probe_dirs(t, part, pn, &best);
    if (!best)
        return false;
    if (best->len & RKEY_FAKE_NEXT) {
        const char *real = t->strings + best->off;
        size_t rl = (best->len & ~RKEY_FAKE_NEXT) - 1;
        *out = (arule){real, real + rl + 1, rl, strlen(real + rl + 1), real[0] == '/'};
    } else {
        *out = arule_of(&t->trevs[best->val]);
    }
    return true;
}

/* ---- strict ---------------------------------------------------------- */
static rp_status strict_check(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\\')
            return RP_E_BACKSLASH;
        if (c < 0x21 || c == 0x7f)
            return RP_E_CTL;
        if (c >= 0x80)
            return RP_E_NON_ASCII;
    }
    return RP_OK;
}

/* The public URL: the rule's PATH (without a trailing '/') + the rest of
 * the backend path; "/" when both are empty. A PATH that is an absolute URL
 * ("https://www.example.com/api") carries its own origin; otherwise the
 * public origin goes in front when with_origin is set and one is known, and
 * a result without one is a guarded path-absolute reference. */
static rp_status put_mapped(const rp_table *t, const rp_response_ctx *ctx, rp_writer *w,
                            const rp_trev *r, const char *rest, size_t rn, bool with_origin)
{
    size_t fl = r->fake_len;
    if (fl && r->fake[fl - 1] == '/')
        fl--;
    if (fl + rn == 0) {
        if (with_origin)
            put_origin(t, ctx, w);
        rp__w_byte(w, '/');
        return RP_OK;
    }
    if (is_url(r->fake, r->fake_len) || (with_origin && put_origin(t, ctx, w))) {
        rp__w_put(w, r->fake, fl);
        rp__w_put(w, rest, rn);
        return RP_OK;
    }
    return put_path_ref(t, w, r->fake, fl, rest, rn);
}

/* Rewrite an absolute (or network-path) value v whose parts are u. base_scheme
 * is used for a network-path reference. rest_src/rest_n: query+fragment. */
static rp_status strict_abs(const rp_table *t, const rp_response_ctx *ctx, const char *v,
                            const uparts *u, const char *sch, size_t schn, rp_writer *w,
                            bool *hit)
{
    const char *path = v + u->path_start;
    size_t pn = u->path_end - u->path_start;
    const char *auth = v + u->auth_start;
    size_t an = u->auth_end - u->auth_start;
    if (memchr(auth, '@', an))
        return RP_OK; /* userinfo never matches */
    /* the scheme of a network-path reference is the backend request's */
    const char *schemes[2] = {sch, NULL};
    size_t schl[2] = {schn, 0};
    size_t ns = 1;
    if (!schn) {
        uparts bu;
        memset(&bu, 0, sizeof bu);
        if (ctx->backend_url)
            split_uri(ctx->backend_url, ctx->backend_url_len, &bu);
        if (bu.scheme_len) {
            schemes[0] = ctx->backend_url;
            schl[0] = bu.scheme_len;
        } else {
            schemes[0] = "http";
            schl[0] = 4;
            schemes[1] = "https";
            schl[1] = 5;
            ns = 2;
        }
    }
    size_t hend, pstart;
    if (!split_hostport(auth, an, &hend, &pstart))
        return RP_OK;
    const rp_trev *best = NULL;
    size_t best_len = 0;
    char key[320];
    for (size_t si = 0; si < ns; si++) {
        unsigned port = default_port(schemes[si], schl[si]);
        if (pstart < an) {
            unsigned long pv = 0;
            for (size_t i = pstart; i < an; i++) {
                if (!is_digit((unsigned char)auth[i]))
                    return RP_OK;
                pv = pv * 10 + (unsigned long)(auth[i] - '0');
                if (pv > 65535)
                    return RP_OK;
            }
            if (pv == 0)
                return RP_OK;
            port = (unsigned)pv;
        }
        size_t kl = rp__origin_key(schemes[si], schl[si], auth, hend, port, key);
        if (!kl)
            continue;
        uint64_t ho = rp__hash_bytes(key, kl);
        rp_hasher hs;
        rp__hasher_init(&hs);
        for (size_t i = 0; i <= pn; i++) {
            if (i == 0 || i == pn || path[i] == '/') {
                uint64_t h = hash_pair(ho, rp__hash_prefix(&hs, path, i));
                uint32_t cur, rv;
                for (rv = rp__index_first(&t->rev_a, h, (uint32_t)(kl + i), &cur);
                     rv != RP_SLOT_EMPTY;
                     rv = rp__index_next(&t->rev_a, h, (uint32_t)(kl + i), &cur)) {
                    const rp_trev *r = &t->trevs[rv];
                    if (!rp__location_applies(r->location, r->location_len, ctx) ||
                        !same_origin(schemes[si], schl[si], auth, an, &r->be))
                        continue;
                    size_t c = seg_match(pn ? path : "/", pn ? pn : 1, r->bpath, r->bpath_len);
                    if (c == SIZE_MAX || (best && c <= best_len))
                        continue;
                    best = r;
                    best_len = pn ? c : 0;
                    /* the rest of this chain has the same key: it cannot
                     * match longer, and the first written wins a tie */
                    break;
                }
            }
        }
    }
    if (!best)
        return RP_OK;
    *hit = true;
    return put_mapped(t, ctx, w, best, path + best_len, pn - best_len, true);
}

/* Path-absolute value: map B/... to fake/..., stays relative (R17). */
static rp_status strict_path(const rp_table *t, const rp_response_ctx *ctx, const char *v,
                             const uparts *u, rp_writer *w, bool *hit)
{
    const char *path = v + u->path_start;
    size_t pn = u->path_end - u->path_start;
    const rp_trev *best = NULL;
    size_t best_len = 0;
    rp_hasher hs;
    rp__hasher_init(&hs);
    for (size_t i = 0; i <= pn; i++) {
        if (i == 0 || i == pn || path[i] == '/') {
            uint64_t h = rp__hash_prefix(&hs, path, i);
            uint32_t cur, rv;
            for (rv = rp__index_first(&t->rev_b, h, (uint32_t)i, &cur); rv != RP_SLOT_EMPTY;
                 rv = rp__index_next(&t->rev_b, h, (uint32_t)i, &cur)) {
                const rp_trev *r = &t->trevs[rv];
                if (!rp__location_applies(r->location, r->location_len, ctx))
                    continue;
                size_t c = seg_match(path, pn, r->bpath_len ? r->bpath : "/",
                                     r->bpath_len ? r->bpath_len : 1);
                if (c == SIZE_MAX || (best && c <= best_len))
                    continue;
                best = r;
                best_len = c;
                break; /* the rest of this chain cannot win (same key) */
            }
        }
    }
    if (!best)
        return RP_OK;
    *hit = true;
    return put_mapped(t, ctx, w, best, path + best_len, pn - best_len, false);
}

#define RP_SCOPE_GROUPS 64

/* The <Location> groups that cover the request (at most RP_SCOPE_GROUPS;
 * -1 when more do): a <Location> path covers the request path when it is
 * the whole path, the path up to one of its '/', or the path up to and
 * including one of its '/' (a <Location> ending in '/'), or empty. Each
 * such prefix is looked up once; rp__location_applies confirms. */
static int scoped_groups(const rp_table *t, const rp_response_ctx *ctx,
                         const rp_lgroup **gv)
{
    const char *p;
    size_t pn;
    int ng = 0;
    if (!rp__scope_path(ctx, &p, &pn)) {
        /* an absolute-form target without a path: only <Location /> */
        p = "/";
        pn = 1;
        if (!ctx || !ctx->request_target)
            return 0;
    }
    rp_hasher hs;
    rp__hasher_init(&hs);
    size_t last = SIZE_MAX;
    for (size_t j = 0;; j++) {
        /* the lengths to try at this step: j (before a '/', or the end) and
         * j + 1 (after a '/') */
        size_t e = j == 0 ? 0 : rp__find_slash(p, j, pn);
        for (int k = 0; k < 2; k++) {
            size_t len = k == 0 ? e : e + 1;
            if (len > pn || len == last || (k == 1 && e == pn))
                continue;
            last = len;
            uint64_t h = rp__hash_prefix(&hs, p, len);
            uint32_t cur;
            for (uint32_t gi = rp__index_first(&t->rev_loc, h, (uint32_t)len, &cur);
                 gi != RP_SLOT_EMPTY; gi = rp__index_next(&t->rev_loc, h, (uint32_t)len, &cur)) {
                const rp_lgroup *g = &t->rev_lgroups[gi];
                const rp_trev *rep = &t->trevs[g->rep];
                if (rep->location_len != len || memcmp(rep->location, p, len) != 0 ||
                    !rp__location_applies(rep->location, rep->location_len, ctx))
                    continue;
                if (ng == RP_SCOPE_GROUPS)
                    return -1;
                gv[ng++] = g;
            }
        }
        if (e >= pn)
            break;
        j = e; /* the loop's j++ moves past this '/' */
    }
    return ng;
}

/* The scoped rules that apply, in rule order (Apache merges the matching
 * <Location> sections' ProxyPassReverse after the server's): the groups
 * that cover the request, merged by rule index. More covering groups than
 * fit the stack (nested <Location> sections along one path) fall back to
 * trying every scoped rule in order. */
static rp_status apache_scoped(const rp_table *t, const char *v, size_t n,
                               const rp_response_ctx *ctx, rp_writer *w, bool *hit)
{
    const rp_lgroup *gv[RP_SCOPE_GROUPS];
    uint32_t at[RP_SCOPE_GROUPS];
    int ng = scoped_groups(t, ctx, gv);
    if (ng < 0) {
        for (size_t i = 0; i < t->nrev_scoped && !*hit; i++) {
            const rp_trev *r = &t->trevs[t->rev_scoped[i]];
            if (!rp__location_applies(r->location, r->location_len, ctx))
                continue;
            arule ar = arule_of(r);
            rp_status st = apache_try(t, &ar, v, n, false, ctx, w, hit);
            if (st != RP_OK)
                return st;
        }
        return RP_OK;
    }
    for (int g = 0; g < ng; g++)
        at[g] = 0;
    while (!*hit) {
        int m = -1;
        uint32_t best = RP_SLOT_EMPTY;
        for (int g = 0; g < ng; g++) {
            if (at[g] < gv[g]->n && t->rev_lrules[gv[g]->off + at[g]] < best) {
                best = t->rev_lrules[gv[g]->off + at[g]];
                m = g;
            }
        }
        if (m < 0)
            return RP_OK;
        at[m]++;
        arule ar = arule_of(&t->trevs[best]);
        rp_status st = apache_try(t, &ar, v, n, false, ctx, w, hit);
        if (st != RP_OK)
            return st;
    }
    return RP_OK;
}

static rp_status rewrite(const rp_table *t, const char *value, size_t value_len,
                         const rp_response_ctx *ctx, rp_writer *w, bool *hit)
{
    const char *v = value;
    size_t n = value_len;
    trim_ows(&v, &n);
    *hit = false;
    if (t->profile == RP_PROFILE_APACHE) {
        /* server-level rules first (through the index), then those of the
         * matching <Location> sections, in order */
        arule ar;
        if (apache_lookup(t, v, n, &ar))
            return apache_try(t, &ar, v, n, true, ctx, w, hit);
        return t->nrev_scoped ? apache_scoped(t, v, n, ctx, w, hit) : RP_OK;
    }

    rp_status st = strict_check(v, n);
    if (st != RP_OK)
        return st;
    uparts u;
    split_uri(v, n, &u);
    if (u.scheme_len || u.has_auth) {
        st = strict_abs(t, ctx, v, &u, v, u.scheme_len, w, hit);
        if (*hit)
            rp__w_put(w, v + u.path_end, n - u.path_end);
    } else if (n && v[0] == '/') {
        st = strict_path(t, ctx, v, &u, w, hit);
        if (*hit)
            rp__w_put(w, v + u.path_end, n - u.path_end);
    } else if (n && ctx->backend_url) {
        /* relative reference: resolve against the URL requested from the
         * backend, then map it like an absolute one */
        char abs[4096];
        size_t an = 0;
        st = rp__resolve(ctx->backend_url, ctx->backend_url_len, v, n, abs, sizeof abs, &an);
        if (st != RP_OK)
            return st;
        uparts ua;
        split_uri(abs, an, &ua);
        if (ua.scheme_len && ua.has_auth) {
            st = strict_abs(t, ctx, abs, &ua, abs, ua.scheme_len, w, hit);
            if (*hit)
                rp__w_put(w, abs + ua.path_end, an - ua.path_end);
        }
    }
    return st;
}

rp_status rp__location_into(const rp_table *t, const char *value, size_t value_len,
                            const rp_response_ctx *ctx, rp_writer *w, bool *changed)
{
    bool hit = false;
    rp_status st = rewrite(t, value, value_len, ctx ? ctx : &k_no_ctx, w, &hit);
    if (st != RP_OK)
        return st;
    if (hit)
        *changed = true;
    else
        rp__w_put(w, value, value_len);
    return RP_OK;
}

RP_API rp_status rp_rewrite_location(const rp_table *t, const char *value, size_t value_len,
                                     const rp_response_ctx *ctx, unsigned flags, char *out,
                                     size_t out_size, size_t *out_len)
{
    rp_status st = rp__reverse_args(t, value, value_len, ctx, flags, out, out_size, out_len);
    if (st != RP_OK)
        return st;
    if (!ctx)
        ctx = &k_no_ctx;
    rp_writer w;
    rp__w_init(&w, out, out_size);
    bool hit = false;
    if ((st = rewrite(t, value, value_len, ctx, &w, &hit)) != RP_OK)
        return st;
    if (!hit)
        return rp__write_unchanged(value, value_len, out, out_size, out_len);
    st = rp__w_finish(&w, t->limits[RP_LIMIT_OUTPUT_LEN], out_len);
    if (st != RP_OK)
        return st;
    return hit ? RP_OK : RP_NO_MATCH;
}

/* ---- rp_public_origin ---------------------------------------------------- */
RP_API rp_status rp_public_origin(const rp_table *t, const char *scheme, size_t scheme_len,
                                  const char *host, size_t host_len, char *out,
                                  size_t out_size, size_t *out_len)
{
    if (!t || (!scheme && scheme_len) || (!host && host_len) || !out_len || (!out && out_size))
        return RP_E_ARG;
    *out_len = 0;
    const char *sch = "http";
    size_t sn = 4;
    if (t->server_scheme_len) {
        sch = t->server_name;
        sn = t->server_scheme_len;
    } else if (scheme && scheme_len) {
        sch = scheme;
        sn = scheme_len;
    }
    for (size_t i = 0; i < sn; i++)
        if (!(is_alpha((unsigned char)sch[i]) || (i && (is_digit((unsigned char)sch[i]) ||
                                                        sch[i] == '+' || sch[i] == '-' ||
                                                        sch[i] == '.'))))
            return RP_E_ARG;
    const char *h = host;
    size_t hn = host_len;
    if (!h) {
        if (!t->server_name)
            return RP_E_ARG;
        h = t->server_host;
        hn = t->server_host_len;
    }
    /* the same Host syntax rp_map_request checks (rp__host_valid) */
    size_t hend, pstart;
    if (!rp__host_valid(h, hn) || !split_hostport(h, hn, &hend, &pstart))
        return RP_E_HOST;
    unsigned long port = 0;
    for (size_t i = pstart; i < hn; i++)
        port = port * 10 + (unsigned long)(h[i] - '0');
    rp_writer w;
    rp__w_init(&w, out, out_size);
    for (size_t i = 0; i < sn; i++)
        rp__w_byte(&w, rp__lower((unsigned char)sch[i]));
    rp__w_put(&w, "://", 3);
    for (size_t i = 0; i < hend; i++)
        rp__w_byte(&w, rp__lower((unsigned char)h[i]));
    if (pstart < hn && port != default_port(sch, sn)) {
        rp__w_byte(&w, ':');
        rp__w_put(&w, h + pstart, hn - pstart);
    }
    return rp__w_finish(&w, SIZE_MAX, out_len);
}

/* ---- rp_map_destination -------------------------------------------------- */
RP_API rp_status rp_map_destination(const rp_table *t, const char *value, size_t value_len,
                                    const char *public_origin, size_t public_origin_len,
                                    unsigned flags, char *out, size_t out_size, size_t *out_len,
                                    rp_match *match)
{
    if (!t || (!value && value_len) || (!public_origin && public_origin_len) || !out_len)
        return RP_E_ARG;
    rp_status st = rp__check_header_value(value, value_len, t->limits[RP_LIMIT_HEADER_LEN]);
    if (st != RP_OK)
        return st;
    const char *v = value;
    size_t n = value_len;
    trim_ows(&v, &n);
    uparts u;
    split_uri(v, n, &u);
    if (u.scheme_len || u.has_auth) {
        /* must name the public origin the client used */
        if (!public_origin)
            return RP_E_FORBIDDEN;
        uparts po;
        split_uri(public_origin, public_origin_len, &po);
        if (!po.scheme_len || !po.has_auth)
            return RP_E_ARG;
        size_t vs = u.scheme_len ? u.scheme_len : po.scheme_len;
        const char *vsch = u.scheme_len ? v : public_origin;
        rp_backend be;
        rp_tbackend tb;
        memset(&be, 0, sizeof be);
        if (rp__parse_backend(public_origin, po.auth_end, 0, &be, NULL) != RP_OK)
            return RP_E_ARG;
        rp__tbackend_view(&be, &tb);
        if (!same_origin(vsch, vs, v + u.auth_start, u.auth_end - u.auth_start, &tb))
            return RP_E_FORBIDDEN; /* a Destination on another host is never passed on */
        if (u.path_start == n)
            return rp_map_request(t, "/", 1, NULL, 0, flags, out, out_size, out_len, match);
        return rp_map_request(t, v + u.path_start, n - u.path_start, NULL, 0, flags, out,
                              out_size, out_len, match);
    }
    return rp_map_request(t, v, n, NULL, 0, flags, out, out_size, out_len, match);
}
