/* A plain main() for the fuzz targets: feeds every file named on the command
 * line, and every regular file in every directory named there (not
 * recursively, in name order), to LLVMFuzzerTestOneInput. Link it with one
 * fuzz_<target>.c; it builds with any C11 compiler, so the committed corpora
 * run in the normal test suite and under valgrind:
 *
 *   ./replay_map tests/fuzz/corpus/map
 *   valgrind --error-exitcode=1 ./replay_map tests/fuzz/corpus/map
 *
 * A violated invariant aborts (the target prints the input first). Output is
 * TAP: "1..1" then "ok 1 - replayed N inputs"; with no input at all the run
 * fails, so a wrong corpus path does not pass silently. Each input is copied
 * into a heap block of exactly its size, so an over-read shows up under ASan
 * and valgrind as it does under libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return -1;
    }
    /* exact-size copy: reading past the input is an error the tools can see */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    if (getenv("REPLAY_VERBOSE"))
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the number of inputs run, or -1 on an error. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (nn == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **t = realloc(names, nc * sizeof *t);
            if (!t)
                break;
            names = t;
            cap = nc;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[nn] = malloc(len);
        if (!names[nn])
            break;
        snprintf(names[nn], len, "%s/%s", dir, e->d_name);
        nn++;
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_names);
    long count = 0;
    for (size_t i = 0; i < nn; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]) != 0)
                count = -1;
            else if (count >= 0)
                count++;
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;
    int failed = 0;
    printf("1..1\n");
    fflush(stdout);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            failed = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            long k = run_dir(argv[i]);
            if (k < 0)
                failed = 1;
            else
                total += k;
        } else if (run_file(argv[i]) != 0) {
            failed = 1;
        } else {
            total++;
        }
    }
    if (failed || total == 0) {
        printf("not ok 1 - replayed %ld inputs%s\n", total,
               total == 0 ? " (no input found)" : " (unreadable input)");
        return 1;
    }
    printf("ok 1 - replayed %ld inputs\n", total);
    return 0;
}
