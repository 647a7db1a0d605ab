#!/usr/bin/env python3
"""Turns the raw outputs of tests/bench/run-all.sh (OUT/raw) into OUT/summary.md and OUT/summary.json:
one row per figure, with the reference of the same run, the ratio and the target."""
import json
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])
raw = out / "raw"


def wrk_lines(text, header):
    """The 'connections rps p50 p99 errors requests' line after '== header'."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("== " + header):
            fields = lines[i + 1].split()
            return {"rps": float(fields[1]), "p50_ms": float(fields[2]), "p99_ms": float(fields[3]),
                    "errors": int(fields[4])}
    raise SystemExit(f"summary: no '{header}' in the server benchmark's output")


server = (raw / "server.txt").read_text()
config = (raw / "config.txt").read_text()
run = dict(line.split("=", 1) for line in (raw / "run.txt").read_text().splitlines())
ping, echo, nginx = wrk_lines(server, "prodmcp ping"), wrk_lines(server, "prodmcp echo"), wrk_lines(server, "nginx static")
node_ping = wrk_lines(server, "node reference ping")
half = wrk_lines(server, "prodmcp ping at half of peak")
nginx_half = wrk_lines(server, "nginx static at prodmcp's half-peak pacing")
idle_kib = int(re.search(r"idle RSS KiB: (\d+)", server).group(1))
per_session = int(re.search(r"(-?\d+) bytes/session", server).group(1))
means = {f"{m[1]} {m[2]}": float(m[3]) for m in re.finditer(r"^mean (\w+) (\w+) ([\d.]+)", config, re.M)}

rows = []


def row(name, figure, unit, reference=None, reference_name="", ratio=None, target="", met=None):
    rows.append({"name": name, "figure": figure, "unit": unit, "reference": reference, "reference_name": reference_name,
                 "ratio": ratio, "target": target, "met": met})


row("ping, 32 connections", ping["rps"], "req/s", nginx["rps"], "nginx static", ping["rps"] / nginx["rps"], ">= 70%",
    ping["rps"] / nginx["rps"] >= 0.70)
row("tools/call echo, 32 connections", echo["rps"], "req/s", nginx["rps"], "nginx static", echo["rps"] / nginx["rps"],
    ">= 60%", echo["rps"] / nginx["rps"] >= 0.60)
row("ping against the Node reference", ping["rps"], "req/s", node_ping["rps"], "Node reference ping",
    ping["rps"] / node_ping["rps"])
row(f"ping p99 at {half['rps'] / ping['rps']:.0%} of peak ({half['rps']:.0f} req/s)", half["p99_ms"], "ms",
    nginx_half["p99_ms"], f"nginx p99, same pacing ({nginx_half['rps']:.0f} req/s)", target="< 1 ms",
    met=half["p99_ms"] < 1.0)
for call in ("ping", "echo"):
    bare = means[f"bare {call}"]
    for stack, target in (("production", 0.85), ("development", 0.75)):
        value = means[f"{stack} {call}"]
        row(f"{stack} stack, {call}", value, "req/s", bare, "bare engine", value / bare, f">= {target:.0%}",
            value / bare >= target)
    value, without = means[f"redis {call}"], means[f"limited {call}"]
    row(f"Redis (shared sessions, global rate limit), {call}", value, "req/s", without, "same without Redis",
        value / without, ">= 85%", value / without >= 0.85)

micro = json.loads((raw / "micro.json").read_text())
times = {b["name"]: b["real_time"] for b in micro["benchmarks"]}
for name in sorted({n.rsplit("/real_time", 1)[0] for n in times}):
    one, two = times.get(f"{name}/real_time/threads:1"), times.get(f"{name}/real_time/threads:2")
    if one and two:
        row(f"engine {name.removeprefix('serve/')}, 2 threads", 1e9 / two, "req/s", 1e9 / one, "1 thread", one / two,
            ">= 1.8x", one / two >= 1.8)
row("idle RSS", idle_kib / 1024, "MiB", target="< 20 MiB", met=idle_kib < 20 * 1024)
row("memory per session", per_session, "bytes", target="< 4096 bytes", met=per_session < 4096)

for bench in ("console_bench", "console_logs_bench"):
    path = raw / f"{bench}.json"
    if not path.exists():
        continue
    for b in json.loads(path.read_text())["benchmarks"]:
        if b.get("run_type", "iteration") == "iteration":
            row(f"console: {b['name']}", b["real_time"], b["time_unit"])

summary = {"date": run["date"], "machine": run["machine"], "commit": run["commit"], "rows": rows}
(out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def number(value, unit):
    if value is None:
        return ""
    if unit in ("req/s", "bytes"):
        return f"{value:,.0f}"
    return f"{value:,.3g}" if value < 100 else f"{value:,.0f}"


lines = [f"### {run['date'][:10]}: {run['machine']} (commit {run['commit']})", "",
         "| Figure | Value | Reference (same run) | Ratio | Target | Met |", "|---|---:|---|---:|---|---|"]
for r in rows:
    reference = f"{number(r['reference'], r['unit'])} {r['unit']} ({r['reference_name']})" if r["reference"] else ""
    ratio = "" if r["ratio"] is None else (f"{r['ratio']:.2f}x" if "x" in r["target"] or r["ratio"] > 3
                                          else f"{r['ratio']:.0%}")
    met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
    lines.append(f"| {r['name']} | {number(r['figure'], r['unit'])} {r['unit']} | {reference} | {ratio} | "
                 f"{r['target']} | {met} |")
(out / "summary.md").write_text("\n".join(lines) + "\n")
