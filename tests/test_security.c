/* Local threats (doc/security.md): other users on the machine and files
 * planted in the way. A new store is private to its owner; nothing the
 * library creates is writable by others whatever the umask; writing a blob
 * or restoring a tree never writes through a symlink it did not make. */
#include "testutil.h"

#include <mlops.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mode_t mode_of(const char *path)
{
    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    return st.st_mode;
}

START_TEST(new_store_is_private_to_its_owner)
{
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "a/b/store");
    mlops_store *s;
    TU_OK(mlops_store_open(path, NULL, &s));
    mlops_store_close(s);
    ck_assert_int_eq(mode_of(path) & 0777, 0700);
    /* A directory the owner made (for a team, say) keeps its mode. */
    char *team = tu_path(dir, "team");
    ck_assert_int_eq(mkdir(team, 0750), 0);
    ck_assert_int_eq(chmod(team, 0750), 0);
    TU_OK(mlops_store_open(team, NULL, &s));
    mlops_store_close(s);
    ck_assert_int_eq(mode_of(team) & 0777, 0750);
    free(team);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static int world_writable;

static int check_mode(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)flag;
    (void)ftw;
    if (!S_ISLNK(st->st_mode) && (st->st_mode & 0022)) {
        fprintf(stderr, "writable by group or others: %s (%o)\n", path, st->st_mode & 0777);
        world_writable++;
    }
    return 0;
}

START_TEST(nothing_is_writable_by_others_even_with_umask_0)
{
    mode_t old = umask(0);
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "store");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.chunk_min_size = 4096;
    o.chunk_avg_size = 16384;
    o.chunk_max_size = 65536;
    mlops_store *s;
    TU_OK(mlops_store_open(path, &o, &s));
    static unsigned char big[300000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 2654435761u >> 13);
    mlops_digest d;
    TU_OK(mlops_blob_put(s, big, sizeof big, &d));
    TU_OK(mlops_blob_put(s, "small", 5, &d));
    char *tree = tu_path(dir, "tree");
    ck_assert_int_eq(mkdir(tree, 0755), 0);
    char *f = tu_path(tree, "f");
    tu_write_file(f, "x", 1);
    TU_OK(mlops_tree_put(s, tree, 0, &d));
    int64_t exp;
    mlops_run *r;
    TU_OK(mlops_experiment_create(s, "e", &exp));
    TU_OK(mlops_run_start(s, exp, NULL, &r));
    TU_OK(mlops_run_log_metric(r, "m", 1, 1, 1));
    mlops_run_free(r);
    mlops_fsck_report rep = MLOPS_FSCK_REPORT_INIT;
    TU_OK(mlops_store_fsck(s, NULL, &rep));
    mlops_store_close(s);
    umask(old);
    world_writable = 0;
    nftw(path, check_mode, 16, FTW_PHYS);
    ck_assert_int_eq(world_writable, 0);
    ck_assert_int_eq(mode_of(path) & 0077, 0);
    free(f);
    free(tree);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 256);
    size_t n = fread(buf, 1, 255, f);
    (void)n;
    fclose(f);
    return buf;
}

START_TEST(get_file_replaces_a_symlink_never_its_target)
{
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "store"), *victim = tu_path(dir, "victim"),
         *link = tu_path(dir, "link");
    mlops_store *s;
    TU_OK(mlops_store_open(path, NULL, &s));
    mlops_digest d;
    TU_OK(mlops_blob_put(s, "payload", 7, &d));
    tu_write_file(victim, "secret", 6);
    ck_assert_int_eq(symlink(victim, link), 0);
    /* Without the flag the symlink is an existing target: refused. */
    TU_RC(MLOPS_EEXIST, mlops_blob_get_file(s, &d, link));
    /* With it, the link itself is replaced by a file. */
    TU_OK(mlops_blob_get_file_ex(s, &d, link, MLOPS_GET_REPLACE));
    ck_assert(S_ISREG(mode_of(link)));
    char *v = read_text(victim), *l = read_text(link);
    ck_assert_str_eq(v, "secret");
    ck_assert_str_eq(l, "payload");
    free(v);
    free(l);
    mlops_store_close(s);
    free(link);
    free(victim);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(tree_restore_never_writes_through_a_symlink)
{
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "store"), *src = tu_path(dir, "src"), *elsewhere = tu_path(dir, "elsewhere"),
         *link = tu_path(dir, "restore");
    mlops_store *s;
    TU_OK(mlops_store_open(path, NULL, &s));
    ck_assert_int_eq(mkdir(src, 0755), 0);
    char *f = tu_path(src, "f");
    tu_write_file(f, "x", 1);
    mlops_digest d;
    TU_OK(mlops_tree_put(s, src, 0, &d));
    /* The target is a symlink to an empty directory somewhere else. */
    ck_assert_int_eq(mkdir(elsewhere, 0755), 0);
    ck_assert_int_eq(symlink(elsewhere, link), 0);
    int rc = mlops_tree_get(s, &d, link, 0);
    ck_assert_msg(rc == MLOPS_EEXIST || rc == MLOPS_EINVAL, "restore through a symlink -> %d (%s)",
                  rc, mlops_last_error());
    char *through = tu_path(elsewhere, "f");
    ck_assert_int_ne(access(through, F_OK), 0);
    ck_assert(S_ISLNK(mode_of(link)));
    free(through);
    mlops_store_close(s);
    free(f);
    free(link);
    free(elsewhere);
    free(src);
    free(path);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("local");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, new_store_is_private_to_its_owner);
    tcase_add_test(tc, nothing_is_writable_by_others_even_with_umask_0);
    tcase_add_test(tc, get_file_replaces_a_symlink_never_its_target);
    tcase_add_test(tc, tree_restore_never_writes_through_a_symlink);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
