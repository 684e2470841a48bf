/* I/O fault injection: makes each write, fsync, rename and SQLite I/O
 * call of a blob put (whole, chunked, from a file), a metric log (one
 * point, a batch), a version create and an alias move fail in turn, with
 * EIO (and ENOSPC for writes). Every failure must return MLOPS_EIO (or
 * MLOPS_OK when the failed call was not needed for the result, such as a
 * WAL checkpoint after the commit: then the effect must be there), leave
 * the operation all done or not at all, and leave a store that opens,
 * passes fsck and audit verification, and keeps working on the same
 * handle. Then a full disk: a small tmpfs mounted by the test (as root;
 * otherwise skipped with a message).
 *
 * usage: fault_test [--no-full-disk]. Prints "# figure:" lines and TAP. */
#include "faultinject.h"
#include "testutil.h"

#include <mlops.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int tap_n, tap_failed;
static char root[PATH_MAX], store_dir[PATH_MAX + 64], scratch[PATH_MAX + 16];

static void tap(int ok, const char *fmt, const char *a, const char *b)
{
    printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
    printf(fmt, a, b);
    printf("\n");
    fflush(stdout);
    if (!ok) tap_failed++;
}

static void content(uint64_t seed, uint8_t *buf, size_t len)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (seed & 1) ? (uint8_t)('a' + x % 7) : (uint8_t)x;
    }
}

/* ---- the operations ------------------------------------------------------- */

typedef struct ctx {
    mlops_store *s;
    mlops_store *src; /* a second store, outside the watched folder, that pushes */
    mlops_run *run;
    mlops_digest artifact;
    mlops_digest tree; /* TREE_FILES small files, in src (the store's rows stay as they were) */
    int64_t versions; /* versions of "m" created so far */
} ctx;

typedef struct op {
    const char *name;
    /* Runs attempt `step` (the same step twice is the same operation). */
    int (*run)(ctx *c, long step);
    /* 1: the effect is all there; 0: none of it; -1: partly (a bug). */
    int (*effect)(ctx *c, long step);
    /* 1: only its fsyncs (and syncfs) fail, in turn: an operation of many
     * calls whose other kinds the operations above cover already (each
     * failure costs an fsck of the whole store). */
    int fsync_only;
    /* The most failed calls the operation may absorb (return MLOPS_OK
     * with its effect whole); -1: any. */
    long max_absorbed;
} op;

static size_t put_len(long step, int big)
{
    return big ? 150000 + (size_t)(step % 7) * 1000 : 9000 + (size_t)(step % 5);
}

static int put_mem(ctx *c, long step, int big)
{
    size_t len = put_len(step, big);
    uint8_t *b = malloc(len);
    content((uint64_t)step * 4 + (uint64_t)big * 2 + 1, b, len);
    mlops_digest d;
    int rc = mlops_blob_put(c->s, b, len, &d);
    free(b);
    return rc;
}

static int put_effect(ctx *c, long step, int big, uint64_t seed)
{
    size_t len = put_len(step, big);
    uint8_t *b = malloc(len);
    content(seed, b, len);
    mlops_digest d;
    mlops_digest_compute(b, len, &d);
    int exists = 0;
    if (mlops_blob_exists(c->s, &d, &exists)) exists = -1;
    if (exists == 1) {
        void *got;
        size_t glen;
        if (mlops_blob_get(c->s, &d, &got, &glen) || glen != len || memcmp(got, b, len)) exists = -1;
        else mlops_free(got);
    }
    free(b);
    return exists;
}

static int op_put_small(ctx *c, long step) { return put_mem(c, step, 0); }
static int op_put_big(ctx *c, long step) { return put_mem(c, step, 1); }
static int eff_put_small(ctx *c, long step) { return put_effect(c, step, 0, (uint64_t)step * 4 + 1); }
static int eff_put_big(ctx *c, long step) { return put_effect(c, step, 1, (uint64_t)step * 4 + 3); }

static int op_put_file(ctx *c, long step)
{
    size_t len = put_len(step, 1);
    uint8_t *b = malloc(len);
    content((uint64_t)step * 4 + 2, b, len);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/input", scratch);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t n = write(fd, b, len);
    close(fd);
    free(b);
    if (n != (ssize_t)len) return -1;
    mlops_digest d;
    return mlops_blob_put_file(c->s, path, &d);
}

static int eff_put_file(ctx *c, long step) { return put_effect(c, step, 1, (uint64_t)step * 4 + 2); }

static int op_metric(ctx *c, long step)
{
    return mlops_run_log_metric(c->run, "loss", 1.0 / (double)(step + 1), step, 1000 + step);
}

static int eff_metric(ctx *c, long step)
{
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.step_min = o.step_max = step;
    mlops_metric_point *p = NULL;
    size_t n = 0;
    int rc = mlops_metric_history(c->s, mlops_run_id(c->run), "loss", &o, &p, &n);
    if (rc == MLOPS_ENOTFOUND) return 0;
    int r = rc ? -1 : n == 0 ? 0 : (n == 1 && p[0].value == 1.0 / (double)(step + 1)) ? 1 : -1;
    mlops_free(p);
    return r;
}

#define BATCH 100

static int op_metrics(ctx *c, long step)
{
    mlops_metric m[BATCH];
    for (int i = 0; i < BATCH; i++)
        m[i] = (mlops_metric){ "acc", (double)i / 7, step * BATCH + i, 5000 };
    return mlops_run_log_metrics(c->run, m, BATCH);
}

static int eff_metrics(ctx *c, long step)
{
    mlops_history_opts o = MLOPS_HISTORY_OPTS_INIT;
    o.step_min = step * BATCH;
    o.step_max = step * BATCH + BATCH - 1;
    mlops_metric_point *p = NULL;
    size_t n = 0;
    int rc = mlops_metric_history(c->s, mlops_run_id(c->run), "acc", &o, &p, &n);
    if (rc == MLOPS_ENOTFOUND) return 0;
    mlops_free(p);
    return rc ? -1 : n == 0 ? 0 : n == BATCH ? 1 : -1;
}

/* A version create is not idempotent: each attempt that succeeds makes one
 * more version. The effect is "the model has one more version than before
 * the attempt", tracked in c->versions. */
static int op_version(ctx *c, long step)
{
    (void)step;
    int64_t v = 0;
    int rc = mlops_model_version_create(c->s, "m", &c->artifact, NULL, &v);
    if (!rc && v != c->versions + 1) return -1;
    return rc;
}

static int eff_version(ctx *c, long step)
{
    (void)step;
    mlops_model_versions *l;
    if (mlops_model_version_list(c->s, "m", 1, &l)) return -1;
    int64_t n = (int64_t)mlops_model_versions_count(l);
    mlops_model_versions_free(l);
    if (n == c->versions) return 0;
    if (n == c->versions + 1) {
        c->versions++;
        return 1;
    }
    return -1;
}

static int op_alias(ctx *c, long step)
{
    return mlops_model_alias_set(c->s, "m", "champion", 1 + step % 2);
}

static int eff_alias(ctx *c, long step)
{
    int64_t v = 0;
    int rc = mlops_model_alias_get(c->s, "m", "champion", &v);
    if (rc == MLOPS_ENOTFOUND) return 0;
    if (rc) return -1;
    return v == 1 + step % 2 ? 1 : 0;
}

/* A pull from a folder remote (outside the watched folder) of a small
 * chunked blob (a few chunks: each failure is followed by an fsck of the
 * whole store) under ref p<step>: its objects are staged, settled
 * together (one syncfs and a flush on Linux), renamed, their folders
 * synced and their rows committed, then the content and the ref. Each of
 * its fsyncs and syncfs calls fails in turn: the order that keeps an
 * object from its name before its bytes are durable. */
static size_t pull_len(long step)
{
    return 70000 + (size_t)(step % 7) * 1000; /* over chunk_max: chunked */
}

static int op_pull(ctx *c, long step)
{
    size_t len = pull_len(step);
    uint8_t *b = malloc(len);
    content((uint64_t)step * 4 + 3, b, len);
    char ref[48], sel[64];
    snprintf(ref, sizeof ref, "p%ld", step);
    snprintf(sel, sizeof sel, "ref:%s", ref);
    const char *sels[] = { sel };
    mlops_digest d;
    int rc = mlops_blob_put(c->src, b, len, &d);
    free(b);
    if (!rc) rc = mlops_ref_set(c->src, ref, &d);
    if (!rc) rc = mlops_remote_push(c->src, "r", sels, 1, NULL);
    if (rc) return -1; /* not the store under test: must not fail */
    return mlops_remote_pull(c->s, "r", sels, 1, NULL);
}

static int eff_pull(ctx *c, long step)
{
    char ref[48];
    snprintf(ref, sizeof ref, "p%ld", step);
    mlops_digest d;
    int rc = mlops_ref_get(c->s, ref, &d);
    if (rc == MLOPS_ENOTFOUND) return 0;
    if (rc) return -1;
    size_t len = pull_len(step);
    uint8_t *b = malloc(len);
    content((uint64_t)step * 4 + 3, b, len);
    void *got = NULL;
    size_t glen = 0;
    int ok = !mlops_blob_get(c->s, &d, &got, &glen) && glen == len && !memcmp(got, b, len);
    if (got) mlops_free(got);
    free(b);
    return ok ? 1 : -1;
}

/* A tree restore (`mlops get TREE -o DIR`) of TREE_FILES small files from
 * the second store into restores/t<step> in the watched folder (the
 * store's; the store itself is untouched, so the operations above meet
 * the same database as before this one was added): written into a hidden
 * folder beside it, made durable (more than 32 entries on a local disk's
 * file system: one syncfs and a flush; elsewhere an fsync of each file
 * and folder), then renamed into place. Each of its fsyncs and syncfs
 * calls fails in turn: the tree is then all there or not at all, and
 * only the fsync of the target's parent after the rename (best effort:
 * the tree is complete by then) may be absorbed. A retry replaces what
 * an earlier attempt left. */
#define TREE_FILES 40

static void tree_file(const char *dir, int i, char *path, size_t cap, char *text, size_t tcap)
{
    snprintf(path, cap, "%s/d%d/f%02d", dir, i % 2, i);
    snprintf(text, tcap, "restored file %d\n", i);
}

static void restore_target(long step, char *path, size_t cap)
{
    snprintf(path, cap, "%s/restores/t%ld", store_dir, step);
}

static int op_restore(ctx *c, long step)
{
    char dst[PATH_MAX + 128], parent[PATH_MAX + 80];
    snprintf(parent, sizeof parent, "%s/restores", store_dir);
    mkdir(parent, 0755);
    restore_target(step, dst, sizeof dst);
    tu_rmrf(dst);
    return mlops_tree_get(c->src, &c->tree, dst, 0);
}

static int eff_restore(ctx *c, long step)
{
    (void)c;
    char dst[PATH_MAX + 128];
    restore_target(step, dst, sizeof dst);
    struct stat st;
    if (stat(dst, &st) != 0) return 0;
    for (int i = 0; i < TREE_FILES; i++) {
        char path[PATH_MAX + 160], text[64], got[64] = "";
        tree_file(dst, i, path, sizeof path, text, sizeof text);
        FILE *f = fopen(path, "r");
        if (!f) return -1;
        size_t n = fread(got, 1, sizeof got - 1, f);
        fclose(f);
        if (n != strlen(text) || memcmp(got, text, n) != 0) return -1;
    }
    return 1;
}

/* The source of the restored tree, outside the watched folder. */
static int make_tree(ctx *c)
{
    char dir[PATH_MAX + 32], sub[PATH_MAX + 48];
    snprintf(dir, sizeof dir, "%s/tree", scratch);
    mkdir(dir, 0755);
    for (int d = 0; d < 2; d++) {
        snprintf(sub, sizeof sub, "%s/d%d", dir, d);
        mkdir(sub, 0755);
    }
    for (int i = 0; i < TREE_FILES; i++) {
        char path[PATH_MAX + 160], text[64];
        tree_file(dir, i, path, sizeof path, text, sizeof text);
        FILE *f = fopen(path, "w");
        if (!f || fputs(text, f) == EOF || fclose(f) != 0) return MLOPS_EIO;
    }
    return mlops_tree_put(c->src, dir, 0, &c->tree);
}

static const op ops[] = {
    { "blob put (whole object)", op_put_small, eff_put_small, 0, -1 },
    { "blob put (chunked)", op_put_big, eff_put_big, 0, -1 },
    { "blob put from a file", op_put_file, eff_put_file, 0, -1 },
    { "metric log (one point)", op_metric, eff_metric, 0, -1 },
    { "metric log (batch)", op_metrics, eff_metrics, 0, -1 },
    { "version create", op_version, eff_version, 0, -1 },
    { "alias set", op_alias, eff_alias, 0, -1 },
    { "pull from a folder remote (its fsyncs)", op_pull, eff_pull, 1, -1 },
    { "tree restore (its fsyncs)", op_restore, eff_restore, 1, 1 },
};
#define NOPS (sizeof ops / sizeof ops[0])

/* ---- checks ------------------------------------------------------------- */

/* A second handle on the store: it opens, fsck finds nothing wrong, the
 * audit chain verifies. read_only: a read-only handle, which checks
 * without quarantining (the full-disk test checks both kinds). */
static int store_sound(int read_only, char *why, size_t cap)
{
    mlops_store *s2;
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = read_only;
    int rc = mlops_store_open(store_dir, &o, &s2);
    if (rc) {
        snprintf(why, cap, "reopen -> %d: %s", rc, mlops_last_error());
        return 0;
    }
    mlops_fsck_opts fo = MLOPS_FSCK_OPTS_INIT;
    fo.quarantine = !read_only;
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    rc = mlops_store_fsck(s2, &fo, &rep);
    mlops_free(rep.issues);
    if (rc || rep.corrupt || rep.missing) {
        snprintf(why, cap, "fsck -> %d: %s", rc, mlops_last_error());
        mlops_store_close(s2);
        return 0;
    }
    rc = mlops_audit_verify(s2);
    mlops_store_close(s2);
    if (rc) {
        snprintf(why, cap, "audit verify -> %d: %s", rc, mlops_last_error());
        return 0;
    }
    return 1;
}

static long total_injected, total_eio, total_absorbed, per_kind[FI_KINDS], sqlite_calls;

static void inject_all(ctx *c, const op *o, long *step)
{
    /* Count the calls the operation makes. */
    int kinds = o->fsync_only ? FI_FSYNC : -1;
    fi_arm(0, 0, kinds);
    long s0 = (*step)++;
    int rc = o->run(c, s0);
    long calls = fi_disarm();
    if (rc || o->effect(c, s0) != 1) {
        tap(0, "%s works without faults: %s", o->name, mlops_last_error());
        return;
    }
    long injected = 0, eio = 0, absorbed = 0, bad = 0;
    char first_bad[512] = "";
    /* Worker threads may order calls differently run to run: go a little
     * past the count. */
    for (long k = 1; k <= calls + 2; k++) {
        for (int e = 0; e < 2; e++) {
            int err = e ? ENOSPC : EIO;
            long st = (*step)++;
            fi_arm(k, err, kinds);
            rc = o->run(c, st);
            fi_disarm();
            int kind = 0, db = 0;
            if (!fi_failed(&kind, &db)) {
                /* This attempt made fewer calls: nothing failed. */
                if (rc || o->effect(c, st) != 1) {
                    bad++;
                    if (!first_bad[0])
                        snprintf(first_bad, sizeof first_bad, "call %ld, no fault injected -> %d: %s",
                                 k, rc, mlops_last_error());
                }
                continue;
            }
            if (e && kind != FI_WRITE) continue; /* ENOSPC only for writes */
            injected++;
            per_kind[kind]++;
            if (db) sqlite_calls++;
            int eff = o->effect(c, st);
            char why[400] = "";
            if (rc == MLOPS_EIO && eff >= 0) eio++;
            else if (rc == MLOPS_OK && eff == 1) absorbed++;
            else snprintf(why, sizeof why, "call %ld (%s%s, %s) -> %d, effect %d: %s", k,
                          fi_kind_name(kind), db ? " on SQLite" : "", err == EIO ? "EIO" : "ENOSPC",
                          rc, eff, mlops_last_error());
            if (!why[0]) {
                char sound[sizeof why - 40]; /* room for the prefix below */
                if (!store_sound(0, sound, sizeof sound))
                    snprintf(why, sizeof why, "after call %ld failed: %s", k, sound);
            }
            /* The same handle keeps working: the operation succeeds now. */
            if (!why[0]) {
                rc = o->run(c, st);
                if (rc || o->effect(c, st) != 1)
                    snprintf(why, sizeof why, "retry after call %ld failed -> %d: %s", k, rc,
                             mlops_last_error());
            }
            if (why[0]) {
                bad++;
                if (!first_bad[0]) snprintf(first_bad, sizeof first_bad, "%s", why);
            }
        }
    }
    if (o->max_absorbed >= 0 && absorbed > o->max_absorbed) {
        bad++;
        if (!first_bad[0])
            snprintf(first_bad, sizeof first_bad, "%ld failed calls absorbed, at most %ld may be",
                     absorbed, o->max_absorbed);
    }
    total_injected += injected;
    total_eio += eio;
    total_absorbed += absorbed;
    char what[sizeof first_bad + 160]; /* the counts, then first_bad whole */
    snprintf(what, sizeof what, "%ld calls, %ld failures injected: %ld MLOPS_EIO, %ld absorbed%s%s",
             calls, injected, eio, absorbed, bad ? "; FAILED: " : "", first_bad);
    tap(bad == 0 && injected > 0, "%s: %s", o->name, what);
}

/* ---- full disk ------------------------------------------------------------ */

static void full_disk(void)
{
    char mnt[PATH_MAX + 16];
    snprintf(mnt, sizeof mnt, "%s/tmpfs", root);
    mkdir(mnt, 0755);
    if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=8m") != 0) {
        printf("# SKIP full disk: cannot mount a tmpfs at %s (%s): run as root where mount is "
               "allowed\n",
               mnt, geteuid() != 0 ? "not root" : strerror(errno));
        printf("# figure: full disk: skipped (no tmpfs mount allowed here)\n");
        return;
    }
    char dir[PATH_MAX + 32], filler[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/store", mnt);
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    int fd = open(filler, O_WRONLY | O_CREAT, 0644);
    uint8_t *buf = malloc(1 << 20);
    memset(buf, 7, 1 << 20);
    if (fd < 0 || write(fd, buf, 1 << 20) != 1 << 20) {
        tap(0, "full disk: %s%s", "cannot write the filler", "");
        if (fd >= 0) close(fd);
        umount(mnt);
        free(buf);
        return;
    }
    close(fd);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.chunk_min_size = 4096;
    o.chunk_avg_size = 16384;
    o.chunk_max_size = 65536;
    mlops_store *s = NULL;
    int64_t exp = 0, v = 0;
    mlops_run *run = NULL;
    int rc = mlops_store_open(dir, &o, &s);
    if (!rc) rc = mlops_experiment_create(s, "e", &exp);
    if (!rc) rc = mlops_run_start(s, exp, NULL, &run);
    if (!rc) rc = mlops_model_create(s, "m");
    if (rc) {
        tap(0, "full disk: set-up: %s%s", mlops_last_error(), "");
        goto out;
    }
    /* A small blob (one object file named by its digest) to corrupt while
     * the disk is full. */
    uint8_t small[3000];
    content(777, small, sizeof small);
    mlops_digest small_d;
    if (mlops_blob_put(s, small, sizeof small, &small_d) != MLOPS_OK) {
        tap(0, "full disk: set-up: %s%s", mlops_last_error(), "");
        goto out;
    }
    mlops_digest acked[200];
    size_t nacked = 0, len = 120000;
    long attempts = 0, eio = 0, others = 0, ok_after_full = 0;
    int full = 0;
    for (int i = 0; i < 400 && nacked < 200; i++) {
        attempts++;
        content(100000 + (uint64_t)i * 2, buf, len);
        mlops_digest d;
        rc = full && i % 3 == 1 ? mlops_run_log_metric(run, "m", i, i, i)
             : full && i % 3 == 2 && nacked ? mlops_model_version_create(s, "m", &acked[0], NULL, &v)
                                            : mlops_blob_put(s, buf, len, &d);
        if (rc == MLOPS_OK && !(full && i % 3)) acked[nacked++] = d;
        if (rc == MLOPS_OK && full) ok_after_full++;
        if (rc == MLOPS_EIO) {
            eio++;
            full = 1;
        } else if (rc != MLOPS_OK) {
            others++;
            printf("# full disk: unexpected %d: %s\n", rc, mlops_last_error());
        }
        if (full && i > 60 + (int)nacked) break;
    }
    /* Temp files of failed puts are removed (the open handle's own
     * directory and its lock file stay). */
    char tmp[PATH_MAX + 48];
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    int leftovers = 0;
    char cmd[PATH_MAX + 160];
    snprintf(cmd, sizeof cmd, "test -z \"$(find '%s' -type f ! -name .lock)\"", tmp);
    leftovers = system(cmd) != 0;
    char why[400] = "";
    snprintf(store_dir, sizeof store_dir, "%s", dir);
    int sound_full = store_sound(1, why, sizeof why);
    /* Everything acknowledged is readable while the disk is full. */
    size_t readable = 0;
    for (size_t i = 0; i < nacked; i++) {
        void *got;
        size_t glen;
        if (!mlops_blob_get(s, &acked[i], &got, &glen)) {
            readable++;
            mlops_free(got);
        }
    }
    /* fsck on a read-write handle while the disk is full: recording when
     * it verified each object fails, and must not matter; and a flipped
     * byte is still reported and quarantined (a rename needs no space). */
    char why_rw[400] = "", corrupt_note[600] = "";
    int sound_rw = store_sound(0, why_rw, sizeof why_rw);
    int corrupt_found = 0;
    {
        char hex[MLOPS_DIGEST_STRLEN], obj[PATH_MAX + 160];
        mlops_digest_format(&small_d, hex);
        snprintf(obj, sizeof obj, "%s/objects/sha256/%.2s/%s", dir, hex + 7, hex + 9);
        int ofd = open(obj, O_RDWR);
        uint8_t byte = 0;
        int flipped = ofd >= 0 && pread(ofd, &byte, 1, 100) == 1 &&
                      (byte ^= 0x5a, pwrite(ofd, &byte, 1, 100) == 1);
        if (ofd >= 0) close(ofd);
        mlops_fsck_opts fo = MLOPS_FSCK_OPTS_INIT;
        mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
        int frc = mlops_store_fsck(s, &fo, &rep);
        void *got = NULL;
        size_t glen = 0;
        int grc = mlops_blob_get(s, &small_d, &got, &glen);
        mlops_free(got);
        corrupt_found = flipped && frc == MLOPS_ECORRUPT && rep.corrupt == 1 && rep.missing == 0 &&
                        rep.quarantined == 1 && rep.nissues == 1 &&
                        !memcmp(rep.issues[0].digest.bytes, small_d.bytes, 32) &&
                        grc == MLOPS_ECORRUPT;
        snprintf(corrupt_note, sizeof corrupt_note,
                 "flipped %d, fsck -> %d (%llu corrupt, %llu quarantined), get -> %d: %s", flipped,
                 frc, (unsigned long long)rep.corrupt, (unsigned long long)rep.quarantined, grc,
                 mlops_last_error());
        mlops_free(rep.issues);
    }
    unlink(filler);
    mlops_digest d;
    /* Putting the same bytes again heals the store. */
    int healed = mlops_blob_put(s, small, sizeof small, &d) == MLOPS_OK &&
                 !memcmp(d.bytes, small_d.bytes, 32);
    content(424242, buf, len);
    int works = mlops_blob_put(s, buf, len, &d) == MLOPS_OK &&
                mlops_run_log_metric(run, "after", 1, 1, 1) == MLOPS_OK &&
                mlops_model_version_create(s, "m", &d, NULL, &v) == MLOPS_OK;
    char why2[400] = "";
    int sound_after = store_sound(0, why2, sizeof why2);
    char summary[2400];
    snprintf(summary, sizeof summary,
             "%ld writes on an 8 MiB tmpfs: %zu blobs stored, %ld MLOPS_EIO, %ld other codes, "
             "%ld small writes still fitting; temp files left: %s; store opens, fscks (read-only "
             "handle) and verifies while full: %s%s; fsck on a read-write handle while full: "
             "%s%s; a flipped byte found and quarantined while full: %s%s%s; "
             "%zu/%zu blobs readable; works once space is freed: %s; healed by a put: %s; sound "
             "after: %s%s",
             attempts, nacked, eio, others, ok_after_full, leftovers ? "YES" : "none",
             sound_full ? "yes" : "NO ", why, sound_rw ? "yes" : "NO ", why_rw,
             corrupt_found ? "yes" : "NO ", corrupt_found ? "" : " ",
             corrupt_found ? "" : corrupt_note, readable, nacked, works ? "yes" : "NO",
             healed ? "yes" : "NO", sound_after ? "yes" : "NO ", why2);
    tap(eio > 0 && others == 0 && !leftovers && sound_full && sound_rw && corrupt_found &&
            readable == nacked && works && healed && sound_after,
        "full disk: %s%s", summary, "");
    printf("# figure: full disk: %s\n", summary);
out:
    mlops_run_free(run);
    mlops_store_close(s);
    free(buf);
    if (umount(mnt) != 0) printf("# could not unmount %s: %s\n", mnt, strerror(errno));
}

int main(int argc, char **argv)
{
    int want_full_disk = !(argc > 1 && !strcmp(argv[1], "--no-full-disk"));
    char *tmpl = tu_mkdtemp("faults");
    if (!tmpl || !realpath(tmpl, root)) return 1;
    free(tmpl);
    snprintf(store_dir, sizeof store_dir, "%s/store", root);
    snprintf(scratch, sizeof scratch, "%s/scratch", root);
    mkdir(scratch, 0755);

    ctx c;
    memset(&c, 0, sizeof c);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.chunk_min_size = 4096;
    o.chunk_avg_size = 16384;
    o.chunk_max_size = 65536;
    int64_t exp;
    uint8_t seed_blob[100] = { 1 };
    int rc = mlops_store_open(store_dir, &o, &c.s);
    if (!rc) rc = mlops_experiment_create(c.s, "e", &exp);
    if (!rc) rc = mlops_run_start(c.s, exp, NULL, &c.run);
    if (!rc) rc = mlops_model_create(c.s, "m");
    if (!rc) rc = mlops_blob_put(c.s, seed_blob, sizeof seed_blob, &c.artifact);
    int64_t v;
    if (!rc) rc = mlops_model_version_create(c.s, "m", &c.artifact, NULL, &v);
    if (!rc) rc = mlops_model_version_create(c.s, "m", &c.artifact, NULL, &v);
    char src_dir[PATH_MAX + 32], remote_dir[PATH_MAX + 32];
    snprintf(src_dir, sizeof src_dir, "%s/src", scratch);
    snprintf(remote_dir, sizeof remote_dir, "%s/remote", scratch);
    if (!rc) rc = mlops_store_open(src_dir, &o, &c.src);
    if (!rc) rc = mlops_remote_add(c.src, "r", remote_dir);
    if (!rc) rc = mlops_remote_add(c.s, "r", remote_dir);
    if (!rc) rc = make_tree(&c);
    if (rc) {
        printf("Bail out! set-up: %s\n", mlops_last_error());
        return 1;
    }
    c.versions = 2;
    fi_watch(store_dir);
    long step = 0;
    for (size_t i = 0; i < NOPS; i++) inject_all(&c, &ops[i], &step);
    fi_watch("");
    mlops_run_free(c.run);
    mlops_store_close(c.s);
    mlops_store_close(c.src);
    printf("# figure: I/O faults: %ld failures injected into %zu operations (write %ld, fsync "
           "%ld, rename %ld, truncate %ld; %ld of them SQLite's): %ld returned MLOPS_EIO, %ld "
           "absorbed (OK, effect complete: the failed call was not needed), 0 left a store that "
           "does not open, verify or keep working\n",
           total_injected, NOPS, per_kind[FI_WRITE], per_kind[FI_FSYNC], per_kind[FI_RENAME],
           per_kind[FI_TRUNCATE], sqlite_calls, total_eio, total_absorbed);
    if (want_full_disk) full_disk();
    printf("1..%d\n", tap_n);
    if (!tap_failed) tu_rmrf(root);
    return tap_failed ? 1 : 0;
}
