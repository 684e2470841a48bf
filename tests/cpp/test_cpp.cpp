// The C++ header (include/mlops.hpp): every owner constructed and
// destroyed, moved, its methods called against a real store; errors thrown
// with the C code and the thread's message; iterators and views. Built four
// times (g++ and clang++, -std=c++17 and -std=c++20): see meson.build.
#include <mlops.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace fs = std::filesystem;

static int failures;
static std::string current;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::cout << "# " << __FILE__ << ":" << __LINE__ << ": " << current              \
                      << ": CHECK(" #cond ") failed\n";                                      \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

// expr throws mlops::error with code and a message containing part.
#define CHECK_THROWS(expr, want_code, part)                                                  \
    do {                                                                                     \
        bool thrown_ = false;                                                                \
        try {                                                                                \
            (void)(expr);                                                                    \
        } catch (const mlops::error &e_) {                                                   \
            thrown_ = true;                                                                  \
            if (e_.code() != (want_code) || std::string(e_.what()).find(part) == std::string::npos) { \
                std::cout << "# " << __FILE__ << ":" << __LINE__ << ": " << current          \
                          << ": code " << e_.code() << " message '" << e_.what() << "'\n";   \
                failures++;                                                                  \
            }                                                                                \
        }                                                                                    \
        if (!thrown_) {                                                                      \
            std::cout << "# " << __FILE__ << ":" << __LINE__ << ": " << current              \
                      << ": " #expr " did not throw\n";                                      \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

static fs::path base;

static fs::path tmp(const std::string &name) { return base / name; }

// Owners are move-only: no copy, nothrow moves.
template <class T>
static constexpr bool move_only()
{
    return !std::is_copy_constructible<T>::value && !std::is_copy_assignable<T>::value &&
           std::is_nothrow_move_constructible<T>::value && std::is_nothrow_move_assignable<T>::value;
}
static_assert(move_only<mlops::store>(), "store");
static_assert(move_only<mlops::run>(), "run");
static_assert(move_only<mlops::blob_writer>(), "blob_writer");
static_assert(move_only<mlops::blob_reader>(), "blob_reader");
static_assert(move_only<mlops::blob_list>(), "blob_list");
static_assert(move_only<mlops::ref_list>(), "ref_list");
static_assert(move_only<mlops::experiment>(), "experiment");
static_assert(move_only<mlops::experiments>(), "experiments");
static_assert(move_only<mlops::run_info>(), "run_info");
static_assert(move_only<mlops::run_infos>(), "run_infos");
static_assert(move_only<mlops::model>(), "model");
static_assert(move_only<mlops::models>(), "models");
static_assert(move_only<mlops::model_version>(), "model_version");
static_assert(move_only<mlops::model_versions>(), "model_versions");
static_assert(move_only<mlops::alias_split>(), "alias_split");
static_assert(move_only<mlops::alias_splits>(), "alias_splits");
static_assert(move_only<mlops::route_snapshot>(), "route_snapshot");
static_assert(move_only<mlops::audit_events>(), "audit_events");
static_assert(move_only<mlops::version_lineage>(), "version_lineage");
static_assert(move_only<mlops::evaluation>(), "evaluation");
static_assert(move_only<mlops::evaluations>(), "evaluations");
static_assert(move_only<mlops::gate>(), "gate");
static_assert(move_only<mlops::gate_decision>(), "gate_decision");
static_assert(move_only<mlops::remotes>(), "remotes");
static_assert(move_only<mlops::profile>(), "profile");
static_assert(move_only<mlops::drift_report>(), "drift_report");
static_assert(move_only<mlops::eval_classes>(), "eval_classes");
static_assert(move_only<mlops::calibration_bins>(), "calibration_bins");
static_assert(move_only<mlops::fairness_frame>(), "fairness_frame");
static_assert(move_only<mlops::schema>(), "schema");
static_assert(move_only<mlops::anomalies>(), "anomalies");
static_assert(move_only<mlops::monitor>(), "monitor");
static_assert(move_only<mlops::monitors>(), "monitors");
static_assert(move_only<mlops::monitor_series>(), "monitor_series");
static_assert(move_only<mlops::c_array<mlops_metric_point>>(), "c_array");
#if __cplusplus >= 202002L
static_assert(std::is_same<mlops::view<double>, std::span<const double>>::value, "view is std::span");
#endif

static mlops::store open_store(const std::string &name)
{
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    return mlops::store(tmp(name).string(), &o);
}

// An Ed25519 key pair as PEM (private, public), made with OpenSSL.
static std::pair<std::string, std::string> ed25519_keys()
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    BIO *b1 = BIO_new(BIO_s_mem()), *b2 = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b1, k, nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(b2, k);
    char *p1 = nullptr, *p2 = nullptr;
    long n1 = BIO_get_mem_data(b1, &p1), n2 = BIO_get_mem_data(b2, &p2);
    std::pair<std::string, std::string> out(std::string(p1, static_cast<size_t>(n1)),
                                            std::string(p2, static_cast<size_t>(n2)));
    BIO_free(b1);
    BIO_free(b2);
    EVP_PKEY_free(k);
    return out;
}

/* ---- errors, digests, library ------------------------------------------------ */

static void test_errors_and_digests()
{
    CHECK(mlops::version() == MLOPS_VERSION_STRING);
    unsigned before = mlops::thread_limit();
    mlops::set_thread_limit(2);
    CHECK(mlops::thread_limit() == 2);
    mlops::set_thread_limit(before);
    CHECK_THROWS(mlops::set_thread_limit(1000), MLOPS_EINVAL, "1000");

    mlops::digest d = mlops::digest::of("abc");
    CHECK(d.str() == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(mlops::digest::parse(d.str()) == d);
    CHECK(mlops::digest::of("abd") != d);
    CHECK_THROWS(mlops::digest::parse("sha256:xyz"), MLOPS_EINVAL, "mlops_digest_parse");

    // The message is the thread's mlops_last_error(); code() the code.
    try {
        mlops::store s(tmp("no/such/dir/store").string(), nullptr);
        mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
        o.create_if_missing = 0;
        mlops::store t(tmp("missing").string(), &o);
        CHECK(false);
    } catch (const mlops::error &e) {
        CHECK(e.code() == MLOPS_ENOTFOUND || e.code() == MLOPS_EIO);
        CHECK(std::string(e.what()) == mlops_last_error());
        const std::runtime_error &base_ref = e;
        CHECK(std::string(base_ref.what()).find("missing") != std::string::npos ||
              std::string(base_ref.what()).find("no/such") != std::string::npos);
    }
    CHECK_THROWS(mlops::key_fingerprint("not a key"), MLOPS_EFORMAT, "mlops_key_fingerprint");
    auto keys = ed25519_keys();
    CHECK(mlops::key_fingerprint(keys.first) == mlops::key_fingerprint(keys.second));
}

/* ---- content: blobs, streams, iterators, refs, trees, maintenance --------------- */

static void test_content()
{
    mlops::store s = open_store("content");
    CHECK(s.path().find("content") != std::string::npos);
    CHECK(s.format_version() >= 4);

    mlops::digest d = s.put("hello, world");
    CHECK(d == mlops::digest::of("hello, world"));
    CHECK(s.get_bytes(d) == "hello, world");
    CHECK(s.read_at(d, 7, 100) == "world");
    CHECK(s.exists(d));
    CHECK(!s.exists(mlops::digest::of("absent")));
    CHECK(s.stat(d).size == 12);
    CHECK_THROWS(s.get_bytes(mlops::digest::of("absent")), MLOPS_ENOTFOUND, "mlops_blob_get");
    CHECK_THROWS(s.put_file(tmp("nofile").string()), MLOPS_ENOTFOUND, "nofile");

    {
        std::ofstream f(tmp("model.bin"), std::ios::binary);
        f << std::string(100000, 'w');
    }
    mlops::digest fd = s.put_file(tmp("model.bin").string());
    CHECK(fd == mlops::digest::of(std::string(100000, 'w')));
    s.get_file(fd, tmp("model.out").string());
    CHECK(fs::file_size(tmp("model.out")) == 100000);

    // Streaming writer: commit, and abort by destructor and by abort().
    mlops::blob_writer w = s.writer();
    w.write("part one, ");
    w.write("part two");
    mlops::blob_writer w2 = std::move(w);
    CHECK(!w);
    CHECK(static_cast<bool>(w2));
    mlops::digest wd = w2.commit();
    CHECK(!w2);
    CHECK(wd == mlops::digest::of("part one, part two"));
    CHECK_THROWS(w2.commit(), MLOPS_EINVAL, "mlops_blob_writer_commit");
    {
        mlops::blob_writer dropped = s.writer();
        dropped.write("never committed");
    }
    mlops::blob_writer ab = s.writer();
    ab.write("aborted");
    ab.abort();
    CHECK(!ab);
    CHECK(!s.exists(mlops::digest::of("never committed")));
    CHECK(!s.exists(mlops::digest::of("aborted")));

    // Streaming reader.
    mlops::blob_reader r = s.reader(wd);
    CHECK(r.size() == 18);
    std::string got = r.read(5);
    CHECK(got == "part ");
    mlops::blob_reader r2 = std::move(r);
    char buf[64];
    size_t n = r2.read(buf, sizeof buf);
    CHECK(std::string(buf, n) == "one, part two");
    CHECK(r2.read().empty());
    r = std::move(r2);
    CHECK(r.get() != nullptr && r2.get() == nullptr);

    // Blob iterator in digest order, range-for.
    std::vector<std::string> seen;
    for (const mlops::blob_entry &e : s.blobs(MLOPS_KIND_BLOB)) {
        seen.push_back(e.id.str());
        CHECK(e.info.kind == MLOPS_KIND_BLOB);
    }
    CHECK(seen.size() == 3);
    CHECK(std::is_sorted(seen.begin(), seen.end()));

    // References.
    s.ref_set("models/a", d);
    s.ref_set("models/b", fd);
    s.ref_set("other", wd);
    CHECK(s.ref_get("models/b") == fd);
    std::vector<std::string> names;
    mlops::ref_list refs = s.refs("models/");
    for (auto it = refs.begin(); it != refs.end(); ++it) names.push_back(it->name);
    CHECK((names == std::vector<std::string>{"models/a", "models/b"}));
    size_t all = 0;
    for (const auto &e : s.refs()) all += e.name.empty() ? 0 : 1;
    CHECK(all == 3);
    s.ref_delete("other");
    CHECK_THROWS(s.ref_get("other"), MLOPS_ENOTFOUND, "other");

    // Trees.
    fs::create_directories(tmp("dir/sub"));
    std::ofstream(tmp("dir/a.txt")) << "A";
    std::ofstream(tmp("dir/sub/b.txt")) << "B";
    mlops::digest t = s.tree_put(tmp("dir").string());
    s.tree_get(t, tmp("dir-out").string());
    CHECK(fs::exists(tmp("dir-out/sub/b.txt")));

    // Maintenance.
    mlops::fsck_result fr = s.fsck();
    CHECK(fr.ok());
    CHECK(fr.report.objects > 0 && fr.report.issues == nullptr);
    mlops_gc_opts go = MLOPS_GC_OPTS_INIT;
    go.grace_ms = 0;
    go.dry_run = 1;
    mlops_gc_report gr = s.gc(&go);
    CHECK(gr.contents >= 1);  // wd's ref was deleted
    mlops::store dst = open_store("copy");
    mlops_store_copy_report cr = s.copy_to(dst);
    CHECK(cr.version == MLOPS_STORE_COPY_REPORT_VERSION);
    CHECK(dst.get_bytes(d) == "hello, world");

    // Remotes: a directory remote, pushed and pulled by ref.
    s.remote_add("backup", tmp("remote").string());
    s.remote_add("spare", tmp("spare").string());
    mlops::remotes rl = s.list_remotes();
    CHECK(rl.size() == 2);
    CHECK(rl[0].name == "backup" && rl[0].url == tmp("remote").string());
    s.remote_remove("spare");
    CHECK(s.list_remotes().size() == 1);
    CHECK_THROWS(s.remote_add("bad name", "/x"), MLOPS_EINVAL, "bad name");
    mlops_transfer_report pr = s.push("backup", {"ref:models/a"});
    CHECK(pr.contents == 1);
    mlops::store other = open_store("pulled");
    other.remote_add("backup", tmp("remote").string());
    mlops_transfer_report pl = other.pull("backup", {"ref:models/a"});
    CHECK(pl.contents == 1);
    CHECK(other.ref_get("models/a") == d);

}

/* ---- tracking: experiments, runs, metrics, search, lineage ----------------------- */

static void test_tracking()
{
    mlops::store s = open_store("track");
    int64_t exp = s.create_experiment("mnist");
    int64_t other = s.create_experiment("scratch");
    CHECK(s.get_experiment(exp).name() == "mnist");
    mlops::experiment e = s.get_experiment("mnist");
    CHECK(e.id() == exp && e.created_ms() > 0 && e.deleted_ms() == 0 && e.updated_ms() >= e.created_ms());
    s.experiment_tag_set(exp, "team", "vision");
    s.experiment_tag_set(exp, "zone", "eu");
    s.experiment_tag_delete(exp, "zone");
    mlops::experiment e2 = s.get_experiment(exp);
    CHECK(e2.tag("team") == std::optional<std::string>("vision"));
    CHECK(!e2.tag("zone"));
    CHECK(e2.tags().size() == 1);
    s.rename_experiment(other, "scratch2");
    s.delete_experiment(other);
    CHECK(s.list_experiments().size() == 1);
    CHECK(s.list_experiments(MLOPS_LIFECYCLE_ALL).size() == 2);
    s.restore_experiment(other);
    std::vector<std::string> en;
    for (mlops::experiment_view v : s.list_experiments()) en.push_back(v.name());
    CHECK((en == std::vector<std::string>{"mnist", "scratch2"}));
    CHECK_THROWS(s.get_experiment("nope"), MLOPS_ENOTFOUND, "nope");
    CHECK_THROWS(s.create_experiment("mnist"), MLOPS_EEXIST, "mnist");

    mlops::run r = s.start_run(exp, "baseline");
    std::string id = r.id();
    CHECK(id.size() == 32 && r.experiment_id() == exp);
    r.log_param("lr", "0.01");
    r.log_params({{"epochs", "3"}, {"batch", "64"}});
    r.log_metric("loss", 1.0, 0);
    std::vector<mlops::metric> batch;
    for (int64_t step = 1; step <= 10; step++) batch.push_back({"loss", 1.0 / static_cast<double>(step + 1), step, 0});
    r.log_metrics(batch);
    mlops_metric cpoints[2] = {{"acc", 0.5, 1, 0}, {"acc", 0.75, 2, 0}};
    r.log_metrics(mlops::view<mlops_metric>(cpoints, 2));
    r.tag_set("note", "first");
    r.tag_set("tmp", "x");
    r.tag_delete("tmp");
    mlops::digest data = s.put("training data");
    mlops::digest out = s.put("weights");
    r.log_input(data, "train.csv", "dataset");
    r.log_output(out, "model", "model");
    CHECK_THROWS(r.log_param("lr", "0.02"), MLOPS_ECONFLICT, "lr");
    CHECK_THROWS(r.log_metric("", 1.0), MLOPS_EINVAL, "mlops_run_log_metric");

    // A second handle on the same run; then end it through the first.
    mlops::run again = s.open_run(id);
    CHECK(again.id() == id);
    mlops::run moved = std::move(r);
    CHECK(!r && moved);
    moved.end();
    CHECK_THROWS(moved.end(), MLOPS_ECONFLICT, id);

    mlops_run_start_opts so = MLOPS_RUN_START_OPTS_INIT;
    so.name = "child";
    so.parent_run_id = id.c_str();
    mlops::run child = s.start_run(exp, so);
    child.log_metric("loss", 0.5, 1);
    child.end(MLOPS_RUN_FAILED);

    mlops::run_info info = s.get_run(id);
    CHECK(info.id() == id && info.name() == "baseline" && info.experiment_id() == exp);
    CHECK(info.status() == MLOPS_RUN_FINISHED && info.end_ms() >= info.start_ms() && info.deleted_ms() == 0);
    CHECK(info.parent_id().empty());
    CHECK(info.param("epochs") == std::optional<std::string>("3"));
    CHECK(!info.param("absent"));
    CHECK(info.params().size() == 3 && info.params()[0].first == "batch");
    CHECK(info.tag("note") == std::optional<std::string>("first"));
    CHECK(!info.tags().empty());
    mlops::view<mlops_metric_summary> ms = info.metrics();
    CHECK(ms.size() == 2);
    CHECK(std::string(ms[0].key) == "acc" && ms[0].last == 0.75);
    CHECK(std::string(ms[1].key) == "loss" && ms[1].count == 11 && ms[1].last_step == 10);
    size_t counted = 0;
    for (const mlops_metric_summary &m : info.metrics()) counted += static_cast<size_t>(m.count);
    CHECK(counted == 13);
    CHECK(info.metric("loss")->min == 1.0 / 11.0);
    CHECK(!info.metric("absent"));
    CHECK(info.lineage().size() == 2 && info.lineage()[0].direction == MLOPS_LINEAGE_INPUT);

    mlops::c_array<mlops_metric_point> hist = s.metric_history(id, "loss");
    CHECK(hist.size() == 11 && hist[0].value == 1.0 && hist[10].step == 10);
    double sum = 0;
    for (const mlops_metric_point &p : hist) sum += p.value;
    CHECK(sum > 1.0);
    mlops::view<mlops_metric_point> hv = hist.items();
    CHECK(hv.size() == 11 && hv.data() == hist.data());
    mlops_history_opts ho = MLOPS_HISTORY_OPTS_INIT;
    ho.step_min = 5;
    CHECK(s.metric_history(id, "loss", &ho).size() == 6);
    CHECK_THROWS(s.metric_history(id, "nope"), MLOPS_ENOTFOUND, "nope");

    mlops::c_array<mlops_lineage_edge> edges = s.lineage_for_run(id);
    CHECK(edges.size() == 2 && std::string(edges[1].name) == "model");
    CHECK(s.lineage_for_digest(data).size() == 1);
    CHECK(s.lineage_for_digest(s.put("unrelated")).empty());

    mlops::run_infos runs = s.list_runs(exp);
    CHECK(runs.size() == 2);
    size_t nruns = 0;
    for (mlops::run_info_view v : runs) nruns += v.id().size() == 32;
    CHECK(nruns == 2);
    mlops_search_opts q = MLOPS_SEARCH_OPTS_INIT;
    q.filter = "metrics.loss < 0.6";
    q.max_results = 1;
    std::string token;
    mlops::run_infos page = s.search_runs(&q, &token);
    CHECK(page.size() == 1 && !token.empty());
    q.page_token = token.c_str();
    std::string token2;
    mlops::run_infos page2 = s.search_runs(&q, &token2);
    CHECK(page2.size() == 1 && token2.empty() && page2[0].id() != page[0].id());
    q.filter = "metrics.loss <";
    q.page_token = nullptr;
    CHECK_THROWS(s.search_runs(&q), MLOPS_EINVAL, "filter");
    CHECK(s.search_runs().size() == 2);

    std::string html = s.compare_runs_html({id, child.id()});
    CHECK(html.find("<html") != std::string::npos || html.find("<!DOCTYPE") != std::string::npos);

    s.delete_run(child.id());
    CHECK(s.list_runs(exp).size() == 1);
    s.restore_run(child.id());
    CHECK(s.list_runs(exp, MLOPS_LIFECYCLE_ACTIVE).size() == 2);
    mlops_run *raw = again.release();
    CHECK(!again);
    mlops_run_free(raw);
}

/* ---- registry: models, versions, aliases, routing, audit, evaluations, gates ---- */

static void test_registry()
{
    mlops::store s = open_store("registry");
    int64_t exp = s.create_experiment("e");
    mlops::run r = s.start_run(exp);
    r.log_metric("auc", 0.9, 1);
    mlops::digest art = s.put("model v1");
    mlops::digest ds = s.put("dataset");
    r.log_input(ds, "data", "dataset");
    r.end();

    s.create_model("churn", "predicts churn", mlops::change{"alice", "first"});
    s.create_model("other");
    CHECK_THROWS(s.create_model("churn"), MLOPS_EEXIST, "churn");
    s.model_set_description("churn", "churn model");
    s.model_tag_set("churn", "team", "growth");
    s.model_tag_set("churn", "tmp", "x");
    s.model_tag_delete("churn", "tmp");
    s.rename_model("other", "other2");
    s.delete_model("other2");
    int64_t v1 = s.create_version("churn", art, r.id(), "first version");
    int64_t v2 = s.create_version("churn", s.put("model v2"));
    int64_t v3 = s.create_version("churn", s.put("model v3"));
    CHECK(v1 == 1 && v2 == 2 && v3 == 3);

    mlops::model m = s.get_model("churn");
    CHECK(m.name() == "churn" && m.description() == "churn model" && m.max_version() == 3);
    CHECK(m.tag("team") == std::optional<std::string>("growth") && m.tags().size() == 1);
    CHECK(m.created_ms() > 0 && m.updated_ms() >= m.created_ms() && m.deleted_ms() == 0);
    CHECK_THROWS(s.get_model("other2"), MLOPS_ENOTFOUND, "other2");
    mlops::models ml = s.search_models();
    CHECK(ml.size() == 1 && ml[0].name() == "churn");
    mlops_model_search_ex_opts mo = MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    mo.lifecycle = MLOPS_LIFECYCLE_ALL;
    size_t nm = 0;
    for (mlops::model_view v : s.search_models(&mo)) nm += !v.name().empty();
    CHECK(nm == 2);

    mlops::model_version mv = s.get_version("churn", v1);
    CHECK(mv.model() == "churn" && mv.number() == 1 && mv.artifact() == art && mv.run_id() == r.id());
    CHECK(mv.description() == "first version" && !mv.creator().empty() && mv.status() == MLOPS_VERSION_READY);
    CHECK(mv.created_ms() > 0 && mv.updated_ms() >= mv.created_ms() && mv.deleted_ms() == 0);
    s.version_tag_set("churn", v1, "stage", "qa");
    s.version_tag_set("churn", v1, "tmp", "y");
    s.version_tag_delete("churn", v1, "tmp");
    s.version_set_description("churn", v1, "v1");
    s.version_set_status("churn", v3, MLOPS_VERSION_ARCHIVED);
    s.delete_version("churn", v3);
    mlops::model_versions vl = s.list_versions("churn");
    CHECK(vl.size() == 2 && vl[1].number() == 2 && vl[1].run_id().empty());
    CHECK(vl[0].tag("stage") == std::optional<std::string>("qa") && vl[0].tags().size() == 1);
    CHECK(s.list_versions("churn", MLOPS_LIFECYCLE_DELETED).size() == 1);

    auto keys = ed25519_keys();
    s.sign_version("churn", v1, keys.first);
    s.verify_version("churn", v1, keys.second);
    CHECK(s.get_version("churn", v1).signature_count() == 1);
    CHECK_THROWS(s.verify_version("churn", v2, keys.second), MLOPS_ESIGNATURE, "churn");

    mlops::version_lineage lin = s.get_version_lineage("churn", v1);
    CHECK(lin.version() == 1 && lin.artifact() == art);
    CHECK(lin.run() && lin.run()->id() == r.id() && lin.run()->metric("auc")->last == 0.9);
    CHECK(lin.inputs().size() == 1 && lin.inputs()[0].digest.bytes[0] == ds.c().bytes[0]);
    CHECK(!s.get_version_lineage("churn", v2).run());

    // Aliases, splits, routing.
    s.alias_set("churn", "champion", v1);
    CHECK(s.alias_get("churn", "champion") == v1);
    auto res = s.resolve("churn@champion");
    CHECK(res.first == v1 && res.second == art);
    CHECK(s.resolve("churn/2").first == 2);
    s.alias_set("churn", "canary", v1);
    s.alias_split_set("churn", "canary", "1:90,2:10");
    s.alias_ramp("churn", "canary", v2, 20);
    mlops::alias_split sp = s.get_alias_split("churn", "canary");
    CHECK(sp.alias() == "canary" && sp.text() == "1:80,2:20" && sp.primary() == 1 && sp.shadow() == 0);
    CHECK((sp.entries() == std::vector<std::pair<int64_t, int>>{{1, 80}, {2, 20}}) && !sp.salt().empty());
    mlops::alias_splits sps = s.list_alias_splits("churn");
    CHECK(sps.size() == 2 && sps[0].alias() == "canary" && sps[1].text() == "1");
    int64_t routed = s.route("churn", "canary", "user-42");
    mlops::route_snapshot snap = s.get_route_snapshot("churn", "canary");
    CHECK(snap.route("user-42") == routed);
    CHECK(snap.split().text() == "1:80,2:20");
    size_t to2 = 0;
    for (int i = 0; i < 1000; i++) to2 += snap.route("user-" + std::to_string(i)) == 2;
    CHECK(to2 > 100 && to2 < 300);
    m = s.get_model("churn");
    CHECK(m.aliases().size() == 2 && m.aliases()[1].first == "champion");
    s.alias_delete("churn", "canary");
    CHECK_THROWS(s.alias_get("churn", "canary"), MLOPS_ENOTFOUND, "canary");

    // Audit.
    s.audit_verify();
    mlops::audit_events evs = s.audit_model_events("churn");
    CHECK(evs.size() > 5);
    CHECK(std::string(evs[0].action) == "model.create" && std::string(evs[0].actor) == "alice");
    int64_t last = 0;
    for (const mlops_audit_event &ev : s.audit_list()) {
        CHECK(ev.seq > last);
        last = ev.seq;
    }
    CHECK(s.audit_list(last - 1, 10).size() == 1);

    // Evaluations and gates.
    const char *names[] = {"auc", "latency_ms"};
    double v1vals[] = {0.80, 10}, v2vals[] = {0.85, 9};
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 2;
    in.names = names;
    in.values = v1vals;
    int64_t e1 = s.record_evaluation("churn", v1, ds, in, mlops::change{"ci", "nightly"});
    in.values = v2vals;
    s.record_evaluation("churn", v2, ds, in);
    mlops::evaluation ev = s.get_evaluation(e1);
    CHECK(ev.id() == e1 && ev.model() == "churn" && ev.model_version() == v1 && ev.dataset() == ds);
    CHECK(ev.created_ms() > 0 && ev.actor() == "ci" && ev.reason() == "nightly");
    CHECK(ev.metrics().size() == 2 && ev.metric("auc").value == 0.80);
    CHECK_THROWS(ev.metric("nope"), MLOPS_ENOTFOUND, "nope");
    mlops::evaluations el = s.list_evaluations("churn", v2);
    CHECK(el.size() == 1 && el[0].metric("latency_ms").value == 9);

    s.gate_set("churn", "champion", {"metrics.auc >= baseline.metrics.auc", "metrics.auc >= 0.9"}, &ds);
    mlops::gate g = s.get_gate("churn", "champion");
    CHECK(g.conditions().size() == 2 && g.dataset() && *g.dataset() == ds);
    mlops::gate_decision refused = s.promote("churn", v2, "champion");
    CHECK(refused.gated() && !refused.passed() && !refused.forced() && refused.baseline() == v1);
    CHECK(refused.checks().size() == 2 && refused.checks()[1].outcome == MLOPS_GATE_FAIL);
    CHECK(s.alias_get("churn", "champion") == v1);
    s.gate_set("churn", "champion", {"metrics.auc >= baseline.metrics.auc"}, &ds);
    mlops::gate_decision ok = s.promote("churn", v2, "champion");
    CHECK(ok.gated() && ok.passed() && ok.event() > 0);
    CHECK(s.alias_get("churn", "champion") == v2);
    mlops_promote_opts po = MLOPS_PROMOTE_OPTS_INIT;
    po.force = 1;
    CHECK_THROWS(s.promote("churn", v1, "champion", &po), MLOPS_EINVAL, "reason");
    s.gate_clear("churn", "champion");
    CHECK_THROWS(s.get_gate("churn", "champion"), MLOPS_ENOTFOUND, "champion");

    std::string page = s.model_page_html("churn");
    CHECK(page.find("churn") != std::string::npos);
}

/* ---- drift, evaluation, fairness, validation --------------------------------- */

static void test_statistics()
{
    std::vector<double> ref, cur;
    for (int i = 0; i < 500; i++) {
        ref.push_back(std::sin(i * 0.37) * 10);
        cur.push_back(std::sin(i * 0.37) * 10 + 3);
    }
    mlops_test_result ks = mlops::drift_ks(ref, cur);
    CHECK(ks.statistic > 0.1 && ks.p_value < 0.01);
    CHECK(mlops::drift_wasserstein(ref, cur) > 2.9);
    CHECK(mlops::drift_psi(ref, cur, 10) > 0.1);
    std::vector<double> rc = {10, 20, 30}, cc = {30, 20, 10}, bad = {1, 2};
    CHECK(mlops::drift_chisq(rc, cc).p_value < 0.001);
    CHECK_THROWS(mlops::drift_chisq(rc, bad), MLOPS_EINVAL, "3 and 2");
    CHECK_THROWS(mlops::drift_ks(ref, std::vector<double>{}), MLOPS_EINVAL, "mlops_drift_ks");

    // Profiles.
    mlops::profile p(MLOPS_PROFILE_NUMERIC);
    p.add(ref);
    mlops::profile half = p.new_like();
    half.add(mlops::view<double>(ref.data(), 10));
    CHECK(half.kind() == MLOPS_PROFILE_NUMERIC);
    mlops::profile cp = mlops::profile::deserialize(p.serialize());
    cp.merge(half);
    CHECK(cp.summary().count == 510);
    p.freeze();
    CHECK(p.summary().frozen == 1 && p.summary().count == 500);
    mlops::view<double> edges = p.edges();
    CHECK(edges.size() >= 2 && edges[0] <= edges[edges.size() - 1]);
    CHECK(std::fabs(p.quantile(0.5)) < 2.0);
    mlops::profile pc = p.new_like();
    pc.add(cur);
    pc.freeze();
    CHECK(p.compare(pc).psi > 0.1);
    CHECK(p.compare_values(ref).psi < 0.01);
    CHECK_THROWS(p.quantile(2.0), MLOPS_EINVAL, "mlops_profile_quantile");
    mlops::profile cat(MLOPS_PROFILE_CATEGORICAL);
    cat.add_strings({"a", "b", "a"});
    CHECK(cat.category_count("a") == 2);
    CHECK_THROWS(mlops::profile(99), MLOPS_EINVAL, "99");
    mlops::profile moved = std::move(cat);
    CHECK(moved.get() && !cat.get());

    mlops::store s = open_store("stats");
    mlops::digest pd = s.put_profile(p);
    CHECK(s.get_profile(pd).summary().count == 500);

    // Drift reports.
    std::vector<double> ccodes = {1, 2, 1, 2, 1, 1}, ccur = {2, 2, 2, 2, 1, 2};
    mlops::drift_report rep = mlops::drift_report::compute(
        {{"x", MLOPS_COLUMN_NUMERIC, ref, cur}, {"c", MLOPS_COLUMN_CATEGORICAL, ccodes, ccur}});
    CHECK(rep.columns().size() == 2 && std::string(rep.columns()[0]->name) == "x");
    CHECK(rep.columns()[0]->drifted == 1 && rep->n_columns == 2 && (*rep).n_drifted >= 1);
    CHECK(rep.dataset_drift() == ((*rep).dataset_drift != 0));
    CHECK(rep.json().find("\"x\"") != std::string::npos);
    CHECK(rep.html().find("<svg") != std::string::npos);
    int64_t exp = s.create_experiment("monitor");
    mlops::run mr = s.start_run(exp);
    mr.log_drift_report(rep, 1);
    mr.end();
    CHECK(s.get_run(mr.id()).metrics().size() > 0);
    CHECK_THROWS(mlops::drift_report::compute({{"x", 77, ref, cur}}), MLOPS_EINVAL, "x");

    // Evaluation.
    std::vector<double> yt = {1, 2, 3, 4}, yp = {1, 2, 3, 5};
    CHECK(mlops::eval_regression(MLOPS_METRIC_MAE, yt, yp).value == 0.25);
    CHECK_THROWS(mlops::eval_regression(MLOPS_METRIC_MAE, yt, std::vector<double>{1}), MLOPS_EINVAL, "4 and 1");
    std::vector<int> lt = {0, 1, 1, 0, 1, 2}, lp = {0, 1, 0, 0, 1, 2};
    CHECK(std::fabs(mlops::eval_labels(MLOPS_METRIC_ACCURACY, lt, lp).value - 5.0 / 6.0) < 1e-12);
    mlops::eval_classes pcs = mlops::eval_per_class(lt, lp);
    CHECK(pcs.size() == 3 && pcs[2].label == 2 && pcs[2].precision == 1.0);
    double support = 0;
    for (const mlops_eval_class &c : pcs) support += c.support;
    CHECK(support == 6);
    std::vector<int> bt = {0, 0, 1, 1};
    std::vector<double> sc = {0.1, 0.4, 0.35, 0.8};
    CHECK(mlops::eval_scores(MLOPS_METRIC_ROC_AUC, bt, sc, 1).value == 0.75);
    CHECK_THROWS(mlops::eval_scores(MLOPS_METRIC_ROC_AUC, bt, sc, 2), MLOPS_EINVAL, "8 and 4");
    mlops::calibration cal = mlops::eval_calibration(bt, sc, 1);
    CHECK(cal.result.ece > 0 && cal.bins.size() > 0);
    uint64_t binned = 0;
    for (const mlops_calibration_bin &b : cal.bins) binned += b.count;
    CHECK(binned == 4);

    // Fairness.
    std::vector<int> ft = {1, 0, 1, 0, 1, 0}, fp = {1, 0, 0, 0, 1, 1}, groups = {0, 0, 0, 1, 1, 1};
    mlops_eval_data ed = MLOPS_EVAL_DATA_INIT;
    ed.n = ft.size();
    ed.labels_true = ft.data();
    ed.labels_pred = fp.data();
    mlops::fairness_frame ff = mlops::fairness_frame::build(MLOPS_METRIC_SELECTION_RATE, ed, groups);
    CHECK(ff.size() == 2 && ff[0].group == 0 && std::fabs(ff[0].value - 1.0 / 3.0) < 1e-12);
    CHECK(std::fabs(ff.overall().value - 0.5) < 1e-12);
    CHECK(std::fabs(ff.difference().value - 1.0 / 3.0) < 1e-12);
    CHECK(std::fabs(ff.ratio().value - 0.5) < 1e-12);
    CHECK(ff.difference(MLOPS_FAIRNESS_TO_OVERALL).value > 0);
    size_t ng = 0;
    for (const mlops_fairness_group &gr : ff) ng += gr.count;
    CHECK(ng == 6);
    // groups has one item per sample: C reads data.n of them, so a shorter
    // view is refused before the call (it read past the vector).
    std::vector<int> short_groups = {0, 0, 0, 1, 1};
    CHECK_THROWS(mlops::fairness_frame::build(MLOPS_METRIC_SELECTION_RATE, ed, short_groups), MLOPS_EINVAL,
                 "6 and 5");

    // Validation.
    mlops::schema sch;
    mlops_schema_column col = MLOPS_SCHEMA_COLUMN_INIT;
    col.name = "age";
    col.kind = MLOPS_PROFILE_NUMERIC;
    col.checks = MLOPS_SCHEMA_CHECK_RANGE | MLOPS_SCHEMA_CHECK_PRESENCE;
    col.min = 0;
    col.max = 120;
    sch.set(col);
    mlops_schema_column tmpcol = MLOPS_SCHEMA_COLUMN_INIT;
    tmpcol.name = "tmp";
    tmpcol.kind = MLOPS_PROFILE_NUMERIC;
    sch.set(tmpcol);
    sch.remove("tmp");
    CHECK(sch.column_count() == 1 && std::string(sch.column(0).name) == "age");
    CHECK(sch.find("age") == std::optional<size_t>(0) && !sch.find("tmp"));
    CHECK_THROWS(sch.remove("tmp"), MLOPS_ENOTFOUND, "tmp");
    mlops::schema back = mlops::schema::deserialize(sch.serialize());
    mlops::schema fromj = mlops::schema::from_json(back.json());
    CHECK(fromj.json() == sch.json());
    CHECK_THROWS(mlops::schema::from_json("{"), MLOPS_EFORMAT, "mlops_schema_from_json");
    double ages[] = {30, 200, 40};
    const char *cities[] = {"Paris", "Rome", nullptr};
    mlops_validate_opts vo = MLOPS_VALIDATE_OPTS_INIT;
    mlops::anomalies an = sch.validate({{"age", MLOPS_PROFILE_NUMERIC, ages, nullptr},
                                        {"city", MLOPS_PROFILE_CATEGORICAL, nullptr, cities}},
                                       3, &vo);
    CHECK(an.size() == 2 && an[0].kind == MLOPS_ANOMALY_OUT_OF_RANGE && an[1].kind == MLOPS_ANOMALY_UNKNOWN_COLUMN);
    CHECK(an[0].n_examples == 1 && an[0].example_rows[0] == 1);
    size_t nan_ = 0;
    for (const mlops_anomaly &a : an) nan_ += std::string(a.column).size();
    CHECK(nan_ == 7);
    double ok_ages[] = {30, 40, 50};
    CHECK(sch.validate({{"age", MLOPS_PROFILE_NUMERIC, ok_ages, nullptr}}, 3).empty());
    mlops::schema inferred = mlops::schema::infer({"x"}, {&p});
    CHECK(inferred.column_count() == 1 && inferred.column(0).kind == MLOPS_PROFILE_NUMERIC);
    mlops::digest sd = s.put_schema(sch);
    CHECK(s.get_schema(sd).json() == sch.json());
    mlops::schema sm = std::move(sch);
    CHECK(sm.get() && !sch.get());
}

/* ---- monitors ------------------------------------------------------------------------ */

static void test_monitors()
{
    const int64_t HOUR = 3600000, T0 = 1767225600000;  // 2026-01-01T00:00Z, a whole hour
    const char *cats[] = {"a", "b", "c"};
    mlops::store s = open_store("monitors");
    // References: x uniform on [0, 10), c with three equal categories.
    mlops::profile px(MLOPS_PROFILE_NUMERIC), pc(MLOPS_PROFILE_CATEGORICAL);
    std::vector<double> ref_x;
    std::vector<std::string> ref_c;
    for (int i = 0; i < 3000; i++) {
        ref_x.push_back((i * 37 % 1000) / 100.0);
        ref_c.push_back(cats[i % 3]);
    }
    px.add(ref_x);
    pc.add_strings(ref_c);
    std::vector<mlops_monitor_column> cols = {
        {"x", s.put_profile(px).c(), MLOPS_DRIFT_METHOD_AUTO, NAN},
        {"c", s.put_profile(pc).c(), MLOPS_DRIFT_METHOD_AUTO, NAN},
    };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = cols.size();
    sp.columns = cols.data();
    sp.min_rows = 10;
    sp.alpha = 0.001;
    s.create_monitor("churn", sp);
    s.create_monitor("churn", sp);  // the same spec: nothing changes
    mlops_monitor_spec other = sp;
    other.window_ms = 2 * HOUR;
    CHECK_THROWS(s.create_monitor("churn", other), MLOPS_ECONFLICT, "another spec");
    s.create_monitor("acme", sp);

    // Snapshots: one monitor, and the list.
    mlops::monitor m = s.get_monitor("churn");
    CHECK(m.name() == "churn" && m.spec().window_ms == HOUR && m.spec().min_rows == 10);
    CHECK(m.columns().size() == 2 && std::string(m.columns()[1].name) == "c");
    CHECK(mlops::digest(m.columns()[0].reference) == mlops::digest(cols[0].reference));
    CHECK(m.status().state == MLOPS_MONITOR_INACTIVE && m.status().judged_to_ms == INT64_MIN);
    mlops::monitor m2 = std::move(m);
    CHECK(m2.get() && !m.get() && m2.name() == "churn");
    mlops::monitors l = s.list_monitors();
    CHECK(l.size() == 2 && l[0].name() == "acme" && l[1].spec().n_columns == 2);
    std::string names;
    for (mlops::monitor_view v : l) names += v.name() + ",";
    CHECK(names == "acme,churn,");
    s.delete_monitor("acme");
    CHECK_THROWS(s.get_monitor("acme"), MLOPS_ENOTFOUND, "acme");
    CHECK_THROWS(s.delete_monitor("acme"), MLOPS_ENOTFOUND, "acme");
    CHECK(s.list_monitors().size() == 1);

    // Three hours of 200 rows, the middle one drifted (x shifted by 100,
    // c always "c"), given out of time order.
    std::vector<int64_t> t;
    std::vector<double> x;
    std::vector<const char *> c;
    for (int h : {2, 1, 0})
        for (int i = 0; i < 200; i++) {
            t.push_back(T0 + h * HOUR + i * 1000);
            x.push_back((i * 37 % 1000) / 100.0 + (h == 1 ? 100.0 : 0.0));
            c.push_back(h == 1 ? "c" : cats[i % 3]);
        }
    mlops_monitor_ingest_opts io = MLOPS_MONITOR_INGEST_OPTS_INIT;
    io.threads = 1;
    mlops_monitor_ingest_result res = s.monitor_ingest("churn", t, {{"c", {}, c}, {"x", x, {}}}, &io);
    CHECK(res.rows == 600 && res.windows == 3 && res.late_rows == 0);
    // No row: nothing changes (each column still gives its kind of array).
    mlops::view<double> no_x(x.data(), 0);
    mlops::view<const char *> no_c(c.data(), 0);
    CHECK(s.monitor_ingest("churn", mlops::view<int64_t>(t.data(), 0), {{"x", no_x, {}}, {"c", {}, no_c}}).rows == 0);
    CHECK_THROWS(s.monitor_ingest("churn", t, {{"x", {}, {}}, {"c", {}, c}}), MLOPS_EINVAL, "numeric");
    std::vector<double> short_x(x.begin(), x.end() - 1);
    CHECK_THROWS(s.monitor_ingest("churn", t, {{"x", short_x, {}}, {"c", {}, c}}), MLOPS_EINVAL,
                 "monitor_ingest");
    CHECK_THROWS(s.monitor_ingest("churn", t, {{"x", x, {}}, {"y", {}, c}}), MLOPS_EINVAL, "no column 'y'");
    CHECK_THROWS(s.monitor_ingest("nope", t, {{"x", x, {}}, {"c", {}, c}}), MLOPS_ENOTFOUND, "nope");

    // Judge the three hours: firing on the drifted one, resolved after.
    mlops_monitor_check_opts co = MLOPS_MONITOR_CHECK_OPTS_INIT;
    co.now_ms = T0 + 3 * HOUR;
    mlops_monitor_status st = s.monitor_check("churn", &co);
    CHECK(st.judged_to_ms == T0 + 3 * HOUR && st.windows_judged == 3 && st.state == MLOPS_MONITOR_INACTIVE);
    CHECK(s.get_monitor("churn").status().windows_judged == 3);
    CHECK_THROWS(s.monitor_check("nope", &co), MLOPS_ENOTFOUND, "nope");

    std::vector<mlops_monitor_event> ev = s.monitor_events("churn");
    CHECK(ev.size() == 2);
    if (ev.size() == 2) {
        CHECK(ev[0].kind == MLOPS_MONITOR_EVENT_FIRING && ev[0].window_start_ms == T0 + HOUR);
        CHECK(ev[1].kind == MLOPS_MONITOR_EVENT_RESOLVED && ev[1].window_start_ms == T0 + 2 * HOUR);
        CHECK(ev[0].checked_ms == co.now_ms && ev[1].seq > ev[0].seq);
        // Polling: after the first seq comes the second, after it nothing.
        std::vector<mlops_monitor_event> next = s.monitor_events_after("churn", ev[0].seq);
        CHECK(next.size() == 1 && next[0].seq == ev[1].seq);
        CHECK(s.monitor_events_after("churn", ev[1].seq).empty());
        CHECK(s.monitor_events_after("churn", 0, 1).size() == 1);
    }
    // The page names the monitor and draws its charts; an unknown one throws.
    std::string page = s.monitor_page_html("churn");
    CHECK(page.find("churn") != std::string::npos && page.find("<svg") != std::string::npos);
    CHECK_THROWS(s.monitor_page_html("nope"), MLOPS_ENOTFOUND, "nope");
    mlops_monitor_events_opts eo = MLOPS_MONITOR_EVENTS_OPTS_INIT;
    eo.from_ms = T0 + 3 * HOUR;  // window ends from then on: the resolved one only
    CHECK(s.monitor_events("churn", &eo).size() == 1);
    eo = MLOPS_MONITOR_EVENTS_OPTS_INIT;
    eo.limit = 0;
    CHECK_THROWS(s.monitor_events("churn", &eo), MLOPS_EINVAL, "limit");

    // The series: windows in time order, their cells, iteration.
    mlops::monitor_series sr = s.get_monitor_series("churn");
    CHECK(sr.size() == 3 && sr.column_count() == 2 && sr.column_name(0) == "x" && sr.column_name(1) == "c");
    CHECK(sr.column_name(2).empty());
    CHECK(sr.window(0).start_ms == T0 && sr.window(0).end_ms == T0 + HOUR && sr.window(0).rows == 200);
    CHECK(sr.window(1).state == MLOPS_MONITOR_WINDOW_BREACH && sr.window(1).n_drifted == 2);
    CHECK(sr[2].state == MLOPS_MONITOR_WINDOW_CLEAR && sr[2].judged_rows == 200);
    CHECK(sr.cell(1, 0).drifted == 1 && sr.cell(1, 1).drifted == 1 && std::isnan(sr.cell(1, 0).p_value) == false);
    CHECK(sr.cell(0, 0).drifted == 0 && sr.cell(0, 0).statistic >= 0);
    CHECK_THROWS(sr.window(3), MLOPS_EINVAL, "");
    CHECK_THROWS(sr.cell(0, 2), MLOPS_EINVAL, "");
    std::vector<int> states;
    for (const mlops_monitor_window &w : sr) states.push_back(w.state);
    CHECK((states == std::vector<int>{MLOPS_MONITOR_WINDOW_CLEAR, MLOPS_MONITOR_WINDOW_BREACH,
                                       MLOPS_MONITOR_WINDOW_CLEAR}));
    CHECK(s.get_monitor_series("churn", T0 + HOUR, T0 + 2 * HOUR).size() == 1);
    CHECK_THROWS(s.get_monitor_series("nope"), MLOPS_ENOTFOUND, "nope");
    mlops::monitor_series sr2 = std::move(sr);
    CHECK(!sr && sr2 && sr.size() == 0 && sr2.size() == 3);

    // The wall clock (now: long after 2026-01-01) judges nothing new.
    CHECK(s.monitor_check("churn").windows_judged == 3);

    // Row windows of 4 rows, a regressor whose prediction is x, labels later.
    mlops_monitor_spec rs = sp;
    rs.n_columns = 1;
    rs.window_kind = MLOPS_MONITOR_WINDOW_ROWS;
    rs.min_rows = 1;
    mlops_monitor_ext rx = MLOPS_MONITOR_EXT_INIT;
    rx.window_rows = 4;
    rx.task = MLOPS_MONITOR_TASK_REGRESSION;
    rx.prediction_column = "x";
    rx.id_column = "id";
    s.create_monitor("reg", rs, rx);
    mlops_monitor_ext got = s.get_monitor("reg").ext();
    CHECK(got.window_rows == 4 && got.task == MLOPS_MONITOR_TASK_REGRESSION);
    std::vector<int64_t> rt(6, 0);
    std::vector<double> pred = {1, 2, 3, 4, 5, 6}, ids = {10, 11, 12, 13, 14, 15};
    s.monitor_ingest("reg", rt, {{"x", pred, {}}, {"id", ids, {}}});
    std::vector<std::string> lid = {"10", "11", "12", "13", "14", "99"};
    std::vector<double> y = {1, 2, 3, 6, 5, 0};  // errors 0, 0, 0, -2 in window 0
    mlops_monitor_labels_result lr = s.monitor_labels("reg", lid, y);
    CHECK(lr.matched == 5 && lr.unknown_ids == 1 && lr.windows == 2);
    CHECK_THROWS(s.monitor_labels("reg", lid, std::vector<std::string>(6, "a")), MLOPS_EINVAL, "");
    CHECK_THROWS(s.monitor_labels("reg", lid, std::vector<double>(2, 1.0)), MLOPS_EINVAL, "arrays");
    mlops::monitor_series rsr = s.get_monitor_series("reg");
    CHECK(rsr.size() == 2);
    mlops_monitor_performance pf = rsr.performance(0);
    CHECK(pf.labels == 4 && pf.mae == 0.5 && pf.mse == 1.0 && pf.mean_error == -0.5);
    CHECK(rsr.performance(1).labels == 1);
    CHECK_THROWS(rsr.performance(2), MLOPS_EINVAL, "");
}

/* ---- views and the generic owners --------------------------------------------------- */

static void test_views_and_moves()
{
    std::vector<double> v = {1, 2, 3};
    mlops::view<double> a = v;
    CHECK(a.size() == 3 && a[1] == 2 && !a.empty() && *a.begin() == 1 && a.end() - a.begin() == 3);
    mlops::view<double> none;
    CHECK(none.empty() && none.size() == 0);

    // The store owner itself: moves, release, create (nothing open on it).
    {
        mlops::store st = open_store("store-moves");
        mlops::store moved = std::move(st);
        CHECK(!st && moved);
        st = std::move(moved);
        CHECK(st && !moved);
        mlops_store *raw = st.release();
        CHECK(!st);
        mlops_store_close(raw);
        mlops::store created = mlops::store::create(tmp("created").string());
        CHECK(created.exists(mlops::digest::of("x")) == false);
        CHECK_THROWS(mlops::store::create(tmp("created").string()), MLOPS_EEXIST, "created");
    }

    mlops::store s = open_store("moves");
    int64_t exp = s.create_experiment("e");
    mlops::experiments l = s.list_experiments();
    mlops::experiments l2 = std::move(l);
    CHECK(!l && l2 && l.size() == 0 && l2.size() == 1);
    l = std::move(l2);
    CHECK(l.size() == 1 && l[0].id() == exp);
    mlops_experiments *raw = l.release();
    CHECK(!l && raw);
    mlops_experiments_free(raw);
    mlops::experiment e = s.get_experiment(exp);
    mlops::experiment e2 = std::move(e);
    CHECK(e2.get() && !e.get() && e2.name() == "e");
    // A moved-from snapshot owner views nothing (the C getters' 0 and
    // NULL), not the snapshot its new owner frees, and is false.
    CHECK(e.id() == 0 && e.name().empty() && e2.id() == exp);
    CHECK((std::is_constructible<bool, const mlops::experiment &>::value));
    {
        mlops::experiment e3 = std::move(e2);
        CHECK(e3.name() == "e");
    }
    CHECK(e2.name().empty() && e2.tags().empty() && !e2.tag("k"));
    e = s.get_experiment(exp);
    e2 = std::move(e);
    CHECK(e.name().empty() && e2.name() == "e" && e2.id() == exp);
    {
        mlops::store s2 = open_store("moves-snapshots");
        mlops::run r0 = s2.start_run(s2.create_experiment("e"));
        r0.end();
        s2.create_model("m");
        s2.create_version("m", s2.put("w"), r0.id());
        mlops::run_info ri = s2.get_run(r0.id());
        mlops::run_info ri2 = std::move(ri);
        CHECK(ri.id().empty() && ri.metrics().empty() && ri2.id() == r0.id());
        mlops::model_version mv0 = s2.get_version("m", 1);
        mlops::model_version mv1 = std::move(mv0);
        CHECK(mv0.number() == 0 && mv0.artifact() == mlops::digest() && mv1.number() == 1);
        mlops_model_version *rawv = mv1.release();
        CHECK(mv1.number() == 0 && rawv);
        mlops_model_version_free(rawv);
        mlops::version_lineage vl = s2.get_version_lineage("m", 1);
        mlops::version_lineage vl2 = std::move(vl);
        CHECK(vl.artifact() == mlops::digest() && vl2.artifact() == mlops::digest::of("w"));
        std::vector<double> x = {1, 2, 3};
        mlops::drift_report dr = mlops::drift_report::compute({{"x", MLOPS_COLUMN_NUMERIC, x, x}});
        mlops::drift_report dr2 = std::move(dr);
        CHECK(dr.columns().empty() && !dr.dataset_drift() && dr2.columns().size() == 1);
    }

    mlops::c_array<mlops_metric_point> empty;
    CHECK(empty.empty() && empty.begin() == empty.end());
    mlops::run r = s.start_run(exp);
    r.log_metric("m", 1, 1);
    mlops::c_array<mlops_metric_point> h = s.metric_history(r.id(), "m");
    mlops::c_array<mlops_metric_point> h2 = std::move(h);
    CHECK(h.size() == 0 && h2.size() == 1 && h2[0].value == 1);

    // Each owner can be left empty by a move and destroyed.
    mlops::model_versions mv;
    CHECK(!mv && mv.size() == 0 && mv.begin() == mv.end());
    mlops::blob_list bl = s.blobs();
    mlops::blob_list bl2 = std::move(bl);
    CHECK(bl.get() == nullptr && bl2.get() != nullptr);
    CHECK(bl2.begin() == bl2.end());  // no blob in this store
}

int main()
{
    const char *t = std::getenv("MLOPS_TEST_TMPDIR");
    fs::path root = t && *t ? fs::path(t) : fs::temp_directory_path();
    fs::create_directories(root);
    std::string templ = (root / "cpp-XXXXXX").string();
    if (!mkdtemp(&templ[0])) {
        std::perror("mkdtemp");
        return 1;
    }
    base = templ;

    const std::pair<const char *, void (*)()> tests[] = {
        {"errors_and_digests", test_errors_and_digests},
        {"content", test_content},
        {"tracking", test_tracking},
        {"registry", test_registry},
        {"statistics", test_statistics},
        {"monitors", test_monitors},
        {"views_and_moves", test_views_and_moves},
    };
    std::cout << "1.." << std::size(tests) << "\n";
    int n = 0, failed_tests = 0;
    for (const auto &tc : tests) {
        current = tc.first;
        int before = failures;
        try {
            tc.second();
        } catch (const std::exception &e) {
            std::cout << "# " << current << ": unexpected exception: " << e.what() << "\n";
            failures++;
        }
        bool ok = failures == before;
        failed_tests += !ok;
        std::cout << (ok ? "ok " : "not ok ") << ++n << " - " << tc.first << "\n";
    }
    std::error_code ec;
    fs::remove_all(base, ec);
    return failed_tests ? 1 : 0;
}
