/* Threads (SECURITY.md R26; docs/security.md "Threads and reloading").
 *
 * 1. Shared table: N threads make M mixed calls each (rp_map_request,
 *    rp_rewrite_location, rp_rewrite_set_cookie, rp_rewrite_response_header,
 *    rp_map_destination, rp_public_origin) on one Apache-profile and one
 *    strict-profile table, and compare every result with the one computed
 *    beforehand on a single thread.
 * 2. Reload: a publisher thread keeps building new tables, swaps them in
 *    through a C11 atomic pointer and frees the old one once every reader
 *    has left it (an epoch / reader-slot quiescence scheme, the pattern of
 *    docs/api.md §9), while N readers map requests through whatever table is
 *    current and check that each request saw one consistent table.
 *
 * Modes:
 *   test_threads              4 threads x 10 000 calls (the normal suite)
 *   test_threads --full       16 threads x 100 000 calls (R26; run it in a
 *                             ThreadSanitizer build, see docs/security.md)
 *   RP_THREADS_FULL=1         same as --full
 *   test_threads THREADS CALLS
 *
 * Output is TAP; the exit status is 1 on any failure. Public API only. */
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <revproxy/revproxy.h>

#define MAX_THREADS 64

static const char CONF[] =
    "ServerName https://www.example.com\n"
    "ProxyPass /app/static !\n"
    "ProxyPass /app http://backend.internal:8080/internal\n"
    "ProxyPass /api http://[fd00::5]:8080/v1\n"
    "ProxyPassMatch ^/img/(.*)$ http://images.internal/static/$1\n"
    "ProxyPassMatch ^/q/([^/]*)/(.*)$ http://b/q/$2?x=$1\n"
    "ProxyPassMatch ^/(a+)+$ http://b/redos\n"
    "ProxyPassReverse /app http://backend.internal:8080/internal\n"
    "ProxyPassReverse /api http://[fd00::5]:8080/v1\n"
    "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
    "ProxyPassReverseCookiePath /internal /app\n"
    "<Location /loc>\n"
    "  ProxyPass http://loc.internal/l\n"
    "  ProxyPassReverse http://loc.internal/l\n"
    "  ProxyPassReverseCookiePath /l /loc\n"
    "</Location>\n";

/* ------------------------------------------------------------------------
 * Cases and their single-thread results
 * ---------------------------------------------------------------------- */

typedef struct tcase {
    char        kind; /* M map, L location, C cookie, H header, D destination, O origin */
    const char *name; /* H: header name */
    const char *in;
    const char *aux;  /* M: Host; D: public origin; O: scheme; L/C/H: request target */
} tcase;

static const tcase CASES[] = {
    {'M', NULL, "/app/x", "www.example.com"},
    {'M', NULL, "/app/%2e%2e/app/y?q=1", NULL},
    {'M', NULL, "/app/a%3fb", "www.example.com:8443"},
    {'M', NULL, "/nope", NULL},
    {'M', NULL, "/app/../../x", NULL},
    {'M', NULL, "/app/a%2Fb", NULL},
    {'M', NULL, "/img/a/b.png", "[::1]:80"},
    {'M', NULL, "/q/k%26v/rest?z=1", NULL},
    {'M', NULL, "/api/v?x=1", NULL},
    {'M', NULL, "/app/static/x", NULL},
    {'M', NULL, "/loc/x/y", NULL},
    {'M', NULL, "//app//x", NULL},
    {'M', NULL, "/app/caf%c3%a9", NULL},
    {'M', NULL, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
     NULL},
    {'M', NULL, "/aaaa", NULL},
    {'M', NULL, "/app/..;/x", NULL},
    {'M', NULL, "http://h.example/app/x", NULL},
    {'M', NULL, "/app/x", "bad host"},
    {'L', NULL, "http://backend.internal:8080/internal/x?y=1#z", "/app/x"},
    {'L', NULL, "http://[FD00:0::5]:8080/v1/x", "/api/x"},
    {'L', NULL, "../x/./y", "/app/a/b"},
    {'L', NULL, "http://loc.internal/l/x", "/loc/x"},
    {'L', NULL, "http://loc.internal/l/x", "/app/x"},
    {'L', NULL, "http://backend.internal:8080@evil.example/internal", "/app/x"},
    {'L', NULL, "http://backend.internal:8080/internal\r\nX: y", "/app/x"},
    {'C', NULL, "a=1; Path=/internal/x; Domain=.backend.internal; Secure", "/app/x"},
    {'C', NULL, "a=1; Path=/l/x; Path=/internal", "/loc/y"},
    {'C', NULL, "__Host-a=1; Path=/internal", "/app/x"},
    {'C', NULL, "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/internal", NULL},
    {'H', "Refresh", "0; url=http://backend.internal:8080/internal/x", "/app/x"},
    {'H', "Link", "<http://backend.internal:8080/internal/a>; rel=next, </internal/b>", "/app/x"},
    {'H', "Set-Cookie", "sid=1; Domain=backend.internal", NULL},
    {'H', "content-location", "/internal/x", "/app/x"},
    {'H', "X-Other", "http://backend.internal:8080/internal/x", NULL},
    {'D', NULL, "https://www.example.com/app/x?y", "https://www.example.com"},
    {'D', NULL, "https://evil.example/app/x", "https://www.example.com"},
    {'D', NULL, "/app/%2e%2e/x", "https://www.example.com"},
    {'O', NULL, "Www.Example.COM:443", "https"},
    {'O', NULL, "[fd00::5]:8080", "http"},
    {'O', NULL, "evil example", "http"},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

typedef struct result {
    rp_status st;
    size_t    len;
    char      out[512];
    /* rp_map_request / rp_map_destination details */
    uint32_t  rule_index;
    size_t    path_len, remainder_offset, query_offset, host_len;
    char      host[64];
} result;

static int run_case(const rp_table *t, const tcase *c, result *r)
{
    rp_response_ctx ctx = {"https://www.example.com", 23,
                           "http://backend.internal:8080/internal/a/b", 41, c->aux,
                           c->aux ? strlen(c->aux) : 0};
    rp_match m;
    memset(&m, 0, sizeof m);
    size_t inl = strlen(c->in);
    r->len = 0;
    switch (c->kind) {
    case 'M':
        r->st = rp_map_request(t, c->in, inl, c->aux, c->aux ? strlen(c->aux) : 0, 0, r->out,
                               sizeof r->out, &r->len, &m);
        break;
    case 'L':
        r->st = rp_rewrite_location(t, c->in, inl, &ctx, 0, r->out, sizeof r->out, &r->len);
        break;
    case 'C':
        r->st = rp_rewrite_set_cookie(t, c->in, inl, &ctx, 0, r->out, sizeof r->out, &r->len);
        break;
    case 'H':
        r->st = rp_rewrite_response_header(t, c->name, strlen(c->name), c->in, inl, &ctx, 0,
                                           r->out, sizeof r->out, &r->len);
        break;
    case 'D':
        r->st = rp_map_destination(t, c->in, inl, c->aux, strlen(c->aux), 0, r->out,
                                   sizeof r->out, &r->len, &m);
        break;
    default:
        r->st = rp_public_origin(t, c->aux, strlen(c->aux), c->in, inl, r->out, sizeof r->out,
                                 &r->len);
        break;
    }
    if (!(r->st == RP_OK || r->st == RP_NO_MATCH) || r->len >= sizeof r->out)
        r->len = 0;
    r->out[r->len] = '\0';
    r->rule_index = m.rule_index;
    r->path_len = m.path_len;
    r->remainder_offset = m.remainder_offset;
    r->query_offset = m.query_offset;
    r->host_len = m.host && m.host_len < sizeof r->host ? m.host_len : 0;
    if (r->host_len)
        memcpy(r->host, m.host, r->host_len);
    r->host[r->host_len] = '\0';
    return 0;
}

static int same(const result *a, const result *b)
{
    return a->st == b->st && a->len == b->len && memcmp(a->out, b->out, a->len) == 0 &&
           a->rule_index == b->rule_index && a->path_len == b->path_len &&
           a->remainder_offset == b->remainder_offset && a->query_offset == b->query_offset &&
           a->host_len == b->host_len && memcmp(a->host, b->host, a->host_len) == 0;
}

static rp_table *build(unsigned profile, const char *conf)
{
    rp_builder *b = NULL;
    rp_table *t = NULL;
    rp_diag d;
    if (rp_builder_new(profile, NULL, &b) != RP_OK)
        return NULL;
    rp_status st = rp_builder_add_config(b, conf, strlen(conf), "threads.conf", &d);
    if (st == RP_OK)
        st = rp_builder_compile(b, &t, &d);
    if (st != RP_OK)
        fprintf(stderr, "# build: %s %u: %s\n", rp_status_name(st), d.line, d.message);
    rp_builder_free(b);
    return t;
}

/* ------------------------------------------------------------------------
 * 1. One shared table
 * ---------------------------------------------------------------------- */

static rp_table *shared[2];
static result    expected[2][NCASES];
static long      n_calls;

typedef struct worker {
    pthread_t th;
    int       id;
    long      bad;
    long      done;
} worker;

static void *shared_worker(void *arg)
{
    worker *w = arg;
    result r;
    size_t stride = 2u * (size_t)w->id + 1u; /* odd: every case is visited */
    for (long k = 0; k < n_calls; k++) {
        size_t i = ((size_t)k * stride + (size_t)w->id) % NCASES;
        int p = (int)(((size_t)k + (size_t)w->id) & 1u);
        run_case(shared[p], &CASES[i], &r);
        if (!same(&r, &expected[p][i])) {
            if (w->bad++ < 5)
                fprintf(stderr, "# thread %d case %zu (%s): got %s %s, want %s %s\n", w->id, i,
                        CASES[i].in, rp_status_name(r.st), r.out,
                        rp_status_name(expected[p][i].st), expected[p][i].out);
        }
        w->done++;
    }
    return NULL;
}

/* A few known answers, so that the reference is not merely self-consistent. */
static int check_known(void)
{
    static const struct {
        int         p;
        size_t      i;
        rp_status   st;
        const char *out;
    } known[] = {
        {0, 0, RP_OK, "http://backend.internal:8080/internal/x"},
        {1, 0, RP_OK, "http://backend.internal:8080/internal/x"},
        {1, 1, RP_OK, "http://backend.internal:8080/internal/y?q=1"},
        {1, 4, RP_E_ABOVE_ROOT, ""},
        {1, 5, RP_E_ENCODED_SLASH, ""},
        {0, 9, RP_EXCLUDED, ""},
        {1, 13, RP_E_LIMIT, ""},
        {1, 15, RP_E_DOT_PARAM, ""},
        {1, 17, RP_E_HOST, ""},
        {1, 18, RP_OK, "https://www.example.com/app/x?y=1#z"},
        {1, 24, RP_E_HEADER, ""},
        {1, 37, RP_OK, "https://www.example.com"},
    };
    int ok = 1;
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        const result *r = &expected[known[k].p][known[k].i];
        if (r->st != known[k].st || strcmp(r->out, known[k].out) != 0) {
            fprintf(stderr, "# known answer %zu (%s): got %s %s, want %s %s\n", k,
                    CASES[known[k].i].in, rp_status_name(r->st), r->out,
                    rp_status_name(known[k].st), known[k].out);
            ok = 0;
        }
    }
    return ok;
}

/* ------------------------------------------------------------------------
 * 2. Reload: publish new tables while readers use the current one
 * ---------------------------------------------------------------------- */

static _Atomic(rp_table *) current;
static atomic_uint_fast64_t global_epoch = 1;
/* Per reader: 0 when outside a request, else the epoch read on entry. */
static atomic_uint_fast64_t reader_epoch[MAX_THREADS];
static atomic_int           readers_left;
static atomic_long           published;
static long                 freed;
#define MIN_RELOADS 20

/* Configuration of version v: the backend host and the public prefix both
 * name v, so a request that mixed two tables would be caught. */
static void conf_for(unsigned long v, char *buf, size_t size)
{
    snprintf(buf, size,
             "ProxyPass /version http://v%lu.internal/\n"
             "ProxyPass /app http://backend%lu.internal:8080/app\n"
             "ProxyPassReverse /pub%lu http://backend%lu.internal:8080/internal\n"
             "ProxyPassMatch ^/img/(.*)$ http://img%lu.internal/$1\n",
             v, v % 7, v, v % 7, v);
}

static void reader_enter(int id)
{
    uint_fast64_t e = atomic_load(&global_epoch);
    atomic_store(&reader_epoch[id], e);
}

static void reader_leave(int id)
{
    atomic_store_explicit(&reader_epoch[id], 0, memory_order_release);
}

/* Publisher side: after the swap, wait until no reader can still hold the
 * old pointer: every reader is outside a request, or entered after the swap. */
static void wait_quiescent(int nreaders)
{
    uint_fast64_t e = atomic_fetch_add(&global_epoch, 1) + 1;
    for (int i = 0; i < nreaders; i++) {
        for (;;) {
            uint_fast64_t r = atomic_load(&reader_epoch[i]);
            if (r == 0 || r >= e)
                break;
            sched_yield();
        }
    }
}

static void *reader(void *arg)
{
    worker *w = arg;
    char out[256], out2[256], expect[256];
    unsigned long last = 0;
    /* Run the calls, and keep going until the publisher has swapped tables
     * under us MIN_RELOADS times. */
    for (long k = 0; k < n_calls / 2 || atomic_load(&published) < MIN_RELOADS; k++) {
        size_t n = 0, n2 = 0;
        reader_enter(w->id);
        rp_table *t = atomic_load(&current);
        rp_status st = rp_map_request(t, "/version", 8, NULL, 0, 0, out, sizeof out, &n, NULL);
        unsigned long v = 0;
        if (st != RP_OK || sscanf(out, "http://v%lu.internal/", &v) != 1) {
            w->bad++;
            reader_leave(w->id);
            continue;
        }
        st = rp_map_request(t, "/app/x?k", 8, NULL, 0, 0, out, sizeof out, &n, NULL);
        snprintf(expect, sizeof expect, "http://backend%lu.internal:8080/app/x?k", v % 7);
        if (st != RP_OK || strcmp(out, expect) != 0)
            w->bad++;
        char loc[128];
        int ll = snprintf(loc, sizeof loc, "http://backend%lu.internal:8080/internal/y", v % 7);
        st = rp_rewrite_location(t, loc, (size_t)ll, NULL, 0, out2, sizeof out2, &n2);
        snprintf(expect, sizeof expect, "/pub%lu/y", v);
        if (st != RP_OK || strcmp(out2, expect) != 0)
            w->bad++;
        st = rp_map_request(t, "/img/a.png", 10, NULL, 0, 0, out, sizeof out, &n, NULL);
        snprintf(expect, sizeof expect, "http://img%lu.internal/a.png", v);
        if (st != RP_OK || strcmp(out, expect) != 0)
            w->bad++;
        reader_leave(w->id);
        /* One reader's successive loads never go back in time. */
        if (v < last)
            w->bad++;
        last = v;
        w->done++;
    }
    atomic_fetch_sub(&readers_left, 1);
    return NULL;
}

static void *publisher(void *arg)
{
    int nreaders = *(int *)arg;
    char conf[512];
    unsigned long v = 1;
    /* Keep publishing while readers run, and at least 20 times. */
    while (atomic_load(&readers_left) > 0 || atomic_load(&published) < MIN_RELOADS) {
        conf_for(++v, conf, sizeof conf);
        rp_table *fresh = build(v & 1 ? RP_PROFILE_APACHE : RP_PROFILE_STRICT, conf);
        if (!fresh)
            abort();
        rp_table *old = atomic_exchange(&current, fresh);
        atomic_fetch_add(&published, 1);
        wait_quiescent(nreaders);
        rp_table_free(old);
        freed++;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    int nthreads = 4;
    n_calls = 10000;
    const char *full = getenv("RP_THREADS_FULL");
    if ((argc > 1 && strcmp(argv[1], "--full") == 0) || (full && full[0] == '1')) {
        nthreads = 16;
        n_calls = 100000;
    } else if (argc == 3) {
        nthreads = atoi(argv[1]);
        n_calls = atol(argv[2]);
    }
    if (nthreads < 1 || nthreads > MAX_THREADS || n_calls < 1) {
        fprintf(stderr, "usage: test_threads [--full | THREADS CALLS]\n");
        return 2;
    }
    int failures = 0;
    printf("1..3\n");

    /* Precompute. */
    shared[0] = build(RP_PROFILE_APACHE, CONF);
    shared[1] = build(RP_PROFILE_STRICT, CONF);
    if (!shared[0] || !shared[1]) {
        printf("not ok 1 - build the shared tables\n");
        return 1;
    }
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < NCASES; i++)
            run_case(shared[p], &CASES[i], &expected[p][i]);
    int ok = check_known();
    failures += !ok;
    printf("%s 1 - single-thread reference results (%zu cases x 2 profiles)\n",
           ok ? "ok" : "not ok", NCASES);

    /* 1. Shared tables. */
    worker w[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) {
        w[i].id = i;
        w[i].bad = w[i].done = 0;
        if (pthread_create(&w[i].th, NULL, shared_worker, &w[i]) != 0) {
            printf("Bail out! pthread_create\n");
            return 1;
        }
    }
    long bad = 0, done = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(w[i].th, NULL);
        bad += w[i].bad;
        done += w[i].done;
    }
    failures += bad != 0;
    printf("%s 2 - shared tables: %d threads x %ld mixed calls, %ld results differ\n",
           bad == 0 ? "ok" : "not ok", nthreads, n_calls, bad);
    (void)done;
    rp_table_free(shared[0]);
    rp_table_free(shared[1]);

    /* 2. Reload. */
    char conf[512];
    conf_for(1, conf, sizeof conf);
    atomic_store(&current, build(RP_PROFILE_STRICT, conf));
    atomic_store(&readers_left, nthreads);
    pthread_t pub;
    int nr = nthreads;
    for (int i = 0; i < nthreads; i++) {
        w[i].id = i;
        w[i].bad = w[i].done = 0;
        atomic_store(&reader_epoch[i], 0);
        if (pthread_create(&w[i].th, NULL, reader, &w[i]) != 0) {
            printf("Bail out! pthread_create\n");
            return 1;
        }
    }
    if (pthread_create(&pub, NULL, publisher, &nr) != 0) {
        printf("Bail out! pthread_create\n");
        return 1;
    }
    bad = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(w[i].th, NULL);
        bad += w[i].bad;
    }
    pthread_join(pub, NULL);
    rp_table_free(atomic_load(&current));
    long npub = atomic_load(&published);
    ok = bad == 0 && npub >= MIN_RELOADS && freed == npub;
    failures += !ok;
    printf("%s 3 - reload: %d readers x %ld+ requests, %ld tables published and freed, %ld "
           "inconsistent requests\n",
           ok ? "ok" : "not ok", nthreads, n_calls / 2, npub, bad);
    return failures ? 1 : 0;
}
