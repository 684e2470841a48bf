/* Writing self-contained HTML pages: escaping, numbers, head and foot
 * (html.h). */
#include "util/html.h"

#include <mlops/common.h>

#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void mlops__html_esc(mlops__buf *b, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            /* The HTML parser reports other controls as errors; a reader
             * sees the replacement character instead. */
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
                rep = "\xEF\xBF\xBD";
            break;
        }
        if (rep) {
            mlops__buf_addn(b, run, (size_t)(s - run));
            mlops__buf_add(b, rep);
            run = s + 1;
        }
    }
    mlops__buf_addn(b, run, (size_t)(s - run));
}

void mlops__html_code_name(mlops__buf *b, const char *name)
{
    mlops__buf_add(b, "<code><bdi>");
    mlops__html_esc(b, name);
    mlops__buf_add(b, "</bdi></code>");
}

void mlops__html_esc_trunc(mlops__buf *b, const char *s, size_t max)
{
    size_t chars = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max) break;
    }
    if (!s[i]) {
        mlops__html_esc(b, s);
        return;
    }
    char tmp[1024];
    size_t cut = i < sizeof tmp - 1 ? i : sizeof tmp - 1;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
    memcpy(tmp, s, cut);
    tmp[cut] = '\0';
    mlops__html_esc(b, tmp);
    mlops__buf_add(b, "\xE2\x80\xA6");
}

/* SVG coordinates and numbers must never get a decimal comma. */
static void point_not_comma(char *t)
{
    for (char *p = t; *p; p++)
        if (*p == ',') *p = '.';
}

void mlops__html_fmt_g(char *out, size_t cap, int prec, double v)
{
    snprintf(out, cap, "%.*g", prec, v);
    point_not_comma(out);
}

void mlops__html_num(mlops__buf *b, int prec, double v)
{
    char t[48];
    if (isnan(v)) {
        mlops__buf_add(b, "\xE2\x80\x93"); /* en dash: no value */
        return;
    }
    if (isinf(v)) {
        mlops__buf_add(b, v > 0 ? "\xE2\x88\x9E" : "\xE2\x88\x92\xE2\x88\x9E");
        return;
    }
    mlops__html_fmt_g(t, sizeof t, prec, v);
    mlops__buf_add(b, t);
}

void mlops__html_tick(mlops__buf *b, double v)
{
    double a = fabs(v);
    if (a == 0.0 || !(a >= 1e-3 && a < 1e7)) {
        mlops__html_num(b, 4, v == 0.0 ? 0.0 : v); /* never "-0" */
        return;
    }
    int decimals = 3 - (int)floor(log10(a));
    char t[48];
    snprintf(t, sizeof t, "%.*f", decimals > 0 ? decimals : 0, v);
    point_not_comma(t);
    if (strchr(t, '.')) { /* 17.50 -> 17.5, 34.00 -> 34 */
        size_t n = strlen(t);
        while (t[n - 1] == '0') t[--n] = '\0';
        if (t[n - 1] == '.') t[--n] = '\0';
    }
    mlops__buf_add(b, t);
}

void mlops__html_coord(mlops__buf *b, double v)
{
    char t[48];
    snprintf(t, sizeof t, "%.1f", v);
    point_not_comma(t);
    mlops__buf_add(b, t);
}

void mlops__html_attr_num(mlops__buf *b, const char *name, double v)
{
    mlops__buf_add(b, " ");
    mlops__buf_add(b, name);
    mlops__buf_add(b, "=\"");
    mlops__html_coord(b, v);
    mlops__buf_add(b, "\"");
}

void mlops__html_percent(mlops__buf *b, double share)
{
    char t[48];
    double pc = 100.0 * share;
    mlops__html_fmt_g(t, sizeof t, pc >= 10.0 || pc == 0.0 ? 3 : 2, pc);
    mlops__buf_add(b, t);
    mlops__buf_add(b, "%");
}

void mlops__html_count(mlops__buf *b, uint64_t n)
{
    char t[32];
    int len = snprintf(t, sizeof t, "%llu", (unsigned long long)n);
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) mlops__buf_add(b, "\xE2\x80\xAF"); /* narrow no-break space */
        mlops__buf_addn(b, t + i, 1);
    }
}

void mlops__html_utc(mlops__buf *b, int64_t ms)
{
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0)); /* floor, for times before 1970 */
    struct tm tm;
    char when[64];
    if (gmtime_r(&t, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
        mlops__buf_add(b, when);
    else
        mlops__buf_addf(b, "%lld ms", (long long)ms);
}

void mlops__html_duration(mlops__buf *b, int64_t ms)
{
    if (ms < 0) {
        mlops__buf_add(b, "\xE2\x88\x92"); /* a clock that went back */
        ms = ms == INT64_MIN ? INT64_MAX : -ms;
    }
    int64_t s = ms / 1000;
    if (ms < 1000)
        mlops__buf_addf(b, "%lld ms", (long long)ms);
    else if (ms < 60000) {
        char t[32];
        mlops__html_fmt_g(t, sizeof t, 3, (double)ms / 1000.0);
        mlops__buf_add(b, t);
        mlops__buf_add(b, " s");
    } else if (s < 3600)
        mlops__buf_addf(b, "%lld min %02lld s", (long long)(s / 60), (long long)(s % 60));
    else if (s < 86400)
        mlops__buf_addf(b, "%lld h %02lld min", (long long)(s / 3600), (long long)(s / 60 % 60));
    else
        mlops__buf_addf(b, "%lld d %lld h", (long long)(s / 86400), (long long)(s / 3600 % 24));
}

int mlops__html_check_text(const char *fn, const char *what, const char *s)
{
    if (s && !mlops__utf8_valid(s, strlen(s)))
        return mlops__err(MLOPS_EINVAL, "%s: %s is not valid UTF-8", fn, what);
    return MLOPS_OK;
}

void mlops__html_page_begin(mlops__buf *b, const char *title, const char *css)
{
    mlops__buf_add(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                      /* Browsers then refuse any script or fetch, even one a
                       * future bug let into the page. */
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "style-src 'unsafe-inline'\">"
                      "<meta name=\"generator\" content=\"libmlops ");
    mlops__buf_add(b, mlops_version());
    mlops__buf_add(b, "\"><title>");
    mlops__html_esc(b, title);
    mlops__buf_add(b, "</title><style>");
    mlops__buf_add(b, css);
    mlops__buf_add(b, "</style></head>\n<body><main>");
}

void mlops__html_page_end(mlops__buf *b, int64_t generated_ms, const char *note)
{
    mlops__buf_add(b, "<footer>Generated by libmlops ");
    mlops__buf_add(b, mlops_version());
    if (generated_ms >= 0) {
        int64_t ms = generated_ms ? generated_ms : mlops__now_ms();
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        char when[64];
        if (gmtime_r(&t, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm)) {
            mlops__buf_add(b, " on ");
            mlops__buf_add(b, when);
        }
    }
    mlops__buf_add(b, ".");
    if (note) mlops__buf_add(b, note);
    mlops__buf_add(b, "</footer></main></body></html>\n");
}
