#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int tu_backend_postgres(void)
{
    const char *b = getenv("MLOPS_TEST_BACKEND");
    return b && !strcmp(b, "postgres");
}

int tu_objects_s3(void)
{
    const char *o = getenv("MLOPS_TEST_OBJECTS");
    return o && !strcmp(o, "s3");
}

const char *tu_backend_label(void)
{
    return tu_backend_postgres() ? (tu_objects_s3() ? " on PostgreSQL and S3" : " on PostgreSQL")
                                 : (tu_objects_s3() ? " on S3" : "");
}

/* Whether a store directory gets an mlops.conf naming other backends. */
static int shared_backends(void)
{
    return tu_backend_postgres() || tu_objects_s3();
}

const char *tu_actor(const char *name)
{
    static char role[64];
    if (!tu_backend_postgres()) return name;
    /* The conninfo scripts/with-pg.sh gives: "... user=<role>". */
    const char *pg = getenv("MLOPS_TEST_PG");
    const char *u = pg ? strstr(pg, "user=") : NULL;
    if (!u) return getenv("PGUSER") ? getenv("PGUSER") : name;
    u += 5;
    size_t n = strcspn(u, " ");
    snprintf(role, sizeof role, "%.*s", (int)n, u);
    return role;
}

/* A schema name no other test directory of any process uses: the
 * throwaway server is shared by the whole test program (its forks too). */
static void fresh_schema(char *out, size_t n)
{
    static unsigned counter;
    unsigned rnd = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, &rnd, sizeof rnd) != (ssize_t)sizeof rnd)
        rnd = (unsigned)time(NULL) ^ (unsigned)clock();
    if (fd >= 0) close(fd);
    snprintf(out, n, "t_%ld_%u_%08x", (long)getpid(), ++counter, rnd);
}

/* Writes dir/mlops.conf naming $MLOPS_TEST_PG and a fresh schema
 * (MLOPS_TEST_BACKEND=postgres) and objects under a fresh prefix of
 * $MLOPS_TEST_S3 (MLOPS_TEST_OBJECTS=s3); -1 (and a message on stderr)
 * when a variable is missing or the file cannot be written. */
static int write_backend_conf(const char *dir)
{
    const char *pg = getenv("MLOPS_TEST_PG");
    const char *s3 = getenv("MLOPS_TEST_S3");
    if (tu_backend_postgres() && (!pg || !*pg)) {
        fprintf(stderr, "MLOPS_TEST_BACKEND=postgres needs MLOPS_TEST_PG (a libpq conninfo; "
                        "scripts/with-pg.sh sets it)\n");
        return -1;
    }
    if (tu_objects_s3() && (!s3 || !*s3)) {
        fprintf(stderr, "MLOPS_TEST_OBJECTS=s3 needs MLOPS_TEST_S3 (s3://bucket/prefix; "
                        "scripts/with-s3.sh sets it)\n");
        return -1;
    }
    char schema[64];
    fresh_schema(schema, sizeof schema);
    size_t n = strlen(dir) + 16;
    char *p = malloc(n);
    if (!p) return -1;
    snprintf(p, n, "%s/mlops.conf", dir);
    FILE *f = fopen(p, "w");
    int rc = f && fprintf(f, "format 1\n") > 0 ? 0 : -1;
    if (!rc && tu_backend_postgres() && fprintf(f, "metadata %s\nschema %s\n", pg, schema) < 0)
        rc = -1;
    if (!rc && tu_objects_s3() && fprintf(f, "objects %s/%s\n", s3, schema) < 0) rc = -1;
    if (f && fclose(f) != 0) rc = -1;
    if (rc) fprintf(stderr, "cannot write %s\n", p);
    free(p);
    return rc;
}

static char *make_tmpdir(const char *prefix, int backend)
{
    const char *base = getenv("MLOPS_TEST_TMPDIR");
    if (!base || !*base) base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    mkdir(base, 0755);
    size_t n = strlen(base) + strlen(prefix) + 16;
    char *p = malloc(n);
    if (!p) return NULL;
    snprintf(p, n, "%s/%s-XXXXXX", base, prefix);
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    if (backend && shared_backends() && write_backend_conf(p)) {
        tu_rmrf(p);
        free(p);
        return NULL;
    }
    return p;
}

char *tu_mkdtemp(const char *prefix)
{
    return make_tmpdir(prefix, 1);
}

char *tu_tmpdir(void)
{
    char *p = make_tmpdir("mlops-test", 1);
    ck_assert_msg(p != NULL, "mkdtemp under the test directory failed (or its mlops.conf: "
                             "MLOPS_TEST_PG unset?)");
    return p;
}

char *tu_tmpdir_local(void)
{
    char *p = make_tmpdir("mlops-test", 0);
    ck_assert_msg(p != NULL, "mkdtemp under the test directory failed");
    return p;
}

/* mkdir -p with mode 0700 for what it makes. */
static int mkdir_p(const char *dir)
{
    char *p = strdup(dir);
    if (!p) return -1;
    for (char *q = p + 1; *q; q++) {
        if (*q != '/') continue;
        *q = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *q = '/';
    }
    int rc = mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

char *tu_store_dir_at(const char *dir)
{
    if (mkdir_p(dir)) return NULL;
    if (shared_backends() && write_backend_conf(dir)) return NULL;
    return strdup(dir);
}

char *tu_store_dir(const char *parent, const char *name)
{
    char *p = tu_path(parent, name);
    char *made = tu_store_dir_at(p);
    ck_assert_msg(made != NULL, "cannot make the store directory %s (or its mlops.conf)", p);
    free(p);
    return made;
}

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *tu_fanout_path(const char *dir, const unsigned char digest[32])
{
    char hex[65], rel[68];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    snprintf(rel, sizeof rel, "%.2s/%s", hex, hex + 2);
    return tu_path(dir, rel);
}

FILE *tu_open_src(const char *name)
{
    const char *src = getenv("MLOPS_TEST_SRCDIR");
    char *path = tu_path(src ? src : "tests", name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    free(path);
    return f;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmrf(const char *path)
{
    if (path) nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_msg(fd >= 0, "cannot create %s", path);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

void tu_limit_address_space(size_t extra)
{
    FILE *f = fopen("/proc/self/statm", "r");
    ck_assert_msg(f != NULL, "cannot read /proc/self/statm");
    unsigned long long pages = 0;
    ck_assert_int_eq(fscanf(f, "%llu", &pages), 1);
    fclose(f);
    rlim_t lim = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (rlim_t)extra;
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < lim) lim = rl.rlim_max;
    rl.rlim_cur = lim;
    ck_assert_msg(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit: %s", strerror(errno));
}

void tu_unlimit_address_space(void)
{
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &rl), 0);
    rl.rlim_cur = rl.rlim_max;
    ck_assert_msg(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit: %s", strerror(errno));
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
