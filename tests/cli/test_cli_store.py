"""`mlops store copy SRC DST`: a copy verifies with the source's audit head,
a second run adds nothing, and a destination that is neither empty nor a
copy of the source is refused. Run by meson test (tests/cli/meson.build).
"""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, mlops, tmpdir  # noqa: E402


class TestOpenErrors(unittest.TestCase):
    """A store that does not open is not "no store": the message says why."""

    def test_missing_s3_credentials(self):
        d = tmpdir("nocreds")
        try:
            store = os.path.join(d, "s")
            self.assertEqual(mlops("init", store).code, 0)
            with open(os.path.join(store, "mlops.conf"), "w") as f:
                f.write("format 1\nobjects s3://bucket/prefix\n")
            env = {k: "" for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                   "AWS_SESSION_TOKEN", "AWS_PROFILE")}
            env.update(AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull,
                       AWS_REGION="us-east-1", AWS_ENDPOINT_URL_S3="http://127.0.0.1:9")
            r = mlops("ls", store=store, env=env)
            self.assertEqual(r.code, 1, r)
            if "without S3 support" in r.err:
                self.skipTest("this mlops was built without S3 support")
            self.assertIn("cannot open the store", r.err)
            self.assertIn("no S3 credentials", r.err)
            self.assertNotIn("no store at", r.err)
            # A folder with no store in it still says so.
            r = mlops("ls", store=os.path.join(d, "nothing"))
            self.assertEqual(r.code, 1, r)
            self.assertIn("no store at", r.err)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_refused_init_leaves_no_objects_folder(self):
        # The objects folder init made for a store it could not create goes
        # again; the password never reaches the disk nor the message.
        d = tmpdir("refused")
        try:
            objects = os.path.join(d, "objects")
            r = mlops("init", "--metadata", "postgresql://u:secret@127.0.0.1:9/db",
                      "--objects", objects, os.path.join(d, "s"))
            self.assertEqual(r.code, 1, r)
            if "without PostgreSQL support" in r.err:
                self.skipTest("this mlops was built without PostgreSQL support")
            self.assertIn("holds a password", r.err)
            self.assertNotIn("secret", r.err)
            self.assertFalse(os.path.exists(objects))
            # a folder that was there before stays
            os.mkdir(objects)
            r = mlops("init", "--metadata", "postgresql://u:secret@127.0.0.1:9/db",
                      "--objects", objects, os.path.join(d, "s"))
            self.assertEqual(r.code, 1, r)
            self.assertTrue(os.path.isdir(objects))
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_init_refuses_an_sslpassword(self):
        # The passphrase of the client's key is a secret as a password is:
        # it is refused before anything is made, and never repeated (it
        # used to pass the check, so a store on a reachable server kept it
        # in mlops.conf).
        d = tmpdir("sslpassword")
        try:
            r = mlops("init", "--metadata",
                      "postgresql://u@127.0.0.1:9/db?sslpassword=keysecret",
                      "--objects", os.path.join(d, "objects"), os.path.join(d, "s"))
            self.assertEqual(r.code, 1, r)
            if "without PostgreSQL support" in r.err:
                self.skipTest("this mlops was built without PostgreSQL support")
            self.assertIn("holds an sslpassword", r.err)
            self.assertNotIn("keysecret", r.err + r.out)
            self.assertFalse(os.path.exists(os.path.join(d, "s")))
        finally:
            shutil.rmtree(d, ignore_errors=True)


class TestStoreCopy(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self.id().split(".")[-1])
        self.src = os.path.join(self.dir, "src")
        self.dst = os.path.join(self.dir, "dst")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def ok(self, *args, store=None):
        r = mlops(*args, store=store)
        self.assertEqual(r.code, 0, r)
        return r

    def fill(self, store, text):
        path = os.path.join(self.dir, text + ".bin")
        with open(path, "wb") as f:
            f.write(text.encode() * 1000)
        self.ok("init", store)
        digest = self.ok("put", path, store=store).out.split()[0]
        self.ok("model", "create", "m", store=store)
        self.ok("model", "version", "create", "m", digest, store=store)
        self.ok("model", "alias", "set", "m", "champion", "1", store=store)
        return digest

    def copy(self, src, dst):
        return self.ok("store", "copy", src, dst, "--json").json()

    def test_copy_then_again(self):
        digest = self.fill(self.src, "alpha")
        first = self.copy(self.src, self.dst)
        self.assertEqual(first["objects_copied"], 1)
        self.assertGreaterEqual(first["events_copied"], 3)
        src_head = self.ok("audit", "verify", "--json", store=self.src).json()
        dst_head = self.ok("audit", "verify", "--json", store=self.dst).json()
        self.assertEqual(src_head["head"], dst_head["head"])
        self.assertEqual(first["audit_head_hash"], src_head["head"])
        self.assertEqual(self.ok("model", "resolve", "m@champion", store=self.dst).out.strip(),
                         self.ok("model", "resolve", "m@champion", store=self.src).out.strip())
        self.assertEqual(self.ok("cat", digest, store=self.dst).out, "alpha" * 1000)
        again = self.copy(self.src, self.dst)
        for key in ("objects_copied", "records_written", "events_copied"):
            self.assertEqual(again[key], 0, again)
        # The text form names the head too.
        text = self.ok("store", "copy", self.src, self.dst).out
        self.assertIn(src_head["head"], text)

    def test_refuses_unrelated_store(self):
        self.fill(self.src, "alpha")
        other = os.path.join(self.dir, "other")
        self.fill(other, "beta")
        r = mlops("store", "copy", self.src, other)
        self.assertEqual(r.code, 1, r)
        self.assertEqual(len(r.err.strip().split("\n")), 1, r)
        self.assertIn("neither empty nor a copy", r.err)
        self.assertEqual(r.out, "")

    def test_usage(self):
        r = mlops("store", "copy", self.src)
        self.assertEqual(r.code, 2, r)
        r = mlops("store", "copy", os.path.join(self.dir, "none"), self.dst)
        self.assertEqual(r.code, 1, r)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
