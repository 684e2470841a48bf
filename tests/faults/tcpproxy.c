/* The test proxy (tcpproxy.h): one thread polls the listening socket, a
 * wake-up pipe and both ends of every connection; commands from the test
 * change shared state under a mutex and wake it. */
#include "tcpproxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 64
#define PATTERN_MAX 64

struct pair {
    int client, server; /* -1: unused slot */
    /* The last bytes the client sent, so that a pattern split across two
     * reads is still seen. */
    unsigned char tail[PATTERN_MAX];
    size_t ntail;
    /* The arm (tproxy.armed) whose `after` pattern this connection sent;
     * 0: none. */
    unsigned primed;
};

struct tproxy {
    int listen_fd, port;
    int wake[2];
    struct sockaddr_storage target;
    socklen_t target_len;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Shared with the test thread, under mu. */
    int stop, stall, refuse;
    unsigned drop_requests, drops_done;
    unsigned char pattern[PATTERN_MAX];
    size_t npattern;
    unsigned char after[PATTERN_MAX]; /* tproxy_arm_after's first pattern */
    size_t nafter;                    /* 0: none (tproxy_arm) */
    unsigned armed;                   /* counts the arms, so a new one primes afresh */
    int action; /* 0: nothing armed */
    int fired, accepted;
    struct pair pairs[MAX_PAIRS];
};

static void wake(tproxy *p)
{
    char b = 1;
    if (write(p->wake[1], &b, 1) < 0) { /* full pipe: the thread is awake anyway */
    }
}

/* RST to the client (linger 0), a plain close (FIN) to the server, so the
 * server still reads what it was sent before it sees the end. */
static void drop_pair(struct pair *c)
{
    if (c->client >= 0) {
        struct linger l = { 1, 0 };
        setsockopt(c->client, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(c->client);
    }
    if (c->server >= 0) close(c->server);
    c->client = c->server = -1;
    c->ntail = 0;
    c->primed = 0;
}

static int write_all(int fd, const unsigned char *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static void accept_one(tproxy *p)
{
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0) return;
    pthread_mutex_lock(&p->mu);
    int refuse = p->refuse;
    p->accepted++;
    pthread_mutex_unlock(&p->mu);
    struct pair *slot = NULL;
    for (int i = 0; i < MAX_PAIRS && !slot; i++)
        if (p->pairs[i].client < 0) slot = &p->pairs[i];
    int up = -1;
    if (!refuse && slot) {
        up = socket(p->target.ss_family, SOCK_STREAM, 0);
        if (up >= 0 && connect(up, (struct sockaddr *)&p->target, p->target_len) != 0) {
            close(up);
            up = -1;
        }
    }
    if (up < 0) {
        struct pair tmp = { fd, -1, { 0 }, 0, 0 };
        drop_pair(&tmp);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    slot->client = fd;
    slot->server = up;
    slot->ntail = 0;
    slot->primed = 0;
}

/* Where the armed pattern ends in tail+buf, as an offset into buf (0 when
 * it ends inside the kept tail, which cannot happen: it was searched
 * before), or -1. */
static long match_end(const struct pair *c, const unsigned char *buf, size_t n,
                      const unsigned char *pat, size_t np)
{
    unsigned char win[PATTERN_MAX * 2];
    size_t k = 0;
    memcpy(win, c->tail, c->ntail);
    k = c->ntail;
    /* Scan the seam first, then the buffer itself. */
    size_t take = n < PATTERN_MAX ? n : PATTERN_MAX;
    memcpy(win + k, buf, take);
    for (size_t i = 0; i + np <= k + take; i++)
        if (!memcmp(win + i, pat, np) && i + np > k) return (long)(i + np - k);
    for (size_t i = 0; i + np <= n; i++)
        if (!memcmp(buf + i, pat, np)) return (long)(i + np);
    return -1;
}

/* Where the armed pattern ends in buf (as match_end), or -1. With a
 * pattern to wait for (tproxy_arm_after), only on a connection that sent
 * that one since the arm, and after its end. Under mu. */
static long armed_end(tproxy *p, struct pair *c, const unsigned char *buf, size_t n)
{
    if (!p->nafter || c->primed == p->armed)
        return match_end(c, buf, n, p->pattern, p->npattern);
    long a = match_end(c, buf, n, p->after, p->nafter);
    if (a < 0) return -1;
    c->primed = p->armed;
    for (size_t i = (size_t)a; i + p->npattern <= n; i++) /* the rest of this read */
        if (!memcmp(buf + i, p->pattern, p->npattern)) return (long)(i + p->npattern);
    return -1;
}

static void keep_tail(struct pair *c, const unsigned char *buf, size_t n)
{
    if (n >= PATTERN_MAX - 1) {
        memcpy(c->tail, buf + n - (PATTERN_MAX - 1), PATTERN_MAX - 1);
        c->ntail = PATTERN_MAX - 1;
        return;
    }
    size_t keep = c->ntail + n > PATTERN_MAX - 1 ? PATTERN_MAX - 1 - n : c->ntail;
    memmove(c->tail, c->tail + c->ntail - keep, keep);
    memcpy(c->tail + keep, buf, n);
    c->ntail = keep + n;
}

/* Moves what is readable on one side of c; from_client says which. */
static void pump(tproxy *p, struct pair *c, int from_client)
{
    unsigned char buf[65536];
    int from = from_client ? c->client : c->server;
    int to = from_client ? c->server : c->client;
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        drop_pair(c);
        return;
    }
    size_t len = (size_t)n;
    if (from_client) {
        pthread_mutex_lock(&p->mu);
        int action = p->action;
        long end = action ? armed_end(p, c, buf, len) : -1;
        if (end >= 0) {
            p->action = 0;
            p->fired++;
        }
        pthread_mutex_unlock(&p->mu);
        if (end >= 0 && action == TP_FLIP) {
            buf[end - 1] ^= 0x01; /* end >= 1: the pattern never ends in the tail */
        } else if (end >= 0) {
            if (action == TP_DROP_AFTER) (void)write_all(to, buf, (size_t)end);
            drop_pair(c);
            return;
        }
        keep_tail(c, buf, len);
    }
    if (write_all(to, buf, len) != 0) drop_pair(c);
}

static void *run(void *arg)
{
    tproxy *p = arg;
    struct pollfd fds[2 + 2 * MAX_PAIRS];
    int who[2 + 2 * MAX_PAIRS];
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int stop = p->stop, stall = p->stall;
        unsigned drops = p->drop_requests;
        pthread_mutex_unlock(&p->mu);
        if (stop) break;
        if (drops != p->drops_done) {
            for (int i = 0; i < MAX_PAIRS; i++)
                if (p->pairs[i].client >= 0) drop_pair(&p->pairs[i]);
            pthread_mutex_lock(&p->mu);
            p->drops_done = drops;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
        }
        int nf = 0;
        fds[nf] = (struct pollfd){ p->wake[0], POLLIN, 0 };
        who[nf++] = -1;
        fds[nf] = (struct pollfd){ p->listen_fd, POLLIN, 0 };
        who[nf++] = -2;
        for (int i = 0; i < MAX_PAIRS && !stall; i++) {
            if (p->pairs[i].client < 0) continue;
            fds[nf] = (struct pollfd){ p->pairs[i].client, POLLIN, 0 };
            who[nf++] = 2 * i;
            fds[nf] = (struct pollfd){ p->pairs[i].server, POLLIN, 0 };
            who[nf++] = 2 * i + 1;
        }
        if (poll(fds, (nfds_t)nf, 1000) <= 0) continue;
        for (int k = 0; k < nf; k++) {
            if (!fds[k].revents) continue;
            if (who[k] == -1) {
                char b[64];
                if (read(p->wake[0], b, sizeof b) < 0) { /* nothing to drain */
                }
            } else if (who[k] == -2) {
                accept_one(p);
            } else {
                struct pair *c = &p->pairs[who[k] / 2];
                int fd = who[k] % 2 ? c->server : c->client;
                if (fd >= 0 && fd == fds[k].fd) pump(p, c, who[k] % 2 == 0);
            }
        }
    }
    for (int i = 0; i < MAX_PAIRS; i++)
        if (p->pairs[i].client >= 0) drop_pair(&p->pairs[i]);
    return NULL;
}

static int resolve(tproxy *p, const char *host, int port)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc || !res) {
        fprintf(stderr, "tcpproxy: cannot resolve %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    memcpy(&p->target, res->ai_addr, res->ai_addrlen);
    p->target_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int tproxy_start(const char *host, int port, tproxy **out)
{
    tproxy *p = calloc(1, sizeof *p);
    if (!p) return -1;
    for (int i = 0; i < MAX_PAIRS; i++) p->pairs[i].client = p->pairs[i].server = -1;
    p->wake[0] = p->wake[1] = -1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (resolve(p, host, port) != 0 || p->listen_fd < 0 ||
        bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(p->listen_fd, 64) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&a, &alen) != 0 || pipe(p->wake) != 0) {
        fprintf(stderr, "tcpproxy: cannot listen: %s\n", strerror(errno));
        goto fail;
    }
    fcntl(p->wake[0], F_SETFL, O_NONBLOCK);
    fcntl(p->wake[1], F_SETFL, O_NONBLOCK);
    p->port = ntohs(a.sin_port);
    if (pthread_create(&p->thread, NULL, run, p) != 0) goto fail;
    *out = p;
    return 0;
fail:
    if (p->listen_fd >= 0) close(p->listen_fd);
    if (p->wake[0] >= 0) close(p->wake[0]);
    if (p->wake[1] >= 0) close(p->wake[1]);
    free(p);
    return -1;
}

int tproxy_port(const tproxy *p)
{
    return p->port;
}

void tproxy_drop_all(tproxy *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned want = ++p->drop_requests;
    wake(p);
    while (p->drops_done != want && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void tproxy_stall(tproxy *p, int on)
{
    pthread_mutex_lock(&p->mu);
    p->stall = on;
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

void tproxy_refuse(tproxy *p, int on)
{
    pthread_mutex_lock(&p->mu);
    p->refuse = on;
    pthread_mutex_unlock(&p->mu);
}

void tproxy_arm(tproxy *p, const void *pattern, size_t len, int action)
{
    tproxy_arm_after(p, NULL, 0, pattern, len, action);
}

void tproxy_arm_after(tproxy *p, const void *after, size_t nafter, const void *pattern,
                      size_t len, int action)
{
    if (nafter > PATTERN_MAX) nafter = PATTERN_MAX;
    if (len > PATTERN_MAX) len = PATTERN_MAX;
    pthread_mutex_lock(&p->mu);
    if (nafter) memcpy(p->after, after, nafter);
    p->nafter = nafter;
    memcpy(p->pattern, pattern, len);
    p->npattern = len;
    p->armed++;
    if (!p->armed) p->armed = 1; /* 0 means no arm in a pair's primed */
    p->action = action;
    pthread_mutex_unlock(&p->mu);
}

int tproxy_fired(tproxy *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->fired;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int tproxy_accepted(tproxy *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->accepted;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void tproxy_stop(tproxy *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    wake(p);
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    close(p->wake[0]);
    close(p->wake[1]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}
