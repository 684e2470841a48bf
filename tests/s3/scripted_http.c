#include "scripted_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LINES 64
#define MAX_HEADS 8
#define HEAD_CAP (16 << 10)

struct scripted {
    int listen_fd, port;
    const scripted_answer *answers;
    size_t n;
    pthread_t thread;
    pthread_mutex_t mu;
    int stop, requests;         /* under mu */
    char lines[MAX_LINES][160]; /* request lines, under mu */
    char heads[MAX_HEADS][HEAD_CAP]; /* header blocks, under mu */
    char buf[1 << 16];          /* the server thread's input */
    char heads_in[HEAD_CAP];    /* the server thread's last header block */
};

static int stopping(scripted *s)
{
    pthread_mutex_lock(&s->mu);
    int stop = s->stop;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

/* Waits up to 100 ms for fd to be readable: 1, 0 on timeout, -1 on error. */
static int readable(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    return r < 0 ? (errno == EINTR ? 0 : -1) : r;
}

static int write_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one request (headers, then Content-Length bytes of body) from
 * fd, keeping what follows in buf. The request line goes to line. 1 for
 * a request, 0 when the connection ends or the server stops. */
static int read_request(scripted *s, int fd, char *buf, size_t cap, size_t *have, char *line,
                        size_t line_cap, char *heads, size_t heads_cap)
{
    char *end;
    for (;;) {
        buf[*have] = '\0';
        if ((end = strstr(buf, "\r\n\r\n"))) break;
        if (*have + 1 >= cap || stopping(s)) return 0;
        int r = readable(fd);
        if (r < 0) return 0;
        if (r == 0) continue;
        ssize_t got = recv(fd, buf + *have, cap - 1 - *have, 0);
        if (got <= 0) return 0;
        *have += (size_t)got;
    }
    size_t head = (size_t)(end - buf) + 4;
    size_t body = 0;
    for (char *h = strstr(buf, "\r\n"); h && h < end; h = strstr(h + 2, "\r\n"))
        if (!strncasecmp(h + 2, "Content-Length:", 15)) body = strtoul(h + 17, NULL, 10);
    size_t ll = strcspn(buf, "\r");
    snprintf(line, line_cap, "%.*s", (int)ll, buf);
    snprintf(heads, heads_cap, "%.*s", (int)(head - ll), buf + ll);
    /* The body is read and dropped: only its length matters here. */
    size_t extra = *have - head;
    while (extra < body) {
        if (stopping(s)) return 0;
        int r = readable(fd);
        if (r < 0) return 0;
        if (r == 0) continue;
        char sink[65536];
        size_t want = body - extra < sizeof sink ? body - extra : sizeof sink;
        ssize_t got = recv(fd, sink, want, 0);
        if (got <= 0) return 0;
        extra += (size_t)got;
    }
    size_t used = head + body;
    if (used > *have) used = *have;
    memmove(buf, buf + used, *have - used);
    *have -= used;
    return 1;
}

static void serve(scripted *s, int fd)
{
    size_t have = 0;
    char line[160];
    while (read_request(s, fd, s->buf, sizeof s->buf, &have, line, sizeof line, s->heads_in,
                        sizeof s->heads_in)) {
        pthread_mutex_lock(&s->mu);
        int i = s->requests++;
        if (i < MAX_LINES) snprintf(s->lines[i], sizeof s->lines[i], "%s", line);
        if (i < MAX_HEADS) memcpy(s->heads[i], s->heads_in, sizeof s->heads_in);
        pthread_mutex_unlock(&s->mu);
        const scripted_answer *a = &s->answers[(size_t)i < s->n ? (size_t)i : s->n - 1];
        const char *body = a->body ? a->body : "";
        char head[1024];
        int n = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s\r\n",
                         a->status, strlen(body), a->headers ? a->headers : "");
        int is_head = strncmp(line, "HEAD ", 5) == 0;
        if (write_all(fd, head, (size_t)n) || (!is_head && write_all(fd, body, strlen(body))))
            return;
    }
}

static void *run(void *arg)
{
    scripted *s = arg;
    while (!stopping(s)) {
        if (readable(s->listen_fd) <= 0) continue;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) continue;
        serve(s, fd);
        close(fd);
    }
    return NULL;
}

int scripted_start(const scripted_answer *answers, size_t n, scripted **out)
{
    *out = NULL;
    if (n == 0) return -1;
    scripted *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->answers = answers;
    s->n = n;
    pthread_mutex_init(&s->mu, NULL);
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(s->listen_fd, 16) != 0 || getsockname(s->listen_fd, (struct sockaddr *)&a, &al) != 0 ||
        pthread_create(&s->thread, NULL, run, s) != 0) {
        perror("scripted_http");
        if (s->listen_fd >= 0) close(s->listen_fd);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return -1;
    }
    s->port = ntohs(a.sin_port);
    *out = s;
    return 0;
}

int scripted_port(const scripted *s)
{
    return s->port;
}

int scripted_requests(scripted *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void scripted_request_header(scripted *s, int i, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    pthread_mutex_lock(&s->mu);
    const char *h = i >= 0 && i < s->requests && i < MAX_HEADS ? s->heads[i] : "";
    out[0] = '\0';
    for (h = strstr(h, "\r\n"); h; h = strstr(h + 2, "\r\n"))
        if (!strncasecmp(h + 2, name, nl) && h[2 + nl] == ':') {
            const char *v = h + 3 + nl;
            v += strspn(v, " ");
            snprintf(out, cap, "%.*s", (int)strcspn(v, "\r"), v);
            break;
        }
    pthread_mutex_unlock(&s->mu);
}

void scripted_request_line(scripted *s, int i, char *out, size_t cap)
{
    pthread_mutex_lock(&s->mu);
    snprintf(out, cap, "%s", i >= 0 && i < s->requests && i < MAX_LINES ? s->lines[i] : "");
    pthread_mutex_unlock(&s->mu);
}

void scripted_stop(scripted *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
