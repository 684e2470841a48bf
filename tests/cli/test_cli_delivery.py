"""Integration tests of the weighted-alias and routing commands: model
alias set with a split, alias get / ls / ramp / rollback, and model route
(arguments and stdin), with their outputs, --json and exit codes."""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, installed, mlops, tmpdir  # noqa: E402


class TestDelivery(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self.id().split(".")[-1])
        self.store = os.path.join(self.dir, "store")
        self.ok("init", self.store, store=None)
        path = os.path.join(self.dir, "model.bin")
        with open(path, "wb") as f:
            f.write(b"weights")
        digest = self.ok("put", path).out.split()[0]
        self.ok("model", "create", "churn")
        for _ in range(5):
            self.ok("model", "version", "create", "churn", digest)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def ok(self, *args, **kw):
        r = mlops(*args, store=kw.pop("store", self.store), **kw)
        self.assertEqual(r.code, 0, r)
        return r

    def bad(self, code, *args, contains=None):
        r = mlops(*args, store=self.store)
        self.assertEqual(r.code, code, r)
        self.assertEqual(r.out, "", r)
        lines = r.err.strip().split("\n")
        self.assertEqual(len(lines), 1, r)
        if contains:
            self.assertIn(contains, lines[0], r)

    def test_split_ramp_rollback(self):
        self.ok("model", "alias", "set", "churn", "champion", "4:10,3:90", "--reason", "canary")
        self.assertEqual(self.ok("model", "alias", "get", "churn", "champion").out, "3:90,4:10\n")
        self.assertEqual(self.ok("model", "resolve", "churn@champion").out.split()[0], "3")
        got = self.ok("model", "alias", "get", "churn", "champion", "--json").json()
        self.assertEqual((got["split"], got["primary"], got["shadow"], got["legs"]),
                         ("3:90,4:10", 3, None,
                          [{"version": 3, "weight": 90}, {"version": 4, "weight": 10}]))
        self.assertEqual(len(got["salt"]), 32)
        time.sleep(0.01)
        then = str(int(time.time() * 1000))
        time.sleep(0.01)
        self.assertEqual(self.ok("model", "alias", "ramp", "churn", "champion", "4", "50%").out,
                         "3:50,4:50\n")
        self.assertEqual(self.ok("model", "alias", "get", "churn", "champion", "--at", then).out,
                         "3:90,4:10\n")
        self.assertEqual(self.ok("model", "alias", "rollback", "churn", "champion").out,
                         "3:90,4:10\n")
        self.assertEqual(self.ok("model", "alias", "ramp", "churn", "champion", "4", "100").out,
                         "4\n")
        self.ok("model", "alias", "set", "churn", "stage", "2:50,1:50+shadow:5")
        self.assertEqual(self.ok("model", "alias", "ls", "churn").out,
                         "ALIAS     SPLIT               PRIMARY  SHADOW\n"
                         "champion  4                         4       -\n"
                         "stage     1:50,2:50+shadow:5        1       5\n")
        ls = self.ok("model", "alias", "ls", "churn", "--json").json()
        self.assertEqual([(a["alias"], a["split"]) for a in ls],
                         [("champion", "4"), ("stage", "1:50,2:50+shadow:5")])
        self.ok("audit", "verify")

    def test_route(self):
        self.ok("model", "alias", "set", "churn", "champion", "3:50,4:50")
        keys = [f"user-{i}" for i in range(200)]
        out = self.ok("model", "route", "churn@champion", *keys[:3]).out.splitlines()
        self.assertEqual([l.rsplit(" ", 1)[0] for l in out], keys[:3])
        piped = self.ok("model", "route", "churn@champion", "-",
                        stdin="\r\n".join(keys).encode() + b"\n").out.splitlines()
        self.assertEqual(len(piped), 200)
        self.assertEqual(piped[:3], out)
        versions = [int(l.rsplit(" ", 1)[1]) for l in piped]
        self.assertEqual(set(versions), {3, 4})
        # A key with a space keeps it; the version ends the line.
        self.assertEqual(self.ok("model", "route", "churn@champion", "a b").out.rsplit(" ", 1)[0],
                         "a b")
        self.assertEqual(self.ok("model", "route", "churn@latest", "k").out, "k 5\n")

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_promote_unwritable_output_is_an_error_not_a_refusal(self):
        """A promotion whose report cannot be written exits 3 (any other
        error), not 1, which says the gate refused: the alias did move."""
        exe, env, _ = installed()
        with open("/dev/full", "wb") as full:
            p = subprocess.run([exe, "-C", self.store, "model", "promote", "churn", "2", "--alias",
                                "champion"], env=env, stdout=full, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(b"cannot write the output", p.stderr)
        self.assertEqual(self.ok("model", "resolve", "churn@champion").out.split()[0], "2")

    def test_bad_input(self):
        self.ok("model", "alias", "set", "churn", "champion", "3")
        self.bad(1, "model", "alias", "set", "churn", "champion", "3:90,4:5",
                 contains="the weights sum to 95, not 100")
        self.bad(1, "model", "alias", "set", "churn", "champion", "3:90,9:10")
        self.bad(2, "model", "alias", "set", "churn", "champion", "three")
        self.bad(2, "model", "alias", "ramp", "churn", "champion", "4", "101")
        self.bad(2, "model", "alias", "ramp", "churn", "champion", "4")
        self.bad(1, "model", "alias", "ramp", "churn", "nope", "4", "10")
        self.bad(1, "model", "alias", "rollback", "churn", "champion",
                 contains="no earlier split")
        self.bad(2, "model", "alias", "rollback", "churn", "champion", "--to", "yesterday")
        self.bad(2, "model", "alias", "get", "churn", "champion", "--at", "2026-13-01T00:00:00Z")
        # A day the month does not have is refused, not read as March 3 or 2.
        self.bad(2, "model", "alias", "get", "churn", "champion", "--at", "2099-02-31T00:00:00Z")
        self.bad(2, "model", "alias", "rollback", "churn", "champion", "--to", "2099-02-30T00:00:00Z")
        # The times monitor check --at takes: a date alone, +00:00.
        for at in ("2099-01-01", "2099-01-01T00:00:00+00:00", "2099-01-01 00:00:00.5Z"):
            self.assertEqual(self.ok("model", "alias", "get", "churn", "champion", "--at", at).out,
                             "3\n", at)
        self.bad(1, "model", "alias", "get", "churn", "nope")
        self.bad(2, "model", "route", "churn", "k")
        self.bad(2, "model", "route", "churn@champion")
        self.bad(1, "model", "route", "churn@nope", "k", contains="has no alias 'nope'")
        self.ok("model", "alias", "rm", "churn", "champion")
        self.bad(1, "model", "route", "churn@champion", "k")


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
