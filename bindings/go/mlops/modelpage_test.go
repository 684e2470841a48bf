package mlops_test

import (
	"strings"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestModelPageHTML(t *testing.T) {
	s := newStore(t)
	art, err := s.Put(strings.NewReader("weights"))
	must(t, err)
	must(t, s.CreateModel("m <1>", "desc </svg>", nil))
	_, err = s.CreateVersion("m <1>", art, "", "", nil)
	must(t, err)
	must(t, s.SetAlias("m <1>", "champion", 1, &mlops.Change{Reason: "<b>why</b>"}))
	page, err := s.ModelPageHTML("m <1>", &mlops.ModelPageOptions{NoTimestamp: true})
	must(t, err)
	html := string(page)
	for _, want := range []string{"<title>Model m &lt;1&gt;</title>", "desc &lt;/svg&gt;", "&lt;b&gt;why&lt;/b&gt;"} {
		if !strings.Contains(html, want) {
			t.Fatalf("no %q in the page", want)
		}
	}
	if strings.Count(html, "<svg") != 2 || strings.Contains(html, "<b>") {
		t.Fatal("two SVGs (the alias's chart, the lineage), nothing unescaped")
	}
	page, err = s.ModelPageHTML("m <1>", &mlops.ModelPageOptions{Title: "T <2>"})
	must(t, err)
	if !strings.Contains(string(page), "<title>T &lt;2&gt;</title>") {
		t.Fatal("title")
	}
	_, err = s.ModelPageHTML("nope", nil)
	wantErr(t, err, mlops.ErrNotFound)
}
