/* rpmap: try revproxy rules from the command line (DESIGN.md §6).
 *
 *   rpmap [-f RULES] [--profile apache|strict] [--host HOST] [-e] map TARGET
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
    fputs("usage: rpmap [-f RULES] [--profile apache|strict] [--public ORIGIN]\n"
          "             [--backend-url URL] [--request TARGET] [--host HOST] [-e]\n"
          "             COMMAND ARG...\n"
          "commands:\n"
          "  map TARGET          print the backend URL (exit 0), 1 if not proxied, 2 on error\n"
          "  location VALUE      rewrite a Location value (not implemented yet)\n"
          "  cookie VALUE        rewrite a Set-Cookie value (not implemented yet)\n"
          "  header NAME VALUE   rewrite a response header (not implemented yet)\n"
          "  check               lint the rules file (not implemented yet)\n"
          "An ARG of '-' reads one input per line from stdin.\n",
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

int main(int argc, char **argv)
{
    const char *rules = NULL, *host = NULL;
    unsigned profile = 0;
    int esc = 0, i = 1;
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
        } else if (strcmp(a, "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if ((strcmp(a, "--public") == 0 || strcmp(a, "--backend-url") == 0 ||
                  strcmp(a, "--request") == 0) &&
                 i + 1 < argc)
            i++; /* used by the reverse commands */
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
    if (strcmp(cmd, "map") != 0) {
        if (strcmp(cmd, "location") == 0 || strcmp(cmd, "cookie") == 0 ||
            strcmp(cmd, "header") == 0 || strcmp(cmd, "check") == 0) {
            fprintf(stderr, "rpmap: RP_E_UNSUPPORTED: '%s' is not implemented yet\n", cmd);
            return 2;
        }
        usage();
        return 2;
    }
    if (i >= argc) {
        usage();
        return 2;
    }
    if (!profile)
        profile = RP_PROFILE_APACHE;

    rp_builder *b = NULL;
    rp_table *t = NULL;
    rp_diag d;
    rp_status st = rp_builder_new(profile, NULL, &b);
    if (st != RP_OK)
        return fail(st, NULL);
    if (rules) {
        size_t len = 0;
        char *text = read_file(rules, &len);
        if (!text) {
            rp_builder_free(b);
            fprintf(stderr, "rpmap: RP_E_ARG: cannot read %s: %s\n", rules, strerror(errno));
            return 2;
        }
        st = rp_builder_add_config(b, text, len, rules, &d);
        free(text);
        if (st != RP_OK) {
            fprintf(stderr, "rpmap: %s: %s:%u:%u: %s\n", rp_status_name(st), rules,
                    (unsigned)d.line, (unsigned)d.column, d.message);
            rp_builder_free(b);
            return 2;
        }
    }
    st = rp_builder_compile(b, &t, &d);
    rp_builder_free(b);
    if (st != RP_OK)
        return fail(st, d.message);

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
            if (esc)
                n = unescape(line, n);
            char *res = NULL;
            size_t rl = 0;
            st = map_one(t, line, n, host, &res, &rl);
            if (st == RP_OK)
                fwrite(res, 1, rl, stdout), fputc('\n', stdout);
            else if (st == RP_NO_MATCH)
                puts("!NO_MATCH");
            else if (st == RP_EXCLUDED)
                puts("!EXCLUDED");
            else
                printf("!%s\n", rp_status_name(st));
            free(res);
        }
        free(line);
    } else {
        size_t n = strlen(arg);
        char *tg = malloc(n + 1);
        if (!tg) {
            rp_table_free(t);
            return fail(RP_E_NOMEM, NULL);
        }
        memcpy(tg, arg, n + 1);
        if (esc)
            n = unescape(tg, n);
        char *res = NULL;
        size_t rl = 0;
        st = map_one(t, tg, n, host, &res, &rl);
        free(tg);
        if (st == RP_OK) {
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
