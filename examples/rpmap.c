/* rpmap: try revproxy rules from the command line (DESIGN.md §6).
 *
 *   rpmap [-f RULES] [--format apache|nginx] [--profile apache|strict] [--host HOST] [-e]
 *         map TARGET
 *
 * Prints the backend URL and exits 0; exits 1 when the request is not
 * proxied (no rule, or an exclusion), 2 on an error ("rpmap: RP_E_NAME: ..."
 * on stderr). TARGET "-" reads one target per line from stdin and prints one
 * result per line ("!NO_MATCH", "!EXCLUDED", "!RP_E_NAME" for the others). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <revproxy/revproxy.h>

static void usage(void)
{
    fputs("usage: rpmap [-f RULES] [--format apache|nginx] [--profile apache|strict]\n"
          "             [--public ORIGIN]"
          "             [--backend-url URL] [--request TARGET] [--host HOST] [-e]\n"
          "             COMMAND ARG...\n"
          "commands:\n"
          "  map TARGET          print the backend URL (exit 0), 1 if not proxied, 2 on error\n"
          "  location VALUE      print the rewritten Location/Content-Location/URI value\n"
          "  cookie VALUE        print the rewritten Set-Cookie value\n"
          "  header NAME VALUE   rewrite any response header by name\n"
          "  check [--json] [--round-trip]\n"
          "                      lint the rules file: exit 0 clean, 1 warnings, 2 errors\n"
          "--format nginx reads RULES as nginx configuration (docs/nginx.md).\n"
          "--public ORIGIN makes rewritten values absolute; --backend-url URL resolves\n"
          "relative values; --request TARGET selects <Location>-scoped rules.\n"
          "An ARG of '-' reads one input per line from stdin ('header -' reads\n"
          "'NAME: VALUE' lines); results print one per line, or !NO_MATCH, !EXCLUDED,\n"
          "!UNCHANGED or !RP_E_NAME.\n",
          stderr);
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode \xHH (and \\) in place; returns the new length. */
static size_t unescape(char *s, size_t n)
{
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        if (s[r] == '\\' && r + 3 < n + 0 + 1 && r + 3 <= n && s[r + 1] == 'x' &&
            hexv((unsigned char)s[r + 2]) >= 0 && hexv((unsigned char)s[r + 3]) >= 0) {
            s[w++] = (char)(hexv((unsigned char)s[r + 2]) * 16 + hexv((unsigned char)s[r + 3]));
            r += 3;
        } else if (s[r] == '\\' && r + 1 < n && s[r + 1] == '\\') {
            s[w++] = '\\';
            r++;
        } else {
            s[w++] = s[r];
        }
    }
    return w;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (f != stdin)
        fclose(f);
    *len = n;
    return buf;
}

static int fail(rp_status st, const char *msg)
{
    fprintf(stderr, "rpmap: %s: %s\n", rp_status_name(st), msg ? msg : rp_strerror(st));
    return 2;
}

/* Map one target; returns the status and writes the URL (malloc'd) to *res. */
static rp_status map_one(const rp_table *t, const char *tg, size_t n, const char *host,
                         char **res, size_t *res_len)
{
    char small[512];
    size_t need = 0;
    *res = NULL;
    rp_status st = rp_map_request(t, tg, n, host, host ? strlen(host) : 0, RP_MAP_DEFAULT, small,
                                  sizeof small, &need, NULL);
    if (st == RP_E_NOSPACE) {
        char *big = malloc(need + 1);
        if (!big)
            return RP_E_NOMEM;
        st = rp_map_request(t, tg, n, host, host ? strlen(host) : 0, RP_MAP_DEFAULT, big,
                            need + 1, &need, NULL);
        if (st != RP_OK) {
            free(big);
            return st;
        }
        *res = big;
    } else if (st == RP_OK) {
        *res = malloc(need + 1);
        if (!*res)
            return RP_E_NOMEM;
        memcpy(*res, small, need + 1);
    }
    *res_len = need;
    return st;
}

enum { CMD_MAP, CMD_LOCATION, CMD_COOKIE, CMD_HEADER };

typedef struct job {
    const rp_table        *t;
    int                    cmd;
    const char            *host;
    const rp_response_ctx *ctx;
} job;

/* Run one input; the result goes to *res (malloc'd) on RP_OK / RP_NO_MATCH. */
static rp_status run_one(const job *j, const char *name, size_t nn, const char *arg, size_t n,
                         char **res, size_t *res_len)
{
    if (j->cmd == CMD_MAP)
        return map_one(j->t, arg, n, j->host, res, res_len);
    size_t need = 0;
    char *buf = NULL;
    size_t cap = 256;
    for (int round = 0; round < 2; round++) {
        buf = malloc(cap);
        if (!buf)
            return RP_E_NOMEM;
        rp_status st;
        if (j->cmd == CMD_LOCATION)
            st = rp_rewrite_location(j->t, arg, n, j->ctx, 0, buf, cap, &need);
        else if (j->cmd == CMD_COOKIE)
            st = rp_rewrite_set_cookie(j->t, arg, n, j->ctx, 0, buf, cap, &need);
        else
            st = rp_rewrite_response_header(j->t, name, nn, arg, n, j->ctx, 0, buf, cap, &need);
        if (st == RP_E_NOSPACE && round == 0) {
            free(buf);
            cap = need + 1;
            continue;
        }
        if (st == RP_OK || st == RP_NO_MATCH) {
            *res = buf;
            *res_len = need;
        } else {
            free(buf);
        }
        return st;
    }
    return RP_E_INTERNAL;
}

/* A builder with the rules file loaded. On failure: *b is NULL when the
 * message was printed here, else d describes the error in the file. */
static rp_status load_rules(const char *rules, unsigned profile, int nginx, rp_builder **b,
                            rp_diag *d)
{
    *b = NULL;
    rp_status st = rp_builder_new(profile, NULL, b);
    if (st != RP_OK) {
        fail(st, NULL);
        return st;
    }
    if (!rules)
        return RP_OK;
    size_t len = 0;
    char *text = read_file(rules, &len);
    if (!text) {
        rp_builder_free(*b);
        *b = NULL;
        fprintf(stderr, "rpmap: RP_E_ARG: cannot read %s: %s\n", rules, strerror(errno));
        return RP_E_ARG;
    }
    st = nginx ? rp_builder_add_nginx_config(*b, text, len, rules, d)
               : rp_builder_add_config(*b, text, len, rules, d);
    free(text);
    return st;
}

static const char *const k_sev[] = {"info", "warning", "error"};

/* JSON string: quotes, backslashes and control bytes escaped. */
static void json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_finding(const char *file, const rp_finding *f, int json)
{
    const char *sev = k_sev[f->severity <= RP_SEVERITY_ERROR ? f->severity : 0];
    if (json) {
        fputs("{\"file\":", stdout);
        json_str(file);
        printf(",\"line\":%u,\"column\":%u,\"severity\":\"%s\",\"code\":", (unsigned)f->line,
               (unsigned)f->column, sev);
        json_str(f->code);
        fputs(",\"message\":", stdout);
        json_str(f->message);
        if (f->other_line)
            printf(",\"other_line\":%u", (unsigned)f->other_line);
        fputs("}\n", stdout);
        return;
    }
    if (f->line) /* the GNU "file:line:column:" form editors jump to */
        printf("%s:%u:%u: ", file, (unsigned)f->line, (unsigned)f->column);
    else /* set by a loader or the API, not written in the file */
        printf("%s: ", file);
    printf("%s: [%s] %s", sev, f->code, f->message);
    if (f->other_line)
        printf(" (line %u)", (unsigned)f->other_line);
    putchar('\n');
}

typedef struct ranked {
    const rp_finding *f;
    size_t            seq; /* position in the library's order: keeps the sort stable */
} ranked;

static int by_position(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->f->line != y->f->line)
        return x->f->line < y->f->line ? -1 : 1;
    if (x->f->column != y->f->column)
        return x->f->column < y->f->column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* rpmap check: load errors, loader warnings and rp_table_check findings,
 * sorted by position. Exit 0 clean (info only), 1 warnings, 2 errors. */
static int run_check(const char *rules, unsigned profile, int nginx, unsigned flags, int json)
{
    rp_builder *b = NULL;
    rp_diag d;
    rp_status st = load_rules(rules, profile, nginx, &b, &d);
    if (st != RP_OK) {
        if (!b)
            return 2;
        rp_finding f;
        memset(&f, 0, sizeof f);
        f.code = "config-error";
        f.severity = RP_SEVERITY_ERROR;
        f.line = d.line;
        f.column = d.column;
        memcpy(f.message, d.message, sizeof f.message);
        print_finding(rules, &f, json);
        rp_builder_free(b);
        return 2;
    }
    size_t nw = rp_builder_warning_count(b);
    rp_table *t = NULL;
    st = rp_builder_compile(b, &t, &d);
    if (st != RP_OK) {
        rp_builder_free(b);
        return fail(st, d.message);
    }
    size_t nf = 0;
    st = rp_table_check(t, flags, NULL, 0, &nf);
    rp_finding *all = NULL;
    if (st == RP_OK || st == RP_E_NOSPACE) {
        all = calloc(nw + nf + 1, sizeof *all);
        st = all ? rp_table_check(t, flags, all + nw, nf, &nf) : RP_E_NOMEM;
    }
    if (st != RP_OK) {
        free(all);
        rp_builder_free(b);
        rp_table_free(t);
        return fail(st, NULL);
    }
    for (size_t k = 0; k < nw; k++) {
        if (rp_builder_warning(b, k, &d) != RP_OK)
            continue;
        all[k].code = "config-warning";
        all[k].severity = RP_SEVERITY_WARNING;
        all[k].line = d.line;
        all[k].column = d.column;
        snprintf(all[k].message, sizeof all[k].message, "%s", d.message);
    }
    rp_builder_free(b);
    rp_table_free(t);
    ranked *ord = malloc((nw + nf + 1) * sizeof *ord);
    if (!ord) {
        free(all);
        return fail(RP_E_NOMEM, NULL);
    }
    for (size_t k = 0; k < nw + nf; k++)
        ord[k] = (ranked){&all[k], k};
    qsort(ord, nw + nf, sizeof *ord, by_position);
    int rc = 0;
    for (size_t k = 0; k < nw + nf; k++) {
        print_finding(rules, ord[k].f, json);
        if (ord[k].f->severity == RP_SEVERITY_ERROR)
            rc = 2;
        else if (ord[k].f->severity == RP_SEVERITY_WARNING && rc < 1)
            rc = 1;
    }
    free(ord);
    free(all);
    return rc;
}

int main(int argc, char **argv)
{
    const char *rules = NULL, *host = NULL, *pub = NULL, *backend_url = NULL, *request = NULL;
    unsigned profile = 0;
    int esc = 0, i = 1, nginx = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-f") == 0 && i + 1 < argc)
            rules = argv[++i];
        else if (strcmp(a, "--profile") == 0 && i + 1 < argc) {
            const char *p = argv[++i];
            if (strcmp(p, "apache") == 0)
                profile = RP_PROFILE_APACHE;
            else if (strcmp(p, "strict") == 0)
                profile = RP_PROFILE_STRICT;
            else
                return fail(RP_E_ARG, "--profile takes apache or strict");
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "apache") == 0)
                nginx = 0;
            else if (strcmp(f, "nginx") == 0)
                nginx = 1;
            else
                return fail(RP_E_ARG, "--format takes apache or nginx");
        } else if (strcmp(a, "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if (strcmp(a, "--public") == 0 && i + 1 < argc)
            pub = argv[++i];
        else if (strcmp(a, "--backend-url") == 0 && i + 1 < argc)
            backend_url = argv[++i];
        else if (strcmp(a, "--request") == 0 && i + 1 < argc)
            request = argv[++i];
        else if (strcmp(a, "-e") == 0)
            esc = 1;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else {
            usage();
            return 2;
        }
    }
    if (i >= argc) {
        usage();
        return 2;
    }
    const char *cmd = argv[i++];
    int which;
    if (strcmp(cmd, "map") == 0)
        which = CMD_MAP;
    else if (strcmp(cmd, "location") == 0)
        which = CMD_LOCATION;
    else if (strcmp(cmd, "cookie") == 0)
        which = CMD_COOKIE;
    else if (strcmp(cmd, "header") == 0)
        which = CMD_HEADER;
    else if (strcmp(cmd, "check") == 0) {
        int json = 0;
        unsigned cflags = 0;
        for (; i < argc; i++) {
            if (strcmp(argv[i], "--json") == 0)
                json = 1;
            else if (strcmp(argv[i], "--round-trip") == 0)
                cflags |= RP_CHECK_ROUND_TRIP;
            else {
                usage();
                return 2;
            }
        }
        if (!rules)
            return fail(RP_E_ARG, "check needs a rules file (-f RULES)");
        return run_check(rules, profile ? profile : RP_PROFILE_APACHE, nginx, cflags, json);
    } else {
        usage();
        return 2;
    }
    int nargs = which == CMD_HEADER ? 2 : 1;
    if (i >= argc || (nargs == 2 && strcmp(argv[i], "-") != 0 && i + 1 >= argc)) {
        usage();
        return 2;
    }
    if (!profile)
        profile = RP_PROFILE_APACHE;

    rp_builder *b = NULL;
    rp_table *t = NULL;
    rp_diag d;
    rp_status st = load_rules(rules, profile, nginx, &b, &d);
    if (st != RP_OK) {
        if (b) /* the rules file was refused: d has its position */
            fprintf(stderr, "rpmap: %s: %s:%u:%u: %s\n", rp_status_name(st), rules,
                    (unsigned)d.line, (unsigned)d.column, d.message);
        rp_builder_free(b);
        return 2;
    }
    st = rp_builder_compile(b, &t, &d);
    rp_builder_free(b);
    if (st != RP_OK)
        return fail(st, d.message);

    rp_response_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if (pub) {
        ctx.public_origin = pub;
        ctx.public_origin_len = strlen(pub);
    }
    if (backend_url) {
        ctx.backend_url = backend_url;
        ctx.backend_url_len = strlen(backend_url);
    }
    if (request) {
        ctx.request_target = request;
        ctx.request_target_len = strlen(request);
    }
    job j = {t, which, host, &ctx};
    int rc = 0;
    const char *arg = argv[i];
    if (strcmp(arg, "-") == 0) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t got;
        while ((got = getline(&line, &cap, stdin)) >= 0) {
            size_t n = (size_t)got;
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            const char *name = NULL, *val = line;
            size_t nn = 0;
            if (which == CMD_HEADER) {
                char *colon = memchr(line, ':', n);
                if (!colon) {
                    puts("!RP_E_ARG");
                    continue;
                }
                name = line;
                nn = (size_t)(colon - line);
                val = colon + 1;
                while (val < line + n && (*val == ' ' || *val == '\t'))
                    val++;
            }
            size_t vn = (size_t)(line + n - val);
            char *v = (char *)val;
            if (esc)
                vn = unescape(v, vn);
            char *res = NULL;
            size_t rl = 0;
            st = run_one(&j, name, nn, v, vn, &res, &rl);
            if (st == RP_OK)
                fwrite(res, 1, rl, stdout), fputc('\n', stdout);
            else if (st == RP_NO_MATCH && which == CMD_MAP)
                puts("!NO_MATCH");
            else if (st == RP_NO_MATCH)
                puts("!UNCHANGED");
            else if (st == RP_EXCLUDED)
                puts("!EXCLUDED");
            else
                printf("!%s\n", rp_status_name(st));
            free(res);
        }
        free(line);
    } else {
        const char *name = which == CMD_HEADER ? argv[i] : NULL;
        const char *raw = which == CMD_HEADER ? argv[i + 1] : arg;
        size_t n = strlen(raw);
        char *v = malloc(n + 1);
        if (!v) {
            rp_table_free(t);
            return fail(RP_E_NOMEM, NULL);
        }
        memcpy(v, raw, n + 1);
        if (esc)
            n = unescape(v, n);
        char *res = NULL;
        size_t rl = 0;
        st = run_one(&j, name, name ? strlen(name) : 0, v, n, &res, &rl);
        free(v);
        if (st == RP_OK || (st == RP_NO_MATCH && which != CMD_MAP)) {
            /* a reverse value that no rule touches is printed unchanged */
            fwrite(res, 1, rl, stdout);
            fputc('\n', stdout);
        } else if (st == RP_NO_MATCH || st == RP_EXCLUDED) {
            fprintf(stderr, "rpmap: %s: not proxied\n", rp_status_name(st));
            rc = 1;
        } else {
            rc = fail(st, NULL);
        }
        free(res);
    }
    rp_table_free(t);
    return rc;
}
