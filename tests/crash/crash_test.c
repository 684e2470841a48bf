/* Crash test: writer processes do the mixed workload of workload.h on one
 * store and report every acknowledged operation over a pipe; the parent
 * SIGKILLs them at random moments and starts new ones. At the end it
 * reopens the store and checks that every acknowledged write is there and
 * byte-identical, that fsck finds nothing corrupt or missing, that the
 * audit chain verifies, and that temp files left by the kills are swept
 * by the rule (older than an hour, on open) and by nothing else. Then a gc
 * with no grace period and a second fsck: what roots reach stays readable.
 *
 * usage: crash_test [--kills N] [--writers W] [--seed S]
 *   (defaults: 200 kills, 3 writers, seed from the clock; N also from
 *   $MLOPS_CRASH_KILLS). Prints "# figure:" lines; exit 0 when all holds. */
#include "workload.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WRITERS 16

typedef struct slot {
    pid_t pid;
    wpipe pipe;
} slot;

static char store_dir[700], scratch_dir[700];
static int64_t experiment_id;
static uint64_t seed;

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void die(const char *what)
{
    fprintf(stderr, "crash_test: %s: %s\n", what, mlops_last_error());
    exit(1);
}

static void writer_main(int fd)
{
    mlops_store_opts o;
    w_store_opts(&o);
    mlops_store *s;
    if (mlops_store_open(store_dir, &o, &s) != MLOPS_OK) {
        wrec r;
        memset(&r, 0, sizeof r);
        r.phase = W_ERROR;
        snprintf(r.tag, sizeof r.tag, "p%d", (int)getpid());
        snprintf(r.msg, sizeof r.msg, "mlops_store_open: %s", mlops_last_error());
        if (write(fd, &r, sizeof r) < 0) _exit(2);
        _exit(2);
    }
    char tag[24], scratch[800];
    snprintf(tag, sizeof tag, "p%d", (int)getpid());
    snprintf(scratch, sizeof scratch, "%s/%s", scratch_dir, tag);
    wctx *w = w_new(s, fd, tag, experiment_id, seed ^ (uint64_t)getpid() * 0x9E3779B97F4A7C15ull,
                    scratch, 0);
    if (!w) _exit(2);
    for (;;) w_step(w); /* errors are reported; the parent counts them */
}

static void spawn(slot *sl)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        close(fds[0]);
        writer_main(fds[1]);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    sl->pid = pid;
    memset(&sl->pipe, 0, sizeof sl->pipe);
    sl->pipe.fd = fds[0];
}

/* Waits up to ms while reading whatever the writers send. */
static void pump(slot *slots, int n, wcheck *c, int ms)
{
    struct pollfd p[MAX_WRITERS];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        for (int i = 0; i < n; i++) {
            p[i].fd = slots[i].pipe.fd;
            p[i].events = POLLIN;
        }
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= ms) return;
        if (poll(p, (nfds_t)n, (int)(ms - spent)) <= 0) continue;
        for (int i = 0; i < n; i++)
            if (p[i].revents) w_drain(&slots[i].pipe, c);
    }
}

static void kill_and_reap(slot *sl, wcheck *c, int *unexpected_exits)
{
    kill(sl->pid, SIGKILL);
    int st;
    waitpid(sl->pid, &st, 0);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)) (*unexpected_exits)++;
    int flags = fcntl(sl->pipe.fd, F_GETFL);
    fcntl(sl->pipe.fd, F_SETFL, flags & ~O_NONBLOCK);
    while (w_drain(&sl->pipe, c)) {
    }
    close(sl->pipe.fd);
}

/* ---- the store's files after the kills ----------------------------------- */

/* n lowercase hex digits and the end of the string. */
static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return s[n] == '\0';
}

static size_t stray_files;

static int check_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F) return 0;
    const char *rel = path + strlen(store_dir) + 1;
    const char *base = strrchr(path, '/') + 1;
    int ok = 0;
    if (!strncmp(rel, "mlops.db", 8) || !strcmp(rel, "mlops.conf")) ok = 1;
    else if (!strncmp(rel, "tmp/", 4) || !strncmp(rel, "quarantine/", 11)) ok = 1;
    /* S3 objects' read cache: its mark, its files and its temp files */
    else if (!strncmp(rel, "cache/", 6)) ok = 1;
    else if (!strncmp(rel, "objects/sha256/", 15) && strlen(rel) == 15 + 3 + 62 &&
             rel[17] == '/' && is_hex(base, 62) && strchr("0123456789abcdef", rel[15]) &&
             strchr("0123456789abcdef", rel[16]))
        ok = 1;
    if (!ok) {
        fprintf(stderr, "stray file in the store: %s (%lld bytes)\n", rel, (long long)st->st_size);
        stray_files++;
    }
    return 0;
}

/* Counts the files under dir (tmp/ and the handles' h-* directories in
 * it), checks that none is older than the sweep age (one hour: they were
 * all made during this test), and ages them past it. */
static int tmp_files_in(const char *dir, int age_them, int *too_old)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    time_t now = time(NULL);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            char sub[1200];
            snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
            int k = tmp_files_in(sub, age_them, too_old);
            if (k > 0) n += k;
            continue;
        }
        n++;
        if (now - st.st_mtime > 3600) (*too_old)++;
        if (age_them) {
            struct timespec ts[2] = { { now - 7200, 0 }, { now - 7200, 0 } };
            utimensat(dirfd(d), e->d_name, ts, 0);
        }
    }
    closedir(d);
    return n;
}

static int tmp_files(int age_them, int *too_old)
{
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s/tmp", store_dir);
    /* A store with S3 objects stages them in memory and has no tmp/: a
     * killed writer leaves nothing local (what it had placed is among
     * the orphans fsck counts). */
    if (tu_objects_s3() && access(tmp, F_OK) != 0 && errno == ENOENT) return 0;
    return tmp_files_in(tmp, age_them, too_old);
}

int main(int argc, char **argv)
{
    int kills_wanted = 200, nwriters = 3;
    const char *env = getenv("MLOPS_CRASH_KILLS");
    if (env && *env) kills_wanted = atoi(env);
    seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--kills")) kills_wanted = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--writers")) nwriters = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "usage: crash_test [--kills N] [--writers W] [--seed S]\n");
            return 2;
        }
    }
    if (nwriters < 1 || nwriters > MAX_WRITERS) nwriters = 3;
    rng_state = seed | 1;
    printf("# crash test: seed %llu, %d writers, %d kills\n", (unsigned long long)seed, nwriters,
           kills_wanted);
    fflush(stdout);
    signal(SIGPIPE, SIG_IGN);

    char *root = tu_mkdtemp("crash");
    if (!root) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(store_dir, sizeof store_dir, "%s/store", root);
    /* On the backend under test (tests/testutil.h). */
    char *made = tu_store_dir_at(store_dir);
    if (!made) {
        fprintf(stderr, "cannot make %s\n", store_dir);
        return 1;
    }
    free(made);
    snprintf(scratch_dir, sizeof scratch_dir, "%s/scratch", root);
    mkdir(scratch_dir, 0755);

    mlops_store_opts o;
    w_store_opts(&o);
    mlops_store *s;
    if (mlops_store_open(store_dir, &o, &s)) die("creating the store");
    if (w_setup(s, &experiment_id)) die("setting up");
    mlops_store_close(s);

    wcheck *c = wc_new();
    slot slots[MAX_WRITERS];
    for (int i = 0; i < nwriters; i++) spawn(&slots[i]);
    int kills = 0, unexpected_exits = 0;
    while (kills < kills_wanted) {
        /* Mostly short lives, sometimes long enough for big puts. */
        int ms = (int)(rnd() % 8 == 0 ? 30 + rnd() % 120 : 1 + rnd() % 25);
        pump(slots, nwriters, c, ms);
        slot *victim = &slots[rnd() % (uint64_t)nwriters];
        kill_and_reap(victim, c, &unexpected_exits);
        kills++;
        if (kills < kills_wanted) spawn(victim);
        else victim->pid = 0;
    }
    for (int i = 0; i < nwriters; i++)
        if (slots[i].pid) {
            kill_and_reap(&slots[i], c, &unexpected_exits);
            kills++;
        }

    int failed = 0;
    if (unexpected_exits) {
        fprintf(stderr, "%d writers died of something else than the SIGKILL\n", unexpected_exits);
        failed = 1;
    }
    if (wc_errors(c)) {
        fprintf(stderr, "%zu operations failed in the writers\n", wc_errors(c));
        failed = 1;
    }

    /* Files: only the store's layout; temp files only in tmp/ and young. */
    nftw(store_dir, check_entry, 16, FTW_PHYS);
    int too_old = 0;
    int left = tmp_files(1, &too_old);
    if (stray_files || too_old) failed = 1;

    /* Reopen: the sweep removes the killed writers' temp directories (and
     * loose files older than an hour). */
    if (mlops_store_open(store_dir, &o, &s)) die("reopening the store");
    int aged_left = 0;
    int after = tmp_files(0, &aged_left);
    if (after != 0) {
        fprintf(stderr, "%d temp files of killed writers survived reopening\n", after);
        failed = 1;
    }

    uint64_t checked = 0, per_kind[W_KINDS];
    size_t bad = wc_verify(c, s, &checked, per_kind);
    if (bad) failed = 1;
    /* The checker itself can fail: writes that never happened are caught. */
    size_t caught = wc_self_test(c, s);
    if (caught != 5) {
        fprintf(stderr, "the checker caught %zu of 5 fabricated acknowledgements\n", caught);
        failed = 1;
    }

    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    int rc = mlops_store_fsck(s, NULL, &rep);
    if (rc || rep.corrupt || rep.missing) {
        fprintf(stderr, "fsck -> %d (%s): %llu corrupt, %llu missing\n", rc, mlops_last_error(),
                (unsigned long long)rep.corrupt, (unsigned long long)rep.missing);
        failed = 1;
    }
    mlops_free(rep.issues);

    rc = mlops_audit_verify(s);
    int64_t events = 0;
    mlops_digest head;
    if (rc || mlops_audit_head(s, &events, &head)) {
        fprintf(stderr, "audit chain -> %d: %s\n", rc, mlops_last_error());
        failed = 1;
    }

    /* gc with no grace: orphans of killed puts and unreferenced content
     * go; whatever a root reaches must stay whole. */
    mlops_gc_opts go = MLOPS_GC_OPTS_INIT;
    go.grace_ms = 0;
    mlops_gc_report gr = MLOPS_GC_REPORT_INIT;
    rc = mlops_store_gc(s, &go, &gr);
    if (rc) {
        fprintf(stderr, "gc -> %d: %s\n", rc, mlops_last_error());
        failed = 1;
    }
    mlops_fsck_report rep2 = MLOPS_FSCK_REPORT_INIT;
    rc = mlops_store_fsck(s, NULL, &rep2);
    if (rc || rep2.corrupt || rep2.missing || rep2.orphans) {
        fprintf(stderr, "fsck after gc -> %d: %llu corrupt, %llu missing, %llu orphans\n", rc,
                (unsigned long long)rep2.corrupt, (unsigned long long)rep2.missing,
                (unsigned long long)rep2.orphans);
        failed = 1;
    }
    mlops_free(rep2.issues);
    size_t bad_roots = wc_verify_roots(c, s);
    if (bad_roots) failed = 1;
    mlops_store_close(s);

    printf("# figure: crash test%s: %d SIGKILLs survived; %llu acknowledged operations checked "
           "byte for byte (",
           tu_backend_label(), kills, (unsigned long long)checked);
    for (int k = 1; k < W_KINDS; k++)
        if (per_kind[k]) printf("%s%llu %s", k > 1 ? ", " : "", (unsigned long long)per_kind[k], w_kind_name(k));
    printf("); %zu failures; the checker caught %zu of 5 fabricated acknowledgements\n",
           bad + bad_roots, caught);
    printf("# figure: crash test%s: fsck re-hashed %llu objects (%llu MB): 0 corrupt, 0 missing, "
           "%llu orphan files of killed puts; audit chain of %lld events verifies; gc (no grace) "
           "then freed %llu contents, %llu orphans, and every root still verifies\n",
           tu_backend_label(), (unsigned long long)rep.checked, (unsigned long long)(rep.bytes_checked >> 20),
           (unsigned long long)rep.orphans, (long long)events, (unsigned long long)gr.contents,
           (unsigned long long)gr.orphans);
    if (tu_objects_s3())
        printf("# figure: crash test%s: no temp files (objects staged in memory); %zu stray files\n",
               tu_backend_label(), stray_files);
    else
        printf("# figure: crash test%s: %d temp files left by kills, all in tmp/ and younger than "
               "the one-hour sweep age; %d swept on reopen; %zu stray files\n",
               tu_backend_label(), left, left - after, stray_files);
    wc_free(c);
    if (!failed) tu_rmrf(root);
    else fprintf(stderr, "crash test FAILED (store kept in %s)\n", store_dir);
    free(root);
    return failed;
}
