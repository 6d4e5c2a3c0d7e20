/* The Apache httpd directive loader (rp_builder_add_config, docs/rules.md).
 *
 * Reads text the way httpd 2.4 reads a configuration file, then hands each
 * proxy directive to the builder:
 *  - lines: ap_cfg_getline. A physical line ends at LF. A backslash right
 *    before the LF (or before CR LF) joins the next physical line (the
 *    backslash and the line break are removed, nothing is inserted). Leading
 *    and trailing white space of the joined line is dropped; a line whose
 *    first byte is then '#' is a comment (a later '#' is data).
 *  - words: ap_getword_conf. White space separates words; a word that starts
 *    with " or ' runs to the matching quote (\" or \' and \\ are escapes
 *    inside it) and ends there; outside quotes only "\\" is an escape. A
 *    quoted empty word ("") is an empty argument, which Apache's argument
 *    count checks treat as missing.
 *  - directives and section names are compared case-insensitively.
 *
 * One pass, no recursion: a small explicit stack holds the open sections.
 * Scratch buffers (the joined line, the word values, the word table, the
 * section stack) grow geometrically through the builder's allocator and are
 * freed before returning, so the work is linear in the input size. Error
 * positions are mapped back from the joined line to the physical line and
 * byte column through a segment table (binary search).
 *
 * On error the caller (rp_builder_add_config) undoes every rule and warning
 * this text added; ServerName is only applied after the whole text loaded,
 * so it is undone too. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define NONE ((size_t)-1)
#define MAX_WARNINGS 1000u /* per rp_builder_add_config call */
#define SHOW 80            /* bytes of a value quoted in a message */

/* ---- small byte helpers (no ctype.h: locale-independent) ----------------- */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static unsigned char lc(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static bool ieqn(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
            return false;
    return true;
}

static bool ieq(const char *s, size_t n, const char *lit)
{
    return ieqn(s, n, lit, strlen(lit));
}

static bool iprefix(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && ieqn(s, m, lit, m);
}

static int shown(size_t n)
{
    return (int)(n > SHOW ? SHOW : n);
}

/* apr_fnmatch_test: does the pattern hold a wildcard (*, ?, or [...])? */
static bool fnmatch_test(const char *p, size_t n)
{
    int nesting = 0;
    for (size_t i = 0; i < n; i++) {
        switch (p[i]) {
        case '?':
        case '*':
            return true;
        case '\\':
            if (++i >= n)
                return false;
            break;
        case '[':
            nesting++;
            break;
        case ']':
            if (nesting)
                return true;
            break;
        default:
            break;
        }
    }
    return false;
}

/* ---- loader state --------------------------------------------------------- */

/* A piece of the joined line that came from one physical line. */
typedef struct seg {
    size_t   loff;       /* offset in the joined line */
    size_t   poff;       /* offset in the text where the piece starts */
    size_t   line_start; /* offset in the text of its physical line */
    uint32_t line;       /* its 1-based physical line number */
} seg;

/* A word of the joined line. */
typedef struct tok {
    size_t roff, rlen; /* raw span in the joined line (quotes included) */
    size_t voff, vlen; /* value (unquoted, unescaped) in vbuf */
    char   quote;      /* 0, '"' or '\'' */
    bool   closed;     /* a quoted word ended with its closing quote */
} tok;

enum sec_kind {
    SEC_LOCATION = 1, /* <Location>, <LocationMatch>: rules read with the section path */
    SEC_VHOST,        /* <VirtualHost>: read as if at top level */
    SEC_COND,         /* <IfModule> and friends: read as if the condition held */
    SEC_SKIP          /* anything else: contents skipped */
};

typedef struct section {
    unsigned kind;
    size_t   name_off, name_len; /* name as written, without '<' (in names) */
    size_t   path_off, path_len; /* SEC_LOCATION: path or regex (in names) */
    bool     regex;              /* <LocationMatch> or <Location ~> */
    unsigned npass;              /* ProxyPass/ProxyPassMatch seen inside */
    int      forb;               /* index in k_forbidding, or -1 */
    size_t   forb_prev;          /* the previous open section of that name */
    uint32_t line, col;
    size_t   off;
} section;

typedef struct loader {
    rp_builder *b;
    const char *text;
    size_t      len;
    rp_diag    *diag;

    size_t   pos;    /* next physical line starts here */
    uint32_t lineno; /* its number */

    char  *lbuf; /* the joined line */
    size_t llen, lcap;
    seg   *segs;
    size_t nseg, capseg;
    char  *vbuf; /* word values */
    size_t vlen, vcap;
    tok   *toks;
    size_t ntok, captok;
    size_t end; /* end of the trimmed line in lbuf */
    uint32_t line; /* first physical line of the current directive */

    section *secs;
    size_t   nsec, capsec;
    char    *names; /* section names and paths, stack-like */
    size_t   nlen, ncap;
    size_t   skip_depth; /* open SEC_SKIP sections */
    size_t   loc;        /* index of the open SEC_LOCATION section or NONE */
    size_t   vhosts;     /* open <VirtualHost> sections */
    size_t   forb_top[7]; /* innermost open section of each k_forbidding name */

    size_t nwarn;

    char    *sname; /* pending ServerName host[:port] */
    size_t   sname_len, sname_cap;
    bool     have_sname;
    uint32_t sname_line, sname_col;
    size_t   sname_off;
} loader;

#define TV(L, i) ((L)->vbuf + (L)->toks[i].voff)
#define TL(L, i) ((L)->toks[i].vlen)

/* ---- positions, errors, warnings ------------------------------------------ */

static uint32_t clamp32(size_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Physical line, byte column and text offset of an offset in the joined line. */
static void pos_of(const loader *L, size_t loff, uint32_t *line, uint32_t *col, size_t *off)
{
    if (L->nseg == 0) {
        *line = L->lineno;
        *col = 0;
        *off = L->pos;
        return;
    }
    size_t lo = 0, hi = L->nseg;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (L->segs[mid].loff <= loff)
            lo = mid;
        else
            hi = mid;
    }
    const seg *s = &L->segs[lo];
    size_t p = s->poff + (loff - s->loff);
    *off = p;
    *line = s->line;
    *col = clamp32(p - s->line_start + 1);
}

/* Record where the current directive starts (its first word), for the
 * rules and options the builder records. */
static void set_pos(loader *L)
{
    uint32_t line = L->line, col = 0;
    size_t off;
    if (L->ntok)
        pos_of(L, L->toks[0].roff, &line, &col, &off);
    L->b->cur_line = line;
    L->b->cur_column = col;
}

static rp_status vfail(loader *L, uint32_t line, uint32_t col, size_t off, rp_status code,
                       const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

static rp_status vfail(loader *L, uint32_t line, uint32_t col, size_t off, rp_status code,
                       const char *fmt, va_list ap)
{
    return rp__diag_vset_at(L->diag, code, line, col, off, fmt, ap);
}

static rp_status fail_plain(loader *L, uint32_t line, uint32_t col, size_t off, rp_status code,
                            const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static rp_status fail_plain(loader *L, uint32_t line, uint32_t col, size_t off, rp_status code,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_status st = vfail(L, line, col, off, code, fmt, ap);
    va_end(ap);
    return st;
}

static rp_status fail_at(loader *L, size_t loff, rp_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static rp_status fail_at(loader *L, size_t loff, rp_status code, const char *fmt, ...)
{
    uint32_t line, col;
    size_t off;
    pos_of(L, loff, &line, &col, &off);
    va_list ap;
    va_start(ap, fmt);
    rp_status st = vfail(L, line, col, off, code, fmt, ap);
    va_end(ap);
    return st;
}

#define fail_tok(L, i, ...) fail_at((L), (L)->toks[i].roff, RP_E_CONFIG, __VA_ARGS__)

static rp_status oom(loader *L)
{
    uint32_t line = L->line ? L->line : L->lineno;
    return fail_plain(L, line, 0, L->pos, RP_E_NOMEM, "out of memory");
}

static void warn_at(loader *L, size_t loff, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn_at(loader *L, size_t loff, const char *fmt, ...)
{
    if (L->nwarn > MAX_WARNINGS)
        return;
    uint32_t line, col;
    size_t off;
    pos_of(L, loff, &line, &col, &off);
    L->nwarn++;
    if (L->nwarn > MAX_WARNINGS) {
        rp__builder_warn(L->b, line, col,
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
    rp__builder_warn(L->b, line, col, "%s", msg);
}

#define warn_tok(L, i, ...) warn_at((L), (L)->toks[i].roff, __VA_ARGS__)

/* Offset in the joined line of byte voff of word t's value. */
static size_t tok_raw_at(const loader *L, const tok *t, size_t voff)
{
    size_t p = t->roff + (t->quote ? 1 : 0);
    size_t end = t->roff + t->rlen;
    if (t->closed)
        end--;
    for (size_t k = 0; k < voff && p < end; k++) {
        if (L->lbuf[p] == '\\' && p + 1 < end &&
            (L->lbuf[p + 1] == '\\' || (t->quote && L->lbuf[p + 1] == t->quote)))
            p += 2;
        else
            p++;
    }
    return p;
}

/* Offset in the joined line of byte voff of word i's value; the word's own
 * start (its opening quote) for 0 or an offset past its end. */
static size_t tok_at(const loader *L, size_t i, size_t voff)
{
    if (voff == 0 || voff > L->toks[i].vlen)
        return L->toks[i].roff;
    return tok_raw_at(L, &L->toks[i], voff);
}

/* A builder call failed with bd filled: report it at the argument it is about.
 * The builder's diag->offset is a byte offset inside that argument. */
static rp_status builder_fail(loader *L, rp_status st, const rp_diag *bd, size_t path_tok,
                              size_t url_tok)
{
    size_t t = NONE;
    /* every argument came from the text: a bad one is a configuration error
     * there (mapping=encoded with mapping=servlet), not a caller's RP_E_ARG */
    if (st == RP_E_ARG)
        st = RP_E_CONFIG;
    if (st == RP_E_CONFIG) {
        if (url_tok != NONE && strstr(bd->message, "URL"))
            t = url_tok;
        else if (strstr(bd->message, "mapping"))
            t = NONE; /* about the flags: point at the directive */
        else if (strstr(bd->message, "path") || strstr(bd->message, "egular expression"))
            t = path_tok;
        else
            t = url_tok;
    }
    size_t loff = L->toks[0].roff;
    if (t != NONE)
        loff = tok_at(L, t, bd->offset);
    const char *msg = bd->message[0] ? bd->message : rp_strerror(st);
    return fail_at(L, loff, st, "%s", msg);
}

/* ---- growable scratch ------------------------------------------------------ */

static bool grow(loader *L, void **arr, size_t *cap, size_t need, size_t elem)
{
    return rp__grow(&L->b->a, arr, cap, need, elem) == RP_OK;
}

/* Append n bytes to the names arena; returns the offset or NONE. */
static size_t names_put(loader *L, const char *p, size_t n)
{
    if (!grow(L, (void **)&L->names, &L->ncap, L->nlen + n + 1, 1))
        return NONE;
    size_t at = L->nlen;
    if (n)
        memcpy(L->names + at, p, n);
    L->nlen += n;
    return at;
}

/* ---- reading lines (ap_cfg_getline) ---------------------------------------- */

/* Join the next logical line into lbuf. *got is false at the end of the text. */
static rp_status next_line(loader *L, bool *got)
{
    L->llen = 0;
    L->nseg = 0;
    bool first = true;
    for (;;) {
        if (L->pos >= L->len) {
            *got = !first;
            return RP_OK;
        }
        size_t ls = L->pos;
        const char *nl = memchr(L->text + ls, '\n', L->len - ls);
        size_t pend = nl ? (size_t)(nl - L->text) : L->len;
        size_t cend = pend;
        bool cont = false;
        if (nl) {
            size_t q = pend;
            if (q > ls && L->text[q - 1] == '\r')
                q--;
            if (q > ls && L->text[q - 1] == '\\') {
                cont = true;
                cend = q - 1;
            }
        }
        if (!grow(L, (void **)&L->segs, &L->capseg, L->nseg + 1, sizeof *L->segs) ||
            !grow(L, (void **)&L->lbuf, &L->lcap, L->llen + (cend - ls) + 1, 1))
            return oom(L);
        seg *s = &L->segs[L->nseg++];
        s->loff = L->llen;
        s->poff = ls;
        s->line_start = L->lineno == 1 ? 0 : ls; /* a skipped BOM still counts as columns */
        s->line = L->lineno;
        if (cend > ls)
            memcpy(L->lbuf + L->llen, L->text + ls, cend - ls);
        L->llen += cend - ls;
        L->pos = nl ? pend + 1 : L->len;
        if (L->lineno < UINT32_MAX)
            L->lineno++;
        first = false;
        if (!cont) {
            *got = true;
            return RP_OK;
        }
    }
}

/* ---- words (ap_getword_conf) ----------------------------------------------- */

/* Split lbuf[from, to) into words, appended to toks (values to vbuf, whose
 * capacity the caller made large enough). */
static rp_status tokenize(loader *L, size_t from, size_t to)
{
    const char *s = L->lbuf;
    size_t p = from;
    while (p < to && is_space((unsigned char)s[p]))
        p++;
    while (p < to) {
        if (!grow(L, (void **)&L->toks, &L->captok, L->ntok + 1, sizeof *L->toks))
            return oom(L);
        tok t;
        memset(&t, 0, sizeof t);
        t.roff = p;
        t.voff = L->vlen;
        char *v = L->vbuf;
        char c = s[p];
        size_t q;
        if (c == '"' || c == '\'') {
            t.quote = c;
            q = p + 1;
            while (q < to && s[q] != c) {
                if (s[q] == '\\' && q + 1 < to && (s[q + 1] == c || s[q + 1] == '\\')) {
                    v[L->vlen++] = s[q + 1];
                    q += 2;
                } else {
                    v[L->vlen++] = s[q++];
                }
            }
            if (q < to) {
                q++; /* the closing quote ends the word, whatever follows */
                t.closed = true;
            }
        } else {
            q = p;
            while (q < to && !is_space((unsigned char)s[q])) {
                if (s[q] == '\\' && q + 1 < to && s[q + 1] == '\\') {
                    v[L->vlen++] = '\\';
                    q += 2;
                } else {
                    v[L->vlen++] = s[q++];
                }
            }
        }
        t.rlen = q - p;
        t.vlen = L->vlen - t.voff;
        L->toks[L->ntok++] = t;
        p = q;
        while (p < to && is_space((unsigned char)s[p]))
            p++;
    }
    return RP_OK;
}

/* ---- numbers the way Apache's set_worker_param reads them ------------------ */

/* atoi/atol: leading white space, a sign, digits; stops at anything else.
 * Saturates instead of overflowing. */
static long long c_atoll(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    long long v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if (v < 1000000000000LL)
            v = v * 10 + (s[i] - '0');
    return neg ? -v : v;
}

/* atof(val) * 100, truncated (LoadFactor). */
static long long c_atof100(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    long long v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if (v < 1000000000000LL)
            v = v * 10 + (s[i] - '0');
    v *= 100;
    if (i < n && s[i] == '.') {
        i++;
        long long scale = 10;
        for (; i < n && s[i] >= '0' && s[i] <= '9' && scale > 0; i++, scale /= 10)
            v += (s[i] - '0') * scale;
    }
    return neg ? -v : v;
}

/* ap_timeout_parameter_parse: a number and a unit (ms, s, mi, h; default
 * def). false when malformed. *usec gets microseconds (saturated). */
static bool parse_timeout(const char *s, size_t n, const char *def, long long *usec)
{
    size_t i = 0;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    size_t digits = 0;
    long long v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (digits >= 18)
            return false; /* ERANGE */
        v = v * 10 + (s[i] - '0');
    }
    if (neg)
        v = -v;
    const char *u = digits ? s + i : s; /* no digits: strtoll leaves the end at the start */
    size_t ul = digits ? n - i : n;
    if (ul == 0) {
        u = def;
        ul = strlen(def);
    }
    if (v > 1000000000LL)
        v = 1000000000LL;
    if (v < -1000000000LL)
        v = -1000000000LL;
    switch (u[0]) {
    case 's':
        *usec = v * 1000000LL;
        return true;
    case 'h':
        *usec = v * 3600LL * 1000000LL;
        return true;
    case 'm':
        if (ul > 1 && u[1] == 's') {
            *usec = v * 1000LL;
            return true;
        }
        if (ul > 1 && u[1] == 'i') {
            *usec = v * 60LL * 1000000LL;
            return true;
        }
        return false;
    default:
        return false;
    }
}

static bool on_off(const char *v, size_t n)
{
    return ieq(v, n, "on") || ieq(v, n, "off");
}

/* Apache's set_worker_param checks, minus the ones that need a live worker.
 * Returns NULL when the value is accepted, or Apache's message. *known is
 * false for a parameter Apache does not know. */
static const char *worker_param(const char *k, size_t kl, const char *v, size_t vl, bool *known)
{
    *known = true;
    if (ieq(k, kl, "loadfactor")) {
        long long x = c_atof100(v, vl);
        return (x < 100 || x > 10000) ? "LoadFactor must be a number between 1..100" : NULL;
    }
    if (ieq(k, kl, "retry"))
        return c_atoll(v, vl) < 0 ? "Retry must be a positive value" : NULL;
    if (ieq(k, kl, "ttl"))
        return c_atoll(v, vl) < 1 ? "TTL must be at least one second" : NULL;
    if (ieq(k, kl, "min"))
        return c_atoll(v, vl) < 0 ? "Min must be a positive number" : NULL;
    if (ieq(k, kl, "max"))
        return c_atoll(v, vl) < 0 ? "Max must be a positive number" : NULL;
    if (ieq(k, kl, "smax"))
        return c_atoll(v, vl) < 0 ? "Smax must be a positive number" : NULL;
    if (ieq(k, kl, "acquire")) {
        long long t;
        if (!parse_timeout(v, vl, "ms", &t))
            return "Acquire timeout has wrong format";
        return t < 1000 ? "Acquire must be at least one millisecond" : NULL;
    }
    if (ieq(k, kl, "timeout"))
        return c_atoll(v, vl) < 1 ? "Timeout must be at least one second" : NULL;
    if (ieq(k, kl, "iobuffersize")) {
        long long x = c_atoll(v, vl);
        return (x < 512 && x != 0) ? "IOBufferSize must be >= 512 bytes, or 0 for system default."
                                   : NULL;
    }
    if (ieq(k, kl, "receivebuffersize")) {
        long long x = c_atoll(v, vl);
        return (x < 512 && x != 0)
                   ? "ReceiveBufferSize must be >= 512 bytes, or 0 for system default."
                   : NULL;
    }
    if (ieq(k, kl, "keepalive"))
        return on_off(v, vl) ? NULL : "KeepAlive must be On|Off";
    if (ieq(k, kl, "disablereuse"))
        return on_off(v, vl) ? NULL : "DisableReuse must be On|Off";
    if (ieq(k, kl, "enablereuse"))
        return on_off(v, vl) ? NULL : "EnableReuse must be On|Off";
    if (ieq(k, kl, "status")) {
        /* ap_proxy_set_wstatus flags, optionally after + or - */
        for (size_t i = 0; i < vl; i++) {
            if (v[i] == '+' || v[i] == '-')
                i++;
            unsigned char c = i < vl ? lc((unsigned char)v[i]) : 0;
            if (c == 0 || !memchr("oingudsehrfc", c, 12))
                return "Unknown status parameter option";
        }
        return NULL;
    }
    if (ieq(k, kl, "flushpackets"))
        return (on_off(v, vl) || ieq(v, vl, "auto")) ? NULL : "flushpackets must be on|off|auto";
    if (ieq(k, kl, "flushwait")) {
        long long x = c_atoll(v, vl);
        return (x > 1000 || x < 0)
                   ? "flushwait must be <= 1000, or 0 for system default of 10 millseconds."
                   : NULL;
    }
    if (ieq(k, kl, "ping")) {
        long long t;
        if (!parse_timeout(v, vl, "s", &t))
            return "Ping/Pong timeout has wrong format";
        return t < 1000 ? "Ping/Pong timeout must be at least one millisecond" : NULL;
    }
    if (ieq(k, kl, "lbset")) {
        long long x = c_atoll(v, vl);
        return (x < 0 || x > 99) ? "lbset must be between 0 and 99" : NULL;
    }
    if (ieq(k, kl, "connectiontimeout")) {
        long long t;
        if (!parse_timeout(v, vl, "s", &t))
            return "Connectiontimeout has wrong format";
        return t < 1000 ? "Connectiontimeout must be at least one millisecond." : NULL;
    }
    if (ieq(k, kl, "responsefieldsize"))
        return c_atoll(v, vl) < 0
                   ? "ResponseFieldSize must be greater than 0 bytes, or 0 for system default."
                   : NULL;
    static const char *const free_text[] = {
        "route",   "redirect", "flusher",    "upgrade",    "secret",     "hcmethod",
        "hcinterval", "hcpasses", "hcfails", "hcuri",      "hcexpr",     "hctemplate",
    };
    for (size_t i = 0; i < sizeof free_text / sizeof free_text[0]; i++)
        if (ieq(k, kl, free_text[i]))
            return NULL;
    *known = false;
    return "unknown Worker parameter";
}

/* ---- sections -------------------------------------------------------------- */

static const section *cur_loc(const loader *L)
{
    return L->loc == NONE ? NULL : &L->secs[L->loc];
}

static const char *sec_name(const loader *L, const section *s)
{
    return L->names + s->name_off;
}

/* Sections in which Apache refuses ProxyPass, ProxyPassMatch,
 * ProxyPassReverse and <Location> (ap_check_cmd_context with NOT_IN_DIRECTORY
 * and NOT_IN_FILES), in the order Apache looks for them. */
static const char *const k_forbidding[7] = {"Directory", "DirectoryMatch", "Files",
                                            "FilesMatch", "If",        "ElseIf",
                                            "Else"};

static int forbidding_index(const char *n, size_t nl)
{
    for (int i = 0; i < 7; i++)
        if (ieq(n, nl, k_forbidding[i]))
            return i;
    return -1;
}

/* The enclosing section Apache would name in "X cannot occur within <Y>
 * section", or NULL. Constant time: a stack per name is kept in the sections. */
static const section *forbidding_parent(const loader *L)
{
    for (size_t i = 0; i < 7; i++)
        if (L->forb_top[i] != NONE)
            return &L->secs[L->forb_top[i]];
    return NULL;
}

static rp_status push_section(loader *L, unsigned kind, const char *name, size_t nlen,
                              section **out)
{
    if (!grow(L, (void **)&L->secs, &L->capsec, L->nsec + 1, sizeof *L->secs))
        return oom(L);
    size_t at = names_put(L, name, nlen);
    if (at == NONE)
        return oom(L);
    section *s = &L->secs[L->nsec++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->name_off = at;
    s->name_len = nlen;
    s->forb = forbidding_index(name, nlen);
    if (s->forb >= 0) {
        s->forb_prev = L->forb_top[s->forb];
        L->forb_top[s->forb] = L->nsec - 1;
    }
    pos_of(L, L->toks[0].roff, &s->line, &s->col, &s->off);
    if (kind == SEC_SKIP)
        L->skip_depth++;
    if (kind == SEC_VHOST)
        L->vhosts++;
    *out = s;
    return RP_OK;
}

static unsigned classify_section(const char *n, size_t nl, bool *is_match)
{
    *is_match = false;
    if (ieq(n, nl, "Location"))
        return SEC_LOCATION;
    if (ieq(n, nl, "LocationMatch")) {
        *is_match = true;
        return SEC_LOCATION;
    }
    if (ieq(n, nl, "VirtualHost"))
        return SEC_VHOST;
    static const char *const cond[] = {"IfModule", "IfDefine",    "IfVersion",
                                       "IfFile",   "IfDirective", "IfSection"};
    for (size_t i = 0; i < sizeof cond / sizeof cond[0]; i++)
        if (ieq(n, nl, cond[i]))
            return SEC_COND;
    return SEC_SKIP;
}

static rp_status open_location(loader *L, const char *name, size_t nl, bool is_match,
                               size_t astart)
{
    const char *canon = is_match ? "LocationMatch" : "Location";
    const section *bad = L->loc != NONE ? cur_loc(L) : forbidding_parent(L);
    if (bad)
        return fail_tok(L, 0, "<%s> cannot occur within <%.*s> section", canon,
                        shown(bad->name_len), sec_name(L, bad));
    size_t gt = NONE;
    for (size_t i = L->end; i-- > astart;) {
        if (L->lbuf[i] == '>') {
            gt = i;
            break;
        }
    }
    if (gt == NONE)
        return fail_tok(L, 0, "<%s> directive missing closing '>'", canon);
    if (gt == astart)
        return fail_tok(L, 0, "<%s> directive requires additional arguments", canon);
    if (gt + 1 < L->end)
        warn_at(L, gt + 1, "<%s>: text after '>' ignored (as in Apache)", canon);

    size_t base = L->ntok;
    rp_status st = tokenize(L, astart, gt);
    if (st != RP_OK)
        return st;
    size_t pt = base, next = base + 1;
    bool regex = is_match;
    if (!is_match && TL(L, base) == 1 && TV(L, base)[0] == '~') {
        regex = true;
        pt = base + 1;
        next = base + 2;
    }
    const char *path = pt < L->ntok ? TV(L, pt) : "";
    size_t plen = pt < L->ntok ? TL(L, pt) : 0;
    size_t where = pt < L->ntok ? pt : base;
    if (next < L->ntok)
        return fail_tok(L, next, "Multiple <%s> arguments not (yet) supported.", canon);
    if (regex && rp__regex_available()) {
        rp_regex *re = NULL;
        rp_diag rd;
        rp__diag_clear(&rd);
        st = rp__regex_compile(&L->b->a, path, plen, false, &re, &rd);
        if (st == RP_E_NOMEM)
            return oom(L);
        if (st != RP_OK) {
            /* regex.c says "Regular expression could not be compiled. (why)" */
            static const char long_text[] = "Regular expression could not be compiled. ";
            const char *why = rd.message;
            if (strncmp(why, long_text, sizeof long_text - 1) == 0)
                why += sizeof long_text - 1;
            return fail_at(L, tok_at(L, where, rd.offset), RP_E_CONFIG,
                           "Regex could not be compiled %s", why);
        }
        rp__regex_free(&L->b->a, re);
    }
    section *s;
    if ((st = push_section(L, SEC_LOCATION, name, nl, &s)) != RP_OK)
        return st;
    size_t at = names_put(L, path, plen);
    if (at == NONE)
        return oom(L);
    s->path_off = at;
    s->path_len = plen;
    s->regex = regex;
    L->loc = L->nsec - 1;
    return RP_OK;
}

static rp_status open_section(loader *L)
{
    const char *name = TV(L, 0) + 1;
    size_t nl = TL(L, 0) - 1;
    if (nl > 0 && name[nl - 1] == '>')
        nl--;
    size_t astart = L->ntok > 1 ? L->toks[1].roff : L->end;
    bool is_match;
    unsigned kind = classify_section(name, nl, &is_match);
    section *s;

    if (L->skip_depth > 0) {
        /* Only balance matters here, plus Apache's context errors. */
        if (kind == SEC_LOCATION) {
            const section *bad = forbidding_parent(L);
            if (bad)
                return fail_tok(L, 0, "<%s> cannot occur within <%.*s> section",
                                is_match ? "LocationMatch" : "Location",
                                shown(bad->name_len), sec_name(L, bad));
        }
        return push_section(L, SEC_SKIP, name, nl, &s);
    }

    /* "<Name args>" as written, for the warnings */
    int hl = shown(L->end - astart);
    const char *hdr = L->lbuf + astart;
    const char *sep = hl ? " " : ">";
    switch (kind) {
    case SEC_LOCATION:
        return open_location(L, name, nl, is_match, astart);
    case SEC_VHOST:
        if (L->vhosts > 0)
            return fail_tok(L, 0, "<VirtualHost> cannot occur within <VirtualHost> section");
        if (L->loc != NONE)
            return fail_tok(L, 0, "<VirtualHost> cannot occur within directory context");
        warn_tok(L, 0,
                 "<%.*s%s%.*s: contents read as if at top level (the rules of every "
                 "<VirtualHost> go into one table)",
                 shown(nl), name, sep, hl, hdr);
        return push_section(L, SEC_VHOST, name, nl, &s);
    case SEC_COND:
        warn_tok(L, 0, "<%.*s%s%.*s: condition not evaluated; contents read as if it held",
                 shown(nl), name, sep, hl, hdr);
        return push_section(L, SEC_COND, name, nl, &s);
    default:
        if (L->loc != NONE &&
            (ieq(name, nl, "Directory") || ieq(name, nl, "DirectoryMatch") ||
             ieq(name, nl, "Files") || ieq(name, nl, "FilesMatch"))) {
            const section *loc = cur_loc(L);
            return fail_tok(L, 0, "<%.*s> cannot occur within <%.*s> section", shown(nl), name,
                            shown(loc->name_len), sec_name(L, loc));
        }
        warn_tok(L, 0,
                 "<%.*s%s%.*s: section skipped (its directives do not apply to proxied URLs "
                 "or are not supported)",
                 shown(nl), name, sep, hl, hdr);
        return push_section(L, SEC_SKIP, name, nl, &s);
    }
}

static rp_status close_section(loader *L)
{
    const char *name = TV(L, 0);
    size_t nl = TL(L, 0);
    if (L->nsec == 0)
        return fail_tok(L, 0, "%.*s without matching <%.*s section", shown(nl), name,
                        shown(nl - 2), name + 2);
    if (name[nl - 1] != '>')
        return fail_tok(L, 0, "%.*s> directive missing closing '>'", shown(nl), name);
    section *top = &L->secs[L->nsec - 1];
    if (!ieqn(name + 2, nl - 3, sec_name(L, top), top->name_len))
        return fail_tok(L, 0, "Expected </%.*s> but saw %.*s", shown(top->name_len),
                        sec_name(L, top), shown(nl), name);
    if (top->kind == SEC_SKIP)
        L->skip_depth--;
    if (top->kind == SEC_VHOST)
        L->vhosts--;
    if (top->kind == SEC_LOCATION)
        L->loc = NONE;
    if (top->forb >= 0)
        L->forb_top[top->forb] = top->forb_prev;
    L->nlen = top->name_off;
    L->nsec--;
    return RP_OK;
}

/* ---- directives ------------------------------------------------------------ */

static void warn_interpolate(loader *L, size_t i, const char *directive)
{
    if (ieq(TV(L, i), TL(L, i), "interpolate"))
        warn_tok(L, i,
                 "%s: 'interpolate' accepted; it has no effect (ProxyPassInterpolateEnv is "
                 "not supported)",
                 directive);
    else
        warn_tok(L, i,
                 "%s: third argument '%.*s' is taken as 'interpolate', as in Apache; it has "
                 "no effect",
                 directive, shown(TL(L, i)), TV(L, i));
}

/* ProxyPass and ProxyPassMatch (mod_proxy add_pass). */
static rp_status do_pass(loader *L, bool is_match)
{
    const char *dname = is_match ? "ProxyPassMatch" : "ProxyPass";
    const section *loc = cur_loc(L);
    const char *f = NULL;
    size_t flen = 0, f_tok = NONE, r_tok = NONE, interp_tok = NONE;
    bool use_regex = is_match;
    unsigned flags = 0;

    if (loc) {
        f = L->names + loc->path_off;
        flen = loc->path_len;
    }
    for (size_t i = 1; i < L->ntok; i++) {
        const char *w = TV(L, i);
        size_t wl = TL(L, i);
        if (!f) {
            if (wl == 1 && w[0] == '~') {
                if (is_match)
                    return fail_tok(L, i, "ProxyPassMatch invalid syntax ('~' usage).");
                use_regex = true;
                continue;
            }
            f = w;
            flen = wl;
            f_tok = i;
        } else if (r_tok == NONE) {
            r_tok = i;
        } else if (ieq(w, wl, "nocanon")) {
            flags |= RP_RULE_NOCANON;
        } else if (ieq(w, wl, "interpolate")) {
            if (interp_tok == NONE)
                interp_tok = i;
        } else if (ieq(w, wl, "noquery")) {
            flags |= RP_RULE_NOQUERY;
        } else {
            const char *eq = memchr(w, '=', wl);
            if (!eq) {
                if (loc && TL(L, r_tok) > 0 && TV(L, r_tok)[0] == '/')
                    return fail_tok(L, r_tok,
                                    "ProxyPass|ProxyPassMatch can not have a path when defined "
                                    "in a location.");
                return fail_tok(L, i,
                                "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must "
                                "be in the form 'key=value'.");
            }
            size_t kl = (size_t)(eq - w);
            const char *v = eq + 1;
            size_t vl = wl - kl - 1;
            if (ieq(w, kl, "mapping")) {
                if (ieq(v, vl, "encoded"))
                    flags |= RP_RULE_MAPPING_ENCODED;
                else if (ieq(v, vl, "servlet"))
                    flags |= RP_RULE_MAPPING_SERVLET;
                else
                    return fail_tok(L, i, "unknown mapping");
            }
        }
    }
    if (r_tok == NONE)
        return fail_tok(L, 0,
                        "ProxyPass|ProxyPassMatch needs a path when not defined in a location");

    if (loc) {
        flags |= RP_RULE_LOCATION;
        const char *sn = sec_name(L, loc);
        int snl = shown(loc->name_len);
        if (!use_regex && fnmatch_test(f, flen)) {
            use_regex = true;
            if (!loc->regex)
                warn_tok(L, 0,
                         "%s in <%.*s %.*s>: the path has a wildcard, so Apache (and "
                         "revproxy) match it as a regular expression",
                         dname, snl, sn, shown(flen), f);
        } else if (!use_regex && loc->regex) {
            warn_tok(L, 0,
                     "%s in <%.*s %.*s>: the pattern has no wildcard (*, ?, [...]), so Apache "
                     "(and revproxy) compare it as a literal path prefix",
                     dname, snl, sn, shown(flen), f);
        }
        if (++L->secs[L->loc].npass == 2)
            warn_tok(L, 0,
                     "%s: a second ProxyPass in one <%.*s> section; Apache keeps only the "
                     "last one",
                     dname, snl, sn);
    }
    bool excl = TL(L, r_tok) == 1 && TV(L, r_tok)[0] == '!';
    if (excl)
        flags |= RP_RULE_EXCLUDE;

    /* Compile the regex here first, so that its errors point at it. */
    if (use_regex && rp__regex_available()) {
        rp_regex *re = NULL;
        rp_diag rd;
        rp__diag_clear(&rd);
        rp_status st = rp__regex_compile(&L->b->a, f, flen, false, &re, &rd);
        if (st == RP_E_NOMEM)
            return oom(L);
        if (st != RP_OK) {
            static const char apache_text[] = "Regular expression could not be compiled.";
            size_t loff = f_tok != NONE ? tok_at(L, f_tok, rd.offset) : L->toks[0].roff;
            if (strncmp(rd.message, apache_text, sizeof apache_text - 1) == 0)
                return fail_at(L, loff, RP_E_CONFIG, "%s", rd.message);
            return fail_at(L, loff, RP_E_CONFIG, "%s (%s)", apache_text, rd.message);
        }
        rp__regex_free(&L->b->a, re);
    }

    rp_diag bd;
    rp__diag_clear(&bd);
    const char *url = excl ? NULL : TV(L, r_tok);
    size_t ulen = excl ? 0 : TL(L, r_tok);
    set_pos(L);
    rp_status st = use_regex ? rp_builder_add_pass_match(L->b, f, flen, url, ulen, flags, &bd)
                             : rp_builder_add_pass(L->b, f, flen, url, ulen, flags, &bd);
    if (st != RP_OK)
        return builder_fail(L, st, &bd, f_tok, excl ? NONE : r_tok);

    if (interp_tok != NONE)
        warn_interpolate(L, interp_tok, dname);
    bool excl_warned = false;
    for (size_t i = r_tok + 1; i < L->ntok; i++) {
        const char *w = TV(L, i);
        size_t wl = TL(L, i);
        const char *eq = memchr(w, '=', wl);
        if (!eq)
            continue; /* nocanon, noquery, interpolate */
        size_t kl = (size_t)(eq - w);
        if (ieq(w, kl, "mapping"))
            continue;
        if (excl) {
            if (!excl_warned)
                warn_tok(L, i, "%s: worker parameters are ignored on an exclusion (!)", dname);
            excl_warned = true;
            continue;
        }
        bool known;
        const char *msg = worker_param(w, kl, eq + 1, wl - kl - 1, &known);
        if (msg && !known)
            return fail_tok(L, i, "ProxyPass %s: '%.*s'", msg, shown(kl), w);
        if (msg)
            return fail_tok(L, i, "ProxyPass %s", msg);
        warn_tok(L, i, "%s: worker parameter '%.*s' accepted; it does not affect URL mapping",
                 dname, shown(kl), w);
    }
    return RP_OK;
}

static rp_status do_reverse(loader *L)
{
    static const char take123[] = "ProxyPassReverse takes one, two or three arguments, a "
                                  "virtual path and a URL for reverse proxy behaviour";
    size_t n = L->ntok - 1;
    if (n == 0)
        return fail_tok(L, 0, "%s", take123);
    if (TL(L, 1) == 0)
        return fail_tok(L, 1, "%s", take123);
    if (n > 3)
        return fail_tok(L, 4, "%s", take123);
    const section *loc = cur_loc(L);
    size_t r = n >= 2 ? 2 : NONE;
    const char *path, *loc_path = NULL;
    size_t path_len, loc_len = 0, path_tok, url_tok, interp = NONE;
    if (!loc) {
        if (r == NONE || ieq(TV(L, r), TL(L, r), "interpolate"))
            return fail_tok(L, 0, "ProxyPassReverse needs a path when not defined in a location");
        path = TV(L, 1);
        path_len = TL(L, 1);
        path_tok = 1;
        url_tok = 2;
        if (n >= 3)
            interp = 3;
    } else {
        if (r != NONE && !ieq(TV(L, r), TL(L, r), "interpolate"))
            return fail_tok(L, 1,
                            "ProxyPassReverse can not have a path when defined in a location");
        path = L->names + loc->path_off;
        path_len = loc->path_len;
        path_tok = NONE;
        url_tok = 1;
        interp = r;
        if (n >= 3)
            warn_tok(L, 3, "ProxyPassReverse: argument ignored (as in Apache)");
        if (loc->regex || fnmatch_test(path, path_len))
            return fail_at(L, L->toks[0].roff, RP_E_UNSUPPORTED,
                           "ProxyPassReverse inside <%.*s %.*s> is not supported: Apache "
                           "would use the pattern text as the public path (write it outside "
                           "the section with a path)",
                           shown(loc->name_len), sec_name(L, loc), shown(path_len), path);
        loc_path = path;
        loc_len = path_len;
    }
    if (interp != NONE)
        warn_interpolate(L, interp, "ProxyPassReverse");
    rp_diag bd;
    rp__diag_clear(&bd);
    set_pos(L);
    rp_status st = rp_builder_add_reverse(L->b, path, path_len, TV(L, url_tok), TL(L, url_tok),
                                          loc_path, loc_len, &bd);
    if (st != RP_OK)
        return builder_fail(L, st, &bd, path_tok, url_tok);
    return RP_OK;
}

static rp_status do_cookie(loader *L, bool domain)
{
    const char *dname = domain ? "ProxyPassReverseCookieDomain" : "ProxyPassReverseCookiePath";
    size_t n = L->ntok - 1;
    size_t bad = NONE;
    if (n < 1 || TL(L, 1) == 0)
        bad = n >= 1 ? 1 : 0;
    else if (n < 2 || TL(L, 2) == 0)
        bad = n >= 2 ? 2 : 0;
    else if (n > 3)
        bad = 4;
    if (bad != NONE)
        return fail_tok(L, bad, "%s takes two or three arguments, %s rewrite rule for proxying "
                                "cookies",
                        dname, domain ? "Domain" : "Path");
    const section *loc = cur_loc(L);
    const char *loc_path = NULL;
    size_t loc_len = 0;
    if (loc && (loc->regex || fnmatch_test(L->names + loc->path_off, loc->path_len)))
        warn_tok(L, 0,
                 "%s inside <%.*s %.*s>: applied to every response (a cookie rule is scoped "
                 "only by a plain <Location> path)",
                 dname, shown(loc->name_len), sec_name(L, loc), shown(loc->path_len),
                 L->names + loc->path_off);
    else if (loc) {
        loc_path = L->names + loc->path_off;
        loc_len = loc->path_len;
    }
    if (n == 3)
        warn_interpolate(L, 3, dname);
    rp_diag bd;
    rp__diag_clear(&bd);
    set_pos(L);
    rp_status st = domain ? rp_builder_add_cookie_domain(L->b, TV(L, 1), TL(L, 1), TV(L, 2),
                                                         TL(L, 2), loc_path, loc_len, 0, &bd)
                          : rp_builder_add_cookie_path(L->b, TV(L, 1), TL(L, 1), TV(L, 2),
                                                       TL(L, 2), loc_path, loc_len, 0, &bd);
    if (st != RP_OK)
        return builder_fail(L, st, &bd, 1, 2);
    return RP_OK;
}

static rp_status set_option(loader *L, unsigned opt, unsigned value)
{
    set_pos(L);
    rp_status st = rp_builder_set_option(L->b, opt, value);
    if (st != RP_OK)
        return fail_tok(L, 0, "%s", rp_strerror(st));
    return RP_OK;
}

/* FLAG directives: ProxyPreserveHost, MergeSlashes. */
static rp_status do_flag(loader *L, const char *canon, unsigned opt)
{
    if (L->ntok < 2 || !on_off(TV(L, 1), TL(L, 1)))
        return fail_tok(L, L->ntok < 2 ? 0 : 1, "%s must be On or Off", canon);
    if (L->ntok > 2)
        warn_tok(L, 2, "%s: extra arguments ignored (as in Apache)", canon);
    const section *loc = cur_loc(L);
    if (loc)
        warn_tok(L, 0,
                 "%s inside <%.*s %.*s>: applied to the whole table (per-location settings are "
                 "not supported)",
                 canon, shown(loc->name_len), sec_name(L, loc), shown(loc->path_len),
                 L->names + loc->path_off);
    return set_option(L, opt, ieq(TV(L, 1), TL(L, 1), "on") ? 1u : 0u);
}

static rp_status do_encoded_slashes(loader *L)
{
    if (L->ntok < 2 || TL(L, 1) == 0 || L->ntok > 2)
        return fail_tok(L, L->ntok < 2 ? 0 : (TL(L, 1) == 0 ? 1 : 2),
                        "AllowEncodedSlashes takes one argument, Allow URLs containing '/' "
                        "encoded as '%%2F'");
    const char *v = TV(L, 1);
    size_t vl = TL(L, 1);
    unsigned value;
    if (ieq(v, vl, "on"))
        value = RP_SLASHES_DECODE;
    else if (ieq(v, vl, "off"))
        value = RP_SLASHES_REJECT;
    else if (ieq(v, vl, "nodecode"))
        value = RP_SLASHES_KEEP;
    else
        return fail_tok(L, 1, "AllowEncodedSlashes must be On, Off, or NoDecode");
    return set_option(L, RP_OPT_ENCODED_SLASHES, value);
}

/* ServerName [scheme://]host[:port]; applied when the whole text loaded. */
static rp_status do_server_name(loader *L)
{
    if (L->ntok < 2 || TL(L, 1) == 0 || L->ntok > 2)
        return fail_tok(L, L->ntok < 2 ? 0 : (TL(L, 1) == 0 ? 1 : 2),
                        "ServerName takes one argument, The hostname and port of the server");
    const char *v = TV(L, 1);
    size_t vl = TL(L, 1);
    if (fnmatch_test(v, vl))
        return fail_tok(L, 1,
                        "Invalid ServerName \"%.*s\" use ServerAlias to set multiple server "
                        "names.",
                        shown(vl), v);
    const char *h = v;
    size_t hl = vl;
    for (size_t i = 0; i + 2 < vl; i++) {
        if (v[i] == ':' && v[i + 1] == '/' && v[i + 2] == '/') {
            h = v + i + 3; /* the scheme is kept: it is the public scheme (rp_public_origin) */
            hl = vl - i - 3;
            break;
        }
    }
    size_t colon = NONE, from = 0;
    if (hl > 0 && h[0] == '[') {
        const char *rb = memchr(h, ']', hl);
        from = rb ? (size_t)(rb - h) : hl;
    }
    for (size_t i = from; i < hl; i++) {
        if (h[i] == ':') {
            colon = i;
            break;
        }
    }
    if (colon != NONE) {
        long long port = c_atoll(h + colon + 1, hl - colon - 1);
        if (port <= 0 || port >= 65536)
            return fail_tok(L, 1,
                            "The port number \"%.*s\" is outside the appropriate range (i.e., "
                            "1..65535).",
                            shown(vl), v);
    }
    for (size_t i = 0; i < hl; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@' || c == '?' || c == '#')
            return fail_at(L, tok_at(L, 1, (size_t)(h - v) + i), RP_E_CONFIG,
                           "ServerName: \"%.*s\" is not a host[:port]", shown(vl), v);
    }
    h = v; /* store [scheme://]host[:port] */
    hl = vl;
    if (L->have_sname && !ieqn(L->sname, L->sname_len, h, hl))
        warn_tok(L, 0, "ServerName given again: the last one (%.*s) is used", shown(hl), h);
    if (!grow(L, (void **)&L->sname, &L->sname_cap, hl + 1, 1))
        return oom(L);
    if (hl)
        memcpy(L->sname, h, hl);
    L->sname_len = hl;
    L->have_sname = true;
    pos_of(L, L->toks[0].roff, &L->sname_line, &L->sname_col, &L->sname_off);
    return RP_OK;
}

/* mod_proxy (and friends) directives that do not change URL mapping. */
static bool known_proxy_directive(const char *n, size_t nl)
{
    static const char *const names[] = {
        "ProxyRemote", "ProxyRemoteMatch", "ProxyTimeout", "ProxyVia", "ProxyAddHeaders",
        "ProxyErrorOverride", "ProxySet", "ProxyBadHeader", "ProxyBlock", "ProxyDomain",
        "ProxyIOBufferSize", "ProxyMaxForwards", "ProxyReceiveBufferSize",
        "ProxySourceAddress", "ProxyStatus", "ProxyPassInherit", "Proxy100Continue",
        "ProxyFCGIBackendType", "ProxyFCGISetEnvIf", "ProxyFtpDirCharset",
        "ProxyFtpEscapeWildcards", "ProxyFtpListOnWildcard", "ProxyExpressDBMFile",
        "ProxyExpressDBMType", "ProxyExpressEnable", "ProxyHCExpr", "ProxyHCTemplate",
        "ProxyHCTPsize", "ProxyHTMLBufSize", "ProxyHTMLCharsetOut", "ProxyHTMLDocType",
        "ProxyHTMLEnable", "ProxyHTMLEvents", "ProxyHTMLExtended", "ProxyHTMLFixups",
        "ProxyHTMLInterp", "ProxyHTMLLinks", "ProxyHTMLMeta", "ProxyHTMLStripComments",
        "ProxyHTMLURLMap", "ProxySCGIInternalRedirect", "ProxySCGISendfile",
        "ProxyWebsocketFallbackToProxyHttp", "ProxyWebsocketAsync",
        "ProxyWebsocketAsyncDelay", "ProxyWebsocketIdleTimeout", "ProxyAsyncDelay",
        "ProxyAsyncIdleTimeout", "ProxyResponseFieldSize", "BalancerGrowth", "BalancerInherit",
        "BalancerMember", "BalancerPersist", "NoProxy",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ieq(n, nl, names[i]))
            return true;
    return false;
}

static rp_status do_ignored(loader *L, const char *n, size_t nl)
{
    int sl = shown(nl);
    if (ieq(n, nl, "ProxyRequests")) {
        if (L->ntok > 1 && ieq(TV(L, 1), TL(L, 1), "on"))
            warn_tok(L, 0,
                     "ProxyRequests On: ignored (revproxy is a reverse proxy; forward-proxy "
                     "requests are not mapped)");
        else
            warn_tok(L, 0, "%.*s: ignored (does not change URL mapping)", sl, n);
    } else if (ieq(n, nl, "ProxyPassInterpolateEnv")) {
        warn_tok(L, 0,
                 "%.*s: ignored (interpolation is not supported: ${...} in rules stays literal)",
                 sl, n);
    } else if (ieq(n, nl, "Include") || ieq(n, nl, "IncludeOptional")) {
        warn_tok(L, 0,
                 "%.*s: ignored (included files are not read; load each file with its own "
                 "rp_builder_add_config call)",
                 sl, n);
    } else if (ieq(n, nl, "RewriteRule")) {
        warn_tok(L, 0,
                 "%.*s: ignored (mod_rewrite rules, including [P] proxy rules, are not "
                 "supported)",
                 sl, n);
    } else if (ieq(n, nl, "UseCanonicalName")) {
        warn_tok(L, 0,
                 "%.*s: ignored (the public origin is given to the reverse-rewriting calls)", sl,
                 n);
    } else if (ieq(n, nl, "Define")) {
        warn_tok(L, 0, "%.*s: ignored (${...} variables are not expanded)", sl, n);
    } else if (known_proxy_directive(n, nl)) {
        warn_tok(L, 0, "%.*s: ignored (does not change URL mapping)", sl, n);
    } else if (iprefix(n, nl, "proxy") || iprefix(n, nl, "balancer")) {
        warn_tok(L, 0, "%.*s: unknown directive, ignored (misspelled?)", sl, n);
    } else {
        warn_tok(L, 0, "%.*s: ignored (does not concern proxying)", sl, n);
    }
    return RP_OK;
}

static rp_status do_directive(loader *L)
{
    const char *n = TV(L, 0);
    size_t nl = TL(L, 0);
    bool pass = ieq(n, nl, "ProxyPass"), match = ieq(n, nl, "ProxyPassMatch");
    bool rev = ieq(n, nl, "ProxyPassReverse");

    if (L->skip_depth > 0) {
        if (pass || match || rev) {
            const section *bad = forbidding_parent(L);
            if (bad)
                return fail_tok(L, 0, "%s cannot occur within <%.*s> section",
                                pass ? "ProxyPass" : match ? "ProxyPassMatch" : "ProxyPassReverse",
                                shown(bad->name_len), sec_name(L, bad));
        }
        return RP_OK;
    }

    if (pass || match || rev || ieq(n, nl, "ProxyPassReverseCookieDomain") ||
        ieq(n, nl, "ProxyPassReverseCookiePath")) {
        for (size_t i = L->toks[0].roff; i + 1 < L->end; i++) {
            if (L->lbuf[i] == '$' && L->lbuf[i + 1] == '{') {
                warn_at(L, i, "'${' is not expanded (Define and environment variables are not "
                              "supported)");
                break;
            }
        }
    }
    if (pass || match)
        return do_pass(L, match);
    if (rev)
        return do_reverse(L);
    if (ieq(n, nl, "ProxyPassReverseCookieDomain"))
        return do_cookie(L, true);
    if (ieq(n, nl, "ProxyPassReverseCookiePath"))
        return do_cookie(L, false);
    if (ieq(n, nl, "ProxyPreserveHost"))
        return do_flag(L, "ProxyPreserveHost", RP_OPT_PRESERVE_HOST);

    static const char *const server_only[] = {"ServerName", "MergeSlashes",
                                              "AllowEncodedSlashes"};
    for (size_t i = 0; i < sizeof server_only / sizeof server_only[0]; i++) {
        if (ieq(n, nl, server_only[i]) && L->nsec > 0 && cur_loc(L)) {
            const section *top = &L->secs[L->nsec - 1];
            return fail_tok(L, 0, "%s not allowed in <%.*s> context", server_only[i],
                            shown(top->name_len), sec_name(L, top));
        }
    }
    if (ieq(n, nl, "ServerName"))
        return do_server_name(L);
    if (ieq(n, nl, "MergeSlashes"))
        return do_flag(L, "MergeSlashes", RP_OPT_MERGE_SLASHES);
    if (ieq(n, nl, "AllowEncodedSlashes"))
        return do_encoded_slashes(L);
    return do_ignored(L, n, nl);
}

static rp_status do_line(loader *L)
{
    size_t s = 0, e = L->llen;
    while (s < e && is_space((unsigned char)L->lbuf[s]))
        s++;
    while (e > s && is_space((unsigned char)L->lbuf[e - 1]))
        e--;
    if (s == e)
        return RP_OK;
    if (L->lbuf[s] == '#') {
        if (L->nseg > 1)
            warn_at(L, s,
                    "this comment ends with '\\', so line %u is part of it (as in Apache)",
                    (unsigned)L->segs[1].line);
        return RP_OK;
    }
    L->end = e;
    L->line = L->segs[0].line;
    L->ntok = 0;
    L->vlen = 0;
    /* Values never grow past their raw text; a section header is split twice. */
    if (!grow(L, (void **)&L->vbuf, &L->vcap, 2 * (e - s) + 2, 1))
        return oom(L);
    rp_status st = tokenize(L, s, e);
    if (st != RP_OK)
        return st;
    if (L->ntok == 0 || TL(L, 0) == 0)
        return RP_OK; /* a line like "" */
    const char *name = TV(L, 0);
    if (name[0] == '<') {
        if (TL(L, 0) >= 2 && name[1] == '/')
            st = close_section(L);
        else
            st = open_section(L);
    } else {
        st = do_directive(L);
    }
    L->b->cur_line = 0;
    L->b->cur_column = 0;
    return st;
}

rp_status rp__load_config(rp_builder *b, const char *text, size_t len, const char *source_name,
                          rp_diag *diag)
{
    (void)source_name; /* the caller prints it; messages never carry it */
    loader L;
    memset(&L, 0, sizeof L);
    L.b = b;
    L.text = text;
    L.len = len;
    L.diag = diag;
    L.lineno = 1;
    L.loc = NONE;
    for (size_t i = 0; i < 7; i++)
        L.forb_top[i] = NONE;

    const char *z = len ? memchr(text, '\0', len) : NULL;
    if (z) {
        size_t at = (size_t)(z - text), ls = 0;
        uint32_t line = 1;
        for (size_t i = 0; i < at; i++) {
            if (text[i] == '\n') {
                ls = i + 1;
                if (line < UINT32_MAX)
                    line++;
            }
        }
        return fail_plain(&L, line, clamp32(at - ls + 1), at, RP_E_CONFIG,
                          "NUL byte in configuration text");
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        L.pos = 3; /* UTF-8 byte order mark */

    rp_status st = RP_OK;
    for (;;) {
        bool got = false;
        if ((st = next_line(&L, &got)) != RP_OK || !got)
            break;
        if ((st = do_line(&L)) != RP_OK)
            break;
    }
    if (st == RP_OK && L.nsec > 0) {
        const section *s = &L.secs[L.nsec - 1];
        st = fail_plain(&L, s->line, s->col, s->off, RP_E_CONFIG, "<%.*s> was not closed.",
                        shown(s->name_len), sec_name(&L, s));
    }
    if (st == RP_OK && L.have_sname) {
        st = rp_builder_set_server_name(b, L.sname, L.sname_len);
        if (st != RP_OK)
            st = fail_plain(&L, L.sname_line, L.sname_col, L.sname_off,
                            st == RP_E_NOMEM ? RP_E_NOMEM : RP_E_CONFIG,
                            "ServerName: \"%.*s\" refused (%s)", shown(L.sname_len), L.sname,
                            rp_strerror(st));
    }
    b->cur_line = 0;
    b->cur_column = 0;

    const rp_allocator *a = &b->a;
    rp__free(a, L.lbuf, L.lcap);
    rp__free(a, L.segs, L.capseg * sizeof *L.segs);
    rp__free(a, L.vbuf, L.vcap);
    rp__free(a, L.toks, L.captok * sizeof *L.toks);
    rp__free(a, L.secs, L.capsec * sizeof *L.secs);
    rp__free(a, L.names, L.ncap);
    rp__free(a, L.sname, L.sname_cap);
    return st;
}
