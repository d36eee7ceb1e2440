"""Validates CloudWatch EMF lines (stdin, one JSON object per line) against the published
Draft-07 schema (argv[1]) and the limits the schema does not check. Prints one JSON object:
{"lines": N, "errors": [...]}. Exit 0 when every line is valid, 1 otherwise."""
import json
import math
import sys

from jsonschema import Draft7Validator

MAX_EVENT_BYTES = 1_000_000


def limits(event):
    errors = []
    for d in event["_aws"]["CloudWatchMetrics"]:
        if len(d["Metrics"]) > 100:
            errors.append("more than 100 metrics")
        for m in d["Metrics"]:
            v = event.get(m["Name"])
            values = v if isinstance(v, list) else [v]
            if isinstance(v, list) and len(v) > 100:
                errors.append(f"metric {m['Name']} has more than 100 values")
            for x in values:
                if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                    errors.append(f"metric {m['Name']} is {v!r}, not a number at the root")
        for dims in d["Dimensions"]:
            if len(dims) > 30:
                errors.append("more than 30 dimensions")
            for k in dims:
                v = event.get(k)
                if not isinstance(v, str):
                    errors.append(f"dimension {k} is {v!r}, not a string at the root")
                elif len(v) > 1024:
                    errors.append(f"dimension {k} is longer than 1024 characters")
    return errors


def main():
    with open(sys.argv[1]) as f:
        validator = Draft7Validator(json.load(f))
    out = {"lines": 0, "errors": []}
    for n, line in enumerate(sys.stdin.buffer.read().split(b"\n"), 1):
        if not line:
            continue
        out["lines"] += 1
        if len(line) > MAX_EVENT_BYTES:
            out["errors"].append(f"line {n}: over 1 MB")
        event = json.loads(line)
        errs = [e.message for e in validator.iter_errors(event)]
        if not errs:
            errs = limits(event)
        out["errors"].extend(f"line {n}: {e}" for e in errs)
    print(json.dumps(out))
    sys.exit(1 if out["errors"] else 0)


main()
