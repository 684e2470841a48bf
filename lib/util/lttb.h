/* Internal: Largest-Triangle-Three-Buckets downsampling (Sveinn
 * Steinarsson, "Downsampling Time Series for Visual Representation",
 * 2013): picks few points of a long series so that a line through them
 * looks like the line through all of them. Used by the pages' charts. */
#ifndef MLOPS_UTIL_LTTB_H
#define MLOPS_UTIL_LTTB_H

#include <stddef.h>

/* Writes into out the indices, ascending, of at most keep (>= 3) of the n
 * points (x[i], y[i]), which must be finite and in x order, and returns
 * how many it wrote: all n when n <= keep, else keep. Above keep: the
 * first and the last point, and from each of keep - 2 buckets that split
 * the points between them into runs of (nearly) equal length, the point
 * that makes the largest triangle with the point picked from the bucket
 * before and the mean of the bucket after (for the last bucket: the last
 * point). Time O(n), no allocation. */
size_t mlops__lttb(const double *x, const double *y, size_t n, size_t keep, size_t *out);

#endif
