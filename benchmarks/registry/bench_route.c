/* Benchmark of the routing of weighted aliases (lib/registry/route.h):
 *
 *   route   keys per second routed from a snapshot on one core (goal
 *           >= 20 M/s): the keys are made before the clock starts, so the
 *           figure is the hash of "salt/key" and the table look-up, not the
 *           formatting of keys. Two key shapes: "user-N" (6-12 bytes) and
 *           36-byte UUID-like ids. Beside it, the table-free route
 *           (mlops__route_split, what a one-off call through the store uses)
 *           and the time to build a snapshot.
 *   share   the share of version 4 in 3:90,4:10 over the keys (goal: within
 *           0.3 points of 10%), for the first salt and the largest error
 *           over 20 salts.
 *   public  the same through the public API, as a user routes: a store (a
 *           fresh one in a folder made in the current directory, removed
 *           after), model "churn" with alias "champion" set to 3:90,4:10
 *           by mlops_model_alias_split_set, a snapshot taken with
 *           mlops_model_route_snapshot, every key routed by
 *           mlops_route_snapshot_route (its checks and the call included);
 *           the share of 4 under the alias's stored salt; and, for scale,
 *           mlops_model_route (one read of the store per key).
 *
 * Medians of the repeats. Rates are given per second of the thread's CPU
 * time (one core's throughput, what the goal asks, undisturbed by other
 * programs on a shared machine) and per second of wall time. The first
 * part uses the library's internal routing functions (the static library),
 * the last the public ones.
 * usage: bench_route [-q] [-r REPS] [-n KEYS]    (-q: a tenth of the keys) */
#include "registry/route.h"
#include "registry/split.h"

#include <mlops.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_PROG "bench_route" /* in die()'s messages */
#include "../bench_util.h"

static int reps = 7;
static long nkeys = 1000000;

typedef struct keyset {
    char *bytes;     /* all keys, back to back */
    size_t *off;     /* nkeys + 1 offsets */
} keyset;

static keyset make_keys(int uuid)
{
    keyset k;
    k.bytes = malloc((size_t)nkeys * 40);
    k.off = malloc(((size_t)nkeys + 1) * sizeof *k.off);
    if (!k.bytes || !k.off) die("malloc", 1);
    size_t at = 0;
    uint64_t x = 0x243F6A8885A308D3ull;
    for (long i = 0; i < nkeys; i++) {
        k.off[i] = at;
        if (uuid) {
            /* a UUID-like text: 8-4-4-4-12 hex digits from a splitmix64 stream */
            uint64_t a = (x += 0x9E3779B97F4A7C15ull), b = a * 0xBF58476D1CE4E5B9ull;
            a ^= a >> 29;
            b ^= b >> 31;
            at += (size_t)sprintf(k.bytes + at, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
                                  (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff, (unsigned)(b >> 48),
                                  (unsigned long long)(b & 0xffffffffffffull));
        } else {
            at += (size_t)sprintf(k.bytes + at, "user-%ld", i);
        }
    }
    k.off[nkeys] = at;
    return k;
}

static void free_keys(keyset *k)
{
    free(k->bytes);
    free(k->off);
}

static volatile int64_t sink; /* keeps the routed versions alive */

/* Seconds of CPU time of this thread. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct rate {
    double cpu, wall; /* keys per second */
} rate;

/* Keys per second, medians of the repeats; table = 0 uses the table-free
 * route. */
static rate route_rate(const mlops__route_snapshot *snap, const keyset *k, int table)
{
    double *t = malloc((size_t)reps * sizeof *t), *c = malloc((size_t)reps * sizeof *c);
    if (!t || !c) die("malloc", 1);
    for (int r = 0; r < reps; r++) {
        int64_t sum = 0;
        double t0 = now_s(), c0 = cpu_s();
        if (table) {
            for (long i = 0; i < nkeys; i++)
                sum += mlops__route_key(snap, k->bytes + k->off[i], k->off[i + 1] - k->off[i]);
        } else {
            for (long i = 0; i < nkeys; i++)
                sum += mlops__route_split(&snap->split, "a1b2c3d4e5f6a7b8", 16, k->bytes + k->off[i],
                                          k->off[i + 1] - k->off[i]);
        }
        c[r] = (double)nkeys / (cpu_s() - c0);
        t[r] = (double)nkeys / (now_s() - t0);
        sink += sum;
    }
    rate m = { median(c, reps), median(t, reps) };
    free(t);
    free(c);
    return m;
}

static void report(const char *what, rate r, const char *goal)
{
    printf("%-44s %8.1f M keys/s of CPU, %8.1f M keys/s of wall time%s\n", what, r.cpu / 1e6, r.wall / 1e6, goal);
}

/* The share of version 4, in percent. */
static double share4(const mlops__route_snapshot *snap, const keyset *k)
{
    long on4 = 0;
    for (long i = 0; i < nkeys; i++)
        on4 += mlops__route_key(snap, k->bytes + k->off[i], k->off[i + 1] - k->off[i]) == 4;
    return 100.0 * (double)on4 / (double)nkeys;
}

/* ---- through the public API ---------------------------------------------- */

/* Keys per second through mlops_route_snapshot_route; *share4 gets the
 * share of version 4 in percent. */
static rate public_rate(const mlops_route_snapshot *rs, const keyset *k, double *share)
{
    double *t = malloc((size_t)reps * sizeof *t), *c = malloc((size_t)reps * sizeof *c);
    if (!t || !c) die("malloc", 1);
    long on4 = 0;
    for (int r = 0; r < reps; r++) {
        int64_t sum = 0, v = 0;
        on4 = 0;
        double t0 = now_s(), c0 = cpu_s();
        for (long i = 0; i < nkeys; i++) {
            if (mlops_route_snapshot_route(rs, k->bytes + k->off[i], k->off[i + 1] - k->off[i], &v))
                die("mlops_route_snapshot_route", 1);
            sum += v;
            on4 += v == 4;
        }
        c[r] = (double)nkeys / (cpu_s() - c0);
        t[r] = (double)nkeys / (now_s() - t0);
        sink += sum;
    }
    *share = 100.0 * (double)on4 / (double)nkeys;
    rate m = { median(c, reps), median(t, reps) };
    free(t);
    free(c);
    return m;
}

static void public_api(const keyset *user, const keyset *uuid)
{
    char dir[] = "bench_route.XXXXXX";
    if (!mkdtemp(dir)) die("mkdtemp", 1);
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s = NULL;
    CHECK(mlops_store_open(dir, &o, &s));
    mlops_digest d;
    CHECK(mlops_blob_put(s, "weights", 7, &d));
    CHECK(mlops_model_create(s, "churn"));
    for (int i = 0; i < 4; i++) {
        int64_t v;
        CHECK(mlops_model_version_create(s, "churn", &d, NULL, &v));
    }
    CHECK(mlops_model_alias_split_set(s, "churn", "champion", "3:90,4:10", NULL));
    mlops_route_snapshot *rs = NULL;
    CHECK(mlops_model_route_snapshot(s, "churn", "champion", &rs));
    double share = 0, share_uuid = 0;
    rate r = public_rate(rs, user, &share);
    rate ru = public_rate(rs, uuid, &share_uuid);
    printf("\npublic API (mlops_route_snapshot_route), alias churn@champion = %s, stored salt of %zu bytes\n",
           mlops_alias_split_text(mlops_route_snapshot_split(rs)),
           strlen(mlops_alias_split_salt(mlops_route_snapshot_split(rs))));
    report("route from a snapshot, user-N keys", r, " (goal >= 20)");
    report("route from a snapshot, 36-byte ids", ru, " (goal >= 20)");
    printf("%-44s %8.4f %% (error %+.4f points; goal within 0.3)\n", "share of 4, user-N keys", share,
           share - 10.0);
    printf("%-44s %8.4f %% (error %+.4f points; goal within 0.3)\n", "share of 4, 36-byte ids", share_uuid,
           share_uuid - 10.0);
    /* One read transaction per key: for scale. */
    long n = nkeys < 20000 ? nkeys : 20000;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int64_t v = 0;
        CHECK(mlops_model_route(s, "churn", "champion", user->bytes + user->off[i],
                                user->off[i + 1] - user->off[i], &v));
        sink += v;
    }
    printf("%-44s %8.1f k keys/s of wall time (%ld keys)\n", "route with the store (mlops_model_route)",
           (double)n / (now_s() - t0) / 1e3, n);
    mlops_route_snapshot_free(rs);
    mlops_store_close(s);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) die("rm", 1);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "qr:n:")) != -1) {
        switch (opt) {
        case 'q': nkeys /= 10; break;
        case 'r': reps = atoi(optarg); break;
        case 'n': nkeys = atol(optarg); break;
        default:
            fprintf(stderr, "usage: bench_route [-q] [-r REPS] [-n KEYS]\n");
            return 2;
        }
    }
    if (optind != argc || reps < 1 || nkeys < 1000 || nkeys > 100000000) {
        fprintf(stderr, "usage: bench_route [-q] [-r REPS] [-n KEYS]\n");
        return 2;
    }
    const char *salt = "a1b2c3d4e5f6a7b8"; /* 16 bytes, as a stored salt might be */
    mlops__split s90, s16;
    CHECK(mlops__split_decode("bench_route", "3:90,4:10", &s90));
    CHECK(mlops__split_decode("bench_route",
                              "1:7,2:7,3:7,4:7,5:7,6:7,7:7,8:7,9:7,10:7,11:7,12:7,13:7,14:7,15:1,16:1", &s16));
    static mlops__route_snapshot snap, snap16;
    CHECK(mlops__route_snapshot_init("bench_route", &snap, &s90, salt, strlen(salt)));
    CHECK(mlops__route_snapshot_init("bench_route", &snap16, &s16, salt, strlen(salt)));

    keyset user = make_keys(0), uuid = make_keys(1);
    printf("bench_route: %ld keys, %d repeats, medians; salt of %zu bytes\n", nkeys, reps, strlen(salt));
    report("route from a snapshot, user-N keys, 90/10", route_rate(&snap, &user, 1), " (goal >= 20)");
    report("route from a snapshot, 36-byte ids, 90/10", route_rate(&snap, &uuid, 1), " (goal >= 20)");
    report("route from a snapshot, user-N keys, 16 legs", route_rate(&snap16, &user, 1), "");
    report("route without a snapshot, user-N, 16 legs", route_rate(&snap16, &user, 0), "");

    double *t = malloc((size_t)reps * sizeof *t);
    if (!t) die("malloc", 1);
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        for (int i = 0; i < 1000; i++) {
            CHECK(mlops__route_snapshot_init("bench_route", &snap16, &s16, salt, strlen(salt)));
            sink += snap16.leg[i * 7];
        }
        t[r] = (now_s() - t0) / 1000;
    }
    printf("%-44s %8.2f us\n", "build a snapshot (16 legs)", median(t, reps) * 1e6);
    free(t);

    double first = share4(&snap, &user), worst = 0;
    for (int i = 0; i < 20; i++) {
        char salt_i[32];
        int n = snprintf(salt_i, sizeof salt_i, "salt-%d", i);
        mlops__route_snapshot si;
        CHECK(mlops__route_snapshot_init("bench_route", &si, &s90, salt_i, (size_t)n));
        double e = fabs(share4(&si, &user) - 10.0);
        if (e > worst) worst = e;
    }
    printf("%-44s %8.4f %% (error %+.4f points; goal within 0.3)\n", "share of 4 in 3:90,4:10, user-N keys", first,
           first - 10.0);
    printf("%-44s %8.4f points over 20 salts\n", "largest share error", worst);
    public_api(&user, &uuid);
    free_keys(&user);
    free_keys(&uuid);
    return 0;
}
