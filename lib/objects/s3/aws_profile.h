/* Internal to lib/objects/s3/: reading the AWS shared files
 * (~/.aws/credentials, ~/.aws/config) as the SDKs read them. INI text:
 * "[section]" headers, "key = value" lines, whole-line comments starting
 * with '#' or ';', an inline comment after a blank (" # ..." or " ; ..."),
 * CRLF or LF line ends, an optional UTF-8 BOM. Key names are compared
 * without regard to case, values are trimmed, the last of a repeated key
 * wins. A key with an empty value opens a nested block ("s3 =" followed by
 * indented "addressing_style = path" lines) whose lines are not keys of the
 * profile. */
#ifndef MLOPS_OBJECTS_S3_AWS_PROFILE_H
#define MLOPS_OBJECTS_S3_AWS_PROFILE_H

#include <stddef.h>

#define MLOPS__AWS_FILE_MAX (1024 * 1024)

typedef struct mlops__aws_file {
    const char *what; /* "credentials file" or "config file", for messages */
    char *path;       /* NULL when there is no such file to read (no HOME) */
    char *text;       /* the contents (wiped when freed), NULL when absent */
    size_t len;
} mlops__aws_file;

/* Reads f->path into f->text. A missing file (or NULL path) is no error:
 * f->text stays NULL. MLOPS_EIO (unreadable), MLOPS_EINVAL (not a regular
 * file, larger than MLOPS__AWS_FILE_MAX), MLOPS_ENOMEM. */
int mlops__aws_file_read(const char *fn, mlops__aws_file *f);
/* Wipes and frees text and path. */
void mlops__aws_file_free(mlops__aws_file *f);

/* The value of key in profile's section: "[PROFILE]" in a credentials
 * file; "[profile PROFILE]" in a config file, where "default" may also be
 * "[default]". *value is malloc'd, or NULL when the key is absent;
 * *has_section (may be NULL) tells whether the section exists. MLOPS_OK
 * or MLOPS_ENOMEM. */
int mlops__aws_profile_get(const mlops__aws_file *f, int config_style, const char *profile,
                           const char *key, char **value, int *has_section);

#endif
