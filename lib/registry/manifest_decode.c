/* Reading a signing manifest back from its bytes (manifest.c writes
 * them). A manifest handed to another tool or received from one is
 * untrusted: it is read through the bounded unpacker and only its
 * canonical form is accepted (encoding what was decoded must give the
 * same bytes), so a signature attests exactly one manifest. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/mpack.h"

#include <stdlib.h>
#include <string.h>

#define MANIFEST_FORMAT "libmlops.model-version.v1"

static int bad(const char *why)
{
    return mlops__err(MLOPS_ECORRUPT, "signing manifest is not valid: %s", why);
}

static int str_is(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n && !memcmp(o->via.str.ptr, s, n);
}

static int get_digest(const msgpack_object *o, mlops_digest *out)
{
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size != MLOPS_DIGEST_STRLEN - 1) return -1;
    char text[MLOPS_DIGEST_STRLEN];
    memcpy(text, o->via.str.ptr, MLOPS_DIGEST_STRLEN - 1);
    text[MLOPS_DIGEST_STRLEN - 1] = '\0';
    return mlops_digest_parse(text, out) == MLOPS_OK ? 0 : -1;
}

/* The seven fields, by key, in the encoder's order. */
static int decode_map(const msgpack_object *m, mlops__sign_manifest *out)
{
    static const char *const keys[7] = { "artifact", "created_ms", "format", "inputs",
                                         "model", "run_id", "version" };
    if (m->type != MSGPACK_OBJECT_MAP || m->via.map.size != 7) return bad("not a map of 7 fields");
    const msgpack_object_kv *kv = m->via.map.ptr;
    for (int i = 0; i < 7; i++)
        if (!str_is(&kv[i].key, keys[i])) return bad("unexpected or misplaced field");
    if (!str_is(&kv[2].val, MANIFEST_FORMAT))
        return kv[2].val.type == MSGPACK_OBJECT_STR
                   ? mlops__err(MLOPS_EUNSUPPORTED, "signing manifest has another format than %s",
                                MANIFEST_FORMAT)
                   : bad("no format name");
    if (get_digest(&kv[0].val, &out->v.artifact)) return bad("the artifact is not a digest");
    if (mlops__mp_int64(&kv[1].val, &out->v.created_ms)) return bad("created_ms is not an integer");
    if (mlops__mp_int64(&kv[6].val, &out->v.number)) return bad("the version is not an integer");
    const msgpack_object *in = &kv[3].val;
    if (in->type != MSGPACK_OBJECT_ARRAY) return bad("inputs is not a list");
    out->inputs = malloc((in->via.array.size ? in->via.array.size : 1) * sizeof *out->inputs);
    if (!out->inputs) return mlops__err_nomem("decoding a signing manifest");
    for (uint32_t i = 0; i < in->via.array.size; i++) {
        if (get_digest(&in->via.array.ptr[i], &out->inputs[i])) return bad("an input is not a digest");
        if (i > 0 && memcmp(&out->inputs[i - 1], &out->inputs[i], sizeof out->inputs[i]) >= 0)
            return bad("inputs are not sorted and unique");
        out->ninputs++;
    }
    const msgpack_object *model = &kv[4].val, *run = &kv[5].val;
    if (model->type != MSGPACK_OBJECT_STR) return bad("the model is not a string");
    out->model = malloc(model->via.str.size + 1);
    if (!out->model) return mlops__err_nomem("decoding a signing manifest");
    mlops__mp_str_copy(out->model, model);
    if (run->type == MSGPACK_OBJECT_STR) {
        if (run->via.str.size >= sizeof out->v.run_id) return bad("the run id is too long");
        mlops__mp_str_copy(out->v.run_id, run);
        out->v.has_run = 1;
    } else if (run->type != MSGPACK_OBJECT_NIL) {
        return bad("the run id is neither a string nor nil");
    }
    return MLOPS_OK;
}

int mlops__sign_manifest_decode(const void *buf, size_t len, mlops__sign_manifest *out)
{
    memset(out, 0, sizeof *out);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc;
    int ur = mlops__mp_unpack(buf, len, &u);
    if (ur == MLOPS__MP_NOMEM) rc = mlops__err_nomem("decoding a signing manifest");
    else if (ur != MLOPS__MP_OK) rc = bad("not one msgpack object");
    else rc = decode_map(&u.data, out);
    msgpack_unpacked_destroy(&u);
    if (rc) return rc;

    msgpack_sbuffer again;
    msgpack_sbuffer_init(&again);
    rc = mlops__sign_manifest_encode(out->model, &out->v, out->inputs, out->ninputs, &again);
    if (!rc && (again.size != len || memcmp(again.data, buf, len) != 0))
        rc = bad("not in canonical form");
    msgpack_sbuffer_destroy(&again);
    return rc;
}

void mlops__sign_manifest_free(mlops__sign_manifest *m)
{
    if (!m) return;
    free(m->model);
    free(m->inputs);
    memset(m, 0, sizeof *m);
}
