#!/usr/bin/env python3
"""The competent peer for the batch benchmark: one Python process, PyYAML's C loader and
fastjsonschema, schemas only (no rules, no report beyond a count).

Usage: python3 bench/peer.py SCHEMAS_FOLDER CASES_FOLDER

Each .yaml file below CASES_FOLDER is loaded with yaml.CSafeLoader and checked against the
schema of its kind (by file name: plan-N.yaml is a plan), compiled once by fastjsonschema from
the files `ehcpack schema --out` writes. Needs `pip install pyyaml fastjsonschema`.
"""

import json
import os
import pathlib
import sys

import fastjsonschema
import yaml


def main():
    schemas_dir, cases = pathlib.Path(sys.argv[1]), sys.argv[2]
    checks = {}
    for path in schemas_dir.glob("*.schema.json"):
        kind = path.name[: -len(".schema.json")]
        checks[kind] = fastjsonschema.compile(json.loads(path.read_text()))
    files = ok = bad = unreadable = 0
    for folder, _, names in os.walk(cases):
        for name in sorted(names):
            if not name.endswith(".yaml"):
                continue
            files += 1
            kind = name[: -len(".yaml")]
            if kind.startswith("plan-"):
                kind = "plan"
            try:
                with open(os.path.join(folder, name), "rb") as f:
                    doc = yaml.load(f, Loader=yaml.CSafeLoader)
            except Exception:
                unreadable += 1
                continue
            check = checks.get(kind)
            if check is None:
                continue
            try:
                check(doc)
                ok += 1
            except fastjsonschema.JsonSchemaException:
                bad += 1
    print(f"{files} files, {ok} valid, {bad} invalid, {unreadable} unreadable")


if __name__ == "__main__":
    main()
