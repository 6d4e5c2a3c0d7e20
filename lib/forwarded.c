/* rp_format_forwarded: values for X-Forwarded-* and RFC 7239 Forwarded. */
#include <string.h>

#include "internal.h"

static bool has_bad(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] == 0x7f)
            return true;
    return false;
}

static bool is_ipv4(const char *p, size_t n)
{
    unsigned parts = 0, digits = 0, v = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (!digits || v > 255)
                return false;
            parts++;
            digits = v = 0;
        } else if (p[i] >= '0' && p[i] <= '9') {
            v = v * 10 + (unsigned)(p[i] - '0');
            if (++digits > 3)
                return false;
        } else {
            return false;
        }
    }
    return parts == 4;
}

static bool is_ipv6(const char *p, size_t n)
{
    char tmp[64];
    unsigned char ip[16];
    if (n == 0 || n + 2 > sizeof tmp)
        return false;
    tmp[0] = '[';
    memcpy(tmp + 1, p, n);
    tmp[n + 1] = ']';
    return rp__ip6_parse(tmp, n + 2, ip);
}

static bool is_token(const char *p, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c && strchr("!#$%&'*+-.^_`|~", c))))
            return false;
    }
    return true;
}

/* node (RFC 7239 §6): IPv4, "[IPv6]", "unknown" or "_obfuscated", optional port */
static rp_status put_node(rp_writer *w, const char *a, size_t n, unsigned port)
{
    bool v6 = is_ipv6(a, n);
    bool ident = (n == 7 && memcmp(a, "unknown", 7) == 0) || (n > 1 && a[0] == '_' && is_token(a, n));
    if (!v6 && !ident && !is_ipv4(a, n))
        return RP_E_ARG;
    bool quote = v6 || port;
    if (quote)
        rp__w_byte(w, '"');
    if (v6)
        rp__w_byte(w, '[');
    rp__w_put(w, a, n);
    if (v6)
        rp__w_byte(w, ']');
    if (port) {
        char d[8];
        size_t k = 0;
        while (port && k < sizeof d) {
            d[k++] = (char)('0' + port % 10);
            port /= 10;
        }
        rp__w_byte(w, ':');
        while (k)
            rp__w_byte(w, (unsigned char)d[--k]);
    }
    if (quote)
        rp__w_byte(w, '"');
    return RP_OK;
}

RP_API rp_status rp_format_forwarded(unsigned which, const rp_forwarded *in, char *out,
                                     size_t out_size, size_t *out_len)
{
    if (!in || !out_len || (!out && out_size) || which < RP_FWD_X_FORWARDED_FOR ||
        which > RP_FWD_FORWARDED || in->client_port > 65535)
        return RP_E_ARG;
    *out_len = 0;
    const char *fields[] = {in->client_addr, in->host, in->proto, in->prefix, in->by, in->prior};
    const size_t lens[] = {in->client_addr_len, in->host_len, in->proto_len, in->prefix_len,
                           in->by_len, in->prior_len};
    for (size_t i = 0; i < 6; i++) {
        if (!fields[i] && lens[i])
            return RP_E_ARG;
        if (fields[i] && rp__check_header_value(fields[i], lens[i], 8192) != RP_OK)
            return RP_E_HEADER;
        if (fields[i] && i != 5 && has_bad(fields[i], lens[i]))
            return RP_E_ARG;
    }
    if (in->proto && !is_token(in->proto, in->proto_len))
        return RP_E_ARG;
    if (in->prefix && (in->prefix_len == 0 || in->prefix[0] != '/'))
        return RP_E_ARG;
    rp_writer w;
    rp__w_init(&w, out, out_size);
    rp_status st = RP_OK;
    switch (which) {
    case RP_FWD_X_FORWARDED_FOR:
        if (!in->client_addr)
            return RP_E_ARG;
        if (!is_ipv4(in->client_addr, in->client_addr_len) &&
            !is_ipv6(in->client_addr, in->client_addr_len))
            return RP_E_ARG;
        if (in->prior && in->prior_len) {
            rp__w_put(&w, in->prior, in->prior_len);
            rp__w_put(&w, ", ", 2);
        }
        rp__w_put(&w, in->client_addr, in->client_addr_len);
        break;
    case RP_FWD_X_FORWARDED_HOST:
    case RP_FWD_X_FORWARDED_PROTO:
    case RP_FWD_X_FORWARDED_PREFIX: {
        const char *f = which == RP_FWD_X_FORWARDED_HOST    ? in->host
                        : which == RP_FWD_X_FORWARDED_PROTO ? in->proto
                                                            : in->prefix;
        size_t fl = which == RP_FWD_X_FORWARDED_HOST    ? in->host_len
                    : which == RP_FWD_X_FORWARDED_PROTO ? in->proto_len
                                                        : in->prefix_len;
        if (!f)
            return RP_E_ARG;
        rp__w_put(&w, f, fl);
        break;
    }
    default: { /* Forwarded */
        if (in->prior && in->prior_len) {
            rp__w_put(&w, in->prior, in->prior_len);
            rp__w_put(&w, ", ", 2);
        }
        const char *sep = "";
        if (in->client_addr) {
            rp__w_put(&w, "for=", 4);
            if ((st = put_node(&w, in->client_addr, in->client_addr_len, in->client_port)) != RP_OK)
                return st;
            sep = ";";
        }
        if (in->by) {
            rp__w_put(&w, sep, strlen(sep));
            rp__w_put(&w, "by=", 3);
            if ((st = put_node(&w, in->by, in->by_len, 0)) != RP_OK)
                return st;
            sep = ";";
        }
        if (in->host) {
            rp__w_put(&w, sep, strlen(sep));
            rp__w_put(&w, "host=", 5);
            bool q = !is_token(in->host, in->host_len);
            if (q)
                rp__w_byte(&w, '"');
            rp__w_put(&w, in->host, in->host_len);
            if (q)
                rp__w_byte(&w, '"');
            sep = ";";
        }
        if (in->proto) {
            rp__w_put(&w, sep, strlen(sep));
            rp__w_put(&w, "proto=", 6);
            rp__w_put(&w, in->proto, in->proto_len);
        }
        break;
    }
    }
    return rp__w_finish(&w, SIZE_MAX, out_len);
}
