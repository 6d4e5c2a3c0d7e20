/* fuzz_cookie: rp_rewrite_set_cookie over the fixed rule tables.
 *
 * Input: byte 0 = option bits ('0' + bits, fuzz_common.h), byte 1 = table
 * ('a' + index), byte 2 = response context ('0' + v, fz_ctx), then the
 * Set-Cookie value.
 *
 * Invariants (abort() on violation):
 *  - the size protocol of fuzz_common.h (R23);
 *  - a value with CR, LF or NUL is RP_E_HEADER; no output holds CR, LF or
 *    NUL; RP_NO_MATCH gives the value byte for byte;
 *  - RP_OK: the output has as many ';'-separated pieces as the value (no
 *    public value in the tables holds ';'); the cookie's name and value (the
 *    first piece) are byte-identical (Apache: unless the cookie is itself
 *    named "domain" or "path", which httpd reads as an attribute,
 *    docs/cookies.md); every piece that is not a Domain or Path attribute is
 *    byte-identical; a rewritten Domain is the public domain of one of the
 *    table's Domain rules, a rewritten Path starts with the public path of
 *    one of its Path rules;
 *  - strict: a cookie named __Host-* or __Secure-* comes back unchanged.
 */
#include "fuzz_common.h"

typedef struct ck_args {
    const rp_table        *t;
    const char            *v;
    size_t                 n;
    const rp_response_ctx *ctx;
} ck_args;

static rp_status call_ck(void *vctx, char *out, size_t sz, size_t *len)
{
    ck_args *a = vctx;
    return rp_rewrite_set_cookie(a->t, a->v, a->n, a->ctx, 0, out, sz, len);
}

typedef struct piece {
    const char *p;
    size_t      n;
} piece;

#define MAXP 80

static size_t split(const char *s, size_t n, piece *out)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ';') {
            if (k < MAXP) {
                out[k].p = s + start;
                out[k].n = i - start;
            }
            k++;
            start = i + 1;
        }
    }
    return k;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* Attribute name of a piece: "domain" / "path" (1 / 2) or 0. Strict: the
 * name is trimmed of spaces and tabs before '='; Apache: leading white space
 * skipped, then "domain=" or "path=" exactly (any case). Sets *val to the
 * value's start (after '='). Any white space is accepted on both sides here:
 * the invariant only needs to know which pieces may change. */
static int attr_kind(const piece *pc, size_t *val)
{
    size_t i = 0;
    while (i < pc->n && is_ws(pc->p[i]))
        i++;
    size_t ns = i;
    while (i < pc->n && pc->p[i] != '=')
        i++;
    if (i == pc->n)
        return 0;
    size_t ne = i;
    while (ne > ns && is_ws(pc->p[ne - 1]))
        ne--;
    *val = i + 1;
    if (ne - ns == 6 && fz_ieq(pc->p + ns, "domain", 6))
        return 1;
    if (ne - ns == 4 && fz_ieq(pc->p + ns, "path", 4))
        return 2;
    return 0;
}

static void trim(const char **p, size_t *n)
{
    while (*n && is_ws(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n && is_ws((*p)[*n - 1]))
        (*n)--;
}

static bool domain_ok(const fz_tab *T, const char *d, size_t dn)
{
    for (size_t i = 0; i < T->spec->n; i++) {
        const fz_rule *r = &T->spec->rules[i];
        if (r->kind == FZ_CDOM && strlen(r->b) == dn && memcmp(r->b, d, dn) == 0)
            return true;
    }
    return false;
}

static bool path_ok(const fz_tab *T, const char *p, size_t pn)
{
    for (size_t i = 0; i < T->spec->n; i++) {
        const fz_rule *r = &T->spec->rules[i];
        size_t k = r->kind == FZ_CPATH ? strlen(r->b) : 0;
        if (k && k > 1 && r->b[k - 1] == '/')
            k--;
        if (r->kind == FZ_CPATH && pn >= k && memcmp(p, r->b, k) == 0)
            return true;
    }
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
    const rp_response_ctx ctx = fz_ctx(fz_variant(data[2]));
    const char *v = (const char *)data + 3;
    const size_t n = size - 3;
    unsigned salt = 0;
    for (size_t i = 0; i < size; i++)
        salt = salt * 37u + data[i];

    ck_args a = {T->t, v, n, &ctx};
    fz_res r = fz_sized(call_ck, &a, salt, 0);

    if (fz_has_crlfnul(v, n) && n <= 8192)
        FZ_CHECK(r.st == RP_E_HEADER, "CR/LF/NUL in the value: %s", rp_status_name(r.st));
    if (r.st == RP_NO_MATCH)
        FZ_CHECK(r.len == n && memcmp(r.out, v, n) == 0, "RP_NO_MATCH changed the value");
    if (r.st != RP_OK) {
        fz_res_free(&r);
        return 0;
    }
    FZ_CHECK(!fz_has_crlfnul(r.out, r.len), "CR/LF/NUL in the output");
    FZ_CHECK(r.len != n || memcmp(r.out, v, n) != 0, "RP_OK without a change");

    piece in[MAXP], out[MAXP];
    size_t ni = split(v, n, in), no = split(r.out, r.len, out);
    FZ_CHECK(ni == no, "%zu pieces in the value, %zu in the output", ni, no);
    if (ni <= MAXP) {
        size_t dummy;
        if (strict)
            FZ_CHECK(!(fz_starts(v, n, "__Host-") || fz_starts(v, n, "__Secure-")) &&
                         !(n >= 7 && fz_ieq(v, "__host-", 7)) &&
                         !(n >= 9 && fz_ieq(v, "__secure-", 9)),
                     "a __Host-/__Secure- cookie was rewritten");
        bool first_is_attr = !strict && attr_kind(&in[0], &dummy) != 0;
        if (!first_is_attr)
            FZ_CHECK(in[0].n == out[0].n && memcmp(in[0].p, out[0].p, in[0].n) == 0,
                     "cookie name/value changed");
        for (size_t i = strict ? 1 : 0; i < ni; i++) {
            size_t vi = 0, vo = 0;
            int k = attr_kind(&in[i], &vi);
            if (k == 0 || (i == 0 && !first_is_attr)) {
                FZ_CHECK(in[i].n == out[i].n && memcmp(in[i].p, out[i].p, in[i].n) == 0,
                         "piece %zu (not Domain/Path) changed", i);
                continue;
            }
            if (in[i].n == out[i].n && memcmp(in[i].p, out[i].p, in[i].n) == 0)
                continue;
            int ko = attr_kind(&out[i], &vo);
            FZ_CHECK(ko == k && vi == vo && memcmp(in[i].p, out[i].p, vi) == 0,
                     "attribute %zu: its name changed", i);
            const char *val = out[i].p + vo;
            size_t vn = out[i].n - vo;
            trim(&val, &vn);
            if (k == 1)
                FZ_CHECK(domain_ok(T, val, vn), "Domain %.*s is no rule's public domain",
                         (int)vn, val);
            else
                FZ_CHECK(path_ok(T, val, vn), "Path %.*s is under no rule's public path",
                         (int)vn, val);
        }
    }
    fz_res_free(&r);
    return 0;
}
