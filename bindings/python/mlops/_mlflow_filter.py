"""MLflow's run filter strings and ORDER BY terms, translated into the
search language of doc/search.md where they mean the same, refused with
an MlflowException naming the reason where they cannot be.

MLflow's filter is a conjunction (AND only, no OR, no parentheses) of
comparisons: metrics compared with numbers, params and tags with quoted
strings (as text: MLflow has no numeric param comparison), attributes by
their type. Each comparison becomes the same comparison in ours; keys are
re-quoted with backticks so that any MLflow key passes through."""
from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from ._mlflow_entities import MlflowException

__all__ = ["translate_filter", "translate_order_by"]

_ENTITY = {
    "metric": "metrics", "metrics": "metrics",
    "param": "params", "params": "params", "parameter": "params", "parameters": "params",
    "tag": "tags", "tags": "tags",
    "attribute": "attributes", "attributes": "attributes", "attr": "attributes",
    "run": "attributes",
}
# MLflow attribute -> ours, and whether it is a string (else a number).
_ATTRS = {
    "run_id": ("run_id", True), "run_name": ("run_name", True), "status": ("status", True),
    "start_time": ("start_time", False), "end_time": ("end_time", False),
    "created": ("start_time", False), "Created": ("start_time", False),
}
# Attributes MLflow has and our runs do not.
_NO_ATTRS = {
    "artifact_uri": "runs have no artifact location of their own here",
    "user_id": "the user is the tag mlflow.user: filter on tags.`mlflow.user`",
    "lifecycle_stage": "deleted runs are chosen with run_view_type",
}
_NUM_OPS = ("=", "!=", ">", ">=", "<", "<=")
_STR_OPS = ("=", "!=", "LIKE", "ILIKE")

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:''|\\'|[^'])*'|"(?:""|\\"|[^"])*")
  | (?P<op>!=|<>|>=|<=|==|=|<|>)
  | (?P<lp>\()|(?P<rp>\))|(?P<comma>,)
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w.]))
  | (?P<ident>(?:[A-Za-z_][\w]*|`[^`]*`)(?:\.(?:[\w\-/:]+|`[^`]*`|"[^"]*"))*)
""", re.X)


def _fail(text: str, why: str) -> MlflowException:
    return MlflowException(f"Filter string {text!r} cannot be used here: {why}",
                           "INVALID_PARAMETER_VALUE")


def _tokens(text: str) -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            raise _fail(text, f"unexpected character {text[i]!r} at position {i + 1}")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group()))
        i = m.end()
    return out


def _unquote(s: str) -> str:
    q = s[0]
    body = s[1:-1]
    if q in "'\"":
        body = body.replace(q + q, q)
        body = re.sub(r"\\(.)", r"\1", body)
    return body


def _verbatim(s: str) -> str:
    # MLflow takes a compared string as written between its quotes: no
    # escape is undone ('C:\data' is C:\data, 'it''s' is it''s).
    return s[1:-1]


def _like_pattern(s: str) -> str:
    # MLflow's LIKE (SQLite, no ESCAPE) has no escape character: a
    # backslash of its pattern is a backslash, which ours escapes.
    return s.replace("\\", "\\\\")


def _quote_key(key: str) -> str:
    return "`" + key.replace("`", "``") + "`"


def _quote_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _identifier(text: str, ident: str) -> Tuple[str, str, bool]:
    """(entity, our field text, is_string) of an MLflow identifier."""
    if ident.startswith("`"):
        head, rest = ident, ""
        end = ident.index("`", 1) + 1
        head, rest = ident[:end], ident[end + 1:]
    elif "." in ident:
        head, rest = ident.split(".", 1)
    else:
        head, rest = "attributes", ident
    entity = _ENTITY.get(head.lower() if not head.startswith("`") else "")
    if entity is None:
        if head.lower() in ("dataset", "datasets"):
            raise _fail(text, "dataset filters are not supported: datasets are lineage "
                        "inputs here (Store.runs_using)")
        raise _fail(text, f"invalid identifier {ident!r}: expected metrics., params., tags. "
                    "or attributes.")
    if not rest:
        raise _fail(text, f"invalid identifier {ident!r}: no key")
    key = rest[1:-1] if rest[0] in "`\"" and rest[-1] == rest[0] and len(rest) > 1 else rest
    if entity == "attributes":
        if key in _NO_ATTRS:
            raise _fail(text, f"attribute {key!r}: {_NO_ATTRS[key]}")
        if key not in _ATTRS:
            raise _fail(text, f"invalid attribute key {key!r}")
        name, is_str = _ATTRS[key]
        return entity, "attributes." + name, is_str
    return entity, f"{entity}.{_quote_key(key)}", entity != "metrics"


def translate_filter(text: Optional[str]) -> Optional[str]:
    """Our filter for MLflow's filter string ``text`` (None for every run)."""
    if text is None or not text.strip():
        return None
    toks = _tokens(text)
    clauses: List[str] = []
    i = 0
    while True:
        if i >= len(toks):
            raise _fail(text, "the filter ends where a comparison was expected")
        kind, val = toks[i]
        if kind in ("lp", "rp"):
            raise _fail(text, "parentheses are not part of MLflow's filter language")
        if kind != "ident":
            raise _fail(text, f"expected an identifier, found {val!r}")
        entity, fld, is_str = _identifier(text, val)
        i += 1
        if i >= len(toks):
            raise _fail(text, f"no comparison after {val!r}")
        kind, op = toks[i]
        negated = False
        if kind == "ident" and op.upper() == "NOT":
            negated, i = True, i + 1
            kind, op = toks[i] if i < len(toks) else ("", "")
        opu = op.upper()
        i += 1
        if kind == "ident" and opu == "IS":
            # tags.k IS NULL / IS NOT NULL (params and tags only in MLflow)
            if entity not in ("params", "tags"):
                raise _fail(text, "IS NULL applies to params and tags only")
            rest = [t[1].upper() for t in toks[i:i + 2]]
            if rest[:1] == ["NULL"]:
                clauses.append(f"{fld} IS NULL")
                i += 1
            elif rest == ["NOT", "NULL"]:
                clauses.append(f"{fld} IS NOT NULL")
                i += 2
            else:
                raise _fail(text, "expected NULL or NOT NULL after IS")
        elif kind == "ident" and opu == "IN":
            if fld != "attributes.run_id" and not (is_str and entity != "attributes"):
                raise _fail(text, "IN applies to run_id, params and tags only")
            if i >= len(toks) or toks[i][0] != "lp":
                raise _fail(text, "expected ( after IN")
            values: List[str] = []
            i += 1
            while True:
                if i >= len(toks) or toks[i][0] != "str":
                    raise _fail(text, "IN takes a list of quoted strings")
                values.append(_quote_str(_unquote(toks[i][1])))
                i += 1
                if i < len(toks) and toks[i][0] == "comma":
                    i += 1
                    continue
                if i < len(toks) and toks[i][0] == "rp":
                    i += 1
                    break
                raise _fail(text, "expected , or ) in the IN list")
            clauses.append(f"{fld} {'NOT IN' if negated else 'IN'} ({', '.join(values)})")
        elif negated:
            raise _fail(text, "NOT applies to IN only in MLflow's filter language")
        else:
            if kind == "op":
                opu = {"==": "=", "<>": "!="}.get(opu, opu)
            elif kind != "ident" or opu not in ("LIKE", "ILIKE"):
                raise _fail(text, f"expected a comparison operator after {fld}, found {op!r}")
            if i >= len(toks):
                raise _fail(text, f"no value after {op!r}")
            vkind, value = toks[i]
            i += 1
            if is_str:
                if opu not in _STR_OPS:
                    raise _fail(text, f"{op!r} does not apply to {fld}: MLflow compares it as "
                                "a string (=, !=, LIKE, ILIKE)")
                if vkind != "str":
                    raise _fail(text, f"the value of {fld} must be a quoted string, not {value!r}")
                lit = _verbatim(value)
                if opu in ("LIKE", "ILIKE"):
                    lit = _like_pattern(lit)
                clauses.append(f"{fld} {opu} {_quote_str(lit)}")
            else:
                if opu not in _NUM_OPS:
                    raise _fail(text, f"{op!r} does not apply to the number {fld}")
                if vkind != "num":
                    raise _fail(text, f"the value of {fld} must be a number, not {value!r}")
                clauses.append(f"{fld} {opu} {value}")
        if i >= len(toks):
            break
        kind, val = toks[i]
        if kind == "ident" and val.upper() == "AND":
            i += 1
            continue
        if kind == "ident" and val.upper() == "OR":
            raise _fail(text, "MLflow's filter language has no OR (run two searches)")
        raise _fail(text, f"expected AND, found {val!r}")
    return " AND ".join(clauses)


def translate_order_by(terms: Optional[Sequence[str]]) -> Optional[str]:
    """Our ORDER BY text for MLflow's list of order_by terms."""
    if not terms:
        return None
    out = []
    for term in terms:
        toks = _tokens(term)
        if not toks or toks[0][0] != "ident" or len(toks) > 2:
            raise _fail(term, "an order_by term is an identifier and ASC or DESC")
        _, fld, _ = _identifier(term, toks[0][1])
        direction = "ASC"
        if len(toks) == 2:
            direction = toks[1][1].upper()
            if direction not in ("ASC", "DESC"):
                raise _fail(term, f"expected ASC or DESC, found {toks[1][1]!r}")
        out.append(f"{fld} {direction}")
    return ", ".join(out)
