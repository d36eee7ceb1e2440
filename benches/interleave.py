#!/usr/bin/env python3
"""Runs several commands in turn (A, B, C, A, B, C, ...) and prints, for each, the median and
the fastest wall time, the median CPU time (user + system) and the peak resident memory.

Taking turns matters on a shared machine whose speed drifts from minute to minute: a command
measured in one minute and its rival in the next compare the minutes, not the commands.

    benches/interleave.py --runs 5 NAME=COMMAND NAME=COMMAND ...

A command runs through the shell with its standard output sent to /dev/null; exit status 1
(findings) is expected, any other fails the benchmark. With --ratio-to NAME a last column gives
NAME's median wall time over each command's; with --over NAME, each median wall time minus
NAME's (what a report format adds to a run that prints only counts).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(command):
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["/bin/sh", "-c", "exec " + command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{command!r} exited with {code}:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--ratio-to")
    parser.add_argument("--over", help="a last column: each median wall time minus this one's")
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    named = [c.split("=", 1) for c in args.commands]
    for _ in range(args.warmup):
        for _, command in named:
            run_once(command)
    results = {name: [] for name, _ in named}
    for _ in range(args.runs):
        for name, command in named:
            results[name].append(run_once(command))
    medians = {n: statistics.median(w for w, _, _ in r) for n, r in results.items()}
    header = "| run | wall, median | fastest | CPU, median | peak memory |"
    rule = "|---|---|---|---|---|"
    if args.ratio_to:
        header += f" {args.ratio_to} over this |"
        rule += "---|"
    if args.over:
        header += f" over {args.over} |"
        rule += "---|"
    print(header)
    print(rule)
    for name, runs in results.items():
        line = "| %s | %.3f s | %.3f s | %.2f s | %.0f MiB |" % (
            name,
            medians[name],
            min(w for w, _, _ in runs),
            statistics.median(c for _, c, _ in runs),
            max(m for _, _, m in runs),
        )
        if args.ratio_to:
            line += " %.2f× |" % (medians[args.ratio_to] / medians[name])
        if args.over:
            line += " %+.3f s |" % (medians[name] - medians[args.over])
        print(line)


if __name__ == "__main__":
    main()
