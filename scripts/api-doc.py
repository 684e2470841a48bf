#!/usr/bin/env python3
"""Writes doc/api.md, the reference of every public function, type and
constant, from the comments of the public headers (include/mlops/*.h), in
the order the headers give them. The headers are the source of truth: edit
a comment there, then run this.

usage: scripts/api-doc.py            rewrite doc/api.md
       scripts/api-doc.py --check    exit 1 when an exported function
                                     (lib/libmlops.map) is missing from it
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = [
    ("common.h", "Common: versions, errors, memory, digests"),
    ("store.h", "The store: open, close, options, fsck, gc"),
    ("cas.h", "Artifacts: blobs, streams, trees, references"),
    ("track.h", "Experiment records: experiments, runs, params, metrics, lineage, search"),
    ("registry.h", "Model registry: models, versions, aliases, signatures, audit log"),
    ("import.h", "Bringing history in: the import calls and store copy"),
    ("remote.h", "Remotes: selections, push and pull"),
    ("bundle.h", "Bundles: runs, models and content in one file"),
    ("drift.h", "Drift statistics: tests, distances, profiles, reports"),
    ("eval.h", "Evaluation metrics: regression, classification, ranking, bootstrap"),
    ("validate.h", "Data validation: schemas from profiles, anomalies of a batch"),
    ("fairness.h", "Fairness: metric frames by group, parity measures, AIF360's"),
    ("monitor.h", "Monitors: drift over time windows, late data, alerts with hysteresis"),
]

SECTION = re.compile(r"^/\* -+ (.+?) -*( \*/)?$")


def uncomment(lines):
    """The text of a /* ... */ comment, without the stars."""
    out = []
    for line in lines:
        s = line.strip()
        s = re.sub(r"^/\*+ ?", "", s)
        s = re.sub(r" ?\*+/$", "", s)
        s = re.sub(r"^\* ?", "", s)
        out.append(s)
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def parse(path):
    """(intro, items): items are ("section", title) or ("decl", comment, code)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i, n = 0, len(lines)
    intro = None
    items = []
    comment = None      # the comment just above, if nothing came between
    last_decl = False   # the previous item was a declaration, no blank line since
    while i < n:
        line = lines[i]
        s = line.strip()
        m = SECTION.match(s)
        if m:
            items.append(("section", m.group(1).strip()))
            # A section banner may go on as a comment ("/* ---- X ----\n * text */").
            if not s.endswith("*/"):
                j = i + 1
                while j < n and "*/" not in lines[j]:
                    j += 1
                text = uncomment(lines[i + 1:j + 1])
                if text:
                    items.append(("text", text))
                i = j
            comment, last_decl = None, False
            i += 1
            continue
        if s.startswith("/*"):
            j = i
            while "*/" not in lines[j]:
                j += 1
            block = lines[i:j + 1]
            if intro is None:
                intro = uncomment(block)
            else:
                comment = uncomment(block)
            last_decl = False
            i = j + 1
            continue
        if not s:
            if comment is not None and items and items[-1][0] != "decl":
                pass
            comment = None if not last_decl else comment
            last_decl = False
            i += 1
            continue
        macro = s.split()[1] if s.startswith("#define ") and len(s.split()) > 1 else ""
        starts_decl = (s.startswith("MLOPS_API") or s.startswith("typedef") or
                       (macro.startswith("MLOPS_") and not macro.endswith("_H") and
                        macro not in ("MLOPS_API", "MLOPS_BEGIN_DECLS", "MLOPS_END_DECLS")))
        if starts_decl:
            j = i
            if s.startswith("#define"):
                while lines[j].rstrip().endswith("\\"):
                    j += 1
            elif s.startswith("typedef") and s.endswith("{"):
                while not lines[j].startswith("}"):
                    j += 1
            else:
                while ";" not in lines[j]:
                    j += 1
            code = "\n".join(lines[i:j + 1])
            if last_decl and comment is None and items and items[-1][0] == "decl":
                items[-1] = ("decl", items[-1][1], items[-1][2] + "\n" + code)
            else:
                items.append(("decl", comment, code))
                comment = None
            last_decl = True
            i = j + 1
            continue
        i += 1
    return intro or "", items


def render():
    out = ["# API reference", "",
           "Every public function, type and constant of libmlops, header by header,",
           "with the comment that documents it in the header (what it does, who owns",
           "what, every error it returns). Generated from `include/mlops/*.h` by",
           "`scripts/api-doc.py`: the headers are the source. Conventions (errors,",
           "ownership, threads, versioned structs) are in `doc/conventions.md`;",
           "guides in `doc/track.md`, `doc/search.md`, `doc/registry.md`,",
           "`doc/drift.md`, `doc/eval.md`, `doc/fairness.md`, `doc/cli.md`; formats in",
           "`doc/format.md`.", ""]
    present = [(h, t) for h, t in HEADERS if os.path.exists(os.path.join(ROOT, "include", "mlops", h))]
    out.append("Contents: " + " · ".join(
        f"[{t.split(':')[0]}](#{t.split(':')[0].lower().replace(' ', '-')})" for _, t in present))
    out.append("")
    out.append("All of them: `#include <mlops.h>`; link with `pkg-config --libs libmlops`.")
    out.append("")
    for h, title in present:
        intro, items = parse(os.path.join(ROOT, "include", "mlops", h))
        name = title.split(":")[0]
        out.append(f"## {name}")
        out.append("")
        out.append(f"`#include <mlops/{h}>` — {title.split(': ', 1)[1]}.")
        out.append("")
        intro = re.sub(r"^libmlops — ", "", intro)
        out.append(intro)
        out.append("")
        for item in items:
            if item[0] == "section":
                out.append(f"### {item[1]}")
                out.append("")
            elif item[0] == "text":
                out.append(item[1])
                out.append("")
            else:
                _, comment, code = item
                out.append("```c")
                out.append(code)
                out.append("```")
                out.append("")
                if comment:
                    out.append(comment)
                    out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def exported():
    with open(os.path.join(ROOT, "lib", "libmlops.map"), encoding="utf-8") as f:
        return re.findall(r"^\s+(mlops_\w+);", f.read(), re.M)


def main():
    page = os.path.join(ROOT, "doc", "api.md")
    if sys.argv[1:] == ["--check"]:
        with open(page, encoding="utf-8") as f:
            text = f.read()
        missing = [s for s in exported() if not re.search(r"\b" + s + r"\(", text)]
        if missing:
            print("doc/api.md lacks " + ", ".join(missing) + ": run scripts/api-doc.py")
            return 1
        print(f"doc/api.md documents all {len(exported())} exported functions")
        return 0
    with open(page, "w", encoding="utf-8") as f:
        f.write(render())
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
