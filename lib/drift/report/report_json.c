/* A report as JSON (doc/format.md, "Drift report JSON"). */
#include "drift/drift_internal.h"
#include "util/buf.h"
#include "util/err.h"

static void key(mlops__buf *b, const char *k)
{
    mlops__buf_add_json_string(b, k);
    mlops__buf_add(b, ":");
}

static void num(mlops__buf *b, const char *k, double v)
{
    key(b, k);
    mlops__buf_add_json_double(b, v);
    mlops__buf_add(b, ",");
}

static void u64(mlops__buf *b, const char *k, uint64_t v)
{
    key(b, k);
    mlops__buf_addf(b, "%llu,", (unsigned long long)v);
}

MLOPS_API int mlops_drift_report_json(const mlops_drift_report *r, char **json)
{
    if (!r) return mlops__err_null(__func__, "r");
    if (!json) return mlops__err_null(__func__, "json");
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__buf_add(&b, "{\"format\":\"mlops.drift_report\",\"version\":1,");
    key(&b, "dataset_drift");
    mlops__buf_add(&b, r->dataset_drift ? "true," : "false,");
    u64(&b, "n_columns", r->n_columns);
    u64(&b, "n_drifted", r->n_drifted);
    num(&b, "share_drifted", r->share_drifted);
    num(&b, "drift_share", r->drift_share);
    key(&b, "correction");
    mlops__buf_add(&b, r->correction == MLOPS_DRIFT_CORRECTION_BH ? "\"bh\"," : "\"none\",");
    key(&b, "columns");
    mlops__buf_add(&b, "[");
    for (size_t i = 0; i < r->n_columns; i++) {
        const mlops_drift_column_result *c = r->columns[i];
        mlops__buf_add(&b, i ? ",{" : "{");
        key(&b, "name");
        mlops__buf_add_json_string(&b, c->name);
        mlops__buf_add(&b, ",");
        key(&b, "kind");
        mlops__buf_add(&b, c->kind == MLOPS_COLUMN_NUMERIC ? "\"numeric\"," : "\"categorical\",");
        key(&b, "method");
        mlops__buf_add_json_string(&b, c->method_name);
        mlops__buf_add(&b, ",");
        num(&b, "statistic", c->statistic);
        num(&b, "p_value", c->p_value);
        num(&b, "log_p_value", c->log_p_value);
        num(&b, "adjusted_p_value", c->adjusted_p_value);
        num(&b, "score", c->score);
        num(&b, "threshold", c->threshold);
        key(&b, "drifted");
        mlops__buf_add(&b, c->drifted ? "true," : "false,");
        u64(&b, "n_ref", c->n_ref);
        u64(&b, "n_cur", c->n_cur);
        u64(&b, "ref_nan", c->ref_nan);
        u64(&b, "ref_inf", c->ref_inf);
        u64(&b, "cur_nan", c->cur_nan);
        u64(&b, "cur_inf", c->cur_inf);
        key(&b, "missing");
        mlops__buf_add(&b, "{\"statistic\":");
        mlops__buf_add_json_double(&b, c->missing.statistic);
        mlops__buf_add(&b, ",\"p_value\":");
        mlops__buf_add_json_double(&b, c->missing.p_value);
        mlops__buf_add(&b, "}}");
    }
    mlops__buf_add(&b, "]}");
    return mlops__buf_take(&b, json, __func__);
}
