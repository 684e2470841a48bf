/* Largest-Triangle-Three-Buckets (lttb.h), written from the algorithm's
 * description in Steinarsson's thesis. */
#include "util/lttb.h"

#include <math.h>
#include <stdint.h>

/* Bucket b (0 .. keep - 3) holds the points [start(b), start(b + 1)):
 * integer arithmetic, so that the buckets tile 1 .. n - 2 exactly
 * whatever n is (a floating-point bucket width drifts for long series). */
static size_t bucket_start(size_t b, size_t n, size_t keep)
{
    return 1 + (size_t)((uint64_t)b * (uint64_t)(n - 2) / (uint64_t)(keep - 2));
}

size_t mlops__lttb(const double *x, const double *y, size_t n, size_t keep, size_t *out)
{
    if (n <= keep || keep < 3) {
        for (size_t i = 0; i < n; i++) out[i] = i;
        return n;
    }
    size_t nout = 0, a = 0; /* a: the point picked last */
    out[nout++] = 0;
    for (size_t b = 0; b < keep - 2; b++) {
        size_t lo = bucket_start(b, n, keep), hi = bucket_start(b + 1, n, keep);
        /* The third corner: the mean of the next bucket, or the last point. */
        double cx, cy;
        if (b + 1 < keep - 2) {
            size_t nlo = hi, nhi = bucket_start(b + 2, n, keep);
            double sx = 0.0, sy = 0.0;
            for (size_t i = nlo; i < nhi; i++) {
                sx += x[i] - x[a]; /* relative to a: large x (times in ms) keep their digits */
                sy += y[i];
            }
            cx = sx / (double)(nhi - nlo);
            cy = sy / (double)(nhi - nlo);
        } else {
            cx = x[n - 1] - x[a];
            cy = y[n - 1];
        }
        /* Twice the triangle's area, with a at the origin. */
        double best = -1.0;
        size_t pick = lo;
        for (size_t i = lo; i < hi; i++) {
            double px = x[i] - x[a], py = y[i] - y[a];
            double area = fabs(px * (cy - y[a]) - cx * py);
            if (area > best) {
                best = area;
                pick = i;
            }
        }
        out[nout++] = pick;
        a = pick;
    }
    out[nout++] = n - 1;
    return nout;
}
