"""Metric names in a PromQL expression, for the deploy checks (no PromQL library in Debian 12)."""
import re

_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
             "group_left", "group_right", "inf", "nan", "atan2"}


def metric_names(expr):
    """The metric names an expression selects: identifiers that are neither functions nor
    keywords, outside strings, label matchers, ranges and grouping clauses."""
    s = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    s = re.sub(r"'(?:\\.|[^'\\])*'", "''", s)
    s = re.sub(r"\{[^}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = set()
    for match in re.finditer(r"(?<![\w:.$])([a-zA-Z_:][\w:]*)", s):
        if s[match.end():].lstrip().startswith("(") or match.group(1) in _KEYWORDS:
            continue
        names.add(match.group(1))
    return names


def selectors(expr, name):
    """The label-matcher text of every place `name` is selected ("" where it has no braces)."""
    return [m.group(1) or "" for m in re.finditer(r"(?<![\w:])" + re.escape(name) + r"(?![\w:])\s*(?:\{([^}]*)\})?", expr)]


def exported_names(metrics_text):
    """The series names a Prometheus text exposition holds: its sample names, and those its # TYPE
    lines declare (a histogram's base name is no series: only _bucket, _sum and _count are)."""
    names = set()
    for line in metrics_text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()[:4]
            if kind == "histogram":
                names.update({name + "_bucket", name + "_sum", name + "_count"})
            else:
                names.add(name)
                if kind == "summary":
                    names.update({name + "_sum", name + "_count"})
        elif line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][\w:]*", line).group(0))
    return names
