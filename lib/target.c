/* Request-target canonicalization: one left-to-right pass, no recursion, no
 * allocation. Dot segments are removed by scanning back to the previous '/'
 * in the output, so the work is linear in the input (SECURITY.md R21). */
#include <string.h>

#include "internal.h"

/* Raw byte check shared by path and query. Returns RP_OK or the error. */
static rp_status raw_byte(unsigned char c, bool strict)
{
    if (c <= 0x20 || c == 0x7f)
        return RP_E_CTL;
    if (c == '#')
        return RP_E_FRAGMENT;
    if (!strict)
        return RP_OK;
    if (c >= 0x80)
        return RP_E_NON_ASCII;
    if (c == '\\')
        return RP_E_BACKSLASH;
    switch (c) {
    case '"': case '<': case '>': case '[': case ']': case '^': case '`': case '{': case '|':
    case '}':
        return RP_E_BAD_CHAR;
    default:
        return RP_OK;
    }
}

rp_status rp__check_query(const char *q, size_t len, bool strict, size_t *err_off)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)q[i];
        rp_status st = raw_byte(c, strict);
        if (st == RP_OK && strict && c == '%' &&
            (i + 2 >= len + 0 || rp__hexval((unsigned char)q[i + 1]) < 0 ||
             rp__hexval((unsigned char)q[i + 2]) < 0))
            st = RP_E_BAD_PERCENT;
        if (st != RP_OK) {
            if (err_off)
                *err_off = i;
            return st;
        }
    }
    return RP_OK;
}

/* UTF-8 validation of percent-decoded octets (RFC 3629 table). */
typedef struct utf8_state {
    unsigned need;             /* continuation bytes still expected */
    unsigned char lo, hi;      /* allowed range of the next continuation byte */
} utf8_state;

static bool utf8_step(utf8_state *u, unsigned char v)
{
    if (u->need) {
        if (v < u->lo || v > u->hi)
            return false;
        u->need--;
        u->lo = 0x80;
        u->hi = 0xBF;
        return true;
    }
    if (v < 0x80)
        return true;
    u->lo = 0x80;
    u->hi = 0xBF;
    if (v >= 0xC2 && v <= 0xDF)
        u->need = 1;
    else if (v == 0xE0) {
        u->need = 2;
        u->lo = 0xA0;
    } else if ((v >= 0xE1 && v <= 0xEC) || v == 0xEE || v == 0xEF)
        u->need = 2;
    else if (v == 0xED) {
        u->need = 2;
        u->hi = 0x9F;
    } else if (v == 0xF0) {
        u->need = 3;
        u->lo = 0x90;
    } else if (v >= 0xF1 && v <= 0xF3)
        u->need = 3;
    else if (v == 0xF4) {
        u->need = 3;
        u->hi = 0x8F;
    } else
        return false;
    return true;
}

static bool seg_is(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n == k && memcmp(s, lit, k) == 0;
}

/* "..;x", ".;", "..%3B", ".%3b": dot segments that carry parameters. */
static bool dot_param(const char *s, size_t n)
{
    size_t d = 0;
    while (d < n && d < 2 && s[d] == '.')
        d++;
    if (d == 0 || d == n)
        return false;
    if (s[d] == ';')
        return true;
    return n - d >= 3 && s[d] == '%' && s[d + 1] == '3' && (s[d + 2] == 'B' || s[d + 2] == 'b');
}

static const char k_hex[] = "0123456789ABCDEF";

rp_status rp__canon_path(const char *in, size_t len, const rp_canon_opts *o, char *out,
                         size_t *out_len, size_t *err_off)
{
    const unsigned f = o->flags;
    const bool literal = (f & RP_C_LITERAL) != 0;
    const bool strict_chars = (f & RP_C_STRICT_CHARS) != 0;
    const bool merge = (f & RP_C_MERGE) != 0;
    size_t i = 1, w = 1, seg = 1, nsegs = 1; /* segments of the input */
    bool skip_slash = false; /* the '/' after a removed dot segment is consumed */
    utf8_state u = {0, 0x80, 0xBF};
    rp_status st = RP_OK;

    *out_len = 0;
    if (len == 0 || in[0] != '/') {
        *err_off = 0;
        return RP_E_FORM;
    }
    out[0] = '/';
    for (;;) {
        bool sep = (i >= len);
        size_t adv = 1;
        unsigned char c = 0;
        if (!sep) {
            c = (unsigned char)in[i];
            if (c == '/') {
                sep = true;
            } else if (!literal) {
                if ((st = raw_byte(c, strict_chars)) != RP_OK)
                    goto fail;
                if (c == '%') {
                    int h1 = i + 1 < len ? rp__hexval((unsigned char)in[i + 1]) : -1;
                    int h2 = i + 2 < len ? rp__hexval((unsigned char)in[i + 2]) : -1;
                    if (h1 < 0 || h2 < 0) {
                        st = RP_E_BAD_PERCENT;
                        goto fail;
                    }
                    unsigned char v = (unsigned char)(h1 * 16 + h2);
                    adv = 3;
                    if (v == '/' || (v == '\\' && (f & RP_C_BACKSLASH_ENC))) {
                        if (o->slashes == RP_SLASHES_REJECT) {
                            st = RP_E_ENCODED_SLASH;
                            goto fail;
                        }
                        if (o->slashes == RP_SLASHES_DECODE && v == '/')
                            sep = true;
                        else if (o->slashes == RP_SLASHES_DECODE) {
                            /* %5C decoded: strict refuses a backslash */
                            st = RP_E_BACKSLASH;
                            goto fail;
                        }
                    }
                    if (!sep) {
                        if ((f & RP_C_CTL_DECODED) && (v < 0x20 || v == 0x7f)) {
                            st = RP_E_CTL;
                            goto fail;
                        }
                        if ((f & RP_C_UTF8) && (v >= 0x80 || u.need) && !utf8_step(&u, v)) {
                            st = RP_E_BAD_UTF8;
                            goto fail;
                        }
                        if (rp__is_unreserved(v)) {
                            out[w++] = (char)v;
                        } else if (f & RP_C_UPPER_HEX) {
                            out[w++] = '%';
                            out[w++] = k_hex[v >> 4];
                            out[w++] = k_hex[v & 15];
                        } else {
                            memmove(out + w, in + i, 3);
                            w += 3;
                        }
                        skip_slash = false;
                        i += 3;
                        continue;
                    }
                } else if ((f & RP_C_UTF8) && u.need) {
                    st = RP_E_BAD_UTF8;
                    goto fail;
                }
            }
        }
        if (!sep) {
            out[w++] = (char)c;
            skip_slash = false;
            i += adv;
            continue;
        }
        /* end of a segment: out[seg, w) */
        if ((f & RP_C_UTF8) && u.need) {
            st = RP_E_BAD_UTF8;
            goto fail;
        }
        {
            const char *s = out + seg;
            size_t n = w - seg, name = n;
            if (f & RP_C_SERVLET) {
                const char *semi = memchr(s, ';', n);
                if (semi)
                    name = (size_t)(semi - s);
            }
            if (seg_is(s, name, ".")) {
                w = seg;
                skip_slash = true;
            } else if (seg_is(s, name, "..")) {
                if (seg <= 1) {
                    st = RP_E_ABOVE_ROOT;
                    goto fail;
                }
                size_t j = seg - 2; /* out[seg-1] is the '/' before this segment */
                while (j > 0 && out[j] != '/')
                    j--;
                w = j + 1;
                seg = w;
                skip_slash = true;
            } else if ((f & RP_C_DOT_PARAM) && dot_param(s, n)) {
                st = RP_E_DOT_PARAM;
                goto fail;
            }
        }
        if (i >= len)
            break;
        i += adv;
        if (skip_slash) {
            skip_slash = false; /* "/./" and "/x/../" leave one '/' */
        } else if ((merge && out[w - 1] == '/') || (w == 1 && (f & RP_C_STRICT_CHARS))) {
            /* merged; the strict profile never starts a path with "//" */
        } else {
            out[w++] = '/';
        }
        seg = w;
        if (o->max_segments && ++nsegs > o->max_segments) {
            st = RP_E_TOO_LONG;
            goto fail;
        }
    }
    *out_len = w;
    return RP_OK;
fail:
    *err_off = i < len ? i : len;
    return st;
}

rp_status rp__unescape_all(char *p, size_t *len, unsigned slashes, bool *decoded_slash)
{
    size_t r = 0, w = 0, n = *len;
    *decoded_slash = false;
    while (r < n) {
        if (p[r] != '%') {
            p[w++] = p[r++];
            continue;
        }
        if (r + 2 >= n)
            return RP_E_BAD_PERCENT;
        int h1 = rp__hexval((unsigned char)p[r + 1]);
        int h2 = rp__hexval((unsigned char)p[r + 2]);
        if (h1 < 0 || h2 < 0)
            return RP_E_BAD_PERCENT;
        unsigned char v = (unsigned char)(h1 * 16 + h2);
        if (v == '/') {
            if (slashes == RP_SLASHES_REJECT)
                return RP_E_ENCODED_SLASH;
            if (slashes == RP_SLASHES_KEEP) {
                p[w++] = p[r++];
                p[w++] = p[r++];
                p[w++] = p[r++];
                continue;
            }
            *decoded_slash = true;
        } else if (v == 0) {
            return RP_E_ENCODED_NUL;
        }
        p[w++] = (char)v;
        r += 3;
    }
    *len = w;
    return RP_OK;
}
