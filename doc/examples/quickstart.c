/*
 * The libmlops quickstart: the whole story of one model in one program.
 *
 *   1. create a store (a directory: SQLite metadata + content-addressed objects)
 *   2. store a generated training dataset
 *   3. start a run, log params and 1,000 steps of metrics while training
 *   4. store the trained model file as the run's output
 *   5. register it as version N of the model "churn", alias "champion"
 *   6. sign the version with an Ed25519 key and verify the signature
 *   7. generate a drifted production batch and write a drift report
 *      (text and HTML), also logged as metrics of a monitoring run
 *
 * Build and run (the README's first command does this for you):
 *
 *   cc quickstart.c $(pkg-config --cflags --libs libmlops libcrypto) -lm -o quickstart
 *   ./quickstart [DIR]          (default: ./mlops-demo)
 *
 * Run it again and it adds a run and a version to the same store. It uses
 * only the public API (<mlops.h>), and OpenSSL only to make the signing
 * key, as you would with `openssl genpkey -algorithm ed25519`.
 */
#include <mlops.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TRAIN_ROWS 4000
#define PROD_ROWS  1500
#define STEPS      1000
#define NFEAT      4

static const char *const cities[] = { "Paris", "Berlin", "Madrid", "Rome", "Lisbon" };
#define NCITIES 5
static const char *const plans[] = { "basic", "pro" };

/* ---- Small helpers --------------------------------------------------------------- */

/* Prints the library's message for a failed call and exits: a real program
 * would clean up and report, a quickstart stops at the first surprise. */
static void check(int rc, const char *what)
{
    if (rc == MLOPS_OK) return;
    fprintf(stderr, "quickstart: %s failed: %s (%s)\n", what, mlops_last_error(),
            mlops_strerror(rc));
    exit(1);
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "quickstart: %s: %s\n", what, detail);
    exit(1);
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p) die("out of memory", name);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static const char *short_digest(const mlops_digest *d)
{
    static char text[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(d, text);
    text[7 + 12] = '\0'; /* "sha256:" and 12 hex digits are enough to recognise it */
    return text;
}

/* A deterministic generator (xorshift64*), so every run draws the same data. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static double normal(double mean, double sd)
{
    double u = uniform(), v = uniform();
    return mean + sd * sqrt(-2.0 * log(u > 1e-300 ? u : 1e-300)) * cos(2.0 * M_PI * v);
}

/* ---- The data: customers and whether they churned --------------------------------- */

typedef struct customers {
    size_t n;
    double *age, *income, *city, *plan; /* city and plan: category codes */
    double *churned;
} customers;

/* Production data drifts: older customers, more of them in Lisbon and Rome. */
static void generate(customers *c, size_t n, int drifted)
{
    c->n = n;
    c->age = malloc(n * sizeof(double));
    c->income = malloc(n * sizeof(double));
    c->city = malloc(n * sizeof(double));
    c->plan = malloc(n * sizeof(double));
    c->churned = malloc(n * sizeof(double));
    if (!c->age || !c->income || !c->city || !c->plan || !c->churned) die("out of memory", "data");
    static const double train_w[NCITIES] = { 0.35, 0.25, 0.2, 0.12, 0.08 };
    static const double prod_w[NCITIES] = { 0.15, 0.15, 0.2, 0.22, 0.28 };
    const double *w = drifted ? prod_w : train_w;
    for (size_t i = 0; i < n; i++) {
        c->age[i] = round(normal(drifted ? 47.0 : 38.0, 11.0));
        if (c->age[i] < 18.0) c->age[i] = 18.0;
        /* About 3% of incomes are unknown: NaN is a missing value. */
        c->income[i] = uniform() < 0.03 ? NAN : round(exp(normal(10.4, 0.45)));
        double u = uniform(), acc = 0.0;
        size_t k = 0;
        while (k + 1 < NCITIES && u > (acc += w[k])) k++;
        c->city[i] = (double)k;
        c->plan[i] = uniform() < 0.3 ? 1.0 : 0.0;
        double z = -1.2 + 0.045 * (c->age[i] - 40.0) - 1.1 * c->plan[i] + (k == 3 ? 0.6 : 0.0);
        c->churned[i] = uniform() < 1.0 / (1.0 + exp(-z)) ? 1.0 : 0.0;
    }
}

static void free_customers(customers *c)
{
    free(c->age);
    free(c->income);
    free(c->city);
    free(c->plan);
    free(c->churned);
}

static void write_csv(const customers *c, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) die(path, strerror(errno));
    fprintf(f, "age,income,city,plan,churned\n");
    for (size_t i = 0; i < c->n; i++) {
        fprintf(f, "%.0f,", c->age[i]);
        if (!isnan(c->income[i])) fprintf(f, "%.0f", c->income[i]); /* empty: missing */
        fprintf(f, ",%s,%s,%.0f\n", cities[(int)c->city[i]], plans[(int)c->plan[i]], c->churned[i]);
    }
    if (fclose(f) != 0) die(path, strerror(errno));
}

/* ---- Training: logistic regression by gradient descent -------------------------------- */

static void features(const customers *c, size_t i, double x[NFEAT])
{
    x[0] = (c->age[i] - 40.0) / 10.0;
    x[1] = isnan(c->income[i]) ? 0.0 : (log(c->income[i]) - 10.4) / 0.45;
    x[2] = c->plan[i];
    x[3] = c->city[i] == 3.0 ? 1.0 : 0.0;
}

static void train(mlops_run *run, const customers *c, double lr, double w[NFEAT + 1])
{
    memset(w, 0, (NFEAT + 1) * sizeof(double));
    mlops_metric batch[2 * 100];
    size_t nb = 0;
    int64_t t0 = (int64_t)time(NULL) * 1000;
    for (int step = 1; step <= STEPS; step++) {
        double grad[NFEAT + 1] = { 0 }, loss = 0.0, correct = 0.0;
        for (size_t i = 0; i < c->n; i++) {
            double x[NFEAT], z = w[NFEAT];
            features(c, i, x);
            for (int k = 0; k < NFEAT; k++) z += w[k] * x[k];
            double p = 1.0 / (1.0 + exp(-z)), y = c->churned[i];
            loss -= y * log(p + 1e-12) + (1.0 - y) * log(1.0 - p + 1e-12);
            correct += (p >= 0.5) == (y == 1.0);
            for (int k = 0; k < NFEAT; k++) grad[k] += (p - y) * x[k];
            grad[NFEAT] += p - y;
        }
        for (int k = 0; k <= NFEAT; k++) w[k] -= lr * grad[k] / (double)c->n;
        /* Points are logged in batches of 100 steps: one transaction each. */
        batch[nb++] = (mlops_metric){ "loss", loss / (double)c->n, step, t0 + step };
        batch[nb++] = (mlops_metric){ "accuracy", correct / (double)c->n, step, t0 + step };
        if (nb == sizeof batch / sizeof batch[0] || step == STEPS) {
            check(mlops_run_log_metrics(run, batch, nb), "logging metrics");
            nb = 0;
        }
    }
}

/* ---- Signing key (OpenSSL) ---------------------------------------------------------------- */

/* Makes an Ed25519 key pair and writes it as PEM: the private half readable
 * by the owner only. */
static void make_key(const char *priv_path, const char *pub_path)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!key) die("generating an Ed25519 key", "OpenSSL refused");
    FILE *f = fopen(priv_path, "w");
    if (!f) die(priv_path, strerror(errno));
    chmod(priv_path, 0600);
    int ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (fclose(f) != 0 || !ok) die(priv_path, "cannot write the private key");
    f = fopen(pub_path, "w");
    if (!f) die(pub_path, strerror(errno));
    ok = PEM_write_PUBKEY(f, key) == 1;
    if (fclose(f) != 0 || !ok) die(pub_path, "cannot write the public key");
    EVP_PKEY_free(key);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(path, strerror(errno));
    char *buf = calloc(1, 65536);
    if (!buf) die("out of memory", path);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* ---- The drift report as text -------------------------------------------------------------- */

static void write_text_report(const mlops_drift_report *r, FILE *f)
{
    fprintf(f, "%-10s %-12s %-14s %10s %12s %10s  %s\n", "COLUMN", "KIND", "METHOD", "STATISTIC",
            "DRIFT WHEN", "P-VALUE", "VERDICT");
    for (size_t i = 0; i < r->n_columns; i++) {
        const mlops_drift_column_result *c = r->columns[i];
        char when[32], p[32];
        snprintf(when, sizeof when, "%s %.3g", isnan(c->p_value) ? ">=" : "p <=", c->threshold);
        if (isnan(c->p_value))
            snprintf(p, sizeof p, "-");
        else
            snprintf(p, sizeof p, "%.3g", c->p_value);
        fprintf(f, "%-10s %-12s %-14s %10.4g %12s %10s  %s\n", c->name,
                c->kind == MLOPS_COLUMN_CATEGORICAL ? "categorical" : "numeric", c->method_name,
                c->statistic, when, p, c->drifted ? "DRIFT" : "ok");
    }
    fprintf(f, "\ndataset drift: %s (%zu of %zu columns drifted; the rule is at least %.0f%%)\n",
            r->dataset_drift ? "YES" : "no", r->n_drifted, r->n_columns, 100.0 * r->drift_share);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) die(path, strerror(errno));
    fputs(text, f);
    if (fclose(f) != 0) die(path, strerror(errno));
}

/* ---- The story -------------------------------------------------------------------------------- */

static int64_t experiment_named(mlops_store *s, const char *name)
{
    mlops_experiment *e = NULL;
    int rc = mlops_experiment_get_by_name(s, name, &e);
    if (rc == MLOPS_ENOTFOUND) {
        int64_t id;
        check(mlops_experiment_create(s, name, &id), "creating the experiment");
        return id;
    }
    check(rc, "looking up the experiment");
    int64_t id = mlops_experiment_id(e);
    mlops_experiment_free(e);
    return id;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "mlops-demo";
    printf("libmlops %s: the quickstart in %s/\n\n", mlops_version(), dir);

    /* 1. The store: a directory, created when missing. */
    mlops_store *s = NULL;
    check(mlops_store_open(dir, NULL, &s), "opening the store");
    char *data_dir = path_in(dir, "data");
    if (mkdir(data_dir, 0755) != 0 && errno != EEXIST) die(data_dir, strerror(errno));

    /* 2. A training dataset, written as CSV and stored by content. */
    customers train_set, prod_set;
    generate(&train_set, TRAIN_ROWS, 0);
    char *train_csv = path_in(data_dir, "train.csv");
    write_csv(&train_set, train_csv);
    mlops_digest train_digest;
    check(mlops_blob_put_file(s, train_csv, &train_digest), "storing the dataset");
    printf("1. stored the training data  %s  (%d rows)  %s...\n", train_csv, TRAIN_ROWS,
           short_digest(&train_digest));

    /* 3. A run: params, the input it read, 1,000 steps of metrics. */
    int64_t exp_id = experiment_named(s, "churn");
    mlops_run *run = NULL;
    check(mlops_run_start(s, exp_id, "logistic-regression", &run), "starting the run");
    const double lr = 0.5;
    const mlops_kv params[] = {
        { "model", "logistic-regression" }, { "learning_rate", "0.5" },
        { "steps", "1000" },                { "features", "age,income,plan,city=Rome" },
    };
    check(mlops_run_log_params(run, params, 4), "logging params");
    check(mlops_run_log_input(run, &train_digest, "train.csv", "dataset"), "logging the input");
    double w[NFEAT + 1];
    train(run, &train_set, lr, w);
    printf("2. trained in run %s  (experiment 'churn', %d steps of loss and accuracy)\n",
           mlops_run_id(run), STEPS);

    /* 4. The model file, stored and recorded as the run's output. */
    char *model_path = path_in(dir, "model.json");
    char model_json[512];
    snprintf(model_json, sizeof model_json,
             "{\"model\": \"logistic-regression\", \"features\": [\"age\", \"income\", \"plan\", "
             "\"city=Rome\"],\n \"weights\": [%.6f, %.6f, %.6f, %.6f], \"bias\": %.6f}\n",
             w[0], w[1], w[2], w[3], w[4]);
    write_file(model_path, model_json);
    mlops_digest model_digest;
    check(mlops_blob_put_file(s, model_path, &model_digest), "storing the model");
    check(mlops_run_log_output(run, &model_digest, "model.json", "model"), "logging the output");
    check(mlops_run_end(run, MLOPS_RUN_FINISHED), "ending the run");
    printf("3. stored the model          %s  %s...\n", model_path, short_digest(&model_digest));

    /* 5. The registry: a new version of "churn", pointed at by "champion". */
    int rc = mlops_model_create(s, "churn");
    if (rc != MLOPS_EEXIST) check(rc, "creating the model");
    int64_t version;
    check(mlops_model_version_create(s, "churn", &model_digest, mlops_run_id(run), &version),
          "registering the version");
    check(mlops_model_alias_set(s, "churn", "champion", version), "setting the alias");
    printf("4. registered churn version %lld, alias champion -> %lld\n", (long long)version,
           (long long)version);

    /* 6. Sign the version; anyone with the public key can check it. */
    char *key_path = path_in(dir, "signing-key.pem"), *pub_path = path_in(dir, "signing-key.pub");
    struct stat st;
    if (stat(key_path, &st) != 0) make_key(key_path, pub_path); /* kept across runs */
    char *priv_pem = read_text(key_path), *pub_pem = read_text(pub_path);
    check(mlops_model_version_sign(s, "churn", version, priv_pem, NULL), "signing");
    check(mlops_model_version_verify(s, "churn", version, pub_pem), "verifying the signature");
    printf("5. signed churn/%lld with    %s  (verified with %s)\n", (long long)version, key_path,
           pub_path);

    /* 7. Production data drifts; compare it with the training data. */
    generate(&prod_set, PROD_ROWS, 1);
    char *prod_csv = path_in(data_dir, "production.csv");
    write_csv(&prod_set, prod_csv);
    mlops_digest prod_digest;
    check(mlops_blob_put_file(s, prod_csv, &prod_digest), "storing the production batch");
    const char *names[] = { "age", "income", "city", "plan" };
    const int kinds[] = { MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_NUMERIC, MLOPS_COLUMN_CATEGORICAL,
                          MLOPS_COLUMN_CATEGORICAL };
    const double *ref[] = { train_set.age, train_set.income, train_set.city, train_set.plan };
    const double *cur[] = { prod_set.age, prod_set.income, prod_set.city, prod_set.plan };
    const size_t nref[] = { TRAIN_ROWS, TRAIN_ROWS, TRAIN_ROWS, TRAIN_ROWS };
    const size_t ncur[] = { PROD_ROWS, PROD_ROWS, PROD_ROWS, PROD_ROWS };
    mlops_drift_report *report = NULL;
    check(mlops_drift_report_compute(4, names, kinds, ref, nref, cur, ncur, NULL, &report),
          "computing the drift report");

    char *txt_path = path_in(dir, "drift-report.txt"), *html_path = path_in(dir, "drift-report.html");
    FILE *f = fopen(txt_path, "w");
    if (!f) die(txt_path, strerror(errno));
    write_text_report(report, f);
    if (fclose(f) != 0) die(txt_path, strerror(errno));
    /* The categories are codes in the report: give the page their names. */
    const char *const *labels[] = { NULL, NULL, cities, plans };
    const size_t nlabels[] = { 0, 0, NCITIES, 2 };
    mlops_drift_html_opts hopts;
    check(mlops_drift_html_opts_init(&hopts, MLOPS_DRIFT_HTML_OPTS_VERSION), "HTML options");
    hopts.title = "Churn model: training vs production";
    hopts.reference_name = "train.csv";
    hopts.current_name = "production.csv";
    hopts.category_labels = labels;
    hopts.category_label_counts = nlabels;
    char *html = NULL;
    check(mlops_drift_report_html(report, &hopts, &html), "writing the HTML report");
    write_file(html_path, html);
    mlops_free(html);

    /* The report's figures become metrics of a monitoring run, so drift
     * over time is searchable like any metric. */
    mlops_run *monitor = NULL;
    check(mlops_run_start(s, exp_id, "production-check", &monitor), "starting the monitoring run");
    check(mlops_run_log_input(monitor, &prod_digest, "production.csv", "dataset"), "logging the batch");
    check(mlops_drift_report_log(monitor, report, 0, 0), "logging the drift figures");
    check(mlops_run_end(monitor, MLOPS_RUN_FINISHED), "ending the monitoring run");
    printf("6. drift report (%zu of %zu columns drifted, dataset drift: %s)\n", report->n_drifted,
           report->n_columns, report->dataset_drift ? "yes" : "no");
    write_text_report(report, stdout);
    printf("   text: %s\n   HTML: %s\n", txt_path, html_path);

    /* The audit log has recorded every registry change in a hash chain. */
    check(mlops_audit_verify(s), "verifying the audit log");
    int64_t seq;
    mlops_digest head;
    check(mlops_audit_head(s, &seq, &head), "reading the audit head");
    printf("7. audit log verified: %lld events, head %s...\n", (long long)seq, short_digest(&head));

    printf("\nEverything is in %s/:\n"
           "  mlops.db, objects/         the store (SQLite metadata, content-addressed objects)\n"
           "  data/train.csv             training data      data/production.csv  the drifted batch\n"
           "  model.json                 the model          signing-key.pem/.pub the signing key\n"
           "  drift-report.txt/.html     the drift report\n"
           "\nLook around with the mlops command:\n"
           "  mlops -C %s run show %s\n"
           "  mlops -C %s runs search \"metrics.accuracy > 0.6\" --order-by \"metrics.loss ASC\"\n"
           "  mlops -C %s model show churn\n"
           "  mlops -C %s model verify churn@champion --key %s\n",
           dir, dir, mlops_run_id(run), dir, dir, dir, pub_path);

    mlops_drift_report_free(report);
    mlops_run_free(monitor);
    mlops_run_free(run);
    mlops_store_close(s);
    free(priv_pem);
    free(pub_pem);
    free(key_path);
    free(pub_path);
    free(txt_path);
    free(html_path);
    free(prod_csv);
    free(train_csv);
    free(model_path);
    free(data_dir);
    free_customers(&train_set);
    free_customers(&prod_set);
    return 0;
}
