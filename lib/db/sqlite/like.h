/* Internal: LIKE matching without a pattern length limit, as the SQL
 * function mlops_like(pattern, value, icase) on every connection.
 *
 * SQLite refuses LIKE and GLOB patterns longer than
 * SQLITE_LIMIT_LIKE_PATTERN_LENGTH (50,000 bytes by default, and a
 * connection cannot raise it past the compile-time maximum), while a
 * search filter may hold a pattern up to its own 64 KiB limit. Searches
 * use SQLite's operators for patterns it takes (they can use an index)
 * and this function beyond. */
#ifndef MLOPS_DB_SQLITE_LIKE_H
#define MLOPS_DB_SQLITE_LIKE_H

#include <sqlite3.h>
#include <stddef.h>

/* Whether value matches pattern: '%' any run of characters, '_' one
 * character (a UTF-8 sequence), '\' makes the next character literal;
 * icase: ASCII letters match either case (as SQLite's LIKE). Time is at
 * most proportional to plen * vlen, memory constant. */
int mlops__like_match(const char *pattern, size_t plen, const char *value, size_t vlen,
                      int icase);

/* Registers mlops_like(pattern, value, icase) on db: 1 or 0, NULL when
 * value is NULL. SQLite result code. */
int mlops__like_register(sqlite3 *db);

#endif
