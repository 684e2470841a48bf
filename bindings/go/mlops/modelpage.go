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

// ModelPageOptions configure Store.ModelPageHTML; zero fields keep the
// defaults.
type ModelPageOptions struct {
	Title       string    // default "Model NAME"
	Generated   time.Time // time shown in the footer (zero: now)
	NoTimestamp bool      // show no time in the footer
}

// ModelPageHTML returns model as one self-contained HTML page (inline CSS
// and SVG, no script, nothing fetched; doc/pages.md; libmlops 1.1): its
// versions, each alias's split over time, the gate decisions with their
// values, the signatures, the lineage dataset -> run -> version and the
// audit timeline. opts may be nil.
func (s *Store) ModelPageHTML(model string, opts *ModelPageOptions) ([]byte, error) {
	var o C.mlops_model_page_opts
	if err := call(func() C.int { return C.mlops_model_page_opts_init(&o, C.MLOPS_MODEL_PAGE_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	var cs cstrings
	defer cs.free()
	if opts != nil {
		o.title = cs.opt(opts.Title)
		switch {
		case opts.NoTimestamp:
			o.generated_ms = -1
		case !opts.Generated.IsZero():
			o.generated_ms = timeMs(opts.Generated)
		}
	}
	name := cs.str(model)
	var html *C.char
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_model_page_html(c, name, &o, &html)
	})
	if err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(html))
	return []byte(C.GoString(html)), nil
}
