/* Internal: small string helpers shared by every subsystem. */
#ifndef MLOPS_UTIL_STR_H
#define MLOPS_UTIL_STR_H

#include <stddef.h>
#include <stdint.h>

/* A macro's value as a string literal, for SQL put together at compile
 * time (MLOPS__STR(MLOPS__PG_SHORT_VALUE) is "400"). */
#define MLOPS__STR_(x) #x
#define MLOPS__STR(x) MLOPS__STR_(x)

/* Writes 2*len lowercase hex digits and a NUL to out. */
void mlops__hex_encode(const unsigned char *in, size_t len, char *out);
/* Decodes exactly `hexlen` lowercase hex digits into hexlen/2 bytes.
 * Returns 0, or -1 on any other character (out may be partly written). */
int mlops__hex_decode(const char *hex, size_t hexlen, unsigned char *out);

/* malloc'd copy, NULL on allocation failure (s must not be NULL). */
char *mlops__strdup(const char *s);
/* malloc'd concatenation "a" "b" "c" (c may be NULL); NULL when out of memory. */
char *mlops__strcat3(const char *a, const char *b, const char *c);

/* 1 when the len bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF), else 0. */
int mlops__utf8_valid(const char *s, size_t len);

/* Checks a caller-supplied name or key: not NULL, 1..max_len bytes, valid
 * UTF-8, no ASCII control characters. On failure sets an MLOPS_EINVAL
 * message naming func and what, and returns MLOPS_EINVAL. */
int mlops__check_name(const char *func, const char *what, const char *s, size_t max_len);

/* Fills out with n random bytes from OpenSSL's generator. MLOPS_OK or
 * MLOPS_EIO. */
int mlops__random_bytes(unsigned char *out, size_t n);

#endif
