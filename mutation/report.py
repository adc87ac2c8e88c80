"""Per-file mutation scores of tinytorch/core from mutmut's results (``make mutation``).

Reads what ``mutmut run`` left in ``mutants/`` and prints, for every file of
tinytorch/core, how many mutants the fast unit suite killed out of those that
change behaviour. Two kinds of mutant are set aside first:

* message-only: the mutant differs from the original only in the text of a string
  inside a ``raise`` statement (mutmut wraps it in ``XX...XX``). The tests check
  that an error names its operation and shapes with ``pytest.raises(match=...)``,
  a search that such padding cannot fail, so these say nothing about behaviour.
* equivalent: listed, each with its reason, in ``mutation/equivalent.txt``
  (a mutant that no input can tell apart from the original).

Usage: ``python mutation/report.py [--survivors] [--min 95]``. Exits 1 if a file
scores below ``--min`` (no minimum unless given).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants" / "tinytorch" / "core"
EQUIVALENT = ROOT / "mutation" / "equivalent.txt"
KILLED = {1, 3, 36, 24, -24, 152, 255, -11, -9}  # a failing test, a timeout or a crash
NAME = re.compile(r"__mutmut_(\d+|orig)$")


def load_equivalents(path: Path = EQUIVALENT) -> set[tuple[str, str, str]]:
    """(function, original line, mutated line) triples from the equivalents file.

    Each entry is three lines: ``function: <key>``, ``- <original line>``,
    ``+ <mutated line>``, then ``reason: ...``; blank lines and ``#`` comments
    separate entries. Lines are compared with surrounding blanks stripped, so an
    entry survives renumbering of the mutants when the source changes elsewhere.
    ``- *`` and ``+ *`` stand for every mutant of the function.
    """
    entries, current = set(), {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line.startswith("function:"):
            current = {"function": line.split(":", 1)[1].strip()}
        elif line.startswith("- ") and current:
            current["old"] = line[2:].strip()
        elif line.startswith("+ ") and current:
            current["new"] = line[2:].strip()
        elif line.startswith("reason:") and current:
            if not line.split(":", 1)[1].strip():
                raise ValueError(f"{path}: entry for {current['function']} has no reason")
            entries.add((current["function"], current.get("old", ""), current.get("new", "")))
            current = {}
    return entries


def functions(path: Path) -> tuple[dict[str, ast.FunctionDef], list[str]]:
    """Every mutmut variant (``..__mutmut_N`` and ``..__mutmut_orig``) in a mutated file."""
    source = path.read_text()
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and NAME.search(node.name):
            found[node.name] = node
    return found, source.splitlines()


def _text(lines: list[str], node: ast.AST) -> str:
    return "\n".join(lines[node.lineno - 1:node.end_lineno])


def _strip_messages(node: ast.AST) -> str:
    """ast.dump with the name and every string inside a ``raise`` blanked."""
    node = ast.parse(ast.unparse(node))  # a copy
    fn = node.body[0]
    fn.name = "f"
    for raise_ in (n for n in ast.walk(fn) if isinstance(n, ast.Raise)):
        for const in ast.walk(raise_):
            if isinstance(const, ast.Constant) and isinstance(const.value, str):
                const.value = ""
    return ast.dump(fn)


def _readable(mangled: str) -> str:
    """mutmut's ``x_f`` -> ``f`` and ``xǁClassǁmethod`` -> ``Class.method``."""
    if mangled.startswith("xǁ"):
        return ".".join(mangled[2:].split("ǁ"))
    return mangled[2:]


def changed_lines(orig: str, mutant: str) -> tuple[str, str]:
    """The removed and added lines of a mutant, stripped and joined with ' / '."""
    old, new = [], []
    for line in difflib.ndiff(orig.splitlines(), mutant.splitlines()):
        if line.startswith("- "):
            old.append(line[2:].strip())
        elif line.startswith("+ "):
            new.append(line[2:].strip())
    return " / ".join(old), " / ".join(new)


def classify(meta: Path, equivalents) -> dict[str, list]:
    """Mutants of one file sorted into killed, survived, message-only, equivalent, unchecked."""
    exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
    found, lines = functions(meta.with_suffix(""))
    module = exit_codes and next(iter(exit_codes)).split(".x")[0] or ""
    out = {k: [] for k in ("killed", "survived", "message", "equivalent", "unchecked")}
    for key, code in sorted(exit_codes.items()):
        name = key[len(module) + 1:]
        mutant = found[name]
        orig = found[NAME.sub("__mutmut_orig", name)]
        function = module + "." + _readable(NAME.sub("", name))
        old, new = changed_lines(_text(lines, orig), _text(lines, mutant).replace(name, orig.name))
        record = (key, function, old, new)
        if _strip_messages(orig) == _strip_messages(mutant):
            out["message"].append(record)
        elif (function, old, new) in equivalents or (function, "*", "*") in equivalents:
            out["equivalent"].append(record)
        elif code is None:
            out["unchecked"].append(record)
        elif code in KILLED:
            out["killed"].append(record)
        else:
            out["survived"].append(record)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("files", nargs="*", help="only these files of tinytorch/core (e.g. ops.py)")
    parser.add_argument("--min", type=float, default=None, help="fail below this score (%%)")
    args = parser.parse_args(argv)
    if not MUTANTS.is_dir():
        print("no mutants/ folder: run `make mutation` first", file=sys.stderr)
        return 2
    equivalents = load_equivalents()
    used, rows, low = set(), [], []
    header = f"{'file':<18}{'mutants':>8}{'message':>8}{'equiv.':>7}{'behav.':>7}{'killed':>7}{'score':>8}"
    print(header + "\n" + "-" * len(header))
    totals = [0] * 5
    for meta in sorted(MUTANTS.glob("*.py.meta")):
        if args.files and meta.name[:-5] not in args.files:
            continue
        result = classify(meta, equivalents)
        used |= {r[1:] for r in result["equivalent"]} | {(r[1], "*", "*") for r in result["equivalent"]}
        behaviour = len(result["killed"]) + len(result["survived"]) + len(result["unchecked"])
        counts = [sum(map(len, result.values())), len(result["message"]),
                  len(result["equivalent"]), behaviour, len(result["killed"])]
        totals = [t + c for t, c in zip(totals, counts)]
        score = 100.0 * counts[4] / behaviour if behaviour else 100.0
        if args.min is not None and score < args.min:
            low.append(meta.name)
        run = len(result["killed"]) + len(result["survived"])
        unchecked = ""
        if result["unchecked"]:
            unchecked = f"  ({len(result['unchecked'])} not run" + (
                f"; {100.0 * counts[4] / run:.1f}% of the {run} run)" if run else ")")
        print(f"{meta.name[:-5]:<18}" + "".join(f"{c:>{w}}" for c, w in zip(counts, (8, 8, 7, 7, 7)))
              + f"{score:>7.1f}%{unchecked}")
        rows.append(result)
    score = 100.0 * totals[4] / totals[3] if totals[3] else 100.0
    print("-" * len(header) + f"\n{'all':<18}" + "".join(
        f"{c:>{w}}" for c, w in zip(totals, (8, 8, 7, 7, 7))) + f"{score:>7.1f}%")
    stale = equivalents - used
    if stale and not args.files:
        print(f"\n{len(stale)} entries of {EQUIVALENT.name} match no mutant (source changed?):")
        for function, old, new in sorted(stale):
            print(f"  {function}: {old!r} -> {new!r}")
    if args.survivors:
        for result in rows:
            for key, function, old, new in result["survived"]:
                print(f"\n{key}\n  - {old}\n  + {new}")
    if low:
        print(f"\nbelow {args.min}%: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
