/* Which objects a remote lacks, asked the cheaper of two ways (the rule
 * DVC 1.0 settled on for its remotes): one existence check per object
 * costs one request each; one listing of the remote costs a request per
 * page of LIST_PAGE keys however few objects are asked about. The
 * remote's size is estimated from one fan-out folder (objects whose
 * digest starts with byte 0x00, 1/256 of them on average: digests are
 * uniform) before choosing. */
#include "remote/remote_internal.h"
#include "cas/keymap.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* Keys per page of an S3 listing (ListObjectsV2's maximum). */
#define LIST_PAGE 1000

static int collect(const mlops_digest *d, int64_t mtime_ms, void *arg)
{
    (void)mtime_ms;
    return mlops__keymap_add(arg, d->bytes, 0, NULL);
}

int mlops__remote_lacking(mlops__objects *be, const mlops_digest *objs, size_t n,
                          unsigned char *lacks, mlops_transfer_report *report)
{
    if (n == 0) return MLOPS_OK;
    int list = 0;
    if (be->count_fan && n > 1) {
        uint64_t sample = 0;
        int rc = be->count_fan(be, 0, &sample);
        if (rc) return rc;
        uint64_t pages = (sample * 256 + LIST_PAGE - 1) / LIST_PAGE;
        list = pages < n;
    }
    if (!list) {
        for (size_t i = 0; i < n; i++) {
            int yes = 0;
            int rc = be->exists(be, &objs[i], &yes);
            if (rc) return rc;
            lacks[i] = !yes;
            report->lookups++;
        }
        return MLOPS_OK;
    }
    mlops__keymap have = MLOPS__KEYMAP_INIT;
    int rc = be->foreach(be, collect, &have);
    if (!rc) {
        report->listed += have.n;
        for (size_t i = 0; i < n; i++) lacks[i] = !mlops__keymap_get(&have, objs[i].bytes, NULL);
    }
    mlops__keymap_free(&have);
    return rc;
}
