#include "store/store_internal.h"
#include "store/config.h"
#include "store/schema.h"
#include "objects/local/local.h"
#ifdef MLOPS_HAVE_S3
#include "objects/s3/s3_cache.h"
#include "objects/s3/s3_objects.h"
#endif
#include "util/clock.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/opts.h"
#include "util/pool.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries a store directory may hold; anything else marks a foreign one. */
static const char *const layout_entries[] = {
    "mlops.db", "mlops.db-wal", "mlops.db-shm", "mlops.db-journal", "objects", "tmp", "quarantine",
    MLOPS__CONFIG_NAME,
};

MLOPS_API int mlops_store_opts_init(mlops_store_opts *opts, unsigned version)
{
    static const mlops_store_opts defaults = MLOPS_STORE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_STORE_OPTS_VERSION);
}

static int is_power_of_two(uint32_t v)
{
    return v && !(v & (v - 1));
}

/* Copies the fields the caller's options version has over the defaults,
 * and validates them. */
static int effective_options(const char *fn, const mlops_store_opts *given,
                             mlops_store_opts *out)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    if (given) {
        int rc = mlops__opts_check(fn, given->version, MLOPS_STORE_OPTS_VERSION,
                                   "mlops_store_opts_init");
        if (rc) return rc;
        o = *given; /* version 1 is the only version so far: every field */
    }
    if (o.durability < MLOPS_DURABILITY_NORMAL || o.durability > MLOPS_DURABILITY_NONE)
        return mlops__err(MLOPS_EINVAL, "%s: unknown durability %d", fn, o.durability);
    if (o.compression_level < 1 || o.compression_level > 19)
        return mlops__err(MLOPS_EINVAL,
                          "%s: compression level %d is outside 1..19", fn,
                          o.compression_level);
    if (!is_power_of_two(o.chunk_avg_size) || o.chunk_min_size < 64 ||
        o.chunk_min_size >= o.chunk_avg_size || o.chunk_avg_size >= o.chunk_max_size ||
        o.chunk_max_size > 64u * 1024 * 1024)
        return mlops__err(MLOPS_EINVAL,
                          "%s: chunk sizes min %u / avg %u / max %u are invalid "
                          "(need 64 <= min < avg < max <= 64 MiB, avg a power of two)", fn,
                          o.chunk_min_size, o.chunk_avg_size, o.chunk_max_size);
    if (o.threads > 256)
        return mlops__err(MLOPS_EINVAL, "%s: %u threads is more than 256", fn,
                          o.threads);
    if (o.actor && mlops__check_name(fn, "actor", o.actor, 255))
        return MLOPS_EINVAL;
    *out = o;
    return MLOPS_OK;
}

static char *login_name(void)
{
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name[0])
        return mlops__strdup(res->pw_name);
    char uid[32];
    snprintf(uid, sizeof uid, "uid:%u", (unsigned)geteuid());
    return mlops__strdup(uid);
}

enum dir_kind { DIR_EMPTY_OR_OURS, DIR_HAS_DB, DIR_FOREIGN };

static int classify_dir(const char *path, enum dir_kind *kind)
{
    DIR *d = opendir(path);
    if (!d) return mlops__err_os(MLOPS_EIO, errno, "cannot read directory '%s'", path);
    *kind = DIR_EMPTY_OR_OURS;
    int has_db = 0;
    char foreign[256] = "";
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..")) continue;
        int known = 0;
        for (size_t i = 0; i < sizeof layout_entries / sizeof layout_entries[0]; i++)
            if (!strcmp(ent->d_name, layout_entries[i])) known = 1;
        if (!strcmp(ent->d_name, "mlops.db") || !strcmp(ent->d_name, MLOPS__CONFIG_NAME))
            has_db = 1;
        if (!known && !foreign[0]) snprintf(foreign, sizeof foreign, "%s", ent->d_name);
    }
    closedir(d);
    if (has_db) *kind = DIR_HAS_DB;
    else if (foreign[0]) {
        *kind = DIR_FOREIGN;
        return mlops__err(MLOPS_EFORMAT,
                          "'%s' is a non-empty directory that is not a libmlops store "
                          "(it holds '%s' and no mlops.db)",
                          path, foreign);
    }
    return MLOPS_OK;
}

/* Makes sure path is a directory that is or may become a store. */
static int prepare_directory(const char *path, const mlops_store_opts *o, int *creating)
{
    struct stat st;
    *creating = 0;
    if (stat(path, &st) != 0) {
        int e = errno;
        if (e != ENOENT) return mlops__err_os(MLOPS_EIO, e, "cannot access store '%s'", path);
        if (!o->create_if_missing || o->read_only)
            return mlops__err(MLOPS_ENOTFOUND, "no store at '%s'", path);
        *creating = 1;
        /* Private to its owner: artifacts, params and keys' fingerprints
         * are nobody else's business unless the owner opens the directory
         * up (a team's shared store is made by the team, then opened). */
        return mlops__mkdir_p(path, 0700);
    }
    if (!S_ISDIR(st.st_mode))
        return mlops__err(MLOPS_EFORMAT, "'%s' is not a directory, so it cannot be a store",
                          path);
    enum dir_kind kind = DIR_FOREIGN;
    int rc = classify_dir(path, &kind);
    if (rc) return rc;
    if (kind == DIR_HAS_DB) return MLOPS_OK;
    if (!o->create_if_missing || o->read_only)
        return mlops__err(MLOPS_ENOTFOUND, "'%s' is not a store (no mlops.db)", path);
    *creating = 1;
    return MLOPS_OK;
}

static int read_meta_u32(mlops__conn *c, const char *key, uint32_t *out)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT value FROM meta WHERE key = ?1", &st);
    if (rc) return rc;
    rc = mlops__bind_text(c, st, 1, key);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) {
        *out = (uint32_t)strtoul(mlops__col_text(st, 0), NULL, 10);
        rc = MLOPS_OK;
    } else if (step == MLOPS__DONE) {
        rc = mlops__err(MLOPS_ECORRUPT, "store facts lack '%s'", key);
    } else {
        rc = mlops__conn_error(c, step, "reading store facts");
    }
    mlops__reset(st);
    return rc;
}

/* The cut rule the store records. Stores made before format 9 have no
 * row and keep the rule they were made with, gear-nc2; a rule this
 * library does not know is refused rather than chunked by another rule,
 * which would still be correct but share no chunk with earlier versions. */
static int read_chunk_rule(mlops__conn *c, const char *path, mlops__cdc_rule *out)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT value FROM meta WHERE key = 'chunk_rule'", &st);
    if (rc) return rc;
    int step = mlops__step(st);
    *out = MLOPS__CDC_GEAR_NC2;
    if (step == MLOPS__ROW) {
        const char *name = mlops__col_text(st, 0);
        if (mlops__cdc_rule_parse(name ? name : "", out))
            rc = mlops__err(MLOPS_EUNSUPPORTED,
                            "store '%s' cuts chunks by the rule '%.64s' (meta chunk_rule), "
                            "which libmlops %s does not know (it knows 'gear-nc1' and 'gear-nc2')",
                            path, name ? name : "", MLOPS_VERSION_STRING);
    } else if (step != MLOPS__DONE) {
        rc = mlops__conn_error(c, step, "reading store facts");
    }
    mlops__reset(st);
    return rc;
}

static void store_free(mlops_store *s)
{
    if (!s) return;
    if (s->objects) s->objects->free(s->objects);
    for (int i = 0; i < s->nidle; i++) mlops__conn_close(s->idle[i]);
    pthread_mutex_destroy(&s->pool_lock);
    free(s->path);
    free(s->db_path);
    free(s->metadata);
    free(s->schema);
    free(s->actor);
    free(s);
}

/* Where an open finds the store's parts. */
struct place {
    const char *path; /* what mlops_store_path gives back */
    const char *root; /* the folder of objects/, tmp/ and quarantine/ */
    const mlops__store_config *cfg; /* NULL or no metadata: SQLite at path/mlops.db */
};

static int store_alloc(const struct place *pl, const mlops_store_opts *o, mlops_store **out)
{
    mlops_store *s = calloc(1, sizeof *s);
    if (!s) return mlops__err_nomem("opening a store");
    pthread_mutex_init(&s->pool_lock, NULL);
    s->opts = *o;
    s->read_only = o->read_only != 0;
    s->path = mlops__strdup(pl->path);
    s->db_path = mlops__path_join(pl->path, "mlops.db");
    s->actor = o->actor ? mlops__strdup(o->actor) : login_name();
    int shared = pl->cfg && pl->cfg->metadata;
    if (shared) {
        s->metadata = mlops__strdup(pl->cfg->metadata);
        s->schema = mlops__strdup(pl->cfg->schema);
    }
    if (!s->path || !s->db_path || !s->actor ||
        (shared && (!s->metadata || !s->schema))) {
        store_free(s);
        return mlops__err_nomem("opening a store");
    }
    s->opts.actor = s->actor;
    s->synchronous = o->durability == MLOPS_DURABILITY_FULL   ? "FULL"
                     : o->durability == MLOPS_DURABILITY_NONE ? "OFF"
                                                               : "NORMAL";
    s->threads = o->threads ? o->threads : mlops__online_cpus();
    s->target.dialect = shared ? MLOPS__POSTGRES : MLOPS__SQLITE;
    s->target.path = s->db_path;
    s->target.uri = s->metadata;
    s->target.schema = s->schema;
    s->target.read_only = s->read_only;
    s->target.synchronous = s->synchronous;
    s->target.busy_ms = o->busy_timeout_ms;
    *out = s;
    return MLOPS_OK;
}

/* On PostgreSQL the audit actor is the database role the connection logs
 * in as, not a free-text name: the server vouches for it. An actor given
 * in the options must be that role. */
static int role_as_actor(mlops__conn *c, const mlops_store_opts *o, mlops_store *s)
{
    mlops__stmt *st = NULL;
    int rc = mlops__conn_stmt(c, "SELECT CAST(session_user AS TEXT)", &st);
    if (rc) return rc;
    int step = mlops__step(st);
    char *role = step == MLOPS__ROW ? mlops__strdup(mlops__col_text(st, 0)) : NULL;
    if (step != MLOPS__ROW) rc = mlops__conn_row_error(c, step, "reading the database role");
    else if (!role) rc = mlops__err_nomem("opening a store");
    mlops__reset(st);
    if (!rc && o->actor && strcmp(o->actor, role))
        rc = mlops__err(MLOPS_EINVAL,
                        "store '%s': the actor of a PostgreSQL store is the database role "
                        "('%s'), not '%.100s'",
                        s->path, role, o->actor);
    if (rc) {
        free(role);
        return rc;
    }
    free(s->actor);
    s->actor = role;
    s->opts.actor = role;
    s->actor_is_role = 1;
    return MLOPS_OK;
}

/* The store's object backend: S3 when the configuration names an
 * s3:// URL, else the objects folder (a read-write open makes its
 * layout). */
static int open_objects(const char *fn, const struct place *pl, mlops_store *s)
{
    const char *objects = pl->cfg ? pl->cfg->objects : NULL;
    if (!mlops__objects_is_s3_url(objects))
        return mlops__objects_local_open(pl->root, !s->read_only, mlops__store_fsync_enabled(s),
                                         &s->objects);
#ifdef MLOPS_HAVE_S3
    /* The read cache lives in the store directory (doc/s3.md, "The read
     * cache"); MLOPS_S3_CACHE_BYTES bounds it, 0 turns it off. */
    uint64_t cache_bytes = MLOPS__S3_CACHE_DEFAULT_BYTES;
    const char *env = getenv("MLOPS_S3_CACHE_BYTES");
    if (env && *env) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(env, &end, 10);
        if (errno || *end || env[0] == '-')
            return mlops__err(MLOPS_EINVAL, "%s: MLOPS_S3_CACHE_BYTES is not a byte count: '%.40s'",
                              fn, env);
        cache_bytes = v;
    }
    char *cache_dir = mlops__path_join(pl->path, "cache");
    if (!cache_dir) return mlops__err_nomem("opening a store");
    int rc = mlops__objects_s3_open(fn, objects, pl->cfg->s3_endpoint, pl->cfg->s3_region,
                                    cache_dir, cache_bytes, &s->objects);
    free(cache_dir);
    return rc;
#else
    return mlops__err(MLOPS_EUNSUPPORTED,
                      "%s: store '%s' keeps its objects on S3 (%s), and this libmlops was built "
                      "without S3 support (libcurl)",
                      fn, pl->path, objects);
#endif
}

/* Connects, brings the schema to the current format and makes the object
 * folders. creating: the store directory is new (its entry is fsync'd). */
static int open_at(const char *fn, const struct place *pl, const mlops_store_opts *o,
                   int creating, mlops_store **out)
{
    mlops_store *s = NULL;
    int rc = store_alloc(pl, o, &s);
    if (rc) return rc;
    mlops__conn *c = NULL;
    rc = mlops__store_connect(s, &c);
    if (!rc && !s->read_only) rc = mlops__db_prepare_store(c, pl->path, o->busy_timeout_ms);
    if (!rc) rc = mlops__schema_prepare(c, pl->path, s->read_only, o, &s->format_version);
    if (!rc && s->target.dialect == MLOPS__POSTGRES) rc = role_as_actor(c, o, s);
    if (!rc) rc = read_meta_u32(c, "chunk_min_size", &s->chunk_min);
    if (!rc) rc = read_meta_u32(c, "chunk_avg_size", &s->chunk_avg);
    if (!rc) rc = read_meta_u32(c, "chunk_max_size", &s->chunk_max);
    if (!rc) rc = read_chunk_rule(c, pl->path, &s->chunk_rule);
    if (!rc) rc = open_objects(fn, pl, s);
    if (!rc) rc = mlops__objects_check(s->objects, fn);
    if (!rc && !s->read_only && creating && mlops__store_fsync_enabled(s))
        rc = mlops__fsync_dir(pl->path);
    if (rc) {
        mlops__conn_close(c);
        store_free(s);
        return rc;
    }
    s->idle[s->nidle++] = c;
    *out = s;
    return MLOPS_OK;
}

/* The objects root a configuration names: relative paths are relative to
 * the store directory. malloc'd. */
static char *root_of(const char *dir, const mlops__store_config *cfg)
{
    if (!cfg->objects || mlops__objects_is_s3_url(cfg->objects)) return mlops__strdup(dir);
    if (cfg->objects[0] == '/') return mlops__strdup(cfg->objects);
    return mlops__path_join(dir, cfg->objects);
}

static int open_dir(const char *fn, const char *path, const mlops_store_opts *o, mlops_store **out)
{
    int creating = 0;
    int rc = prepare_directory(path, o, &creating);
    mlops__store_config cfg;
    int present = 0;
    if (!rc) rc = mlops__config_read(path, &cfg, &present);
    if (rc) return rc;
    /* An mlops.conf that names only S3 objects keeps the metadata in
     * mlops.db: without it this is no store yet, as an empty folder. */
    if (present && !cfg.metadata && (!o->create_if_missing || o->read_only)) {
        char *db = mlops__path_join(path, "mlops.db");
        if (!db) rc = mlops__err_nomem("opening a store");
        else if (access(db, F_OK) != 0 && errno == ENOENT)
            rc = mlops__err(MLOPS_ENOTFOUND, "'%s' is not a store (no mlops.db)", path);
        free(db);
        if (rc) {
            mlops__config_free(&cfg);
            return rc;
        }
    }
    char *root = root_of(path, &cfg);
    if (!root) rc = mlops__err_nomem("opening a store");
    if (!rc && cfg.metadata) {
        mlops__db_target t = { .dialect = MLOPS__POSTGRES, .uri = cfg.metadata, .schema = cfg.schema };
        rc = mlops__db_check_target(&t, fn);
    }
    struct place pl = { path, root, &cfg };
    if (!rc) rc = open_at(fn, &pl, o, creating, out);
    free(root);
    mlops__config_free(&cfg);
    return rc;
}

MLOPS_API int mlops_store_open(const char *path, const mlops_store_opts *opts, mlops_store **out)
{
    if (!path) return mlops__err_null(__func__, "path");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!path[0]) return mlops__err(MLOPS_EINVAL, "%s: path is empty", __func__);
    mlops_store_opts o;
    int rc = effective_options(__func__, opts, &o);
    return rc ? rc : open_dir(__func__, path, &o, out);
}

MLOPS_API int mlops_store_location_init(mlops_store_location *loc, unsigned version)
{
    static const mlops_store_location defaults = MLOPS_STORE_LOCATION_INIT;
    return mlops__opts_init(__func__, loc, &defaults, sizeof defaults, version,
                            MLOPS_STORE_LOCATION_VERSION);
}

/* Checks loc and fills cfg (borrowing loc's strings) and the target. */
static int location_config(const char *fn, const mlops_store_location *loc,
                           mlops__store_config *cfg)
{
    int rc = mlops__opts_check(fn, loc->version, MLOPS_STORE_LOCATION_VERSION,
                               "mlops_store_location_init");
    if (rc) return rc;
    cfg->metadata = (char *)loc->metadata;
    cfg->schema = (char *)(loc->schema ? loc->schema : MLOPS__SCHEMA_DEFAULT);
    cfg->objects = (char *)loc->objects;
    if (!cfg->metadata) {
        if (loc->schema || (loc->objects && !mlops__objects_is_s3_url(loc->objects)))
            return mlops__err(MLOPS_EINVAL, "%s: loc->schema and an objects folder go with "
                                            "loc->metadata (a local store keeps both in its "
                                            "directory; its objects may be on S3)", fn);
        cfg->schema = NULL;
        return MLOPS_OK;
    }
    if (!cfg->metadata[0]) return mlops__err(MLOPS_EINVAL, "%s: loc->metadata is empty", fn);
    if (cfg->objects && !cfg->objects[0])
        return mlops__err(MLOPS_EINVAL, "%s: loc->objects is empty", fn);
    rc = mlops__config_check_schema(fn, cfg->schema);
    mlops__db_target t = { .dialect = MLOPS__POSTGRES, .uri = cfg->metadata, .schema = cfg->schema };
    if (!rc) rc = mlops__db_check_target(&t, fn);
    return rc;
}

/* Removes what a failed mlops_store_create made, so it can be retried. */
static void undo_create(const char *dir, int made_dir)
{
    static const char *const made[] = { "objects/sha256", "objects", "tmp", MLOPS__CONFIG_NAME };
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        char *p = mlops__path_join(dir, made[i]);
        if (p && remove(p) != 0 && errno != ENOENT) { /* best effort */
        }
        free(p);
    }
    if (made_dir) rmdir(dir);
}

/* A build without S3 refuses a new store whose objects are on S3 before
 * anything is made: opening it would fail only once its database exists,
 * which undo_create does not remove. */
static int check_s3_support(const char *fn, const char *dir, const mlops__store_config *cfg)
{
#ifdef MLOPS_HAVE_S3
    (void)fn, (void)dir, (void)cfg;
    return MLOPS_OK;
#else
    if (!mlops__objects_is_s3_url(cfg->objects)) return MLOPS_OK;
    return mlops__err(MLOPS_EUNSUPPORTED,
                      "%s: store '%s' would keep its objects on S3 (%s), and this libmlops was "
                      "built without S3 support (libcurl)",
                      fn, dir, cfg->objects);
#endif
}

/* A new store whose objects are on S3 claims their prefix first
 * (mlops__objects_s3_claim): *claimed is then the backend that did, to
 * remove the claim should the creation fail. */
static int claim_s3_prefix(const char *fn, const mlops__store_config *cfg,
                           mlops__objects **claimed)
{
    *claimed = NULL;
    if (!mlops__objects_is_s3_url(cfg->objects)) return MLOPS_OK;
#ifdef MLOPS_HAVE_S3
    mlops__objects *be = NULL;
    int rc = mlops__objects_s3_open(fn, cfg->objects, cfg->s3_endpoint, cfg->s3_region, NULL, 0,
                                    &be);
    if (!rc) rc = mlops__objects_s3_claim(fn, be);
    if (rc) {
        if (be) be->free(be);
        return rc;
    }
    *claimed = be;
    return MLOPS_OK;
#else
    (void)fn;
    return MLOPS_OK; /* opening it says this build cannot */
#endif
}

/* Done with claim_s3_prefix's backend; failed: the store was not made,
 * and the prefix is left as it was. */
static void release_s3_claim(mlops__objects *claimed, int failed)
{
    if (!claimed) return;
#ifdef MLOPS_HAVE_S3
    if (failed) mlops__objects_s3_unclaim(claimed);
#else
    (void)failed;
#endif
    claimed->free(claimed);
}

MLOPS_API int mlops_store_create(const char *dir, const mlops_store_location *loc,
                                 const mlops_store_opts *opts, mlops_store **out)
{
    if (!dir) return mlops__err_null(__func__, "dir");
    if (out) *out = NULL;
    if (!dir[0]) return mlops__err(MLOPS_EINVAL, "%s: dir is empty", __func__);
    mlops_store_opts o;
    int rc = effective_options(__func__, opts, &o);
    mlops__store_config cfg = { 0 };
    if (!rc && loc) rc = location_config(__func__, loc, &cfg);
    if (!rc) rc = check_s3_support(__func__, dir, &cfg);
    if (!rc && o.read_only)
        rc = mlops__err(MLOPS_EINVAL, "%s: cannot create a store read-only", __func__);
    if (rc) return rc;
    o.create_if_missing = 1;

    struct stat st;
    int made_dir = 0;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot access '%s'", __func__, dir);
        rc = mlops__mkdir_p(dir, 0700);
        if (rc) return rc;
        made_dir = 1;
    } else if (!S_ISDIR(st.st_mode)) {
        return mlops__err(MLOPS_EFORMAT, "%s: '%s' is not a directory", __func__, dir);
    } else {
        DIR *d = opendir(dir);
        if (!d) return mlops__err_os(MLOPS_EIO, errno, "%s: cannot read '%s'", __func__, dir);
        struct dirent *ent;
        int empty = 1;
        while (empty && (ent = readdir(d)) != NULL)
            if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..")) empty = 0;
        closedir(d);
        if (!empty)
            return mlops__err(MLOPS_EEXIST, "%s: '%s' is not empty (a new store needs an empty "
                                            "or missing directory)", __func__, dir);
    }
    if (cfg.metadata || cfg.objects) {
        rc = mlops__config_write(dir, &cfg);
        /* Refused as already there: another create won the directory
         * since it was found empty, and what is in it is not ours to
         * undo. */
        if (rc == MLOPS_EEXIST) return rc;
    }
    mlops__objects *claimed = NULL;
    if (!rc) rc = claim_s3_prefix(__func__, &cfg, &claimed);
    mlops_store *s = NULL;
    if (!rc) rc = open_dir(__func__, dir, &o, &s);
    release_s3_claim(claimed, rc != MLOPS_OK);
    if (rc) {
        undo_create(dir, made_dir);
        return rc;
    }
    if (out) *out = s;
    else mlops_store_close(s);
    return MLOPS_OK;
}

MLOPS_API int mlops_store_open_location(const mlops_store_location *loc,
                                        const mlops_store_opts *opts, mlops_store **out)
{
    if (!loc) return mlops__err_null(__func__, "loc");
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    mlops_store_opts o;
    int rc = effective_options(__func__, opts, &o);
    if (!rc && !loc->metadata) rc = mlops__err_null(__func__, "loc->metadata");
    if (!rc && !loc->objects) rc = mlops__err_null(__func__, "loc->objects");
    mlops__store_config cfg = { 0 };
    if (!rc) rc = location_config(__func__, loc, &cfg);
    if (rc) return rc;
    struct stat st;
    if (!mlops__objects_is_s3_url(cfg.objects) && stat(cfg.objects, &st) != 0 &&
        (!o.create_if_missing || o.read_only))
        return mlops__err(MLOPS_ENOTFOUND, "%s: no objects folder '%s'", __func__, cfg.objects);
    struct place pl = { cfg.objects, cfg.objects, &cfg };
    return open_at(__func__, &pl, &o, 0, out);
}

MLOPS_API void mlops_store_close(mlops_store *s)
{
    store_free(s);
}

MLOPS_API const char *mlops_store_path(const mlops_store *s)
{
    return s ? s->path : NULL;
}

MLOPS_API int mlops_store_format_version(const mlops_store *s, int *out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    *out = s->format_version;
    return MLOPS_OK;
}

/* An idle connection the server closed meanwhile (a restart) is dropped
 * and the next one tried, then a new one opened: callers never see it. */
int mlops__store_conn(mlops_store *s, mlops__conn **out)
{
    for (;;) {
        pthread_mutex_lock(&s->pool_lock);
        mlops__conn *c = s->nidle ? s->idle[--s->nidle] : NULL;
        pthread_mutex_unlock(&s->pool_lock);
        if (!c) break;
        if (mlops__conn_alive(c)) {
            *out = c;
            return MLOPS_OK;
        }
        mlops__conn_close(c);
    }
    return mlops__conn_open(&s->target, out);
}

void mlops__store_release(mlops_store *s, mlops__conn *c)
{
    if (!c) return;
    mlops__conn_rollback(c); /* a caller's bug must not leak an open transaction */
    mlops__conn_reset_all(c);
    pthread_mutex_lock(&s->pool_lock);
    if (s->nidle < MLOPS__POOL_MAX) {
        s->idle[s->nidle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&s->pool_lock);
    mlops__conn_close(c);
}

/* ---- Transactions, retried --------------------------------------------
 *
 * A transaction that failed because the connection was lost or the server
 * restarted, or because of another transaction (serialization failure,
 * deadlock, lock timeout: db.h, "Failures worth another attempt"), runs
 * again from the start on a new connection (a lost one is closed, never
 * pooled), after an exponential backoff with jitter, while the whole call
 * stays within the store's busy timeout (busy_timeout_ms, default 60 s,
 * which also bounds each lock wait). After that: MLOPS_EBUSY (another
 * transaction kept it out) or MLOPS_EIO (the server was unreachable),
 * with a message naming the server and the attempts.
 *
 * A COMMIT whose acknowledgement was lost may or may not have happened.
 * So that a retry never applies a change twice, each write transaction on
 * PostgreSQL inserts its request id (the call's start time and a random
 * number) into tx_requests in the message that carries its COMMIT. A retry first takes the store's write lock
 * (which the old server process holds until its transaction ends) and
 * looks the id up: found, the first attempt committed, and the call
 * returns MLOPS_OK with the outputs the closure produced then; not
 * found, the closure runs again. Ids older than REQUEST_KEEP_MS (or four
 * budgets, if longer) are pruned in about one write in 256. On SQLite a
 * COMMIT cannot be lost between client and server (there is none), so
 * the table stays empty there.
 *
 * Closures must therefore be runnable again: they start from their
 * inputs and rebuild their outputs (a list is emptied first). */

#define REQUEST_KEEP_MS (60 * 60 * 1000)
#define BACKOFF_FIRST_MS 20
#define BACKOFF_MAX_MS 1000

struct request {
    int on;        /* a write on PostgreSQL: the id is recorded */
    int prune;     /* this one also deletes old ids */
    /* The id: when the call began (so that the key grows with time and
     * old ids go in one range) and 63 random bits. */
    int64_t started_ms;
    int64_t nonce;
};

static int request_new(mlops_store *s, int write, struct request *rq)
{
    memset(rq, 0, sizeof *rq);
    if (!write || s->target.dialect != MLOPS__POSTGRES) return MLOPS_OK;
    unsigned char b[8];
    int rc = mlops__random_bytes(b, sizeof b);
    if (rc) return rc;
    uint64_t r = 0;
    for (size_t i = 0; i < sizeof b; i++) r = r << 8 | b[i];
    rq->on = 1;
    rq->started_ms = mlops__now_ms();
    rq->nonce = (int64_t)(r >> 1);
    rq->prune = (r & 0xff) == 0;
    return MLOPS_OK;
}

static int request_seen(mlops__conn *c, const struct request *rq, int *seen)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT 1 FROM tx_requests WHERE started_ms = ?1 AND nonce = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, rq->started_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 2, rq->nonce);
    if (rc) return rc;
    int step = mlops__step(st);
    *seen = step == MLOPS__ROW;
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        rc = mlops__conn_error(c, step, "looking up a request id");
    mlops__reset(st);
    return rc;
}

/* The statements sent with COMMIT. The id's parts are numbers, written
 * into the text: no parameters, one round trip. */
static void request_sql(const mlops_store *s, const struct request *rq, char *sql, size_t n)
{
    int len = snprintf(sql, n, "INSERT INTO tx_requests(started_ms, nonce) VALUES (%lld, %lld)",
                       (long long)rq->started_ms, (long long)rq->nonce);
    if (rq->prune && len > 0 && (size_t)len < n) {
        long long keep = REQUEST_KEEP_MS;
        if (4LL * s->target.busy_ms > keep) keep = 4LL * s->target.busy_ms;
        snprintf(sql + len, n - (size_t)len, "; DELETE FROM tx_requests WHERE started_ms < %lld",
                 (long long)rq->started_ms - keep);
    }
}

/* One attempt on c. check: an earlier attempt may have committed. */
static int attempt(const mlops_store *s, mlops__conn *c, int write, mlops__tx_fn fn, void *arg,
                   const struct request *rq, int check)
{
    int rc = mlops__conn_begin(c, write);
    if (rc) return rc;
    if (check) {
        int seen = 0;
        rc = request_seen(c, rq, &seen);
        if (!rc && seen) {
            mlops__conn_rollback(c); /* nothing to write: it is there */
            return MLOPS_OK;
        }
    }
    if (!rc) rc = fn(c, arg);
    if (rc) {
        mlops__conn_rollback(c);
        return rc;
    }
    if (!rq->on) return mlops__conn_commit(c);
    char sql[192];
    request_sql(s, rq, sql, sizeof sql);
    return mlops__conn_commit_with(c, sql);
}

/* The pause before attempt number `next` (2, 3, ...): doubling from
 * BACKOFF_FIRST_MS up to BACKOFF_MAX_MS, each drawn at random from its
 * upper half so that writers that failed together come back apart. */
static uint32_t backoff_ms(int next)
{
    uint32_t d = BACKOFF_MAX_MS;
    if (next - 2 < 10) d = (uint32_t)BACKOFF_FIRST_MS << (next - 2);
    if (d > BACKOFF_MAX_MS) d = BACKOFF_MAX_MS;
    uint32_t r = 0;
    if (mlops__random_bytes((unsigned char *)&r, sizeof r)) r = 0;
    return d / 2 + r % (d / 2 + 1);
}

static int give_up(const mlops_store *s, enum mlops__retry why, int attempts, int64_t spent_ms)
{
    char last[768], server[256];
    snprintf(last, sizeof last, "%s", mlops__err_message());
    for (char *p = last; *p; p++) /* libpq's messages run over several lines */
        if (*p == '\n' || *p == '\t') *p = ' ';
    mlops__db_describe(&s->target, server, sizeof server);
    return mlops__err(why == MLOPS__RETRY_BUSY ? MLOPS_EBUSY : MLOPS_EIO,
                      "%s; gave up after %d attempts in %lld ms (%s; the budget is the store's "
                      "busy timeout, %lu ms)",
                      last, attempts, (long long)spent_ms, server,
                      (unsigned long)s->target.busy_ms);
}

/* After a failed attempt of class why that began the call at start
 * (monotonic ns): sleeps the next pause and returns MLOPS_OK, or returns
 * the final error when the pause would overrun the budget. */
static int pause_or_give_up(const mlops_store *s, enum mlops__retry why, int attempts,
                            int64_t start)
{
    uint32_t pause = backoff_ms(attempts + 1);
    int64_t spent = (mlops__monotonic_ns() - start) / 1000000;
    if (spent + pause > (int64_t)s->target.busy_ms) return give_up(s, why, attempts, spent);
    mlops__sleep_us(pause * 1000);
    return MLOPS_OK;
}

int mlops__store_connect(mlops_store *s, mlops__conn **out)
{
    int64_t start = mlops__monotonic_ns();
    for (int attempts = 1;; attempts++) {
        int rc = mlops__conn_open(&s->target, out);
        enum mlops__retry why = rc ? mlops__db_open_retryable(&s->target, rc) : MLOPS__RETRY_NO;
        if (!rc || why == MLOPS__RETRY_NO) return rc;
        rc = pause_or_give_up(s, why, attempts, start);
        if (rc) return rc;
    }
}

static int run_tx(mlops_store *s, int write, mlops__tx_fn fn, void *arg)
{
    struct request rq;
    int rc = request_new(s, write, &rq);
    if (rc) return rc;
    int64_t start = mlops__monotonic_ns();
    for (int attempts = 1;; attempts++) {
        mlops__conn *c = NULL;
        enum mlops__retry why = MLOPS__RETRY_NO;
        rc = mlops__store_conn(s, &c);
        if (rc) {
            why = mlops__db_open_retryable(&s->target, rc);
        } else {
            rc = attempt(s, c, write, fn, arg, &rq, rq.on && attempts > 1);
            if (rc) why = mlops__conn_retryable(c, rc);
            if (why == MLOPS__RETRY_LOST) mlops__conn_close(c);
            else mlops__store_release(s, c);
        }
        if (!rc || why == MLOPS__RETRY_NO) return rc;
        rc = pause_or_give_up(s, why, attempts, start);
        if (rc) return rc;
    }
}

int mlops__store_write(mlops_store *s, mlops__tx_fn fn, void *arg)
{
    int rc = mlops__store_check_writable(s, "write");
    return rc ? rc : run_tx(s, 1, fn, arg);
}

int mlops__store_read(mlops_store *s, mlops__tx_fn fn, void *arg)
{
    return run_tx(s, 0, fn, arg);
}

int mlops__store_check_writable(const mlops_store *s, const char *func)
{
    if (!s->read_only) return MLOPS_OK;
    return mlops__err(MLOPS_EREADONLY, "%s: store '%s' was opened read-only", func, s->path);
}

int mlops__store_fsync_enabled(const mlops_store *s)
{
    return s->opts.durability != MLOPS_DURABILITY_NONE;
}
