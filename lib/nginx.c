/* The nginx migration loader (rp_builder_add_nginx_config, docs/nginx.md).
 *
 * Reads the proxy subset of an nginx configuration (location blocks,
 * proxy_pass, proxy_redirect, proxy_cookie_domain, proxy_cookie_path,
 * merge_slashes), bare or inside http { server { ... } }, and translates it
 * into Apache-profile rules whose first-match order reproduces nginx's
 * location choice:
 *
 *   1. exact locations           "= /x"   -> ^\/x$
 *   2. automatic 301 of "/x/"    (no location named "/x") -> exclusion ^\/x$
 *   3. "^~ /p" locations         -> ^\/p(?!rest-of-each-longer-prefix)
 *   4. regex locations, in file order
 *   5. plain prefix locations, longest first -> ^\/p
 *
 * A location without proxy_pass becomes an exclusion (RP_EXCLUDED). Every
 * rule is a regex rule, so prefixes are raw byte prefixes as in nginx.
 *
 * Tokens follow ngx_conf_read_token: white space separates words, ';' ends a
 * directive, '{' opens a block ("${" inside a word does not), '}' closes
 * one, '#' at the start of a word starts a comment, "..." and '...' quote,
 * and \" \' \\ \t \r \n are escapes (other backslashes are kept).
 *
 * One pass over the text, no recursion (an explicit bounded context stack).
 * Scratch memory comes from the builder's allocator and is freed before
 * returning; on error the caller's builder is restored. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_DEPTH 64
#define MAX_WARNINGS 1000u
#define SHOW 80

enum { C_MAIN, C_HTTP, C_SERVER, C_LOCATION, C_SKIP };
enum { L_EXACT, L_PREFIX, L_STOP, L_REGEX, L_REGEX_CI };
enum { LIST_REDIRECT, LIST_CDOMAIN, LIST_CPATH };
enum { I_DEFAULT, I_OFF, I_RULE };
#define OWNER_HTTP   (-1L)
#define OWNER_SERVER_OF(k) (-2L - (long)(k)) /* server block k (0: bare directives) */

typedef struct word {
    size_t   voff, vlen; /* value in vbuf */
    size_t   off;        /* offset in the text */
    uint32_t line, col;
} word;

typedef struct nloc {
    int      kind;
    unsigned server;             /* its server block (0: bare) */
    size_t   name_off, name_len; /* in the arena */
    uint32_t line, col;
    bool     pass;
    size_t   url_off, url_len;   /* proxy_pass URL as written */
    size_t   origin_len;         /* "scheme://authority" part of it */
    bool     uri_part;           /* a '/' or '?' after the authority */
    bool     vars;               /* captures ($1..$9) or $request_uri in the URL */
    uint32_t pline, pcol;
} nloc;

typedef struct nitem {
    long     owner; /* location index, OWNER_HTTP or OWNER_SERVER_OF(k) */
    int      list;  /* LIST_* */
    int      kind;  /* I_* */
    size_t   from_off, from_len, to_off, to_len;
    uint32_t line, col;
} nitem;

typedef struct parser {
    rp_builder *b;
    const char *t;
    size_t      n;
    size_t      pos;
    uint32_t    line;
    size_t      line_start;
    rp_diag    *diag;

    char  *vbuf; /* word values of the current directive */
    size_t vcap, vlen;
    word  *w;
    size_t nw, capw;
    uint32_t term_line, term_col; /* where the terminator was */
    size_t   term_off;

    char  *arena; /* names, URLs, rule arguments */
    size_t alen, acap;
    nloc  *locs;
    size_t nlocs, caplocs;
    nitem *items;
    size_t nitems, capitems;

    int      ctx[MAX_DEPTH];
    long     ctx_loc[MAX_DEPTH]; /* C_LOCATION: its index */
    size_t   depth;
    unsigned servers;      /* server blocks seen */
    unsigned loc_server;   /* the server whose locations are read (0: none yet) */
    uint32_t server_line, server_col; /* where the open server block starts */
    size_t   server_off;
    bool     bare;         /* a location outside any server block was seen */
    size_t   nups;         /* upstream block names */
    size_t  *ups;          /* their arena offsets */
    size_t   capups;
    size_t   nwarn;
} parser;

#define WV(P, i) ((P)->vbuf + (P)->w[i].voff)
#define WL(P, i) ((P)->w[i].vlen)
#define AS(P, off) ((P)->arena + (off))

static int shown(size_t n)
{
    return (int)(n > SHOW ? SHOW : n);
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool ieq_prefix(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n < m)
        return false;
    for (size_t i = 0; i < m; i++)
        if (rp__lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return false;
    return true;
}

/* ---- errors and warnings ------------------------------------------------- */

static rp_status vfail(parser *P, rp_status code, uint32_t line, uint32_t col, size_t off,
                       const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
static rp_status vfail(parser *P, rp_status code, uint32_t line, uint32_t col, size_t off,
                       const char *fmt, va_list ap)
{
    return rp__diag_vset_at(P->diag, code, line, col, off, fmt, ap);
}

static rp_status fail_pos(parser *P, rp_status code, uint32_t line, uint32_t col, size_t off,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static rp_status fail_pos(parser *P, rp_status code, uint32_t line, uint32_t col, size_t off,
                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_status st = vfail(P, code, line, col, off, fmt, ap);
    va_end(ap);
    return st;
}

static rp_status fail_word(parser *P, rp_status code, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static rp_status fail_word(parser *P, rp_status code, size_t i, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_status st = vfail(P, code, P->w[i].line, P->w[i].col, P->w[i].off, fmt, ap);
    va_end(ap);
    return st;
}

static rp_status oom(parser *P)
{
    return fail_pos(P, RP_E_NOMEM, P->line, 0, P->pos, "out of memory");
}

static void warn_pos(parser *P, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn_pos(parser *P, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (P->nwarn > MAX_WARNINGS)
        return;
    P->nwarn++;
    if (P->nwarn > MAX_WARNINGS) {
        rp__builder_warn(P->b, line, col,
                         "more than %u warnings: the rest of this text's warnings are not "
                         "recorded",
                         MAX_WARNINGS);
        return;
    }
    char msg[sizeof ((rp_diag *)0)->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rp__builder_warn(P->b, line, col, "%s", msg);
}

/* ---- storage -------------------------------------------------------------- */

static bool grow(parser *P, void **arr, size_t *cap, size_t need, size_t elem)
{
    return rp__grow(&P->b->a, arr, cap, need, elem) == RP_OK;
}

/* Copy n bytes into the arena; NONE on failure. */
#define NONE ((size_t)-1)
static size_t keep(parser *P, const char *p, size_t n)
{
    if (!grow(P, (void **)&P->arena, &P->acap, P->alen + n + 1, 1))
        return NONE;
    size_t at = P->alen;
    if (n)
        memcpy(P->arena + at, p, n);
    P->arena[at + n] = '\0';
    P->alen += n + 1;
    return at;
}

/* ---- tokens (ngx_conf_read_token) ------------------------------------------ */

static void advance(parser *P)
{
    if (P->t[P->pos] == '\n') {
        if (P->line < UINT32_MAX)
            P->line++;
        P->line_start = P->pos + 1;
    }
    P->pos++;
}

static uint32_t col_of(const parser *P, size_t off)
{
    size_t c = off - P->line_start + 1;
    return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static void put_value(parser *P, char c)
{
    P->vbuf[P->vlen++] = c; /* vbuf holds the whole text: never overflows */
}

static unsigned char unescape(char c, bool *kept)
{
    *kept = false;
    switch (c) {
    case '"':
    case '\'':
    case '\\':
        return (unsigned char)c;
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case 'n':
        return '\n';
    default:
        *kept = true;
        return (unsigned char)c;
    }
}

/* Read one directive: its words and the terminator (';', '{', '}', or 0 at
 * the end of the text). */
static rp_status read_directive(parser *P, int *term)
{
    P->nw = 0;
    P->vlen = 0;
    for (;;) {
        while (P->pos < P->n && is_ws((unsigned char)P->t[P->pos]))
            advance(P);
        if (P->pos >= P->n) {
            *term = 0;
            if (P->nw)
                return fail_pos(P, RP_E_CONFIG, P->line, col_of(P, P->pos), P->pos,
                                "unexpected end of file, expecting \";\" or \"}\"");
            return RP_OK;
        }
        char c = P->t[P->pos];
        if (c == '#') {
            while (P->pos < P->n && P->t[P->pos] != '\n')
                P->pos++;
            continue;
        }
        if (c == ';' || c == '{' || c == '}') {
            P->term_line = P->line;
            P->term_col = col_of(P, P->pos);
            P->term_off = P->pos;
            if (c == '}' && P->nw)
                return fail_pos(P, RP_E_CONFIG, P->term_line, P->term_col, P->pos,
                                "unexpected \"}\"");
            if (c != '}' && !P->nw)
                return fail_pos(P, RP_E_CONFIG, P->term_line, P->term_col, P->pos,
                                "unexpected \"%c\"", c);
            P->pos++;
            *term = c;
            return RP_OK;
        }
        if (!grow(P, (void **)&P->w, &P->capw, P->nw + 1, sizeof *P->w))
            return oom(P);
        word *wd = &P->w[P->nw++];
        wd->off = P->pos;
        wd->line = P->line;
        wd->col = col_of(P, P->pos);
        wd->voff = P->vlen;
        if (c == '"' || c == '\'') {
            char q = c;
            P->pos++;
            for (;;) {
                if (P->pos >= P->n)
                    return fail_pos(P, RP_E_CONFIG, wd->line, wd->col, wd->off,
                                    "unexpected end of file: the quoted string is not closed");
                char d = P->t[P->pos];
                if (d == q) {
                    P->pos++;
                    break;
                }
                if (d == '\\' && P->pos + 1 < P->n) {
                    bool kept;
                    unsigned char u = unescape(P->t[P->pos + 1], &kept);
                    if (kept)
                        put_value(P, '\\');
                    put_value(P, (char)u);
                    advance(P);
                    advance(P);
                    continue;
                }
                put_value(P, d);
                advance(P);
            }
            if (P->pos < P->n) {
                char e = P->t[P->pos];
                if (!is_ws((unsigned char)e) && e != ';' && e != '{')
                    return fail_pos(P, RP_E_CONFIG, P->line, col_of(P, P->pos), P->pos,
                                    "unexpected \"%c\" after a quoted string", e);
            }
        } else {
            bool var = false;
            while (P->pos < P->n) {
                char d = P->t[P->pos];
                if (d == '{' && var) {
                    put_value(P, d);
                    P->pos++;
                    var = false;
                    continue;
                }
                var = false;
                if (is_ws((unsigned char)d) || d == ';' || d == '{')
                    break;
                if (d == '\\' && P->pos + 1 < P->n) {
                    bool kept;
                    unsigned char u = unescape(P->t[P->pos + 1], &kept);
                    if (kept)
                        put_value(P, '\\');
                    put_value(P, (char)u);
                    advance(P);
                    advance(P);
                    continue;
                }
                if (d == '$')
                    var = true;
                put_value(P, d);
                P->pos++;
            }
        }
        wd->vlen = P->vlen - wd->voff;
    }
}

/* ---- directives ------------------------------------------------------------ */

static long cur_loc(const parser *P)
{
    return P->depth && P->ctx[P->depth - 1] == C_LOCATION ? P->ctx_loc[P->depth - 1] : -1;
}

static int cur_ctx(const parser *P)
{
    return P->depth ? P->ctx[P->depth - 1] : C_MAIN;
}

static rp_status push(parser *P, int kind, long loc)
{
    if (P->depth >= MAX_DEPTH)
        return fail_word(P, RP_E_CONFIG, 0, "blocks nested more than %d deep", MAX_DEPTH);
    P->ctx[P->depth] = kind;
    P->ctx_loc[P->depth] = loc;
    P->depth++;
    return RP_OK;
}

static bool has_var(const char *s, size_t n)
{
    return memchr(s, '$', n) != NULL;
}

/* "$uri" at s, not followed by a name byte ("$uri_x" is another variable) */
static bool is_uri_var(const char *s, size_t n)
{
    if (n < 4 || memcmp(s, "$uri", 4) != 0)
        return false;
    if (n == 4)
        return true;
    unsigned char c = (unsigned char)s[4];
    return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_');
}

static rp_status do_location(parser *P)
{
    int c = cur_ctx(P);
    if (c == C_LOCATION) {
        const nloc *outer = &P->locs[cur_loc(P)];
        if (outer->kind == L_EXACT)
            return fail_word(P, RP_E_CONFIG, 0,
                             "location \"%.*s\" cannot be inside the exact location \"%.*s\"",
                             shown(WL(P, P->nw - 1)), WV(P, P->nw - 1),
                             shown(outer->name_len), AS(P, outer->name_off));
        return fail_word(P, RP_E_UNSUPPORTED, 0,
                         "nested locations are not supported: write the inner location at the "
                         "server level");
    }
    if (c == C_SERVER || c == C_MAIN) {
        if (c == C_MAIN) {
            if (P->servers)
                return fail_word(P, RP_E_UNSUPPORTED, 0,
                                 "a location outside the server block: load each server into "
                                 "its own table");
            P->bare = true;
        } else if (P->loc_server != P->servers) {
            if (P->loc_server)
                return fail_pos(P, RP_E_UNSUPPORTED, P->server_line, P->server_col,
                                P->server_off,
                                "more than one server with locations: load each server block "
                                "into its own table");
            P->loc_server = P->servers;
        }
    } else {
        return fail_word(P, RP_E_CONFIG, 0, "\"location\" directive is not allowed here");
    }
    if (P->nw < 2 || P->nw > 3)
        return fail_word(P, RP_E_CONFIG, 0, "invalid number of arguments in \"location\" directive");
    const char *name = WV(P, 1);
    size_t nl = WL(P, 1);
    size_t ni = 1;
    int kind = L_PREFIX;
    if (P->nw == 3) {
        ni = 2;
        if (eq(name, nl, "="))
            kind = L_EXACT;
        else if (eq(name, nl, "^~"))
            kind = L_STOP;
        else if (eq(name, nl, "~"))
            kind = L_REGEX;
        else if (eq(name, nl, "~*"))
            kind = L_REGEX_CI;
        else
            return fail_word(P, RP_E_CONFIG, 1, "invalid location modifier \"%.*s\"",
                             shown(nl), name);
        name = WV(P, 2);
        nl = WL(P, 2);
    } else if (nl && name[0] == '=') {
        kind = L_EXACT;
        name++;
        nl--;
    } else if (nl > 1 && name[0] == '^' && name[1] == '~') {
        kind = L_STOP;
        name += 2;
        nl -= 2;
    } else if (nl > 1 && name[0] == '~' && name[1] == '*') {
        kind = L_REGEX_CI;
        name += 2;
        nl -= 2;
    } else if (nl && name[0] == '~') {
        kind = L_REGEX;
        name++;
        nl--;
    } else if (nl && name[0] == '@') {
        warn_pos(P, P->w[0].line, P->w[0].col,
                 "named location \"%.*s\" is skipped: it is reached only through error_page, "
                 "try_files or X-Accel-Redirect",
                 shown(nl), name);
        return push(P, C_SKIP, -1);
    }
    if (nl == 0)
        return fail_word(P, RP_E_CONFIG, ni, "empty location name");
    if (kind != L_REGEX && kind != L_REGEX_CI) {
        for (size_t i = 0; i < P->nlocs; i++) {
            const nloc *o = &P->locs[i];
            bool oreg = o->kind == L_REGEX || o->kind == L_REGEX_CI;
            if (!oreg && (o->kind == L_EXACT) == (kind == L_EXACT) && o->name_len == nl &&
                memcmp(AS(P, o->name_off), name, nl) == 0)
                return fail_word(P, RP_E_CONFIG, ni, "duplicate location \"%.*s\" (line %u)",
                                 shown(nl), name, (unsigned)o->line);
        }
    }
    if (!grow(P, (void **)&P->locs, &P->caplocs, P->nlocs + 1, sizeof *P->locs))
        return oom(P);
    size_t at = keep(P, name, nl);
    if (at == NONE)
        return oom(P);
    nloc *L = &P->locs[P->nlocs];
    memset(L, 0, sizeof *L);
    L->kind = kind;
    L->server = P->servers;
    L->name_off = at;
    L->name_len = nl;
    L->line = P->w[0].line;
    L->col = P->w[0].col;
    P->nlocs++;
    return push(P, C_LOCATION, (long)P->nlocs - 1);
}

static rp_status do_proxy_pass(parser *P)
{
    long li = cur_loc(P);
    if (li < 0)
        return fail_word(P, RP_E_CONFIG, 0, "\"proxy_pass\" directive is not allowed here");
    nloc *L = &P->locs[li];
    if (P->nw != 2)
        return fail_word(P, RP_E_CONFIG, 0,
                         "invalid number of arguments in \"proxy_pass\" directive");
    if (L->pass)
        return fail_word(P, RP_E_CONFIG, 0, "\"proxy_pass\" directive is duplicate");
    const char *u = WV(P, 1);
    size_t n = WL(P, 1);
    size_t hs;
    if (ieq_prefix(u, n, "http://"))
        hs = 7;
    else if (ieq_prefix(u, n, "https://"))
        hs = 8;
    else if (ieq_prefix(u, n, "unix:"))
        return fail_word(P, RP_E_UNSUPPORTED, 1,
                         "proxy_pass to a unix: socket cannot be expressed (backend URLs are "
                         "http:// or https://)");
    else
        return fail_word(P, RP_E_CONFIG, 1, "invalid URL prefix in \"%.*s\"", shown(n), u);
    size_t he = hs;
    while (he < n && u[he] != '/' && u[he] != '?' && u[he] != '$')
        he++;
    if (he == hs && he < n && u[he] == '$')
        return fail_word(P, RP_E_UNSUPPORTED, 1,
                         "variables in the proxy_pass host cannot be expressed (the request "
                         "would choose the backend)");
    if (he == hs || has_var(u + hs, he - hs) || (he - hs == 1 && u[hs] == ':'))
        return fail_word(P, has_var(u, he) ? RP_E_UNSUPPORTED : RP_E_CONFIG, 1,
                         has_var(u, he) ? "variables in the proxy_pass host cannot be expressed"
                                        : "no host in upstream \"%.*s\"",
                         shown(he - hs), u + hs);
    if (memchr(u + hs, '@', he - hs))
        return fail_word(P, RP_E_CONFIG, 1, "host not found in upstream \"%.*s\"",
                         shown(he - hs), u + hs);
    bool regex = L->kind == L_REGEX || L->kind == L_REGEX_CI;
    bool vars = has_var(u + he, n - he);
    if (vars) {
        /* Supported: $1..$9 (regex locations), $request_uri as the whole URI
         * part, and $is_args$args at the end. */
        const char *r = u + he;
        size_t rn = n - he;
        bool request_uri = eq(r, rn, "$request_uri");
        for (size_t i = 0; i < rn && !request_uri; i++) {
            if (r[i] != '$')
                continue;
            if (i + 1 < rn && r[i + 1] >= '1' && r[i + 1] <= '9' && regex) {
                i++;
                continue;
            }
            if (!regex && is_uri_var(r + i, rn - i)) {
                i += 3;
                continue;
            }
            if (rn - i == 13 && memcmp(r + i, "$is_args$args", 13) == 0)
                break;
            return fail_pos(P, RP_E_UNSUPPORTED, P->w[1].line,
                            P->w[1].col + (uint32_t)(he + i), P->w[1].off + he + i,
                            "variables in proxy_pass cannot be expressed (only $1..$9 in a "
                            "regex location, $uri in other locations, $request_uri, and a "
                            "final $is_args$args)");
        }
    } else if (he < n && u[he] == '?') {
        return fail_word(P, RP_E_UNSUPPORTED, 1,
                         "a proxy_pass URI part that is only a query cannot be expressed");
    } else if (regex && he < n) {
        return fail_word(P, RP_E_CONFIG, 1,
                         "\"proxy_pass\" cannot have URI part in location given by regular "
                         "expression, or inside named location, or inside \"if\" statement, "
                         "or inside \"limit_except\" block");
    }
    size_t at = keep(P, u, n);
    if (at == NONE)
        return oom(P);
    L = &P->locs[li];
    L->pass = true;
    L->url_off = at;
    L->url_len = n;
    L->origin_len = he;
    L->uri_part = he < n;
    L->vars = vars;
    L->pline = P->w[0].line;
    L->pcol = P->w[0].col;
    return RP_OK;
}

static bool list_has(const parser *P, long owner, int list)
{
    for (size_t i = 0; i < P->nitems; i++)
        if (P->items[i].owner == owner && P->items[i].list == list)
            return true;
    return false;
}

static rp_status add_item(parser *P, int list, int kind, size_t from, size_t to)
{
    long owner = cur_loc(P);
    int c = cur_ctx(P);
    if (owner < 0)
        owner = c == C_HTTP ? OWNER_HTTP : OWNER_SERVER_OF(P->servers);
    if (!grow(P, (void **)&P->items, &P->capitems, P->nitems + 1, sizeof *P->items))
        return oom(P);
    nitem it;
    memset(&it, 0, sizeof it);
    it.owner = owner;
    it.list = list;
    it.kind = kind;
    it.line = P->w[0].line;
    it.col = P->w[0].col;
    if (kind == I_RULE) {
        it.from_off = keep(P, WV(P, from), WL(P, from));
        it.from_len = WL(P, from);
        it.to_off = keep(P, WV(P, to), WL(P, to));
        it.to_len = WL(P, to);
        if (it.from_off == NONE || it.to_off == NONE)
            return oom(P);
    }
    P->items[P->nitems++] = it;
    return RP_OK;
}

static rp_status do_rewrite_rule(parser *P, int list, const char *dname)
{
    int c = cur_ctx(P);
    if (c != C_LOCATION && c != C_SERVER && c != C_HTTP && c != C_MAIN)
        return fail_word(P, RP_E_CONFIG, 0, "\"%s\" directive is not allowed here", dname);
    if (P->nw == 2 && eq(WV(P, 1), WL(P, 1), "off"))
        return add_item(P, list, I_OFF, 0, 0);
    if (list == LIST_REDIRECT && P->nw == 2 && eq(WV(P, 1), WL(P, 1), "default")) {
        long li = cur_loc(P);
        if (li >= 0 && P->locs[li].pass && P->locs[li].vars)
            return fail_word(P, RP_E_CONFIG, 0,
                             "\"proxy_redirect default\" cannot be used with \"proxy_pass\" "
                             "directive with variables");
        return add_item(P, list, I_DEFAULT, 0, 0);
    }
    if (P->nw == 2)
        return fail_word(P, RP_E_CONFIG, 1, "invalid parameter \"%.*s\"", shown(WL(P, 1)),
                         WV(P, 1));
    if (P->nw != 3)
        return fail_word(P, RP_E_CONFIG, 0, "invalid number of arguments in \"%s\" directive",
                         dname);
    const char *f = WV(P, 1);
    size_t fl = WL(P, 1);
    if (fl && f[0] == '~') {
        warn_pos(P, P->w[0].line, P->w[0].col,
                 "unsupported: %s with a regular expression (\"%.*s\") cannot be expressed; "
                 "this rule is skipped",
                 dname, shown(fl), f);
        return RP_OK;
    }
    if (has_var(f, fl) || has_var(WV(P, 2), WL(P, 2))) {
        warn_pos(P, P->w[0].line, P->w[0].col,
                 "unsupported: %s with variables cannot be expressed; this rule is skipped",
                 dname);
        return RP_OK;
    }
    if (fl == 0 || WL(P, 2) == 0)
        return fail_word(P, RP_E_CONFIG, fl == 0 ? 1 : 2, "empty argument in \"%s\"", dname);
    return add_item(P, list, I_RULE, 1, 2);
}

static rp_status do_merge_slashes(parser *P)
{
    int c = cur_ctx(P);
    if (c == C_LOCATION)
        return fail_word(P, RP_E_CONFIG, 0, "\"merge_slashes\" directive is not allowed here");
    if (P->nw != 2)
        return fail_word(P, RP_E_CONFIG, 0,
                         "invalid number of arguments in \"merge_slashes\" directive");
    unsigned v;
    if (eq(WV(P, 1), WL(P, 1), "on"))
        v = 1;
    else if (eq(WV(P, 1), WL(P, 1), "off"))
        v = 0;
    else
        return fail_word(P, RP_E_CONFIG, 1,
                         "invalid value \"%.*s\" in \"merge_slashes\" directive, it must be "
                         "\"on\" or \"off\"",
                         shown(WL(P, 1)), WV(P, 1));
    P->b->cur_line = P->w[0].line;
    P->b->cur_column = P->w[0].col;
    rp_status st = rp_builder_set_option(P->b, RP_OPT_MERGE_SLASHES, v);
    if (st != RP_OK)
        return fail_word(P, st, 0, "merge_slashes: %s", rp_strerror(st));
    return RP_OK;
}

static rp_status do_block(parser *P)
{
    const char *n = WV(P, 0);
    size_t nl = WL(P, 0);
    int c = cur_ctx(P);
    if (c == C_SKIP)
        return push(P, C_SKIP, -1);
    if (eq(n, nl, "location"))
        return do_location(P);
    if (eq(n, nl, "http") && c == C_MAIN && P->nw == 1)
        return push(P, C_HTTP, -1);
    if (eq(n, nl, "server") && (c == C_HTTP || c == C_MAIN) && P->nw == 1) {
        if (P->bare)
            return fail_word(P, RP_E_UNSUPPORTED, 0,
                             "a server block after locations outside any server: load each "
                             "server into its own table");
        P->servers++;
        P->server_line = P->w[0].line;
        P->server_col = P->w[0].col;
        P->server_off = P->w[0].off;
        return push(P, C_SERVER, -1);
    }
    if (eq(n, nl, "upstream") && c != C_HTTP && c != C_MAIN)
        return fail_word(P, RP_E_CONFIG, 0, "\"upstream\" directive is not allowed here");
    if (eq(n, nl, "upstream") && P->nw == 2) {
        size_t at = keep(P, WV(P, 1), WL(P, 1));
        if (at == NONE || !grow(P, (void **)&P->ups, &P->capups, P->nups + 1, sizeof *P->ups))
            return oom(P);
        P->ups[P->nups++] = at;
    }
    if (eq(n, nl, "limit_except") || eq(n, nl, "if")) {
        warn_pos(P, P->w[0].line, P->w[0].col,
                 "unsupported: the \"%.*s\" block is skipped with everything in it", shown(nl),
                 n);
        return push(P, C_SKIP, -1);
    }
    warn_pos(P, P->w[0].line, P->w[0].col, "block \"%.*s\" skipped (not a proxy directive)",
             shown(nl), n);
    return push(P, C_SKIP, -1);
}

static rp_status do_simple(parser *P)
{
    const char *n = WV(P, 0);
    size_t nl = WL(P, 0);
    int c = cur_ctx(P);
    if (c == C_SKIP)
        return RP_OK;
    if (eq(n, nl, "proxy_pass"))
        return do_proxy_pass(P);
    if (eq(n, nl, "proxy_redirect"))
        return do_rewrite_rule(P, LIST_REDIRECT, "proxy_redirect");
    if (eq(n, nl, "proxy_cookie_domain"))
        return do_rewrite_rule(P, LIST_CDOMAIN, "proxy_cookie_domain");
    if (eq(n, nl, "proxy_cookie_path"))
        return do_rewrite_rule(P, LIST_CPATH, "proxy_cookie_path");
    if (eq(n, nl, "merge_slashes"))
        return do_merge_slashes(P);
    if (eq(n, nl, "location") || eq(n, nl, "server") || eq(n, nl, "http"))
        return fail_word(P, RP_E_CONFIG, 0, "directive \"%.*s\" has no opening \"{\"",
                         shown(nl), n);
    if (eq(n, nl, "rewrite") || eq(n, nl, "return") || eq(n, nl, "try_files") ||
        eq(n, nl, "error_page") || eq(n, nl, "alias") || eq(n, nl, "root"))
        warn_pos(P, P->w[0].line, P->w[0].col,
                 "unsupported: \"%.*s\" skipped; the mapping may differ from nginx's", shown(nl),
                 n);
    else
        warn_pos(P, P->w[0].line, P->w[0].col, "directive \"%.*s\" skipped (not translated)",
                 shown(nl), n);
    return RP_OK;
}

static rp_status parse(parser *P)
{
    for (;;) {
        int term = 0;
        rp_status st = read_directive(P, &term);
        if (st != RP_OK)
            return st;
        if (term == 0) {
            if (P->depth)
                return fail_pos(P, RP_E_CONFIG, P->line, col_of(P, P->pos), P->pos,
                                "unexpected end of file, expecting \"}\"");
            return RP_OK;
        }
        if (term == '}') {
            if (!P->depth)
                return fail_pos(P, RP_E_CONFIG, P->term_line, P->term_col, P->term_off,
                                "unexpected \"}\"");
            P->depth--;
            continue;
        }
        st = term == '{' ? do_block(P) : do_simple(P);
        if (st != RP_OK)
            return st;
    }
}

/* ---- translation ------------------------------------------------------------ */

typedef struct sbuf {
    char  *p;
    size_t n, cap;
    bool   bad;
} sbuf;

static void sb_put(parser *P, sbuf *s, const char *p, size_t n)
{
    if (s->bad)
        return;
    if (!grow(P, (void **)&s->p, &s->cap, s->n + n + 1, 1)) {
        s->bad = true;
        return;
    }
    if (n)
        memcpy(s->p + s->n, p, n);
    s->n += n;
    s->p[s->n] = '\0';
}

static void sb_str(parser *P, sbuf *s, const char *lit)
{
    sb_put(P, s, lit, strlen(lit));
}

/* A literal for PCRE2: letters and digits as they are, other printable
 * ASCII behind a backslash, everything else as \x{HH} (a byte: no UTF mode). */
static void sb_lit(parser *P, sbuf *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        char tmp[8];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            sb_put(P, s, (const char *)&p[i], 1);
        } else if (c > 0x20 && c < 0x7f) {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            sb_put(P, s, tmp, 2);
        } else {
            snprintf(tmp, sizeof tmp, "\\x{%02X}", c);
            sb_put(P, s, tmp, strlen(tmp));
        }
    }
}

/* Template text: '&', '$' and '\' are escaped (ap_pregsub). */
static void sb_tmpl(parser *P, sbuf *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '&' || p[i] == '$' || p[i] == '\\')
            sb_put(P, s, "\\", 1);
        sb_put(P, s, p + i, 1);
    }
}

/* Template text with nginx captures: "$N" stays, "$uri" is "/" + group 1
 * (the path after its first '/', see emit_forward: a "$1" right after the
 * authority would be refused), '&' and '\' are escaped. */
static void sb_vars(parser *P, sbuf *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (is_uri_var(p + i, n - i)) {
            sb_put(P, s, "/$1", 3);
            i += 3;
            continue;
        }
        if (p[i] == '&' || p[i] == '\\')
            sb_put(P, s, "\\", 1);
        sb_put(P, s, p + i, 1);
    }
}

static bool is_regex(const nloc *L)
{
    return L->kind == L_REGEX || L->kind == L_REGEX_CI;
}

/* A builder call failed: report it at the location (or its proxy_pass). */
static rp_status translate_fail(parser *P, const nloc *L, rp_status st, const rp_diag *bd,
                                bool at_pass)
{
    if (st == RP_E_NOMEM)
        return fail_pos(P, st, L->line, L->col, 0, "out of memory");
    uint32_t line = at_pass ? L->pline : L->line, col = at_pass ? L->pcol : L->col;
    return fail_pos(P, st == RP_E_UNSUPPORTED || st == RP_E_TOO_LONG ? st : RP_E_CONFIG, line,
                    col, 0,
                    "location \"%.*s\": %s", shown(L->name_len), AS(P, L->name_off),
                    bd->message[0] ? bd->message : rp_strerror(st));
}

static bool as_prefix_rule(const parser *P, const nloc *L);

/* Emit the forward rule of location L. exact_slash: the automatic-301
 * exclusion for "/x/" (pattern ^/x$). */
static rp_status emit_forward(parser *P, size_t li, bool auto301)
{
    const nloc *L = &P->locs[li];
    const char *name = AS(P, L->name_off);
    size_t nl = L->name_len;
    sbuf re = {0}, url = {0};
    unsigned flags = 0;
    bool pass = L->pass && !auto301;

    if (is_regex(L)) {
        /* nginx compiles without PCRE2_DOTALL: '.' does not match LF */
        sb_str(P, &re, L->kind == L_REGEX_CI ? "(?i-s)" : "(?-s)");
        sb_put(P, &re, name, nl);
    } else {
        sb_str(P, &re, "^");
        if (pass && L->vars && !auto301) {
            /* $uri: "/" + group 1 is the whole (normalized) path */
            const char *r = AS(P, L->url_off) + L->origin_len;
            size_t rn = L->url_len - L->origin_len;
            for (size_t i = 0; i < rn; i++)
                if (is_uri_var(r + i, rn - i)) {
                    sb_str(P, &re, "(?=\\/(.*))");
                    break;
                }
        }
        sb_lit(P, &re, name, auto301 ? nl - 1 : nl);
        if (L->kind == L_STOP && !auto301) {
            /* "^~" wins only as the longest matching prefix */
            bool any = false;
            for (size_t k = 0; k < P->nlocs; k++) {
                const nloc *o = &P->locs[k];
                if ((o->kind != L_PREFIX && o->kind != L_STOP) || o->name_len <= nl ||
                    memcmp(AS(P, o->name_off), name, nl) != 0)
                    continue;
                sb_str(P, &re, any ? "|" : "(?!");
                sb_lit(P, &re, AS(P, o->name_off) + nl, o->name_len - nl);
                any = true;
            }
            if (any)
                sb_str(P, &re, ")");
        }
        if (L->kind == L_EXACT || auto301)
            sb_str(P, &re, pass && L->uri_part ? "()$" : "$");
        else if (pass && L->uri_part)
            sb_str(P, &re, "(.*)");
    }

    if (!pass) {
        flags = RP_RULE_EXCLUDE;
    } else {
        const char *u = AS(P, L->url_off);
        sb_put(P, &url, u, L->origin_len);
        const char *r = u + L->origin_len;
        size_t rn = L->url_len - L->origin_len;
        if (L->vars && eq(r, rn, "$request_uri")) {
            flags = RP_RULE_NOCANON; /* the raw request-target */
        } else if (L->vars) {
            if (rn >= 13 && memcmp(r + rn - 13, "$is_args$args", 13) == 0)
                rn -= 13; /* the engine appends the query */
            else
                warn_pos(P, L->pline, L->pcol,
                         "location \"%.*s\": nginx drops the query when proxy_pass has "
                         "variables; here the query is appended",
                         shown(nl), name);
            sb_vars(P, &url, r, rn); /* $1..$9 are the regex's groups */
            warn_pos(P, L->pline, L->pcol,
                     "location \"%.*s\": captures and $uri are re-encoded here; nginx "
                     "sends them decoded",
                     shown(nl), name);
        } else if (L->uri_part) {
            if (memchr(r, '?', rn))
                warn_pos(P, L->pline, L->pcol,
                         "unsupported: location \"%.*s\": the query in the proxy_pass URI part "
                         "is sent encoded (%%3F), not as a query",
                         shown(nl), name);
            sb_tmpl(P, &url, r, rn);
            sb_str(P, &url, "$1");
        } else {
            flags = RP_RULE_NOCANON; /* no URI part: the request-target as sent */
        }
    }
    if (pass) {
        /* "proxy_pass http://NAME" naming an upstream block */
        const char *u = AS(P, L->url_off);
        size_t hs = u[4] == 's' || u[4] == 'S' ? 8 : 7;
        for (size_t k = 0; k < P->nups; k++) {
            const char *un = AS(P, P->ups[k]);
            size_t ul = strlen(un);
            if (L->origin_len - hs == ul && memcmp(u + hs, un, ul) == 0)
                warn_pos(P, L->pline, L->pcol,
                         "proxy_pass names the upstream \"%.*s\": the table uses it as the "
                         "backend host name; choosing a server of the upstream is the "
                         "caller's job",
                         shown(ul), un);
        }
    }
    rp_status st = RP_OK;
    if (re.bad || url.bad) {
        st = oom(P);
    } else {
        rp_diag bd;
        memset(&bd, 0, sizeof bd);
        P->b->cur_line = L->line;
        P->b->cur_column = L->col;
        if (!auto301 && as_prefix_rule(P, L))
            st = rp_builder_add_pass(P->b, name, nl, AS(P, L->url_off), L->url_len, 0, &bd);
        else
            st = rp_builder_add_pass_match(P->b, re.p, re.n, pass ? url.p : NULL,
                                           pass ? url.n : 0, flags, &bd);
        if (st != RP_OK)
            st = translate_fail(P, L, st, &bd, pass && strstr(bd.message, "URL") != NULL);
    }
    rp__free(&P->b->a, re.p, re.cap);
    rp__free(&P->b->a, url.p, url.cap);
    return st;
}

/* A plain prefix location "/p/" with a URI part can be an indexed ProxyPass
 * rule: Apache's alias_match on an alias ending in '/' is then a raw byte
 * prefix of the merged path, and the output (backend path + remainder, both
 * re-encoded) is what the regex form gives. Not with merge_slashes off (an
 * alias '/' matches a run of '/'), nor for names with "//", nor for URI parts
 * with a query or variables. */
static bool as_prefix_rule(const parser *P, const nloc *L)
{
    const char *name = AS(P, L->name_off);
    size_t nl = L->name_len;
    if (L->kind != L_PREFIX || !L->pass || !L->uri_part || L->vars || !P->b->merge_slashes ||
        nl == 0 || name[0] != '/' || name[nl - 1] != '/')
        return false;
    for (size_t i = 0; i + 1 < nl; i++)
        if (name[i] == '/' && name[i + 1] == '/')
            return false;
    const char *u = AS(P, L->url_off) + L->origin_len;
    return memchr(u, '?', L->url_len - L->origin_len) == NULL;
}

/* The location needs nginx's automatic 301 ("/x" for a proxying "/x/")? */
static bool needs_auto301(const parser *P, size_t li)
{
    const nloc *L = &P->locs[li];
    if ((L->kind != L_PREFIX && L->kind != L_STOP) || !L->pass || L->name_len < 2 ||
        AS(P, L->name_off)[L->name_len - 1] != '/')
        return false;
    for (size_t k = 0; k < P->nlocs; k++) {
        const nloc *o = &P->locs[k];
        if (!is_regex(o) && o->name_len == L->name_len - 1 &&
            memcmp(AS(P, o->name_off), AS(P, L->name_off), o->name_len) == 0)
            return false;
    }
    return true;
}

/* All automatic-301 paths as one exclusion, ^(?:\/a|\/b)$, so that a
 * request costs one regex match for them however many locations there are. */
static rp_status emit_auto301(parser *P)
{
    sbuf re = {0};
    const nloc *first = NULL;
    for (size_t j = 0; j < P->nlocs; j++) {
        if (!needs_auto301(P, j))
            continue;
        const nloc *L = &P->locs[j];
        sb_str(P, &re, first ? "|" : "^(?:");
        sb_lit(P, &re, AS(P, L->name_off), L->name_len - 1);
        if (!first)
            first = L;
    }
    if (!first)
        return RP_OK;
    sb_str(P, &re, ")$");
    rp_status st;
    if (re.bad) {
        st = oom(P);
    } else {
        rp_diag bd;
        memset(&bd, 0, sizeof bd);
        P->b->cur_line = first->line;
        P->b->cur_column = first->col;
        st = rp_builder_add_pass_match(P->b, re.p, re.n, NULL, 0, RP_RULE_EXCLUDE, &bd);
        if (st != RP_OK)
            st = translate_fail(P, first, st, &bd, false);
    }
    rp__free(&P->b->a, re.p, re.cap);
    return st;
}

/* The rules of list for location li: its own, else the server's, else the
 * http block's. Returns the owner whose items apply, or 0 with *none. */
static long effective_owner(const parser *P, size_t li, int list)
{
    if (list_has(P, (long)li, list))
        return (long)li;
    if (list_has(P, OWNER_SERVER_OF(P->locs[li].server), list))
        return OWNER_SERVER_OF(P->locs[li].server);
    if (list_has(P, OWNER_HTTP, list))
        return OWNER_HTTP;
    return LONG_MIN;
}

static rp_status emit_reverse(parser *P, size_t li, bool scoped, bool warn_unscoped)
{
    const nloc *L = &P->locs[li];
    const char *name = AS(P, L->name_off);
    const char *scope = scoped ? name : NULL;
    size_t scope_len = scoped ? L->name_len : 0;
    for (int list = LIST_REDIRECT; list <= LIST_CPATH; list++) {
        long owner = effective_owner(P, li, list);
        bool off = false;
        if (owner != LONG_MIN)
            for (size_t i = 0; i < P->nitems; i++)
                if (P->items[i].owner == owner && P->items[i].list == list &&
                    P->items[i].kind == I_OFF)
                    off = true;
        if (off)
            continue;
        /* no directive anywhere: proxy_redirect default (it == NULL below) */
        bool implicit = owner == LONG_MIN;
        if (implicit && list != LIST_REDIRECT)
            continue;
        for (size_t i = 0; implicit ? i < 1 : i < P->nitems; i++) {
            const nitem *it = implicit ? NULL : &P->items[i];
            if (it && (it->owner != owner || it->list != list))
                continue;
            if ((!it || it->kind == I_DEFAULT) && L->vars)
                continue;
            if (warn_unscoped) {
                warn_unscoped = false;
                warn_pos(P, L->line, L->col,
                         "location \"%.*s\": reverse and cookie rules of a regex location "
                         "cannot be scoped to it; they apply to every response",
                         shown(L->name_len), name);
            }
            rp_diag bd;
            memset(&bd, 0, sizeof bd);
            rp_status st;
            uint32_t line = it ? it->line : L->pline, col = it ? it->col : L->pcol;
            P->b->cur_line = line;
            P->b->cur_column = col;
            if (!it || it->kind == I_DEFAULT) {
                /* proxy_redirect default: pattern = the URL as written (+ "/"
                 * without a URI part), replacement = the location name ("/"
                 * without a URI part); none with variables (skipped above) */
                const char *u = AS(P, L->url_off);
                sbuf pat = {0};
                sb_put(P, &pat, u, L->url_len);
                if (!L->uri_part)
                    sb_str(P, &pat, "/");
                if (pat.bad) {
                    rp__free(&P->b->a, pat.p, pat.cap);
                    return oom(P);
                }
                const char *rep = L->uri_part ? name : "/";
                size_t rl = L->uri_part ? L->name_len : 1;
                st = rp_builder_add_reverse(P->b, rep, rl, pat.p, pat.n, scope, scope_len, &bd);
                rp__free(&P->b->a, pat.p, pat.cap);
            } else if (list == LIST_REDIRECT) {
                st = rp_builder_add_reverse(P->b, AS(P, it->to_off), it->to_len,
                                            AS(P, it->from_off), it->from_len, scope,
                                            scope_len, &bd);
            } else if (list == LIST_CDOMAIN) {
                const char *f = AS(P, it->from_off), *t = AS(P, it->to_off);
                size_t fl = it->from_len, tl = it->to_len;
                if (fl > 1 && f[0] == '.') {
                    f++;
                    fl--;
                }
                if (tl > 1 && t[0] == '.') {
                    t++;
                    tl--;
                }
                st = rp_builder_add_cookie_domain(P->b, f, fl, t, tl, scope, scope_len, 0, &bd);
                if (st == RP_OK) {
                    /* nginx ignores one leading dot and keeps it */
                    sbuf df = {0}, dt = {0};
                    sb_str(P, &df, ".");
                    sb_put(P, &df, f, fl);
                    sb_str(P, &dt, ".");
                    sb_put(P, &dt, t, tl);
                    st = df.bad || dt.bad ? RP_E_NOMEM
                                          : rp_builder_add_cookie_domain(P->b, df.p, df.n, dt.p,
                                                                         dt.n, scope, scope_len,
                                                                         0, &bd);
                    rp__free(&P->b->a, df.p, df.cap);
                    rp__free(&P->b->a, dt.p, dt.cap);
                }
            } else {
                st = rp_builder_add_cookie_path(P->b, AS(P, it->from_off), it->from_len,
                                                AS(P, it->to_off), it->to_len, scope, scope_len,
                                                0, &bd);
            }
            if (st != RP_OK) {
                if (st == RP_E_NOMEM)
                    return fail_pos(P, st, line, col, 0, "out of memory");
                return fail_pos(P, RP_E_CONFIG, line, col, 0, "location \"%.*s\": %s",
                                shown(L->name_len), name,
                                bd.message[0] ? bd.message : rp_strerror(st));
            }
        }
    }
    return RP_OK;
}

static rp_status translate(parser *P)
{
    size_t n = P->nlocs;
    if (n == 0)
        return RP_OK;
    if (!rp__regex_available())
        return fail_pos(P, RP_E_UNSUPPORTED, P->locs[0].line, P->locs[0].col, 0,
                        "the nginx loader needs regex support (PCRE2) in this build");
    /* forward order: exact, automatic 301s, ^~, regexes, prefixes (longest first) */
    size_t *order = rp__malloc(&P->b->a, (n + 1) * sizeof *order);
    if (!order)
        return oom(P);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (P->locs[i].kind == L_EXACT)
            order[k++] = i;
    size_t first_after_exact = k;
    for (size_t i = 0; i < n; i++)
        if (P->locs[i].kind == L_STOP)
            order[k++] = i;
    for (size_t i = 0; i < n; i++)
        if (is_regex(&P->locs[i]))
            order[k++] = i;
    size_t pstart = k;
    for (size_t i = 0; i < n; i++)
        if (P->locs[i].kind == L_PREFIX)
            order[k++] = i;
    /* insertion sort by length, longest first (stable: ties cannot happen) */
    for (size_t i = pstart + 1; i < n; i++) {
        size_t v = order[i], j = i;
        while (j > pstart && P->locs[order[j - 1]].name_len < P->locs[v].name_len) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    rp_status st = RP_OK;
    for (size_t i = 0; i < n && st == RP_OK; i++) {
        if (i == first_after_exact)
            st = emit_auto301(P);
        if (st == RP_OK)
            st = emit_forward(P, order[i], false);
    }

    /* reverse and cookie rules: scoped to their location unless only one
     * location proxies (then every proxied response went through it) */
    size_t npass = 0;
    for (size_t i = 0; i < n; i++)
        npass += P->locs[i].pass;
    for (size_t i = 0; i < n && st == RP_OK; i++) {
        const nloc *L = &P->locs[order[i]];
        if (!L->pass)
            continue;
        bool scoped = npass > 1 && !is_regex(L);
        st = emit_reverse(P, order[i], scoped, npass > 1 && is_regex(L));
    }
    rp__free(&P->b->a, order, (n + 1) * sizeof *order);
    return st;
}

static rp_status load_nginx(rp_builder *b, const char *text, size_t len, rp_diag *diag)
{
    parser P;
    memset(&P, 0, sizeof P);
    P.b = b;
    P.t = text;
    P.n = len;
    P.line = 1;
    P.diag = diag;
    const char *z = len ? memchr(text, '\0', len) : NULL;
    if (z) {
        size_t at = (size_t)(z - text), ls = 0;
        uint32_t line = 1;
        for (size_t i = 0; i < at; i++)
            if (text[i] == '\n') {
                ls = i + 1;
                if (line < UINT32_MAX)
                    line++;
            }
        size_t c = at - ls + 1;
        return fail_pos(&P, RP_E_CONFIG, line, c > UINT32_MAX ? UINT32_MAX : (uint32_t)c, at,
                        "NUL byte in configuration text");
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        P.pos = P.line_start = 3;
    P.vcap = len + 1;
    P.vbuf = rp__malloc(&b->a, P.vcap);
    rp_status st = P.vbuf ? parse(&P) : oom(&P);
    if (st == RP_OK)
        st = translate(&P);
    b->cur_line = 0;
    b->cur_column = 0;
    const rp_allocator *a = &b->a;
    rp__free(a, P.vbuf, P.vcap);
    rp__free(a, P.w, P.capw * sizeof *P.w);
    rp__free(a, P.arena, P.acap);
    rp__free(a, P.locs, P.caplocs * sizeof *P.locs);
    rp__free(a, P.items, P.capitems * sizeof *P.items);
    rp__free(a, P.ups, P.capups * sizeof *P.ups);
    return st;
}

RP_API rp_status rp_builder_add_nginx_config(rp_builder *b, const char *text, size_t len,
                                             const char *source_name, rp_diag *diag)
{
    (void)source_name; /* the caller prints it; messages never carry it */
    rp__diag_clear(diag);
    if (!b || (!text && len))
        return rp__diag_set(diag, RP_E_ARG, "invalid argument");
    if (b->profile != RP_PROFILE_APACHE)
        return rp__diag_set(diag, RP_E_UNSUPPORTED,
                            "the nginx loader needs a builder with RP_PROFILE_APACHE "
                            "(first match in order; docs/nginx.md)");
    size_t nr = b->nrules, nv = b->nrevs, nc = b->ncookies, nw = b->nwarnings;
    unsigned es = b->enc_slashes, ms = b->merge_slashes, ph = b->preserve_host;
    b->warn_oom = false;
    /* nginx decodes %2F before matching: a real separator */
    rp_status st = rp_builder_set_option(b, RP_OPT_ENCODED_SLASHES, RP_SLASHES_DECODE);
    if (st == RP_OK)
        st = load_nginx(b, text ? text : "", len, diag);
    b->cur_line = 0;
    b->cur_column = 0;
    if (st == RP_OK && b->warn_oom)
        st = rp__diag_set(diag, RP_E_NOMEM, "out of memory (while recording a warning)");
    if (st != RP_OK) {
        rp__builder_truncate(b, nr, nv, nc, nw);
        b->enc_slashes = es;
        b->merge_slashes = ms;
        b->preserve_host = ph;
    }
    return st;
}
