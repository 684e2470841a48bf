/*
 * A streaming JSON writer for the `--json` output of the `mlops` command.
 * Commas and nesting are tracked, strings escaped (invalid UTF-8 bytes
 * become U+FFFD), NaN and infinities written as null.
 */
#ifndef MLOPS_CLI_JSON_H
#define MLOPS_CLI_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json {
    FILE *f;
    int depth;
    int count[JSON_MAX_DEPTH]; /* values written at each depth */
    int after_key;
} json;

void json_init(json *j, FILE *f);
void json_begin_object(json *j);
void json_end_object(json *j);
void json_begin_array(json *j);
void json_end_array(json *j);
void json_key(json *j, const char *key);
void json_string(json *j, const char *s); /* NULL writes null */
void json_int(json *j, int64_t v);
void json_uint(json *j, uint64_t v);
void json_double(json *j, double v);
void json_bool(json *j, int v);
void json_null(json *j);
/* Ends the document with a newline. */
void json_finish(json *j);

/* Shorthands for "key": value. */
void json_kv_string(json *j, const char *key, const char *s);
void json_kv_int(json *j, const char *key, int64_t v);
void json_kv_uint(json *j, const char *key, uint64_t v);
void json_kv_double(json *j, const char *key, double v);
void json_kv_bool(json *j, const char *key, int v);

/* Writes s to f as a JSON string, quotes included. */
void json_write_string(FILE *f, const char *s);

#endif
