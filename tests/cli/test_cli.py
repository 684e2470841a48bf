"""Integration tests of the installed `mlops` command: every subcommand on
good and bad input, checking stdout, stderr, exit codes and the --json
output (parsed, never grepped). Run by meson test (tests/meson.build).
"""
import hashlib
import importlib.util
import json
import os
import pty
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, installed, mlops, tmpdir  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEX64 = re.compile(r"^sha256:[0-9a-f]{64}$")
RUN_ID = re.compile(r"^[0-9a-f]{32}$")


def sha256_text(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self.id().split(".")[-1])
        self.store = os.path.join(self.dir, "store")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p

    def ok(self, *args, **kw):
        r = mlops(*args, store=kw.pop("store", self.store), **kw)
        self.assertEqual(r.code, 0, r)
        return r

    def bad(self, code, *args, contains=None, **kw):
        """A failure: the exit code, a single line on stderr naming the
        problem, nothing on stdout."""
        r = mlops(*args, store=kw.pop("store", self.store), **kw)
        self.assertEqual(r.code, code, r)
        lines = r.err.strip().split("\n")
        self.assertEqual(len(lines), 1, r)
        self.assertTrue(lines[0].startswith("mlops"), r)
        if contains:
            self.assertIn(contains, r.err, r)
        return r

    def init(self):
        self.ok("init")


class TestGeneral(Base):
    def test_no_arguments_is_usage(self):
        r = mlops()
        self.assertEqual(r.code, 2)
        self.assertIn("usage: mlops", r.err)
        self.assertEqual(r.out, "")

    def test_version_and_help(self):
        r = self.ok("--version")
        self.assertRegex(r.out, r"^mlops \d+\.\d+\.\d+ \(libmlops \d+\.\d+\.\d+\)\n$")
        r = self.ok("--help")
        for cmd in ("put PATH", "runs search", "model alias set", "drift compare", "Exit status"):
            self.assertIn(cmd, r.out)
        self.assertEqual(self.ok("help").out, r.out)

    def test_help_for_every_command(self):
        commands = ["init", "put", "get", "cat", "stat", "ls", "fsck", "gc", "ref", "ref set",
                    "ref get", "ref ls", "ref rm", "exp", "exp create", "exp ls", "run",
                    "run start", "run end", "run show", "run ls", "run log-param",
                    "run log-metric", "runs compare", "runs search", "metric history", "model",
                    "model create",
                    "model ls", "model page", "model show", "model version create", "model alias set",
                    "model alias rm", "model gate set", "model gate show", "model gate rm",
                    "model promote", "model alias get", "model alias ls",
                    "model alias ramp", "model alias rollback", "model route", "model resolve", "model evals", "model sign", "model verify", "audit log",
                    "audit verify", "audit checkpoint", "drift compare", "drift profile",
                    "drift test", "drift chi2", "eval", "schema infer", "schema show",
                    "schema load", "schema validate", "store copy", "remote", "remote add",
                    "remote ls", "remote rm", "push", "pull", "bundle", "bundle export",
                    "bundle import", "monitor", "monitor create", "monitor ingest",
                    "monitor labels", "monitor check", "monitor series", "monitor page", "monitor ls", "monitor rm"]
        listed = [line.split("\t")[1] for line in self.ok("help", "--commands").out.splitlines()]
        self.assertEqual(sorted(listed), sorted(c for c in commands if c not in
                                                ("ref", "exp", "run", "model", "remote", "bundle",
                                                 "monitor")))
        for cmd in commands:
            words = cmd.split()
            r = self.ok("help", *words)
            self.assertTrue(r.out.startswith("usage: mlops " + cmd), (cmd, r))
            r2 = self.ok(*words, "--help")
            self.assertEqual(r2.out, r.out, cmd)
            r3 = self.ok(*words, "-h")
            self.assertEqual(r3.out, r.out, cmd)

    def test_overview_lists_every_synopsis_whole(self):
        overview = self.ok("help").out
        for line in self.ok("help", "--commands").out.splitlines():
            words = line.split("\t")[1]
            usage = self.ok("help", *words.split()).out.splitlines()[0]
            self.assertIn(usage[len("usage: mlops "):], overview, words)

    _help = {}

    def help(self, *words):
        """`mlops help WORDS...`, once per process for the pages' tests."""
        if words not in TestGeneral._help:
            TestGeneral._help[words] = self.ok("help", *words).out
        return TestGeneral._help[words]

    def test_doc_matches_help(self):
        with open(os.path.join(ROOT, "doc", "cli.md"), encoding="utf-8") as f:
            page = f.read()
        for line in self.help("--commands").splitlines():
            cmd = line.split("\t")[1]
            text = self.help(*cmd.split()).rstrip("\n")
            self.assertIn("```\n" + text + "\n```", page,
                          f"doc/cli.md is out of date for '{cmd}': run scripts/cli-doc.py BUILD_DIR")

    def test_manual_matches_help(self):
        # man/mlops.1 is what scripts/cli-doc.py writes from this build's
        # help texts, and meson installs it (mlops-tools ships it).
        spec = importlib.util.spec_from_file_location("cli_doc", os.path.join(ROOT, "scripts", "cli-doc.py"))
        cli_doc = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cli_doc)
        dest = installed()[2]
        with open(os.path.join(ROOT, "man", "mlops.1"), encoding="utf-8") as f:
            page = f.read()
        self.assertEqual(cli_doc.manual(self.help), page,
                         "man/mlops.1 is out of date: run scripts/cli-doc.py BUILD_DIR")
        found = [os.path.join(d, "mlops.1") for d, _, files in os.walk(dest)
                 if "mlops.1" in files and d.endswith(os.path.join("share", "man", "man1"))]
        self.assertEqual(len(found), 1, found)
        with open(found[0], encoding="utf-8") as f:
            self.assertEqual(f.read(), page)

    def test_unknown_command_and_flags(self):
        self.bad(2, "frobnicate", contains="no command 'frobnicate'")
        self.bad(2, "help", "frobnicate", contains="no command")
        self.bad(2, "model", "frobnicate", contains="no command 'model frobnicate'")
        self.bad(2, "--frob", contains="unknown option '--frob'")
        self.bad(2, "ls", "--frob", contains="unknown option '--frob'")
        self.bad(2, "ls", "-Q", contains="unknown option '-Q'")
        self.bad(2, "get", "sha256:" + "0" * 64, contains="missing -o PATH")
        self.bad(2, "cat", contains="missing argument")
        self.bad(2, "ref", "get", "a", "b", contains="unexpected argument 'b'")
        self.bad(2, "run", "log-metric", "x", contains="missing argument")
        self.bad(2, "-C", contains="needs a directory")
        # A group without a subcommand prints its commands, as usage.
        r = mlops("model")
        self.assertEqual(r.code, 2)
        self.assertIn("mlops model create", r.err)

    def test_store_location(self):
        # -C DIR, else $MLOPS_STORE, else ./.mlops
        r = mlops("init", cwd=self.dir)
        self.assertEqual(r.code, 0, r)
        self.assertTrue(os.path.exists(self.path(".mlops", "mlops.db")))
        self.assertIn(".mlops", r.out)
        env_store = self.path("from-env")
        r = mlops("init", cwd=self.dir, env={"MLOPS_STORE": env_store})
        self.assertEqual(r.code, 0, r)
        self.assertTrue(os.path.exists(os.path.join(env_store, "mlops.db")))
        f = self.write("a.txt", "A")
        r = mlops("put", f, cwd=self.dir, env={"MLOPS_STORE": env_store})
        self.assertEqual(r.code, 0, r)
        r = mlops("ls", "--json", store=env_store)
        self.assertEqual([x["digest"] for x in r.json()], [sha256_text(b"A")])
        self.assertEqual(mlops("ls", "--json", cwd=self.dir).json(), [])
        # -C wins over the environment.
        r = mlops("-C", self.store, "init", cwd=self.dir, env={"MLOPS_STORE": env_store})
        self.assertTrue(os.path.exists(os.path.join(self.store, "mlops.db")))
        r = self.ok("init")
        self.assertIn("already", r.out)

    def test_threads_environment(self):
        # MLOPS_THREADS bounds the library's threads (mlops_set_thread_limit);
        # the work is the same at any limit, and a bad value is a usage error.
        self.ok("init")
        f = self.write("big.bin", os.urandom(3 << 20))
        digests = set()
        for n in ("1", "2", "0", ""):
            r = mlops("put", f, store=self.store, env={"MLOPS_THREADS": n})
            self.assertEqual(r.code, 0, r)
            digests.add(r.out.split()[0])
        self.assertEqual(len(digests), 1, digests)
        for bad in ("x", "-1", "257", "1.5"):
            r = mlops("ls", store=self.store, env={"MLOPS_THREADS": bad})
            self.assertEqual(r.code, 2, r)
            self.assertIn("MLOPS_THREADS", r.err)

    def test_missing_store_and_not_a_store(self):
        self.bad(1, "ls", contains="mlops init")
        self.assertFalse(os.path.exists(self.store), "a reading command created a store")
        junk = self.path("junk")
        os.makedirs(junk)
        self.write("junk/notes.txt", "not a store")
        for args in (["ls"], ["put", self.write("x", "x")], ["exp", "ls"], ["model", "ls"],
                     ["init"]):
            self.bad(1, *args, store=junk)
        self.assertEqual(os.listdir(junk), ["notes.txt"])
        a_file = self.write("plain", "plain")
        self.bad(1, "ls", store=a_file)


class TestArtifacts(Base):
    def test_put_get_cat(self):
        self.init()
        data = os.urandom(300000) + b"tail"
        f = self.write("blob.bin", data)
        r = self.ok("put", f)
        digest, name = r.out.split()
        self.assertEqual(digest, sha256_text(data))
        self.assertEqual(name, f)
        self.assertEqual(self.ok("cat", digest, binary=True).raw, data)
        out = self.path("out.bin")
        self.ok("get", digest, "-o", out)
        self.assertEqual(open(out, "rb").read(), data)
        # No overwriting without --force; then an atomic replace.
        self.bad(1, "get", digest, "-o", out, contains="exists")
        with open(out, "wb") as fh:
            fh.write(b"old")
        self.ok("get", digest, "-o", out, "--force")
        self.assertEqual(open(out, "rb").read(), data)
        # Standard input, and --json.
        r = self.ok("put", "-", "--json", stdin=b"from stdin")
        self.assertEqual(r.json(), [{"path": "-", "digest": sha256_text(b"from stdin"), "kind": "blob"}])

    def test_put_directory_and_get_tree(self):
        self.init()
        self.write("tree/a.txt", "alpha")
        self.write("tree/sub/b.txt", "beta")
        os.chmod(self.path("tree/a.txt"), 0o755)
        r = self.ok("put", self.path("tree"), "--json")
        (entry,) = r.json()
        self.assertEqual(entry["kind"], "tree")
        self.assertRegex(entry["digest"], HEX64)
        info = self.ok("stat", entry["digest"], "--json").json()
        self.assertEqual(info[0]["kind"], "tree")
        self.assertEqual(info[0]["entries"], 2)
        out = self.path("restored")
        self.ok("get", entry["digest"], "-o", out)
        self.assertEqual(open(os.path.join(out, "sub", "b.txt")).read(), "beta")
        self.assertEqual(os.stat(os.path.join(out, "a.txt")).st_mode & 0o777, 0o755)
        self.bad(2, "get", entry["digest"], "-o", self.path("r2"), "--force", contains="--force")
        # cat writes blobs; a tree is refused, its encoding never printed
        self.bad(1, "cat", entry["digest"], contains="is a tree")
        self.bad(1, "get", entry["digest"], "-o", out)  # not empty
        trees = [x["digest"] for x in self.ok("ls", "--trees", "--json").json()]
        self.assertEqual(len(trees), 2)  # one per directory: tree/ and tree/sub/
        self.assertIn(entry["digest"], trees)
        blobs = self.ok("ls", "--blobs", "--json").json()
        self.assertEqual(sorted(x["digest"] for x in blobs),
                         sorted([sha256_text(b"alpha"), sha256_text(b"beta")]))

    def test_get_tree_links_modes_and_limits(self):
        """Issue 13, findings 4 and 11: the CLI refuses links leaving the
        target unless --any-links, applies the umask unless --keep-modes,
        and takes the expansion limits."""
        self.init()
        self.write("tree/sub/f.txt", "data")
        os.chmod(self.path("tree/sub"), 0o777)
        os.symlink("../../outside", self.path("tree/sub/esc"))
        os.symlink("f.txt", self.path("tree/sub/fine"))
        digest = self.ok("put", self.path("tree")).out.split()[0]
        out = self.path("restored")
        self.bad(1, "get", digest, "-o", out, contains="'sub/esc' leads 1 level above")
        self.assertFalse(os.path.exists(out))
        self.bad(1, "get", digest, "-o", out, "--any-links", "--max-entries", "3",
                 contains="max_entries")
        self.bad(2, "get", digest, "-o", out, "--max-entries", "0", contains="--max-entries")
        self.bad(2, "get", digest, "-o", out, "--max-bytes", "lots", contains="--max-bytes")
        old = os.umask(0o077)
        try:
            self.ok("get", digest, "-o", out, "--any-links", "--max-entries", "none")
            kept = self.path("kept")
            self.ok("get", digest, "-o", kept, "--any-links", "--keep-modes")
        finally:
            os.umask(old)
        self.assertEqual(os.readlink(os.path.join(out, "sub", "esc")), "../../outside")
        self.assertEqual(os.stat(os.path.join(out, "sub")).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(os.path.join(kept, "sub")).st_mode & 0o777, 0o777)
        blob = self.ok("put", self.write("x.txt", "x")).out.split()[0]
        self.bad(2, "get", blob, "-o", self.path("x2"), "--keep-modes", contains="trees only")

    def test_put_bad_input(self):
        self.init()
        good = self.write("good.txt", "good")
        r = mlops("put", good, self.path("missing.txt"), store=self.store)
        self.assertEqual(r.code, 1)
        self.assertIn("missing.txt", r.err)
        self.assertEqual(r.out.split(), [sha256_text(b"good"), good])  # the good one is stored
        self.bad(2, "put", good, good, "--ref", "x", contains="--ref")

    def test_cat_and_get_bad_input(self):
        self.init()
        self.bad(2, "cat", "sha256:xyz", contains="not a digest")
        self.bad(1, "cat", "sha256:" + "a" * 64)
        self.bad(1, "cat", "no-such-ref", contains="neither a digest")
        self.bad(1, "get", "sha256:" + "a" * 64, "-o", self.path("never"))
        self.assertFalse(os.path.exists(self.path("never")))
        self.bad(1, "stat", "sha256:" + "b" * 64)

    def test_stat_and_ls(self):
        self.init()
        empty = self.ok("stat", "--json").json()
        self.assertEqual((empty["blobs"], empty["trees"], empty["blob_bytes"]), (0, 0, 0))
        self.assertEqual(empty["format_version"], 12)
        self.ok("put", self.write("a", "12345"), self.write("b", "123"))
        st = self.ok("stat", "--json").json()
        self.assertEqual((st["blobs"], st["blob_bytes"]), (2, 8))
        r = self.ok("stat")
        self.assertIn("blobs:           2", r.out)
        info = self.ok("stat", sha256_text(b"12345"), "--json").json()[0]
        self.assertEqual((info["kind"], info["size"], info["chunks"]), ("blob", 5, 1))
        self.assertGreater(info["stored"], 0)
        lines = self.ok("ls").out.strip().split("\n")
        self.assertEqual(lines[0].split(), ["DIGEST", "KIND", "SIZE", "STORED", "CREATED"])
        self.assertEqual(len(lines), 3)
        self.assertEqual(self.ok("ls", "--json").json()[0]["digest"],
                         min(sha256_text(b"12345"), sha256_text(b"123")))
        self.bad(2, "ls", "--blobs", "--trees")

    def test_refs(self):
        self.init()
        d = self.ok("put", self.write("a", "A")).out.split()[0]
        self.ok("ref", "set", "datasets/train", d)
        self.assertEqual(self.ok("ref", "get", "datasets/train").out.strip(), d)
        self.assertEqual(self.ok("ref", "get", "datasets/train", "--json").json(),
                         {"name": "datasets/train", "digest": d})
        self.ok("ref", "set", "models/x", d)
        self.assertEqual([x["name"] for x in self.ok("ref", "ls", "--json").json()],
                         ["datasets/train", "models/x"])
        self.assertEqual([x["name"] for x in self.ok("ref", "ls", "datasets/", "--json").json()],
                         ["datasets/train"])
        self.assertEqual(self.ok("cat", "datasets/train").out, "A")
        self.ok("ref", "rm", "models/x")
        self.bad(1, "ref", "get", "models/x")
        self.bad(1, "ref", "rm", "models/x")
        self.bad(1, "ref", "set", "r", "sha256:" + "c" * 64)  # no such content
        self.bad(2, "ref", "set", "r", "not-a-digest")

    def test_fsck_and_gc(self):
        self.init()
        keep = self.ok("put", self.write("keep", "keep me"), "--ref", "keep").out.split()[0]
        lose = self.ok("put", self.write("lose", "lose me")).out.split()[0]
        r = self.ok("fsck", "--json").json()
        self.assertTrue(r["ok"])
        self.assertEqual((r["objects"], r["checked"], r["corrupt"]), (2, 2, 0))
        self.assertIn("checked 2 of 2 objects", self.ok("fsck").out)
        self.bad(2, "fsck", "--sample", "2")
        # Dry run first: nothing goes; then --grace 0 removes the unreferenced blob.
        g = self.ok("gc", "--dry-run", "--grace", "0", "--json").json()
        self.assertEqual((g["dry_run"], g["contents"]), (True, 1))
        self.assertEqual(self.ok("cat", lose).out, "lose me")
        g = self.ok("gc", "--grace", "0", "--json").json()
        self.assertEqual((g["dry_run"], g["contents"], g["kept_contents"]), (False, 1, 1))
        self.bad(1, "cat", lose)
        self.assertEqual(self.ok("cat", keep).out, "keep me")
        self.assertIn("deleted 0 blobs", self.ok("gc").out)
        self.bad(2, "gc", "--grace", "-1")
        # Corrupt the kept object's file: fsck reports it and exits 1.
        objects = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(self.store, "objects"))
                   for f in fs]
        self.assertEqual(len(objects), 1)
        with open(objects[0], "r+b") as fh:
            raw = bytearray(fh.read())
            raw[-1] ^= 0xFF
            fh.seek(0)
            fh.write(raw)
        r = mlops("fsck", "--json", "--no-quarantine", store=self.store)
        self.assertEqual(r.code, 1, r)
        rep = r.json()
        self.assertFalse(rep["ok"])
        self.assertEqual(rep["corrupt"], 1)
        self.assertEqual(rep["issues"], [{"digest": keep, "problem": "corrupt"}])
        self.assertIn("damaged", r.err)
        self.bad(1, "cat", keep)


class TestRecords(Base):
    def test_story(self):
        self.init()
        self.assertEqual(self.ok("exp", "create", "churn").out.strip(), "1")
        self.assertEqual(self.ok("exp", "create", "other", "--json").json(), {"id": 2})
        self.bad(1, "exp", "create", "churn", contains="churn")
        exps = self.ok("exp", "ls", "--json").json()
        self.assertEqual([(e["id"], e["name"]) for e in exps], [(1, "churn"), (2, "other")])
        run = self.ok("run", "start", "churn", "--name", "first").out.strip()
        self.assertRegex(run, RUN_ID)
        info = self.ok("run", "start", "2", "--json").json()  # by id
        self.assertEqual(info["experiment_id"], 2)
        self.bad(1, "run", "start", "nope", contains="no experiment 'nope'")
        self.ok("run", "log-param", run, "lr", "0.01")
        self.ok("run", "log-param", run, "epochs=3", "batch=64")
        self.bad(1, "run", "log-param", run, "lr", "0.02")  # params never change
        self.bad(2, "run", "log-param", run, "a=1", "oops", contains="KEY=VALUE")
        for step, v in enumerate([0.9, 0.5, 0.25]):
            self.ok("run", "log-metric", run, "loss", v, "--step", step)
        self.ok("run", "log-metric", run, "acc", "-0.5", "--step", "0", "--time", "1700000000000")
        self.bad(2, "run", "log-metric", run, "loss", "abc", contains="not a number")
        self.bad(2, "run", "log-metric", run, "loss", "1", "--step", "x")
        self.bad(1, "run", "log-metric", "f" * 32, "loss", "1")  # no such run
        shown = self.ok("run", "show", run, "--json").json()
        self.assertEqual(shown["params"], {"batch": "64", "epochs": "3", "lr": "0.01"})
        self.assertEqual(shown["metrics"]["loss"]["last"], 0.25)
        self.assertEqual(shown["metrics"]["loss"]["count"], 3)
        self.assertEqual(shown["metrics"]["acc"]["last_ts_ms"], 1700000000000)
        self.assertEqual((shown["status"], shown["name"]), ("RUNNING", "first"))
        text = self.ok("run", "show", run).out
        self.assertIn("status:      RUNNING", text)
        self.assertRegex(text, r"loss\s+0\.25\s+2\s+0\.25\s+0\.9\s+3")
        hist = self.ok("metric", "history", run, "loss", "--json").json()
        self.assertEqual([(p["step"], p["value"]) for p in hist], [(0, 0.9), (1, 0.5), (2, 0.25)])
        csv_out = self.ok("metric", "history", run, "loss", "--csv").out.splitlines()
        self.assertEqual(csv_out[0], "step,value,ts_ms")
        self.assertEqual([line.split(",")[:2] for line in csv_out[1:]],
                         [["0", "0.9"], ["1", "0.5"], ["2", "0.25"]])
        self.bad(1, "metric", "history", run, "nope")
        self.bad(2, "metric", "history", run, "loss", "--csv", "--json")
        self.ok("run", "end", run)
        self.bad(1, "run", "end", run)
        self.bad(1, "run", "log-metric", run, "loss", "1")  # ended
        self.bad(2, "run", "end", run, "--status", "weird")
        self.assertEqual(self.ok("run", "show", run, "--json").json()["status"], "FINISHED")
        runs = self.ok("run", "ls", "churn", "--json").json()
        self.assertEqual([r["run_id"] for r in runs], [run])
        self.bad(1, "run", "ls", "nope")
        self.bad(1, "run", "show", "0" * 32)
        self.bad(1, "run", "show", "not-an-id")

    def test_search(self):
        self.init()
        self.ok("exp", "create", "e")
        ids = []
        for i, acc in enumerate([0.7, 0.9, 0.8]):
            rid = self.ok("run", "start", "e", "--name", f"r{i}").out.strip()
            self.ok("run", "log-param", rid, "lr", f"0.0{i + 1}")
            self.ok("run", "log-metric", rid, "acc", acc)
            ids.append(rid)
        found = self.ok("runs", "search", "metrics.acc > 0.75", "--order-by", "metrics.acc DESC",
                        "--json").json()
        self.assertEqual([r["run_id"] for r in found], [ids[1], ids[2]])
        self.assertEqual(found[0]["metrics"]["acc"]["last"], 0.9)
        limited = self.ok("runs", "search", "--order-by", "metrics.acc ASC", "--limit", "1",
                          "--json").json()
        self.assertEqual([r["run_id"] for r in limited], [ids[0]])
        table = self.ok("runs", "search", "params.lr = '0.02'").out.strip().split("\n")
        self.assertEqual(len(table), 2)
        self.assertIn(ids[1], table[1])
        self.assertEqual(len(self.ok("runs", "search", "-e", "e", "--json").json()), 3)
        r = self.bad(1, "runs", "search", "metrics.acc >", contains="position")
        self.assertIn("filter", r.err)
        self.bad(2, "runs", "search", "--limit", "0")
        self.bad(1, "runs", "search", "-e", "missing")

    def test_compare(self):
        self.init()
        self.ok("exp", "create", "e")
        ids = []
        for i in range(2):
            rid = self.ok("run", "start", "e", "--name", f"<r{i}>").out.strip()
            self.ok("run", "log-param", rid, "lr", f"0.0{i + 1}")
            for step in range(3):
                self.ok("run", "log-metric", rid, "loss", 1.0 / (step + 1 + i), "--step", step)
            ids.append(rid)
        page = self.path("cmp.html")
        r = self.ok("runs", "compare", *ids, "-o", page, "--title", "A & B")
        self.assertEqual((r.out, r.err), ("", ""))
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<title>A &amp; B</title>", html)
        self.assertIn("&lt;r0&gt;", html)
        self.assertNotIn("<r0>", html)
        self.assertEqual(html.count("<svg"), 1)
        self.assertIn("1 of 1 param differs", html)
        out = self.ok("runs", "compare", ids[0], "-o", "-", "--x", "time", "--points", "3").out
        self.assertTrue(out.startswith("<!DOCTYPE html>"))
        self.assertIn("Time since the run started", out)
        self.bad(2, "runs", "compare", *ids, contains="-o FILE.html is required")
        self.bad(2, "runs", "compare", "-o", page)
        self.bad(2, "runs", "compare", ids[0], "-o", page, "--x", "wall", contains="step or time")
        self.bad(2, "runs", "compare", ids[0], "-o", page, "--points", "2", contains="3..100000")
        self.bad(1, "runs", "compare", ids[0], ids[0], "-o", page, contains="given twice")
        self.bad(1, "runs", "compare", "0" * 32, "-o", page, contains="no run")
        self.bad(1, "runs", "compare", ids[0], "-o", self.path("no", "such", "dir.html"))


class TestRegistry(Base):
    def keypair(self, name):
        priv, pub = self.path(name + ".pem"), self.path(name + ".pub")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", priv], check=True,
                       capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", priv, "-pubout", "-out", pub], check=True,
                       capture_output=True)
        return priv, pub

    def test_model_page(self):
        self.init()
        digest = self.ok("put", self.write("m.bin", b"weights")).out.split()[0]
        self.ok("exp", "create", "e")
        run = self.ok("run", "start", "e", "--name", "<r>").out.strip()
        self.ok("model", "create", "m & <n>")
        self.ok("model", "version", "create", "m & <n>", digest, "--run", run)
        self.ok("model", "version", "create", "m & <n>", digest)
        self.ok("model", "alias", "set", "m & <n>", "champion", "1:70,2:30", "--reason", "<why>")
        page = self.path("model.html")
        r = self.ok("model", "page", "m & <n>", "-o", page, "--title", "A & B")
        self.assertEqual((r.out, r.err), ("", ""))
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<title>A &amp; B</title>", html)
        self.assertIn("&lt;r&gt;", html)
        self.assertIn("&lt;why&gt;", html)
        self.assertNotIn("<r>", html)
        self.assertIn("1:70,2:30", html)
        self.assertEqual(html.count("<svg"), 2)  # the alias's chart, the lineage
        out = self.ok("model", "page", "m & <n>", "-o", "-").out
        self.assertTrue(out.startswith("<!DOCTYPE html>"))
        self.assertIn("<title>Model m &amp; &lt;n&gt;</title>", out)
        self.bad(2, "model", "page", "m & <n>", contains="-o FILE.html is required")
        self.bad(2, "model", "page", "-o", page)
        self.bad(1, "model", "page", "nope", "-o", page, contains="nope")
        self.bad(1, "model", "page", "m & <n>", "-o", self.path("no", "such", "dir.html"))

    def test_story(self):
        self.init()
        model_file = self.write("model.bin", b"weights v1")
        digest = self.ok("put", model_file).out.split()[0]
        self.ok("exp", "create", "e")
        run = self.ok("run", "start", "e").out.strip()
        self.ok("model", "create", "churn", "--description", "who leaves", "--reason", "new")
        self.bad(1, "model", "create", "churn")
        self.bad(1, "model", "create", "bad@name")
        self.assertEqual(self.ok("model", "version", "create", "churn", digest, "--run", run).out,
                         "1\n")
        v2 = self.ok("model", "version", "create", "churn", digest, "--json").json()
        self.assertEqual(v2, {"model": "churn", "version": 2})
        self.bad(1, "model", "version", "create", "churn", "sha256:" + "d" * 64)
        self.bad(1, "model", "version", "create", "nope", digest)
        self.bad(1, "model", "version", "create", "churn", digest, "--run", "e" * 32)
        self.ok("model", "alias", "set", "churn", "champion", "1", "--actor", "ci")
        self.bad(1, "model", "alias", "set", "churn", "champion", "9")
        self.bad(1, "model", "alias", "set", "churn", "latest", "1")  # reserved
        self.bad(2, "model", "alias", "set", "churn", "champion", "one")
        self.assertEqual(self.ok("model", "resolve", "churn@champion").out, f"1 {digest}\n")
        self.assertEqual(self.ok("model", "resolve", "churn@latest", "--json").json(),
                         {"ref": "churn@latest", "version": 2, "artifact": digest})
        self.assertEqual(self.ok("model", "resolve", "churn/2").out.split()[0], "2")
        self.bad(1, "model", "resolve", "churn@nope")
        self.bad(1, "model", "resolve", "nothing")
        models = self.ok("model", "ls", "--json").json()
        self.assertEqual([(m["name"], m["max_version"], m["aliases"]) for m in models],
                         [("churn", 2, {"champion": 1})])
        self.assertEqual(self.ok("model", "ls", "ch*", "--json").json()[0]["name"], "churn")
        self.assertEqual(self.ok("model", "ls", "x*", "--json").json(), [])
        show = self.ok("model", "show", "churn", "--json").json()
        self.assertEqual(show["description"], "who leaves")
        self.assertEqual([(v["version"], v["run_id"], v["artifact"]) for v in show["versions"]],
                         [(1, run, digest), (2, None, digest)])
        self.assertIn("champion", self.ok("model", "show", "churn").out)
        self.bad(1, "model", "show", "nope")
        self.ok("model", "alias", "rm", "churn", "champion")
        self.bad(1, "model", "alias", "rm", "churn", "champion")
        self.bad(1, "model", "resolve", "churn@champion")

        # Signing.
        priv, pub = self.keypair("k1")
        _, other_pub = self.keypair("k2")
        r = self.ok("model", "sign", "churn", "1", "--key", priv)
        self.assertIn("churn/1 signed with key sha256:", r.out)
        self.bad(1, "model", "sign", "churn/1", "--key", priv, contains="already")
        self.assertIn("verified", self.ok("model", "verify", "churn/1", "--key", pub).out)
        self.ok("model", "alias", "set", "churn", "prod", "1")
        v = self.ok("model", "verify", "churn@prod", "--key", pub, "--json").json()
        self.assertEqual((v["model"], v["version"], v["verified"]), ("churn", 1, True))
        self.assertRegex(v["key"], HEX64)
        self.bad(1, "model", "verify", "churn", "1", "--key", other_pub)
        self.bad(1, "model", "verify", "churn", "2", "--key", pub)
        self.bad(2, "model", "verify", "churn", "1")
        self.bad(1, "model", "verify", "churn", "1", "--key", self.path("missing.pub"))
        self.bad(1, "model", "sign", "churn", "2", "--key", pub)  # a public key cannot sign
        self.bad(2, "model", "sign", "churn", "--key", priv, contains="names no version")

        # Audit log.
        events = self.ok("audit", "log", "--json").json()
        actions = [e["action"] for e in events]
        self.assertEqual(actions[:4], ["model.create", "model.describe", "version.create",
                                       "version.create"])
        self.assertIn("version.sign", actions)
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        alias_set = [e for e in events if e["action"] == "alias.set"][0]
        self.assertEqual((alias_set["actor"], alias_set["key"]), ("ci", "champion"))
        self.assertEqual(len(self.ok("audit", "log", "--limit", "2", "--json").json()), 2)
        self.assertEqual(self.ok("audit", "log", "--after", "2", "--json").json()[0]["seq"], 3)
        self.assertEqual(len(self.ok("audit", "log", "churn", "--json").json()), len(events))
        self.bad(2, "audit", "log", "churn", "--limit", "1")
        v = self.ok("audit", "verify", "--json").json()
        self.assertEqual((v["ok"], v["events"], v["first_bad"]), (True, len(events), 0))
        head = self.ok("audit", "verify").out.split("head ")[1].strip()
        self.ok("audit", "verify", "--head", head)
        self.bad(2, "audit", "verify", "--head", "junk")
        # Edit one event behind the library's back: the chain breaks.
        db = sqlite3.connect(os.path.join(self.store, "mlops.db"))
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                  if "audit" in t]
        self.assertTrue(tables)
        cols = [c[1] for c in db.execute(f"PRAGMA table_info({tables[0]})")]
        actor_col = [c for c in cols if "actor" in c][0]
        db.execute(f"UPDATE {tables[0]} SET {actor_col} = 'mallory' WHERE rowid = 2")
        db.commit()
        db.close()
        r = mlops("audit", "verify", "--json", store=self.store)
        self.assertEqual(r.code, 1, r)
        self.assertFalse(r.json()["ok"])
        self.assertEqual(r.json()["first_bad"], 2)
        self.assertIn("does not verify", r.err)

    def test_audit_checkpoint(self):
        self.init()
        priv, pub = self.keypair("k1")
        _, other_pub = self.keypair("k2")
        self.bad(1, "audit", "checkpoint", "--key", priv, contains="empty")
        self.ok("model", "create", "churn")
        self.bad(2, "audit", "checkpoint")
        self.bad(1, "audit", "checkpoint", "--key", pub)  # a public key cannot sign
        c = self.ok("audit", "checkpoint", "--key", priv, "--actor", "release-bot",
                    "--json").json()
        self.assertEqual((c["covered"], c["seq"]), (1, 2))
        self.assertRegex(c["key"], HEX64)
        self.assertIn("events 1..2 signed", self.ok("audit", "checkpoint", "--key", priv).out)
        self.ok("model", "create", "other")
        v = self.ok("audit", "verify", "--key", pub, "--json").json()
        self.assertEqual((v["ok"], v["checkpoints"], v["attested_seq"], v["unattested"]),
                         (True, 2, 2, 2))
        out = self.ok("audit", "verify", "--key", pub).out
        self.assertIn("up to event 2; 2 events after it are unattested", out)
        self.ok("audit", "verify", "--key", pub, "--min-seq", "2")
        self.bad(1, "audit", "verify", "--key", pub, "--min-seq", "3", contains="covers event 3")
        self.bad(2, "audit", "verify", "--min-seq", "2")
        self.bad(2, "audit", "verify", "--key", pub, "--min-seq", "0")
        self.bad(1, "audit", "verify", "--key", other_pub, contains="not one of the trusted keys")
        self.assertEqual(self.ok("audit", "verify", "--json").json()["checkpoints"], 2)
        log = self.ok("audit", "log", "--json").json()
        self.assertEqual([e["action"] for e in log],
                         ["model.create", "audit.checkpoint", "audit.checkpoint", "model.create"])
        self.assertEqual(log[1]["actor"], "release-bot")
        self.assertEqual(log[1]["new"], "1:" + log[0]["hash"])


class TestDelivery(Base):
    """model gate set / show / rm and model promote, with its exit codes:
    0 promoted, 1 refused by the gate, 2 usage, 3 any other error."""

    def version(self, auc):
        digest = self.ok("put", self.write("m%s.bin" % auc, "weights %s" % auc)).out.split()[0]
        v = self.ok("model", "version", "create", "churn", digest).out.strip()
        data = self.write("holdout.csv", "y,s\n0,0.1\n0,0.4\n1,0.35\n1,0.8\n")
        if auc is not None:
            self.ok("eval", data, "-m", "roc_auc", "-l", "y", "-s", "s", "--model", "churn/" + v,
                    "--dataset", self.ds)
        return v

    def test_gate_and_promote(self):
        self.init()
        self.ds = sha256_text(b"holdout")
        self.ok("model", "create", "churn")
        self.bad(1, "model", "gate", "set", "churn", "champion", "metrics.auc >=",
                 contains="expected")
        self.ok("model", "gate", "set", "churn", "champion", "--dataset", self.ds,
                "METRICS.roc_auc>=0.7", "metrics.roc_auc >= baseline.metrics.roc_auc")
        g = self.ok("model", "gate", "show", "churn", "champion", "--json").json()
        self.assertEqual(g["conditions"], ["metrics.roc_auc >= 0.7",
                                           "metrics.roc_auc >= baseline.metrics.roc_auc"])
        self.assertEqual(g["dataset"], self.ds)
        self.assertEqual(self.ok("model", "gate", "show", "churn", "champion").out,
                         "dataset %s\nmetrics.roc_auc >= 0.7\n"
                         "metrics.roc_auc >= baseline.metrics.roc_auc\n" % self.ds)
        v1 = self.version(0.75)
        v2 = self.version(None)  # no evaluation: refused
        r = self.ok("model", "promote", "churn", v1, "--alias", "champion", "--json").json()
        self.assertTrue(r["promoted"])
        self.assertEqual([c["outcome"] for c in r["checks"]], ["pass", "skip"])
        r = mlops("model", "promote", "churn", v2, "--alias", "champion", store=self.store)
        self.assertEqual(r.code, 1, r)
        self.assertIn("fail", r.out)
        self.assertIn("refuses version 2", r.err)
        r = mlops("model", "promote", "churn", v2, "--alias", "champion", "--json",
                  store=self.store)
        self.assertEqual(r.code, 1, r)
        j = r.json()
        self.assertFalse(j["promoted"])
        self.assertEqual(j["baseline"], 1)
        self.assertIsNone(j["checks"][0]["left"])
        self.assertIn("missing", j["checks"][0]["why"])
        # A plain alias set goes through the gate too.
        self.bad(1, "model", "alias", "set", "churn", "champion", v2)
        # Usage: 2; other errors: 3.
        self.bad(2, "model", "promote", "churn", v2)
        self.bad(2, "model", "promote", "churn", v2, "--alias", "champion", "--force")
        self.bad(3, "model", "promote", "nope", "1", "--alias", "champion")
        self.bad(3, "model", "promote", "churn", "9", "--alias", "champion")
        self.bad(3, "model", "promote", "churn", "1", "--alias", "champion",
                 store=self.path("nostore"))
        # Forced, with a reason: audited as forced.
        r = self.ok("model", "promote", "churn", v2, "--alias", "champion", "--force",
                    "--reason", "hotfix")
        self.assertIn("forced churn/2 to champion", r.out)
        log = self.ok("audit", "log", "--json").json()
        forced = [e for e in log if e["action"] == "alias.gate.decision" and e["new"] == "forced"]
        self.assertEqual(len(forced), 1)
        self.assertEqual(forced[0]["reason"], "hotfix")
        self.ok("model", "gate", "rm", "churn", "champion")
        self.bad(1, "model", "gate", "show", "churn", "champion")
        self.ok("audit", "verify")


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(str(x) for x in row) + "\n")
    return path


class TestDrift(Base):
    def data(self):
        import random
        rnd = random.Random(7)
        cities = ["Paris", "Berlin", "Rome, Italy", "S\u00e3o Paulo"]
        ref_rows, cur_rows = [], []
        for i in range(600):
            ref_rows.append([round(rnd.gauss(40, 8), 2), "" if i % 20 == 0 else rnd.randint(1, 3),
                             '"' + rnd.choice(cities[:2]).replace('"', '""') + '"',
                             rnd.choice(["a", "b"])])
        for i in range(400):
            cur_rows.append([round(rnd.gauss(55, 8), 2), rnd.randint(1, 3),
                             '"' + rnd.choice(cities) + '"', rnd.choice(["a", "b"])])
        h = ["age", "score", "city", "plan"]
        return (write_csv(self.path("ref.csv"), h, ref_rows),
                write_csv(self.path("cur.csv"), h, cur_rows))

    def test_compare(self):
        ref, cur = self.data()
        # Comparing two files needs no store.
        r = self.ok("drift", "compare", ref, cur, "--json")
        rep = r.json()
        self.assertEqual(rep["format"], "mlops.drift_report")
        cols = {c["name"]: c for c in rep["columns"]}
        self.assertEqual(set(cols), {"age", "score", "city", "plan"})
        self.assertEqual(cols["age"]["kind"], "numeric")
        self.assertEqual(cols["city"]["kind"], "categorical")
        # integers with at most 10 distinct values: categorical, as Evidently types them
        self.assertEqual(cols["score"]["kind"], "categorical")
        self.assertTrue(cols["age"]["drifted"])
        self.assertTrue(cols["city"]["drifted"])
        self.assertFalse(cols["plan"]["drifted"])
        self.assertEqual(cols["age"]["method"], "ks")  # 600 reference values: Evidently's KS
        self.assertEqual(cols["score"]["n_ref"], 570)  # empty cells are missing
        self.assertTrue(rep["dataset_drift"])
        self.assertFalse(os.path.exists(self.store))
        text = self.ok("drift", "compare", ref, cur).out
        self.assertRegex(text, r"age\s+numeric\s+ks\s")
        self.assertIn("dataset drift: YES (2 of 4 columns drifted, 50%", text)
        # Selection, overrides, methods.
        rep = self.ok("drift", "compare", ref, cur, "--columns", "score,plan", "--categorical",
                      "score", "--method", "score=psi", "--json").json()
        self.assertEqual([(c["name"], c["kind"], c["method"]) for c in rep["columns"]],
                         [("score", "categorical", "psi"), ("plan", "categorical", "z")])
        rep = self.ok("drift", "compare", ref, cur, "-m", "wasserstein", "-c", "age", "--threshold",
                      "5", "--json").json()
        self.assertEqual(rep["columns"][0]["threshold"], 5)
        self.assertFalse(rep["columns"][0]["drifted"])
        r = mlops("drift", "compare", ref, cur, "--fail-on-drift")
        self.assertEqual(r.code, 1)
        self.assertIn("dataset drift detected", r.err)
        self.ok("drift", "compare", ref, cur, "-c", "plan", "--fail-on-drift")

    def test_html(self):
        ref, cur = self.data()
        out = self.path("report.html")
        r = self.ok("drift", "compare", ref, cur, "--html", out, "--title", "Nightly <check>")
        self.assertIn("HTML report: " + out, r.out)
        page = open(out, encoding="utf-8").read()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertIn("Nightly &lt;check&gt;", page)
        self.assertIn("S\u00e3o Paulo", page)  # category names, not codes
        self.assertIn("Rome, Italy", page)
        self.assertNotIn("<script", page)
        self.assertEqual(page.count("<figure><svg"), 4)
        self.assertEqual(oct(os.stat(out).st_mode & 0o777), oct(0o644))
        # A failed comparison writes no report, not even part of one.
        bad = self.write("bad.csv", "age,score,city,plan\n1,2,3\n")
        self.bad(1, "drift", "compare", ref, bad, "--html", self.path("no.html"))
        self.assertFalse(os.path.exists(self.path("no.html")))
        self.assertEqual([f for f in os.listdir(self.dir) if "tmp" in f], [])

    def test_bad_csv(self):
        ref, _ = self.data()
        cases = {
            "ragged.csv": (b"age,score,city,plan\n1,2,x,a\n1,2,x\n", "line 3: 3 fields, the header has 4"),
            "latin1.csv": (b"age,score,city,plan\n1,2,S\xe3o,a\n", "not UTF-8"),
            "unclosed.csv": (b'age,score,city,plan\n1,2,"x,a\n', "never closed"),
            "stray.csv": (b'age,score,city,plan\n1,2,x"y,a\n', "quote inside"),
            "empty.csv": (b"", "empty"),
            "dup.csv": (b"age,age,city,plan\n1,2,x,a\n", "appears twice"),
            "noname.csv": (b"age,,city,plan\n1,2,x,a\n", "no name"),
            "nul.csv": (b"age,score,city,plan\n1,2,x\x00,a\n", "NUL"),
        }
        for name, (data, message) in cases.items():
            p = self.write(name, data)
            r = self.bad(1, "drift", "compare", ref, p, contains=message)
            self.assertIn(name, r.err)
        missing_col = write_csv(self.path("fewer.csv"), ["age", "score", "city"], [[1, 2, "x"]])
        self.bad(1, "drift", "compare", ref, missing_col,
                 contains="column 'plan' is in " + ref + " but not in " + missing_col)
        extra = write_csv(self.path("extra.csv"), ["age", "score", "city", "plan", "zip"],
                          [[1, 2, "x", "a", 5]])
        self.bad(1, "drift", "compare", ref, extra, contains="'zip'")
        self.bad(1, "drift", "compare", ref, extra, "--columns", "age,nope", contains="no column 'nope'")
        self.bad(1, "drift", "compare", ref, ref, "--numeric", "city", contains="is not a number")
        self.bad(1, "drift", "compare", ref, ref, "--numeric", "age", "--categorical", "age")
        self.bad(1, "drift", "compare", ref, self.path("absent.csv"), contains="absent.csv")
        os.chmod(ref, 0)
        if os.geteuid() != 0:  # root reads anything
            self.bad(1, "drift", "compare", ref, ref, contains="cannot read")
        os.chmod(ref, 0o644)
        self.bad(2, "drift", "compare", ref)
        self.bad(2, "drift", "compare", ref, ref, "--method", "magic", contains="unknown method")
        self.bad(2, "drift", "compare", ref, ref, "--alpha", "0.1")
        # A header and no rows: no values to compare.
        hdr = self.write("header-only.csv", "age,score,city,plan\n")
        self.bad(1, "drift", "compare", ref, hdr)

    def test_profiles(self):
        ref, cur = self.data()
        self.init()
        r = self.ok("drift", "profile", ref, "--ref", "profiles/train", "--json").json()
        self.assertRegex(r["digest"], HEX64)
        self.assertEqual(r["rows"], 600)
        self.assertEqual([(c["name"], c["kind"]) for c in r["columns"]],
                         [("age", "numeric"), ("score", "categorical"), ("city", "categorical"),
                          ("plan", "categorical")])
        plain = self.ok("drift", "profile", ref).out.strip()
        self.assertEqual(plain, r["digest"])  # the same data gives the same profile
        cmp_ = self.ok("drift", "compare", "--profile", "profiles/train", cur, "--json").json()
        self.assertEqual(cmp_["profile"], r["digest"])
        cols = {c["name"]: c for c in cmp_["columns"]}
        self.assertEqual(cols["age"]["verdict"], "drift")
        self.assertEqual(cols["plan"]["verdict"], "no_drift")
        self.assertEqual(cols["city"]["verdict"], "drift")
        self.assertEqual(cols["age"]["n_cur"], 400)
        self.assertTrue(cmp_["dataset_drift"])
        self.assertIn("ks (sketch)", self.ok("drift", "compare", "-p", r["digest"], cur).out)
        sub = self.ok("drift", "compare", "--profile", r["digest"], cur, "-c", "plan",
                      "--json").json()
        self.assertEqual([c["name"] for c in sub["columns"]], ["plan"])
        self.bad(1, "drift", "compare", "--profile", "nope", cur, contains="neither a digest")
        blob = self.ok("put", self.write("x.bin", b"not a profile")).out.split()[0]
        self.bad(1, "drift", "compare", "--profile", blob, cur, contains="not a dataset profile")
        self.bad(2, "drift", "compare", "--profile", blob, cur, cur)
        self.bad(2, "drift", "compare", "--profile", blob, cur, "--html", self.path("x.html"))
        fewer = write_csv(self.path("fewer.csv"), ["age", "score", "city"], [[1, 2, "x"]])
        self.bad(1, "drift", "compare", "--profile", r["digest"], fewer, contains="'plan'")
        text = write_csv(self.path("text.csv"), ["age", "score", "city", "plan"], [["old", 1, "x", "a"]])
        self.bad(1, "drift", "compare", "--profile", r["digest"], text, contains="is not a number")

    def test_log_to_run(self):
        ref, cur = self.data()
        self.init()
        self.ok("exp", "create", "monitor")
        run = self.ok("run", "start", "monitor").out.strip()
        self.ok("drift", "compare", ref, cur, "--log-run", run, "--step", "7")
        metrics = self.ok("run", "show", run, "--json").json()["metrics"]
        self.assertEqual(metrics["drift.dataset_drift"]["last"], 1)
        self.assertEqual(metrics["drift.age.ks"]["last_step"], 7)
        self.bad(1, "drift", "compare", ref, cur, "--log-run", "0" * 32)
        self.bad(2, "drift", "compare", ref, cur, "--step", "1")


class TestProgress(Base):
    """The progress bar appears on a terminal and nowhere else."""

    def run_with_tty_stderr(self, args):
        from clienv import installed
        exe, env, _ = installed()
        master, slave = pty.openpty()
        p = subprocess.Popen([exe, "-C", self.store] + args, stdout=subprocess.PIPE,
                             stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        out = p.stdout.read()
        p.wait()
        os.close(master)
        return p.returncode, out.decode(), b"".join(chunks).decode("utf-8", "replace")

    def test_put_shows_progress_on_a_terminal_only(self):
        self.init()
        big = self.write("big.bin", os.urandom(12 << 20))
        code, out, err = self.run_with_tty_stderr(["put", big])
        self.assertEqual(code, 0, err)
        self.assertEqual(out.split()[0], sha256_text(open(big, "rb").read()))
        self.assertIn("put [", err)
        self.assertIn("\r", err)
        self.assertIn("MiB", err)
        r = self.ok("put", big)  # stderr is a pipe here
        self.assertEqual(r.err, "")
        code, out, err = self.run_with_tty_stderr(["fsck"])
        self.assertEqual(code, 0, err)
        self.assertIn("checked", out)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
