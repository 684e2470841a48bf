"""doc/python.md's code blocks and doc/examples/quickstart.py run."""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DOC = os.path.join(ROOT, "doc", "python.md")
QUICKSTART = os.path.join(ROOT, "doc", "examples", "quickstart.py")


def test_python_md_code_blocks_run(tmp_path, monkeypatch, capsys):
    text = open(DOC, encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "doc_python_md"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{DOC} block {i + 1}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message says which block
            raise AssertionError(f"doc/python.md block {i + 1} failed: {e!r}\n{block}") from e
    out = capsys.readouterr().out
    assert "sha256:2cf24dba" in out


def test_quickstart_runs_twice(tmp_path):
    store = tmp_path / "demo"
    for version in (1, 2):
        p = subprocess.run([sys.executable, QUICKSTART, str(store)], capture_output=True,
                           text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        out = p.stdout
        assert f"registered churn version {version}, alias champion -> {version}" in out
        assert "1000 steps of loss and accuracy" in out
        assert f"signed churn/{version} with" in out
        assert "dataset drift: yes" in out
        assert "audit log verified" in out
    assert (store / "mlops.db").exists() and (store / "data" / "production.csv").exists()
    html = (store / "drift-report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "production.csv" in html and "Lisbon" in html
    assert "DRIFT" in (store / "drift-report.txt").read_text()
    with __import__("mlops").Store(store) as s:
        runs = s.runs("churn")
        assert len(runs) == 4
        train = [r for r in runs if r.name == "logistic-regression"][0]
        assert train.metrics["loss"].count == 1000 and train.metrics["accuracy"].count == 1000
        assert [e.name for e in train.outputs] == ["model.json"]
        assert s.resolve("churn@champion").version == 2
