"""Issue 13 through the `mlops` command: with the sqlite3 shell an attacker
made a digest name other bytes (a blob's chunk rows swapped for another
blob's, a whole blob redirected through its row). get, cat and tree
restore now fail and write nothing, fsck reports it (also with --json, and
past an object it cannot read), and `model verify --deep` catches what
plain verify (a signature over the digest) cannot. Run by meson test
(tests/cli/meson.build).
"""
import json
import os
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, mlops  # noqa: E402
from test_cli import Base  # noqa: E402

MIB = 1 << 20


def swap_chunk_rows(db, victim, donor):
    """victim's chunk rows replaced by donor's; its count and size fixed."""
    v, d = bytes.fromhex(victim[7:]), bytes.fromhex(donor[7:])
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM cas_chunk WHERE blob = ?", (v,))
        c.execute("INSERT INTO cas_chunk(blob, pos, size, chunk) "
                  "SELECT ?, pos, size, chunk FROM cas_chunk WHERE blob = ?", (v, d))
        c.execute("UPDATE cas_content SET chunks = (SELECT chunks FROM cas_content WHERE digest = ?),"
                  " size = (SELECT size FROM cas_content WHERE digest = ?) WHERE digest = ?",
                  (d, d, v))


def redirect_whole_blob(db, victim, donor):
    """A blob stored whole, pointed at donor's manifest, size and chunks."""
    v, d = bytes.fromhex(victim[7:]), bytes.fromhex(donor[7:])
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO cas_chunk(blob, pos, size, chunk) "
                  "SELECT ?, pos, size, chunk FROM cas_chunk WHERE blob = ?", (v, d))
        c.execute("UPDATE cas_content SET manifest = (SELECT manifest FROM cas_content WHERE "
                  "digest = ?), chunks = (SELECT chunks FROM cas_content WHERE digest = ?), "
                  "size = (SELECT size FROM cas_content WHERE digest = ?) WHERE digest = ?",
                  (d, d, d, v))


class TestIntegrity(Base):
    def keypair(self, name):
        priv, pub = self.path(name + ".pem"), self.path(name + ".pub")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", priv], check=True,
                       capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", priv, "-pubout", "-out", pub], check=True,
                       capture_output=True)
        return priv, pub

    def put(self, name, data):
        return self.ok("put", self.write(name, data)).out.split()[0]

    def refused(self, digest, tree):
        """Every complete read fails and leaves nothing at its target."""
        out = self.path("out.bin")
        self.bad(1, "get", digest, "-o", out, contains="corrupt")
        self.assertFalse(os.path.exists(out))
        self.assertEqual([n for n in os.listdir(self.dir) if n.startswith(".out.bin")], [])
        r = mlops("cat", digest, store=self.store, binary=True)
        self.assertEqual(r.code, 1, r)
        self.assertIn("corrupt", r.err)
        restored = self.path("restored")
        self.bad(1, "get", tree, "-o", restored, contains="corrupt")
        self.assertFalse(os.path.exists(restored))

    def test_rewritten_rows_are_refused_and_found(self):
        self.init()
        a, b = os.urandom(6 * MIB), os.urandom(6 * MIB)  # over the 4 MiB chunk maximum
        da, db = self.put("a.bin", a), self.put("b.bin", b)
        dc = self.put("c.txt", "stored whole")
        self.assertGreater(self.ok("stat", da, "--json").json()[0]["chunks"], 1)
        self.write("dir-a/weights.bin", a)
        self.write("dir-c/c.txt", "stored whole")
        ta = self.ok("put", self.path("dir-a")).out.split()[0]
        tc = self.ok("put", self.path("dir-c")).out.split()[0]
        self.ok("model", "create", "m")
        self.ok("model", "version", "create", "m", da)
        self.ok("model", "version", "create", "m", ta)
        priv, pub = self.keypair("k")
        for v in ("1", "2"):
            self.ok("model", "sign", "m", v, "--key", priv)
            r = self.ok("model", "verify", "m", v, "--key", pub, "--deep", "--json").json()
            self.assertEqual((r["verified"], r["deep"]), (True, True))
        self.assertTrue(self.ok("fsck", "--json").json()["ok"])

        db_path = os.path.join(self.store, "mlops.db")
        swap_chunk_rows(db_path, da, db)
        redirect_whole_blob(db_path, dc, db)
        self.refused(da, ta)
        self.refused(dc, tc)

        # The signatures over the digests still hold; the bytes do not.
        self.assertIn("verified", self.ok("model", "verify", "m/1", "--key", pub).out)
        for v in ("1", "2"):
            self.bad(1, "model", "verify", "m", v, "--key", pub, "--deep",
                     contains="does not hold the bytes")

        r = mlops("fsck", "--json", store=self.store)
        self.assertEqual(r.code, 1, r)
        rep = r.json()
        self.assertFalse(rep["ok"])
        self.assertEqual(rep["quarantined"], 0)
        self.assertEqual(sorted(i["digest"] for i in rep["issues"]), sorted([da, dc]))
        self.assertTrue(all(i["problem"] == "corrupt" for i in rep["issues"]))
        # The donor is sound and reads.
        self.assertEqual(self.ok("cat", db, binary=True).raw, b)

    def test_fsck_goes_on_past_an_unreadable_object(self):
        self.init()
        d1, d2, d3 = self.put("1", "first"), self.put("2", "second"), self.put("3", "third")
        obj = lambda d: os.path.join(self.store, "objects", "sha256", d[7:9], d[9:])  # noqa: E731
        with open(obj(d1), "r+b") as f:  # the format-version byte
            f.seek(4)
            f.write(bytes([3]))
        with open(obj(d2), "r+b") as f:
            raw = bytearray(f.read())
            raw[-1] ^= 0xFF
            f.seek(0)
            f.write(raw)
        r = mlops("fsck", "--json", store=self.store)
        self.assertEqual(r.code, 1, r)
        rep = json.loads(r.out)
        self.assertEqual((rep["checked"], rep["corrupt"], rep["quarantined"]), (3, 2, 2))
        self.assertEqual(sorted(i["digest"] for i in rep["issues"]), sorted([d1, d2]))
        self.assertEqual(self.ok("cat", d3).out, "third")


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
