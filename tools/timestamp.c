/* Times on the command line: epoch ms or ISO 8601 UTC (timestamp.h). */
#include "timestamp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* n digits at p as a number, or -1. */
static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): no timegm, whose time_t and
 * normalising rules vary. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int parse_epoch_ms(const char *s, int64_t *out)
{
    const char *p = s + (*s == '-');
    if (!*p) return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *out = (int64_t)v;
    return 0;
}

int ts_parse(const char *s, int64_t *out)
{
    if (!s) return -1;
    const char *q = s + (*s == '-');
    while (*q >= '0' && *q <= '9') q++;
    if (!*q) return parse_epoch_ms(s, out); /* digits only, maybe signed */
    /* YYYY-MM-DD; digits() stops at the NUL, so nothing past it is read */
    int y = digits(s, 4), mo = -1, d = -1;
    if (y >= 0 && s[4] == '-') mo = digits(s + 5, 2);
    if (mo >= 0 && s[7] == '-') d = digits(s + 8, 2);
    if (d < 0) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) return -1;
    const char *p = s + 10;
    int h = 0, mi = 0, sec = 0, ms = 0;
    if (*p == 'T' || *p == ' ') {
        h = digits(p + 1, 2);
        if (h < 0 || p[3] != ':' || (mi = digits(p + 4, 2)) < 0) return -1;
        p += 6;
        if (*p == ':') {
            if ((sec = digits(p + 1, 2)) < 0) return -1;
            p += 3;
            if (*p == '.') {
                p++;
                int n = 0;
                for (; *p >= '0' && *p <= '9'; p++, n++)
                    if (n < 3) ms = ms * 10 + (*p - '0');
                if (!n) return -1;
                for (; n < 3; n++) ms *= 10;
            }
        }
    }
    if (*p == 'Z') p++;
    else if (!strcmp(p, "+00:00")) p += 6;
    if (*p || h > 23 || mi > 59 || sec > 60) return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    *out = secs * 1000 + ms;
    return 0;
}

void ts_format(int64_t ms, char *buf, size_t cap)
{
    /* floor division: -5 ms is 1969-12-31T23:59:59.995Z */
    int64_t secs = ms / 1000, frac = ms % 1000;
    if (frac < 0) {
        frac += 1000;
        secs--;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    int m, d;
    /* |days| < 2^47 here, far inside civil_from_days' range */
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(buf, cap, "%lld", (long long)ms);
        return;
    }
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60), (int)frac);
}
