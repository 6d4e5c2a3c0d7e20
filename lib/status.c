/* Status names and texts, HTTP mapping, version, diagnostics helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct status_info {
    const char *name;
    const char *text;
    int         http;
} status_info;

static const status_info k_status[] = {
    [RP_OK] = {"RP_OK", "success", 0},
    [RP_NO_MATCH] = {"RP_NO_MATCH", "no rule applies", 404},
    [RP_E_NOSPACE] = {"RP_E_NOSPACE", "output buffer too small", 500},
    [RP_E_ARG] = {"RP_E_ARG", "invalid argument", 500},
    [RP_E_SYNTAX] = {"RP_E_SYNTAX", "malformed input", 400},
    [RP_E_TOO_LONG] = {"RP_E_TOO_LONG", "input or output over a configured limit", 414},
    [RP_E_FORBIDDEN] = {"RP_E_FORBIDDEN", "refused by policy", 403},
    [RP_E_CONFIG] = {"RP_E_CONFIG", "invalid configuration", 500},
    [RP_E_NOMEM] = {"RP_E_NOMEM", "out of memory", 500},
    [RP_EXCLUDED] = {"RP_EXCLUDED", "excluded from proxying by a rule", 404},
    [RP_E_FORM] = {"RP_E_FORM", "request-target form not accepted", 400},
    [RP_E_CTL] = {"RP_E_CTL", "control character or space in input", 400},
    [RP_E_FRAGMENT] = {"RP_E_FRAGMENT", "fragment ('#') in request-target", 400},
    [RP_E_BACKSLASH] = {"RP_E_BACKSLASH", "backslash in path", 400},
    [RP_E_NON_ASCII] = {"RP_E_NON_ASCII", "raw non-ASCII byte in request-target", 400},
    [RP_E_BAD_CHAR] = {"RP_E_BAD_CHAR", "character not allowed in a URI", 400},
    [RP_E_BAD_PERCENT] = {"RP_E_BAD_PERCENT", "'%' not followed by two hex digits", 400},
    [RP_E_BAD_UTF8] = {"RP_E_BAD_UTF8", "percent-decoded bytes are not valid UTF-8", 400},
    [RP_E_ENCODED_SLASH] = {"RP_E_ENCODED_SLASH", "encoded slash refused", 404},
    [RP_E_ENCODED_NUL] = {"RP_E_ENCODED_NUL", "encoded NUL (%00) in path", 404},
    [RP_E_ABOVE_ROOT] = {"RP_E_ABOVE_ROOT", "dot segment climbs above the root", 400},
    [RP_E_DOT_PARAM] = {"RP_E_DOT_PARAM", "dot segment with parameters", 400},
    [RP_E_LIMIT] = {"RP_E_LIMIT", "regex match limit reached", 500},
    [RP_E_UNSAFE_OUTPUT] = {"RP_E_UNSAFE_OUTPUT", "result would leave the rule's backend", 500},
    [RP_E_HEADER] = {"RP_E_HEADER", "CR, LF or NUL in a header value", 502},
    [RP_E_USERINFO] = {"RP_E_USERINFO", "userinfo in request-target", 400},
    [RP_E_UNSUPPORTED] = {"RP_E_UNSUPPORTED", "feature not built into this library", 500},
    [RP_E_INTERNAL] = {"RP_E_INTERNAL", "internal error", 500},
    [RP_E_HOST] = {"RP_E_HOST", "invalid Host header", 400},
};

static const status_info *info(rp_status s)
{
    if ((unsigned)s > (unsigned)RP_STATUS_LAST)
        return NULL;
    return &k_status[s];
}

RP_API const char *rp_strerror(rp_status s)
{
    const status_info *i = info(s);
    return i ? i->text : "unknown status";
}

RP_API const char *rp_status_name(rp_status s)
{
    const status_info *i = info(s);
    return i ? i->name : "RP_UNKNOWN";
}

RP_API int rp_status_http(rp_status s)
{
    const status_info *i = info(s);
    return i ? i->http : 500;
}

RP_API uint32_t rp_version(void)
{
    return (uint32_t)RP_VERSION_NUMBER;
}

RP_API const char *rp_version_string(void)
{
    return RP_VERSION_STRING;
}

void rp__diag_clear(rp_diag *d)
{
    if (d)
        memset(d, 0, sizeof *d);
}

rp_status rp__diag_vset_at(rp_diag *d, rp_status code, uint32_t line, uint32_t col, size_t off,
                           const char *fmt, va_list ap)
{
    if (d) {
        d->code = code;
        d->line = line;
        d->column = col;
        d->offset = off;
        vsnprintf(d->message, sizeof d->message, fmt, ap);
    }
    return code;
}

rp_status rp__diag_set(rp_diag *d, rp_status code, const char *fmt, ...)
{
    if (d) {
        va_list ap;
        d->code = code;
        va_start(ap, fmt);
        vsnprintf(d->message, sizeof d->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
