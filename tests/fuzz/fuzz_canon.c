/* fuzz_canon: the strict profile's canonical path (SECURITY.md R3-R9),
 * checked on its own and against uriparser's normalization (R29).
 *
 * Input: byte 0 = option bits ('0' + bits, fuzz_common.h; only slash merging
 * and the encoded-slash policy are used: the profile is always strict), then
 * the request-target.
 *
 * The canonical path C is observed through the public API: the output of
 * rp_map_request for the table "ProxyPass / http://r/" is "http://r" + C, then
 * "?" and the query when the target has one.
 *
 * Invariants (abort() on violation), for every target the library accepts:
 *  - the size protocol of fuzz_common.h (R23);
 *  - C starts with '/', never with "//", has no dot segment (also none with
 *    parameters), only pchar bytes and '/', every '%' followed by two
 *    uppercase hex digits that do not encode an unreserved character or a
 *    control byte, no "//" when slashes are merged (R3-R7);
 *  - C is no longer than the path it came from (so <= 3 * input + 1, R28);
 *  - the query is carried byte for byte (R8);
 *  - idempotence: mapping C (plus the query) again gives the same URL (R9).
 *
 * Differential against uriparser 0.9.7 (uriNormalizeSyntaxExA with
 * URI_NORMALIZE_PATH on "http://r" + path): both decode percent-encoded
 * unreserved characters, uppercase the other escapes and remove dot segments
 * (RFC 3986 §5.2.4, §6.2.2), so on inputs where the two definitions agree the
 * results must be byte-identical. The definitions differ, on purpose, here,
 * and those inputs are not compared:
 *  - inputs the library refuses (any status but RP_OK): control bytes,
 *    decoded or raw; '\\', '#', bytes outside pchar, non-ASCII; bad UTF-8;
 *    "%00"; dot segments with parameters ("..;", ".%3B"); ".." above the root
 *    (uriparser drops it silently, STYLE.md §3.2 G2); too many segments;
 *  - a path with "//" when slashes are merged: uriparser never merges
 *    slashes (G3);
 *  - "%2F" or "%5C" unless the policy is RP_SLASHES_KEEP: the library decodes
 *    (DECODE) or refuses (REJECT) them; uriparser keeps them encoded (G4);
 *  - a result uriparser starts with "//" ("/.//x" becomes "//x" in 0.9.7,
 *    G1): the library never starts a path with "//";
 *  - the query: it is not part of the comparison (the library never
 *    normalizes it; only the path is given to uriparser).
 * A path the library accepts must be a valid RFC 3986 path for uriparser: a
 * parse failure is a finding too.
 */
#include <uriparser/Uri.h>

#include "fuzz_common.h"

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

static bool has_encoded_slash(const char *p, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (p[i] == '%' && ((p[i + 1] == '2' && (p[i + 2] == 'F' || p[i + 2] == 'f')) ||
                            (p[i + 1] == '5' && (p[i + 2] == 'C' || p[i + 2] == 'c'))))
            return true;
    return false;
}

/* uriparser's normalized path of "http://r" + path; returns a malloc'd
 * string (without "http://r") or NULL when uriparser cannot parse it. */
static char *uriparser_path(const char *path, size_t pn, size_t *outn)
{
    char *s = malloc(pn + 9);
    if (!s)
        abort();
    memcpy(s, "http://r", 8);
    memcpy(s + 8, path, pn);
    s[pn + 8] = '\0';
    UriUriA u;
    const char *err = NULL;
    memset(&u, 0, sizeof u);
    if (uriParseSingleUriExA(&u, s, s + pn + 8, &err) != URI_SUCCESS) {
        uriFreeUriMembersA(&u);
        free(s);
        return NULL;
    }
    if (uriNormalizeSyntaxExA(&u, URI_NORMALIZE_PATH) != URI_SUCCESS)
        FZ_FAIL("uriNormalizeSyntaxExA failed");
    int chars = 0;
    if (uriToStringCharsRequiredA(&u, &chars) != URI_SUCCESS || chars < 0)
        FZ_FAIL("uriToStringCharsRequiredA failed");
    char *o = malloc((size_t)chars + 1);
    int written = 0;
    if (!o)
        abort();
    if (uriToStringA(o, &u, chars + 1, &written) != URI_SUCCESS)
        FZ_FAIL("uriToStringA failed");
    uriFreeUriMembersA(&u);
    free(s);
    size_t on = strlen(o);
    if (on < 8 || memcmp(o, "http://r", 8) != 0)
        FZ_FAIL("uriparser result \"%s\" lost its origin", o);
    memmove(o, o + 8, on - 8 + 1);
    *outn = on - 8;
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fz_cur_data = data;
    fz_cur_size = size;
    unsigned o = (fz_opts(data[0]) | FZ_O_STRICT) & ~(unsigned)(FZ_O_PRESERVE | FZ_O_DERIVE_FLIP);
    const fz_tab *R = fz_table(o, 0);
    const char *tg = (const char *)data + 1;
    size_t n = size - 1;
    unsigned salt = 0;
    for (size_t i = 0; i < size; i++)
        salt = salt * 33u + data[i];

    map_args a;
    memset(&a, 0, sizeof a);
    a.t = R->t;
    a.tg = tg;
    a.n = n;
    fz_res r = fz_sized(call_map, &a, salt, FZ_SZ_MAP);
    if (r.st != RP_OK) {
        FZ_CHECK(r.st != RP_NO_MATCH && r.st != RP_EXCLUDED, "root rule did not match: %s",
                 rp_status_name(r.st));
        fz_res_free(&r);
        return 0;
    }
    const char *q = memchr(tg, '?', n);
    size_t pn = q ? (size_t)(q - tg) : n;
    size_t ql = q ? n - pn - 1 : 0;
    FZ_CHECK(r.len >= 9 && memcmp(r.out, "http://r/", 9) == 0, "output does not start with http://r/");
    FZ_CHECK(!fz_has_nonvisible(r.out, r.len), "non-visible byte in the output");
    const char *C = r.out + 8;
    size_t cn = a.m.query_offset - 8;
    FZ_CHECK(a.m.query_offset <= r.len, "query_offset");
    if (q)
        FZ_CHECK(a.m.query_offset + 1 + ql == r.len && r.out[a.m.query_offset] == '?' &&
                     memcmp(r.out + a.m.query_offset + 1, q + 1, ql) == 0,
                 "query not carried byte for byte");
    else
        FZ_CHECK(a.m.query_offset == r.len, "query_offset without a query");
    bool keep = fz_slashes(o) == RP_SLASHES_KEEP;
    const char *why = fz_strict_canonical(C, cn, fz_merge(o), keep);
    FZ_CHECK(why == NULL, "canonical path: %s", why);
    FZ_CHECK(cn <= pn, "canonical path longer (%zu) than the path (%zu)", cn, pn);
    FZ_CHECK(cn <= 3 * n + 1, "canonical path over 3 * input + 1");

    /* idempotence */
    char *t2 = malloc(cn + ql + 2);
    if (!t2)
        abort();
    memcpy(t2, C, cn);
    size_t n2 = cn;
    if (q) {
        t2[n2++] = '?';
        memcpy(t2 + n2, q + 1, ql);
        n2 += ql;
    }
    map_args a2;
    memset(&a2, 0, sizeof a2);
    a2.t = R->t;
    a2.tg = t2;
    a2.n = n2;
    fz_res r2 = fz_sized(call_map, &a2, salt, FZ_SZ_MAP);
    FZ_CHECK(r2.st == RP_OK && r2.len == r.len && memcmp(r2.out, r.out, r.len) == 0,
             "not idempotent: canonical target \"%.*s\" maps to %s \"%.*s\", first \"%.*s\"",
             (int)n2, t2, rp_status_name(r2.st), r2.st == RP_OK ? (int)r2.len : 0,
             r2.st == RP_OK ? r2.out : "", (int)r.len, r.out);
    fz_res_free(&r2);
    free(t2);

    /* differential against uriparser, on the subset where both agree */
    bool cmp = true;
    if (fz_merge(o) && fz_memmem(tg, pn, "//", 2))
        cmp = false;
    if (!keep && has_encoded_slash(tg, pn))
        cmp = false;
    if (cmp) {
        size_t un = 0;
        char *U = uriparser_path(tg, pn, &un);
        if (!U)
            FZ_FAIL("the library accepts a path uriparser cannot parse; canonical \"%.*s\"",
                    (int)cn, C);
        if (!(un >= 2 && U[0] == '/' && U[1] == '/') && (un != cn || memcmp(U, C, cn) != 0))
            FZ_FAIL("canonical path \"%.*s\", uriparser \"%s\"", (int)cn, C, U);
        free(U);
    }
    fz_res_free(&r);
    return 0;
}
