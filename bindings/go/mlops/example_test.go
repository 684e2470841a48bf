package mlops_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// exampleStore opens a store in a new temporary directory; the returned
// function closes it and removes the directory.
func exampleStore() (*mlops.Store, func()) {
	dir, err := os.MkdirTemp("", "mlops-example-")
	if err != nil {
		log.Fatal(err)
	}
	s, err := mlops.Open(filepath.Join(dir, "store"), &mlops.Options{Durability: mlops.DurabilityNone})
	if err != nil {
		log.Fatal(err)
	}
	return s, func() { s.Close(); os.RemoveAll(dir) }
}

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "mlops-example-")
	defer os.RemoveAll(dir)

	s, err := mlops.Open(filepath.Join(dir, "store"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	v, _ := s.FormatVersion()
	fmt.Println("format version", v)
	// Output: format version 12
}

func ExampleStore_Put() {
	s, done := exampleStore()
	defer done()

	d, err := s.Put(strings.NewReader("hello, world\n"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d)
	data, _ := s.Get(d)
	fmt.Printf("%q\n", data)
	// Output:
	// sha256:853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020
	// "hello, world\n"
}

func ExampleError() {
	s, done := exampleStore()
	defer done()

	_, err := s.Get(mlops.ComputeDigest([]byte("never stored")))
	fmt.Println(errors.Is(err, mlops.ErrNotFound))
	var e *mlops.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Code == mlops.CodeNotFound)
	}
	// Output:
	// true
	// not found true
}

func ExampleParseDigest() {
	d, err := mlops.ParseDigest("sha256:853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020")
	fmt.Println(err, d == mlops.ComputeDigest([]byte("hello, world\n")))
	_, err = mlops.ParseDigest("sha256:XYZ")
	fmt.Println(errors.Is(err, mlops.ErrInvalid))
	// Output:
	// <nil> true
	// true
}

func ExampleBlobReader() {
	s, done := exampleStore()
	defer done()

	d, _ := s.PutBytes(bytes.Repeat([]byte("0123456789"), 100000)) // 1 MB
	r, err := s.OpenBlob(d)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	// Random access (io.ReaderAt) ...
	buf := make([]byte, 5)
	r.ReadAt(buf, 999_995)
	fmt.Printf("size %d, last bytes %q\n", r.Size(), buf)
	// ... and streaming (io.Reader), verified chunk by chunk.
	n, _ := io.Copy(io.Discard, r)
	fmt.Println("streamed", n)
	// Output:
	// size 1000000, last bytes "56789"
	// streamed 1000000
}

func ExampleBlobWriter() {
	s, done := exampleStore()
	defer done()

	w, _ := s.NewBlobWriter()
	for i := 0; i < 3; i++ {
		fmt.Fprintf(w, "line %d\n", i)
	}
	d, err := w.Commit()
	if err != nil {
		log.Fatal(err)
	}
	data, _ := s.Get(d)
	fmt.Print(string(data))
	// Output:
	// line 0
	// line 1
	// line 2
}

func ExampleRun() {
	s, done := exampleStore()
	defer done()

	exp, _ := s.CreateExperiment("mnist")
	run, err := s.StartRun(exp, "baseline")
	if err != nil {
		log.Fatal(err)
	}
	defer run.Close()
	run.LogParams(map[string]string{"lr": "0.01", "epochs": "3"})
	var points []mlops.Metric
	for step := int64(0); step < 3; step++ {
		points = append(points, mlops.Metric{Key: "loss", Value: 1 / float64(step+1), Step: step})
	}
	run.LogMetrics(points)
	run.End(mlops.RunFinished)

	info, _ := s.GetRun(run.ID())
	loss := info.Metrics["loss"]
	fmt.Println(info.Name, info.Status, info.Params["lr"])
	fmt.Printf("loss: last %.3f at step %d, min %.3f, %d points\n", loss.Last, loss.LastStep, loss.Min, loss.Count)
	// Output:
	// baseline FINISHED 0.01
	// loss: last 0.333 at step 2, min 0.333, 3 points
}

func ExampleStore_SearchRuns() {
	s, done := exampleStore()
	defer done()

	exp, _ := s.CreateExperiment("sweep")
	for _, lr := range []string{"0.1", "0.01", "0.001"} {
		run, _ := s.StartRun(exp, "lr="+lr)
		run.LogParam("lr", lr)
		acc := map[string]float64{"0.1": 0.80, "0.01": 0.93, "0.001": 0.88}[lr]
		run.LogMetric("acc", acc, 1)
		run.End(mlops.RunFinished)
		run.Close()
	}
	runs, _, err := s.SearchRuns(&mlops.SearchOptions{Filter: "metrics.acc > 0.85", OrderBy: "metrics.acc DESC"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range runs {
		fmt.Println(r.Name, r.Metrics["acc"].Last)
	}
	// Output:
	// lr=0.01 0.93
	// lr=0.001 0.88
}

func ExampleStore_MetricHistory() {
	s, done := exampleStore()
	defer done()

	exp, _ := s.CreateExperiment("e")
	run, _ := s.StartRun(exp, "")
	defer run.Close()
	for step := int64(0); step < 5; step++ {
		run.LogMetric("loss", float64(10-step), step)
	}
	pts, _ := s.MetricHistory(run.ID(), "loss", &mlops.HistoryOptions{StepRange: true, MinStep: 1, MaxStep: 3})
	for _, p := range pts {
		fmt.Println(p.Step, p.Value)
	}
	// Output:
	// 1 9
	// 2 8
	// 3 7
}

func ExampleModel() {
	s, done := exampleStore()
	defer done()

	weights, _ := s.PutBytes([]byte("model weights"))
	s.CreateModel("churn", "predicts churn", nil)
	v, _ := s.CreateVersion("churn", weights, "", "first try", nil)
	s.SetAlias("churn", "champion", v, &mlops.Change{Actor: "ana", Reason: "best so far"})

	m, _ := s.Model("churn")
	fmt.Println(m.Name, m.MaxVersion, m.Aliases["champion"])
	version, artifact, _ := s.Resolve("churn@champion")
	fmt.Println(version, artifact == weights)
	events, _ := s.ModelEvents("churn")
	for _, e := range events {
		fmt.Println(e.Seq, e.Action)
	}
	fmt.Println("audit chain intact:", s.AuditVerify() == nil)
	// Output:
	// churn 1 1
	// 1 true
	// 1 model.create
	// 2 model.describe
	// 3 version.create
	// 4 version.describe
	// 5 alias.set
	// audit chain intact: true
}

func ExampleStore_SignVersion() {
	s, done := exampleStore()
	defer done()

	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	der, _ = x509.MarshalPKIXPublicKey(pub)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	weights, _ := s.PutBytes([]byte("weights"))
	s.CreateModel("fraud", "", nil)
	v, _ := s.CreateVersion("fraud", weights, "", "", nil)
	// Only signed versions may become "prod".
	s.SetAliasPolicy("fraud", "prod", []string{pubPEM}, nil)
	fmt.Println(errors.Is(s.SetAlias("fraud", "prod", v, nil), mlops.ErrPolicy))
	if err := s.SignVersion("fraud", v, privPEM, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.VerifyVersion("fraud", v, pubPEM), s.SetAlias("fraud", "prod", v, nil))
	// Output:
	// true
	// <nil> <nil>
}

func ExampleDriftKS() {
	ref := []float64{1, 2, 3}
	cur := []float64{4, 5, 6}
	r, _ := mlops.DriftKS(ref, cur) // the slices are read in place
	fmt.Printf("D=%.1f p=%.1f\n", r.Statistic, r.PValue)
	// Output: D=1.0 p=0.1
}

func ExampleProfile() {
	s, done := exampleStore()
	defer done()

	ref := make([]float64, 10000)
	for i := range ref {
		ref[i] = math.Sin(float64(i)) // a fixed reference
	}
	p, _ := mlops.NewProfile(mlops.ProfileNumeric, nil)
	defer p.Close()
	p.Add(ref[:5000]) // batches
	p.Add(ref[5000:])
	d, _ := s.PutProfile(p) // kept by digest, no raw data

	stored, _ := s.Profile(d)
	defer stored.Close()
	shifted := make([]float64, 2000)
	for i := range shifted {
		shifted[i] = math.Sin(float64(i)) + 0.5
	}
	c, _ := stored.CompareValues(shifted, 0.05)
	fmt.Println(c.Verdict, c.PSI > 0.1)
	// Output: drift true
}

func ExampleComputeDriftReport() {
	ref := make([]float64, 500)
	same := make([]float64, 500)
	moved := make([]float64, 500)
	for i := range ref {
		ref[i] = float64(i % 50)
		same[i] = float64((i + 7) % 50)
		moved[i] = float64(i%50) + 20
	}
	rep, err := mlops.ComputeDriftReport([]mlops.Column{
		{Name: "age", Kind: mlops.ColumnNumeric, Ref: ref, Cur: moved},
		{Name: "tenure", Kind: mlops.ColumnNumeric, Ref: ref, Cur: same},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rep.Close()
	for _, c := range rep.Columns {
		fmt.Println(c.Name, c.MethodName, c.Drifted)
	}
	fmt.Println("dataset drift:", rep.DatasetDrift)
	// Output:
	// age ks true
	// tenure ks false
	// dataset drift: true
}
