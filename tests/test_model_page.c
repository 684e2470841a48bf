/* The model page, mlops_model_page_html (registry.h): versions, alias
 * splits over time, gate decisions, signatures, lineage and the audit
 * timeline; escaping of hostile names; bad input. The page is also
 * rendered in a browser by tests/pages/test_pages_render.py. */
#include "registry_helpers.h"

#define HOSTILE_MODEL "<script>alert(1)</script> & \"q\" 'a' \xE2\x9C\x93"
#define HOSTILE_TEXT  "</svg><img src=x onerror=alert(2)>"

static char *dir;
static mlops_store *S;
static char run_id[MLOPS_RUN_ID_LEN + 1];
static char *priv, *pub;

static mlops_change_opts why(const char *reason)
{
    mlops_change_opts c = MLOPS_CHANGE_OPTS_INIT;
    c.reason = reason;
    return c;
}

/* Model HOSTILE_MODEL: v1 from a run (hostile name) that read a dataset
 * (hostile name), v2 without a run, v3 from the same run and signed; alias
 * champion set to 1, split 1:90,2:10, then a gate on metrics, a refused
 * promotion of v2 and a forced one of v3; v2 deleted. */
static void setup(void)
{
    S = rt_open(&dir);
    int64_t exp_id = 0, v = 0;
    TU_OK(mlops_experiment_create(S, "exp", &exp_id));
    mlops_run_start_opts ro = MLOPS_RUN_START_OPTS_INIT;
    ro.name = HOSTILE_TEXT;
    mlops_run *r = NULL;
    TU_OK(mlops_run_start_ex(S, exp_id, &ro, &r));
    strcpy(run_id, mlops_run_id(r));
    mlops_digest data = rt_put(S, "a,b\n1,2\n");
    TU_OK(mlops_run_log_input(r, &data, "train <b>.csv", "dataset"));
    const mlops_metric m = { "auc", 0.91, 1, 0 };
    TU_OK(mlops_run_log_metrics(r, &m, 1));
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    mlops_run_free(r);

    mlops_digest art = rt_put(S, "weights");
    TU_OK(mlops_model_create_ex(S, HOSTILE_MODEL, "desc " HOSTILE_TEXT, NULL));
    TU_OK(mlops_model_version_create(S, HOSTILE_MODEL, &art, run_id, &v));
    TU_OK(mlops_model_version_create(S, HOSTILE_MODEL, &art, NULL, &v));
    TU_OK(mlops_model_version_create(S, HOSTILE_MODEL, &art, run_id, &v));
    rt_keypair("ED25519", &priv, &pub);
    TU_OK(mlops_model_version_sign(S, HOSTILE_MODEL, 3, priv, NULL));

    mlops_change_opts c = why("first " HOSTILE_TEXT);
    TU_OK(mlops_model_alias_set_ex(S, HOSTILE_MODEL, "champion", 1, &c));
    TU_OK(mlops_model_alias_split_set(S, HOSTILE_MODEL, "champion", "1:90,2:10", NULL));
    const char *conds[] = { "metrics.auc >= 0.95" };
    TU_OK(mlops_model_gate_set(S, HOSTILE_MODEL, "champion", conds, 1, NULL, NULL));
    TU_RC(MLOPS_EPOLICY, mlops_model_promote(S, HOSTILE_MODEL, 3, "champion", NULL, NULL, NULL));
    mlops_promote_opts po = MLOPS_PROMOTE_OPTS_INIT;
    po.force = 1;
    c = why("forced: the auc bar is new");
    TU_OK(mlops_model_promote(S, HOSTILE_MODEL, 3, "champion", &po, &c, NULL));
    TU_OK(mlops_model_version_delete(S, HOSTILE_MODEL, 2, NULL));
}

static void teardown(void)
{
    rt_close(S, dir);
    free(priv);
    free(pub);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

static char *page(void)
{
    mlops_model_page_opts o = MLOPS_MODEL_PAGE_OPTS_INIT;
    o.generated_ms = -1;
    char *html = NULL;
    TU_OK(mlops_model_page_html(S, HOSTILE_MODEL, &o, &html));
    ck_assert_ptr_nonnull(html);
    return html;
}

START_TEST(hostile_names_are_escaped)
{
    char *html = page();
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<img"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; "
                                       "&#39;a&#39; \xE2\x9C\x93"));
    ck_assert_ptr_nonnull(strstr(html, "desc &lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "train &lt;b&gt;.csv"));
    ck_assert_ptr_nonnull(strstr(html, "first &lt;/svg&gt;"));
    /* The title is the model's name, escaped in <title> and <h1>. */
    ck_assert_ptr_nonnull(strstr(html, "<title>Model &lt;script&gt;"));
    mlops_free(html);
}
END_TEST

START_TEST(page_shows_versions_aliases_gates_lineage)
{
    char *html = page();
    /* Versions: 3 rows, v2 deleted, v3 signed, v1 and v3 from the run. */
    ck_assert_ptr_nonnull(strstr(html, "3 versions"));
    ck_assert_ptr_nonnull(strstr(html, ">deleted</td>"));
    ck_assert_ptr_nonnull(strstr(html, "1 signed"));
    ck_assert_uint_ge(count(html, run_id), 3);
    /* The alias: one step chart with v1, v2, v3 and its changes. */
    ck_assert_ptr_nonnull(strstr(html, "Share of traffic per version of alias champion"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"id\">1:90,2:10</td>"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"id\">3</td>"));
    ck_assert_ptr_nonnull(strstr(html, "champion</bdi> &#8594; v3"));
    /* Gate decisions: the refused one and the forced one, with the value. */
    ck_assert_ptr_nonnull(strstr(html, ">refused</td>"));
    ck_assert_ptr_nonnull(strstr(html, ">forced</td>"));
    ck_assert_ptr_nonnull(strstr(html, "metrics.auc &gt;= 0.95"));
    ck_assert_uint_eq(count(html, "<td class=\"n\">0.91</td>"), 2);
    /* The signature, by its key's fingerprint. */
    mlops_digest fp;
    char hex[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_key_fingerprint(pub, &fp));
    TU_OK(mlops_digest_format(&fp, hex));
    ck_assert_ptr_nonnull(strstr(html, hex));
    /* Lineage: one dataset, one run, three versions, three arrows. */
    ck_assert_ptr_nonnull(strstr(html, "Lineage: 1 dataset, 1 run, 3 versions"));
    ck_assert_uint_eq(count(html, "marker-end="), 3);
    /* One SVG per chart: the alias's and the lineage drawing. */
    ck_assert_uint_eq(count(html, "<svg"), 2);
    /* The audit timeline has every event of the model. */
    mlops_audit_events *ev = NULL;
    TU_OK(mlops_audit_model_events(S, HOSTILE_MODEL, &ev));
    char want[64];
    snprintf(want, sizeof want, "%zu events of the", mlops_audit_events_count(ev));
    ck_assert_ptr_nonnull(strstr(html, want));
    mlops_audit_events_free(ev);
    ck_assert_ptr_null(strstr(html, "<script"));
    mlops_free(html);
}
END_TEST

START_TEST(empty_model_and_title)
{
    TU_OK(mlops_model_create(S, "bare"));
    mlops_model_page_opts o;
    TU_OK(mlops_model_page_opts_init(&o, MLOPS_MODEL_PAGE_OPTS_VERSION));
    o.title = "Bare <page>";
    o.generated_ms = 1764787200000;
    char *html = NULL;
    TU_OK(mlops_model_page_html(S, "bare", &o, &html));
    ck_assert_ptr_nonnull(strstr(html, "<h1><bdi>Bare &lt;page&gt;</bdi></h1>"));
    ck_assert_ptr_nonnull(strstr(html, "No version yet."));
    ck_assert_ptr_nonnull(strstr(html, "No alias was ever set."));
    ck_assert_ptr_nonnull(strstr(html, "No gate has decided"));
    ck_assert_ptr_nonnull(strstr(html, "on 2025-12-03 18:40 UTC"));
    ck_assert_ptr_null(strstr(html, "<svg"));
    mlops_free(html);
}
END_TEST

/* An alias that routed to more versions than a chart draws: the highest
 * are drawn, the note says how many were left out, the table has all. */
START_TEST(many_versions_are_drawn_newest_first)
{
    TU_OK(mlops_model_create(S, "many"));
    mlops_digest art = rt_put(S, "w");
    int64_t v = 0;
    for (int i = 1; i <= 130; i++) {
        TU_OK(mlops_model_version_create(S, "many", &art, NULL, &v));
        TU_OK(mlops_model_alias_set(S, "many", "prod", v));
    }
    char *html = NULL;
    TU_OK(mlops_model_page_html(S, "many", NULL, &html));
    ck_assert_ptr_nonnull(strstr(html, "Drawn: the 128 highest of the 130 versions"));
    /* The alias's chart alone (the lineage drawing names every version). */
    char *chart = strstr(html, "id=\"alias-1\"");
    ck_assert_ptr_nonnull(chart);
    char *end = strstr(chart, "</figure>");
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    ck_assert_ptr_nonnull(strstr(chart, ">v130</text>"));
    ck_assert_ptr_nonnull(strstr(chart, ">v3</text>"));
    ck_assert_ptr_null(strstr(chart, ">v2</text>"));
    *end = '<';
    ck_assert_uint_eq(count(end, "<td class=\"id\">"), 130);
    mlops_free(html);
}
END_TEST

START_TEST(bad_input)
{
    char *html = (char *)1;
    TU_RC(MLOPS_EINVAL, mlops_model_page_html(NULL, "bare", NULL, &html));
    ck_assert_ptr_null(html);
    TU_RC(MLOPS_EINVAL, mlops_model_page_html(S, "x", NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_page_html(S, NULL, NULL, &html));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_page_html(S, "nope", NULL, &html));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "nope"));
    ck_assert_msg(strncmp(mlops_last_error(), "mlops_model_page_html: ", 23) == 0, "%s",
                  mlops_last_error());
    mlops_model_page_opts o = MLOPS_MODEL_PAGE_OPTS_INIT;
    o.version = 99;
    TU_RC(MLOPS_EINVAL, mlops_model_page_html(S, HOSTILE_MODEL, &o, &html));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_model_page_html"));
    o.version = MLOPS_MODEL_PAGE_OPTS_VERSION;
    o.title = "\xff";
    TU_RC(MLOPS_EINVAL, mlops_model_page_html(S, HOSTILE_MODEL, &o, &html));
    TU_RC(MLOPS_EINVAL, mlops_model_page_opts_init(NULL, 1));
    TU_RC(MLOPS_EINVAL, mlops_model_page_opts_init(&o, 0));
}
END_TEST

static Suite *model_page_suite(void)
{
    Suite *s = suite_create("model_page");
    TCase *tc = tcase_create("page");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hostile_names_are_escaped);
    tcase_add_test(tc, page_shows_versions_aliases_gates_lineage);
    tcase_add_test(tc, empty_model_and_title);
    tcase_add_test(tc, many_versions_are_drawn_newest_first);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(model_page_suite());
}
