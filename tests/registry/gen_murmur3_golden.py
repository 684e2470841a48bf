#!/usr/bin/env python3
"""Writes tests/registry/murmur3_golden.txt: MurmurHash3 x86_32 values from
the mmh3 package, and routed versions computed here from the rule of
doc/delivery.md, for tests/test_route.c (which never needs Python).

Run in a throwaway virtual environment outside the repository:

    python3 -m venv "$VENV"
    "$VENV/bin/pip" install mmh3==5.3.1
    "$VENV/bin/python" tests/registry/gen_murmur3_golden.py

Line formats (bytes as lowercase hex, "-" for none):
  meta mmh3 VERSION
  hash SEED INPUT HASH            mmh3.hash(INPUT, SEED, signed=False)
  route SPLIT SALT KEY BUCKET VERSION
      BUCKET = mmh3.hash(SALT + b"/" + KEY, 0, signed=False) % 10000, and
      VERSION the leg owning it: legs by ascending version own consecutive
      ranges of 100 * weight buckets from 0. SPLIT is canonical text.
"""
import importlib.metadata
import os
import sys

MMH3 = "5.3.1"

import mmh3  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def hx(b):
    return b.hex() if b else "-"


def legs(split):
    """The legs of a canonical split without shadow, by ascending version."""
    split = split.split("+")[0]
    if ":" not in split:
        return [(int(split), 100)]
    out = [tuple(int(x) for x in leg.split(":")) for leg in split.split(",")]
    assert out == sorted(out) and sum(w for _, w in out) == 100, split
    return out


def route(split, salt, key):
    bucket = mmh3.hash(salt + b"/" + key, 0, signed=False) % 10000
    end = 0
    for version, weight in legs(split):
        end += 100 * weight
        if bucket < end:
            return bucket, version
    raise AssertionError(split)


def main():
    have = importlib.metadata.version("mmh3")
    if have != MMH3:
        sys.exit(f"gen_murmur3_golden: needs mmh3=={MMH3}, found {have}")
    inputs = [b"", b"a", b"ab", b"abc", b"abcd", b"abcde", b"abcdef", b"abcdefg", b"abcdefgh",
              b"\x00", b"\x00\x00", b"\x00\x00\x00", b"\x00\x00\x00\x00", b"\xff", b"\xff\xff\xff",
              b"\x80\x81\x82\x83\x84", b"hello", b"hello, world", b"The quick brown fox jumps over the lazy dog",
              "é".encode(), "日本語".encode(), "naïve café ☕".encode(), "ключ/значение".encode(),
              "🙂".encode(), b"salt/key", b"churn/champion/user-42", b"a1b2c3d4e5f6/user-0",
              b"a1b2c3d4e5f6/user-1", b"a1b2c3d4e5f6/user-999999", b"/", b"//", b"x/",
              bytes(range(256)), b"0123456789" * 100, b"\xa5" * 1001, b"\x5a" * 1002, b"z" * 1003]
    lines = [f"# Written by tests/registry/gen_murmur3_golden.py; do not edit.",
             f"meta mmh3 {have}"]
    for data in inputs:
        lines.append(f"hash 0 {hx(data)} {mmh3.hash(data, 0, signed=False)}")
    # Other seeds check that the seed enters as the initial state.
    for seed in (1, 42, 0x9747B28C, 0xFFFFFFFF):
        for data in (b"", b"abc", b"abcd", b"hello, world"):
            lines.append(f"hash {seed} {hx(data)} {mmh3.hash(data, seed, signed=False)}")
    splits = ["4", "3:90,4:10", "3:50,4:50", "3:80,4:10,5:10", "3:60,4:10,5:30",
              "1:1,2:1,3:98", "7:33,8:33,9:34+shadow:10", "2:25,10:25,11:25,100:25"]
    salts = [b"", b"s", b"a1b2c3d4e5f6", "modèle/canari".encode()]
    keys = [b"", b"user-0", b"user-1", b"user-42", b"user-1000000", "utilisateur-é".encode(),
            b"\x00\xff", b"k" * 37]
    for i, split in enumerate(splits):
        for j, salt in enumerate(salts):
            for k, key in enumerate(keys):
                if (i + j + k) % 3:
                    continue  # a third of the combinations is plenty
                bucket, version = route(split, salt, key)
                lines.append(f"route {split} {hx(salt)} {hx(key)} {bucket} {version}")
    path = os.path.join(HERE, "murmur3_golden.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} lines to {path}")


if __name__ == "__main__":
    main()
