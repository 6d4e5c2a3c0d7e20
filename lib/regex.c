/* ProxyPassMatch regexes through PCRE2 (what Apache uses), with limits that
 * fail closed. The match path allocates nothing: PCRE2's contexts and match
 * data come from an arena on the stack. */
#include <string.h>

#include "internal.h"

#ifdef RP_HAVE_PCRE2
#include <pcre2.h>

#define RP_MATCH_LIMIT 100000u
#define RP_DEPTH_LIMIT 1000u
#define RP_HEAP_LIMIT_KIB 40u

#define RP_LIT_MAX 48u

struct rp_regex {
    pcre2_code *code;
    bool        jit;
    uint8_t     litn;            /* bytes every match starts with */
    char        lit[RP_LIT_MAX];
};

/* The literal text right after a leading '^' ("^/api/v1/(.*)" -> "/api/v1/"):
 * every subject that matches starts with it, so a subject that does not is
 * refused without running PCRE2. Conservative: any '|' in the pattern, or a
 * pattern not starting with '^', gives no prefix; the run stops at the first
 * byte that is not plainly literal, and a literal followed by a quantifier
 * is left out. */
static uint8_t literal_prefix(const char *p, size_t n, char *out)
{
    if (n == 0 || p[0] != '^' || memchr(p, '|', n))
        return 0;
    size_t k = 1, m = 0;
    while (k < n && m < RP_LIT_MAX) {
        unsigned char c = (unsigned char)p[k];
        bool lit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '/' || c == '-' || c == '_' || c == '~' || c == '%' || c == ',' ||
                   c == ';' || c == '=' || c == '@' || c == ':' || c == '!' || c == '&' ||
                   c == '\'' || c == '"' || c == '<' || c == '>';
        if (!lit)
            break;
        out[m++] = (char)c;
        k++;
    }
    if (m && k < n && (p[k] == '*' || p[k] == '+' || p[k] == '?' || p[k] == '{'))
        m--;
    return (uint8_t)m;
}

/* Build-time allocations go through the caller's rp_allocator; PCRE2 does
 * not pass sizes to free, so each block carries its size in a header. */
typedef union hdr {
    size_t      n;
    max_align_t align;
} hdr;

static void *build_malloc(size_t n, void *ud)
{
    const rp_allocator *a = ud;
    if (n > SIZE_MAX - sizeof(hdr))
        return NULL;
    hdr *h = rp__malloc(a, n + sizeof(hdr));
    if (!h)
        return NULL;
    h->n = n + sizeof(hdr);
    return h + 1;
}

static void build_free(void *p, void *ud)
{
    if (!p)
        return;
    hdr *h = (hdr *)p - 1;
    rp__free((const rp_allocator *)ud, h, h->n);
}

bool rp__regex_available(void)
{
    return true;
}

rp_status rp__regex_compile(const rp_allocator *a, const char *pat, size_t len, bool jit,
                            rp_regex **out, rp_diag *diag)
{
    *out = NULL;
    pcre2_general_context *g = pcre2_general_context_create(build_malloc, build_free, (void *)a);
    if (!g)
        return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
    pcre2_compile_context *cc = pcre2_compile_context_create(g);
    if (!cc) {
        pcre2_general_context_free(g);
        return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
    }
    int err = 0;
    PCRE2_SIZE erroff = 0;
    /* Apache compiles with AP_REG_DOTALL | AP_REG_DOLLAR_ENDONLY by default. */
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY,
                                     &err, &erroff, cc);
    pcre2_compile_context_free(cc);
    pcre2_general_context_free(g);
    if (!code) {
        if (err == PCRE2_ERROR_NOMEMORY || err == PCRE2_ERROR_HEAPLIMIT || err == PCRE2_ERROR_HEAP_FAILED)
            return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
        PCRE2_UCHAR msg[120];
        if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
            strcpy((char *)msg, "unknown error");
        if (diag)
            diag->offset = erroff;
        return rp__diag_set(diag, RP_E_CONFIG,
                            "Regular expression could not be compiled. (%s at offset %zu)",
                            (const char *)msg, (size_t)erroff);
    }
    rp_regex *re = rp__malloc(a, sizeof *re);
    if (!re) {
        pcre2_code_free(code);
        return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
    }
    re->code = code;
    re->jit = false;
    re->litn = literal_prefix(pat, len, re->lit);
    if (jit) {
        int rc = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
        if (rc == PCRE2_ERROR_NOMEMORY) {
            rp__regex_free(a, re);
            return rp__diag_set(diag, RP_E_NOMEM, "out of memory");
        }
        re->jit = rc == 0; /* no JIT on this platform: the interpreter runs it */
    }
    *out = re;
    return RP_OK;
}

unsigned rp__regex_groups(const rp_regex *re)
{
    uint32_t n = 0;
    if (pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &n) != 0)
        return 0;
    return (unsigned)n;
}

void rp__regex_free(const rp_allocator *a, rp_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    rp__free(a, re, sizeof *re);
}

/* ---- the per-call arena ---- */
typedef struct arena {
    unsigned char *base;
    size_t         cap, used;
} arena;

static void *arena_malloc(size_t n, void *ud)
{
    arena *ar = ud;
    size_t al = (ar->used + 15u) & ~(size_t)15u;
    if (al > ar->cap || n > ar->cap - al)
        return NULL;
    ar->used = al + n;
    return ar->base + al;
}

static void arena_free(void *p, void *ud)
{
    (void)p;
    (void)ud;
}

static rp_status run(const rp_regex *re, const char *s, size_t len, size_t *ov,
                     unsigned *ngroups, unsigned char *mem, size_t memsize)
{
    arena ar = {mem, memsize, 0};
    pcre2_general_context *g = pcre2_general_context_create(arena_malloc, arena_free, &ar);
    pcre2_match_context *mc = g ? pcre2_match_context_create(g) : NULL;
    pcre2_match_data *md = mc ? pcre2_match_data_create(RP_MAX_CAPTURES, g) : NULL;
    if (!md)
        return RP_E_INTERNAL; /* the arena is sized for these three */
    pcre2_set_match_limit(mc, RP_MATCH_LIMIT);
    pcre2_set_depth_limit(mc, RP_DEPTH_LIMIT);
    pcre2_set_heap_limit(mc, RP_HEAP_LIMIT_KIB);
    int rc = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, mc)
                     : pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, mc);
    if (rc == PCRE2_ERROR_NOMATCH)
        return RP_NO_MATCH;
    if (rc < 0)
        return RP_E_LIMIT; /* limits, memory, anything else: fail closed */
    uint32_t pairs = pcre2_get_ovector_count(md);
    PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
    if (pairs > RP_MAX_CAPTURES)
        pairs = RP_MAX_CAPTURES;
    for (uint32_t k = 0; k < RP_MAX_CAPTURES; k++) {
        bool set = k < pairs && (rc == 0 || k < (uint32_t)rc) && v[2 * k] != PCRE2_UNSET;
        ov[2 * k] = set ? v[2 * k] : SIZE_MAX;
        ov[2 * k + 1] = set ? v[2 * k + 1] : SIZE_MAX;
    }
    *ngroups = pairs;
    return RP_OK;
}

static __attribute__((noinline)) rp_status run_interp(const rp_regex *re, const char *s,
                                                      size_t len, size_t *ov, unsigned *ngroups)
{
    /* the interpreter keeps its backtracking frames in match data */
    _Alignas(16) unsigned char mem[(RP_HEAP_LIMIT_KIB + 8u) * 1024u];
    return run(re, s, len, ov, ngroups, mem, sizeof mem);
}

rp_status rp__regex_match(const rp_regex *re, const char *s, size_t len,
                          size_t ov[2 * RP_MAX_CAPTURES], unsigned *ngroups)
{
    if (len < re->litn || memcmp(s, re->lit, re->litn) != 0)
        return RP_NO_MATCH;
    if (!re->jit)
        return run_interp(re, s, len, ov, ngroups);
    _Alignas(16) unsigned char mem[2048];
    return run(re, s, len, ov, ngroups, mem, sizeof mem);
}

#else /* no PCRE2 */

bool rp__regex_available(void)
{
    return false;
}

rp_status rp__regex_compile(const rp_allocator *a, const char *pat, size_t len, bool jit,
                            rp_regex **out, rp_diag *diag)
{
    (void)a;
    (void)jit;
    (void)pat;
    (void)len;
    *out = NULL;
    return rp__diag_set(diag, RP_E_UNSUPPORTED, "regex support is not built in");
}

void rp__regex_free(const rp_allocator *a, rp_regex *re)
{
    (void)a;
    (void)re;
}

unsigned rp__regex_groups(const rp_regex *re)
{
    (void)re;
    return 0;
}

rp_status rp__regex_match(const rp_regex *re, const char *s, size_t len,
                          size_t ov[2 * RP_MAX_CAPTURES], unsigned *ngroups)
{
    (void)re;
    (void)s;
    (void)len;
    (void)ov;
    *ngroups = 0;
    return RP_E_UNSUPPORTED;
}

#endif
