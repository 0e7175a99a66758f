#!/usr/bin/env python3
"""Helpers for the t4xxx tests: validate a Prometheus exposition, read a sample.

  watch_check.py validate FILE           every sample has HELP+TYPE first, unique series
  watch_check.py get FILE NAME [k=v...]  print the value of the first matching sample
  watch_check.py families FILE           print the family names
"""
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?[0-9]+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def parse(path):
    help_, type_, samples, errors = {}, {}, [], []
    seen = set()
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line:
            continue
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            help_[name] = n
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if parts[2] not in help_:
                errors.append(f"line {n}: TYPE before HELP for {parts[2]}")
            if parts[3] not in ("gauge", "counter", "untyped", "summary", "histogram"):
                errors.append(f"line {n}: bad type {parts[3]}")
            type_[parts[2]] = n
            continue
        if line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            errors.append(f"line {n}: cannot parse: {line!r}")
            continue
        name, body, value = m.group(1), m.group(3) or "", m.group(4)
        labels = {}
        pos = 0
        while pos < len(body):
            lm = LABEL.match(body, pos)
            if not lm:
                errors.append(f"line {n}: bad labels: {body!r}")
                break
            labels[lm.group(1)] = bytes(lm.group(2), "utf-8").decode("unicode_escape")
            pos = lm.end()
        if name not in type_:
            errors.append(f"line {n}: sample of {name} without TYPE")
        key = (name, tuple(sorted(labels.items())), m.group(5))
        if key in seen:
            errors.append(f"line {n}: duplicate series {key}")
        seen.add(key)
        try:
            float(value.replace("Inf", "inf"))
        except ValueError:
            errors.append(f"line {n}: bad value {value}")
        samples.append((name, labels, value))
    return help_, type_, samples, errors


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    help_, type_, samples, errors = parse(path)
    if cmd == "validate":
        for e in errors:
            print(e)
        sys.exit(1 if errors else 0)
    if cmd == "families":
        for f in sorted(type_):
            print(f)
        return
    if cmd == "get":
        want = dict(a.split("=", 1) for a in sys.argv[4:])
        for name, labels, value in samples:
            if name == sys.argv[3] and all(labels.get(k, "") == v for k, v in want.items()):
                print(value)
                return
        sys.exit(1)


if __name__ == "__main__":
    main()
