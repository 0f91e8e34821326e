/* replay_main.c: a main() for a libFuzzer target, so gcc-only CI can replay the seed corpus and
 * every crash ever found: runs LLVMFuzzerTestOneInput on each file of the directories (or the
 * files) named on the command line. A bad input crashes or aborts, which fails the run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the target on one file of size bytes. 0, or -1 when it cannot be read. */
static int replay_file(const char *path, size_t size)
{
    /* An exact-size buffer, so ASan catches a read one past the input as under libFuzzer. */
    uint8_t *buf = malloc(size ? size : 1);
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL && buf != NULL ? fread(buf, 1, size, f) : 0;
    if (f == NULL || buf == NULL || n != size) {
        fprintf(stderr, "%s: cannot read\n", path);
        if (f != NULL)
            fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    int total = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += replay_file(argv[i], (size_t)st.st_size) != 0;
            total++;
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, by_name);
        if (n < 0) {
            perror(argv[i]);
            bad++;
            continue;
        }
        for (int j = 0; j < n; j++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[j]->d_name);
            if (names[j]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                bad += replay_file(path, (size_t)st.st_size) != 0;
                total++;
            }
            free(names[j]);
        }
        free(names);
    }
    printf("%s: %d inputs replayed%s\n", argv[0], total, bad ? ", some unreadable" : "");
    return bad != 0 || total == 0;
}
