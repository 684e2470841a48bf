/* Internal: reading the two XML answers the S3 client needs, a
 * ListObjectsV2 page and an error body, without an XML library. S3's
 * answers are flat and their elements carry no attributes, so finding
 * `<Name>` ... `</Name>` is enough; what is read is checked (sizes are
 * decimal and fit 64 bits, keys are valid UTF-8 after entity decoding)
 * and anything else is MLOPS_EFORMAT, never a guess. */
#ifndef MLOPS_OBJECTS_S3_XML_H
#define MLOPS_OBJECTS_S3_XML_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__s3_entry {
    char *key; /* as stored: entity-decoded, prefix included */
    uint64_t size;
    int64_t mtime_ms; /* LastModified, ms since the epoch; -1 when the entry has none */
} mlops__s3_entry;

typedef struct mlops__s3_list_page {
    mlops__s3_entry *entries;
    size_t n;
    int truncated;    /* IsTruncated was true */
    char *next_token; /* NextContinuationToken, decoded; NULL when absent */
} mlops__s3_list_page;

/* Reads a ListBucketResult of len bytes into out (zeroed first; freed
 * with mlops__s3_list_page_free also on failure). MLOPS_EFORMAT (named
 * with fn and what, the key or token that is malformed) or MLOPS_ENOMEM. */
int mlops__s3_parse_list(const char *fn, const char *what, const char *xml, size_t len,
                         mlops__s3_list_page *out);
void mlops__s3_list_page_free(mlops__s3_list_page *p);

/* S3's error Code (e.g. "SlowDown") from an error body into out, at most
 * cap-1 bytes of letters and digits; "" when the body has none. */
void mlops__s3_error_code(const char *xml, size_t len, char *out, size_t cap);

/* Decodes XML character data (the five named entities and &#N; / &#xH;)
 * of n bytes into a malloc'd NUL-terminated string. NULL with *bad = 1 for
 * a malformed entity, a character XML cannot carry, or bytes that are not
 * UTF-8; NULL with *bad = 0 when out of memory. */
char *mlops__xml_text_decode(const char *p, size_t n, int *bad);

#endif
