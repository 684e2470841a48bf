/* Stores with their objects on S3 under network and server faults
 * (issue 17, "Faults"), through the public API only: blobs and trees put
 * and read while the test TCP proxy (tests/faults/tcpproxy.h) between
 * the store and versitygw drops, resets, stalls and refuses connections;
 * versitygw killed in the middle of a put of many chunks and started
 * again; bytes of an object changed on the server's disk. What must hold:
 *   - a put that returned MLOPS_OK is readable afterwards, byte for byte,
 *     by a fresh handle;
 *   - a failure is MLOPS_EIO with a message naming the endpoint, never a
 *     crash, never wrong bytes;
 *   - a damaged object is MLOPS_ECORRUPT for a reader with a cold cache.
 * Runs under scripts/with-s3.sh (MLOPS_TEST_S3, AWS_ENDPOINT_URL_S3 and
 * the keys; MLOPS_TEST_S3_DIR and MLOPS_TEST_S3_SERVER to reach the
 * server's data folder and to restart it). */
#include "cas_testutil.h"

#include "faults/tcpproxy.h"
#include "util/clock.h"
#include "util/crc32c.h"

#include <pthread.h>
#include <signal.h>

/* ---- the server and the stores ------------------------------------------- */

static const char *need_env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v && *v, "%s is not set: run under scripts/with-s3.sh", name);
    return v;
}

/* The server's own endpoint, kept before a test points the variable at
 * its proxy. */
static char server_endpoint[128];

static int server_port(void)
{
    const char *colon = strrchr(server_endpoint, ':');
    ck_assert_ptr_nonnull(colon);
    return atoi(colon + 1);
}

/* Where the stores' objects go: with-s3.sh's "s3://bucket/prefix", with
 * the bucket and the prefix apart for the server's data folder. */
static void test_location(char *bucket, size_t bcap, char *prefix, size_t pcap)
{
    const char *uri = need_env("MLOPS_TEST_S3");
    ck_assert(strncmp(uri, "s3://", 5) == 0);
    const char *b = uri + 5, *slash = strchr(b, '/');
    size_t bl = slash ? (size_t)(slash - b) : strlen(b);
    ck_assert_uint_lt(bl, bcap);
    memcpy(bucket, b, bl);
    bucket[bl] = '\0';
    snprintf(prefix, pcap, "%s", slash ? slash + 1 : "");
}

typedef struct fstore {
    char *dir;         /* the store directory (SQLite metadata, mlops.conf) */
    char key_base[320]; /* "<bucket>/<prefix>": the objects' folder in the server's data */
} fstore;

/* A store directory whose mlops.conf puts its objects under a fresh
 * prefix of the test bucket. */
static void fstore_make(fstore *f, const char *name)
{
    static unsigned counter;
    char bucket[64], prefix[128], sub[96];
    test_location(bucket, sizeof bucket, prefix, sizeof prefix);
    snprintf(sub, sizeof sub, "%s-%ld-%u", name, (long)getpid(), ++counter);
    f->dir = tu_tmpdir_local();
    snprintf(f->key_base, sizeof f->key_base, "%s/%s%s%s", bucket, prefix, prefix[0] ? "/" : "",
             sub);
    char conf[512];
    int n = snprintf(conf, sizeof conf, "format 1\nobjects s3://%s\n", f->key_base);
    char *p = tu_path(f->dir, "mlops.conf");
    tu_write_file(p, conf, (size_t)n);
    free(p);
}

static void fstore_free(fstore *f)
{
    tu_rmrf(f->dir);
    free(f->dir);
}

/* Opens the store with small chunks (a few hundred KiB make many objects)
 * reaching S3 at endpoint: the server, or a proxy in front of it. */
static mlops_store *fstore_open(const fstore *f, const char *endpoint)
{
    ck_assert_int_eq(setenv("AWS_ENDPOINT_URL_S3", endpoint, 1), 0);
    mlops_store *s = open_small_store(f->dir);
    /* The backend read the variable when it opened. */
    ck_assert_int_eq(setenv("AWS_ENDPOINT_URL_S3", server_endpoint, 1), 0);
    return s;
}

/* The file that holds object d in versitygw's posix backend. */
static char *server_file(const fstore *f, const mlops_digest *d)
{
    char hex[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(d, hex));
    const char *h = strchr(hex, ':') + 1;
    size_t n = 1024;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/data/%s/objects/sha256/%.2s/%s", need_env("MLOPS_TEST_S3_DIR"),
             f->key_base, h, h + 2);
    return p;
}

/* A copy of the store's directory (its metadata and mlops.conf, none of
 * its local state): a reader on another machine, whose cache is cold. */
static char *cold_reader_dir(const fstore *f)
{
    char *dir = tu_tmpdir_local();
    const char *names[] = { "mlops.conf", "mlops.db" };
    for (size_t i = 0; i < 2; i++) {
        char *from = tu_path(f->dir, names[i]), *to = tu_path(dir, names[i]);
        FILE *in = fopen(from, "rb");
        ck_assert_msg(in != NULL, "cannot read %s", from);
        FILE *out = fopen(to, "wb");
        ck_assert_ptr_nonnull(out);
        char buf[65536];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, in)) > 0) ck_assert_uint_eq(fwrite(buf, 1, k, out), k);
        fclose(in);
        ck_assert_int_eq(fclose(out), 0);
        free(from);
        free(to);
    }
    return dir;
}

/* A handle on a cold reader's copy of the store (cold_reader_dir, named
 * in *dir) that talks to the server directly. */
static mlops_store *open_cold_reader(const fstore *f, char **dir)
{
    *dir = cold_reader_dir(f);
    ck_assert_int_eq(setenv("AWS_ENDPOINT_URL_S3", server_endpoint, 1), 0);
    return open_small_store(*dir);
}

/* ---- what was acknowledged ------------------------------------------------ */

#define MAX_ACKED 64

typedef struct acked {
    mlops_digest d[MAX_ACKED];
    unsigned char *data[MAX_ACKED];
    size_t len[MAX_ACKED];
    int n;
} acked;

static void acked_add(acked *a, const mlops_digest *d, const void *data, size_t len)
{
    ck_assert_int_lt(a->n, MAX_ACKED);
    a->d[a->n] = *d;
    a->data[a->n] = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(a->data[a->n]);
    memcpy(a->data[a->n], data, len);
    a->len[a->n] = len;
    a->n++;
}

static void acked_free(acked *a)
{
    for (int i = 0; i < a->n; i++) free(a->data[i]);
    a->n = 0;
}

/* A failure under faults: MLOPS_EIO naming where the store was talking. */
static void expect_eio(int rc, const char *what, const char *endpoint)
{
    ck_assert_msg(rc == MLOPS_EIO, "%s -> %d, expected MLOPS_EIO (%s)", what, rc,
                  mlops_last_error());
    ck_assert_msg(strstr(mlops_last_error(), endpoint) != NULL,
                  "%s: the message does not name %s: %s", what, endpoint, mlops_last_error());
}

/* Blob i of a's readable: MLOPS_OK with its bytes, or (faults allowed)
 * MLOPS_EIO naming the endpoint. Returns 1 when it was read. */
static int check_read(mlops_store *s, const acked *a, int i, const char *faulty_endpoint)
{
    void *p = NULL;
    size_t n = 0;
    int rc = mlops_blob_get(s, &a->d[i], &p, &n);
    if (rc && faulty_endpoint) {
        expect_eio(rc, "mlops_blob_get", faulty_endpoint);
        return 0;
    }
    ck_assert_msg(rc == MLOPS_OK, "acknowledged blob %d: %d (%s)", i, rc, mlops_last_error());
    ck_assert_uint_eq(n, a->len[i]);
    ck_assert_msg(n == 0 || memcmp(p, a->data[i], n) == 0, "acknowledged blob %d: wrong bytes", i);
    mlops_free(p);
    return 1;
}

/* A fresh handle straight to the server reads every acknowledged blob
 * with its bytes, and fsck finds nothing corrupt or missing. */
static void verify_all(const fstore *f, const acked *a)
{
    mlops_store *s = fstore_open(f, server_endpoint);
    for (int i = 0; i < a->n; i++) check_read(s, a, i, NULL);
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &rep));
    ck_assert_uint_eq(rep.corrupt, 0);
    ck_assert_uint_eq(rep.missing, 0);
    mlops_store_close(s);
}

/* ---- faults from a thread -------------------------------------------------- */

typedef struct chaos {
    tproxy *p;
    volatile int stop;
    uint64_t rng;
    int drops, stalls, refusals, armed;
} chaos;

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Every few milliseconds one of: every connection reset, all bytes held
 * for up to 150 ms, new connections refused for up to 100 ms, or the
 * next request line dropped before or after it reaches the server. */
static void *chaos_main(void *arg)
{
    chaos *c = arg;
    static const char put_line[] = "PUT /", get_line[] = "GET /";
    while (!c->stop) {
        mlops__sleep_us((uint32_t)(5000 + next_rand(&c->rng) % 35000));
        unsigned what = (unsigned)(next_rand(&c->rng) % 100);
        if (what < 45) {
            tproxy_drop_all(c->p);
            c->drops++;
        } else if (what < 65) {
            tproxy_stall(c->p, 1);
            mlops__sleep_us((uint32_t)(10000 + next_rand(&c->rng) % 140000));
            tproxy_stall(c->p, 0);
            c->stalls++;
        } else if (what < 80) {
            tproxy_refuse(c->p, 1);
            mlops__sleep_us((uint32_t)(10000 + next_rand(&c->rng) % 90000));
            tproxy_refuse(c->p, 0);
            c->refusals++;
        } else {
            int put = what < 92;
            tproxy_arm(c->p, put ? put_line : get_line, 5,
                       next_rand(&c->rng) % 2 ? TP_DROP_AFTER : TP_DROP_BEFORE);
            c->armed++;
        }
    }
    tproxy_stall(c->p, 0);
    tproxy_refuse(c->p, 0);
    return NULL;
}

/* Three files (one of many chunks) in a new folder under parent. */
static char *make_tree_dir(const char *parent, int i, uint64_t seed)
{
    char name[32];
    snprintf(name, sizeof name, "tree%d", i);
    char *dir = tu_path(parent, name);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    size_t sizes[3] = { 10, 3000, 90000 };
    for (int k = 0; k < 3; k++) {
        unsigned char *b = malloc(sizes[k]);
        fill_random(b, sizes[k], seed * 3 + (uint64_t)k);
        char fname[16];
        snprintf(fname, sizeof fname, "f%d", k);
        char *p = tu_path(dir, fname);
        tu_write_file(p, b, sizes[k]);
        free(p);
        free(b);
    }
    return dir;
}

/* Files of a restored tree equal to those make_tree_dir wrote. */
static void expect_tree(const char *dir, uint64_t seed)
{
    size_t sizes[3] = { 10, 3000, 90000 };
    for (int k = 0; k < 3; k++) {
        unsigned char *want = malloc(sizes[k]), *got = malloc(sizes[k] + 1);
        fill_random(want, sizes[k], seed * 3 + (uint64_t)k);
        char fname[16];
        snprintf(fname, sizeof fname, "f%d", k);
        char *p = tu_path(dir, fname);
        FILE *in = fopen(p, "rb");
        ck_assert_msg(in != NULL, "restored tree lacks %s", p);
        ck_assert_uint_eq(fread(got, 1, sizes[k] + 1, in), sizes[k]);
        fclose(in);
        ck_assert(memcmp(got, want, sizes[k]) == 0);
        free(p);
        free(want);
        free(got);
    }
}

#define ROUNDS 30
#define MAX_TREES 8

/* Blobs of 1 byte to 400 KiB and trees put, and acknowledged blobs read
 * back, while the proxy breaks connections at random. */
START_TEST(puts_and_reads_under_network_faults)
{
    fstore f;
    fstore_make(&f, "chaos");
    tproxy *p = NULL;
    ck_assert_int_eq(tproxy_start("127.0.0.1", server_port(), &p), 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", tproxy_port(p));
    mlops_store *s = fstore_open(&f, endpoint);
    char *scratch = tu_tmpdir_local();

    chaos c = { .p = p, .rng = (uint64_t)mlops__now_ms() | 1 };
    fprintf(stderr, "# chaos seed %llu\n", (unsigned long long)c.rng);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, chaos_main, &c), 0);

    acked a = { .n = 0 };
    mlops_digest trees[MAX_TREES];
    uint64_t tree_seeds[MAX_TREES];
    int ntrees = 0, failed_puts = 0, reads = 0, failed_reads = 0;
    size_t sizes[] = { 1, 700, 20000, 150000, 400000 };
    uint64_t pick = 12345;
    for (int i = 0; i < ROUNDS; i++) {
        if (i % 6 == 5 && ntrees < MAX_TREES) {
            uint64_t seed = 1000 + (uint64_t)i;
            char *dir = make_tree_dir(scratch, i, seed);
            mlops_digest t;
            int rc = mlops_tree_put(s, dir, 0, &t);
            if (rc == MLOPS_OK) {
                trees[ntrees] = t;
                tree_seeds[ntrees++] = seed;
            } else {
                expect_eio(rc, "mlops_tree_put", endpoint);
                failed_puts++;
            }
            free(dir);
            continue;
        }
        size_t n = sizes[i % 5];
        unsigned char *b = malloc(n);
        fill_random(b, n, 77 + (uint64_t)i);
        mlops_digest d;
        int rc = mlops_blob_put(s, b, n, &d);
        if (rc == MLOPS_OK) acked_add(&a, &d, b, n);
        else {
            expect_eio(rc, "mlops_blob_put", endpoint);
            failed_puts++;
        }
        free(b);
        /* An earlier acknowledged blob, read through the same faults. */
        if (a.n) {
            reads++;
            if (!check_read(s, &a, (int)(next_rand(&pick) % (uint64_t)a.n), endpoint))
                failed_reads++;
        }
    }
    c.stop = 1;
    pthread_join(th, NULL);
    fprintf(stderr,
            "# %d puts (%d failed), %d reads (%d failed); %d resets, %d stalls, %d refusals, "
            "%d armed drops (%d fired), %d connections\n",
            ROUNDS, failed_puts, reads, failed_reads, c.drops, c.stalls, c.refusals, c.armed,
            tproxy_fired(p), tproxy_accepted(p));
    /* The faults happened, and retries carried most operations through. */
    ck_assert_int_ge(c.drops + c.stalls + c.refusals + tproxy_fired(p), 10);
    ck_assert_int_gt(tproxy_accepted(p), 10);
    ck_assert_int_ge(a.n + ntrees, ROUNDS / 2);
    mlops_store_close(s);
    tproxy_stop(p);

    verify_all(&f, &a);
    mlops_store *r = fstore_open(&f, server_endpoint);
    for (int i = 0; i < ntrees; i++) {
        char name[32];
        snprintf(name, sizeof name, "restored%d", i);
        char *out = tu_path(scratch, name);
        TU_OK(mlops_tree_get(r, &trees[i], out, 0));
        expect_tree(out, tree_seeds[i]);
        free(out);
    }
    mlops_store_close(r);
    acked_free(&a);
    tu_rmrf(scratch);
    free(scratch);
    fstore_free(&f);
}
END_TEST

/* The connection is cut right after an object's last byte reached the
 * server (stored, but the client never heard), or right before a
 * request line: each put is retried and acknowledged once, and the
 * object is whole. */
START_TEST(put_cut_after_the_server_stored_it)
{
    fstore f;
    fstore_make(&f, "cut");
    tproxy *p = NULL;
    ck_assert_int_eq(tproxy_start("127.0.0.1", server_port(), &p), 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", tproxy_port(p));
    mlops_store *s = fstore_open(&f, endpoint);
    acked a = { .n = 0 };
    /* Random bytes are stored raw: the object's body ends with the blob's
     * last bytes (one object: under the small store's smallest chunk). */
    size_t n = 900;
    unsigned char *b = malloc(n);
    fill_random(b, n, 5);
    tproxy_arm(p, b + n - 16, 16, TP_DROP_AFTER);
    mlops_digest d;
    TU_OK(mlops_blob_put(s, b, n, &d));
    ck_assert_int_eq(tproxy_fired(p), 1);
    acked_add(&a, &d, b, n);
    /* The same for the last chunk of a blob of many: its manifest follows. */
    size_t big = 200000;
    unsigned char *bb = malloc(big);
    fill_random(bb, big, 6);
    tproxy_arm(p, bb + big - 16, 16, TP_DROP_AFTER);
    TU_OK(mlops_blob_put(s, bb, big, &d));
    ck_assert_int_eq(tproxy_fired(p), 2);
    acked_add(&a, &d, bb, big);
    /* Dropped before the request line reaches the server. */
    tproxy_arm(p, "PUT /", 5, TP_DROP_BEFORE);
    TU_OK(mlops_blob_put(s, "after a drop", 12, &d));
    ck_assert_int_eq(tproxy_fired(p), 3);
    acked_add(&a, &d, "after a drop", 12);
    /* And a read whose request line is dropped. */
    tproxy_arm(p, "GET /", 5, TP_DROP_AFTER);
    check_read(s, &a, 1, NULL);
    ck_assert_int_eq(tproxy_fired(p), 4);
    mlops_store_close(s);
    tproxy_stop(p);
    verify_all(&f, &a);
    acked_free(&a);
    free(b);
    free(bb);
    fstore_free(&f);
}
END_TEST

/* ---- the server killed mid-put --------------------------------------------- */

static int count_regular_files(const char *dir)
{
    return count_files(dir);
}

typedef struct killer {
    char objects_dir[1024];
    pid_t server;
    int threshold;
    volatile int stop;
    int killed_at; /* objects on the server when the kill was sent; 0: none */
} killer;

/* Kills the server (SIGKILL) once the put in flight has placed
 * `threshold` objects. */
static void *killer_main(void *arg)
{
    killer *k = arg;
    while (!k->stop) {
        int n = count_regular_files(k->objects_dir);
        if (n >= k->threshold) {
            kill(k->server, SIGKILL);
            k->killed_at = n;
            return NULL;
        }
        mlops__sleep_us(1000);
    }
    return NULL;
}

static pid_t server_pid(void)
{
    char *p = tu_path(need_env("MLOPS_TEST_S3_DIR"), "pid");
    FILE *in = fopen(p, "r");
    ck_assert_msg(in != NULL, "cannot read %s", p);
    long pid = 0;
    ck_assert_int_eq(fscanf(in, "%ld", &pid), 1);
    fclose(in);
    free(p);
    ck_assert_int_gt(pid, 1);
    return (pid_t)pid;
}

/* Starts the server again, in a session of its own: Check kills the
 * process group of a forked test when the test ends, and the server must
 * outlive it (with-s3.sh stops it at the end from its pid file). */
static void restart_server(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "setsid '%s' restart '%s' >&2", need_env("MLOPS_TEST_S3_SERVER"),
             need_env("MLOPS_TEST_S3_DIR"));
    ck_assert_int_eq(system(cmd), 0);
}

/* versitygw SIGKILLed while a blob of ~1000 objects is being put: the
 * put fails with MLOPS_EIO naming the endpoint (once its retries are
 * spent), what was acknowledged before stays; with the server back the
 * same put succeeds, and fsck finds no damaged object (a killed upload
 * never left a partial object under an object's name). */
START_TEST(server_killed_mid_put)
{
    fstore f;
    fstore_make(&f, "killed");
    mlops_store *s = fstore_open(&f, server_endpoint);
    acked a = { .n = 0 };
    for (int i = 0; i < 3; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "acknowledged before %d", i);
        mlops_digest d;
        TU_OK(mlops_blob_put(s, text, (size_t)n, &d));
        acked_add(&a, &d, text, (size_t)n);
    }
    size_t n = 4u << 20;
    unsigned char *b = malloc(n);
    fill_random(b, n, 9);

    killer k = { .server = server_pid(), .threshold = 40 };
    char *probe = server_file(&f, &a.d[0]);
    /* ".../objects/sha256/ab/<62>": the folder of every object, two up. */
    for (int up = 0; up < 2; up++) *strrchr(probe, '/') = '\0';
    snprintf(k.objects_dir, sizeof k.objects_dir, "%s", probe);
    free(probe);
    k.threshold += count_regular_files(k.objects_dir);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, killer_main, &k), 0);
    int64_t t0 = mlops__monotonic_ns();
    mlops_digest d;
    int rc = mlops_blob_put(s, b, n, &d);
    double secs = (double)(mlops__monotonic_ns() - t0) / 1e9;
    k.stop = 1;
    pthread_join(th, NULL);
    ck_assert_msg(k.killed_at > 0, "the put (rc %d) ended before the server was killed", rc);
    expect_eio(rc, "mlops_blob_put while the server is down", server_endpoint);
    fprintf(stderr, "# server killed after %d objects: the put failed in %.1f s\n", k.killed_at,
            secs);
    /* Two requests' retries one after the other at most (the failed
     * PUTs, then the first removal of what the put had placed). */
    ck_assert_msg(secs < 45, "the failing put took %.1f s", secs);
    /* Nothing names the failed blob. */
    int yes = 1;
    mlops_digest want;
    TU_OK(mlops_digest_compute(b, n, &want));
    TU_OK(mlops_blob_exists(s, &want, &yes));
    ck_assert_int_eq(yes, 0);

    restart_server();
    /* The same handle: its connections died with the server. */
    TU_OK(mlops_blob_put(s, b, n, &d));
    ck_assert(memcmp(d.bytes, want.bytes, 32) == 0);
    acked_add(&a, &d, b, n);
    mlops_store_close(s);
    verify_all(&f, &a);
    acked_free(&a);
    free(b);
    fstore_free(&f);
}
END_TEST

/* ---- damage on the server ------------------------------------------------- */

static void flip_file_byte(const char *path, long from_end)
{
    FILE *io = fopen(path, "r+b");
    ck_assert_msg(io != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(io, -from_end, SEEK_END), 0);
    int c = fgetc(io);
    ck_assert_int_ne(c, EOF);
    ck_assert_int_eq(fseek(io, -from_end, SEEK_END), 0);
    ck_assert_int_ne(fputc(c ^ 0x40, io), EOF);
    ck_assert_int_eq(fclose(io), 0);
}

/* A byte flipped in a chunk of a large blob and in a blob stored whole,
 * and an object cut short, in versitygw's files: a reader with a fresh
 * handle and a cold cache gets MLOPS_ECORRUPT naming the object, never
 * the bytes; the other blobs read fine; fsck finds and quarantines them. */
START_TEST(damage_on_the_server_is_corruption)
{
    fstore f;
    fstore_make(&f, "flip");
    mlops_store *s = fstore_open(&f, server_endpoint);
    size_t n = 200000;
    unsigned char *b = malloc(n);
    fill_random(b, n, 11);
    mlops_digest big, whole, cut, sound;
    TU_OK(mlops_blob_put(s, b, n, &big));
    TU_OK(mlops_blob_put(s, "stored whole, flipped", 21, &whole));
    TU_OK(mlops_blob_put(s, "stored whole, cut short", 23, &cut));
    TU_OK(mlops_blob_put(s, "never touched", 13, &sound));
    char *scratch = tu_tmpdir_local();
    char *tree_src = make_tree_dir(scratch, 0, 42);
    mlops_digest tree;
    TU_OK(mlops_tree_put(s, tree_src, 0, &tree));
    /* A chunk of the big blob; the tree's big file shares nothing with it. */
    mlops_digest chunk;
    {
        tu_db *db = tu_db_open(f.dir);
        tu_db_blob(db, "SELECT chunk FROM cas_chunk WHERE blob = ?1 ORDER BY pos LIMIT 1 OFFSET 3",
                   big.bytes, 32, chunk.bytes, 32);
        tu_db_close(db);
    }
    mlops_store_close(s);

    char *pc = server_file(&f, &chunk), *pw = server_file(&f, &whole), *pt = server_file(&f, &cut);
    flip_file_byte(pc, 5);
    flip_file_byte(pw, 2);
    ck_assert_int_eq(truncate(pt, 10), 0);

    char *rdir = NULL;
    mlops_store *r = open_cold_reader(&f, &rdir);
    void *p = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(r, &big, &p, &len));
    ck_assert_ptr_null(p);
    char hex[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&chunk, hex));
    ck_assert_msg(strstr(mlops_last_error(), hex) && strstr(mlops_last_error(), "s3://"),
                  "the message names neither the object nor where it is: %s", mlops_last_error());
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(r, &whole, &p, &len));
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(r, &cut, &p, &len));
    /* Streaming and random access see it too. */
    char *out = tu_path(scratch, "big.out");
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get_file(r, &big, out));
    ck_assert_int_ne(access(out, F_OK), 0);
    free(out);
    TU_OK(mlops_blob_get(r, &sound, &p, &len));
    ck_assert_uint_eq(len, 13);
    ck_assert(memcmp(p, "never touched", 13) == 0);
    mlops_free(p);
    char *restored = tu_path(scratch, "restored");
    TU_OK(mlops_tree_get(r, &tree, restored, 0));
    expect_tree(restored, 42);
    free(restored);

    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_RC(MLOPS_ECORRUPT, mlops_store_fsck(r, NULL, &rep));
    ck_assert_uint_eq(rep.corrupt, 3);
    ck_assert_uint_eq(rep.quarantined, 3);
    mlops_free(rep.issues);
    /* Quarantined: gone from the objects; a read now finds it missing. */
    ck_assert_int_ne(access(pc, F_OK), 0);
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(r, &whole, &p, &len));
    mlops_store_close(r);

    free(pc);
    free(pw);
    free(pt);
    tu_rmrf(rdir);
    free(rdir);
    free(tree_src);
    tu_rmrf(scratch);
    free(scratch);
    free(b);
    fstore_free(&f);
}
END_TEST

/* The whole of file path into a malloc'd buffer. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *in = fopen(path, "rb");
    ck_assert_msg(in != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(in, 0, SEEK_END), 0);
    long len = ftell(in);
    ck_assert_int_ge(len, 0);
    rewind(in);
    unsigned char *b = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, in), (size_t)len);
    fclose(in);
    *n = (size_t)len;
    return b;
}

static void spill(const char *path, const unsigned char *b, size_t n)
{
    FILE *out = fopen(path, "wb");
    ck_assert_msg(out != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(b, 1, n, out), n);
    ck_assert_int_eq(fclose(out), 0);
}

/* The read cache's file of object d in store directory dir
 * (lib/objects/s3/s3_cache.c: the object's bytes, then their CRC-32C). */
static char *cache_file(const char *dir, const mlops_digest *d)
{
    char hex[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(d, hex));
    const char *h = strchr(hex, ':') + 1;
    size_t n = strlen(dir) + 128;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/cache/sha256/%.2s/%s", dir, h, h + 2);
    return p;
}

/* A copy damaged on its way or in the read cache must not outlive the read
 * that found it. An object damaged on the server is read once (corrupt),
 * then healed there (as another machine's fsck and put would): the
 * reader's next read is sound, because its cache did not keep the damaged
 * copy. Then the cache's copy is damaged behind its own checksum (a file
 * whose trailer matches its bad bytes): a read fails once and the next one
 * reads the server's, and fsck reads the server's copy again before judging,
 * so it quarantines nothing sound. */
START_TEST(damaged_copies_are_not_kept)
{
    static const char text[] = "stored whole, damaged, then healed";
    fstore f;
    fstore_make(&f, "heal");
    mlops_store *s = fstore_open(&f, server_endpoint);
    mlops_digest whole;
    TU_OK(mlops_blob_put(s, text, sizeof text - 1, &whole));
    mlops_store_close(s);
    char *pw = server_file(&f, &whole);
    size_t n = 0;
    unsigned char *sound = slurp(pw, &n);
    flip_file_byte(pw, 2);

    char *rdir = NULL;
    mlops_store *r = open_cold_reader(&f, &rdir);
    void *p = NULL;
    size_t len = 0;
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(r, &whole, &p, &len));
    mlops_store_close(r); /* the cache writes what it was given */
    spill(pw, sound, n);  /* healed on the server */
    r = open_small_store(rdir);
    TU_OK(mlops_blob_get(r, &whole, &p, &len));
    ck_assert(len == sizeof text - 1 && memcmp(p, text, len) == 0);
    mlops_free(p);
    mlops_store_close(r); /* now the cache holds the sound copy */

    char *pc = cache_file(rdir, &whole);
    size_t cn = 0;
    unsigned char *c = slurp(pc, &cn);
    ck_assert_uint_eq(cn, n + 4);
    ck_assert(memcmp(c, sound, n) == 0);
    c[n - 2] ^= 0x40;
    uint32_t crc = mlops__crc32c(c, n);
    for (int i = 0; i < 4; i++) c[n + (size_t)i] = (unsigned char)(crc >> (24 - 8 * i));
    spill(pc, c, cn);
    r = open_small_store(rdir);
    TU_RC(MLOPS_ECORRUPT, mlops_blob_get(r, &whole, &p, &len));
    TU_OK(mlops_blob_get(r, &whole, &p, &len));
    mlops_free(p);
    mlops_store_close(r);

    spill(pc, c, cn); /* damaged again, for fsck */
    r = open_small_store(rdir);
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(r, NULL, &rep));
    ck_assert_uint_eq(rep.corrupt, 0);
    ck_assert_uint_eq(rep.quarantined, 0);
    mlops_free(rep.issues);
    ck_assert_int_eq(access(pw, F_OK), 0);
    TU_OK(mlops_blob_get(r, &whole, &p, &len));
    mlops_free(p);
    mlops_store_close(r);

    free(c);
    free(pc);
    free(sound);
    free(pw);
    tu_rmrf(rdir);
    free(rdir);
    fstore_free(&f);
}
END_TEST

int main(void)
{
    const char *e = getenv("AWS_ENDPOINT_URL_S3");
    if (!e || !*e) {
        fprintf(stderr, "AWS_ENDPOINT_URL_S3 is not set: run under scripts/with-s3.sh\n");
        return 1;
    }
    snprintf(server_endpoint, sizeof server_endpoint, "%s", e);
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("s3_faults");
    /* One case each, so that CK_RUN_CASE runs one alone. */
    struct { const char *name; const TTest *test; } cases[] = {
        { "network", puts_and_reads_under_network_faults },
        { "cut", put_cut_after_the_server_stored_it },
        { "damage", damage_on_the_server_is_corruption },
        { "healed", damaged_copies_are_not_kept },
        { "killed", server_killed_mid_put }, /* last: it restarts the server */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return tu_run(s);
}
