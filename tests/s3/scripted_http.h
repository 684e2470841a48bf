/* Test-only HTTP server (scripted_http.c) that answers requests from a
 * script, in a thread of the test program: the answers a real S3 server
 * gives only under load or by mistake (503 SlowDown, 500, 429, 400
 * RequestTimeout, a redirect, a malformed listing), on demand. It reads
 * each request whole (headers and Content-Length body) on keep-alive
 * connections and knows nothing else of HTTP. */
#ifndef MLOPS_TEST_SCRIPTED_HTTP_H
#define MLOPS_TEST_SCRIPTED_HTTP_H

#include <stddef.h>

typedef struct scripted scripted;

/* One answer: status line text after "HTTP/1.1 " ("503 Slow Down"),
 * extra header lines (each ending "\r\n"; NULL for none) and a body
 * (NULL for none). Content-Length is added. */
typedef struct scripted_answer {
    const char *status;
    const char *headers;
    const char *body;
} scripted_answer;

/* Starts a server on 127.0.0.1 at an ephemeral port that answers the
 * i-th request with answers[i], and every request after the last with
 * the last. 0, or -1 (message on stderr). The answers are borrowed until
 * scripted_stop. */
int scripted_start(const scripted_answer *answers, size_t n, scripted **out);
int scripted_port(const scripted *s);
/* Requests answered so far. */
int scripted_requests(scripted *s);
/* The first line of the i-th request ("GET /b/k HTTP/1.1"), copied into
 * out (cap bytes); "" when there was none. */
void scripted_request_line(scripted *s, int i, char *out, size_t cap);
/* The value of header name (any case) in the i-th request, copied into
 * out (cap bytes); "" when it had none. The headers of the first
 * MAX_HEADS requests are kept, up to 16 KiB each. */
void scripted_request_header(scripted *s, int i, const char *name, char *out, size_t cap);
/* Stops and joins. NULL is a no-op. */
void scripted_stop(scripted *s);

#endif
