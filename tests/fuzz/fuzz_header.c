/* fuzz_header: rp_rewrite_response_header over the fixed rule tables.
 *
 * Input: byte 0 = option bits ('0' + bits, fuzz_common.h), byte 1 = table
 * ('a' + index), byte 2 = response context ('0' + v, fz_ctx), byte 3 = header
 * name ('0' + index into names[] below; past its end, the name is the input
 * up to the first ':' after byte 3 and the value the rest), then the value.
 *
 * Invariants (abort() on violation):
 *  - the size protocol of fuzz_common.h (R23);
 *  - a value with CR, LF or NUL is RP_E_HEADER, whatever the name; no output
 *    holds CR, LF or NUL; RP_NO_MATCH gives the value byte for byte;
 *  - dispatch: Location, Content-Location, URI and Destination (any case)
 *    give exactly what rp_rewrite_location gives, Set-Cookie exactly what
 *    rp_rewrite_set_cookie gives (status, length and bytes);
 *  - Refresh and Link: the Apache profile leaves them (RP_NO_MATCH); strict
 *    results never start with "//" or "/\" unless the value did (the text
 *    around the URLs is kept byte for byte);
 *  - any other name: RP_NO_MATCH (or a limit error), value unchanged.
 */
#include "fuzz_common.h"

static const char *const names[] = {"Location", "content-location", "URI",   "DESTINATION",
                                    "Set-Cookie", "set-cookie",     "Refresh", "link",
                                    "X-Other",  "Location ",        "Locatio", ""};
#define NNAMES (sizeof names / sizeof names[0])

typedef struct hd_args {
    const rp_table        *t;
    const char            *name;
    size_t                 nl;
    const char            *v;
    size_t                 n;
    const rp_response_ctx *ctx;
    int                    which; /* 0 header, 1 location, 2 cookie */
} hd_args;

static rp_status call_hd(void *vctx, char *out, size_t sz, size_t *len)
{
    hd_args *a = vctx;
    switch (a->which) {
    case 1:
        return rp_rewrite_location(a->t, a->v, a->n, a->ctx, 0, out, sz, len);
    case 2:
        return rp_rewrite_set_cookie(a->t, a->v, a->n, a->ctx, 0, out, sz, len);
    default:
        return rp_rewrite_response_header(a->t, a->name, a->nl, a->v, a->n, a->ctx, 0, out, sz,
                                          len);
    }
}

static bool name_is(const char *nm, size_t nl, const char *lit)
{
    return strlen(lit) == nl && fz_ieq(nm, lit, nl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    fz_cur_data = data;
    fz_cur_size = size;
    const unsigned o = fz_opts(data[0]);
    const bool strict = fz_strict(o);
    const fz_tab *T = fz_table(o, (unsigned)(uint8_t)(data[1] - 'a'));
    const rp_response_ctx ctx = fz_ctx(fz_variant(data[2]));
    const unsigned ni = fz_variant(data[3]);
    const char *v = (const char *)data + 4;
    size_t n = size - 4;
    const char *nm;
    size_t nl;
    if (ni < NNAMES) {
        nm = names[ni];
        nl = strlen(nm);
    } else {
        const char *c = memchr(v, ':', n);
        nm = v;
        nl = c ? (size_t)(c - v) : n;
        v = c ? c + 1 : v + n;
        n = c ? n - nl - 1 : 0;
    }
    unsigned salt = 0;
    for (size_t i = 0; i < size; i++)
        salt = salt * 29u + data[i];

    hd_args a = {T->t, nm, nl, v, n, &ctx, 0};
    fz_res r = fz_sized(call_hd, &a, salt, 0);

    if (fz_has_crlfnul(v, n) && n <= 8192)
        FZ_CHECK(r.st == RP_E_HEADER, "CR/LF/NUL in the value: %s", rp_status_name(r.st));
    if (r.st == RP_NO_MATCH)
        FZ_CHECK(r.len == n && memcmp(r.out, v, n) == 0, "RP_NO_MATCH changed the value");
    if (r.st == RP_OK)
        FZ_CHECK(!fz_has_crlfnul(r.out, r.len), "CR/LF/NUL in the output");

    int which = 0;
    if (name_is(nm, nl, "Location") || name_is(nm, nl, "Content-Location") ||
        name_is(nm, nl, "URI") || name_is(nm, nl, "Destination"))
        which = 1;
    else if (name_is(nm, nl, "Set-Cookie"))
        which = 2;

    if (which) {
        hd_args b = a;
        b.which = which;
        fz_res r2 = fz_sized(call_hd, &b, salt, 0);
        FZ_CHECK(r2.st == r.st && r2.len == r.len &&
                     (r.out == NULL) == (r2.out == NULL) &&
                     (r.out == NULL || memcmp(r.out, r2.out, r.len) == 0),
                 "header %.*s: %s (%zu bytes), direct call: %s (%zu bytes)", (int)nl, nm,
                 rp_status_name(r.st), r.len, rp_status_name(r2.st), r2.len);
        fz_res_free(&r2);
    } else if (name_is(nm, nl, "Refresh") || name_is(nm, nl, "Link")) {
        if (!strict)
            FZ_CHECK(r.st == RP_NO_MATCH || r.st == RP_E_HEADER || r.st == RP_E_TOO_LONG,
                     "Apache profile: %.*s gives %s", (int)nl, nm, rp_status_name(r.st));
        /* the text around the URLs is copied byte for byte: a value that
         * starts with "//" itself may come back so */
        if (r.st == RP_OK && r.len >= 2 && r.out[0] == '/' &&
            (r.out[1] == '/' || r.out[1] == '\\'))
            FZ_CHECK(n >= 2 && v[0] == '/' && v[1] == r.out[1],
                     "result starts with \"//\" or \"/\\\"");
    } else {
        FZ_CHECK(r.st == RP_NO_MATCH || r.st == RP_E_HEADER || r.st == RP_E_TOO_LONG,
                 "unknown header %.*s gives %s", (int)nl, nm, rp_status_name(r.st));
    }
    fz_res_free(&r);
    return 0;
}
