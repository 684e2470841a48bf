/* Internal: file-system helpers. Each sets the thread's error message
 * (naming the path and the OS error) on failure and returns an MLOPS_E*
 * code; MLOPS_OK on success. */
#ifndef MLOPS_UTIL_FS_H
#define MLOPS_UTIL_FS_H

#include <stddef.h>
#include <stdint.h>

/* malloc'd "a/b"; NULL when out of memory. */
char *mlops__path_join(const char *a, const char *b);

/* mkdir that succeeds when the directory already exists. */
int mlops__mkdir(const char *path);
/* mkdir -p: missing parents get mode 0755, path itself last_mode (both
 * less the umask); an existing path is left as it is. */
int mlops__mkdir_p(const char *path, unsigned last_mode);

/* Writes all len bytes, retrying short writes and EINTR, 64 KiB per
 * system call at most (fs.c says why). */
int mlops__write_all(int fd, const void *buf, size_t len, const char *path);
/* Writes all len bytes at offset (pwrite), retrying short writes and
 * EINTR, 64 KiB per system call at most. */
int mlops__pwrite_all(int fd, const void *buf, size_t len, uint64_t offset, const char *path);
/* Reads until len bytes or end of file; *got receives the count. */
int mlops__read_full(int fd, void *buf, size_t len, size_t *got, const char *path);
/* Reads a small text file whole (a settings file): *text gets its bytes,
 * NUL-terminated and malloc'd, or NULL when the file does not exist.
 * MLOPS_EFORMAT when it is larger than max bytes or holds a NUL byte;
 * what names the file in messages ("store configuration"). */
int mlops__read_text_file(const char *path, size_t max, const char *what, char **text);

int mlops__fsync_fd(int fd, const char *path);
/* For a large file that is fsync'd once complete: 1 when growing it from
 * `before` to `after` bytes written crossed a multiple of 8 MiB, when
 * its writer should call mlops__write_out_start. Writing out as the file
 * grows keeps the device busy meanwhile, and the fsync then waits for
 * the last few MiB only (a 1 GiB file: for about 0.7 s less on our
 * machines). */
int mlops__write_out_due(uint64_t before, uint64_t after);
/* Starts writing fd's dirty pages out, without waiting for them. A hint:
 * an error is the fsync's to report. */
void mlops__write_out_start(int fd);
/* Makes everything written to fd's file system durable at once: syncfs,
 * then a flush of the device (an fsync of fd: on a file system without a
 * journal, syncfs writes some metadata after its own flush). Where is
 * the folder fd names (for messages). MLOPS_EUNSUPPORTED where there is
 * no syncfs. */
int mlops__sync_fs(int fd, const char *where);
/* 1 when mlops__sync_fs(fd) may stand in for an fsync of each file
 * written on fd's file system since fd was opened (open fd first): on
 * Linux 5.8 and later, whose syncfs fails on a writeback error of any of
 * them (it also fails on one not yet reported from before), and on a
 * file system of a local disk whose syncfs writes and flushes everything
 * (ext2/3/4, XFS, Btrfs, F2FS; tmpfs; overlayfs from Linux 5.15, which
 * passes its upper file system's errors on). Elsewhere 0: a network or
 * FUSE file system's syncfs need not reach the server, where each
 * fsync does. */
int mlops__sync_fs_covers_files(int fd);
/* fsync of a directory, so that a rename or creation in it is durable. */
int mlops__fsync_dir(const char *dir);

/* Creates a new file with a random name in dir (O_EXCL, mode 0644);
 * *path_out is malloc'd. */
int mlops__tmpfile(const char *dir, int *fd_out, char **path_out);

/* Renames without ever replacing an existing target (renameat2
 * RENAME_NOREPLACE, or link + unlink where that is missing). Returns
 * MLOPS_EEXIST, without a message, when the target exists: for a
 * content-addressed object that is success for the caller. */
int mlops__rename_noreplace(const char *from, const char *to);

/* Removes regular files in dir whose mtime is older than max_age_ms.
 * Best effort: errors are ignored. Returns the number removed. */
int mlops__sweep_old_files(const char *dir, int64_t max_age_ms);

#endif
