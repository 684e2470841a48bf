// The libmlops quickstart in Go: the whole story of one model in one
// program, as doc/examples/quickstart.c tells it in C.
//
//  1. open (create) a store: a directory of SQLite metadata and objects
//  2. store a generated training dataset
//  3. start a run, log params and 1,000 steps of metrics while training
//  4. store the trained model file as the run's output
//  5. register it as a version of the model "churn", alias "champion"
//  6. sign the version with a generated Ed25519 key and verify it
//  7. generate a drifted production batch and write a drift report
//     (text, JSON and HTML), also logged as metrics of a monitoring run
//
// Run it (with libmlops found by pkg-config):
//
//	go run . [DIR]        (default: ./mlops-demo-go)
//
// Running it again adds a run and a version to the same store.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

const (
	trainRows = 4000
	prodRows  = 1500
	steps     = 1000
)

var (
	cities = []string{"Paris", "Berlin", "Madrid", "Rome", "Lisbon"}
	plans  = []string{"basic", "pro"}
)

// check stops at the first surprise, with the library's message.
func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "quickstart: %s failed: %v\n", what, err)
		os.Exit(1)
	}
}

func short(d mlops.Digest) string { return d.String()[:7+12] }

// A deterministic generator (xorshift64*), so every run draws the same
// data: the same draws in the same order as quickstart.c, so both programs
// store the same datasets.
type rng struct{ s uint64 }

func (r *rng) uniform() float64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return float64((r.s*2685821657736338717)>>11) / 9007199254740992.0
}

func (r *rng) normal(mean, sd float64) float64 {
	u, v := math.Max(r.uniform(), 1e-300), r.uniform()
	return mean + sd*math.Sqrt(-2*math.Log(u))*math.Cos(2*math.Pi*v)
}

// customers: columns of float64, the form the drift functions read in
// place. city and plan are category codes; a NaN income is missing.
type customers struct {
	age, income, city, plan, churned []float64
}

// generate draws n customers; production data drifts (older customers,
// more of them in Lisbon and Rome).
func generate(r *rng, n int, drifted bool) customers {
	c := customers{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	weights := []float64{0.35, 0.25, 0.2, 0.12, 0.08}
	meanAge := 38.0
	if drifted {
		weights = []float64{0.15, 0.15, 0.2, 0.22, 0.28}
		meanAge = 47
	}
	for i := 0; i < n; i++ {
		c.age[i] = math.Max(18, math.Round(r.normal(meanAge, 11)))
		if r.uniform() < 0.03 { // about 3% of incomes are unknown
			c.income[i] = math.NaN()
		} else {
			c.income[i] = math.Round(math.Exp(r.normal(10.4, 0.45)))
		}
		u, acc, k := r.uniform(), 0.0, 0
		for k+1 < len(weights) {
			acc += weights[k]
			if u <= acc {
				break
			}
			k++
		}
		c.city[i] = float64(k)
		if r.uniform() < 0.3 {
			c.plan[i] = 1
		}
		z := -1.2 + 0.045*(c.age[i]-40) - 1.1*c.plan[i]
		if k == 3 {
			z += 0.6
		}
		if r.uniform() < 1/(1+math.Exp(-z)) {
			c.churned[i] = 1
		}
	}
	return c
}

func (c customers) csv() string {
	var b strings.Builder
	b.WriteString("age,income,city,plan,churned\n")
	for i := range c.age {
		income := ""
		if !math.IsNaN(c.income[i]) {
			income = fmt.Sprintf("%.0f", c.income[i])
		}
		fmt.Fprintf(&b, "%.0f,%s,%s,%s,%.0f\n", c.age[i], income, cities[int(c.city[i])], plans[int(c.plan[i])], c.churned[i])
	}
	return b.String()
}

func (c customers) features(i int) [4]float64 {
	x := [4]float64{(c.age[i] - 40) / 10, 0, c.plan[i], 0}
	if !math.IsNaN(c.income[i]) {
		x[1] = (math.Log(c.income[i]) - 10.4) / 0.45
	}
	if c.city[i] == 3 {
		x[3] = 1
	}
	return x
}

// train fits a logistic regression by gradient descent, logging loss and
// accuracy at every step in batches of 100 steps (one transaction each).
func train(run *mlops.Run, c customers, lr float64) [5]float64 {
	var w [5]float64
	var batch []mlops.Metric
	t0 := time.Now()
	n := float64(len(c.age))
	for step := 1; step <= steps; step++ {
		var grad [5]float64
		loss, correct := 0.0, 0.0
		for i := range c.age {
			x := c.features(i)
			z := w[4]
			for k := 0; k < 4; k++ {
				z += w[k] * x[k]
			}
			p, y := 1/(1+math.Exp(-z)), c.churned[i]
			loss -= y*math.Log(p+1e-12) + (1-y)*math.Log(1-p+1e-12)
			if (p >= 0.5) == (y == 1) {
				correct++
			}
			for k := 0; k < 4; k++ {
				grad[k] += (p - y) * x[k]
			}
			grad[4] += p - y
		}
		for k := range w {
			w[k] -= lr * grad[k] / n
		}
		ts := t0.Add(time.Duration(step) * time.Millisecond)
		batch = append(batch,
			mlops.Metric{Key: "loss", Value: loss / n, Step: int64(step), Time: ts},
			mlops.Metric{Key: "accuracy", Value: correct / n, Step: int64(step), Time: ts})
		if len(batch) == 200 || step == steps {
			check(run.LogMetrics(batch), "logging metrics")
			batch = batch[:0]
		}
	}
	return w
}

// signingKey makes an Ed25519 key pair on first use and keeps it as PEM
// files (the private half readable by the owner only).
func signingKey(privPath, pubPath string) (privPEM, pubPEM string) {
	if priv, err := os.ReadFile(privPath); err == nil {
		pub, err := os.ReadFile(pubPath)
		check(err, "reading the public key")
		return string(priv), string(pub)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	check(err, "generating an Ed25519 key")
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	check(err, "encoding the private key")
	privPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	der, err = x509.MarshalPKIXPublicKey(pub)
	check(err, "encoding the public key")
	pubPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	check(os.WriteFile(privPath, []byte(privPEM), 0o600), "writing the private key")
	check(os.WriteFile(pubPath, []byte(pubPEM), 0o644), "writing the public key")
	return privPEM, pubPEM
}

func textReport(r *mlops.DriftReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %-12s %-14s %10s %12s %10s  %s\n", "COLUMN", "KIND", "METHOD", "STATISTIC", "DRIFT WHEN", "P-VALUE", "VERDICT")
	for _, c := range r.Columns {
		kind, when, p, verdict := "numeric", fmt.Sprintf(">= %.3g", c.Threshold), "-", "ok"
		if c.Kind == mlops.ColumnCategorical {
			kind = "categorical"
		}
		if !math.IsNaN(c.PValue) {
			when, p = fmt.Sprintf("p <= %.3g", c.Threshold), fmt.Sprintf("%.3g", c.PValue)
		}
		if c.Drifted {
			verdict = "DRIFT"
		}
		fmt.Fprintf(&b, "%-10s %-12s %-14s %10.4g %12s %10s  %s\n", c.Name, kind, c.MethodName, c.Statistic, when, p, verdict)
	}
	yes := "no"
	if r.DatasetDrift {
		yes = "YES"
	}
	fmt.Fprintf(&b, "\ndataset drift: %s (%d of %d columns drifted; the rule is at least %.0f%%)\n",
		yes, r.Drifted, len(r.Columns), 100*r.DriftShare)
	return b.String()
}

func experimentNamed(s *mlops.Store, name string) int64 {
	e, err := s.ExperimentByName(name)
	if errors.Is(err, mlops.ErrNotFound) {
		id, err := s.CreateExperiment(name)
		check(err, "creating the experiment")
		return id
	}
	check(err, "looking up the experiment")
	return e.ID
}

func main() {
	dir := "mlops-demo-go"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	fmt.Printf("libmlops %s (Go binding): the quickstart in %s/\n\n", mlops.Version(), dir)

	// 1. The store: a directory, created when missing.
	s, err := mlops.Open(dir, nil)
	check(err, "opening the store")
	defer s.Close()
	dataDir := filepath.Join(dir, "data")
	check(os.MkdirAll(dataDir, 0o755), "creating the data folder")

	// 2. A training dataset, written as CSV and stored by content.
	gen := &rng{s: 0x9E3779B97F4A7C15}
	trainSet := generate(gen, trainRows, false)
	trainCSV := filepath.Join(dataDir, "train.csv")
	check(os.WriteFile(trainCSV, []byte(trainSet.csv()), 0o644), "writing the dataset")
	trainDigest, err := s.PutFile(trainCSV)
	check(err, "storing the dataset")
	fmt.Printf("1. stored the training data  %s  (%d rows)  %s...\n", trainCSV, trainRows, short(trainDigest))

	// 3. A run: params, the input it read, 1,000 steps of metrics.
	expID := experimentNamed(s, "churn")
	run, err := s.StartRun(expID, "logistic-regression")
	check(err, "starting the run")
	defer run.Close()
	check(run.LogParams(map[string]string{
		"model": "logistic-regression", "learning_rate": "0.5", "steps": "1000",
		"features": "age,income,plan,city=Rome",
	}), "logging params")
	check(run.LogInput(trainDigest, "train.csv", "dataset"), "logging the input")
	w := train(run, trainSet, 0.5)
	fmt.Printf("2. trained in run %s  (experiment 'churn', %d steps of loss and accuracy)\n", run.ID(), steps)

	// 4. The model file, stored and recorded as the run's output.
	modelPath := filepath.Join(dir, "model.json")
	model := fmt.Sprintf("{\"model\": \"logistic-regression\", \"features\": [\"age\", \"income\", \"plan\", \"city=Rome\"],\n"+
		" \"weights\": [%.6f, %.6f, %.6f, %.6f], \"bias\": %.6f}\n", w[0], w[1], w[2], w[3], w[4])
	check(os.WriteFile(modelPath, []byte(model), 0o644), "writing the model")
	f, err := os.Open(modelPath)
	check(err, "opening the model")
	modelDigest, err := s.Put(f) // streamed through the library's blob writer
	f.Close()
	check(err, "storing the model")
	check(run.LogOutput(modelDigest, "model.json", "model"), "logging the output")
	check(run.End(mlops.RunFinished), "ending the run")
	fmt.Printf("3. stored the model          %s  %s...\n", modelPath, short(modelDigest))

	// 5. The registry: a new version of "churn", pointed at by "champion".
	if err := s.CreateModel("churn", "", nil); !errors.Is(err, mlops.ErrExists) {
		check(err, "creating the model")
	}
	version, err := s.CreateVersion("churn", modelDigest, run.ID(), "", nil)
	check(err, "registering the version")
	check(s.SetAlias("churn", "champion", version, nil), "setting the alias")
	fmt.Printf("4. registered churn version %d, alias champion -> %d\n", version, version)

	// 6. Sign the version; anyone with the public key can check it.
	keyPath, pubPath := filepath.Join(dir, "signing-key.pem"), filepath.Join(dir, "signing-key.pub")
	privPEM, pubPEM := signingKey(keyPath, pubPath)
	check(s.SignVersion("churn", version, privPEM, nil), "signing")
	check(s.VerifyVersion("churn", version, pubPEM), "verifying the signature")
	fmt.Printf("5. signed churn/%d with    %s  (verified with %s)\n", version, keyPath, pubPath)

	// 7. Production data drifts; compare it with the training data.
	prodSet := generate(gen, prodRows, true)
	prodCSV := filepath.Join(dataDir, "production.csv")
	check(os.WriteFile(prodCSV, []byte(prodSet.csv()), 0o644), "writing the production batch")
	prodDigest, err := s.PutFile(prodCSV)
	check(err, "storing the production batch")
	report, err := mlops.ComputeDriftReport([]mlops.Column{
		{Name: "age", Kind: mlops.ColumnNumeric, Ref: trainSet.age, Cur: prodSet.age},
		{Name: "income", Kind: mlops.ColumnNumeric, Ref: trainSet.income, Cur: prodSet.income},
		{Name: "city", Kind: mlops.ColumnCategorical, Ref: trainSet.city, Cur: prodSet.city},
		{Name: "plan", Kind: mlops.ColumnCategorical, Ref: trainSet.plan, Cur: prodSet.plan},
	}, nil)
	check(err, "computing the drift report")
	defer report.Close()
	text := textReport(report)
	txtPath, jsonPath := filepath.Join(dir, "drift-report.txt"), filepath.Join(dir, "drift-report.json")
	htmlPath := filepath.Join(dir, "drift-report.html")
	check(os.WriteFile(txtPath, []byte(text), 0o644), "writing the text report")
	js, err := report.JSON()
	check(err, "writing the JSON report")
	check(os.WriteFile(jsonPath, js, 0o644), "writing the JSON report")
	// The categories are codes in the report: give the page their names.
	html, err := report.HTML(&mlops.HTMLOptions{
		Title: "Churn model: training vs production", ReferenceName: "train.csv", CurrentName: "production.csv",
		CategoryLabels: map[string][]string{"city": cities, "plan": plans},
	})
	check(err, "writing the HTML report")
	check(os.WriteFile(htmlPath, html, 0o644), "writing the HTML report")

	// The report's figures become metrics of a monitoring run, so drift
	// over time is searchable like any metric.
	monitor, err := s.StartRun(expID, "production-check")
	check(err, "starting the monitoring run")
	defer monitor.Close()
	check(monitor.LogInput(prodDigest, "production.csv", "dataset"), "logging the batch")
	check(report.Log(monitor, 0, time.Time{}), "logging the drift figures")
	check(monitor.End(mlops.RunFinished), "ending the monitoring run")
	yes := "no"
	if report.DatasetDrift {
		yes = "yes"
	}
	fmt.Printf("6. drift report (%d of %d columns drifted, dataset drift: %s)\n", report.Drifted, len(report.Columns), yes)
	fmt.Print(text)
	fmt.Printf("   text: %s\n   JSON: %s\n   HTML: %s\n", txtPath, jsonPath, htmlPath)

	// The audit log has recorded every registry change in a hash chain.
	check(s.AuditVerify(), "verifying the audit log")
	seq, head, err := s.AuditHead()
	check(err, "reading the audit head")
	fmt.Printf("7. audit log verified: %d events, head %s...\n", seq, short(head))

	fmt.Printf("\nEverything is in %s/:\n"+
		"  mlops.db, objects/         the store (SQLite metadata, content-addressed objects)\n"+
		"  data/train.csv             training data      data/production.csv  the drifted batch\n"+
		"  model.json                 the model          signing-key.pem/.pub the signing key\n"+
		"  drift-report.txt/.json/.html  the drift report\n", dir)
}
