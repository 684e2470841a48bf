/* The mixed workload of the crash and stress tests: writers that do every
 * kind of write the library offers and report each operation over a pipe,
 * before it starts (an intent) and once it returned MLOPS_OK (an
 * acknowledgement), and a checker that reopens the store and verifies that
 * every acknowledged operation is there, byte for byte. */
#ifndef MLOPS_TEST_WORKLOAD_H
#define MLOPS_TEST_WORKLOAD_H

#include <mlops.h>
#include <stddef.h>
#include <stdint.h>

/* Operation kinds. */
enum {
    W_BLOB = 1,     /* a blob put from memory, a file or a stream */
    W_METRIC,       /* one metric point */
    W_METRICS,      /* a batch of points of one key */
    W_PARAM,        /* one param */
    W_VERSION,      /* a model version */
    W_ALIAS,        /* an alias set on a model */
    W_OUTPUT,       /* a run output (lineage, a gc root) */
    W_TREE,         /* a directory tree */
    W_REF,          /* a named reference */
    W_RUN,          /* a run started */
    W_READ,         /* stress only: a read, or another operation (stream,
                       random access, restore, tag, profile, lineage) that
                       checks what it reads back itself; counted */
    W_KINDS
};

/* Phases of a record. */
#define W_INTENT 1
#define W_ACK    2
#define W_ERROR  3 /* an unexpected failure: msg says what */

/* One record, written to the pipe in one write() (<= PIPE_BUF: atomic,
 * so threads of one process may share a pipe). */
typedef struct wrec {
    uint8_t kind, phase;
    uint16_t n;        /* batch size, files in a tree */
    uint32_t len;      /* blob length */
    uint64_t seed;     /* content, values */
    int64_t step, ts, version;
    double value;
    mlops_digest digest;
    char tag[24];      /* the writer: "p<pid>t<thread>" */
    char run_id[33];
    char name[48];     /* key, alias, ref or output name */
    char model[24];
    char msg[168];     /* W_ERROR: what failed */
} wrec;

/* Store options every test uses: small chunks so that blobs of a few
 * hundred KiB are chunked. */
void w_store_opts(mlops_store_opts *o);
/* Creates what writers need: the experiment and the models. */
int w_setup(mlops_store *s, int64_t *experiment_id);

#define W_MODELS 3

typedef struct wctx wctx;

/* A writer: one thread's state. reads: also do reads (stress). scratch: a
 * directory of its own for files and trees. */
wctx *w_new(mlops_store *s, int fd, const char *tag, int64_t experiment_id, uint64_t seed,
            const char *scratch, int reads);
/* One random operation; reports it on fd. Returns MLOPS_OK or the failing
 * code (already reported as W_ERROR). */
int w_step(wctx *w);
void w_free(wctx *w);

/* The checker. */
typedef struct wcheck wcheck;
wcheck *wc_new(void);
/* Feeds a record read from a pipe. The pid identifies a writer process
 * (its last intent without an acknowledgement may or may not have
 * happened when it was killed). */
void wc_add(wcheck *c, const wrec *r);
/* Verifies everything acknowledged against the store; prints failures to
 * stderr and returns their number. *checked: operations verified. */
size_t wc_verify(wcheck *c, mlops_store *s, uint64_t *checked, uint64_t per_kind[W_KINDS]);
size_t wc_errors(const wcheck *c); /* W_ERROR records seen */
/* The checker's own test: five acknowledgements of writes that never
 * happened (a blob, a metric point, a param, a version, an alias), checked
 * against s. Returns how many it caught (5 when the checker works). */
size_t wc_self_test(wcheck *real, mlops_store *s);
/* After a gc: every acknowledged version artifact and run output (gc
 * roots) is still readable and whole. Returns the failures. */
size_t wc_verify_roots(wcheck *c, mlops_store *s);
void wc_free(wcheck *c);

/* Content of a blob from its seed: random bytes, or text-like
 * (compressible) when seed is odd. */
void w_content(uint64_t seed, uint8_t *buf, size_t len);
/* A metric value from its seed: NaN, infinities, -0.0 and ordinary values. */
double w_value(uint64_t seed);
/* Length of file i of a tree (files f0..f<n-1>, then d/g with i = n). */
size_t w_tree_file_len(uint64_t seed, int i);

/* Reads whole records from fd until EOF or no more data (nonblocking fds);
 * feeds them to c. Keeps a partial record in the caller's carry buffer. */
typedef struct wpipe {
    int fd;
    size_t have;
    unsigned char buf[sizeof(wrec)];
} wpipe;
/* Returns 0 at EOF, 1 when more may come. */
int w_drain(wpipe *p, wcheck *c);

const char *w_kind_name(int kind);

#endif
