/* libFuzzer target: the schema's JSON text reader (mlops_schema_from_json,
 * and the JSON reader under it). Oracle: a text it accepts gives a schema
 * whose JSON form reads back to the same schema (same stored bytes); any
 * other text is refused with MLOPS_EFORMAT or MLOPS_EUNSUPPORTED, and
 * nothing is returned. */
#include <mlops.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_schema *s = NULL;
    int rc = mlops_schema_from_json((const char *)data, size, &s);
    if (rc != MLOPS_OK) {
        if (s != NULL) abort();
        if (rc != MLOPS_EFORMAT && rc != MLOPS_EUNSUPPORTED) abort();
        return 0;
    }
    char *json = NULL;
    if (mlops_schema_to_json(s, &json) != MLOPS_OK) abort();
    mlops_schema *t = NULL;
    if (mlops_schema_from_json(json, strlen(json), &t) != MLOPS_OK) abort();
    void *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    if (mlops_schema_serialize(s, &x, &nx) != MLOPS_OK || mlops_schema_serialize(t, &y, &ny) != MLOPS_OK)
        abort();
    if (nx != ny || memcmp(x, y, nx) != 0) abort();
    mlops_free(x);
    mlops_free(y);
    mlops_free(json);
    mlops_schema_free(s);
    mlops_schema_free(t);
    return 0;
}
