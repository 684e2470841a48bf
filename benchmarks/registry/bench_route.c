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
 *
 * Medians of the repeats. Rates are given per second of the thread's CPU
 * time (one core's throughput, what the goal asks, undisturbed by other
 * programs on a shared machine) and per second of wall time. Uses the library's internal routing functions
 * (the static library): the public ones come with the stored splits.
 * usage: bench_route [-q] [-r REPS] [-n KEYS]    (-q: a tenth of the keys) */
#include "registry/route.h"
#include "registry/split.h"

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
    free_keys(&user);
    free_keys(&uuid);
    return 0;
}
