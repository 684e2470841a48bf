"""`mlops remote add|ls|rm`, `mlops push`, `mlops pull` (doc/remotes.md):
a folder pushed to a directory remote and pulled into another store comes
back the same, a second push sends nothing, and usage errors exit 2. Run by
meson test (tests/cli/meson.build).
"""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, mlops, tmpdir  # noqa: E402


class TestRemote(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self.id().split(".")[-1])
        self.a = os.path.join(self.dir, "a")
        self.b = os.path.join(self.dir, "b")
        self.remote = os.path.join(self.dir, "remote")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def ok(self, *args, store=None):
        r = mlops(*args, store=store)
        self.assertEqual(r.code, 0, r)
        return r

    def test_push_pull(self):
        src = os.path.join(self.dir, "data")
        os.makedirs(os.path.join(src, "sub"))
        for i in range(20):
            with open(os.path.join(src, "sub" if i % 2 else "", "f%d" % i), "wb") as f:
                f.write(os.urandom(1000 + 97 * i))
        self.ok("init", self.a)
        self.ok("put", src, "--ref", "data", store=self.a)
        self.ok("remote", "add", "team", self.remote, store=self.a)
        listed = self.ok("remote", "ls", "--json", store=self.a).json()
        self.assertEqual(listed, [{"name": "team", "url": self.remote}])
        first = self.ok("push", "team", "ref:data", "--json", store=self.a).json()
        self.assertEqual(first["contents"], 22)  # 20 files, 2 trees
        self.assertEqual(first["objects_sent"], first["objects"])
        again = self.ok("push", "team", "ref:data", "--json", store=self.a).json()
        self.assertEqual(again["objects_sent"], 0)

        self.ok("init", self.b)
        self.ok("remote", "add", "team", self.remote, store=self.b)
        text = self.ok("pull", "team", "ref:data", store=self.b).out
        self.assertIn("fetched", text)
        out = os.path.join(self.dir, "out")
        self.ok("get", "data", "-o", out, store=self.b)
        for root, _, files in os.walk(src):
            for name in files:
                p = os.path.join(root, name)
                with open(p, "rb") as f1, open(os.path.join(out, os.path.relpath(p, src)), "rb") as f2:
                    self.assertEqual(f1.read(), f2.read())

        r = mlops("pull", "team", "ref:never", store=self.b)
        self.assertEqual(r.code, 1, r)
        self.assertIn("no record of ref:never", r.err)
        self.ok("remote", "rm", "team", store=self.b)
        self.assertEqual(self.ok("remote", "ls", "--json", store=self.b).json(), [])

    def test_usage(self):
        self.ok("init", self.a)
        for args in (("push", "team"), ("pull",), ("remote", "add", "x"), ("remote", "rm")):
            r = mlops(*args, store=self.a)
            self.assertEqual(r.code, 2, r)
        r = mlops("push", "team", "nokind", store=self.a)
        self.assertEqual(r.code, 1, r)
        r = mlops("remote", "add", "bad name", "/x", store=self.a)
        self.assertEqual(r.code, 1, r)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
