/*
 * The libmlops quickstart: opens (creating if needed) a store and shows
 * what is in it. Run with a directory, or it uses ./mlops-demo.
 *
 *   cc quickstart.c $(pkg-config --cflags --libs libmlops) -o quickstart
 *   ./quickstart [STORE_DIR]
 */
#include <mlops.h>

#include <stdio.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "quickstart: %s: %s (%s)\n", what, mlops_last_error(), mlops_strerror(rc));
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "mlops-demo";
    printf("libmlops %s (version number %d)\n", mlops_version(), mlops_version_number());

    mlops_store *store = NULL;
    int rc = mlops_store_open(dir, NULL, &store);
    if (rc) return fail("opening the store", rc);

    int format = 0;
    rc = mlops_store_format_version(store, &format);
    if (rc) {
        mlops_store_close(store);
        return fail("reading the format version", rc);
    }
    printf("store: %s (format version %d)\n", mlops_store_path(store), format);
    printf("  %s/mlops.db   metadata (SQLite, WAL)\n", dir);
    printf("  %s/objects/   content-addressed objects\n", dir);
    printf("  %s/tmp/       in-flight writes\n", dir);
    mlops_store_close(store);
    return 0;
}
