/* Byte classes and the bounded writer: one routine counts and writes, so the
 * size reported on RP_E_NOSPACE and the bytes written can never disagree. */
#include <string.h>

#include "internal.h"

int rp__hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool rp__is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}


void rp__w_init(rp_writer *w, char *out, size_t out_size)
{
    w->buf = (out && out_size) ? out : NULL;
    w->cap = w->buf ? out_size - 1 : 0;
    w->len = 0;
}

void rp__w_pct(rp_writer *w, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char t[3] = {'%', hex[c >> 4], hex[c & 15]};
    rp__w_put(w, t, 3);
}

rp_status rp__w_finish(rp_writer *w, size_t max, size_t *out_len)
{
    if (w->len > max) {
        if (out_len)
            *out_len = w->len;
        return RP_E_TOO_LONG;
    }
    if (out_len)
        *out_len = w->len;
    if (!w->buf || w->len > w->cap)
        return RP_E_NOSPACE;
    w->buf[w->len] = '\0';
    return RP_OK;
}
