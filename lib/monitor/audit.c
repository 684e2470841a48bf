/* The audit events of monitors: creation and deletion (admin actions) and
 * each change of an alert's state, appended to the registry's audit chain
 * in the write transaction that makes them (doc/format.md, "Kinds"). They
 * are about the whole log (model id 0, model ""), keyed "monitor:NAME", so
 * a bundle, which carries the events of its models and runs, never takes
 * them, and a store copy carries them with the rest of the chain. */
#include "monitor/monitor_internal.h"
#include "registry/registry_internal.h"
#include "util/buf.h"
#include "util/err.h"

#include <inttypes.h>
#include <stdio.h>

/* The settings of mlops_monitor_create_ex, after the spec, when they are
 * not the defaults (so a plain monitor's text is what format 5 wrote):
 * " window_rows=N" (window_ms=0 before it) and " task=T prediction=C id=C label=C min_labels=N
 * [performance=COND]". */
static void ext_text(const mlops_monitor_ext *x, mlops__buf *out)
{
    if (!x) return;
    if (x->window_rows) mlops__buf_addf(out, " window_rows=%" PRIu64, x->window_rows);
    if (x->task == MLOPS_MONITOR_TASK_NONE) return;
    mlops__buf_addf(out, " task=%s prediction=%s id=%s label=%s min_labels=%" PRIu64,
                    x->task == MLOPS_MONITOR_TASK_CLASSIFICATION ? "classification" : "regression",
                    x->prediction_column, x->id_column, x->label_column ? x->label_column : "label",
                    x->min_labels);
    if (x->performance) mlops__buf_addf(out, " performance=%s", x->performance);
}

/* The spec's summary kept in the chain: "window_ms=W lateness_ms=L
 * min_rows=R alert=M/N pending=P keep_firing=K columns=a,b,...", then
 * ext_text's. */
static int spec_text(const char *fn, const mlops_monitor_spec *sp, const mlops_monitor_ext *x,
                     mlops__buf *out)
{
    mlops__buf_addf(out,
                    "window_ms=%" PRId64 " lateness_ms=%" PRId64 " min_rows=%" PRIu64
                    " alert=%" PRIu32 "/%" PRIu32 " pending=%" PRIu32 " keep_firing=%" PRIu32
                    " columns=",
                    x && x->window_rows ? 0 : sp->window_ms, sp->lateness_ms, sp->min_rows, sp->alert_m, sp->alert_n,
                    sp->pending, sp->keep_firing);
    for (size_t i = 0; i < sp->n_columns; i++) {
        if (i) mlops__buf_add(out, ",");
        mlops__buf_add(out, sp->columns[i].name);
    }
    ext_text(x, out);
    return mlops__buf_str(out) ? MLOPS_OK : mlops__err_nomem(fn);
}

static int append(mlops__conn *c, mlops_store *s, const char *fn, const char *action,
                  const char *name, const char *old_value, const char *new_value)
{
    mlops__reg_change ch;
    int rc = mlops__reg_change_resolve(s, fn, NULL, &ch);
    if (!rc) rc = mlops__reg_change_clock(c, &ch);
    if (rc) return rc;
    mlops__buf key = MLOPS__BUF_INIT;
    mlops__buf_addf(&key, "monitor:%s", name);
    const char *k = mlops__buf_str(&key);
    mlops__audit_ev ev = { action, 0, "", 0, k, old_value, new_value };
    rc = k ? mlops__audit_append(c, &ch, &ev, NULL) : mlops__err_nomem(fn);
    mlops__buf_free(&key);
    return rc;
}

int mlops__monitor_audit_spec(mlops__conn *c, mlops_store *s, const char *fn, int created,
                              const char *name, const mlops_monitor_spec *sp,
                              const mlops_monitor_ext *x)
{
    mlops__buf text = MLOPS__BUF_INIT;
    int rc = spec_text(fn, sp, x, &text);
    const char *t = mlops__buf_str(&text);
    if (!rc)
        rc = append(c, s, fn, created ? "monitor.create" : "monitor.delete", name,
                    created ? NULL : t, created ? t : NULL);
    mlops__buf_free(&text);
    return rc;
}

int mlops__monitor_audit_alert(mlops__conn *c, mlops_store *s, const char *fn, const char *name,
                               int kind, int64_t seq, int64_t start_ms, int64_t end_ms,
                               uint32_t breaches, uint32_t considered)
{
    char text[160];
    snprintf(text, sizeof text,
             "event=%" PRId64 " window=%" PRId64 "..%" PRId64 " breaches=%" PRIu32
             " considered=%" PRIu32,
             seq, start_ms, end_ms, breaches, considered);
    return append(c, s, fn,
                  kind == MLOPS_MONITOR_EVENT_FIRING ? "monitor.alert.firing"
                                                     : "monitor.alert.resolved",
                  name, NULL, text);
}
