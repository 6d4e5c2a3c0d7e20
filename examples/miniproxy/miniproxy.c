/* miniproxy: a small HTTP/1.1 reverse proxy built on revproxy.
 *
 *   miniproxy -f rules.conf -l 127.0.0.1:PORT [--public http://HOST:PORT]
 *             [--profile apache|strict] [--proxy-remote http://HOST:PORT] [-v]
 *
 * libmicrohttpd serves the clients, libcurl fetches from the backends (it
 * never follows a redirect: the Location goes back to the client, rewritten).
 * For every request:
 *   - the request-target, as received (not unescaped), goes through
 *     rp_map_request: RP_NO_MATCH and RP_EXCLUDED answer 404; a refused
 *     target answers rp_status_http() (400 for most) with the status name
 *     (rp_status_name) in the body;
 *   - the request goes to the backend URL with the client's headers, minus
 *     the hop-by-hop ones, plus X-Forwarded-For (appended to the one
 *     received), X-Forwarded-Host, X-Forwarded-Proto and Forwarded (appended),
 *     all formatted by rp_format_forwarded; a WebDAV Destination header is
 *     mapped with rp_map_destination;
 *   - every response header goes through rp_rewrite_response_header (each
 *     Set-Cookie on its own, never folded), with the public origin (from
 *     --public, else rp_public_origin over the client's Host), the backend URL
 *     and the request-target as context. A header the library refuses
 *     (RP_E_HEADER, RP_E_UNSAFE_OUTPUT, ...) is dropped and logged.
 *
 * --proxy-remote sends every backend request through an HTTP proxy in
 * absolute form (Apache's "ProxyRemote *"), so backend host names in the
 * rules need not resolve; the end-to-end test uses it to replay the Apache
 * conformance cases.
 *
 * The whole backend response is buffered (at most MAX_BODY bytes). This is
 * an example: no TLS towards clients, no streaming, no connection reuse.
 * It stops on SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <revproxy/revproxy.h>

#define MAX_BODY (64u * 1024u * 1024u)
/* the default RP_LIMIT_OUTPUT_LEN (16384) + 1: enough unless the rules raise it */
#define OUT_SMALL 16385u

static rp_table *table;
static const char *public_origin; /* --public, or NULL */
static const char *proxy_remote;  /* --proxy-remote, or NULL */
static bool verbose;              /* -v: log every mapping to stderr */

/* ---- small growable byte buffer ---------------------------------------- */
typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static bool buf_add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return false;
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (char)(y + 32);
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* Headers that belong to one connection (RFC 9110 §7.6.1) or that the
 * proxy sets itself: never copied from client to backend or back. */
static bool hop_by_hop(const char *name)
{
    static const char *const names[] = {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
        "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Host", "Expect"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ieq(name, names[i]))
            return true;
    return false;
}

/* ---- per-request state ---------------------------------------------------- */
typedef struct request {
    char *target; /* the request-target exactly as received */
    const char *line_uri; /* where libmicrohttpd had it in the request line */
    buf body;     /* request body */
    bool started;
    bool too_big;
} request;

/* MHD_OPTION_URI_LOG_CALLBACK: called with the raw request-target before
 * libmicrohttpd unescapes it or splits off the query. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    request *r = calloc(1, sizeof *r);
    if (r) {
        r->target = strdup(uri ? uri : "");
        r->line_uri = uri;
    }
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request *r = *con_cls;
    if (r) {
        free(r->target);
        free(r->body.p);
        free(r);
    }
    *con_cls = NULL;
}

/* Keep the path as received: revproxy decides what its bytes mean. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

/* ---- answers made by the proxy itself ------------------------------------ */
static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result answer_status(struct MHD_Connection *c, rp_status st)
{
    int http = rp_status_http(st);
    if (http < 400)
        http = 500;
    char text[256];
    snprintf(text, sizeof text, "%d %s\n%s\n", http, rp_status_name(st), rp_strerror(st));
    return answer_text(c, (unsigned)http, text);
}

/* ---- calls into revproxy that produce a string ---------------------------- */
/* Each returns a malloc'd NUL-terminated string (length in *len) or NULL with
 * the status in *st. They retry once with the size the library asked for. */
typedef rp_status (*producer)(const void *arg, char *out, size_t out_size, size_t *out_len);

/* unchanged_ok: RP_NO_MATCH carries a usable value (the reverse functions). */
static char *produce_ex(producer fn, const void *arg, size_t *len, rp_status *st,
                        bool unchanged_ok)
{
    size_t size = OUT_SMALL;
    for (int attempt = 0; attempt < 2; attempt++) {
        char *out = malloc(size);
        if (!out) {
            *st = RP_E_NOMEM;
            return NULL;
        }
        *st = fn(arg, out, size, len);
        if (*st == RP_OK || (unchanged_ok && *st == RP_NO_MATCH))
            return out;
        free(out);
        if (*st != RP_E_NOSPACE)
            return NULL;
        size = *len + 1;
    }
    return NULL;
}

static char *produce(producer fn, const void *arg, size_t *len, rp_status *st)
{
    return produce_ex(fn, arg, len, st, false);
}

typedef struct map_arg {
    const char *target, *host;
    rp_match *m;
} map_arg;

static rp_status do_map(const void *a, char *out, size_t size, size_t *len)
{
    const map_arg *x = a;
    return rp_map_request(table, x->target, strlen(x->target), x->host,
                          x->host ? strlen(x->host) : 0, RP_MAP_DEFAULT, out, size, len, x->m);
}

typedef struct dest_arg {
    const char *value, *origin;
    rp_match *m;
} dest_arg;

static rp_status do_dest(const void *a, char *out, size_t size, size_t *len)
{
    const dest_arg *x = a;
    return rp_map_destination(table, x->value, strlen(x->value), x->origin, strlen(x->origin),
                              RP_MAP_DEFAULT, out, size, len, x->m);
}

typedef struct origin_arg {
    const char *host;
} origin_arg;

static rp_status do_origin(const void *a, char *out, size_t size, size_t *len)
{
    const origin_arg *x = a;
    return rp_public_origin(table, "http", 4, x->host, x->host ? strlen(x->host) : 0, out, size,
                            len);
}

typedef struct fwd_arg {
    unsigned which;
    const rp_forwarded *in;
} fwd_arg;

static rp_status do_fwd(const void *a, char *out, size_t size, size_t *len)
{
    const fwd_arg *x = a;
    return rp_format_forwarded(x->which, x->in, out, size, len);
}

typedef struct hdr_arg {
    const char *name, *value;
    const rp_response_ctx *ctx;
} hdr_arg;

static rp_status do_hdr(const void *a, char *out, size_t size, size_t *len)
{
    const hdr_arg *x = a;
    return rp_rewrite_response_header(table, x->name, strlen(x->name), x->value,
                                      strlen(x->value), x->ctx, 0, out, size, len);
}

/* ---- the backend exchange ------------------------------------------------- */
typedef struct header {
    char *name, *value;
} header;

typedef struct exchange {
    header *h;
    size_t n, cap;
    buf body;
    bool oom;
} exchange;

static void clear_headers(exchange *x)
{
    for (size_t i = 0; i < x->n; i++) {
        free(x->h[i].name);
        free(x->h[i].value);
    }
    x->n = 0;
}

static size_t trim_end(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

/* CURLOPT_HEADERFUNCTION: one header line at a time; a status line starts a
 * new response (an interim 1xx one, or the final one). */
static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    exchange *x = ud;
    size_t n = size * nmemb, len = trim_end(line, n);
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        clear_headers(x);
        return n;
    }
    if (len == 0)
        return n;
    if ((line[0] == ' ' || line[0] == '\t') && x->n > 0) {
        /* obs-fold: join the continuation to the previous value */
        header *h = &x->h[x->n - 1];
        size_t skip = 0;
        while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
            skip++;
        size_t old = strlen(h->value);
        char *v = realloc(h->value, old + 1 + (len - skip) + 1);
        if (!v) {
            x->oom = true;
            return 0;
        }
        v[old] = ' ';
        memcpy(v + old + 1, line + skip, len - skip);
        v[old + 1 + len - skip] = '\0';
        h->value = v;
        return n;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return n; /* not a header line: ignore it */
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        header *nh = realloc(x->h, cap * sizeof *nh);
        if (!nh) {
            x->oom = true;
            return 0;
        }
        x->h = nh;
        x->cap = cap;
    }
    const char *v = colon + 1;
    while (v < line + len && (*v == ' ' || *v == '\t'))
        v++;
    header *h = &x->h[x->n];
    h->name = strndup(line, (size_t)(colon - line));
    h->value = strndup(v, (size_t)(line + len - v));
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        x->oom = true;
        return 0;
    }
    x->n++;
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    exchange *x = ud;
    size_t n = size * nmemb;
    if (x->body.len + n > MAX_BODY || !buf_add(&x->body, data, n))
        return 0;
    return n;
}

/* The Content-Length of the backend's answer to a HEAD request. */
static bool head_length(const exchange *x, uint64_t *len)
{
    for (size_t i = 0; i < x->n; i++) {
        if (!ieq(x->h[i].name, "Content-Length"))
            continue;
        const char *v = x->h[i].value;
        if (*v < '0' || *v > '9')
            return false;
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (errno || *end || n >= MHD_SIZE_UNKNOWN)
            return false;
        *len = n;
        return true;
    }
    return false;
}

static ssize_t no_body(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)cls;
    (void)pos;
    (void)out;
    (void)max;
    return MHD_CONTENT_READER_END_OF_STREAM;
}

typedef struct hdr_list {
    struct curl_slist *list;
    bool oom;
} hdr_list;

static void list_add(hdr_list *l, const char *name, const char *value)
{
    size_t n = strlen(name) + 2 + strlen(value) + 1;
    char *line = malloc(n);
    if (!line) {
        l->oom = true;
        return;
    }
    snprintf(line, n, "%s: %s", name, value);
    struct curl_slist *nl = curl_slist_append(l->list, line);
    free(line);
    if (!nl)
        l->oom = true;
    else
        l->list = nl;
}

/* Copy the client's end-to-end headers (not the forwarding ones: those are
 * added below, with the received value as the prior one). */
static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    hdr_list *l = cls;
    if (hop_by_hop(key) || ieq(key, "X-Forwarded-For") || ieq(key, "X-Forwarded-Host") ||
        ieq(key, "X-Forwarded-Proto") || ieq(key, "Forwarded") || ieq(key, "Destination"))
        return MHD_YES;
    list_add(l, key, value ? value : "");
    return MHD_YES;
}

static void client_address(struct MHD_Connection *c, char *addr, size_t size)
{
    addr[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr,
                  (socklen_t)size);
}

/* Add one forwarding header; false (and *st) when the library refuses it. */
static bool add_forwarded(hdr_list *l, unsigned which, const char *name, const rp_forwarded *in,
                          rp_status *st)
{
    fwd_arg fa = {which, in};
    size_t len;
    char *v = produce(do_fwd, &fa, &len, st);
    if (!v)
        return false;
    list_add(l, name, v);
    free(v);
    return true;
}

/* The authority of an absolute-form http request-target ("http://h:p/x" ->
 * "h:p"), which replaces the Host header (RFC 9112 §3.2.2), as Apache does
 * for its own scheme; NULL for other forms and schemes. */
static char *target_authority(const char *t)
{
    if (strlen(t) < 7 || !(t[0] == 'h' || t[0] == 'H') || !(t[1] == 't' || t[1] == 'T') ||
        !(t[2] == 't' || t[2] == 'T') || !(t[3] == 'p' || t[3] == 'P') ||
        strncmp(t + 4, "://", 3) != 0)
        return NULL;
    const char *p = t + 7;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) { /* userinfo: rp_map_request refuses it (RP_E_USERINFO) anyway */
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    return strndup(p, n);
}

/* The request-target to send to the backend: path and query of the backend
 * URL exactly as the library wrote them (libcurl would drop an empty "?"),
 * or the whole URL when going through --proxy-remote. */
static const char *backend_target(const char *url)
{
    if (proxy_remote)
        return url;
    const char *p = strstr(url, "://");
    if (!p)
        return url;
    p += 3;
    p += strcspn(p, "/?#");
    return *p == '/' ? p : NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    request *r = *con_cls;
    if (!r || !r->target)
        return MHD_NO;
    if (!r->started) {
        r->started = true;
        return MHD_YES; /* headers are in; the body (if any) comes next */
    }
    if (*upload_data_size != 0) {
        if (r->body.len + *upload_data_size > MAX_BODY ||
            !buf_add(&r->body, upload_data, *upload_data_size))
            r->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        return answer_text(c, 413, "413 request body too large\n");
    /* libmicrohttpd hands over C strings: a NUL byte inside the
     * request-target would cut it short ("/app/x\0/../../admin" -> "/app/x").
     * In the request line the version follows the target and one space, so
     * anything else between them means the target had a NUL in it. */
    if (r->line_uri && version != r->line_uri + strlen(r->target) + 1)
        return answer_status(c, RP_E_CTL);

    /* 1. map the request-target */
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    rp_match m;
    map_arg ma = {r->target, host, &m};
    size_t url_len;
    rp_status st;
    char *backend = produce(do_map, &ma, &url_len, &st);
    if (verbose)
        fprintf(stderr, "miniproxy: %s %s -> %s\n", method, r->target,
                backend ? backend : rp_status_name(st));
    if (!backend) {
        if (st == RP_NO_MATCH || st == RP_EXCLUDED)
            return answer_text(c, 404, st == RP_NO_MATCH ? "404 not proxied: RP_NO_MATCH\n"
                                                         : "404 not proxied: RP_EXCLUDED\n");
        return answer_status(c, st);
    }
    char *send_host = m.host ? strndup(m.host, m.host_len) : NULL;

    /* 2. the public origin the client used. An HTTP/1.0 request without
     * Host, to rules without ServerName, has none: rewritten values are then
     * path-absolute. */
    char *origin = NULL;
    bool no_origin = false;
    if (public_origin) {
        origin = strdup(public_origin);
    } else {
        char *authority = target_authority(r->target);
        origin_arg oa = {authority ? authority : host};
        size_t olen;
        origin = produce(do_origin, &oa, &olen, &st);
        no_origin = !origin && !oa.host && st == RP_E_ARG;
        free(authority);
    }

    exchange x = {0};
    hdr_list hl = {0};
    enum MHD_Result ret = MHD_NO;
    CURL *curl = NULL;
    if ((!origin && !no_origin) || (m.host && !send_host)) {
        ret = answer_status(c, origin || public_origin ? RP_E_NOMEM : st);
        goto done;
    }

    /* 3. request headers */
    MHD_get_connection_values(c, MHD_HEADER_KIND, copy_header, &hl);
    if (send_host)
        list_add(&hl, "Host", send_host);
    char addr[INET6_ADDRSTRLEN];
    client_address(c, addr, sizeof addr);
    const char *proto = origin && strncmp(origin, "https:", 6) == 0 ? "https" : "http";
    rp_forwarded fw = {0};
    fw.client_addr = addr[0] ? addr : NULL;
    fw.client_addr_len = strlen(addr);
    fw.host = host;
    fw.host_len = host ? strlen(host) : 0;
    fw.proto = proto;
    fw.proto_len = strlen(proto);
    const char *prior = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    fw.prior = prior;
    fw.prior_len = prior ? strlen(prior) : 0;
    if (fw.client_addr && !add_forwarded(&hl, RP_FWD_X_FORWARDED_FOR, "X-Forwarded-For", &fw, &st)) {
        ret = answer_status(c, st);
        goto done;
    }
    fw.prior = NULL;
    fw.prior_len = 0;
    if (host && !add_forwarded(&hl, RP_FWD_X_FORWARDED_HOST, "X-Forwarded-Host", &fw, &st)) {
        ret = answer_status(c, st);
        goto done;
    }
    if (!add_forwarded(&hl, RP_FWD_X_FORWARDED_PROTO, "X-Forwarded-Proto", &fw, &st)) {
        ret = answer_status(c, st);
        goto done;
    }
    prior = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Forwarded");
    fw.prior = prior;
    fw.prior_len = prior ? strlen(prior) : 0;
    if (!add_forwarded(&hl, RP_FWD_FORWARDED, "Forwarded", &fw, &st)) {
        ret = answer_status(c, st);
        goto done;
    }
    const char *dest = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Destination");
    if (dest) {
        rp_match dm;
        dest_arg da = {dest, origin ? origin : "", &dm};
        size_t dlen;
        char *mapped = produce(do_dest, &da, &dlen, &st);
        if (!mapped) {
            ret = st == RP_NO_MATCH || st == RP_EXCLUDED
                      ? answer_text(c, 403, "403 Destination not proxied\n")
                      : answer_status(c, st);
            goto done;
        }
        list_add(&hl, "Destination", mapped);
        free(mapped);
    }
    list_add(&hl, "Expect", ""); /* no "Expect: 100-continue" from libcurl */
    if (hl.oom) {
        ret = answer_status(c, RP_E_NOMEM);
        goto done;
    }

    /* 4. fetch */
    curl = curl_easy_init();
    if (!curl) {
        ret = answer_text(c, 502, "502 cannot start a backend request\n");
        goto done;
    }
    curl_easy_setopt(curl, CURLOPT_URL, backend);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    const char *rt = backend_target(backend);
    if (rt)
        curl_easy_setopt(curl, CURLOPT_REQUEST_TARGET, rt);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_PROXY, proxy_remote ? proxy_remote : "");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl.list);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(curl, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0 || r->body.len > 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
        if (r->body.len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r->body.p ? r->body.p : "");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
        }
    }
    CURLcode cr = curl_easy_perform(curl);
    if (cr != CURLE_OK || x.oom) {
        char text[512];
        snprintf(text, sizeof text, "502 backend request failed: %s\n",
                 x.oom ? "out of memory" : curl_easy_strerror(cr));
        ret = answer_text(c, 502, text);
        goto done;
    }
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);

    /* 5. answer, every header rewritten */
    struct MHD_Response *resp;
    uint64_t head_len;
    if (strcmp(method, "HEAD") == 0 && head_length(&x, &head_len))
        /* a response of that size whose body is never read: libmicrohttpd
         * sends the backend's Content-Length and, for HEAD, no body */
        resp = MHD_create_response_from_callback(head_len, 4096, no_body, NULL, NULL);
    else
        resp = MHD_create_response_from_buffer(x.body.len, x.body.p ? x.body.p : (void *)"",
                                               MHD_RESPMEM_MUST_COPY);
    if (!resp)
        goto done;
    rp_response_ctx ctx = {origin, origin ? strlen(origin) : 0, backend, url_len, r->target,
                           strlen(r->target)};
    for (size_t i = 0; i < x.n; i++) {
        if (hop_by_hop(x.h[i].name))
            continue;
        hdr_arg ha = {x.h[i].name, x.h[i].value, &ctx};
        size_t vlen;
        char *v = produce_ex(do_hdr, &ha, &vlen, &st, true);
        if (!v) {
            fprintf(stderr, "miniproxy: %s %s: response header %s dropped: %s\n", method,
                    r->target, x.h[i].name, rp_status_name(st));
            continue;
        }
        if (MHD_add_response_header(resp, x.h[i].name, v) != MHD_YES)
            fprintf(stderr, "miniproxy: response header %s refused by libmicrohttpd\n",
                    x.h[i].name);
        free(v);
    }
    ret = MHD_queue_response(c, (unsigned)code, resp);
    MHD_destroy_response(resp);

done:
    if (curl)
        curl_easy_cleanup(curl);
    curl_slist_free_all(hl.list);
    clear_headers(&x);
    free(x.h);
    free(x.body.p);
    free(origin);
    free(send_host);
    free(backend);
    return ret;
}

/* ---- start-up ------------------------------------------------------------- */
static void usage(void)
{
    fputs("usage: miniproxy -f RULES -l ADDR:PORT [--public ORIGIN] [--profile apache|strict]\n"
          "                 [--proxy-remote http://HOST:PORT] [-v]\n",
          stderr);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (!buf_add(&b, chunk, got)) {
            free(b.p);
            fclose(f);
            return NULL;
        }
    bool err = ferror(f) != 0;
    fclose(f);
    if (err || !buf_add(&b, "", 0)) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

static bool parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
    const char *colon = strrchr(s, ':');
    if (!colon)
        return false;
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
        return false;
    char host[64];
    size_t hl = (size_t)(colon - s);
    if (hl >= sizeof host)
        return false;
    memcpy(host, s, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *sl = sizeof *in4;
        return true;
    }
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) == 1) {
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons((uint16_t)port);
            *sl = sizeof *in6;
            return true;
        }
    }
    return false;
}

static rp_table *load_rules(const char *path, unsigned profile)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "miniproxy: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    rp_builder *b = NULL;
    rp_table *t = NULL;
    rp_diag d;
    rp_status st = rp_builder_new(profile, NULL, &b);
    if (st == RP_OK) {
        st = rp_builder_add_config(b, text, len, path, &d);
        if (st != RP_OK)
            fprintf(stderr, "miniproxy: %s:%u:%u: %s: %s\n", path, (unsigned)d.line,
                    (unsigned)d.column, rp_status_name(st), d.message);
    }
    if (st == RP_OK) {
        size_t nw = rp_builder_warning_count(b);
        for (size_t i = 0; i < nw; i++) {
            rp_diag w;
            if (rp_builder_warning(b, i, &w) == RP_OK)
                fprintf(stderr, "miniproxy: %s:%u:%u: warning: %s\n", path, (unsigned)w.line,
                        (unsigned)w.column, w.message);
        }
        st = rp_builder_compile(b, &t, &d);
        if (st != RP_OK)
            fprintf(stderr, "miniproxy: %s: %s: %s\n", path, rp_status_name(st), d.message);
    } else if (!b) {
        fprintf(stderr, "miniproxy: %s\n", rp_status_name(st));
    }
    rp_builder_free(b);
    free(text);
    return st == RP_OK ? t : NULL;
}

int main(int argc, char **argv)
{
    const char *rules = NULL, *listen = NULL;
    unsigned profile = RP_PROFILE_APACHE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-v") == 0) {
            verbose = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        }
        if (!v) {
            usage();
            return 2;
        }
        if (strcmp(a, "-f") == 0)
            rules = v;
        else if (strcmp(a, "-l") == 0)
            listen = v;
        else if (strcmp(a, "--public") == 0)
            public_origin = v;
        else if (strcmp(a, "--proxy-remote") == 0)
            proxy_remote = v;
        else if (strcmp(a, "--profile") == 0 && strcmp(v, "apache") == 0)
            profile = RP_PROFILE_APACHE;
        else if (strcmp(a, "--profile") == 0 && strcmp(v, "strict") == 0)
            profile = RP_PROFILE_STRICT;
        else {
            usage();
            return 2;
        }
        i++;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!rules || !listen || !parse_listen(listen, &ss, &sl)) {
        usage();
        return 2;
    }
    if (public_origin && strncmp(public_origin, "http://", 7) != 0 &&
        strncmp(public_origin, "https://", 8) != 0) {
        fputs("miniproxy: --public must be http://HOST[:PORT] or https://HOST[:PORT]\n", stderr);
        return 2;
    }
    table = load_rules(rules, profile);
    if (!table)
        return 2;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("miniproxy: curl_global_init failed\n", stderr);
        rp_table_free(table);
        return 2;
    }

    /* Block the stop signals in every thread; main waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
            (((const struct sockaddr *)&ss)->sa_family == AF_INET6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&ss,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape,
        NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_THREAD_STACK_SIZE, (size_t)(1024u * 1024u), MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "miniproxy: cannot listen on %s\n", listen);
        curl_global_cleanup();
        rp_table_free(table);
        return 2;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "miniproxy: listening on %s (port %u), %zu rules\n", listen,
            di ? (unsigned)di->port : 0u, rp_table_rule_count(table));
    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    curl_global_cleanup();
    rp_table_free(table);
    (void)sl;
    return 0;
}
