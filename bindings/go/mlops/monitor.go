package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"math"
	"strings"
	"time"
	"unsafe"
)

// Monitors (monitor.h; doc/monitoring.md): drift of production data over
// time, cut into tumbling time windows, each judged once against stored
// reference profiles, with an alert that fires when M of the last N
// judged windows are in breach (after a pending count, and firing for a
// keep-firing count after it clears). Times are milliseconds since the
// Unix epoch, UTC.

// MonitorColumn is one column of a monitor: its reference profile
// (Store.PutProfile), the method (MethodAuto: KS for a numeric reference,
// chi-square for a categorical one; or MethodKS, MethodChiSquare,
// MethodPSI, MethodJensenShannon, MethodKL, MethodHellinger) and the
// threshold (0: the method's default, alpha for KS and chi-square, 0.1 for
// the distances).
type MonitorColumn struct {
	Name      string
	Reference Digest
	Method    DriftMethod
	Threshold float64
}

// MonitorSpec is what a monitor is. Zero fields take the library's
// defaults: hourly windows, no lateness, MinRows 1, alert 1 of 1, no
// pending or keep-firing windows, dataset drift as the breach (share of
// drifted columns >= DriftShare, 0.5), Alpha 0.05.
type MonitorSpec struct {
	Columns      []MonitorColumn
	Window       time.Duration // 1 minute to 31 days, whole milliseconds
	Lateness     time.Duration // windows are judged at their end plus this
	MinRows      uint64        // fewer rows: "not enough data"
	AlertM       uint32        // M of the last AlertN judged windows in breach
	AlertN       uint32
	Pending      uint32 // windows the rule must hold before firing
	KeepFiring   uint32 // windows it keeps firing after it clears
	BreachColumn string // "": dataset drift; else this column's drift
	DriftShare   float64
	Alpha        float64
	Model        string // the model reference it watches ("name@alias"), kept as given
}

// MonitorState is the alert's state.
type MonitorState int

const (
	MonitorInactive MonitorState = C.MLOPS_MONITOR_INACTIVE // the rule does not hold
	MonitorPending  MonitorState = C.MLOPS_MONITOR_PENDING  // it holds, not yet for long enough
	MonitorFiring   MonitorState = C.MLOPS_MONITOR_FIRING
)

// String returns "inactive", "pending" or "firing".
func (s MonitorState) String() string {
	switch s {
	case MonitorInactive:
		return "inactive"
	case MonitorPending:
		return "pending"
	case MonitorFiring:
		return "firing"
	}
	return "unknown"
}

// MonitorStatus is where a monitor stands.
type MonitorStatus struct {
	State         MonitorState
	JudgedTo      int64  // ms: windows ending at or before this are decided; math.MinInt64 before the first check
	WindowsJudged uint64 // judged windows counted by the rule
	Breaches      uint32 // breaches among the last AlertN of them
	Considered    uint32 // how many of the last AlertN there are
	LastEventSeq  int64  // 0: no event
}

// Monitor is a snapshot of one monitor.
type Monitor struct {
	Name   string
	Spec   MonitorSpec
	Status MonitorStatus
}

// spec fills a C spec from s; its strings go to cs and its column array
// to C memory (free it with C.free).
func (s *MonitorSpec) toC(cs *cstrings, out *C.mlops_monitor_spec) (unsafe.Pointer, error) {
	if err := call(func() C.int { return C.mlops_monitor_spec_init(out, C.MLOPS_MONITOR_SPEC_VERSION) }); err != nil {
		return nil, err
	}
	var cols unsafe.Pointer
	if n := len(s.Columns); n > 0 {
		// The struct is Go memory: the column array it points at is C memory.
		cols = C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.mlops_monitor_column{})))
		cc := unsafe.Slice((*C.mlops_monitor_column)(cols), n)
		for i, c := range s.Columns {
			cc[i].name = cs.str(c.Name)
			d := c.Reference
			cc[i].reference = *d.c()
			cc[i].method = C.int(c.Method)
			cc[i].threshold = C.double(math.NaN())
			if c.Threshold != 0 {
				cc[i].threshold = C.double(c.Threshold)
			}
		}
		out.columns = (*C.mlops_monitor_column)(cols)
	}
	out.n_columns = C.size_t(len(s.Columns))
	if s.Window != 0 {
		out.window_ms = C.int64_t(s.Window.Milliseconds())
	}
	out.lateness_ms = C.int64_t(s.Lateness.Milliseconds())
	if s.MinRows != 0 {
		out.min_rows = C.uint64_t(s.MinRows)
	}
	if s.AlertM != 0 {
		out.alert_m = C.uint32_t(s.AlertM)
	}
	if s.AlertN != 0 {
		out.alert_n = C.uint32_t(s.AlertN)
	}
	out.pending = C.uint32_t(s.Pending)
	out.keep_firing = C.uint32_t(s.KeepFiring)
	out.breach_column = cs.opt(s.BreachColumn)
	if s.DriftShare != 0 {
		out.drift_share = C.double(s.DriftShare)
	}
	if s.Alpha != 0 {
		out.alpha = C.double(s.Alpha)
	}
	out.model = cs.opt(s.Model)
	return cols, nil
}

func statusFromC(st *C.mlops_monitor_status) MonitorStatus {
	return MonitorStatus{
		State: MonitorState(st.state), JudgedTo: int64(st.judged_to_ms), WindowsJudged: uint64(st.windows_judged),
		Breaches: uint32(st.breaches), Considered: uint32(st.considered), LastEventSeq: int64(st.last_event_seq),
	}
}

// monitorFromC copies a snapshot out (m stays the caller's).
func monitorFromC(m *C.mlops_monitor) (Monitor, error) {
	var sp C.mlops_monitor_spec
	var st C.mlops_monitor_status
	err := call(func() C.int {
		sp.version = C.MLOPS_MONITOR_SPEC_VERSION
		if rc := C.mlops_monitor_spec_get(m, &sp); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_monitor_status_init(&st, C.MLOPS_MONITOR_STATUS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_monitor_status_get(m, &st)
	})
	if err != nil {
		return Monitor{}, err
	}
	out := Monitor{Name: goStr(C.mlops_monitor_name(m)), Status: statusFromC(&st)}
	spec := MonitorSpec{
		Window: time.Duration(sp.window_ms) * time.Millisecond, Lateness: time.Duration(sp.lateness_ms) * time.Millisecond,
		MinRows: uint64(sp.min_rows), AlertM: uint32(sp.alert_m), AlertN: uint32(sp.alert_n), Pending: uint32(sp.pending),
		KeepFiring: uint32(sp.keep_firing), BreachColumn: goStr(sp.breach_column), DriftShare: float64(sp.drift_share),
		Alpha: float64(sp.alpha), Model: goStr(sp.model),
	}
	if sp.n_columns > 0 {
		for _, c := range unsafe.Slice(sp.columns, int(sp.n_columns)) {
			col := MonitorColumn{Name: goStr(c.name), Method: DriftMethod(c.method), Threshold: float64(c.threshold)}
			if math.IsNaN(col.Threshold) {
				col.Threshold = 0
			}
			*col.Reference.c() = c.reference
			spec.Columns = append(spec.Columns, col)
		}
	}
	out.Spec = spec
	return out, nil
}

// CreateMonitor creates monitor name. Creating it again with the same spec
// changes nothing; any difference is ErrConflict (a spec never changes:
// delete the monitor and create it again). ErrNotFound when a reference
// profile is not stored, ErrInvalid for bad values (the message names the
// field).
func (s *Store) CreateMonitor(name string, spec MonitorSpec) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var sp C.mlops_monitor_spec
	cols, err := spec.toC(&cs, &sp)
	defer C.free(cols)
	if err != nil {
		return err
	}
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_monitor_create(c, n, &sp) })
}

// DeleteMonitor deletes the monitor with its windows and events (their
// profile blobs stay until gc). ErrNotFound when there is none.
func (s *Store) DeleteMonitor(name string) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_monitor_delete(c, n) })
}

// Monitor returns a snapshot of the monitor (name, spec, status).
func (s *Store) Monitor(name string) (Monitor, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var m *C.mlops_monitor
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_monitor_get(c, n, &m) }); err != nil {
		return Monitor{}, err
	}
	defer C.mlops_monitor_free(m)
	return monitorFromC(m)
}

// Monitors returns every monitor, by name.
func (s *Store) Monitors() ([]Monitor, error) {
	var l *C.mlops_monitors
	if err := s.with(func(c *C.mlops_store) C.int { return C.mlops_monitor_list(c, &l) }); err != nil {
		return nil, err
	}
	defer C.mlops_monitors_free(l)
	n := int(C.mlops_monitors_count(l))
	out := make([]Monitor, 0, n)
	for i := 0; i < n; i++ {
		m, err := monitorFromC(C.mlops_monitors_at(l, C.size_t(i)))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// MonitorData is one column of an ingested batch: Values for a numeric
// column (NaN missing; read in place), or Strings for a categorical one
// (Missing, nil or one flag per value, marks missing values).
type MonitorData struct {
	Name    string
	Values  []float64
	Strings []string
	Missing []bool
}

// IngestResult is what an ingest did.
type IngestResult struct {
	Rows     uint64 // rows merged
	Windows  uint64 // windows they went to
	LateRows uint64 // rows of windows already decided: merged, never judged again
}

// stringColumn copies strings into one C block: the pointer array first,
// then the bytes (NULL where missing).
func stringColumn(values []string, missing []bool) (unsafe.Pointer, error) {
	if missing != nil && len(missing) != len(values) {
		return nil, &Error{Code: CodeInvalid, Message: "mlops: missing flags and values differ in length"}
	}
	ptrSize := int(unsafe.Sizeof((*C.char)(nil)))
	total := ptrSize * (len(values) + 1)
	for _, v := range values {
		if strings.IndexByte(v, 0) >= 0 {
			return nil, &Error{Code: CodeInvalid, Message: "mlops: a string value holds a NUL byte"}
		}
		total += len(v) + 1
	}
	block := C.malloc(C.size_t(total))
	ptrs := unsafe.Slice((**C.char)(block), len(values)+1)
	buf := unsafe.Slice((*byte)(block), total)
	off := ptrSize * (len(values) + 1)
	for i, v := range values {
		copy(buf[off:], v)
		buf[off+len(v)] = 0
		ptrs[i] = nil
		if missing == nil || !missing[i] {
			ptrs[i] = (*C.char)(unsafe.Pointer(&buf[off]))
		}
		off += len(v) + 1
	}
	return block, nil
}

// IngestMonitor ingests a batch: timesMs[r] is row r's time (ms since the
// epoch) and the columns are exactly the monitor's, in any order, each
// with len(timesMs) values. Rows go to their windows whatever their
// order; duplicates count as often as they come. threads: 0 for the
// online CPUs (capped by SetThreadLimit). ErrInvalid for an unknown,
// duplicate or missing column or one of the wrong kind (nothing ingested).
func (s *Store) IngestMonitor(name string, timesMs []int64, columns []MonitorData, threads uint32) (IngestResult, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	k := len(columns)
	var pins columnPointers
	defer pins.release()
	// Go memory holding C pointers (names, string columns) and pinned Go
	// pointers (numeric columns) may be passed to C.
	names := make([]*C.char, k+1)
	numeric := make([]*C.double, k+1)
	strs := make([]**C.char, k+1)
	var blocks []unsafe.Pointer
	defer func() {
		for _, b := range blocks {
			C.free(b)
		}
	}()
	anyNum, anyStr := false, false
	zero := []float64{0} // the array of an empty column
	for j, col := range columns {
		names[j] = cs.str(col.Name)
		if col.Strings != nil || col.Missing != nil {
			if len(col.Strings) != len(timesMs) {
				return IngestResult{}, &Error{Code: CodeInvalid, Message: "mlops: column '" + col.Name + "' has another length than the times"}
			}
			b, err := stringColumn(col.Strings, col.Missing)
			if err != nil {
				return IngestResult{}, err
			}
			blocks = append(blocks, b)
			strs[j] = (**C.char)(b)
			anyStr = true
		}
		if col.Values != nil || col.Strings == nil {
			if len(col.Values) != len(timesMs) {
				return IngestResult{}, &Error{Code: CodeInvalid, Message: "mlops: column '" + col.Name + "' has another length than the times"}
			}
			numeric[j] = pins.ptr(col.Values)
			if numeric[j] == nil {
				numeric[j] = pins.ptr(zero) // an empty column still needs its array
			}
			anyNum = true
		}
	}
	if err := cs.check(); err != nil {
		return IngestResult{}, err
	}
	var o C.mlops_monitor_ingest_opts
	var r C.mlops_monitor_ingest_result
	var tp *C.int64_t
	if len(timesMs) > 0 {
		tp = (*C.int64_t)(unsafe.Pointer(&timesMs[0]))
	}
	err := s.with(func(c *C.mlops_store) C.int {
		if rc := C.mlops_monitor_ingest_opts_init(&o, C.MLOPS_MONITOR_INGEST_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_monitor_ingest_result_init(&r, C.MLOPS_MONITOR_INGEST_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		o.threads = C.uint32_t(threads)
		var np **C.double
		var sp ***C.char
		if anyNum {
			np = &numeric[0]
		}
		if anyStr {
			sp = &strs[0]
		}
		return C.mlops_monitor_ingest(c, n, C.size_t(len(timesMs)), tp, C.size_t(k), &names[0],
			np, sp, &o, &r)
	})
	return IngestResult{Rows: uint64(r.rows), Windows: uint64(r.windows), LateRows: uint64(r.late_rows)}, err
}

// CheckMonitor judges, in window order, the windows due by now (the wall
// clock when now is zero; a given time for replays and tests), runs the
// alert rule and returns the status. A now before the last check's
// changes nothing.
func (s *Store) CheckMonitor(name string, now time.Time) (MonitorStatus, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var o C.mlops_monitor_check_opts
	var st C.mlops_monitor_status
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		if rc := C.mlops_monitor_check_opts_init(&o, C.MLOPS_MONITOR_CHECK_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_monitor_status_init(&st, C.MLOPS_MONITOR_STATUS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if !now.IsZero() {
			o.now_ms = C.int64_t(now.UnixMilli())
		}
		return C.mlops_monitor_check(c, n, &o, &st)
	})
	return statusFromC(&st), err
}

// MonitorEventKind is what an event says.
type MonitorEventKind int

const (
	MonitorEventFiring   MonitorEventKind = C.MLOPS_MONITOR_EVENT_FIRING   // the alert started firing
	MonitorEventResolved MonitorEventKind = C.MLOPS_MONITOR_EVENT_RESOLVED // it stopped
)

// MonitorEvent is a change of the alert's state.
type MonitorEvent struct {
	Seq           int64 // 1, 2, ... per monitor: the cursor of a poll
	Kind          MonitorEventKind
	WindowStartMs int64 // the judged window that changed the state
	WindowEndMs   int64
	CheckedMs     int64 // the now of the check that judged it
	Breaches      uint32
	Considered    uint32
}

// EventsQuery selects events: Seq > AfterSeq, window end in [FromMs,
// ToMs) (both 0: no bound), at most Limit (0: 1000; at most 100000).
type EventsQuery struct {
	AfterSeq     int64
	FromMs, ToMs int64
	Limit        uint32
}

// MonitorEvents returns a page of the monitor's events in seq order; poll
// by calling again with AfterSeq = the last Seq seen.
func (s *Store) MonitorEvents(name string, q EventsQuery) ([]MonitorEvent, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var o C.mlops_monitor_events_opts
	var out *C.mlops_monitor_event
	var cnt C.size_t
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		if rc := C.mlops_monitor_events_opts_init(&o, C.MLOPS_MONITOR_EVENTS_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		o.after_seq = C.int64_t(q.AfterSeq)
		if q.FromMs != 0 || q.ToMs != 0 {
			o.from_ms, o.to_ms = C.int64_t(q.FromMs), C.int64_t(q.ToMs)
		}
		if q.Limit != 0 {
			o.limit = C.uint32_t(q.Limit)
		}
		return C.mlops_monitor_events(c, n, &o, &out, &cnt)
	})
	if err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(out))
	events := make([]MonitorEvent, 0, int(cnt))
	if cnt > 0 {
		for _, e := range unsafe.Slice(out, int(cnt)) {
			events = append(events, MonitorEvent{
				Seq: int64(e.seq), Kind: MonitorEventKind(e.kind), WindowStartMs: int64(e.window_start_ms),
				WindowEndMs: int64(e.window_end_ms), CheckedMs: int64(e.checked_ms), Breaches: uint32(e.breaches),
				Considered: uint32(e.considered),
			})
		}
	}
	return events, nil
}

// WindowState is a window's state in a series.
type WindowState int

const (
	WindowOpen          WindowState = C.MLOPS_MONITOR_WINDOW_OPEN // not judged yet
	WindowClear         WindowState = C.MLOPS_MONITOR_WINDOW_CLEAR
	WindowBreach        WindowState = C.MLOPS_MONITOR_WINDOW_BREACH
	WindowNotEnoughData WindowState = C.MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA // neither breach nor clear
	WindowLate          WindowState = C.MLOPS_MONITOR_WINDOW_LATE            // first rows came after it was due: never judged
)

// WindowCell is one column of one window (NaN, NaN, -1 before judgment;
// PValue NaN for the distances).
type WindowCell struct {
	Statistic float64
	PValue    float64
	Drifted   int // 1, 0, or -1 when not judged
}

// MonitorWindow is one window of a series with its columns (in the order
// of MonitorSeries.Columns).
type MonitorWindow struct {
	StartMs, EndMs int64
	Rows           uint64 // rows merged so far, late ones included
	JudgedRows     uint64 // rows when it was judged
	State          WindowState
	NDrifted       uint32
	ShareDrifted   float64 // NaN when not judged
	Cells          []WindowCell
}

// MonitorSeries is the windows of a monitor in a time range.
type MonitorSeries struct {
	Columns []string
	Windows []MonitorWindow
}

// MonitorSeries returns the windows starting in [fromMs, toMs) (both 0:
// every window), in order, with their columns (one query).
func (s *Store) MonitorSeries(name string, fromMs, toMs int64) (MonitorSeries, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	if fromMs == 0 && toMs == 0 {
		fromMs, toMs = math.MinInt64, math.MaxInt64
	}
	var sr *C.mlops_monitor_series
	if err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_monitor_series_get(c, n, C.int64_t(fromMs), C.int64_t(toMs), &sr)
	}); err != nil {
		return MonitorSeries{}, err
	}
	defer C.mlops_monitor_series_free(sr)
	nw, nc := int(C.mlops_monitor_series_count(sr)), int(C.mlops_monitor_series_columns(sr))
	out := MonitorSeries{Columns: make([]string, nc), Windows: make([]MonitorWindow, nw)}
	for j := 0; j < nc; j++ {
		out.Columns[j] = goStr(C.mlops_monitor_series_column_name(sr, C.size_t(j)))
	}
	cells := make([]WindowCell, nw*nc)
	err := call(func() C.int {
		var w C.mlops_monitor_window
		var cell C.mlops_monitor_window_column
		for i := 0; i < nw; i++ {
			if rc := C.mlops_monitor_series_window(sr, C.size_t(i), &w); rc != C.MLOPS_OK {
				return rc
			}
			out.Windows[i] = MonitorWindow{
				StartMs: int64(w.start_ms), EndMs: int64(w.end_ms), Rows: uint64(w.rows), JudgedRows: uint64(w.judged_rows),
				State: WindowState(w.state), NDrifted: uint32(w.n_drifted), ShareDrifted: float64(w.share_drifted),
				Cells: cells[i*nc : (i+1)*nc : (i+1)*nc],
			}
			for j := 0; j < nc; j++ {
				if rc := C.mlops_monitor_series_cell(sr, C.size_t(i), C.size_t(j), &cell); rc != C.MLOPS_OK {
					return rc
				}
				cells[i*nc+j] = WindowCell{float64(cell.statistic), float64(cell.p_value), int(cell.drifted)}
			}
		}
		return C.MLOPS_OK
	})
	if err != nil {
		return MonitorSeries{}, err
	}
	return out, nil
}
