/* Reading a window's profiles: its entry in a packed blob (format 6), or
 * one blob per column for a window a format 5 store recorded and no ingest has
 * merged into since. */
#include "monitor/monitor_internal.h"
#include "cas/blob_codec.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

typedef struct unpack_arg {
    int64_t start;
    size_t n;
    mlops_profile **profs;
} unpack_arg;

static int decode_packed(const void *buf, size_t len, void *out)
{
    unpack_arg *a = out;
    return mlops__monitor_unpack_window(buf, len, a->start, a->n, a->profs);
}

void mlops__monitor_blob_cache_free(mlops__monitor_blob_cache *c)
{
    mlops_free(c->buf);
    memset(c, 0, sizeof *c);
}

/* Window `start` from the packed blob in the cache, fetching it (and so
 * checking its digest) when the cache holds another. */
static int cached_window(mlops_store *s, const char *fn, const mlops_digest *packed, int64_t start,
                         size_t n, mlops__monitor_blob_cache *c, mlops_profile **profs)
{
    if (!c->has || memcmp(c->d.bytes, packed->bytes, sizeof c->d.bytes)) {
        mlops__monitor_blob_cache_free(c);
        int rc = mlops_blob_get(s, packed, &c->buf, &c->len);
        if (rc) return rc;
        c->d = *packed;
        c->has = 1;
    }
    return mlops__blob_decode_error(fn, packed,
                                    mlops__monitor_unpack_window(c->buf, c->len, start, n, profs));
}

int mlops__monitor_window_profiles(mlops_store *s, const char *fn, const mlops_monitor *m,
                                   int64_t start, const mlops_digest *packed,
                                   const mlops_digest *legacy, mlops_profile **profs)
{
    return mlops__monitor_window_profiles_cached(s, fn, m, start, packed, legacy, NULL, profs);
}

int mlops__monitor_window_profiles_cached(mlops_store *s, const char *fn, const mlops_monitor *m,
                                          int64_t start, const mlops_digest *packed,
                                          const mlops_digest *legacy, mlops__monitor_blob_cache *cache,
                                          mlops_profile **profs)
{
    size_t n = m->spec.n_columns;
    memset(profs, 0, n * sizeof *profs);
    if (packed && cache) return cached_window(s, fn, packed, start, n, cache, profs);
    if (packed) {
        unpack_arg a = { start, n, profs };
        return mlops__blob_get_decoded(fn, s, packed, decode_packed, &a);
    }
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mlops_profile_get(s, &legacy[i], &profs[i]);
        if (rc) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s", mlops_last_error());
            rc = mlops__err(rc, "%s: monitor '%s', column '%s': %s", fn, m->name, m->col_names[i], msg);
        }
    }
    if (rc)
        for (size_t i = 0; i < n; i++) {
            mlops_profile_free(profs[i]);
            profs[i] = NULL;
        }
    return rc;
}
