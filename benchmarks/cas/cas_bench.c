/* The CAS benchmark's workhorse: one operation per process, so that each
 * one's time and peak memory are its own. benchmarks/cas/run.sh drives it
 * beside the anchors (openssl, zstd, dd, git, dvc).
 *
 *   cas_bench gen-csv PATH MIB        generate CSV-like text (deterministic)
 *   cas_bench gen-random PATH MIB     generate incompressible bytes
 *   cas_bench edit PATH               overwrite 1 MiB in the middle
 *   cas_bench put STORE FILE          mlops_blob_put_file
 *   cas_bench get STORE DIGEST OUT    mlops_blob_get_file (verified)
 *   cas_bench read STORE DIGEST       streaming reader, bytes discarded
 *
 * put/get/read print one line: "seconds=<s> maxrss_kib=<k> digest=<sha256:...>":
 * the time of the library call alone (store open/close excluded) and the
 * process's peak resident memory. */
#include <mlops.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../bench_util.h"

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int die(const char *what, int rc)
{
    fprintf(stderr, "%s: %s (%s)\n", what, mlops_strerror(rc), mlops_last_error());
    return 1;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static int write_all(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* Rows like an event log: id, timestamp, user, two measurements, a
 * category and a short free-text field. */
static int gen_csv(const char *path, uint64_t bytes)
{
    static const char *cats[] = {"click", "view", "purchase", "signup", "logout", "search"};
    static const char *words[] = {"alpha", "beta", "gamma", "delta", "omega", "red", "green",
                                  "blue", "fast", "slow", "north", "south", "mobile", "web"};
    FILE *f = fopen(path, "wb");
    if (!f) return 1;
    char *buf = malloc(1 << 20);
    size_t used = 0;
    uint64_t written = 0, id = 1;
    int64_t ts = 1700000000000;
    used += (size_t)sprintf(buf, "id,ts,user,score,latency_ms,event,note\n");
    while (written + used < bytes) {
        ts += (int64_t)(rnd() % 1000);
        uint64_t r = rnd();
        used += (size_t)sprintf(buf + used, "%llu,%lld,user_%05llu,%.4f,%llu,%s,%s %s\n",
                                (unsigned long long)id++, (long long)ts,
                                (unsigned long long)(r % 50000),
                                (double)(r >> 40) / 16777216.0,
                                (unsigned long long)((r >> 20) % 2000),
                                cats[(r >> 8) % 6], words[(r >> 12) % 14],
                                words[(r >> 16) % 14]);
        if (used > (1 << 20) - 256) {
            if (write_all(f, buf, used)) return 1;
            written += used;
            used = 0;
        }
    }
    size_t last = (size_t)(bytes - written);
    if (last > used) last = used;
    if (write_all(f, buf, last)) return 1;
    free(buf);
    return fclose(f) ? 1 : 0;
}

static int gen_random(const char *path, uint64_t bytes)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 1;
    uint64_t *buf = malloc(1 << 20);
    for (uint64_t done = 0; done < bytes; done += 1 << 20) {
        for (size_t i = 0; i < (1 << 20) / 8; i++) buf[i] = rnd();
        size_t n = bytes - done < (1 << 20) ? (size_t)(bytes - done) : (1 << 20);
        if (write_all(f, buf, n)) return 1;
    }
    free(buf);
    return fclose(f) ? 1 : 0;
}

static int edit_middle(const char *path)
{
    int fd = open(path, O_RDWR);
    if (fd < 0) return 1;
    off_t size = lseek(fd, 0, SEEK_END);
    size_t n = 1 << 20;
    unsigned char *buf = malloc(n);
    rng_state ^= (uint64_t)time(NULL);
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)rnd();
    int rc = pwrite(fd, buf, n, size / 2) == (ssize_t)n ? 0 : 1;
    free(buf);
    close(fd);
    return rc;
}

static void report(double secs, const mlops_digest *d)
{
    char text[MLOPS_DIGEST_STRLEN] = "";
    if (d) mlops_digest_format(d, text);
    printf("seconds=%.4f maxrss_kib=%ld digest=%s\n", secs, maxrss_kib(), text);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "gen-csv"))
        return gen_csv(argv[2], (uint64_t)atoll(argv[3]) << 20);
    if (argc >= 4 && !strcmp(argv[1], "gen-random"))
        return gen_random(argv[2], (uint64_t)atoll(argv[3]) << 20);
    if (argc >= 3 && !strcmp(argv[1], "edit")) return edit_middle(argv[2]);

    if (argc < 4) {
        fprintf(stderr, "usage: see the comment at the top of cas_bench.c\n");
        return 2;
    }
    mlops_store *s = NULL;
    int rc = mlops_store_open(argv[2], NULL, &s);
    if (rc) return die("open", rc);
    mlops_digest d;
    if (!strcmp(argv[1], "put")) {
        double t0 = now_s();
        rc = mlops_blob_put_file(s, argv[3], &d);
        double t = now_s() - t0;
        if (rc) return die("put", rc);
        mlops_store_close(s);
        report(t, &d);
        return 0;
    }
    rc = mlops_digest_parse(argv[3], &d);
    if (rc) return die("digest", rc);
    if (!strcmp(argv[1], "get") && argc >= 5) {
        double t0 = now_s();
        rc = mlops_blob_get_file_ex(s, &d, argv[4], MLOPS_GET_REPLACE);
        double t = now_s() - t0;
        if (rc) return die("get", rc);
        report(t, &d);
    } else if (!strcmp(argv[1], "read")) {
        mlops_blob_reader *r = NULL;
        size_t cap = 1 << 20;
        char *buf = malloc(cap);
        double t0 = now_s();
        rc = mlops_blob_reader_open(s, &d, &r);
        size_t got = 1;
        while (!rc && got) rc = mlops_blob_reader_read(r, buf, cap, &got);
        mlops_blob_reader_close(r);
        double t = now_s() - t0;
        free(buf);
        if (rc) return die("read", rc);
        report(t, &d);
    } else {
        fprintf(stderr, "unknown command %s\n", argv[1]);
        return 2;
    }
    mlops_store_close(s);
    return 0;
}
