/* rp_format_forwarded: values for X-Forwarded-For, -Host, -Proto, -Prefix
 * and RFC 7239 Forwarded. Every input is checked before anything is
 * written, so a value built from a hostile client address, Host or prior
 * header can never carry a second header, a second list element or an
 * unbalanced quote. The library only formats: deciding which received
 * values to trust (prior) is the server's job (docs/headers.md). */
#include <string.h>

#include "internal.h"

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 9110 tchar */
static bool is_tchar(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token(const char *p, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)p[i]))
            return false;
    return true;
}

static bool is_vchar(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e;
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 3986 IPv4address: four dec-octets, no leading zeros (inet_aton would
 * read "010" as octal). */
static bool is_ipv4(const char *p, size_t n)
{
    unsigned parts = 0, digits = 0, v = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (digits == 0 || v > 255)
                return false;
            parts++;
            digits = v = 0;
        } else if (is_digit((unsigned char)p[i])) {
            if (digits == 1 && v == 0)
                return false; /* leading zero */
            if (++digits > 3)
                return false;
            v = v * 10 + (unsigned)(p[i] - '0');
        } else {
            return false;
        }
    }
    return parts == 4;
}

/* IPv6 text without brackets (no zone id). */
static bool is_ipv6(const char *p, size_t n)
{
    char tmp[64];
    unsigned char ip[16];
    if (n < 2 || n + 2 > sizeof tmp)
        return false;
    tmp[0] = '[';
    memcpy(tmp + 1, p, n);
    tmp[n + 1] = ']';
    return rp__ip6_parse(tmp, n + 2, ip);
}

enum { NODE_V4, NODE_V6, NODE_NAME };

/* RFC 7239 §6 nodename: IPv4, IPv6 (brackets optional here), "unknown"
 * (any case) or an obfuscated "_name" (ALPHA / DIGIT / "." / "_" / "-").
 * *a and *n are narrowed to the address without brackets. */
static bool node_kind(const char **a, size_t *n, int *kind)
{
    const char *p = *a;
    size_t len = *n;
    if (len >= 2 && p[0] == '[' && p[len - 1] == ']') {
        if (!is_ipv6(p + 1, len - 2))
            return false;
        *a = p + 1;
        *n = len - 2;
        *kind = NODE_V6;
        return true;
    }
    if (is_ipv4(p, len)) {
        *kind = NODE_V4;
        return true;
    }
    if (is_ipv6(p, len)) {
        *kind = NODE_V6;
        return true;
    }
    *kind = NODE_NAME;
    if (len == 7) {
        static const char unk[] = "unknown";
        size_t i = 0;
        while (i < 7 && rp__lower((unsigned char)p[i]) == (unsigned char)unk[i])
            i++;
        if (i == 7)
            return true;
    }
    if (len < 2 || p[0] != '_')
        return false;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!(is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* URI scheme (RFC 7239 §5.4): ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static bool proto_ok(const char *p, size_t n)
{
    if (n == 0 || !is_alpha((unsigned char)p[0]))
        return false;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* A path-absolute prefix: pchar and '/', %XX escapes, no ',' (consumers
 * read X-Forwarded-Prefix as a list), no "//" at the start (a backend that
 * prepends it would build a network-path reference: an open redirect), no
 * "." or ".." segments. */
static bool prefix_ok(const char *p, size_t n)
{
    if (n == 0 || p[0] != '/' || (n > 1 && p[1] == '/'))
        return false;
    size_t seg = 1; /* start of the current segment */
    for (size_t i = 1; i <= n; i++) {
        if (i == n || p[i] == '/') {
            size_t sl = i - seg;
            if ((sl == 1 && p[seg] == '.') || (sl == 2 && p[seg] == '.' && p[seg + 1] == '.'))
                return false;
            seg = i + 1;
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (c == '%') {
            if (n - i < 3 || rp__hexval((unsigned char)p[i + 1]) < 0 ||
                rp__hexval((unsigned char)p[i + 2]) < 0)
                return false;
            i += 2;
            continue;
        }
        if (!(rp__is_unreserved(c) || (c != 0 && strchr("!$&'()*+;=:@", c) != NULL)))
            return false;
    }
    return true;
}

/* Trim OWS on both sides. */
static void trim(const char **p, size_t *n)
{
    while (*n && ows((*p)[0])) {
        (*p)++;
        (*n)--;
    }
    while (*n && ows((*p)[*n - 1]))
        (*n)--;
}

/* A received X-Forwarded-For: visible ASCII, SP and HTAB only. */
static bool xff_prior_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_vchar((unsigned char)p[i]) && !ows(p[i]))
            return false;
    return true;
}

/* A received Forwarded value: visible ASCII, SP and HTAB, and every
 * quoted-string closed, so that the element appended after it is parsed as
 * an element of its own (an open quote would swallow it). The grammar of
 * the prior hops is not checked further: they are the sender's. */
static bool fwd_prior_ok(const char *p, size_t n)
{
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        if (!is_vchar((unsigned char)p[i]) && !ows(p[i]))
            return false;
        if (quoted && p[i] == '\\') {
            if (++i == n || (!is_vchar((unsigned char)p[i]) && !ows(p[i])))
                return false;
        } else if (p[i] == '"') {
            quoted = !quoted;
        }
    }
    return !quoted;
}

static void put_port(rp_writer *w, unsigned port)
{
    char d[8];
    size_t k = 0;
    do {
        d[k++] = (char)('0' + port % 10);
        port /= 10;
    } while (port);
    rp__w_byte(w, ':');
    while (k)
        rp__w_byte(w, (unsigned char)d[--k]);
}

/* RFC 7239 §6 node: quoted when it is IPv6 or has a port. */
static void put_node(rp_writer *w, const char *a, size_t n, int kind, unsigned port)
{
    bool quote = kind == NODE_V6 || port != 0;
    if (quote)
        rp__w_byte(w, '"');
    if (kind == NODE_V6)
        rp__w_byte(w, '[');
    rp__w_put(w, a, n);
    if (kind == NODE_V6)
        rp__w_byte(w, ']');
    if (port)
        put_port(w, port);
    if (quote)
        rp__w_byte(w, '"');
}

RP_API rp_status rp_format_forwarded(unsigned which, const rp_forwarded *in, char *out,
                                     size_t out_size, size_t *out_len)
{
    if (!in || !out_len || (!out && out_size))
        return RP_E_ARG;
    *out_len = 0;
    if (which < RP_FWD_X_FORWARDED_FOR || which > RP_FWD_FORWARDED || in->client_port > 65535)
        return RP_E_ARG;
    const char *fields[] = {in->client_addr, in->host, in->proto, in->prefix, in->by, in->prior};
    const size_t lens[] = {in->client_addr_len, in->host_len, in->proto_len, in->prefix_len,
                           in->by_len, in->prior_len};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!fields[i] && lens[i])
            return RP_E_ARG;
        if (fields[i] && rp__check_header_value(fields[i], lens[i], SIZE_MAX) != RP_OK)
            return RP_E_HEADER; /* CR, LF or NUL in any field */
    }

    /* check what this header uses, before writing anything */
    const char *addr = in->client_addr, *by = in->by, *prior = in->prior;
    size_t addr_len = in->client_addr_len, by_len = in->by_len, prior_len = in->prior_len;
    int addr_kind = NODE_V4, by_kind = NODE_V4;
    bool fwd = which == RP_FWD_FORWARDED;
    if (which == RP_FWD_X_FORWARDED_FOR || fwd) {
        if (prior) {
            trim(&prior, &prior_len);
            if (!(fwd ? fwd_prior_ok(prior, prior_len) : xff_prior_ok(prior, prior_len)))
                return RP_E_ARG;
        }
        if (addr && !node_kind(&addr, &addr_len, &addr_kind))
            return RP_E_ARG;
    }
    switch (which) {
    case RP_FWD_X_FORWARDED_FOR:
        if (!addr)
            return RP_E_ARG;
        break;
    case RP_FWD_X_FORWARDED_HOST:
        if (!in->host || !rp__host_valid(in->host, in->host_len))
            return RP_E_ARG;
        break;
    case RP_FWD_X_FORWARDED_PROTO:
        if (!in->proto || !proto_ok(in->proto, in->proto_len))
            return RP_E_ARG;
        break;
    case RP_FWD_X_FORWARDED_PREFIX:
        if (!in->prefix || !prefix_ok(in->prefix, in->prefix_len))
            return RP_E_ARG;
        break;
    default: /* Forwarded */
        if (by && !node_kind(&by, &by_len, &by_kind))
            return RP_E_ARG;
        if (in->host && !rp__host_valid(in->host, in->host_len))
            return RP_E_ARG;
        if (in->proto && !proto_ok(in->proto, in->proto_len))
            return RP_E_ARG;
        if (!addr && !by && !in->host && !in->proto)
            return RP_E_ARG; /* an element needs at least one pair */
        break;
    }

    rp_writer w;
    rp__w_init(&w, out, out_size);
    switch (which) {
    case RP_FWD_X_FORWARDED_FOR:
        if (prior && prior_len) {
            rp__w_put(&w, prior, prior_len);
            rp__w_put(&w, ", ", 2);
        }
        rp__w_put(&w, addr, addr_len);
        break;
    case RP_FWD_X_FORWARDED_HOST:
        rp__w_put(&w, in->host, in->host_len);
        break;
    case RP_FWD_X_FORWARDED_PROTO:
        rp__w_put(&w, in->proto, in->proto_len);
        break;
    case RP_FWD_X_FORWARDED_PREFIX:
        rp__w_put(&w, in->prefix, in->prefix_len);
        break;
    default: {
        if (prior && prior_len) {
            rp__w_put(&w, prior, prior_len);
            rp__w_put(&w, ", ", 2);
        }
        bool first = true;
        if (addr) {
            rp__w_put(&w, "for=", 4);
            put_node(&w, addr, addr_len, addr_kind, in->client_port);
            first = false;
        }
        if (by) {
            rp__w_put(&w, first ? "by=" : ";by=", first ? 3 : 4);
            put_node(&w, by, by_len, by_kind, 0);
            first = false;
        }
        if (in->host) {
            rp__w_put(&w, first ? "host=" : ";host=", first ? 5 : 6);
            bool q = !is_token(in->host, in->host_len);
            if (q)
                rp__w_byte(&w, '"');
            rp__w_put(&w, in->host, in->host_len);
            if (q)
                rp__w_byte(&w, '"');
            first = false;
        }
        if (in->proto) {
            rp__w_put(&w, first ? "proto=" : ";proto=", first ? 6 : 7);
            rp__w_put(&w, in->proto, in->proto_len);
        }
        break;
    }
    }
    return rp__w_finish(&w, SIZE_MAX, out_len);
}
