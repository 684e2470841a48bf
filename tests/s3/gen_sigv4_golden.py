#!/usr/bin/env python3
"""Writes tests/s3/sigv4_golden.json: SigV4 signatures of S3 requests made
by botocore's S3SigV4Auth, which tests/s3/test_sigv4.c compares byte for
byte with lib/objects/s3/sigv4.c. The test never needs botocore.

Run it from a throwaway virtual environment outside the clone:

    python3 -m venv VENV
    VENV/bin/pip install botocore==1.35.99
    VENV/bin/python tests/s3/gen_sigv4_golden.py

It refuses any other botocore version, so a regenerated file changes only
when the pin does. doc/s3.md ("Signing and settings") lists the requests.

Each case gives the signer's inputs as lib/objects/s3/sigv4.h takes them
(method, Host value, raw path, raw query pairs in the order a caller might
give them, extra headers, payload hash, time in ms, credentials) and what
botocore produced for them: x-amz-date, the Authorization header, the
canonical request and, from its second and third lines, the canonical path
and query. botocore is driven as its S3 client drives it: the key is
percent-encoded into the URL by botocore.utils.percent_encode (safe "/~",
as its REST serializer does for a greedy {Key+} label), the query goes in
as (name, value) pairs, the Host comes from the URL, the clock is fixed to
the case's time, and the payload hash is botocore's own (SHA-256 of the
body, or UNSIGNED-PAYLOAD when the client's s3 config disables payload
signing).
"""
import calendar
import datetime
import hashlib
import json
import os
import sys

BOTOCORE = "1.35.99"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sigv4_golden.json")

import botocore  # noqa: E402
import botocore.auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.utils import percent_encode  # noqa: E402

if botocore.__version__ != BOTOCORE:
    sys.exit(f"gen_sigv4_golden.py: botocore {botocore.__version__} is installed; "
             f"the golden file is pinned to {BOTOCORE}")

# AWS's documentation example key pair and a made-up S3-compatible one.
AWS_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
LOCAL_KEY = ("mlops-test", "mlops-test-secret/+=0123456789")
TOKEN = ("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token+with/"
         "slashes=and+plus==")

DIGEST = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"
OBJ = f"/team/objects/{DIGEST[:2]}/{DIGEST}"


def ms(y, mo, d, h, mi, s, milli=0):
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) * 1000 + milli


T0 = ms(2026, 12, 3, 16, 0, 0)

# name, what it checks, and the request. "url_host" is scheme://host[:port]
# as a client would build it; "path" is the raw (unencoded) path.
CASES = [
    dict(name="put_if_none_match",
         what="PUT of an object with If-None-Match: * and Content-Type, real payload hash",
         key=AWS_KEY, region="us-east-1", method="PUT",
         url_host="https://mlops-artifacts.s3.us-east-1.amazonaws.com", path=OBJ,
         headers=[("If-None-Match", "*"), ("Content-Type", "application/octet-stream")],
         body=b"\x89MLO" + b"object bytes\n" * 100, time_ms=T0),
    dict(name="get", what="GET of an object (empty payload hash)",
         key=AWS_KEY, region="eu-west-1", method="GET",
         url_host="https://mlops-artifacts.s3.eu-west-1.amazonaws.com", path=OBJ,
         time_ms=T0 + 1000),
    dict(name="head", what="HEAD of an object",
         key=AWS_KEY, region="eu-west-1", method="HEAD",
         url_host="https://mlops-artifacts.s3.eu-west-1.amazonaws.com", path=OBJ,
         time_ms=T0 + 2000),
    dict(name="delete", what="DELETE of an object",
         key=AWS_KEY, region="us-west-2", method="DELETE",
         url_host="https://mlops-artifacts.s3.us-west-2.amazonaws.com", path=OBJ,
         time_ms=T0 + 3000),
    dict(name="list_objects_v2",
         what="ListObjectsV2 with prefix, continuation-token, max-keys, start-after, unsorted",
         key=AWS_KEY, region="us-east-1", method="GET",
         url_host="https://mlops-artifacts.s3.us-east-1.amazonaws.com", path="/",
         query=[("prefix", "team/objects/3a/"), ("max-keys", "1000"),
                ("continuation-token", "1ue+GcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="),
                ("list-type", "2"), ("start-after", "team/objects/3a/00")],
         time_ms=T0 + 4000),
    dict(name="key_special_characters",
         what="a key with spaces, unicode and ~ + = ! * ' ( ) , (path-style)",
         key=LOCAL_KEY, region="us-east-1", method="PUT",
         url_host="http://127.0.0.1:7070",
         path="/mlops-test/dir/a b/caf\u00e9 \u65e5\u672c \U0001F600/~+=!*'(),.txt",
         headers=[("If-None-Match", "*")], body=b"special", time_ms=T0 + 5000),
    dict(name="uploads_empty_value",
         what="an empty-valued query parameter (POST ?uploads=, multipart start)",
         key=AWS_KEY, region="us-east-1", method="POST",
         url_host="https://mlops-artifacts.s3.us-east-1.amazonaws.com", path=OBJ,
         query=[("uploads", "")], time_ms=T0 + 6000),
    dict(name="session_token", what="temporary credentials: x-amz-security-token is signed",
         key=AWS_KEY, token=TOKEN, region="us-east-1", method="GET",
         url_host="https://mlops-artifacts.s3.us-east-1.amazonaws.com", path=OBJ,
         time_ms=T0 + 7000),
    dict(name="custom_port_path_style",
         what="path-style on 127.0.0.1 with a non-default port, PUT If-None-Match",
         key=LOCAL_KEY, region="us-east-1", method="PUT",
         url_host="http://127.0.0.1:7070", path="/mlops-test" + OBJ,
         headers=[("If-None-Match", "*")], body=b"local object\n", time_ms=T0 + 8000),
    dict(name="unsigned_payload", what="PUT with x-amz-content-sha256: UNSIGNED-PAYLOAD",
         key=AWS_KEY, region="us-east-1", method="PUT",
         url_host="https://mlops-artifacts.s3.us-east-1.amazonaws.com", path=OBJ,
         headers=[("If-None-Match", "*")], body=b"streamed", unsigned=True,
         time_ms=T0 + 9000),
    dict(name="repeated_query_name", what="a name given twice: sorted by value after the name",
         key=LOCAL_KEY, region="us-east-1", method="GET",
         url_host="http://127.0.0.1:7070", path="/mlops-test",
         query=[("tag", "b"), ("tag", "a"), ("a", "")], time_ms=T0 + 10000),
    dict(name="query_value_encoding",
         what="query values with '/', spaces, unicode, ~ * ' ( ) and '=' encoded",
         key=LOCAL_KEY, region="us-east-1", method="GET",
         url_host="http://127.0.0.1:7070", path="/mlops-test",
         query=[("list-type", "2"), ("prefix", "a b/caf\u00e9/~*'()=&+"),
                ("delimiter", "/")], time_ms=T0 + 11000),
    dict(name="header_whitespace_and_case",
         what="header names in mixed case, values with blanks trimmed and squeezed",
         key=AWS_KEY, region="us-east-1", method="PUT",
         url_host="https://mlops-artifacts.s3.us-east-1.amazonaws.com", path=OBJ,
         headers=[("Content-Type", "  text/plain;   charset=utf-8  "),
                  ("X-Amz-Meta-Origin", "Mixed\tCase  value")],
         body=b"text\n", time_ms=T0 + 12000),
    dict(name="path_not_normalised",
         what="dot segments and double slashes are signed as they are (S3 does not normalise)",
         key=LOCAL_KEY, region="us-east-1", method="GET",
         url_host="http://127.0.0.1:7070", path="/mlops-test/a//b/./c/../d",
         time_ms=T0 + 13000),
    dict(name="time_with_milliseconds",
         what="a request time with milliseconds on the last second of a year",
         key=AWS_KEY, region="ap-southeast-2", method="GET",
         url_host="https://mlops-artifacts.s3.ap-southeast-2.amazonaws.com", path=OBJ,
         time_ms=ms(2026, 12, 31, 23, 59, 59, 999)),
    dict(name="ipv6_host", what="an IPv6 literal host with a port, path-style",
         key=LOCAL_KEY, region="us-east-1", method="HEAD",
         url_host="http://[::1]:7070", path="/mlops-test" + OBJ, time_ms=T0 + 14000),
]


class FixedClock(datetime.datetime):
    """botocore's signer reads datetime.datetime.utcnow(); this returns the
    case's time instead."""
    now_ms = 0

    @classmethod
    def utcnow(cls):
        return cls(1970, 1, 1) + datetime.timedelta(milliseconds=cls.now_ms)


class Recording(botocore.auth.S3SigV4Auth):
    """S3SigV4Auth that keeps the canonical request it signed."""

    def canonical_request(self, request):
        self.recorded = super().canonical_request(request)
        return self.recorded


class Clock:
    datetime = FixedClock


botocore.auth.datetime = Clock


def sign(case):
    access, secret = case["key"]
    token = case.get("token")
    creds = Credentials(access, secret, token)
    auth = Recording(creds, "s3", case["region"])
    url = case["url_host"] + percent_encode(case["path"], safe="/~")
    req = AWSRequest(method=case["method"], url=url, data=case.get("body", b""),
                     headers=dict(case.get("headers", [])), params=list(case.get("query", [])))
    if case.get("unsigned"):
        req.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    FixedClock.now_ms = case["time_ms"]
    auth.add_auth(req)
    lines = auth.recorded.split("\n")
    host = auth.headers_to_sign(req)["host"]
    return {
        "name": case["name"],
        "what": case["what"],
        "access_key": access,
        "secret_key": secret,
        "session_token": token,
        "region": case["region"],
        "service": "s3",
        "method": case["method"],
        "host": host,
        "path": case["path"],
        "query": [list(p) for p in case.get("query", [])],
        "headers": [list(h) for h in case.get("headers", [])],
        "payload_sha256": req.headers["X-Amz-Content-SHA256"],
        "body_sha256": hashlib.sha256(case.get("body", b"")).hexdigest(),
        "time_ms": case["time_ms"],
        "amz_date": req.headers["X-Amz-Date"],
        "authorization": req.headers["Authorization"],
        "canonical_request": auth.recorded,
        "canonical_path": lines[1],
        "canonical_query": lines[2],
    }


def main():
    doc = {
        "comment": "SigV4 golden signatures: written by tests/s3/gen_sigv4_golden.py; do not edit",
        "botocore": botocore.__version__,
        "cases": [sign(c) for c in CASES],
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT)} (botocore {botocore.__version__})")


if __name__ == "__main__":
    main()
