#!/usr/bin/env python3
"""summarize.py on recorded outputs (testdata/summary): the rows, ratios and verdicts it computes."""
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

here = Path(__file__).resolve().parent
with tempfile.TemporaryDirectory() as out:
    shutil.copytree(here / "testdata" / "summary", Path(out) / "raw")
    subprocess.run([sys.executable, str(here / "summarize.py"), out], check=True)
    rows = {r["name"]: r for r in json.loads((Path(out) / "summary.json").read_text())["rows"]}
    table = (Path(out) / "summary.md").read_text()

failures = []


def expect(condition, what):
    if not condition:
        failures.append(what)


ping = rows.get("ping, 32 connections", {})
expect(ping.get("figure") == 65552 and ping.get("reference") == 164040, f"ping row: {ping}")
expect(abs(ping.get("ratio", 0) - 65552 / 164040) < 1e-9 and ping.get("met") is False, f"ping ratio: {ping}")
expect("| ping, 32 connections | 65,552 req/s | 164,040 req/s (nginx static) | 40% | >= 70% | **no** |" in table,
       "ping line in the markdown table")
production = rows.get("production stack, echo", {})
expect(production.get("reference_name") == "bare engine" and production.get("met") is not None,
       f"production row: {production}")
engine = rows.get("engine ping_session, 2 threads", {})
expect(engine and abs(engine["ratio"] - 1832.4349094597237 / 969.8138855232895) < 1e-9, f"engine row: {engine}")
expect(rows.get("memory per session", {}).get("figure") == 955, "memory per session")
half = next((r for name, r in rows.items() if name.startswith("ping p99 at")), {})
expect(half.get("figure") == 0.571 and half.get("reference") == 0.295 and half.get("met") is True,
       f"the half-peak latency row: {half}")
expect(any(name.startswith("console: ") for name in rows), "the console rows")
if failures:
    print("\n".join(failures))
    print(table)
    sys.exit(1)
print(f"{len(rows)} rows")
