/* The model page's lineage: datasets -> runs -> versions, drawn as three
 * columns of boxes joined by arrows (one inline <svg>, no script), with
 * the same links as a table under it for readers who do not see the
 * drawing. */
#include "registry/model_page.h"
#include "util/html.h"
#include "util/palette.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOX_W   250.0
#define BOX_H   34.0
#define ROW_H   46.0
#define TOP     44.0
#define WIDTH   960.0
#define LABEL_MAX 30 /* code points of a box's text */

static const double col_x[3] = { 10.0, 355.0, 700.0 };

/* An input node: one (digest, name) pair, the runs that read it found
 * by comparing edges. */
typedef struct node {
    const mlops_lineage_edge *edge; /* datasets */
    const mlops_run_info *run;      /* runs */
} node;

static double row_y(size_t i)
{
    return TOP + (double)i * ROW_H;
}

static void box(mlops__buf *b, size_t col, size_t row, const char *text, const char *sub,
                int style)
{
    double x = col_x[col], y = row_y(row);
    mlops__buf_add(b, "<rect");
    mlops__html_attr_num(b, "x", x);
    mlops__html_attr_num(b, "y", y);
    mlops__html_attr_num(b, "width", BOX_W);
    mlops__html_attr_num(b, "height", BOX_H);
    mlops__buf_addf(b, " rx=\"6\" fill=\"#fff\" stroke=\"%s\" stroke-width=\"%s\"/>",
                    style >= 0 ? mlops__palette_colour((size_t)style) : "#7a8391",
                    style >= 0 ? "2" : "1.2");
    mlops__buf_add(b, "<text");
    mlops__html_attr_num(b, "x", x + 8);
    mlops__html_attr_num(b, "y", y + 15);
    mlops__buf_add(b, " style=\"font-size:12px;fill:#1c2430\">");
    mlops__html_esc_trunc(b, text, LABEL_MAX);
    mlops__buf_add(b, "</text><text");
    mlops__html_attr_num(b, "x", x + 8);
    mlops__html_attr_num(b, "y", y + 28);
    mlops__buf_add(b, ">");
    mlops__html_esc_trunc(b, sub, LABEL_MAX + 8);
    mlops__buf_add(b, "</text>");
}

static void arrow(mlops__buf *b, size_t from_col, size_t from_row, size_t to_row)
{
    mlops__buf_add(b, "<line");
    mlops__html_attr_num(b, "x1", col_x[from_col] + BOX_W);
    mlops__html_attr_num(b, "y1", row_y(from_row) + BOX_H / 2);
    mlops__html_attr_num(b, "x2", col_x[from_col + 1] - 4);
    mlops__html_attr_num(b, "y2", row_y(to_row) + BOX_H / 2);
    mlops__buf_add(b, " stroke=\"#7a8391\" stroke-width=\"1.3\" marker-end=\"url(#lin-arrow)\"/>");
}

static int same_edge(const mlops_lineage_edge *x, const mlops_lineage_edge *y)
{
    return !memcmp(x->digest.bytes, y->digest.bytes, 32) && !strcmp(x->name, y->name);
}

static void lineage_table(mlops__buf *b, const mlops__model_page *p)
{
    size_t nv = mlops_model_versions_count(p->versions);
    mlops__buf_add(b, "<div class=\"wide\"><table class=\"grid\"><caption>The drawing as a table"
                      "</caption><thead><tr><th>Version</th><th>Run</th><th>Inputs (name, role, "
                      "digest)</th></tr></thead><tbody>");
    for (size_t i = 0; i < nv; i++) {
        const mlops_model_version *v = mlops_model_versions_at(p->versions, i);
        const mlops_run_info *run = p->lineage[i] ? mlops_version_lineage_run(p->lineage[i]) : NULL;
        size_t ni = 0;
        const mlops_lineage_edge *in =
            p->lineage[i] ? mlops_version_lineage_inputs(p->lineage[i], &ni) : NULL;
        int64_t n = mlops_model_version_number(v);
        mlops__buf_add(b, "<tr><th scope=\"row\" class=\"nw\">");
        mlops__palette_swatch(b, (size_t)(n - 1));
        mlops__buf_addf(b, "v%lld</th><td>", (long long)n);
        if (run) {
            mlops__buf_add(b, "<bdi>");
            if (mlops_run_info_name(run)) mlops__html_esc(b, mlops_run_info_name(run));
            mlops__buf_add(b, "</bdi><span class=\"small id\">");
            mlops__buf_add(b, mlops_run_info_id(run)); /* 32 hex digits */
            mlops__buf_add(b, "</span>");
        } else {
            mlops__buf_add(b, mlops_model_version_run_id(v) ? "run record gone" : "no run");
        }
        mlops__buf_add(b, "</td><td>");
        if (!ni) mlops__buf_add(b, "<span class=\"missing\">none recorded</span>");
        for (size_t k = 0; k < ni; k++) {
            char hex[MLOPS_DIGEST_STRLEN];
            mlops_digest_format(&in[k].digest, hex);
            mlops__buf_add(b, k ? "<br><bdi>" : "<bdi>");
            mlops__html_esc(b, in[k].name);
            mlops__buf_add(b, "</bdi>");
            if (in[k].role && *in[k].role) { /* a role is optional */
                mlops__buf_add(b, " (");
                mlops__html_esc(b, in[k].role);
                mlops__buf_add(b, ")");
            }
            mlops__buf_addf(b, " <span class=\"id\">%s</span>", hex);
        }
        mlops__buf_add(b, "</td></tr>");
    }
    mlops__buf_add(b, "</tbody></table></div>\n");
}

void mlops__model_page_lineage(mlops__buf *b, const mlops__model_page *p)
{
    size_t nv = mlops_model_versions_count(p->versions);
    mlops__buf_add(b, "<h2 id=\"lineage\">Lineage</h2>");
    if (!nv) {
        mlops__buf_add(b, "<p class=\"sub\">No version, so no lineage.</p>\n");
        return;
    }
    /* Distinct runs and inputs, in the order the versions meet them. */
    size_t cap = nv, nr = 0, nd = 0;
    for (size_t i = 0; i < nv; i++) {
        size_t ni = 0;
        if (p->lineage[i]) mlops_version_lineage_inputs(p->lineage[i], &ni);
        cap += ni;
    }
    node *runs = calloc(nv, sizeof *runs), *data = calloc(cap, sizeof *data);
    size_t *run_of = calloc(nv, sizeof *run_of);
    if (!runs || !data || !run_of) {
        b->failed = 1; /* surfaces at mlops__buf_take as MLOPS_ENOMEM */
        free(runs);
        free(data);
        free(run_of);
        return;
    }
    for (size_t i = 0; i < nv; i++) {
        const mlops_run_info *run = p->lineage[i] ? mlops_version_lineage_run(p->lineage[i]) : NULL;
        run_of[i] = SIZE_MAX;
        if (!run) continue;
        size_t r = 0;
        while (r < nr && strcmp(mlops_run_info_id(runs[r].run), mlops_run_info_id(run))) r++;
        if (r == nr) runs[nr++].run = run;
        run_of[i] = r;
        size_t ni = 0;
        const mlops_lineage_edge *in = mlops_version_lineage_inputs(p->lineage[i], &ni);
        for (size_t k = 0; k < ni; k++) {
            size_t d = 0;
            while (d < nd && !same_edge(data[d].edge, &in[k])) d++;
            if (d == nd) data[nd++].edge = &in[k];
        }
    }
    size_t rows = nv > nr ? nv : nr;
    if (nd > rows) rows = nd;
    double height = row_y(rows) + 4;
    mlops__buf_add(b, "<p class=\"sub\">Datasets a run read &#8594; the run &#8594; the versions "
                      "made from it.</p><figure class=\"lineage\"><svg xmlns=\"http://www.w3.org/"
                      "2000/svg\" role=\"img\" aria-labelledby=\"lin-title\" viewBox=\"0 0 960 ");
    mlops__html_coord(b, height);
    mlops__buf_addf(b, "\"><title id=\"lin-title\">Lineage: %zu dataset%s, %zu run%s, %zu "
                       "version%s</title>",
                    nd, nd == 1 ? "" : "s", nr, nr == 1 ? "" : "s", nv, nv == 1 ? "" : "s");
    mlops__buf_add(b, "<defs><marker id=\"lin-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                      "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0L10 5L0 "
                      "10z\" fill=\"#7a8391\"/></marker></defs>");
    static const char *const heads[3] = { "Datasets", "Runs", "Versions" };
    for (size_t c = 0; c < 3; c++) {
        mlops__buf_add(b, "<text");
        mlops__html_attr_num(b, "x", col_x[c]);
        mlops__buf_addf(b, " y=\"24\" style=\"font-size:13px;font-weight:600\">%s</text>",
                        heads[c]);
    }
    for (size_t d = 0; d < nd; d++) {
        char hex[MLOPS_DIGEST_STRLEN];
        mlops_digest_format(&data[d].edge->digest, hex);
        hex[19] = '\0';
        box(b, 0, d, data[d].edge->name, hex, -1);
    }
    for (size_t r = 0; r < nr; r++) {
        const char *name = mlops_run_info_name(runs[r].run);
        const char *id = mlops_run_info_id(runs[r].run);
        box(b, 1, r, name ? name : id, id, -1);
    }
    for (size_t i = 0; i < nv; i++) {
        const mlops_model_version *v = mlops_model_versions_at(p->versions, i);
        char label[32];
        int64_t n = mlops_model_version_number(v);
        snprintf(label, sizeof label, "v%lld", (long long)n);
        box(b, 2, i, label, mlops_model_version_deleted_ms(v) ? "deleted" : "", (int)((n - 1) % 7));
        if (run_of[i] != SIZE_MAX) arrow(b, 1, run_of[i], i);
    }
    /* Dataset -> run: every run that read it. */
    for (size_t r = 0; r < nr; r++) {
        for (size_t i = 0; i < nv; i++) {
            if (run_of[i] != r) continue;
            size_t ni = 0;
            const mlops_lineage_edge *in = mlops_version_lineage_inputs(p->lineage[i], &ni);
            for (size_t k = 0; k < ni; k++)
                for (size_t d = 0; d < nd; d++)
                    if (same_edge(data[d].edge, &in[k])) arrow(b, 0, d, r);
            break; /* one version of the run gives its inputs */
        }
    }
    mlops__buf_add(b, "</svg><figcaption>Lineage of every version; the table below says the "
                      "same.</figcaption></figure>\n");
    free(runs);
    free(data);
    free(run_of);
    lineage_table(b, p);
}
