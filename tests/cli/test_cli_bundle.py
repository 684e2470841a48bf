"""`mlops bundle export` and `mlops bundle import` (doc/remotes.md,
"Bundles"): a run and a model version with an alias go from one store to
another in one file; a second import adds nothing; a version number taken
with other content stops the import (exit 1, nothing added) unless
--rename is given; a changed byte is refused; usage errors exit 2. Run by
meson test (tests/cli/meson.build).
"""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, mlops, tmpdir  # noqa: E402


class TestBundle(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self.id().split(".")[-1])
        self.a = os.path.join(self.dir, "a")
        self.b = os.path.join(self.dir, "b")
        self.file = os.path.join(self.dir, "x.mlb")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def ok(self, *args, store=None):
        r = mlops(*args, store=store)
        self.assertEqual(r.code, 0, r)
        return r

    def origin(self):
        art = os.path.join(self.dir, "model.bin")
        with open(art, "wb") as f:
            f.write(os.urandom(200000))
        self.ok("init", self.a)
        digest = self.ok("put", art, store=self.a).out.split()[0]
        self.ok("exp", "create", "e", store=self.a)
        run = self.ok("run", "start", "e", store=self.a).out.strip()
        self.ok("run", "log-param", run, "lr=0.1", store=self.a)
        for step in range(2):
            self.ok("run", "log-metric", run, "loss", str(1.0 / (step + 1)), "--step", str(step),
                    "--time", str(1000 + step), store=self.a)
        self.ok("run", "end", run, store=self.a)
        self.ok("model", "create", "m", store=self.a)
        self.ok("model", "version", "create", "m", digest, "--run", run, store=self.a)
        self.ok("model", "alias", "set", "m", "prod", "1", store=self.a)
        return run, digest

    def test_round_trip(self):
        run, digest = self.origin()
        out = self.ok("bundle", "export", self.file, "model:m@prod", "--json", store=self.a).json()
        self.assertEqual((out["runs"], out["metric_points"], out["versions"]), (1, 2, 1))
        self.assertEqual(os.path.getsize(self.file), out["bytes"])
        self.ok("init", self.b)
        text = self.ok("bundle", "import", self.file, store=self.b).out
        self.assertIn("added:", text)
        self.assertEqual(self.ok("model", "resolve", "m@prod", store=self.b).out.split()[0:1],
                         self.ok("model", "resolve", "m@prod", store=self.a).out.split()[0:1])
        hist = self.ok("metric", "history", run, "loss", "--json", store=self.b).json()
        self.assertEqual(len(hist), 2)
        self.ok("audit", "verify", store=self.b)
        again = self.ok("bundle", "import", self.file, "--json", store=self.b).json()
        self.assertEqual((again["records_added"], again["objects_added"]), (0, 0))

        self.conflict_rename_damage()

    def conflict_rename_damage(self):
        # b has its own m/1: the bundle's m/1 collides
        self.ok("bundle", "export", self.file, "model:m/1", store=self.a)
        self.b = os.path.join(self.dir, "b2")
        self.ok("init", self.b)
        other = os.path.join(self.dir, "other.bin")
        with open(other, "wb") as f:
            f.write(b"something else")
        d = self.ok("put", other, store=self.b).out.split()[0]
        self.ok("model", "create", "m", store=self.b)
        self.ok("model", "version", "create", "m", d, store=self.b)
        r = mlops("bundle", "import", self.file, store=self.b)
        self.assertEqual(r.code, 1, r)
        self.assertIn("version 1 of model 'm'", r.err)
        r = mlops("run", "ls", "e", store=self.b)
        self.assertIn("no experiment 'e'", r.err)  # nothing came in
        out = self.ok("bundle", "import", self.file, "--rename", "a-", "--json", store=self.b).json()
        self.assertEqual(out["renumbered"], 1)
        self.ok("model", "resolve", "m/2", store=self.b)

        with open(self.file, "rb") as f:
            data = bytearray(f.read())
        data[len(data) // 3] ^= 1
        bad = os.path.join(self.dir, "bad.mlb")
        with open(bad, "wb") as f:
            f.write(bytes(data))
        self.ok("init", os.path.join(self.dir, "c"))
        r = mlops("bundle", "import", bad, store=os.path.join(self.dir, "c"))
        self.assertEqual(r.code, 1, r)
        self.assertIn("bundle import failed", r.err)

    def test_usage(self):
        self.ok("init", self.a)
        for args in (("bundle", "export", self.file), ("bundle", "import"),
                     ("bundle", "import", "a", "b")):
            r = mlops(*args, store=self.a)
            self.assertEqual(r.code, 2, r)
        r = mlops("bundle", "export", self.file, "nokind", store=self.a)
        self.assertEqual(r.code, 1, r)
        self.assertFalse(os.path.exists(self.file))


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
