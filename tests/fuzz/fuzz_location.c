/* fuzz_location: rp_rewrite_location over the fixed rule tables.
 *
 * Input: byte 0 = option bits ('0' + bits, fuzz_common.h), byte 1 = table
 * ('a' + index), byte 2 = response context ('0' + v: public origin v % 3,
 * backend URL v / 3 % 3, request target v / 9 % 3; fz_ctx), then the
 * Location value.
 *
 * Invariants (abort() on violation):
 *  - the size protocol of fuzz_common.h (R23);
 *  - a value with CR, LF or NUL is RP_E_HEADER; no output holds CR, LF or
 *    NUL;
 *  - RP_NO_MATCH gives the value byte for byte;
 *  - RP_OK: the result is the public origin (ctx, else the ServerName) and
 *    a path, or a path-absolute value; it never starts with "//" or "/\"
 *    (behind an origin "//" is only a path: "https://pub//x" is kept, in
 *    both profiles, docs/SECURITY.md §10.4);
 *    its path lies inside the public path of one of the table's reverse
 *    rules (strict: at a segment boundary; Apache: as a plain prefix, which
 *    is httpd's comparison);
 *  - strict, with a public origin: the result is on the public origin, which
 *    no rule claims, so rewriting it again changes nothing (stable).
 */
#include "fuzz_common.h"

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

/* Does path p (up to '?' or '#') lie inside public path pub? */
static bool inside(const char *p, size_t n, const char *pub, bool strict)
{
    size_t k = strlen(pub);
    if (strict) {
        if (k > 1 && pub[k - 1] == '/')
            k--;
        if (k == 1 && pub[0] == '/')
            return n >= 1 && p[0] == '/';
        return n >= k && memcmp(p, pub, k) == 0 &&
               (n == k || p[k] == '/' || p[k] == '?' || p[k] == '#');
    }
    return n >= k && memcmp(p, pub, k) == 0;
}

/* The public paths of the table's reverse rules (explicit, derived from
 * prefix ProxyPass rules, derived from regex rules). */
static bool inside_some_rule(const fz_tab *T, const char *p, size_t n)
{
    const bool strict = fz_strict(T->opts);
    const fz_spec *sp = T->spec;
    for (size_t i = 0; i < sp->n; i++) {
        const fz_rule *r = &sp->rules[i];
        if (r->kind == FZ_REV && inside(p, n, r->a, strict))
            return true;
        if (r->kind == FZ_PASS && r->b && fz_derive(T->opts) && inside(p, n, r->a, strict))
            return true;
    }
    if (sp->extra_public)
        for (const char **e = sp->extra_public; *e; e++)
            if (inside(p, n, *e, strict))
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
    const rp_response_ctx ctx = fz_ctx(fz_variant(data[2]));
    const char *v = (const char *)data + 3;
    const size_t n = size - 3;
    unsigned salt = 0;
    for (size_t i = 0; i < size; i++)
        salt = salt * 31u + data[i];

    loc_args a = {T->t, v, n, &ctx};
    fz_res r = fz_sized(call_loc, &a, salt, 0);

    if (fz_has_crlfnul(v, n) && n <= 8192)
        FZ_CHECK(r.st == RP_E_HEADER, "CR/LF/NUL in the value: %s", rp_status_name(r.st));
    if (r.st == RP_NO_MATCH)
        FZ_CHECK(r.len == n && memcmp(r.out, v, n) == 0, "RP_NO_MATCH changed the value");
    if (r.st == RP_OK) {
        FZ_CHECK(!fz_has_crlfnul(r.out, r.len), "CR/LF/NUL in the output");
        char origin[256];
        size_t ol = fz_put_origin(T, &ctx, origin, sizeof origin);
        const char *p = r.out;
        size_t pn = r.len;
        if (pn >= ol && ol > 0 && memcmp(p, origin, ol) == 0 && pn > ol && p[ol] == '/') {
            p += ol;
            pn -= ol;
        } else {
            FZ_CHECK(pn >= 1 && p[0] == '/', "result is neither on the public origin nor "
                                             "path-absolute");
            /* Apache writes the public origin whenever it has one */
            if (!strict)
                FZ_CHECK(ol == 0, "Apache result without the public origin");
        }
        if (r.out[0] == '/')
            FZ_CHECK(!(r.len >= 2 && (r.out[1] == '/' || r.out[1] == '\\')),
                     "result starts with \"//\" or \"/\\\"");
        FZ_CHECK(inside_some_rule(T, p, pn), "result path lies outside every public rule path");

        if (strict && ctx.public_origin && ol && r.len > ol && memcmp(r.out, origin, ol) == 0) {
            loc_args a2 = {T->t, r.out, r.len, &ctx};
            fz_res r2 = fz_sized(call_loc, &a2, salt, 0);
            FZ_CHECK(r2.st == RP_NO_MATCH, "rewriting the result again gives %s",
                     rp_status_name(r2.st));
            fz_res_free(&r2);
        }
    }
    fz_res_free(&r);
    return 0;
}
