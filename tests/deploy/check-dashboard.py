#!/usr/bin/python3
"""Checks installers/grafana: the provisioning files, the dashboard's panels and datasources, that
its PromQL parses (promtool) and reads only metrics the server exports.
   check-dashboard.py GRAFANA_DIR METRICS_TXT SCRATCH_DIR"""
import json
import pathlib
import re
import subprocess
import sys

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from promql import exported_names, metric_names, selectors  # noqa: E402

# Series Prometheus adds to every target itself; the dashboard may read them.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
# Grafana's variables, replaced by legal values so promtool can parse the expressions.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$instance": ".*"}

errors = []


def check(condition, message):
    if not condition:
        errors.append(message)
    return condition


def main():
    grafana, metrics_file, scratch = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
    exported = exported_names(pathlib.Path(metrics_file).read_text())
    check("mcp_requests_total" in exported, "the scraped /metrics has no mcp_requests_total: was traffic sent?")

    sources = yaml.safe_load((grafana / "provisioning/datasources/prometheus.yml").read_text())
    datasource = sources["datasources"][0]
    check(datasource["type"] == "prometheus" and datasource.get("uid"), "the datasource needs type prometheus and a uid")
    uid = datasource["uid"]
    providers = yaml.safe_load((grafana / "provisioning/dashboards/prodmcp.yml").read_text())["providers"]
    check(len(providers) == 1 and providers[0]["type"] == "file" and providers[0]["options"].get("path"),
          "the dashboard provider must be one file provider with options.path")

    dashboards = sorted((grafana / "dashboards").glob("*.json"))
    check(dashboards, "no dashboard JSON in dashboards/")
    for path in dashboards:
        check_dashboard(path.name, json.loads(path.read_text()), uid, exported, scratch)

    if errors:
        print("\n".join("FAIL: " + e for e in errors))
        sys.exit(1)
    print(f"dashboard: ok ({', '.join(p.name for p in dashboards)}; {len(exported)} exported series names)")


def expressions(dashboard):
    """(where, expr) of every query: panel targets and template variables."""
    found = []
    for panel in all_panels(dashboard):
        for target in panel.get("targets", []):
            found.append((f"panel {panel.get('title')!r} target {target.get('refId')}", target.get("expr", "")))
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
            # label_values(SELECTOR, LABEL) reads SELECTOR's series.
            match = re.fullmatch(r"\s*label_values\((.*),\s*\w+\)\s*", query)
            found.append((f"variable {var['name']}", match.group(1) if match else query))
    return found


def all_panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # collapsed rows


def check_dashboard(name, dashboard, uid, exported, scratch):
    check(dashboard.get("uid") and dashboard.get("title"), f"{name}: needs a uid and a title")
    panels = [p for p in all_panels(dashboard) if p.get("type") != "row"]
    ids = [p.get("id") for p in panels]
    check(len(ids) == len(set(ids)), f"{name}: panel ids repeat: {ids}")
    for panel in panels:
        where = f"{name}: panel {panel.get('title')!r}"
        check(panel.get("datasource", {}).get("uid") == uid, f"{where}: datasource must be uid {uid}")
        check(panel.get("targets"), f"{where}: has no targets")
        for target in panel.get("targets", []):
            check(target.get("expr"), f"{where}: target {target.get('refId')} has no expr")
            check(target.get("datasource", {}).get("uid") == uid,
                  f"{where}: target {target.get('refId')} datasource must be uid {uid}")
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            check(var.get("datasource", {}).get("uid") == uid, f"{name}: variable {var['name']} datasource must be uid {uid}")

    rules = []
    used = set()
    for where, expr in expressions(dashboard):
        names = metric_names(expr)
        check(names, f"{name}: {where} selects no metric: {expr}")
        used |= names
        for metric in names:
            check(metric in exported or metric in PROMETHEUS_SERIES,
                  f"{name}: {where} reads {metric}, which prodmcp-server does not export")
            if not where.startswith("variable"):
                for labels in selectors(expr, metric):
                    check('instance=~"$instance"' in labels,
                          f"{name}: {where} selects {metric} without instance=~\"$instance\" (the server picker)")
        for var, value in GRAFANA_VARS.items():
            expr = expr.replace(var, value)
        rules.append({"record": f"dashboard:query_{len(rules)}", "expr": expr})

    # What the issue asks the dashboard to show, by the series it needs.
    for metric in ("up", "mcp_ready", "mcp_requests_total", "mcp_request_duration_seconds_bucket",
                   "mcp_active_connections", "mcp_cpu_usage_percent", "mcp_memory_usage_bytes",
                   "mcp_cache_hits_total", "mcp_cache_misses_total", "mcp_rate_limit_rejections_total"):
        check(metric in used, f"{name}: no panel reads {metric}")
    all_exprs = " ".join(e for _, e in expressions(dashboard))
    for quantile in ("0.5", "0.95", "0.99"):
        check(f"histogram_quantile({quantile}," in all_exprs, f"{name}: no p{quantile[2:]} latency query")
    tables = [p for p in panels if p.get("type") == "table"]
    check(any({"up", "mcp_ready"} <= set().union(*(metric_names(t["expr"]) for t in p["targets"])) for p in tables),
          f"{name}: no status table reading up and mcp_ready")
    check(any("health score" in p.get("title", "").lower() for p in panels), f"{name}: no health score panel")

    rule_file = scratch / f"{name}.rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(["promtool", "check", "rules", str(rule_file)], capture_output=True, text=True)
    check(result.returncode == 0, f"{name}: promtool cannot parse its queries:\n{result.stdout}{result.stderr}")


if __name__ == "__main__":
    main()
