#include "objects/s3/s3_buffers.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* Buffers are powers of two from 64 KiB (what a small object costs in
 * address space, not in memory: only its touched pages are) to 128 MiB;
 * a larger one is mapped and unmapped each time. */
#define MIN_SHIFT 16
#define MAX_SHIFT 27
#define CLASSES (MAX_SHIFT - MIN_SHIFT + 1)
/* Before the bytes: the mapping's size, and the next kept buffer of its
 * class. 64 bytes keep the bytes aligned for anything. */
#define HEADER 64

struct header {
    size_t mapped;
    struct header *next;
};

struct mlops__s3_buffers {
    pthread_mutex_t mu;
    struct header *kept[CLASSES];
    size_t kept_bytes, keep;
};

mlops__s3_buffers *mlops__s3_buffers_new(size_t keep)
{
    mlops__s3_buffers *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    pthread_mutex_init(&b->mu, NULL);
    b->keep = keep;
    return b;
}

void mlops__s3_buffers_free(mlops__s3_buffers *b)
{
    if (!b) return;
    for (int i = 0; i < CLASSES; i++)
        while (b->kept[i]) {
            struct header *h = b->kept[i];
            b->kept[i] = h->next;
            munmap(h, h->mapped);
        }
    pthread_mutex_destroy(&b->mu);
    free(b);
}

/* The class of a mapping of `need` bytes, or -1 when it is too large to
 * keep (it is then mapped at its page-rounded size). */
static int class_of(size_t need)
{
    for (int i = 0; i < CLASSES; i++)
        if (need <= (size_t)1 << (MIN_SHIFT + i)) return i;
    return -1;
}

void *mlops__s3_buffer_take(mlops__s3_buffers *b, size_t n)
{
    if (!b) return malloc(n ? n : 1);
    if (n > SIZE_MAX - HEADER - 4096) return NULL;
    size_t need = n + HEADER;
    int cls = class_of(need);
    if (cls >= 0) {
        /* Its own class, else the next: objects of a few hundred KiB fall
         * on either side of a power of two, and a buffer twice as large
         * beats faulting fresh pages in. */
        pthread_mutex_lock(&b->mu);
        struct header *h = NULL;
        for (int c = cls; !h && c < CLASSES && c <= cls + 1; c++)
            if ((h = b->kept[c]) != NULL) {
                b->kept[c] = h->next;
                b->kept_bytes -= h->mapped;
            }
        pthread_mutex_unlock(&b->mu);
        if (h) return (char *)h + HEADER;
    }
    size_t mapped = cls >= 0 ? (size_t)1 << (MIN_SHIFT + cls) : (need + 4095) & ~(size_t)4095;
    void *m = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    struct header *h = m;
    h->mapped = mapped;
    h->next = NULL;
    return (char *)h + HEADER;
}

void mlops__s3_buffer_give(mlops__s3_buffers *b, void *p)
{
    if (!p) return;
    if (!b) {
        free(p);
        return;
    }
    struct header *h = (struct header *)((char *)p - HEADER);
    int cls = class_of(h->mapped);
    if (cls >= 0 && ((size_t)1 << (MIN_SHIFT + cls)) == h->mapped) {
        pthread_mutex_lock(&b->mu);
        int kept = b->kept_bytes + h->mapped <= b->keep;
        if (kept) {
            h->next = b->kept[cls];
            b->kept[cls] = h;
            b->kept_bytes += h->mapped;
        }
        pthread_mutex_unlock(&b->mu);
        if (kept) return;
    }
    munmap(h, h->mapped);
}

size_t mlops__s3_buffer_capacity(const void *p)
{
    const struct header *h = (const struct header *)((const char *)p - HEADER);
    return h->mapped - HEADER;
}

size_t mlops__s3_buffers_kept(mlops__s3_buffers *b)
{
    pthread_mutex_lock(&b->mu);
    size_t n = b->kept_bytes;
    pthread_mutex_unlock(&b->mu);
    return n;
}
