/* Times on the command line (`mlops monitor ingest`'s time column, --at,
 * --from, --to): epoch milliseconds or ISO 8601 UTC, and the canonical
 * text of a time. Stands alone (no libmlops) so a fuzz target links it
 * (tests/fuzz/fuzz_time.c). */
#ifndef MLOPS_TOOLS_TIMESTAMP_H
#define MLOPS_TOOLS_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/* Parses s: epoch milliseconds ("1767225600000", "-5"), or
 * YYYY-MM-DD[(T| )HH:MM[:SS[.fff...]]][Z|+00:00] in UTC (digits beyond
 * milliseconds are cut; second 60, a leap second, is the next minute's
 * first). 0 and *out set, or -1 (out untouched) for anything else: other
 * offsets, a day the month does not have, values out of int64. */
int ts_parse(const char *s, int64_t *out);

/* The canonical text of ms: "YYYY-MM-DDTHH:MM:SS.fffZ" for the years
 * 0000 to 9999, the decimal milliseconds otherwise; ts_parse reads either
 * back to ms. cap >= TS_TEXT_MAX. */
#define TS_TEXT_MAX 32
void ts_format(int64_t ms, char *buf, size_t cap);

#endif
