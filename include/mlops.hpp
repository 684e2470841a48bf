/*
 * libmlops — the C++ header: RAII owners, exceptions and standard types
 * over the C API of <mlops.h>. C++17, header-only, opt-in (the C headers
 * stay pure C and nothing here is compiled into the library).
 *
 * What it is, and is not:
 * - Every method is one call (or a few) into the C API; this header has no
 *   behaviour of its own. The C headers (include/mlops/<name>.h) say what each
 *   call does, its errors and its threads; a method's comment names the C
 *   function it calls.
 * - Owners are move-only: one per handle type of the C API (the store, a
 *   run, readers, writers, iterators, lists, snapshots, reports, profiles,
 *   schemas, evaluations, gates, monitors...). The destructor calls the C
 *   release function (mlops_*_free, _close, _abort); a moved-from owner holds
 *   nothing. `.get()` returns the raw handle, to call any C function this
 *   header has no method for (`mlops_model_alias_policy_set(s.get(), ...)`);
 *   `.release()` gives it up. Snapshots borrowed from a list (`*_view`)
 *   live as long as the list.
 * - A failing call throws mlops::error: std::runtime_error whose what() is
 *   the thread's mlops_last_error() message and whose code() is the
 *   MLOPS_E* code. Nothing else throws except std::bad_alloc.
 * - Strings go in as std::string_view (copied into a NUL-terminated string
 *   for the call; where the C API takes NULL for "none", an empty view
 *   passes NULL) and come out as std::string (copied) or std::optional
 *   when absent. Arrays come out as std::vector, or as mlops::view<T> over
 *   memory the owner keeps: std::span<const T> under C++20, a small span
 *   of our own (data, size, begin, end, [], empty) under C++17.
 * - Options are the C structs (MLOPS_*_OPTS_INIT), passed by pointer
 *   (nullptr: defaults), as the C functions take them.
 * - Threads: as in C. A store may be shared by threads; the other owners
 *   are used by one thread at a time unless the C header says otherwise.
 *   Runs, writers, readers and iterators use their store's connections:
 *   destroy them before the store (declared after it, they are).
 *
 *   #include <mlops.hpp>
 *   mlops::store s("/data/store");
 *   mlops::digest d = s.put("some bytes");
 *   std::cout << d.str() << '\n';
 */
#ifndef MLOPS_HPP
#define MLOPS_HPP

#include <mlops.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#if __cplusplus >= 202002L
#include <span>
#endif

namespace mlops {

/* ---- Errors -------------------------------------------------------------- */

/* A failed call: code() is the MLOPS_E* code, what() the message the
 * library set on this thread (mlops_last_error), or the code's name
 * (mlops_strerror) when it set none. */
class error : public std::runtime_error {
public:
    error(int code, const std::string &message) : std::runtime_error(message), code_(code) {}
    /* The MLOPS_E* code. */
    int code() const noexcept { return code_; }

private:
    int code_;
};

namespace detail {

/* Two arrays that the C call reads with one length must have it: else
 * MLOPS_EINVAL, before any call (the one check this header makes). */
inline void same_size(const char *what, size_t a, size_t b)
{
    if (a != b)
        throw error(MLOPS_EINVAL, std::string(what) + ": arrays of " + std::to_string(a) + " and " +
                                      std::to_string(b) + " items");
}

/* Throws mlops::error for any code but MLOPS_OK. */
inline void check(int rc)
{
    if (rc == MLOPS_OK) return;
    const char *msg = mlops_last_error();
    throw error(rc, (msg && *msg) ? std::string(msg) : std::string(mlops_strerror(rc)));
}

/* A NUL-terminated copy of a view, for one call. */
inline std::string z(std::string_view s) { return std::string(s); }

/* A C string or "" for NULL. */
inline std::string str(const char *s) { return s ? std::string(s) : std::string(); }

/* A C string as an optional (NULL: none). */
inline std::optional<std::string> opt(const char *s)
{
    return s ? std::optional<std::string>(s) : std::nullopt;
}

/* Move-only owner of a C handle released with Free. */
template <class T, void (*Free)(T *)>
class handle {
public:
    handle() noexcept = default;
    explicit handle(T *p) noexcept : p_(p) {}
    handle(handle &&o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    handle &operator=(handle &&o) noexcept
    {
        if (this != &o) reset(o.release());
        return *this;
    }
    handle(const handle &) = delete;
    handle &operator=(const handle &) = delete;
    ~handle() { reset(); }

    /* The raw handle (still owned), for the C API. */
    T *get() const noexcept { return p_; }
    /* Gives the handle up: the caller releases it. */
    T *release() noexcept
    {
        T *p = p_;
        p_ = nullptr;
        return p;
    }
    /* Releases the handle held, if any, and holds p. */
    void reset(T *p = nullptr) noexcept
    {
        T *old = p_;
        p_ = p;
        if (old) Free(old);
    }
    /* Whether a handle is held (false after a move). */
    explicit operator bool() const noexcept { return p_ != nullptr; }

private:
    T *p_ = nullptr;
};

/* Owner of a snapshot that is also its view (experiment, run_info,
 * model...): the view's pointer follows the handle, so that a moved-from
 * owner holds nothing, views nothing (the C getters give 0 and NULL) and
 * is false. */
template <class View, class T, void (*Free)(T *)>
class owned_view : public View {
public:
    explicit owned_view(T *p) noexcept : View(p), h_(p) {}
    owned_view(owned_view &&o) noexcept : View(o.h_.get()), h_(std::move(o.h_))
    {
        static_cast<View &>(o) = View(nullptr);
    }
    owned_view &operator=(owned_view &&o) noexcept
    {
        if (this != &o) {
            h_ = std::move(o.h_);
            static_cast<View &>(*this) = View(h_.get());
            static_cast<View &>(o) = View(nullptr);
        }
        return *this;
    }
    /* The raw snapshot (still owned), for the C API. */
    T *get() const noexcept { return h_.get(); }
    /* Gives the snapshot up: the caller frees it. */
    T *release() noexcept
    {
        static_cast<View &>(*this) = View(nullptr);
        return h_.release();
    }
    /* Whether a snapshot is held (false after a move). */
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }

private:
    handle<T, Free> h_;
};

inline void free_char(char *p) { mlops_free(p); }

/* A string the library malloc'd, copied out and released. */
inline std::string take(char *p)
{
    handle<char, free_char> h(p);
    return p ? std::string(p) : std::string();
}

inline std::string take(void *p, size_t len)
{
    handle<char, free_char> h(static_cast<char *>(p));
    return p ? std::string(static_cast<const char *>(p), len) : std::string();
}

}  // namespace detail

/* ---- Views over arrays ---------------------------------------------------- */

#if __cplusplus >= 202002L
/* A read-only view of n items owned elsewhere: std::span under C++20. */
template <class T>
using view = std::span<const T>;
#else
/* A read-only view of n items owned elsewhere (std::span under C++20). */
template <class T>
class view {
public:
    using element_type = const T;
    using value_type = T;
    using iterator = const T *;
    constexpr view() noexcept = default;
    constexpr view(const T *data, size_t n) noexcept : data_(data), n_(n) {}
    view(const std::vector<T> &v) noexcept : data_(v.data()), n_(v.size()) {}
    constexpr const T *data() const noexcept { return data_; }
    constexpr size_t size() const noexcept { return n_; }
    constexpr bool empty() const noexcept { return n_ == 0; }
    constexpr const T &operator[](size_t i) const noexcept { return data_[i]; }
    constexpr const T *begin() const noexcept { return data_; }
    constexpr const T *end() const noexcept { return data_ + n_; }

private:
    const T *data_ = nullptr;
    size_t n_ = 0;
};
#endif

namespace detail {
template <class T>
inline void free_array(T *p) { mlops_free(p); }
}  // namespace detail

/* An array the library malloc'd (released with mlops_free): metric
 * histories, lineage edges, bin edges. Iterable; items() is a view. */
template <class T>
class c_array {
public:
    c_array() noexcept = default;
    c_array(T *p, size_t n) noexcept : h_(p), n_(p ? n : 0) {}
    c_array(c_array &&o) noexcept : h_(std::move(o.h_)), n_(o.n_) { o.n_ = 0; }
    c_array &operator=(c_array &&o) noexcept
    {
        h_ = std::move(o.h_);
        n_ = o.n_;
        if (this != &o) o.n_ = 0;
        return *this;
    }
    size_t size() const noexcept { return n_; }
    bool empty() const noexcept { return n_ == 0; }
    const T &operator[](size_t i) const noexcept { return h_.get()[i]; }
    const T *data() const noexcept { return h_.get(); }
    const T *begin() const noexcept { return h_.get(); }
    const T *end() const noexcept { return h_.get() + n_; }
    /* The items as a view (std::span under C++20). */
    view<T> items() const noexcept { return view<T>(h_.get(), n_); }
    /* The raw array (still owned). */
    T *get() const noexcept { return h_.get(); }

private:
    detail::handle<T, detail::free_array<T>> h_;
    size_t n_ = 0;
};

/* ---- Library ---------------------------------------------------------------- */

/* The library's version, "MAJOR.MINOR.PATCH" (mlops_version). */
inline std::string version() { return mlops_version(); }
/* Sets the process-wide thread limit (mlops_set_thread_limit). */
inline void set_thread_limit(unsigned n) { detail::check(mlops_set_thread_limit(n)); }
/* The process-wide thread limit (mlops_thread_limit). */
inline unsigned thread_limit() { return mlops_thread_limit(); }

/* ---- Digests ------------------------------------------------------------------ */

/* A SHA-256 content digest (a value, not a handle). */
class digest {
public:
    digest() noexcept : d_() {}
    /* From the C struct. */
    digest(const mlops_digest &d) noexcept : d_(d) {}
    /* Parses "sha256:<64 lowercase hex>" (mlops_digest_parse). */
    static digest parse(std::string_view text)
    {
        digest d;
        detail::check(mlops_digest_parse(detail::z(text).c_str(), &d.d_));
        return d;
    }
    /* The digest of bytes (mlops_digest_compute). */
    static digest of(std::string_view bytes)
    {
        digest d;
        detail::check(mlops_digest_compute(bytes.data(), bytes.size(), &d.d_));
        return d;
    }
    /* The text form, "sha256:" and 64 hex digits (mlops_digest_format). */
    std::string str() const
    {
        char text[MLOPS_DIGEST_STRLEN];
        detail::check(mlops_digest_format(&d_, text));
        return text;
    }
    /* The C struct. */
    const mlops_digest &c() const noexcept { return d_; }
    const mlops_digest *ptr() const noexcept { return &d_; }
    mlops_digest *ptr() noexcept { return &d_; }
    friend bool operator==(const digest &a, const digest &b) noexcept
    {
        for (size_t i = 0; i < sizeof a.d_.bytes; i++)
            if (a.d_.bytes[i] != b.d_.bytes[i]) return false;
        return true;
    }
    friend bool operator!=(const digest &a, const digest &b) noexcept { return !(a == b); }

private:
    mlops_digest d_;
};

/* The fingerprint of a PEM public or private key (mlops_key_fingerprint). */
inline digest key_fingerprint(std::string_view pem)
{
    digest d;
    detail::check(mlops_key_fingerprint(detail::z(pem).c_str(), d.ptr()));
    return d;
}

/* ---- Lists ------------------------------------------------------------------ */

namespace detail {

/* Iterator by index over a list whose Traits::at(handle, i) gives an item. */
template <class Traits>
class index_iterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = typename Traits::value;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    index_iterator(const typename Traits::type *l, size_t i) noexcept : l_(l), i_(i) {}
    value_type operator*() const { return Traits::at(l_, i_); }
    index_iterator &operator++() noexcept
    {
        ++i_;
        return *this;
    }
    index_iterator operator++(int) noexcept
    {
        index_iterator t = *this;
        ++i_;
        return t;
    }
    bool operator==(const index_iterator &o) const noexcept { return i_ == o.i_; }
    bool operator!=(const index_iterator &o) const noexcept { return i_ != o.i_; }

private:
    const typename Traits::type *l_;
    size_t i_;
};

/* A list object of the C API (count, at, free): owner, size, [], range-for. */
template <class Traits>
class list {
public:
    using value_type = typename Traits::value;
    using iterator = index_iterator<Traits>;
    list() noexcept = default;
    explicit list(typename Traits::type *l) noexcept : h_(l) {}
    /* Number of items (mlops_*_count). */
    size_t size() const noexcept { return h_ ? Traits::count(h_.get()) : 0; }
    bool empty() const noexcept { return size() == 0; }
    /* Item i (mlops_*_at), borrowed from the list; i < size(). */
    value_type operator[](size_t i) const { return Traits::at(h_.get(), i); }
    iterator begin() const noexcept { return iterator(h_.get(), 0); }
    iterator end() const noexcept { return iterator(h_.get(), size()); }
    /* The raw list (still owned). */
    typename Traits::type *get() const noexcept { return h_.get(); }
    typename Traits::type *release() noexcept { return h_.release(); }
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }

private:
    handle<typename Traits::type, Traits::free> h_;
};

/* The pairs of a snapshot's tag_count/tag_at. */
template <class T>
std::vector<std::pair<std::string, std::string>> pairs(const T *o, size_t (*count)(const T *),
                                                       int (*at)(const T *, size_t, const char **,
                                                                 const char **))
{
    std::vector<std::pair<std::string, std::string>> out;
    size_t n = count(o);
    out.reserve(n);
    for (size_t i = 0; i < n; i++) {
        const char *k = nullptr, *v = nullptr;
        check(at(o, i, &k, &v));
        out.emplace_back(str(k), str(v));
    }
    return out;
}

/* NUL-terminated copies of views and the array of their pointers. */
class cstrings {
public:
    template <class Range>
    explicit cstrings(const Range &r)
    {
        for (const auto &s : r) s_.emplace_back(std::string_view(s));
        for (const auto &s : s_) p_.push_back(s.c_str());
    }
    const char *const *data() const noexcept { return p_.empty() ? nullptr : p_.data(); }
    size_t size() const noexcept { return p_.size(); }

private:
    std::vector<std::string> s_;
    std::vector<const char *> p_;
};

}  // namespace detail

/* The actor and reason of a registry change (mlops_change_opts); empty
 * means NULL: the store's actor, no reason. */
struct change {
    std::string actor;
    std::string reason;
    /* The C struct, pointing into this object. */
    mlops_change_opts c() const noexcept
    {
        mlops_change_opts o = MLOPS_CHANGE_OPTS_INIT;
        o.actor = actor.empty() ? nullptr : actor.c_str();
        o.reason = reason.empty() ? nullptr : reason.c_str();
        return o;
    }
};

/* ---- Tracking snapshots ------------------------------------------------------ */

/* An experiment snapshot, borrowed (from an `experiments` list or an
 * `experiment`). */
class experiment_view {
public:
    explicit experiment_view(const mlops_experiment *e) noexcept : e_(e) {}
    int64_t id() const noexcept { return mlops_experiment_id(e_); }
    std::string name() const { return detail::str(mlops_experiment_name(e_)); }
    int64_t created_ms() const noexcept { return mlops_experiment_created_ms(e_); }
    int64_t updated_ms() const noexcept { return mlops_experiment_updated_ms(e_); }
    /* 0 unless deleted. */
    int64_t deleted_ms() const noexcept { return mlops_experiment_deleted_ms(e_); }
    /* Tags in key order (mlops_experiment_tag_at). */
    std::vector<std::pair<std::string, std::string>> tags() const
    {
        return detail::pairs(e_, mlops_experiment_tag_count, mlops_experiment_tag_at);
    }
    /* One tag's value, none when absent (mlops_experiment_tag). */
    std::optional<std::string> tag(std::string_view key) const
    {
        return detail::opt(mlops_experiment_tag(e_, detail::z(key).c_str()));
    }
    const mlops_experiment *get() const noexcept { return e_; }

private:
    const mlops_experiment *e_;
};

/* An experiment snapshot it owns (mlops_experiment_get; mlops_experiment_free). */
class experiment : public detail::owned_view<experiment_view, mlops_experiment, mlops_experiment_free> {
public:
    explicit experiment(mlops_experiment *p) noexcept : detail::owned_view<experiment_view, mlops_experiment, mlops_experiment_free>(p) {}
};

namespace detail {
struct experiments_traits {
    using type = mlops_experiments;
    using value = experiment_view;
    static void free(type *l) { mlops_experiments_free(l); }
    static size_t count(const type *l) { return mlops_experiments_count(l); }
    static value at(const type *l, size_t i) { return value(mlops_experiments_at(l, i)); }
};
}  // namespace detail
/* A list of experiments (mlops_experiment_list_ex; mlops_experiments_free). */
using experiments = detail::list<detail::experiments_traits>;

/* A run snapshot, borrowed (from a `run_infos` list, a `run_info` or a
 * version's lineage). */
class run_info_view {
public:
    explicit run_info_view(const mlops_run_info *r) noexcept : r_(r) {}
    /* 32 hex digits. */
    std::string id() const { return detail::str(mlops_run_info_id(r_)); }
    int64_t experiment_id() const noexcept { return mlops_run_info_experiment_id(r_); }
    /* "" when the run has no name. */
    std::string name() const { return detail::str(mlops_run_info_name(r_)); }
    /* "" for a top-level run. */
    std::string parent_id() const { return detail::str(mlops_run_info_parent_id(r_)); }
    /* MLOPS_RUN_*. */
    int status() const noexcept { return mlops_run_info_status(r_); }
    int64_t start_ms() const noexcept { return mlops_run_info_start_ms(r_); }
    int64_t end_ms() const noexcept { return mlops_run_info_end_ms(r_); }
    int64_t deleted_ms() const noexcept { return mlops_run_info_deleted_ms(r_); }
    /* Params in key order (mlops_run_info_param_at). */
    std::vector<std::pair<std::string, std::string>> params() const
    {
        return detail::pairs(r_, mlops_run_info_param_count, mlops_run_info_param_at);
    }
    /* Tags in key order (mlops_run_info_tag_at). */
    std::vector<std::pair<std::string, std::string>> tags() const
    {
        return detail::pairs(r_, mlops_run_info_tag_count, mlops_run_info_tag_at);
    }
    std::optional<std::string> param(std::string_view key) const
    {
        return detail::opt(mlops_run_info_param(r_, detail::z(key).c_str()));
    }
    std::optional<std::string> tag(std::string_view key) const
    {
        return detail::opt(mlops_run_info_tag(r_, detail::z(key).c_str()));
    }
    /* The metric summaries in key order, borrowed (mlops_run_info_metrics). */
    view<mlops_metric_summary> metrics() const noexcept
    {
        size_t n = 0;
        const mlops_metric_summary *m = mlops_run_info_metrics(r_, &n);
        return view<mlops_metric_summary>(m, m ? n : 0);
    }
    /* One metric's summary, none when absent (mlops_run_info_metric). */
    std::optional<mlops_metric_summary> metric(std::string_view key) const
    {
        const mlops_metric_summary *m = mlops_run_info_metric(r_, detail::z(key).c_str());
        return m ? std::optional<mlops_metric_summary>(*m) : std::nullopt;
    }
    /* The lineage edges, inputs first, borrowed (mlops_run_info_lineage). */
    view<mlops_lineage_edge> lineage() const noexcept
    {
        size_t n = 0;
        const mlops_lineage_edge *e = mlops_run_info_lineage(r_, &n);
        return view<mlops_lineage_edge>(e, e ? n : 0);
    }
    const mlops_run_info *get() const noexcept { return r_; }

private:
    const mlops_run_info *r_;
};

/* A run snapshot it owns (mlops_run_get; mlops_run_info_free). */
class run_info : public detail::owned_view<run_info_view, mlops_run_info, mlops_run_info_free> {
public:
    explicit run_info(mlops_run_info *p) noexcept : detail::owned_view<run_info_view, mlops_run_info, mlops_run_info_free>(p) {}
};

namespace detail {
struct run_infos_traits {
    using type = mlops_run_infos;
    using value = run_info_view;
    static void free(type *l) { mlops_run_infos_free(l); }
    static size_t count(const type *l) { return mlops_run_infos_count(l); }
    static value at(const type *l, size_t i) { return value(mlops_run_infos_at(l, i)); }
};
}  // namespace detail
/* A list of run snapshots (mlops_run_list_ex, mlops_run_search_ex;
 * mlops_run_infos_free). */
using run_infos = detail::list<detail::run_infos_traits>;

/* One metric point to log (mlops_metric with an owned key). */
struct metric {
    std::string key;
    double value;
    int64_t step;
    int64_t ts_ms; /* 0: now */
};

class drift_report;

/* A live run, to log into (mlops_run_start / mlops_run_open;
 * mlops_run_free, which does not end the run: call end()). */
class run {
public:
    explicit run(mlops_run *r) noexcept : h_(r) {}
    /* 32 hex digits (mlops_run_id). */
    std::string id() const { return detail::str(mlops_run_id(h_.get())); }
    int64_t experiment_id() const noexcept { return mlops_run_experiment_id(h_.get()); }
    /* Ends the run with MLOPS_RUN_FINISHED, _FAILED or _KILLED (mlops_run_end). */
    void end(int status = MLOPS_RUN_FINISHED) { detail::check(mlops_run_end(h_.get(), status)); }
    /* mlops_run_log_param. */
    void log_param(std::string_view key, std::string_view value)
    {
        detail::check(mlops_run_log_param(h_.get(), detail::z(key).c_str(), detail::z(value).c_str()));
    }
    /* Several params in one transaction (mlops_run_log_params). */
    void log_params(const std::vector<std::pair<std::string, std::string>> &params)
    {
        std::vector<mlops_kv> kv;
        kv.reserve(params.size());
        for (const auto &p : params) kv.push_back(mlops_kv{p.first.c_str(), p.second.c_str()});
        detail::check(mlops_run_log_params(h_.get(), kv.data(), kv.size()));
    }
    /* One point (mlops_run_log_metric); ts_ms 0 is now. */
    void log_metric(std::string_view key, double value, int64_t step = 0, int64_t ts_ms = 0)
    {
        detail::check(mlops_run_log_metric(h_.get(), detail::z(key).c_str(), value, step, ts_ms));
    }
    /* A batch of points in one transaction (mlops_run_log_metrics). */
    void log_metrics(const std::vector<metric> &points)
    {
        std::vector<mlops_metric> m;
        m.reserve(points.size());
        for (const auto &p : points) m.push_back(mlops_metric{p.key.c_str(), p.value, p.step, p.ts_ms});
        detail::check(mlops_run_log_metrics(h_.get(), m.data(), m.size()));
    }
    /* A batch of C points whose keys the caller keeps (mlops_run_log_metrics). */
    void log_metrics(view<mlops_metric> points)
    {
        detail::check(mlops_run_log_metrics(h_.get(), points.data(), points.size()));
    }
    /* mlops_run_tag_set / mlops_run_tag_delete. */
    void tag_set(std::string_view key, std::string_view value)
    {
        detail::check(mlops_run_tag_set(h_.get(), detail::z(key).c_str(), detail::z(value).c_str()));
    }
    void tag_delete(std::string_view key)
    {
        detail::check(mlops_run_tag_delete(h_.get(), detail::z(key).c_str()));
    }
    /* Lineage: the run read / wrote content d (mlops_run_log_input / _output). */
    void log_input(const digest &d, std::string_view name, std::string_view role)
    {
        detail::check(mlops_run_log_input(h_.get(), d.ptr(), detail::z(name).c_str(), detail::z(role).c_str()));
    }
    void log_output(const digest &d, std::string_view name, std::string_view role)
    {
        detail::check(mlops_run_log_output(h_.get(), d.ptr(), detail::z(name).c_str(), detail::z(role).c_str()));
    }
    /* A drift report as metrics of this run (mlops_drift_report_log). */
    inline void log_drift_report(const drift_report &r, int64_t step = 0, int64_t ts_ms = 0);
    mlops_run *get() const noexcept { return h_.get(); }
    mlops_run *release() noexcept { return h_.release(); }
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }

private:
    detail::handle<mlops_run, mlops_run_free> h_;
};

/* ---- Registry snapshots --------------------------------------------------------- */

/* A model snapshot, borrowed (from a `models` list or a `model`). */
class model_view {
public:
    explicit model_view(const mlops_model *m) noexcept : m_(m) {}
    std::string name() const { return detail::str(mlops_model_name(m_)); }
    std::string description() const { return detail::str(mlops_model_description(m_)); }
    int64_t created_ms() const noexcept { return mlops_model_created_ms(m_); }
    int64_t updated_ms() const noexcept { return mlops_model_updated_ms(m_); }
    int64_t deleted_ms() const noexcept { return mlops_model_deleted_ms(m_); }
    /* The highest version number given so far. */
    int64_t max_version() const noexcept { return mlops_model_max_version(m_); }
    std::vector<std::pair<std::string, std::string>> tags() const
    {
        return detail::pairs(m_, mlops_model_tag_count, mlops_model_tag_at);
    }
    std::optional<std::string> tag(std::string_view key) const
    {
        return detail::opt(mlops_model_tag(m_, detail::z(key).c_str()));
    }
    /* (alias, version) pairs in alias order (mlops_model_alias_at). */
    std::vector<std::pair<std::string, int64_t>> aliases() const
    {
        std::vector<std::pair<std::string, int64_t>> out;
        size_t n = mlops_model_alias_count(m_);
        for (size_t i = 0; i < n; i++) {
            const char *a = nullptr;
            int64_t v = 0;
            detail::check(mlops_model_alias_at(m_, i, &a, &v));
            out.emplace_back(detail::str(a), v);
        }
        return out;
    }
    const mlops_model *get() const noexcept { return m_; }

private:
    const mlops_model *m_;
};

/* A model snapshot it owns (mlops_model_get; mlops_model_free). */
class model : public detail::owned_view<model_view, mlops_model, mlops_model_free> {
public:
    explicit model(mlops_model *p) noexcept : detail::owned_view<model_view, mlops_model, mlops_model_free>(p) {}
};

namespace detail {
struct models_traits {
    using type = mlops_models;
    using value = model_view;
    static void free(type *l) { mlops_models_free(l); }
    static size_t count(const type *l) { return mlops_models_count(l); }
    static value at(const type *l, size_t i) { return value(mlops_models_at(l, i)); }
};
}  // namespace detail
/* A list of models (mlops_model_search_ex; mlops_models_free). */
using models = detail::list<detail::models_traits>;

/* A model version snapshot, borrowed (from a `model_versions` list or a
 * `model_version`). */
class model_version_view {
public:
    explicit model_version_view(const mlops_model_version *v) noexcept : v_(v) {}
    std::string model() const { return detail::str(mlops_model_version_model(v_)); }
    int64_t number() const noexcept { return mlops_model_version_number(v_); }
    /* The zero digest for an empty (moved-from) owner. */
    digest artifact() const noexcept
    {
        const mlops_digest *d = mlops_model_version_artifact(v_);
        return d ? digest(*d) : digest();
    }
    /* "" when the version has no run. */
    std::string run_id() const { return detail::str(mlops_model_version_run_id(v_)); }
    std::string description() const { return detail::str(mlops_model_version_description(v_)); }
    std::string creator() const { return detail::str(mlops_model_version_creator(v_)); }
    /* MLOPS_VERSION_READY or _ARCHIVED. */
    int status() const noexcept { return mlops_model_version_status(v_); }
    int64_t created_ms() const noexcept { return mlops_model_version_created_ms(v_); }
    int64_t updated_ms() const noexcept { return mlops_model_version_updated_ms(v_); }
    int64_t deleted_ms() const noexcept { return mlops_model_version_deleted_ms(v_); }
    std::vector<std::pair<std::string, std::string>> tags() const
    {
        return detail::pairs(v_, mlops_model_version_tag_count, mlops_model_version_tag_at);
    }
    std::optional<std::string> tag(std::string_view key) const
    {
        return detail::opt(mlops_model_version_tag(v_, detail::z(key).c_str()));
    }
    /* Number of signatures (mlops_model_version_signature_count). */
    size_t signature_count() const noexcept { return mlops_model_version_signature_count(v_); }
    const mlops_model_version *get() const noexcept { return v_; }

private:
    const mlops_model_version *v_;
};

/* A version snapshot it owns (mlops_model_version_get; _free). */
class model_version : public detail::owned_view<model_version_view, mlops_model_version, mlops_model_version_free> {
public:
    explicit model_version(mlops_model_version *p) noexcept : detail::owned_view<model_version_view, mlops_model_version, mlops_model_version_free>(p) {}
};

namespace detail {
struct model_versions_traits {
    using type = mlops_model_versions;
    using value = model_version_view;
    static void free(type *l) { mlops_model_versions_free(l); }
    static size_t count(const type *l) { return mlops_model_versions_count(l); }
    static value at(const type *l, size_t i) { return value(mlops_model_versions_at(l, i)); }
};
}  // namespace detail
/* A list of versions (mlops_model_version_list_ex; mlops_model_versions_free). */
using model_versions = detail::list<detail::model_versions_traits>;

/* An alias's traffic split, borrowed (from `alias_splits`, an `alias_split`
 * or a `route_snapshot`). */
class alias_split_view {
public:
    explicit alias_split_view(const mlops_alias_split *s) noexcept : s_(s) {}
    std::string alias() const { return detail::str(mlops_alias_split_alias(s_)); }
    /* The split as text ("3:90,4:10"...). */
    std::string text() const { return detail::str(mlops_alias_split_text(s_)); }
    /* (version, weight) entries (mlops_alias_split_at). */
    std::vector<std::pair<int64_t, int>> entries() const
    {
        std::vector<std::pair<int64_t, int>> out;
        size_t n = mlops_alias_split_count(s_);
        for (size_t i = 0; i < n; i++) {
            int64_t v = 0;
            int w = 0;
            detail::check(mlops_alias_split_at(s_, i, &v, &w));
            out.emplace_back(v, w);
        }
        return out;
    }
    int64_t primary() const noexcept { return mlops_alias_split_primary(s_); }
    int64_t shadow() const noexcept { return mlops_alias_split_shadow(s_); }
    std::string salt() const { return detail::str(mlops_alias_split_salt(s_)); }
    const mlops_alias_split *get() const noexcept { return s_; }

private:
    const mlops_alias_split *s_;
};

/* A split it owns (mlops_model_alias_split_get; mlops_alias_split_free). */
class alias_split : public detail::owned_view<alias_split_view, mlops_alias_split, mlops_alias_split_free> {
public:
    explicit alias_split(mlops_alias_split *p) noexcept : detail::owned_view<alias_split_view, mlops_alias_split, mlops_alias_split_free>(p) {}
};

namespace detail {
struct alias_splits_traits {
    using type = mlops_alias_splits;
    using value = alias_split_view;
    static void free(type *l) { mlops_alias_splits_free(l); }
    static size_t count(const type *l) { return mlops_alias_splits_count(l); }
    static value at(const type *l, size_t i) { return value(mlops_alias_splits_at(l, i)); }
};
}  // namespace detail
/* Every alias's split of a model (mlops_model_alias_splits; _free). */
using alias_splits = detail::list<detail::alias_splits_traits>;

/* A routing snapshot: routes keys without the store (mlops_model_route_snapshot;
 * mlops_route_snapshot_free). May be used by several threads. */
class route_snapshot {
public:
    explicit route_snapshot(mlops_route_snapshot *s) noexcept : h_(s) {}
    /* The version key goes to (mlops_route_snapshot_route). */
    int64_t route(std::string_view key) const
    {
        int64_t v = 0;
        detail::check(mlops_route_snapshot_route(h_.get(), key.data(), key.size(), &v));
        return v;
    }
    /* The split it routes by, borrowed. */
    alias_split_view split() const noexcept { return alias_split_view(mlops_route_snapshot_split(h_.get())); }
    mlops_route_snapshot *get() const noexcept { return h_.get(); }

private:
    detail::handle<mlops_route_snapshot, mlops_route_snapshot_free> h_;
};

namespace detail {
struct audit_events_traits {
    using type = mlops_audit_events;
    using value = mlops_audit_event;
    static void free(type *l) { mlops_audit_events_free(l); }
    static size_t count(const type *l) { return mlops_audit_events_count(l); }
    static value at(const type *l, size_t i)
    {
        mlops_audit_event ev = MLOPS_AUDIT_EVENT_INIT;
        check(mlops_audit_events_get(l, i, &ev));
        return ev;
    }
};
}  // namespace detail
/* Audit events; items are mlops_audit_event structs whose strings the list
 * owns (mlops_audit_model_events, mlops_audit_list; mlops_audit_events_free). */
using audit_events = detail::list<detail::audit_events_traits>;

/* What a version came from: its run and that run's inputs
 * (mlops_model_version_lineage; mlops_version_lineage_free). */
class version_lineage {
public:
    explicit version_lineage(mlops_version_lineage *l) noexcept : h_(l) {}
    int64_t version() const noexcept { return mlops_version_lineage_version(h_.get()); }
    /* The zero digest for an empty (moved-from) owner. */
    digest artifact() const noexcept
    {
        const mlops_digest *d = mlops_version_lineage_artifact(h_.get());
        return d ? digest(*d) : digest();
    }
    /* The run, borrowed; none when the version has no run. */
    std::optional<run_info_view> run() const noexcept
    {
        const mlops_run_info *r = mlops_version_lineage_run(h_.get());
        return r ? std::optional<run_info_view>(run_info_view(r)) : std::nullopt;
    }
    /* The run's inputs, borrowed. */
    view<mlops_lineage_edge> inputs() const noexcept
    {
        size_t n = 0;
        const mlops_lineage_edge *e = mlops_version_lineage_inputs(h_.get(), &n);
        return view<mlops_lineage_edge>(e, e ? n : 0);
    }
    mlops_version_lineage *get() const noexcept { return h_.get(); }

private:
    detail::handle<mlops_version_lineage, mlops_version_lineage_free> h_;
};

/* An evaluation, borrowed (from `evaluations` or an `evaluation`). */
class evaluation_view {
public:
    explicit evaluation_view(const mlops_evaluation *e) noexcept : e_(e) {}
    int64_t id() const noexcept { return mlops_evaluation_id(e_); }
    std::string model() const { return detail::str(mlops_evaluation_model(e_)); }
    int64_t model_version() const noexcept { return mlops_evaluation_model_version(e_); }
    /* The zero digest for an empty (moved-from) owner. */
    digest dataset() const noexcept
    {
        const mlops_digest *d = mlops_evaluation_dataset(e_);
        return d ? digest(*d) : digest();
    }
    int64_t created_ms() const noexcept { return mlops_evaluation_created_ms(e_); }
    std::string actor() const { return detail::str(mlops_evaluation_actor(e_)); }
    std::string reason() const { return detail::str(mlops_evaluation_reason(e_)); }
    /* The metrics; names borrowed (mlops_evaluation_metric_at). */
    std::vector<mlops_evaluation_metric> metrics() const
    {
        std::vector<mlops_evaluation_metric> out;
        size_t n = mlops_evaluation_metric_count(e_);
        for (size_t i = 0; i < n; i++) {
            mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
            detail::check(mlops_evaluation_metric_at(e_, i, &m));
            out.push_back(m);
        }
        return out;
    }
    /* One metric by name (mlops_evaluation_metric_find); throws
     * MLOPS_ENOTFOUND when absent. */
    mlops_evaluation_metric metric(std::string_view name) const
    {
        mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
        detail::check(mlops_evaluation_metric_find(e_, detail::z(name).c_str(), &m));
        return m;
    }
    const mlops_evaluation *get() const noexcept { return e_; }

private:
    const mlops_evaluation *e_;
};

/* An evaluation it owns (mlops_evaluation_get; mlops_evaluation_free). */
class evaluation : public detail::owned_view<evaluation_view, mlops_evaluation, mlops_evaluation_free> {
public:
    explicit evaluation(mlops_evaluation *p) noexcept : detail::owned_view<evaluation_view, mlops_evaluation, mlops_evaluation_free>(p) {}
};

namespace detail {
struct evaluations_traits {
    using type = mlops_evaluations;
    using value = evaluation_view;
    static void free(type *l) { mlops_evaluations_free(l); }
    static size_t count(const type *l) { return mlops_evaluations_count(l); }
    static value at(const type *l, size_t i) { return value(mlops_evaluations_at(l, i)); }
};
}  // namespace detail
/* A page of evaluations (mlops_evaluation_list; mlops_evaluations_free). */
using evaluations = detail::list<detail::evaluations_traits>;

/* A promotion gate read back (mlops_model_gate_get; mlops_gate_free). */
class gate {
public:
    explicit gate(mlops_gate *g) noexcept : h_(g) {}
    /* The conditions in canonical text (mlops_gate_condition). */
    std::vector<std::string> conditions() const
    {
        std::vector<std::string> out;
        size_t n = mlops_gate_count(h_.get());
        for (size_t i = 0; i < n; i++) out.push_back(detail::str(mlops_gate_condition(h_.get(), i)));
        return out;
    }
    /* The dataset it names, none when any (mlops_gate_dataset). */
    std::optional<digest> dataset() const noexcept
    {
        const mlops_digest *d = mlops_gate_dataset(h_.get());
        return d ? std::optional<digest>(digest(*d)) : std::nullopt;
    }
    mlops_gate *get() const noexcept { return h_.get(); }

private:
    detail::handle<mlops_gate, mlops_gate_free> h_;
};

/* What a promotion's gate decided (mlops_model_promote; mlops_gate_decision_free). */
class gate_decision {
public:
    explicit gate_decision(mlops_gate_decision *d) noexcept : h_(d) {}
    bool gated() const noexcept { return mlops_gate_decision_gated(h_.get()) != 0; }
    bool passed() const noexcept { return mlops_gate_decision_passed(h_.get()) != 0; }
    bool forced() const noexcept { return mlops_gate_decision_forced(h_.get()) != 0; }
    int64_t baseline() const noexcept { return mlops_gate_decision_baseline(h_.get()); }
    /* The audit event's seq, 0 when nothing moved. */
    int64_t event() const noexcept { return mlops_gate_decision_event(h_.get()); }
    /* Each condition's outcome; strings borrowed (mlops_gate_decision_at). */
    std::vector<mlops_gate_check> checks() const
    {
        std::vector<mlops_gate_check> out;
        size_t n = mlops_gate_decision_count(h_.get());
        for (size_t i = 0; i < n; i++) {
            mlops_gate_check c = MLOPS_GATE_CHECK_INIT;
            detail::check(mlops_gate_decision_at(h_.get(), i, &c));
            out.push_back(c);
        }
        return out;
    }
    mlops_gate_decision *get() const noexcept { return h_.get(); }

private:
    detail::handle<mlops_gate_decision, mlops_gate_decision_free> h_;
};

/* ---- Remotes ------------------------------------------------------------------ */

/* A remote's name and URL. */
struct remote {
    std::string name;
    std::string url;
};

namespace detail {
struct remotes_traits {
    using type = mlops_remotes;
    using value = remote;
    static void free(type *l) { mlops_remotes_free(l); }
    static size_t count(const type *l) { return mlops_remotes_count(l); }
    static value at(const type *l, size_t i)
    {
        const char *n = nullptr, *u = nullptr;
        check(mlops_remotes_at(l, i, &n, &u));
        return remote{str(n), str(u)};
    }
};
}  // namespace detail
/* The store's remotes (mlops_remote_list; mlops_remotes_free). */
using remotes = detail::list<detail::remotes_traits>;

/* ---- Drift: profiles and reports ----------------------------------------------- */

/* A column's reference profile (mlops_profile_new; mlops_profile_free). */
class profile {
public:
    explicit profile(mlops_profile *p) noexcept : h_(p) {}
    /* A new profile of kind MLOPS_PROFILE_NUMERIC or _CATEGORICAL. */
    explicit profile(int kind, const mlops_profile_opts *opts = nullptr)
    {
        mlops_profile *p = nullptr;
        detail::check(mlops_profile_new(kind, opts, &p));
        h_.reset(p);
    }
    /* An empty profile with this one's kind and options (mlops_profile_new_like). */
    profile new_like() const
    {
        mlops_profile *p = nullptr;
        detail::check(mlops_profile_new_like(h_.get(), &p));
        return profile(p);
    }
    /* Reads a profile from mlops_profile_serialize's bytes (_deserialize). */
    static profile deserialize(std::string_view bytes)
    {
        mlops_profile *p = nullptr;
        detail::check(mlops_profile_deserialize(bytes.data(), bytes.size(), &p));
        return profile(p);
    }
    int kind() const noexcept { return mlops_profile_kind(h_.get()); }
    /* Adds values (mlops_profile_add / mlops_profile_add_strings). */
    void add(view<double> values) { detail::check(mlops_profile_add(h_.get(), values.data(), values.size())); }
    void add_strings(const std::vector<std::string> &values)
    {
        detail::cstrings c(values);
        detail::check(mlops_profile_add_strings(h_.get(), c.data(), c.size()));
    }
    /* mlops_profile_freeze, mlops_profile_merge. */
    void freeze() { detail::check(mlops_profile_freeze(h_.get())); }
    void merge(profile &from) { detail::check(mlops_profile_merge(h_.get(), from.get())); }
    /* mlops_profile_summary_get. */
    mlops_profile_summary summary() const
    {
        mlops_profile_summary s = MLOPS_PROFILE_SUMMARY_INIT;
        detail::check(mlops_profile_summary_get(h_.get(), &s));
        return s;
    }
    /* The bin edges of a frozen numeric profile, borrowed (mlops_profile_edges). */
    view<double> edges() const
    {
        const double *e = nullptr;
        size_t n = 0;
        detail::check(mlops_profile_edges(h_.get(), &e, &n));
        return view<double>(e, e ? n : 0);
    }
    /* mlops_profile_quantile, mlops_profile_category_count. */
    double quantile(double q) const
    {
        double v = 0;
        detail::check(mlops_profile_quantile(h_.get(), q, &v));
        return v;
    }
    uint64_t category_count(std::string_view value) const
    {
        uint64_t n = 0;
        detail::check(mlops_profile_category_count(h_.get(), detail::z(value).c_str(), &n));
        return n;
    }
    /* The bytes of the profile (mlops_profile_serialize). */
    std::string serialize()
    {
        void *b = nullptr;
        size_t n = 0;
        detail::check(mlops_profile_serialize(h_.get(), &b, &n));
        return detail::take(b, n);
    }
    /* Compares current data with this reference (mlops_profile_compare,
     * _compare_values, _compare_strings); opts: alpha in the struct. */
    mlops_profile_comparison compare(profile &cur)
    {
        mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
        detail::check(mlops_profile_compare(h_.get(), cur.get(), &c));
        return c;
    }
    mlops_profile_comparison compare_values(view<double> cur)
    {
        mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
        detail::check(mlops_profile_compare_values(h_.get(), cur.data(), cur.size(), &c));
        return c;
    }
    mlops_profile *get() const noexcept { return h_.get(); }
    mlops_profile *release() noexcept { return h_.release(); }

private:
    detail::handle<mlops_profile, mlops_profile_free> h_;
};

/* One column given to drift_report::compute: name, MLOPS_COLUMN_* kind and
 * both samples, borrowed for the call. */
struct drift_column {
    std::string_view name;
    int kind;
    view<double> ref;
    view<double> cur;
};

/* A dataset drift report (mlops_drift_report_compute; mlops_drift_report_free). */
class drift_report {
public:
    explicit drift_report(mlops_drift_report *r) noexcept : h_(r) {}
    /* Computes a report over columns (mlops_drift_report_compute). */
    static drift_report compute(const std::vector<drift_column> &columns,
                                const mlops_drift_report_opts *opts = nullptr)
    {
        std::vector<std::string> names;
        std::vector<const char *> pnames;
        std::vector<int> kinds;
        std::vector<const double *> ref, cur;
        std::vector<size_t> nref, ncur;
        for (const auto &c : columns) names.emplace_back(c.name);
        for (size_t i = 0; i < columns.size(); i++) {
            pnames.push_back(names[i].c_str());
            kinds.push_back(columns[i].kind);
            ref.push_back(columns[i].ref.data());
            nref.push_back(columns[i].ref.size());
            cur.push_back(columns[i].cur.data());
            ncur.push_back(columns[i].cur.size());
        }
        mlops_drift_report *r = nullptr;
        detail::check(mlops_drift_report_compute(columns.size(), pnames.data(), kinds.data(), ref.data(),
                                                 nref.data(), cur.data(), ncur.data(), opts, &r));
        return drift_report(r);
    }
    /* The report's struct (columns, n_drifted, dataset_drift...). */
    const mlops_drift_report &operator*() const noexcept { return *h_.get(); }
    const mlops_drift_report *operator->() const noexcept { return h_.get(); }
    /* The columns' results, borrowed. */
    view<const mlops_drift_column_result *> columns() const noexcept
    {
        if (!h_) return {};
        return view<const mlops_drift_column_result *>(h_.get()->columns, h_.get()->n_columns);
    }
    bool dataset_drift() const noexcept { return h_ && h_.get()->dataset_drift != 0; }
    /* mlops_drift_report_json, mlops_drift_report_html. */
    std::string json() const
    {
        char *j = nullptr;
        detail::check(mlops_drift_report_json(h_.get(), &j));
        return detail::take(j);
    }
    std::string html(const mlops_drift_html_opts *opts = nullptr) const
    {
        char *h = nullptr;
        detail::check(mlops_drift_report_html(h_.get(), opts, &h));
        return detail::take(h);
    }
    mlops_drift_report *get() const noexcept { return h_.get(); }

private:
    detail::handle<mlops_drift_report, mlops_drift_report_free> h_;
};

inline void run::log_drift_report(const drift_report &r, int64_t step, int64_t ts_ms)
{
    detail::check(mlops_drift_report_log(h_.get(), r.get(), step, ts_ms));
}

/* Two-sample statistics (mlops_drift_ks, mlops_drift_wasserstein,
 * mlops_drift_psi, mlops_drift_chisq); the others through the C API. */
inline mlops_test_result drift_ks(view<double> ref, view<double> cur)
{
    mlops_test_result r{};
    detail::check(mlops_drift_ks(ref.data(), ref.size(), cur.data(), cur.size(), &r));
    return r;
}
inline double drift_wasserstein(view<double> ref, view<double> cur)
{
    double d = 0;
    detail::check(mlops_drift_wasserstein(ref.data(), ref.size(), cur.data(), cur.size(), &d));
    return d;
}
inline double drift_psi(view<double> ref, view<double> cur, size_t bins)
{
    double d = 0;
    detail::check(mlops_drift_psi(ref.data(), ref.size(), cur.data(), cur.size(), bins, &d));
    return d;
}
inline mlops_test_result drift_chisq(view<double> ref_counts, view<double> cur_counts)
{
    detail::same_size("mlops::drift_chisq", ref_counts.size(), cur_counts.size());
    mlops_test_result r{};
    detail::check(mlops_drift_chisq(ref_counts.data(), cur_counts.data(), ref_counts.size(), &r));
    return r;
}

/* ---- Evaluation and fairness ------------------------------------------------------ */

namespace detail {
struct eval_classes_traits {
    using type = mlops_eval_classes;
    using value = mlops_eval_class;
    static void free(type *l) { mlops_eval_classes_free(l); }
    static size_t count(const type *l) { return mlops_eval_classes_count(l); }
    static value at(const type *l, size_t i) { return *mlops_eval_classes_at(l, i); }
};
struct calibration_bins_traits {
    using type = mlops_calibration_bins;
    using value = mlops_calibration_bin;
    static void free(type *l) { mlops_calibration_bins_free(l); }
    static size_t count(const type *l) { return mlops_calibration_bins_count(l); }
    static value at(const type *l, size_t i) { return *mlops_calibration_bins_at(l, i); }
};
inline const double *wptr(view<double> w) { return w.empty() ? nullptr : w.data(); }
}  // namespace detail
/* Per-class precision, recall and F (mlops_eval_per_class; _free). */
using eval_classes = detail::list<detail::eval_classes_traits>;
/* Reliability-diagram bins (mlops_eval_calibration; _free). */
using calibration_bins = detail::list<detail::calibration_bins_traits>;

/* A metric over regression values, labels or scores (mlops_eval_regression,
 * mlops_eval_labels, mlops_eval_scores: k score columns per sample);
 * empty weights: unweighted (else one per sample, checked by the C call).
 * Arrays read with one length must have it (MLOPS_EINVAL). */
inline mlops_eval_result eval_regression(int metric, view<double> y_true, view<double> y_pred,
                                         view<double> weights = {}, const mlops_eval_opts *opts = nullptr)
{
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    detail::same_size("mlops::eval_regression", y_true.size(), y_pred.size());
    detail::check(mlops_eval_regression(metric, y_true.data(), y_pred.data(), y_true.size(),
                                        detail::wptr(weights), opts, &r));
    return r;
}
inline mlops_eval_result eval_labels(int metric, view<int> y_true, view<int> y_pred,
                                     view<double> weights = {}, const mlops_eval_opts *opts = nullptr)
{
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    detail::same_size("mlops::eval_labels", y_true.size(), y_pred.size());
    detail::check(mlops_eval_labels(metric, y_true.data(), y_pred.data(), y_true.size(),
                                    detail::wptr(weights), opts, &r));
    return r;
}
inline mlops_eval_result eval_scores(int metric, view<int> y_true, view<double> scores, size_t k,
                                     view<double> weights = {}, const mlops_eval_opts *opts = nullptr)
{
    mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
    detail::same_size("mlops::eval_scores", y_true.size() * k, scores.size());
    detail::check(mlops_eval_scores(metric, y_true.data(), scores.data(), y_true.size(), k,
                                    detail::wptr(weights), opts, &r));
    return r;
}
/* mlops_eval_per_class. */
inline eval_classes eval_per_class(view<int> y_true, view<int> y_pred, view<double> weights = {},
                                   const mlops_eval_opts *opts = nullptr)
{
    mlops_eval_classes *l = nullptr;
    detail::same_size("mlops::eval_per_class", y_true.size(), y_pred.size());
    detail::check(mlops_eval_per_class(y_true.data(), y_pred.data(), y_true.size(),
                                       detail::wptr(weights), opts, &l));
    return eval_classes(l);
}
/* Calibration summary and bins (mlops_eval_calibration). */
struct calibration {
    mlops_calibration_result result;
    calibration_bins bins;
};
inline calibration eval_calibration(view<int> y_true, view<double> scores, size_t k,
                                    view<double> weights = {},
                                    const mlops_calibration_opts *opts = nullptr)
{
    calibration c{MLOPS_CALIBRATION_RESULT_INIT, calibration_bins()};
    mlops_calibration_bins *b = nullptr;
    detail::same_size("mlops::eval_calibration", y_true.size() * k, scores.size());
    detail::check(mlops_eval_calibration(y_true.data(), scores.data(), y_true.size(), k,
                                         detail::wptr(weights), opts, &c.result, &b));
    c.bins = calibration_bins(b);
    return c;
}

namespace detail {
struct fairness_traits {
    using type = mlops_fairness_frame;
    using value = mlops_fairness_group;
    static void free(type *f) { mlops_fairness_frame_free(f); }
    static size_t count(const type *f) { return mlops_fairness_frame_count(f); }
    static value at(const type *f, size_t i) { return *mlops_fairness_frame_at(f, i); }
};
}  // namespace detail

/* A metric per group (mlops_fairness_frame_build; mlops_fairness_frame_free):
 * iterable over the groups' mlops_fairness_group. */
class fairness_frame : public detail::list<detail::fairness_traits> {
public:
    explicit fairness_frame(mlops_fairness_frame *f) noexcept : detail::list<detail::fairness_traits>(f) {}
    /* Builds the frame: data as mlops_eval_data, groups one per sample
     * (data.n of them, else MLOPS_EINVAL: the C call reads data.n). */
    static fairness_frame build(int metric, const mlops_eval_data &data, view<int> groups,
                                const mlops_eval_opts *opts = nullptr)
    {
        detail::same_size("mlops::fairness_frame::build", data.n, groups.size());
        mlops_fairness_frame *f = nullptr;
        detail::check(mlops_fairness_frame_build(metric, &data, groups.data(), opts, &f));
        return fairness_frame(f);
    }
    /* The metric over every sample. */
    mlops_fairness_group overall() const { return *mlops_fairness_frame_overall(get()); }
    /* MLOPS_FAIRNESS_BETWEEN_GROUPS or _TO_OVERALL (mlops_fairness_frame_difference, _ratio). */
    mlops_eval_result difference(int method = MLOPS_FAIRNESS_BETWEEN_GROUPS) const
    {
        mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
        detail::check(mlops_fairness_frame_difference(get(), method, &r));
        return r;
    }
    mlops_eval_result ratio(int method = MLOPS_FAIRNESS_BETWEEN_GROUPS) const
    {
        mlops_eval_result r = MLOPS_EVAL_RESULT_INIT;
        detail::check(mlops_fairness_frame_ratio(get(), method, &r));
        return r;
    }
};

/* ---- Validation ------------------------------------------------------------------- */

namespace detail {
struct anomalies_traits {
    using type = mlops_anomalies;
    using value = mlops_anomaly;
    static void free(type *l) { mlops_anomalies_free(l); }
    static size_t count(const type *l) { return mlops_anomalies_count(l); }
    static value at(const type *l, size_t i) { return *mlops_anomalies_at(l, i); }
};
}  // namespace detail
/* A batch's anomalies; strings borrowed from the list (mlops_schema_validate;
 * mlops_anomalies_free). Empty: the batch passed. */
using anomalies = detail::list<detail::anomalies_traits>;

/* One column of a batch to validate: name, MLOPS_PROFILE_* kind, and nrows
 * numbers (numeric) or strings (categorical; NULL is missing), borrowed. */
struct batch_column {
    std::string_view name;
    int kind;
    const double *numbers;
    const char *const *strings;
};

/* A data schema (mlops_schema_new, _infer, _deserialize, _from_json;
 * mlops_schema_free). */
class schema {
public:
    explicit schema(mlops_schema *s) noexcept : h_(s) {}
    /* An empty schema (mlops_schema_new). */
    schema()
    {
        mlops_schema *s = nullptr;
        detail::check(mlops_schema_new(&s));
        h_.reset(s);
    }
    /* Infers a schema from named reference profiles (mlops_schema_infer). */
    static schema infer(const std::vector<std::string> &names, const std::vector<profile *> &profiles,
                        const mlops_schema_infer_opts *opts = nullptr)
    {
        detail::cstrings c(names);
        std::vector<mlops_profile *> p;
        for (profile *q : profiles) p.push_back(q ? q->get() : nullptr);
        mlops_schema *s = nullptr;
        detail::check(mlops_schema_infer(names.size() == p.size() ? c.size() : 0, c.data(), p.data(), opts, &s));
        return schema(s);
    }
    /* mlops_schema_deserialize, mlops_schema_from_json. */
    static schema deserialize(std::string_view bytes)
    {
        mlops_schema *s = nullptr;
        detail::check(mlops_schema_deserialize(bytes.data(), bytes.size(), &s));
        return schema(s);
    }
    static schema from_json(std::string_view json)
    {
        mlops_schema *s = nullptr;
        detail::check(mlops_schema_from_json(json.data(), json.size(), &s));
        return schema(s);
    }
    size_t column_count() const noexcept { return mlops_schema_column_count(h_.get()); }
    /* Column i; strings borrowed until the schema changes (mlops_schema_column_get). */
    mlops_schema_column column(size_t i) const
    {
        mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
        detail::check(mlops_schema_column_get(h_.get(), i, &c));
        return c;
    }
    /* The index of a column, none when absent (mlops_schema_column_find). */
    std::optional<size_t> find(std::string_view name) const
    {
        size_t i = 0;
        int rc = mlops_schema_column_find(h_.get(), detail::z(name).c_str(), &i);
        if (rc == MLOPS_ENOTFOUND) return std::nullopt;
        detail::check(rc);
        return i;
    }
    /* Adds or replaces a column (mlops_schema_column_set); removes one (_delete). */
    void set(const mlops_schema_column &c) { detail::check(mlops_schema_column_set(h_.get(), &c)); }
    void remove(std::string_view name) { detail::check(mlops_schema_column_delete(h_.get(), detail::z(name).c_str())); }
    /* mlops_schema_serialize, mlops_schema_to_json. */
    std::string serialize() const
    {
        void *b = nullptr;
        size_t n = 0;
        detail::check(mlops_schema_serialize(h_.get(), &b, &n));
        return detail::take(b, n);
    }
    std::string json() const
    {
        char *j = nullptr;
        detail::check(mlops_schema_to_json(h_.get(), &j));
        return detail::take(j);
    }
    /* Validates a batch of nrows rows (mlops_schema_validate). */
    anomalies validate(const std::vector<batch_column> &columns, size_t nrows,
                       const mlops_validate_opts *opts = nullptr) const
    {
        std::vector<std::string> names;
        for (const auto &c : columns) names.emplace_back(c.name);
        std::vector<const char *> pn;
        std::vector<int> kinds;
        std::vector<const double *> nums;
        std::vector<const char *const *> strs;
        for (size_t i = 0; i < columns.size(); i++) {
            pn.push_back(names[i].c_str());
            kinds.push_back(columns[i].kind);
            nums.push_back(columns[i].numbers);
            strs.push_back(columns[i].strings);
        }
        mlops_anomalies *l = nullptr;
        detail::check(mlops_schema_validate(h_.get(), columns.size(), pn.data(), kinds.data(), nums.data(),
                                            strs.data(), nrows, opts, &l));
        return anomalies(l);
    }
    mlops_schema *get() const noexcept { return h_.get(); }

private:
    detail::handle<mlops_schema, mlops_schema_free> h_;
};

/* ---- Monitors ---------------------------------------------------------------------- */

/* A monitor snapshot, borrowed (from a `monitors` list or a `monitor`). */
class monitor_view {
public:
    explicit monitor_view(const mlops_monitor *m) noexcept : m_(m) {}
    /* mlops_monitor_name. */
    std::string name() const { return detail::str(mlops_monitor_name(m_)); }
    /* The spec; its strings and columns borrow from the snapshot
     * (mlops_monitor_spec_get). */
    mlops_monitor_spec spec() const
    {
        mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
        detail::check(mlops_monitor_spec_get(m_, &sp));
        return sp;
    }
    /* The spec's columns, borrowed (mlops_monitor_spec_get). */
    view<mlops_monitor_column> columns() const
    {
        mlops_monitor_spec sp = spec();
        return view<mlops_monitor_column>(sp.columns, sp.columns ? sp.n_columns : 0);
    }
    /* Where the alert stood when the snapshot was taken (mlops_monitor_status_get). */
    mlops_monitor_status status() const
    {
        mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
        detail::check(mlops_monitor_status_get(m_, &st));
        return st;
    }
    /* Its row-window, task and performance settings (mlops_monitor_ext_get);
     * the strings borrow from the snapshot. */
    mlops_monitor_ext ext() const
    {
        mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
        detail::check(mlops_monitor_ext_get(m_, &x));
        return x;
    }
    const mlops_monitor *get() const noexcept { return m_; }

private:
    const mlops_monitor *m_;
};

/* A monitor snapshot it owns (mlops_monitor_get; mlops_monitor_free). */
class monitor : public detail::owned_view<monitor_view, mlops_monitor, mlops_monitor_free> {
public:
    explicit monitor(mlops_monitor *p) noexcept : detail::owned_view<monitor_view, mlops_monitor, mlops_monitor_free>(p) {}
};

namespace detail {
struct monitors_traits {
    using type = mlops_monitors;
    using value = monitor_view;
    static void free(type *l) { mlops_monitors_free(l); }
    static size_t count(const type *l) { return mlops_monitors_count(l); }
    static value at(const type *l, size_t i) { return value(mlops_monitors_at(l, i)); }
};
struct monitor_series_traits {
    using type = mlops_monitor_series;
    using value = mlops_monitor_window;
    static void free(type *sr) { mlops_monitor_series_free(sr); }
    static size_t count(const type *sr) { return mlops_monitor_series_count(sr); }
    static value at(const type *sr, size_t i)
    {
        mlops_monitor_window w{};
        check(mlops_monitor_series_window(sr, i, &w));
        return w;
    }
};
}  // namespace detail
/* Every monitor, by name (mlops_monitor_list; mlops_monitors_free). */
using monitors = detail::list<detail::monitors_traits>;

/* A monitor's windows in time order with their columns
 * (mlops_monitor_series_get; mlops_monitor_series_free): iterable over the
 * windows' mlops_monitor_window (mlops_monitor_series_window). */
class monitor_series : public detail::list<detail::monitor_series_traits> {
public:
    explicit monitor_series(mlops_monitor_series *sr) noexcept : detail::list<detail::monitor_series_traits>(sr) {}
    /* Window i (mlops_monitor_series_window): MLOPS_EINVAL out of range. */
    mlops_monitor_window window(size_t i) const { return (*this)[i]; }
    /* The monitor's columns (mlops_monitor_series_columns) and the name of
     * column j ("" out of range; mlops_monitor_series_column_name). */
    size_t column_count() const noexcept { return mlops_monitor_series_columns(get()); }
    std::string column_name(size_t j) const { return detail::str(mlops_monitor_series_column_name(get(), j)); }
    /* Column j of window i (mlops_monitor_series_cell): MLOPS_EINVAL out of range. */
    mlops_monitor_window_column cell(size_t i, size_t j) const
    {
        mlops_monitor_window_column c{};
        detail::check(mlops_monitor_series_cell(get(), i, j, &c));
        return c;
    }
    /* Window i's labels and metrics, and the condition's value when judged
     * (mlops_monitor_series_performance): MLOPS_EINVAL out of range. */
    mlops_monitor_performance performance(size_t i) const
    {
        mlops_monitor_performance p = MLOPS_MONITOR_PERFORMANCE_INIT;
        detail::check(mlops_monitor_series_performance(get(), i, &p));
        return p;
    }
};

/* One column of a batch to ingest into a monitor: its name and one value
 * per row, borrowed for the call: numbers for a numeric column (NaN is
 * missing), strings for a categorical one (nullptr is missing); the other
 * view stays empty. */
struct monitor_column_data {
    std::string_view name;
    view<double> numbers;
    view<const char *> strings;
};

/* ---- Content: streaming and iteration ---------------------------------------------- */

/* A blob being written in pieces (mlops_blob_writer_open; released by
 * commit, or by the destructor with mlops_blob_writer_abort). */
class blob_writer {
public:
    explicit blob_writer(mlops_blob_writer *w) noexcept : h_(w) {}
    /* Appends bytes (mlops_blob_writer_write). */
    void write(std::string_view bytes) { detail::check(mlops_blob_writer_write(h_.get(), bytes.data(), bytes.size())); }
    /* Commits the blob; the writer is released either way (mlops_blob_writer_commit). */
    digest commit()
    {
        digest d;
        detail::check(mlops_blob_writer_commit(h_.release(), d.ptr()));
        return d;
    }
    /* Discards the content now (mlops_blob_writer_abort). */
    void abort() noexcept { h_.reset(); }
    mlops_blob_writer *get() const noexcept { return h_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }

private:
    detail::handle<mlops_blob_writer, mlops_blob_writer_abort> h_;
};

/* A blob read in pieces (mlops_blob_reader_open; mlops_blob_reader_close). */
class blob_reader {
public:
    explicit blob_reader(mlops_blob_reader *r) noexcept : h_(r) {}
    /* Up to cap bytes, "" at the end (mlops_blob_reader_read). */
    std::string read(size_t cap = 1 << 16)
    {
        std::string buf(cap, '\0');
        size_t got = 0;
        detail::check(mlops_blob_reader_read(h_.get(), &buf[0], cap, &got));
        buf.resize(got);
        return buf;
    }
    /* Into buf; returns the bytes read, 0 at the end. */
    size_t read(void *buf, size_t cap)
    {
        size_t got = 0;
        detail::check(mlops_blob_reader_read(h_.get(), buf, cap, &got));
        return got;
    }
    /* The blob's size (mlops_blob_reader_size). */
    uint64_t size() const
    {
        uint64_t n = 0;
        detail::check(mlops_blob_reader_size(h_.get(), &n));
        return n;
    }
    mlops_blob_reader *get() const noexcept { return h_.get(); }

private:
    detail::handle<mlops_blob_reader, mlops_blob_reader_close> h_;
};

namespace detail {

/* An input iterator over a C iterator: Traits::next(it, &item) returns
 * MLOPS_OK, MLOPS_ITEROVER or an error (thrown). */
template <class Traits>
class c_iterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = typename Traits::value;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type *;
    using reference = const value_type &;
    c_iterator() noexcept = default;
    explicit c_iterator(typename Traits::type *it) : it_(it) { advance(); }
    reference operator*() const noexcept { return v_; }
    pointer operator->() const noexcept { return &v_; }
    c_iterator &operator++()
    {
        advance();
        return *this;
    }
    bool operator==(const c_iterator &o) const noexcept { return it_ == o.it_; }
    bool operator!=(const c_iterator &o) const noexcept { return it_ != o.it_; }

private:
    void advance()
    {
        int rc = Traits::next(it_, &v_);
        if (rc == MLOPS_ITEROVER) {
            it_ = nullptr;
            return;
        }
        check(rc);
    }
    typename Traits::type *it_ = nullptr;
    value_type v_{};
};

/* An owned C iterator, walked once with range-for. */
template <class Traits>
class iteration {
public:
    explicit iteration(typename Traits::type *it) noexcept : h_(it) {}
    /* Starts the walk (reads the first item). */
    c_iterator<Traits> begin() { return c_iterator<Traits>(h_.get()); }
    c_iterator<Traits> end() noexcept { return c_iterator<Traits>(); }
    typename Traits::type *get() const noexcept { return h_.get(); }

private:
    handle<typename Traits::type, Traits::free> h_;
};

}  // namespace detail

/* A blob or tree and what the store knows of it. */
struct blob_entry {
    digest id;
    mlops_blob_info info;
};

/* A named reference. */
struct ref_entry {
    std::string name;
    digest id;
};

namespace detail {
struct blob_iter_traits {
    using type = mlops_blob_iter;
    using value = blob_entry;
    static void free(type *it) { mlops_blob_list_close(it); }
    static int next(type *it, value *v)
    {
        v->info = MLOPS_BLOB_INFO_INIT;
        return mlops_blob_list_next(it, v->id.ptr(), &v->info);
    }
};
struct ref_iter_traits {
    using type = mlops_ref_iter;
    using value = ref_entry;
    static void free(type *it) { mlops_ref_list_close(it); }
    static int next(type *it, value *v)
    {
        const char *n = nullptr;
        int rc = mlops_ref_list_next(it, &n, v->id.ptr());
        if (rc == MLOPS_OK) v->name = str(n);
        return rc;
    }
};
}  // namespace detail
/* Every blob and tree in digest order, walked once (mlops_blob_list_open;
 * mlops_blob_list_close). */
using blob_list = detail::iteration<detail::blob_iter_traits>;
/* References in name order, walked once (mlops_ref_list_open; _close). */
using ref_list = detail::iteration<detail::ref_iter_traits>;

/* The fsck report with its issues copied out (mlops_store_fsck). */
struct fsck_result {
    mlops_fsck_report report; /* issues NULL: they are in `issues` */
    std::vector<mlops_fsck_issue> issues;
    /* No corrupt or missing object. */
    bool ok() const noexcept { return issues.empty() && report.corrupt == 0 && report.missing == 0; }
};

/* ---- The store --------------------------------------------------------------------- */

/* An open store (mlops_store_open; mlops_store_close). May be used by
 * several threads at once. */
class store {
public:
    explicit store(mlops_store *s) noexcept : h_(s) {}
    /* Opens (by default creates) the store at path (mlops_store_open). */
    explicit store(std::string_view path, const mlops_store_opts *opts = nullptr)
    {
        mlops_store *s = nullptr;
        detail::check(mlops_store_open(detail::z(path).c_str(), opts, &s));
        h_.reset(s);
    }
    /* Makes dir a store whose parts live where loc says (mlops_store_create). */
    static store create(std::string_view dir, const mlops_store_location *loc = nullptr,
                        const mlops_store_opts *opts = nullptr)
    {
        mlops_store *s = nullptr;
        detail::check(mlops_store_create(detail::z(dir).c_str(), loc, opts, &s));
        return store(s);
    }
    /* Opens a shared store from its location only (mlops_store_open_location). */
    static store open_location(const mlops_store_location &loc, const mlops_store_opts *opts = nullptr)
    {
        mlops_store *s = nullptr;
        detail::check(mlops_store_open_location(&loc, opts, &s));
        return store(s);
    }
    /* mlops_store_path, mlops_store_format_version. */
    std::string path() const { return detail::str(mlops_store_path(h_.get())); }
    int format_version() const
    {
        int v = 0;
        detail::check(mlops_store_format_version(h_.get(), &v));
        return v;
    }

    /* -- content -- */

    /* Stores bytes as a blob (mlops_blob_put). */
    digest put(std::string_view bytes)
    {
        digest d;
        detail::check(mlops_blob_put(h_.get(), bytes.data(), bytes.size(), d.ptr()));
        return d;
    }
    /* Stores a file's content (mlops_blob_put_file). */
    digest put_file(std::string_view path)
    {
        digest d;
        detail::check(mlops_blob_put_file(h_.get(), detail::z(path).c_str(), d.ptr()));
        return d;
    }
    /* A blob's bytes (mlops_blob_get). */
    std::string get_bytes(const digest &d)
    {
        void *p = nullptr;
        size_t n = 0;
        detail::check(mlops_blob_get(h_.get(), d.ptr(), &p, &n));
        return detail::take(p, n);
    }
    /* Writes a blob to a new file (mlops_blob_get_file). */
    void get_file(const digest &d, std::string_view path)
    {
        detail::check(mlops_blob_get_file(h_.get(), d.ptr(), detail::z(path).c_str()));
    }
    /* Up to len bytes from offset (mlops_blob_read_at). */
    std::string read_at(const digest &d, uint64_t offset, size_t len)
    {
        std::string buf(len, '\0');
        size_t got = 0;
        detail::check(mlops_blob_read_at(h_.get(), d.ptr(), offset, len ? &buf[0] : nullptr, len, &got));
        buf.resize(got);
        return buf;
    }
    /* mlops_blob_exists, mlops_blob_stat. */
    bool exists(const digest &d)
    {
        int e = 0;
        detail::check(mlops_blob_exists(h_.get(), d.ptr(), &e));
        return e != 0;
    }
    mlops_blob_info stat(const digest &d)
    {
        mlops_blob_info i = MLOPS_BLOB_INFO_INIT;
        detail::check(mlops_blob_stat(h_.get(), d.ptr(), &i));
        return i;
    }
    /* A streaming writer / reader (mlops_blob_writer_open, mlops_blob_reader_open). */
    blob_writer writer()
    {
        mlops_blob_writer *w = nullptr;
        detail::check(mlops_blob_writer_open(h_.get(), &w));
        return blob_writer(w);
    }
    blob_reader reader(const digest &d)
    {
        mlops_blob_reader *r = nullptr;
        detail::check(mlops_blob_reader_open(h_.get(), d.ptr(), &r));
        return blob_reader(r);
    }
    /* Blobs and trees, kinds 0 (all), MLOPS_KIND_BLOB or _TREE (mlops_blob_list_open). */
    blob_list blobs(int kinds = 0)
    {
        mlops_blob_iter *it = nullptr;
        detail::check(mlops_blob_list_open(h_.get(), kinds, &it));
        return blob_list(it);
    }
    /* Stores a directory as a tree / writes one out (mlops_tree_put, mlops_tree_get). */
    digest tree_put(std::string_view dir, unsigned flags = 0)
    {
        digest d;
        detail::check(mlops_tree_put(h_.get(), detail::z(dir).c_str(), flags, d.ptr()));
        return d;
    }
    void tree_get(const digest &d, std::string_view dir, unsigned flags = 0)
    {
        detail::check(mlops_tree_get(h_.get(), d.ptr(), detail::z(dir).c_str(), flags));
    }
    /* References (mlops_ref_set, _get, _delete, _list_open: prefix "" for all). */
    void ref_set(std::string_view name, const digest &d)
    {
        detail::check(mlops_ref_set(h_.get(), detail::z(name).c_str(), d.ptr()));
    }
    digest ref_get(std::string_view name)
    {
        digest d;
        detail::check(mlops_ref_get(h_.get(), detail::z(name).c_str(), d.ptr()));
        return d;
    }
    void ref_delete(std::string_view name) { detail::check(mlops_ref_delete(h_.get(), detail::z(name).c_str())); }
    ref_list refs(std::string_view prefix = {})
    {
        mlops_ref_iter *it = nullptr;
        detail::check(mlops_ref_list_open(h_.get(), detail::z(prefix).c_str(), &it));
        return ref_list(it);
    }

    /* -- maintenance -- */

    /* Checks every object (mlops_store_fsck). Damage is not thrown: it is
     * in the result (ok() false); other failures throw. */
    fsck_result fsck(const mlops_fsck_opts *opts = nullptr)
    {
        fsck_result r{MLOPS_FSCK_REPORT_INIT, {}};
        int rc = mlops_store_fsck(h_.get(), opts, &r.report);
        detail::handle<mlops_fsck_issue, detail::free_array<mlops_fsck_issue>> issues(r.report.issues);
        r.report.issues = nullptr;
        if (rc != MLOPS_ECORRUPT) detail::check(rc);
        if (issues) r.issues.assign(issues.get(), issues.get() + r.report.nissues);
        return r;
    }
    /* Deletes what no root reaches (mlops_store_gc). */
    mlops_gc_report gc(const mlops_gc_opts *opts = nullptr)
    {
        mlops_gc_report r = MLOPS_GC_REPORT_INIT;
        detail::check(mlops_store_gc(h_.get(), opts, &r));
        return r;
    }
    /* Copies this store's history and content into dst (mlops_store_copy). */
    mlops_store_copy_report copy_to(store &dst, const mlops_store_copy_opts *opts = nullptr)
    {
        mlops_store_copy_report r = MLOPS_STORE_COPY_REPORT_INIT;
        detail::check(mlops_store_copy(h_.get(), dst.get(), opts, &r));
        return r;
    }

    /* -- experiments -- */

    /* mlops_experiment_create: the new id. */
    int64_t create_experiment(std::string_view name)
    {
        int64_t id = 0;
        detail::check(mlops_experiment_create(h_.get(), detail::z(name).c_str(), &id));
        return id;
    }
    /* mlops_experiment_get, mlops_experiment_get_by_name. */
    experiment get_experiment(int64_t id)
    {
        mlops_experiment *e = nullptr;
        detail::check(mlops_experiment_get(h_.get(), id, &e));
        return experiment(e);
    }
    experiment get_experiment(std::string_view name)
    {
        mlops_experiment *e = nullptr;
        detail::check(mlops_experiment_get_by_name(h_.get(), detail::z(name).c_str(), &e));
        return experiment(e);
    }
    /* mlops_experiment_list_ex (MLOPS_LIFECYCLE_*). */
    experiments list_experiments(int lifecycle = MLOPS_LIFECYCLE_ACTIVE)
    {
        mlops_experiments *l = nullptr;
        detail::check(mlops_experiment_list_ex(h_.get(), lifecycle, &l));
        return experiments(l);
    }
    /* mlops_experiment_rename, _tag_set, _tag_delete, _delete, _restore. */
    void rename_experiment(int64_t id, std::string_view name)
    {
        detail::check(mlops_experiment_rename(h_.get(), id, detail::z(name).c_str()));
    }
    void experiment_tag_set(int64_t id, std::string_view key, std::string_view value)
    {
        detail::check(mlops_experiment_tag_set(h_.get(), id, detail::z(key).c_str(), detail::z(value).c_str()));
    }
    void experiment_tag_delete(int64_t id, std::string_view key)
    {
        detail::check(mlops_experiment_tag_delete(h_.get(), id, detail::z(key).c_str()));
    }
    void delete_experiment(int64_t id) { detail::check(mlops_experiment_delete(h_.get(), id)); }
    void restore_experiment(int64_t id) { detail::check(mlops_experiment_restore(h_.get(), id)); }

    /* -- runs -- */

    /* Starts a run; name "" for none (mlops_run_start). */
    run start_run(int64_t experiment_id, std::string_view name = {})
    {
        mlops_run *r = nullptr;
        std::string n(name);
        detail::check(mlops_run_start(h_.get(), experiment_id, n.empty() ? nullptr : n.c_str(), &r));
        return run(r);
    }
    /* Starts a run with options (mlops_run_start_ex). */
    run start_run(int64_t experiment_id, const mlops_run_start_opts &opts)
    {
        mlops_run *r = nullptr;
        detail::check(mlops_run_start_ex(h_.get(), experiment_id, &opts, &r));
        return run(r);
    }
    /* A handle on an existing run (mlops_run_open). */
    run open_run(std::string_view run_id)
    {
        mlops_run *r = nullptr;
        detail::check(mlops_run_open(h_.get(), detail::z(run_id).c_str(), &r));
        return run(r);
    }
    /* A run's snapshot (mlops_run_get). */
    run_info get_run(std::string_view run_id)
    {
        mlops_run_info *r = nullptr;
        detail::check(mlops_run_get(h_.get(), detail::z(run_id).c_str(), &r));
        return run_info(r);
    }
    /* An experiment's runs (mlops_run_list_ex). */
    run_infos list_runs(int64_t experiment_id, int lifecycle = MLOPS_LIFECYCLE_ACTIVE)
    {
        mlops_run_infos *l = nullptr;
        detail::check(mlops_run_list_ex(h_.get(), experiment_id, lifecycle, &l));
        return run_infos(l);
    }
    /* One page of a search (mlops_run_search_ex); next_page_token, when not
     * null, receives the next page's token ("" on the last page). */
    run_infos search_runs(const mlops_search_opts *opts = nullptr, std::string *next_page_token = nullptr)
    {
        mlops_run_infos *l = nullptr;
        char *tok = nullptr;
        detail::check(mlops_run_search_ex(h_.get(), opts, &l, next_page_token ? &tok : nullptr));
        run_infos out(l);
        if (next_page_token) *next_page_token = detail::take(tok);
        return out;
    }
    /* mlops_run_delete, mlops_run_restore. */
    void delete_run(std::string_view run_id) { detail::check(mlops_run_delete(h_.get(), detail::z(run_id).c_str())); }
    void restore_run(std::string_view run_id) { detail::check(mlops_run_restore(h_.get(), detail::z(run_id).c_str())); }
    /* A metric's points (mlops_metric_history). */
    c_array<mlops_metric_point> metric_history(std::string_view run_id, std::string_view key,
                                               const mlops_history_opts *opts = nullptr)
    {
        mlops_metric_point *p = nullptr;
        size_t n = 0;
        detail::check(mlops_metric_history(h_.get(), detail::z(run_id).c_str(), detail::z(key).c_str(), opts, &p, &n));
        return c_array<mlops_metric_point>(p, n);
    }
    /* A run's inputs and outputs (mlops_lineage_for_run) and the edges of a
     * digest (mlops_lineage_for_digest). */
    c_array<mlops_lineage_edge> lineage_for_run(std::string_view run_id)
    {
        mlops_lineage_edge *e = nullptr;
        size_t n = 0;
        detail::check(mlops_lineage_for_run(h_.get(), detail::z(run_id).c_str(), &e, &n));
        return c_array<mlops_lineage_edge>(e, n);
    }
    c_array<mlops_lineage_edge> lineage_for_digest(const digest &d)
    {
        mlops_lineage_edge *e = nullptr;
        size_t n = 0;
        detail::check(mlops_lineage_for_digest(h_.get(), d.ptr(), &e, &n));
        return c_array<mlops_lineage_edge>(e, n);
    }
    /* Runs side by side as an HTML page (mlops_run_compare_html). */
    std::string compare_runs_html(const std::vector<std::string> &run_ids,
                                  const mlops_run_compare_opts *opts = nullptr)
    {
        detail::cstrings c(run_ids);
        char *h = nullptr;
        detail::check(mlops_run_compare_html(h_.get(), c.data(), c.size(), opts, &h));
        return detail::take(h);
    }

    /* -- models and versions -- */

    /* mlops_model_create_ex (description "" for none). */
    void create_model(std::string_view name, std::string_view description = {}, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        std::string d(description);
        detail::check(mlops_model_create_ex(h_.get(), detail::z(name).c_str(), d.empty() ? nullptr : d.c_str(), &c));
    }
    /* mlops_model_get. */
    model get_model(std::string_view name)
    {
        mlops_model *m = nullptr;
        detail::check(mlops_model_get(h_.get(), detail::z(name).c_str(), &m));
        return model(m);
    }
    /* mlops_model_search_ex (opts nullptr: every active model). */
    models search_models(const mlops_model_search_ex_opts *opts = nullptr)
    {
        mlops_models *l = nullptr;
        detail::check(mlops_model_search_ex(h_.get(), opts, &l));
        return models(l);
    }
    /* mlops_model_rename, _set_description, _tag_set, _tag_delete, _delete. */
    void rename_model(std::string_view name, std::string_view new_name, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_rename(h_.get(), detail::z(name).c_str(), detail::z(new_name).c_str(), &c));
    }
    void model_set_description(std::string_view name, std::string_view description, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_set_description(h_.get(), detail::z(name).c_str(), detail::z(description).c_str(), &c));
    }
    void model_tag_set(std::string_view name, std::string_view key, std::string_view value, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_tag_set(h_.get(), detail::z(name).c_str(), detail::z(key).c_str(),
                                          detail::z(value).c_str(), &c));
    }
    void model_tag_delete(std::string_view name, std::string_view key, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_tag_delete(h_.get(), detail::z(name).c_str(), detail::z(key).c_str(), &c));
    }
    void delete_model(std::string_view name, bool force = false, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_delete(h_.get(), detail::z(name).c_str(), force ? 1 : 0, &c));
    }
    /* Registers artifact as the model's next version; run_id "" for none
     * (mlops_model_version_create_ex): the new number. */
    int64_t create_version(std::string_view model, const digest &artifact, std::string_view run_id = {},
                           std::string_view description = {}, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        std::string r(run_id), d(description);
        int64_t v = 0;
        detail::check(mlops_model_version_create_ex(h_.get(), detail::z(model).c_str(), artifact.ptr(),
                                                    r.empty() ? nullptr : r.c_str(),
                                                    d.empty() ? nullptr : d.c_str(), &c, &v));
        return v;
    }
    /* mlops_model_version_get, mlops_model_version_list_ex. */
    model_version get_version(std::string_view model, int64_t version)
    {
        mlops_model_version *v = nullptr;
        detail::check(mlops_model_version_get(h_.get(), detail::z(model).c_str(), version, &v));
        return model_version(v);
    }
    model_versions list_versions(std::string_view model, int lifecycle = MLOPS_LIFECYCLE_ACTIVE)
    {
        mlops_model_versions *l = nullptr;
        detail::check(mlops_model_version_list_ex(h_.get(), detail::z(model).c_str(), lifecycle, &l));
        return model_versions(l);
    }
    /* mlops_model_version_set_status, _set_description, _tag_set, _tag_delete, _delete. */
    void version_set_status(std::string_view model, int64_t version, int status, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_version_set_status(h_.get(), detail::z(model).c_str(), version, status, &c));
    }
    void version_set_description(std::string_view model, int64_t version, std::string_view description,
                                 const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_version_set_description(h_.get(), detail::z(model).c_str(), version,
                                                          detail::z(description).c_str(), &c));
    }
    void version_tag_set(std::string_view model, int64_t version, std::string_view key, std::string_view value,
                         const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_version_tag_set(h_.get(), detail::z(model).c_str(), version, detail::z(key).c_str(),
                                                  detail::z(value).c_str(), &c));
    }
    void version_tag_delete(std::string_view model, int64_t version, std::string_view key, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_version_tag_delete(h_.get(), detail::z(model).c_str(), version,
                                                     detail::z(key).c_str(), &c));
    }
    void delete_version(std::string_view model, int64_t version, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_version_delete(h_.get(), detail::z(model).c_str(), version, &c));
    }
    /* Signs / verifies a version (mlops_model_version_sign, _verify). */
    void sign_version(std::string_view model, int64_t version, std::string_view private_pem, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_version_sign(h_.get(), detail::z(model).c_str(), version,
                                               detail::z(private_pem).c_str(), &c));
    }
    void verify_version(std::string_view model, int64_t version, std::string_view public_pem)
    {
        detail::check(mlops_model_version_verify(h_.get(), detail::z(model).c_str(), version,
                                                 detail::z(public_pem).c_str()));
    }
    /* What a version came from (mlops_model_version_lineage). */
    version_lineage get_version_lineage(std::string_view model, int64_t version)
    {
        mlops_version_lineage *l = nullptr;
        detail::check(mlops_model_version_lineage(h_.get(), detail::z(model).c_str(), version, &l));
        return version_lineage(l);
    }

    /* -- aliases and routing -- */

    /* mlops_model_alias_set_ex, _get, _delete. */
    void alias_set(std::string_view model, std::string_view alias, int64_t version, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_alias_set_ex(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), version, &c));
    }
    int64_t alias_get(std::string_view model, std::string_view alias)
    {
        int64_t v = 0;
        detail::check(mlops_model_alias_get(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), &v));
        return v;
    }
    void alias_delete(std::string_view model, std::string_view alias, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_alias_delete(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), &c));
    }
    /* "model@alias" or "model/N" to (version, artifact) (mlops_model_resolve). */
    std::pair<int64_t, digest> resolve(std::string_view ref)
    {
        std::pair<int64_t, digest> out(0, digest());
        detail::check(mlops_model_resolve(h_.get(), detail::z(ref).c_str(), &out.first, out.second.ptr()));
        return out;
    }
    /* Traffic splits (mlops_model_alias_split_set, _ramp, _split_get, mlops_model_alias_splits). */
    void alias_split_set(std::string_view model, std::string_view alias, std::string_view split,
                         const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_alias_split_set(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(),
                                                  detail::z(split).c_str(), &c));
    }
    void alias_ramp(std::string_view model, std::string_view alias, int64_t version, int weight,
                    const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_alias_ramp(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), version,
                                             weight, &c));
    }
    alias_split get_alias_split(std::string_view model, std::string_view alias)
    {
        mlops_alias_split *sp = nullptr;
        detail::check(mlops_model_alias_split_get(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), &sp));
        return alias_split(sp);
    }
    alias_splits list_alias_splits(std::string_view model)
    {
        mlops_alias_splits *l = nullptr;
        detail::check(mlops_model_alias_splits(h_.get(), detail::z(model).c_str(), &l));
        return alias_splits(l);
    }
    /* The version a key routes to (mlops_model_route), and a snapshot to
     * route many keys (mlops_model_route_snapshot). */
    int64_t route(std::string_view model, std::string_view alias, std::string_view key)
    {
        int64_t v = 0;
        detail::check(mlops_model_route(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), key.data(),
                                        key.size(), &v));
        return v;
    }
    route_snapshot get_route_snapshot(std::string_view model, std::string_view alias)
    {
        mlops_route_snapshot *snap = nullptr;
        detail::check(mlops_model_route_snapshot(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), &snap));
        return route_snapshot(snap);
    }

    /* -- audit -- */

    /* Verifies the whole chain (mlops_audit_verify); throws MLOPS_ECORRUPT
     * with the first bad event in the message. */
    void audit_verify() { detail::check(mlops_audit_verify(h_.get())); }
    /* The events of a model (mlops_audit_model_events) or a page of the
     * whole log after seq (mlops_audit_list). */
    audit_events audit_model_events(std::string_view model)
    {
        mlops_audit_events *l = nullptr;
        detail::check(mlops_audit_model_events(h_.get(), detail::z(model).c_str(), &l));
        return audit_events(l);
    }
    audit_events audit_list(int64_t after_seq = 0, size_t limit = 1000)
    {
        mlops_audit_events *l = nullptr;
        detail::check(mlops_audit_list(h_.get(), after_seq, limit, &l));
        return audit_events(l);
    }

    /* -- evaluations and gates -- */

    /* Records an evaluation of a version on dataset (mlops_evaluation_record): its id. */
    int64_t record_evaluation(std::string_view model, int64_t version, const digest &dataset,
                              const mlops_evaluation_input &metrics, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        int64_t id = 0;
        detail::check(mlops_evaluation_record(h_.get(), detail::z(model).c_str(), version, dataset.ptr(), &metrics,
                                              &c, &id));
        return id;
    }
    /* mlops_evaluation_get, mlops_evaluation_list. */
    evaluation get_evaluation(int64_t id)
    {
        mlops_evaluation *e = nullptr;
        detail::check(mlops_evaluation_get(h_.get(), id, &e));
        return evaluation(e);
    }
    evaluations list_evaluations(std::string_view model, int64_t version,
                                 const mlops_evaluation_list_opts *opts = nullptr)
    {
        mlops_evaluations *l = nullptr;
        detail::check(mlops_evaluation_list(h_.get(), detail::z(model).c_str(), version, opts, &l));
        return evaluations(l);
    }
    /* Sets an alias's promotion gate (mlops_model_gate_set; dataset nullptr: none),
     * clears it (_clear), reads it (_get). */
    void gate_set(std::string_view model, std::string_view alias, const std::vector<std::string> &conditions,
                  const digest *dataset = nullptr, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::cstrings conds(conditions);
        detail::check(mlops_model_gate_set(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), conds.data(),
                                           conds.size(), dataset ? dataset->ptr() : nullptr, &c));
    }
    void gate_clear(std::string_view model, std::string_view alias, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        detail::check(mlops_model_gate_clear(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), &c));
    }
    gate get_gate(std::string_view model, std::string_view alias)
    {
        mlops_gate *g = nullptr;
        detail::check(mlops_model_gate_get(h_.get(), detail::z(model).c_str(), detail::z(alias).c_str(), &g));
        return gate(g);
    }
    /* Moves alias to version through its gate (mlops_model_promote). A
     * gate's refusal is not thrown: it is the decision's passed() false
     * (the alias did not move). Any other failure throws, MLOPS_EPOLICY
     * from a signing policy included. */
    gate_decision promote(std::string_view model, int64_t version, std::string_view alias,
                          const mlops_promote_opts *opts = nullptr, const change &ch = {})
    {
        mlops_change_opts c = ch.c();
        mlops_gate_decision *d = nullptr;
        int rc = mlops_model_promote(h_.get(), detail::z(model).c_str(), version, detail::z(alias).c_str(), opts, &c, &d);
        gate_decision out(d);
        if (!(rc == MLOPS_EPOLICY && d && mlops_gate_decision_gated(d) && !mlops_gate_decision_passed(d)))
            detail::check(rc);
        return out;
    }
    /* A model's page as HTML (mlops_model_page_html). */
    std::string model_page_html(std::string_view model, const mlops_model_page_opts *opts = nullptr)
    {
        char *h = nullptr;
        detail::check(mlops_model_page_html(h_.get(), detail::z(model).c_str(), opts, &h));
        return detail::take(h);
    }
    /* A monitor's page as HTML (mlops_monitor_page_html). */
    std::string monitor_page_html(std::string_view name, const mlops_monitor_page_opts *opts = nullptr)
    {
        char *h = nullptr;
        detail::check(mlops_monitor_page_html(h_.get(), detail::z(name).c_str(), opts, &h));
        return detail::take(h);
    }

    /* -- profiles and schemas in the store -- */

    /* mlops_profile_put, mlops_profile_get. */
    digest put_profile(profile &p)
    {
        digest d;
        detail::check(mlops_profile_put(h_.get(), p.get(), d.ptr()));
        return d;
    }
    profile get_profile(const digest &d)
    {
        mlops_profile *p = nullptr;
        detail::check(mlops_profile_get(h_.get(), d.ptr(), &p));
        return profile(p);
    }
    /* mlops_schema_put, mlops_schema_get. */
    digest put_schema(const schema &s)
    {
        digest d;
        detail::check(mlops_schema_put(h_.get(), s.get(), d.ptr()));
        return d;
    }
    schema get_schema(const digest &d)
    {
        mlops_schema *s = nullptr;
        detail::check(mlops_schema_get(h_.get(), d.ptr(), &s));
        return schema(s);
    }

    /* -- monitors -- */

    /* mlops_monitor_create (the spec's strings are read during the call),
     * mlops_monitor_delete. */
    void create_monitor(std::string_view name, const mlops_monitor_spec &spec)
    {
        detail::check(mlops_monitor_create(h_.get(), detail::z(name).c_str(), &spec));
    }
    /* With row windows, a task or a performance condition (mlops_monitor_create_ex). */
    void create_monitor(std::string_view name, const mlops_monitor_spec &spec, const mlops_monitor_ext &ext)
    {
        detail::check(mlops_monitor_create_ex(h_.get(), detail::z(name).c_str(), &spec, &ext));
    }
    /* Labels of earlier predictions, joined by id: numeric (regression or
     * classification) or text (classification) (mlops_monitor_labels_ingest).
     * ids and labels must have the same size. */
    mlops_monitor_labels_result monitor_labels(std::string_view name, const std::vector<std::string> &ids,
                                               view<double> labels)
    {
        detail::same_size("mlops::store::monitor_labels", ids.size(), labels.size());
        std::vector<const char *> idp;
        for (const std::string &id : ids) idp.push_back(id.c_str());
        mlops_monitor_labels_result r = MLOPS_MONITOR_LABELS_RESULT_INIT;
        detail::check(mlops_monitor_labels_ingest(h_.get(), detail::z(name).c_str(), ids.size(), idp.data(),
                                                  labels.data(), nullptr, &r));
        return r;
    }
    mlops_monitor_labels_result monitor_labels(std::string_view name, const std::vector<std::string> &ids,
                                               const std::vector<std::string> &labels)
    {
        detail::same_size("mlops::store::monitor_labels", ids.size(), labels.size());
        std::vector<const char *> idp, lp;
        for (const std::string &id : ids) idp.push_back(id.c_str());
        for (const std::string &l : labels) lp.push_back(l.c_str());
        mlops_monitor_labels_result r = MLOPS_MONITOR_LABELS_RESULT_INIT;
        detail::check(mlops_monitor_labels_ingest(h_.get(), detail::z(name).c_str(), ids.size(), idp.data(),
                                                  nullptr, lp.data(), &r));
        return r;
    }
    void delete_monitor(std::string_view name) { detail::check(mlops_monitor_delete(h_.get(), detail::z(name).c_str())); }
    /* mlops_monitor_get, mlops_monitor_list. */
    monitor get_monitor(std::string_view name)
    {
        mlops_monitor *m = nullptr;
        detail::check(mlops_monitor_get(h_.get(), detail::z(name).c_str(), &m));
        return monitor(m);
    }
    monitors list_monitors()
    {
        mlops_monitors *l = nullptr;
        detail::check(mlops_monitor_list(h_.get(), &l));
        return monitors(l);
    }
    /* Ingests rows: time_ms[r] is row r's time, and each column holds one
     * value per row (mlops_monitor_ingest). A column's array must have
     * time_ms.size() items (MLOPS_EINVAL). */
    mlops_monitor_ingest_result monitor_ingest(std::string_view name, view<int64_t> time_ms,
                                               const std::vector<monitor_column_data> &columns,
                                               const mlops_monitor_ingest_opts *opts = nullptr)
    {
        std::vector<std::string> names;
        std::vector<const char *> pn;
        std::vector<const double *> nums;
        std::vector<const char *const *> strs;
        for (const auto &c : columns) {
            if (c.numbers.data()) detail::same_size("mlops::store::monitor_ingest", time_ms.size(), c.numbers.size());
            if (c.strings.data()) detail::same_size("mlops::store::monitor_ingest", time_ms.size(), c.strings.size());
            names.emplace_back(c.name);
            nums.push_back(c.numbers.data());
            strs.push_back(c.strings.data());
        }
        for (const auto &n : names) pn.push_back(n.c_str());
        mlops_monitor_ingest_result r = MLOPS_MONITOR_INGEST_RESULT_INIT;
        detail::check(mlops_monitor_ingest(h_.get(), detail::z(name).c_str(), time_ms.size(), time_ms.data(),
                                           columns.size(), pn.data(), nums.data(), strs.data(), opts, &r));
        return r;
    }
    /* Judges the windows that are due and runs the alert rule
     * (mlops_monitor_check): the status after it. */
    mlops_monitor_status monitor_check(std::string_view name, const mlops_monitor_check_opts *opts = nullptr)
    {
        mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
        detail::check(mlops_monitor_check(h_.get(), detail::z(name).c_str(), opts, &st));
        return st;
    }
    /* A page of the monitor's events (mlops_monitor_events; opts nullptr:
     * the defaults), copied out. To poll, call monitor_events_after with
     * the last seq seen. */
    std::vector<mlops_monitor_event> monitor_events(std::string_view name,
                                                    const mlops_monitor_events_opts *opts = nullptr)
    {
        mlops_monitor_event *e = nullptr;
        size_t n = 0;
        detail::check(mlops_monitor_events(h_.get(), detail::z(name).c_str(), opts, &e, &n));
        detail::handle<mlops_monitor_event, detail::free_array<mlops_monitor_event>> h(e);
        return e ? std::vector<mlops_monitor_event>(e, e + n) : std::vector<mlops_monitor_event>();
    }
    /* The events with seq > after_seq, at most limit (mlops_monitor_events
     * with those options, the others their defaults). */
    std::vector<mlops_monitor_event> monitor_events_after(std::string_view name, int64_t after_seq,
                                                          uint32_t limit = 1000)
    {
        mlops_monitor_events_opts o = MLOPS_MONITOR_EVENTS_OPTS_INIT;
        o.after_seq = after_seq;
        o.limit = limit;
        return monitor_events(name, &o);
    }
    /* The windows starting in [from_ms, to_ms) (mlops_monitor_series_get). */
    monitor_series get_monitor_series(std::string_view name, int64_t from_ms = INT64_MIN, int64_t to_ms = INT64_MAX)
    {
        mlops_monitor_series *sr = nullptr;
        detail::check(mlops_monitor_series_get(h_.get(), detail::z(name).c_str(), from_ms, to_ms, &sr));
        return monitor_series(sr);
    }

    /* -- remotes -- */

    /* mlops_remote_add, _remove, _list. */
    void remote_add(std::string_view name, std::string_view url)
    {
        detail::check(mlops_remote_add(h_.get(), detail::z(name).c_str(), detail::z(url).c_str()));
    }
    void remote_remove(std::string_view name) { detail::check(mlops_remote_remove(h_.get(), detail::z(name).c_str())); }
    remotes list_remotes()
    {
        mlops_remotes *l = nullptr;
        detail::check(mlops_remote_list(h_.get(), &l));
        return remotes(l);
    }
    /* Sends / fetches selections (mlops_remote_push, mlops_remote_pull). */
    mlops_transfer_report push(std::string_view remote, const std::vector<std::string> &selections)
    {
        mlops_transfer_report r = MLOPS_TRANSFER_REPORT_INIT;
        detail::cstrings c(selections);
        detail::check(mlops_remote_push(h_.get(), detail::z(remote).c_str(), c.data(), c.size(), &r));
        return r;
    }
    mlops_transfer_report pull(std::string_view remote, const std::vector<std::string> &selections)
    {
        mlops_transfer_report r = MLOPS_TRANSFER_REPORT_INIT;
        detail::cstrings c(selections);
        detail::check(mlops_remote_pull(h_.get(), detail::z(remote).c_str(), c.data(), c.size(), &r));
        return r;
    }

    /* The raw handle (still owned), for the C API. */
    mlops_store *get() const noexcept { return h_.get(); }
    mlops_store *release() noexcept { return h_.release(); }
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }

private:
    detail::handle<mlops_store, mlops_store_close> h_;
};

}  // namespace mlops

#endif /* MLOPS_HPP */
