package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"time"
	"unsafe"
)

// MonitorPageOptions configure Store.MonitorPageHTML; zero fields keep the
// defaults.
type MonitorPageOptions struct {
	Title       string // default "Monitor NAME"
	FromMs      int64  // windows starting in [FromMs, ToMs); both 0: all
	ToMs        int64
	MaxPoints   int       // points per curve at most (0: 1,000)
	Generated   time.Time // time shown in the footer (zero: now)
	NoTimestamp bool      // show no time in the footer
}

// MonitorPageHTML returns monitor name as one self-contained HTML page
// (inline CSS and SVG, no script, nothing fetched; doc/pages.md; libmlops
// 1.1): its spec and alert state, each column's drift over time against
// its threshold with the alert spans shaded, rows per window,
// performance per metric over time (with a task) and the alert events.
// opts may be nil.
func (s *Store) MonitorPageHTML(name string, opts *MonitorPageOptions) ([]byte, error) {
	var o C.mlops_monitor_page_opts
	if err := call(func() C.int { return C.mlops_monitor_page_opts_init(&o, C.MLOPS_MONITOR_PAGE_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	var cs cstrings
	defer cs.free()
	if opts != nil {
		o.title = cs.opt(opts.Title)
		if opts.FromMs != 0 || opts.ToMs != 0 {
			o.from_ms, o.to_ms = C.int64_t(opts.FromMs), C.int64_t(opts.ToMs)
		}
		o.max_points = C.size_t(opts.MaxPoints)
		switch {
		case opts.NoTimestamp:
			o.generated_ms = -1
		case !opts.Generated.IsZero():
			o.generated_ms = timeMs(opts.Generated)
		}
	}
	n := cs.str(name)
	var html *C.char
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_monitor_page_html(c, n, &o, &html)
	})
	if err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(html))
	return []byte(C.GoString(html)), nil
}
