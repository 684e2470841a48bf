package mlops_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func referenceSchema(t *testing.T) *mlops.Schema {
	t.Helper()
	age, err := mlops.NewProfile(mlops.ProfileNumeric, nil)
	must(t, err)
	defer age.Close()
	city, err := mlops.NewProfile(mlops.ProfileCategorical, nil)
	must(t, err)
	defer city.Close()
	ages := make([]float64, 100)
	cities := make([]string, 100)
	missing := make([]bool, 100)
	for i := range ages {
		ages[i] = float64(i % 100)
		if i < 5 {
			ages[i] = math.NaN()
		}
		cities[i] = []string{"Oslo", "Rome", "Lima"}[i%3]
		missing[i] = i < 10
	}
	must(t, age.Add(ages))
	must(t, city.AddStrings(cities, missing))
	s, err := mlops.InferSchema([]string{"age", "city"}, []*mlops.Profile{age, city},
		&mlops.SchemaInferOptions{MissingSlack: 0.01})
	must(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSchemaInferEditStore(t *testing.T) {
	s := referenceSchema(t)
	cols, err := s.Columns()
	must(t, err)
	if len(cols) != 2 || cols[0].Name != "age" || !cols[0].HasRange || cols[0].Min != 5 || cols[0].Max != 99 ||
		!near(cols[0].MissingMax, 0.06, 1e-12) || !cols[0].Required {
		t.Fatalf("age %+v", cols[0])
	}
	if strings.Join(cols[1].Categories, ",") != "Lima,Oslo,Rome" || cols[1].Kind != mlops.ProfileCategorical {
		t.Fatalf("city %+v", cols[1])
	}
	st := newStore(t)
	d1, err := st.PutSchema(s)
	must(t, err)
	must(t, s.SetColumn(mlops.SchemaColumn{Name: "note", Kind: mlops.ProfileCategorical, Categories: []string{}}))
	d2, err := st.PutSchema(s)
	must(t, err)
	if d1 == d2 {
		t.Fatal("an edit kept the digest")
	}
	g, err := st.Schema(d2)
	must(t, err)
	defer g.Close()
	a, err := s.MarshalBinary()
	must(t, err)
	b, err := g.MarshalBinary()
	must(t, err)
	if string(a) != string(b) {
		t.Fatal("stored schema differs")
	}
	text, err := s.JSON()
	must(t, err)
	p, err := mlops.ParseSchemaJSON(text)
	must(t, err)
	defer p.Close()
	c, err := p.MarshalBinary()
	must(t, err)
	if string(a) != string(c) {
		t.Fatal("JSON round trip differs")
	}
	u, err := mlops.UnmarshalSchema(a)
	must(t, err)
	u.Close()
	must(t, s.DeleteColumn("note"))
	var me *mlops.Error
	if err := s.DeleteColumn("note"); !errors.As(err, &me) || me.Code != mlops.CodeNotFound {
		t.Fatalf("delete twice: %v", err)
	}
	if err := s.SetColumn(mlops.SchemaColumn{Name: "x", Kind: mlops.ProfileNumeric, HasRange: true, Min: 2, Max: 1}); !errors.As(err, &me) || me.Code != mlops.CodeInvalid {
		t.Fatalf("bad range: %v", err)
	}
	if _, err := mlops.UnmarshalSchema(a[:len(a)/2]); !errors.As(err, &me) || me.Code != mlops.CodeFormat {
		t.Fatalf("truncated: %v", err)
	}
	if _, err := mlops.ParseSchemaJSON([]byte(`{"format": "mlops.schema", "version": 2, "columns": []}`)); !errors.As(err, &me) || me.Code != mlops.CodeUnsupported {
		t.Fatalf("newer: %v", err)
	}
}

func TestSchemaValidate(t *testing.T) {
	s := referenceSchema(t)
	ages := make([]float64, 100)
	cities := make([]string, 100)
	for i := range ages {
		ages[i] = float64(10 + i%80)
		cities[i] = []string{"Oslo", "Rome"}[i%2]
	}
	batch := []mlops.BatchColumn{{Name: "age", Numbers: ages}, {Name: "city", Categorical: true, Strings: cities}}
	got, err := s.Validate(batch, 5)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("clean batch: %+v", got)
	}
	ages[3], ages[4] = 1000, -1
	for i := 80; i < 90; i++ {
		ages[i] = math.NaN()
	}
	cities[7] = "Paris"
	missing := make([]bool, 100)
	missing[8] = true
	batch[1].Missing = missing
	batch = append(batch, mlops.BatchColumn{Name: "extra", Numbers: ages})
	got, err = s.Validate(batch, 1)
	must(t, err)
	kinds := []mlops.AnomalyKind{}
	for _, a := range got {
		kinds = append(kinds, a.Kind)
	}
	want := []mlops.AnomalyKind{mlops.AnomalyOutOfRange, mlops.AnomalyMissingValues, mlops.AnomalyUnseenCategory, mlops.AnomalyUnknownColumn}
	if len(kinds) != len(want) {
		t.Fatalf("anomalies %+v", got)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("anomaly %d: %v, want %v", i, kinds[i], want[i])
		}
	}
	if got[0].Count != 2 || got[0].Total != 90 || len(got[0].Examples) != 1 || got[0].Examples[0] != (mlops.Example{Row: 3, Value: "1000"}) {
		t.Fatalf("out of range %+v", got[0])
	}
	if got[2].Count != 1 || got[2].Total != 99 || got[2].Examples[0].Value != "Paris" || got[2].Kind.String() != "unseen_category" {
		t.Fatalf("unseen %+v", got[2])
	}
	got, err = s.Validate([]mlops.BatchColumn{{Name: "age", Categorical: true, Strings: []string{"x"}}}, 5)
	must(t, err)
	if len(got) != 2 || got[0].Kind != mlops.AnomalyKindChange || got[0].ActualKind != mlops.ProfileCategorical ||
		got[1].Kind != mlops.AnomalyMissingColumn {
		t.Fatalf("kind change %+v", got)
	}
	if _, err := s.Validate([]mlops.BatchColumn{{Name: "a", Numbers: []float64{1}}, {Name: "b", Numbers: nil}}, 5); err == nil {
		t.Fatal("columns of different lengths passed")
	}
	if _, err := s.Validate(batch, 101); err == nil {
		t.Fatal("101 examples passed")
	}
	s.Close()
	if _, err := s.Validate(batch, 5); !errors.Is(err, mlops.ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}
