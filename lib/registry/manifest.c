/* The signing manifest of a version: what a signature attests, as
 * canonical msgpack (doc/format.md, "Signing manifest"). A map whose keys
 * are in bytewise order:
 *   "artifact":   "sha256:<hex>"
 *   "created_ms": the version's creation time
 *   "format":     "libmlops.model-version.v1"
 *   "inputs":     the run's input digests, "sha256:<hex>", sorted, unique
 *                 ([] without a run)
 *   "model":      the model's name
 *   "run_id":     the run's id, or nil
 *   "version":    the version number
 * Integers and string headers in their shortest forms. It is rebuilt from
 * the store whenever a signature is checked, so any later change to what
 * it covers makes the signature fail. */
#include "registry/registry_internal.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define MANIFEST_FORMAT "libmlops.model-version.v1"

static int pack_text(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    int rc = msgpack_pack_str(pk, n);
    return rc ? rc : msgpack_pack_str_body(pk, s, n);
}

static int pack_digest(msgpack_packer *pk, const mlops_digest *d)
{
    char text[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(d, text);
    return pack_text(pk, text);
}

static int cmp_digest(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(mlops_digest));
}

/* Sorts and removes repeats in place; returns the new count. */
static size_t sort_unique(mlops_digest *d, size_t n)
{
    if (n < 2) return n;
    qsort(d, n, sizeof *d, cmp_digest);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (memcmp(&d[i], &d[k - 1], sizeof *d) != 0) d[k++] = d[i];
    return k;
}

int mlops__manifest_build(mlops__conn *c, const char *fn, const char *model,
                          const mlops__reg_version *v, msgpack_sbuffer *buf)
{
    mlops_digest *inputs = NULL;
    size_t ninputs = 0;
    if (v->has_run) {
        int rc = mlops__reg_run_inputs(c, fn, v->run_id, &inputs, &ninputs);
        if (rc) return rc;
        ninputs = sort_unique(inputs, ninputs);
    }
    int rc = mlops__sign_manifest_encode(model, v, inputs, ninputs, buf);
    free(inputs);
    return rc;
}

int mlops__sign_manifest_encode(const char *model, const mlops__reg_version *v,
                                const mlops_digest *inputs, size_t ninputs, msgpack_sbuffer *buf)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    int rc = msgpack_pack_map(&pk, 7);
    if (!rc) rc = pack_text(&pk, "artifact");
    if (!rc) rc = pack_digest(&pk, &v->artifact);
    if (!rc) rc = pack_text(&pk, "created_ms");
    if (!rc) rc = msgpack_pack_int64(&pk, v->created_ms);
    if (!rc) rc = pack_text(&pk, "format");
    if (!rc) rc = pack_text(&pk, MANIFEST_FORMAT);
    if (!rc) rc = pack_text(&pk, "inputs");
    if (!rc) rc = msgpack_pack_array(&pk, ninputs);
    for (size_t i = 0; !rc && i < ninputs; i++) rc = pack_digest(&pk, &inputs[i]);
    if (!rc) rc = pack_text(&pk, "model");
    if (!rc) rc = pack_text(&pk, model);
    if (!rc) rc = pack_text(&pk, "run_id");
    if (!rc) rc = v->has_run ? pack_text(&pk, v->run_id) : msgpack_pack_nil(&pk);
    if (!rc) rc = pack_text(&pk, "version");
    if (!rc) rc = msgpack_pack_int64(&pk, v->number);
    return rc ? mlops__err_nomem("encoding a signing manifest") : MLOPS_OK;
}
