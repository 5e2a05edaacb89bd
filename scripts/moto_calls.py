#!/usr/bin/env python3
"""Counts the DynamoDB calls in a moto recording by operation and table.

moto records every request it serves when started with
MOTO_ENABLE_RECORDING=1 MOTO_RECORDER_FILEPATH=<file> (one JSON object a
line: headers, method, url, body). Used by scripts/bench-issue20 --count-calls
to say where the writer's DynamoDB round trips go (issue 20). Table names
lose their run prefix (`bl<clock><phase>`), so phases add up by table.

usage: moto_calls.py RECORDING [ORDERS]
"""
import base64
import collections
import json
import re
import sys


def tables_of(op, body):
    if op in ("BatchGetItem", "BatchWriteItem"):
        return sorted(body.get("RequestItems", {}).keys())
    if op in ("TransactWriteItems", "TransactGetItems"):
        names = set()
        for item in body.get("TransactItems", []):
            for v in item.values():
                if isinstance(v, dict) and "TableName" in v:
                    names.add(v["TableName"])
        return sorted(names)
    return [body.get("TableName", "?")]


def main():
    path = sys.argv[1]
    orders = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    counts = collections.Counter()
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            target = r.get("headers", {}).get("X-Amz-Target", "")
            if not target.startswith("DynamoDB_"):
                continue
            op = target.split(".", 1)[1]
            raw = r.get("body") or ""
            if r.get("body_encoded"):
                raw = base64.b64decode(raw).decode("utf-8", "replace")
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            names = [re.sub(r"^bl\d+[a-z]-?", "", t) for t in tables_of(op, body)]
            counts[(op, "+".join(names))] += 1
            total += 1
    print("| DynamoDB operation | table(s) | calls | per order |")
    print("|---|---|---|---|")
    for (op, table), n in sorted(counts.items(), key=lambda kv: -kv[1]):
        per = f"{n / orders:.3f}" if orders else ""
        print(f"| {op} | {table} | {n} | {per} |")
    per = f"{total / orders:.3f}" if orders else ""
    print(f"| **all** | | **{total}** | **{per}** |")


if __name__ == "__main__":
    main()
