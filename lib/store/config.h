/* Internal: mlops.conf, the file in a store directory that names where
 * the store's parts live when they are not all in the directory
 * (doc/format.md, "mlops.conf"). A directory without it is a local store:
 * SQLite in mlops.db, objects in objects/. */
#ifndef MLOPS_STORE_CONFIG_H
#define MLOPS_STORE_CONFIG_H

#define MLOPS__CONFIG_NAME "mlops.conf"
#define MLOPS__SCHEMA_DEFAULT "mlops"
#define MLOPS__SCHEMA_MAX 63 /* PostgreSQL's identifier length */

typedef struct mlops__store_config {
    char *metadata; /* libpq URI or key=value string; NULL = SQLite */
    char *schema;   /* PostgreSQL schema */
    char *objects;  /* folder holding objects/ and tmp/; relative = to the store directory;
                       or s3://bucket/prefix */
    char *s3_endpoint; /* objects on S3: the endpoint URL when the environment names none */
    char *s3_region;   /* objects on S3: the region when the environment names none */
} mlops__store_config;

/* Reads dir/mlops.conf into cfg; *present is 0 (and cfg empty) when the
 * directory has none. MLOPS_EFORMAT for a malformed file,
 * MLOPS_EUNSUPPORTED for one a newer libmlops wrote. */
int mlops__config_read(const char *dir, mlops__store_config *cfg, int *present);
/* Writes dir/mlops.conf atomically (temp file, fsync, rename). */
int mlops__config_write(const char *dir, const mlops__store_config *cfg);
void mlops__config_free(mlops__store_config *cfg);

/* A schema name we accept: [a-z_][a-z0-9_]* up to 63 bytes, so it needs
 * no quoting anywhere. MLOPS_EINVAL naming fn otherwise. */
int mlops__config_check_schema(const char *fn, const char *schema);

#endif
