/* The smallest useful program: build a table, map one request-target. */
#include <stdio.h>
#include <string.h>

#include <revproxy/revproxy.h>

int main(int argc, char **argv)
{
    const char *target = argc > 1 ? argv[1] : "/app/users/42";
    rp_builder *b = NULL;
    rp_table *t = NULL;
    rp_diag diag;
    if (rp_builder_new(RP_PROFILE_STRICT, NULL, &b) != RP_OK)
        return 2;
    const char *prefix = "/app", *backend = "http://backend.internal:8080/internal";
    rp_status st = rp_builder_add_pass(b, prefix, strlen(prefix), backend, strlen(backend), 0, &diag);
    if (st == RP_OK)
        st = rp_builder_compile(b, &t, &diag);
    rp_builder_free(b);
    if (st != RP_OK) {
        fprintf(stderr, "%s: %s\n", rp_status_name(st), diag.message);
        return 2;
    }
    char url[2048];
    size_t len = 0;
    st = rp_map_request(t, target, strlen(target), NULL, 0, RP_MAP_DEFAULT, url, sizeof url, &len,
                        NULL);
    if (st == RP_OK)
        printf("%s\n", url);
    else
        fprintf(stderr, "%s (HTTP %d)\n", rp_status_name(st), rp_status_http(st));
    rp_table_free(t);
    return st == RP_OK ? 0 : 1;
}
