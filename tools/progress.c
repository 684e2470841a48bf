/* Progress bar on stderr (see progress.h). */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct progress {
    char label[64];
    uint64_t total, done;
    int bytes;
    double start, last_draw;
    unsigned spin;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
    return 80;
}

static void fmt_amount(uint64_t v, int bytes, char *buf, size_t cap)
{
    if (!bytes) {
        snprintf(buf, cap, "%llu", (unsigned long long)v);
        return;
    }
    const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double x = (double)v;
    int u = 0;
    while (x >= 1024.0 && u < 4) {
        x /= 1024.0;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", x, units[u]);
}

static void draw(progress *p)
{
    char done[32], total[32], right[96];
    double elapsed = now_s() - p->start;
    fmt_amount(p->done, p->bytes, done, sizeof done);
    int width = term_width() - 1;
    if (p->total > 0) {
        fmt_amount(p->total, p->bytes, total, sizeof total);
        double frac = (double)p->done / (double)p->total;
        if (frac > 1.0) frac = 1.0;
        snprintf(right, sizeof right, " %3d%% %s/%s %.0fs", (int)(frac * 100.0), done, total,
                 elapsed);
        int bar = width - (int)strlen(p->label) - (int)strlen(right) - 3;
        if (bar > 50) bar = 50;
        if (bar < 10) bar = 10;
        int fill = (int)(frac * bar);
        fprintf(stderr, "\r%s [", p->label);
        for (int i = 0; i < bar; i++) fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "]%s\033[K", right);
    } else {
        static const char wheel[] = "|/-\\";
        if (p->done > 0)
            snprintf(right, sizeof right, "%s %.0fs", done, elapsed);
        else
            snprintf(right, sizeof right, "%.0fs", elapsed);
        fprintf(stderr, "\r%s %c %s\033[K", p->label, wheel[p->spin++ % 4], right);
    }
    fflush(stderr);
}

progress *progress_start(int enabled, const char *label, uint64_t total, int bytes)
{
    if (!enabled) return NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total = total;
    p->bytes = bytes;
    p->start = now_s();
    p->last_draw = 0.0;
    draw(p);
    return p;
}

void progress_set(progress *p, uint64_t done)
{
    if (!p) return;
    p->done = done;
    double t = now_s();
    if (t - p->last_draw >= 0.1) {
        p->last_draw = t;
        draw(p);
    }
}

void progress_phase(progress *p, const char *label, uint64_t total)
{
    if (!p) return;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total = total;
    p->done = 0;
    p->last_draw = now_s();
    draw(p);
}

void progress_end(progress *p)
{
    if (!p) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    free(p);
}

typedef struct spin_job {
    int (*fn)(void *);
    void *arg;
    int rc;
    int finished;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} spin_job;

static void *spin_main(void *v)
{
    spin_job *job = v;
    int rc = job->fn(job->arg);
    pthread_mutex_lock(&job->mu);
    job->rc = rc;
    job->finished = 1;
    pthread_cond_signal(&job->cv);
    pthread_mutex_unlock(&job->mu);
    return NULL;
}

int progress_spin(int enabled, const char *label, int (*fn)(void *), void *arg)
{
    if (!enabled) return fn(arg);
    spin_job job = { fn, arg, 0, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
    pthread_t th;
    if (pthread_create(&th, NULL, spin_main, &job) != 0) return fn(arg);
    progress *p = progress_start(1, label, 0, 0);
    pthread_mutex_lock(&job.mu);
    while (!job.finished) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&job.cv, &job.mu, &until);
        if (!job.finished && p) {
            p->last_draw = now_s();
            draw(p);
        }
    }
    pthread_mutex_unlock(&job.mu);
    pthread_join(th, NULL);
    progress_end(p);
    return job.rc;
}
