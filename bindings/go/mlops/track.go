package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"runtime"
	"sort"
	"strconv"
	"time"
	"unsafe"
)

// msTime converts library milliseconds to a time (0 is the zero Time).
func msTime(ms C.int64_t) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}

// timeMs converts a time to library milliseconds (the zero Time is 0).
func timeMs(t time.Time) C.int64_t {
	if t.IsZero() {
		return 0
	}
	return C.int64_t(t.UnixMilli())
}

// goStr is C.GoString, with NULL as "".
func goStr(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// kvMap copies n key/value pairs from C.

// Lifecycle selects active, deleted or all experiments and runs.
type Lifecycle int

const (
	LifecycleActive  Lifecycle = C.MLOPS_LIFECYCLE_ACTIVE  // not deleted (the default)
	LifecycleDeleted Lifecycle = C.MLOPS_LIFECYCLE_DELETED // soft-deleted only
	LifecycleAll     Lifecycle = C.MLOPS_LIFECYCLE_ALL     // both
)

// Experiment is a snapshot of an experiment: a named group of runs.
type Experiment struct {
	ID      int64
	Name    string
	Created time.Time
	Updated time.Time // last rename, tag change, delete or restore
	Deleted time.Time // zero while active
	Tags    map[string]string
}

func experimentFromC(e *C.mlops_experiment) Experiment {
	return Experiment{
		ID:      int64(C.mlops_experiment_id(e)),
		Name:    C.GoString(C.mlops_experiment_name(e)),
		Created: msTime(C.mlops_experiment_created_ms(e)),
		Updated: msTime(C.mlops_experiment_updated_ms(e)),
		Deleted: msTime(C.mlops_experiment_deleted_ms(e)),
		Tags: tagsFromC(C.mlops_experiment_tag_count(e), func(i C.size_t, k, v **C.char) C.int {
			return C.mlops_experiment_tag_at(e, i, k, v)
		}),
	}
}

// CreateExperiment creates an experiment and returns its id. Names are
// unique (ErrExists).
func (s *Store) CreateExperiment(name string) (int64, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var id C.int64_t
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_experiment_create(c, n, &id) })
	return int64(id), err
}

// Experiment returns the experiment with this id (deleted ones too).
func (s *Store) Experiment(id int64) (*Experiment, error) {
	var e *C.mlops_experiment
	err := s.with(func(c *C.mlops_store) C.int { return C.mlops_experiment_get(c, C.int64_t(id), &e) })
	if err != nil {
		return nil, err
	}
	defer C.mlops_experiment_free(e)
	x := experimentFromC(e)
	return &x, nil
}

// ExperimentByName returns the experiment with this exact name.
func (s *Store) ExperimentByName(name string) (*Experiment, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var e *C.mlops_experiment
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_experiment_get_by_name(c, n, &e) })
	if err != nil {
		return nil, err
	}
	defer C.mlops_experiment_free(e)
	x := experimentFromC(e)
	return &x, nil
}

// Experiments lists the experiments in the lifecycle, in id order.
func (s *Store) Experiments(lc Lifecycle) ([]Experiment, error) {
	var l *C.mlops_experiments
	err := s.with(func(c *C.mlops_store) C.int { return C.mlops_experiment_list_ex(c, C.int(lc), &l) })
	if err != nil {
		return nil, err
	}
	defer C.mlops_experiments_free(l)
	n := C.mlops_experiments_count(l)
	out := make([]Experiment, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		out = append(out, experimentFromC(C.mlops_experiments_at(l, i)))
	}
	return out, nil
}

// RenameExperiment renames experiment id.
func (s *Store) RenameExperiment(id int64, name string) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_experiment_rename(c, C.int64_t(id), n) })
}

// SetExperimentTag sets (creates or replaces) a tag of experiment id.
func (s *Store) SetExperimentTag(id int64, key, value string) error {
	var cs cstrings
	defer cs.free()
	k, v := cs.str(key), cs.str(value)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_experiment_tag_set(c, C.int64_t(id), k, v) })
}

// DeleteExperimentTag deletes a tag of experiment id.
func (s *Store) DeleteExperimentTag(id int64, key string) error {
	var cs cstrings
	defer cs.free()
	k := cs.str(key)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_experiment_tag_delete(c, C.int64_t(id), k) })
}

// DeleteExperiment soft-deletes experiment id (it accepts no new runs
// until restored).
func (s *Store) DeleteExperiment(id int64) error {
	return s.with(func(c *C.mlops_store) C.int { return C.mlops_experiment_delete(c, C.int64_t(id)) })
}

// RestoreExperiment restores a soft-deleted experiment.
func (s *Store) RestoreExperiment(id int64) error {
	return s.with(func(c *C.mlops_store) C.int { return C.mlops_experiment_restore(c, C.int64_t(id)) })
}

// RunStatus is the state of a run.
type RunStatus int

const (
	RunRunning  RunStatus = C.MLOPS_RUN_RUNNING
	RunFinished RunStatus = C.MLOPS_RUN_FINISHED
	RunFailed   RunStatus = C.MLOPS_RUN_FAILED
	RunKilled   RunStatus = C.MLOPS_RUN_KILLED
)

// String returns "RUNNING", "FINISHED", "FAILED" or "KILLED".
func (st RunStatus) String() string {
	p := C.mlops_run_status_name(C.int(st))
	if p == nil {
		return "RunStatus(" + strconv.Itoa(int(st)) + ")"
	}
	return C.GoString(p)
}

// RunOptions are the optional settings of StartRunWith.
type RunOptions struct {
	Name        string    // run name, "" for none
	ParentRunID string    // parent of a nested run
	User        string    // tag mlops.user ("": the store's actor)
	Source      string    // tag mlops.source ("": the program's name)
	GitCommit   string    // tag mlops.git.commit, 4..64 hex digits ("": none)
	Start       time.Time // start time (zero: now)
}

// Run is a live handle for logging into one run. It may be used by several
// goroutines at once. Close releases the handle without ending the run.
type Run struct {
	s   *Store
	h   *handle
	id  string
	exp int64
}

// openRun runs f, which opens a C run handle, and wraps the handle.
func (s *Store) openRun(cs *cstrings, f func(c *C.mlops_store, out **C.mlops_run) C.int) (*Run, error) {
	run := &Run{s: s}
	h, err := s.open(cs, func(c *C.mlops_store) (unsafe.Pointer, C.int) {
		var r *C.mlops_run
		rc := f(c, &r)
		if rc == C.MLOPS_OK {
			run.id, run.exp = C.GoString(C.mlops_run_id(r)), int64(C.mlops_run_experiment_id(r))
		}
		return unsafe.Pointer(r), rc
	}, func(p unsafe.Pointer) { C.mlops_run_free((*C.mlops_run)(p)) })
	if err != nil {
		return nil, err
	}
	run.h = h
	runtime.SetFinalizer(run, (*Run).Close)
	return run, nil
}

// StartRun starts a run in an active experiment; name may be "".
func (s *Store) StartRun(experimentID int64, name string) (*Run, error) {
	return s.StartRunWith(experimentID, &RunOptions{Name: name})
}

// StartRunWith starts a run with options (nil: defaults).
func (s *Store) StartRunWith(experimentID int64, opts *RunOptions) (*Run, error) {
	var o C.mlops_run_start_opts
	var cs cstrings
	defer cs.free()
	if err := call(func() C.int { return C.mlops_run_start_opts_init(&o, C.MLOPS_RUN_START_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	if opts != nil {
		o.name = cs.opt(opts.Name)
		o.parent_run_id = cs.opt(opts.ParentRunID)
		o.user = cs.opt(opts.User)
		o.source = cs.opt(opts.Source)
		o.git_commit = cs.opt(opts.GitCommit)
		o.start_ms = timeMs(opts.Start)
	}
	return s.openRun(&cs, func(c *C.mlops_store, r **C.mlops_run) C.int {
		return C.mlops_run_start_ex(c, C.int64_t(experimentID), &o, r)
	})
}

// OpenRun opens a handle on an existing run, to keep logging into it.
func (s *Store) OpenRun(runID string) (*Run, error) {
	var cs cstrings
	defer cs.free()
	id := cs.str(runID)
	return s.openRun(&cs, func(c *C.mlops_store, r **C.mlops_run) C.int { return C.mlops_run_open(c, id, r) })
}

// ID returns the run's id (32 lowercase hex digits).
func (r *Run) ID() string { return r.id }

// ExperimentID returns the id of the run's experiment.
func (r *Run) ExperimentID() int64 { return r.exp }

// Close releases the handle; the run itself is untouched (a run not ended
// stays RUNNING and can be opened again). Closing twice is a no-op.
func (r *Run) Close() error {
	r.s.detach(r.h)
	runtime.SetFinalizer(r, nil)
	return nil
}

func (r *Run) do(cs *cstrings, f func(p *C.mlops_run) C.int) error {
	if cs != nil {
		if err := cs.check(); err != nil {
			return err
		}
	}
	err := r.s.withHandle(r.h, false, func(p unsafe.Pointer) C.int { return f((*C.mlops_run)(p)) })
	runtime.KeepAlive(r)
	return err
}

// End ends a RUNNING run with RunFinished, RunFailed or RunKilled.
func (r *Run) End(status RunStatus) error {
	return r.do(nil, func(p *C.mlops_run) C.int { return C.mlops_run_end(p, C.int(status)) })
}

// SetTag sets (creates or replaces) a run tag; allowed on ended runs.
func (r *Run) SetTag(key, value string) error {
	var cs cstrings
	defer cs.free()
	k, v := cs.str(key), cs.str(value)
	return r.do(&cs, func(p *C.mlops_run) C.int { return C.mlops_run_tag_set(p, k, v) })
}

// DeleteTag deletes a run tag.
func (r *Run) DeleteTag(key string) error {
	var cs cstrings
	defer cs.free()
	k := cs.str(key)
	return r.do(&cs, func(p *C.mlops_run) C.int { return C.mlops_run_tag_delete(p, k) })
}

// LogParam logs one param. Params never change: the same value again is
// fine, another value is ErrConflict.
func (r *Run) LogParam(key, value string) error {
	var cs cstrings
	defer cs.free()
	k, v := cs.str(key), cs.str(value)
	return r.do(&cs, func(p *C.mlops_run) C.int { return C.mlops_run_log_param(p, k, v) })
}

// LogParams logs params in one transaction: all or none.
func (r *Run) LogParams(params map[string]string) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var cs cstrings
	defer cs.free()
	// Go memory holding only C pointers may be passed to C.
	kv := make([]C.mlops_kv, len(keys))
	for i, k := range keys {
		kv[i].key = cs.str(k)
		kv[i].value = cs.str(params[k])
	}
	return r.do(&cs, func(p *C.mlops_run) C.int {
		if len(kv) == 0 {
			return C.mlops_run_log_params(p, nil, 0)
		}
		return C.mlops_run_log_params(p, &kv[0], C.size_t(len(kv)))
	})
}

// Metric is one metric point to log. A zero Time means now.
type Metric struct {
	Key   string
	Value float64
	Step  int64
	Time  time.Time
}

// LogMetric logs one point at step, timed now.
func (r *Run) LogMetric(key string, value float64, step int64) error {
	var cs cstrings
	defer cs.free()
	k := cs.str(key)
	ts := C.int64_t(time.Now().UnixMilli())
	return r.do(&cs, func(p *C.mlops_run) C.int { return C.mlops_run_log_metric(p, k, C.double(value), C.int64_t(step), ts) })
}

// LogMetrics logs points (any keys, any order) in one transaction: all or
// none. Values are stored bit for bit (NaN, infinities, -0).
func (r *Run) LogMetrics(ms []Metric) error {
	var cs cstrings
	defer cs.free()
	// Go memory holding only C pointers may be passed to C.
	arr := make([]C.mlops_metric, len(ms))
	// One C copy per distinct key: a few keys are looked up in a short
	// list (the usual case), more in a map.
	type ckey struct {
		s string
		p *C.char
	}
	var few [8]ckey
	nfew := 0
	var many map[string]*C.char
	var now C.int64_t
	for i := range ms {
		m := &ms[i]
		var k *C.char
		for j := 0; j < nfew; j++ {
			if few[j].s == m.Key {
				k = few[j].p
				break
			}
		}
		if k == nil {
			if nfew < len(few) {
				k = cs.str(m.Key)
				few[nfew] = ckey{m.Key, k}
				nfew++
			} else {
				if many == nil {
					many = make(map[string]*C.char)
				}
				if k = many[m.Key]; k == nil {
					k = cs.str(m.Key)
					many[m.Key] = k
				}
			}
		}
		ts := timeMs(m.Time)
		if m.Time.IsZero() {
			if now == 0 {
				now = C.int64_t(time.Now().UnixMilli())
			}
			ts = now
		}
		arr[i] = C.mlops_metric{key: k, value: C.double(m.Value), step: C.int64_t(m.Step), ts_ms: ts}
	}
	return r.do(&cs, func(p *C.mlops_run) C.int {
		if len(arr) == 0 {
			return C.mlops_run_log_metrics(p, nil, 0)
		}
		return C.mlops_run_log_metrics(p, &arr[0], C.size_t(len(arr)))
	})
}

// LogInput records that the run read content d (in the store) under name,
// with role (e.g. "dataset").
func (r *Run) LogInput(d Digest, name, role string) error {
	var cs cstrings
	defer cs.free()
	n, ro := cs.str(name), cs.str(role)
	return r.do(&cs, func(p *C.mlops_run) C.int { return C.mlops_run_log_input(p, d.c(), n, ro) })
}

// LogOutput records that the run wrote content d (in the store) under
// name, with role (e.g. "model"). Outputs are kept by garbage collection.
func (r *Run) LogOutput(d Digest, name, role string) error {
	var cs cstrings
	defer cs.free()
	n, ro := cs.str(name), cs.str(role)
	return r.do(&cs, func(p *C.mlops_run) C.int { return C.mlops_run_log_output(p, d.c(), n, ro) })
}

// DeleteRun soft-deletes a run.
func (s *Store) DeleteRun(runID string) error {
	var cs cstrings
	defer cs.free()
	id := cs.str(runID)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_run_delete(c, id) })
}

// RestoreRun restores a soft-deleted run.
func (s *Store) RestoreRun(runID string) error {
	var cs cstrings
	defer cs.free()
	id := cs.str(runID)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_run_restore(c, id) })
}

// MetricSummary sums up one metric of a run.
type MetricSummary struct {
	Key      string
	Last     float64 // value of the last point (greatest step, then time)
	LastStep int64
	LastTime time.Time
	Min, Max float64 // over non-NaN values; NaN when every value is NaN
	Count    int64
}

func summaryFromC(m *C.mlops_metric_summary) MetricSummary {
	return MetricSummary{
		Key: C.GoString(m.key), Last: float64(m.last), LastStep: int64(m.last_step),
		LastTime: msTime(m.last_ts_ms), Min: float64(m.min), Max: float64(m.max), Count: int64(m.count),
	}
}

// Direction says whether a lineage edge is an input or an output of its run.
type Direction int

const (
	Input  Direction = C.MLOPS_LINEAGE_INPUT
	Output Direction = C.MLOPS_LINEAGE_OUTPUT
)

func (d Direction) String() string {
	if d == Input {
		return "input"
	}
	return "output"
}

// LineageEdge links a run and content it read or wrote.
type LineageEdge struct {
	RunID     string
	Direction Direction
	Digest    Digest
	Name      string // e.g. "train.csv"
	Role      string // e.g. "dataset"
	Created   time.Time
}

func edgesFromC(p *C.mlops_lineage_edge, n C.size_t) []LineageEdge {
	out := make([]LineageEdge, 0, int(n))
	if p == nil {
		return out
	}
	for _, e := range unsafe.Slice(p, int(n)) {
		out = append(out, LineageEdge{
			RunID: goStr(e.run_id), Direction: Direction(e.direction),
			Digest: *(*Digest)(unsafe.Pointer(&e.digest)), Name: goStr(e.name), Role: goStr(e.role),
			Created: msTime(e.created_ms),
		})
	}
	return out
}

// RunInfo is a snapshot of a run: attributes, params, tags, metric
// summaries and lineage, read at one moment.
type RunInfo struct {
	ID           string
	ExperimentID int64
	Name         string // "" when none
	ParentID     string // "" at top level
	Status       RunStatus
	Start        time.Time
	End          time.Time // zero while running
	Deleted      time.Time // zero unless deleted
	Params       map[string]string
	Tags         map[string]string
	Metrics      map[string]MetricSummary
	Lineage      []LineageEdge // inputs first, each side by name
}

func runInfoFromC(ri *C.mlops_run_info) RunInfo {
	// Lineage edges stay an array (doc/conventions.md: frozen structs).
	var nl C.size_t
	lin := C.mlops_run_info_lineage(ri, &nl)
	nm := C.mlops_run_info_metric_count(ri)
	info := RunInfo{
		ID:           C.GoString(C.mlops_run_info_id(ri)),
		ExperimentID: int64(C.mlops_run_info_experiment_id(ri)),
		Name:         goStr(C.mlops_run_info_name(ri)),
		ParentID:     goStr(C.mlops_run_info_parent_id(ri)),
		Status:       RunStatus(C.mlops_run_info_status(ri)),
		Start:        msTime(C.mlops_run_info_start_ms(ri)),
		End:          msTime(C.mlops_run_info_end_ms(ri)),
		Deleted:      msTime(C.mlops_run_info_deleted_ms(ri)),
		Params: tagsFromC(C.mlops_run_info_param_count(ri), func(i C.size_t, k, v **C.char) C.int {
			return C.mlops_run_info_param_at(ri, i, k, v)
		}),
		Tags: tagsFromC(C.mlops_run_info_tag_count(ri), func(i C.size_t, k, v **C.char) C.int {
			return C.mlops_run_info_tag_at(ri, i, k, v)
		}),
		Metrics: make(map[string]MetricSummary, int(nm)),
		Lineage: edgesFromC(lin, nl),
	}
	for i := C.size_t(0); i < nm; i++ {
		var ms *C.mlops_metric_summary
		if C.mlops_run_info_metric_at(ri, i, &ms) == C.MLOPS_OK {
			m := summaryFromC(ms)
			info.Metrics[m.Key] = m
		}
	}
	return info
}

func runInfosFromC(l *C.mlops_run_infos) []RunInfo {
	n := C.mlops_run_infos_count(l)
	out := make([]RunInfo, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		out = append(out, runInfoFromC(C.mlops_run_infos_at(l, i)))
	}
	return out
}

// GetRun returns a snapshot of run runID (deleted runs too).
func (s *Store) GetRun(runID string) (*RunInfo, error) {
	var cs cstrings
	defer cs.free()
	id := cs.str(runID)
	var ri *C.mlops_run_info
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_run_get(c, id, &ri) }); err != nil {
		return nil, err
	}
	defer C.mlops_run_info_free(ri)
	info := runInfoFromC(ri)
	return &info, nil
}

// Runs lists the runs of an experiment in the lifecycle, newest first.
// For large experiments prefer SearchRuns, which pages.
func (s *Store) Runs(experimentID int64, lc Lifecycle) ([]RunInfo, error) {
	var l *C.mlops_run_infos
	err := s.with(func(c *C.mlops_store) C.int {
		return C.mlops_run_list_ex(c, C.int64_t(experimentID), C.int(lc), &l)
	})
	if err != nil {
		return nil, err
	}
	defer C.mlops_run_infos_free(l)
	return runInfosFromC(l), nil
}

// SearchOptions select and sort runs (doc/search.md has the language).
type SearchOptions struct {
	ExperimentIDs []int64   // only these experiments (nil: all)
	Filter        string    // e.g. "metrics.acc > 0.9 AND params.lr = '0.01'"
	OrderBy       string    // e.g. "metrics.acc DESC" (default: newest start first)
	MaxResults    int       // page size (0: 1,000)
	PageToken     string    // "" for the first page, else the token of the previous one
	Lifecycle     Lifecycle // active runs by default
}

// SearchRuns returns one page of the runs opts selects (nil: every active
// run), and the token of the next page ("" after the last).
func (s *Store) SearchRuns(opts *SearchOptions) ([]RunInfo, string, error) {
	var o C.mlops_search_opts
	var cs cstrings
	defer cs.free()
	if err := call(func() C.int { return C.mlops_search_opts_init(&o, C.MLOPS_SEARCH_OPTS_VERSION) }); err != nil {
		return nil, "", err
	}
	if opts != nil {
		if len(opts.ExperimentIDs) > 0 {
			// The options struct is Go memory: the id array it points at
			// must be C memory.
			ids := (*C.int64_t)(C.malloc(C.size_t(len(opts.ExperimentIDs)) * C.size_t(unsafe.Sizeof(C.int64_t(0)))))
			defer C.free(unsafe.Pointer(ids))
			for i, id := range opts.ExperimentIDs {
				unsafe.Slice(ids, len(opts.ExperimentIDs))[i] = C.int64_t(id)
			}
			o.experiment_ids = ids
			o.experiment_count = C.size_t(len(opts.ExperimentIDs))
		}
		o.filter = cs.opt(opts.Filter)
		o.order_by = cs.opt(opts.OrderBy)
		if opts.MaxResults > 0 {
			o.max_results = C.size_t(opts.MaxResults)
		}
		o.page_token = cs.opt(opts.PageToken)
		o.lifecycle = C.int(opts.Lifecycle)
	}
	var l *C.mlops_run_infos
	var next *C.char
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_run_search_ex(c, &o, &l, &next) })
	if err != nil {
		return nil, "", err
	}
	defer C.mlops_run_infos_free(l)
	defer C.mlops_free(unsafe.Pointer(next))
	return runInfosFromC(l), goStr(next), nil
}

// MetricPoint is one point of a metric's history.
type MetricPoint struct {
	Value float64
	Step  int64
	Time  time.Time
}

// HistoryOptions select points of a metric's history.
type HistoryOptions struct {
	StepRange bool  // when set, only points with MinStep <= step <= MaxStep
	MinStep   int64 //
	MaxStep   int64 //
	Buckets   int   // 0: every point; N: per bucket of steps, the least and greatest value (at most 2N points)
}

// MetricHistory returns the points of metric key of run runID in order of
// step, time and value (opts nil: every point).
func (s *Store) MetricHistory(runID, key string, opts *HistoryOptions) ([]MetricPoint, error) {
	var o C.mlops_history_opts
	if err := call(func() C.int { return C.mlops_history_opts_init(&o, C.MLOPS_HISTORY_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	if opts != nil {
		if opts.StepRange {
			o.step_min, o.step_max = C.int64_t(opts.MinStep), C.int64_t(opts.MaxStep)
		}
		if opts.Buckets < 0 {
			return nil, &Error{Code: CodeInvalid, Message: "mlops: MetricHistory: negative Buckets"}
		}
		o.buckets = C.size_t(opts.Buckets)
	}
	var cs cstrings
	defer cs.free()
	id, k := cs.str(runID), cs.str(key)
	var pts *C.mlops_metric_point
	var n C.size_t
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_metric_history(c, id, k, &o, &pts, &n) })
	if err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(pts))
	out := make([]MetricPoint, int(n))
	if n > 0 {
		for i, p := range unsafe.Slice(pts, int(n)) {
			out[i] = MetricPoint{Value: float64(p.value), Step: int64(p.step), Time: msTime(p.ts_ms)}
		}
	}
	return out, nil
}

// CompareOptions configure Store.CompareRunsHTML; zero fields keep the defaults.
type CompareOptions struct {
	Title       string    // default "Run comparison"
	MaxPoints   int       // points drawn per curve at most (3..100000); 0: 1000
	TimeAxis    bool      // x axis: time since each run started, not the step
	Generated   time.Time // time shown in the footer (zero: now)
	NoTimestamp bool      // show no time in the footer
}

// CompareRunsHTML returns runs runIDs side by side as one self-contained
// HTML page (inline CSS and SVG, no script, nothing fetched; doc/pages.md):
// each run's status and duration, one chart per metric with every run's
// curve (long histories downsampled with LTTB) and a table beside it,
// final/min/max values, and the params with differences marked. opts may
// be nil.
func (s *Store) CompareRunsHTML(runIDs []string, opts *CompareOptions) ([]byte, error) {
	var o C.mlops_run_compare_opts
	if err := call(func() C.int { return C.mlops_run_compare_opts_init(&o, C.MLOPS_RUN_COMPARE_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	var cs cstrings
	defer cs.free()
	if opts != nil {
		o.title = cs.opt(opts.Title)
		if opts.MaxPoints < 0 {
			return nil, &Error{Code: CodeInvalid, Message: "mlops: CompareRunsHTML: negative MaxPoints"}
		}
		o.max_points = C.size_t(opts.MaxPoints)
		if opts.TimeAxis {
			o.x_axis = C.MLOPS_RUN_COMPARE_X_TIME
		}
		switch {
		case opts.NoTimestamp:
			o.generated_ms = -1
		case !opts.Generated.IsZero():
			o.generated_ms = timeMs(opts.Generated)
		}
	}
	// The ids as a C array (C memory: the library reads it during the call).
	n := len(runIDs)
	arr := (**C.char)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	defer C.free(unsafe.Pointer(arr))
	ids := unsafe.Slice(arr, n+1)
	for i, id := range runIDs {
		ids[i] = cs.str(id)
	}
	var html *C.char
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_run_compare_html(c, arr, C.size_t(n), &o, &html)
	})
	if err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(html))
	return []byte(C.GoString(html)), nil
}

// RunLineage returns the inputs and outputs of run runID (inputs first).
func (s *Store) RunLineage(runID string) ([]LineageEdge, error) {
	var cs cstrings
	defer cs.free()
	id := cs.str(runID)
	var e *C.mlops_lineage_edge
	var n C.size_t
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_lineage_for_run(c, id, &e, &n) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(e))
	return edgesFromC(e, n), nil
}

// DigestLineage returns the runs that read or wrote content d, oldest
// edge first.
func (s *Store) DigestLineage(d Digest) ([]LineageEdge, error) {
	var e *C.mlops_lineage_edge
	var n C.size_t
	if err := s.with(func(c *C.mlops_store) C.int { return C.mlops_lineage_for_digest(c, d.c(), &e, &n) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(e))
	return edgesFromC(e, n), nil
}
