"""Checks that every PromQL expression in alerts/ and dashboards/ selects metrics and labels that a
live scrape of the gateway actually has. Expressions are parsed with a real PromQL parser."""
import json
import re
from pathlib import Path

import promql_parser as promql
import yaml

ROOT = Path(__file__).resolve().parents[2]
# Labels Prometheus adds to every scraped series.
TARGET_LABELS = {"job", "instance"}


def grafana_to_promql(expr: str) -> str:
    """Substitutes Grafana's variables with values a parser accepts."""
    return (expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
            .replace("${job}", "llm-gateway").replace("$job", "llm-gateway")
            .replace("${instance}", ".*").replace("$instance", ".*"))


def alert_expressions(path: Path) -> tuple[list[tuple[str, str]], set[str]]:
    """(where, expr) of every rule, and the names recording rules define."""
    document = yaml.safe_load(path.read_text())
    found, recorded = [], set()
    for group in document["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            found.append((f"{path.name}:{name}", rule["expr"]))
            if "record" in rule:
                recorded.add(rule["record"])
    return found, recorded


def dashboard_panels(document: dict) -> list[dict]:
    panels = []
    for panel in document.get("panels", []):
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


def dashboard_expressions(document: dict, where: str) -> list[tuple[str, str]]:
    return [(f"{where}:{panel.get('title')}", grafana_to_promql(target["expr"]))
            for panel in dashboard_panels(document) for target in panel.get("targets", []) if target.get("expr")]


def external_metrics() -> set[str]:
    names = set()
    for line in (ROOT / "alerts" / "external-metrics.txt").read_text().splitlines():
        name = line.split("#")[0].strip()
        if name:
            names.add(name)
    return names


def parse_scrape(text: str) -> dict[str, set[str]]:
    """Series name → label names seen on it."""
    series: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*?)\})?\s", line)
        if not match:
            continue
        labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', match.group(3) or ""))
        series.setdefault(match.group(1), set()).update(labels)
    return series


def usages(node) -> list[tuple[str, set[str]]]:
    """(metric name, labels used on it) for every selector in the expression; labels of by/without/on/
    ignoring/group_* are attributed to every metric below the clause that uses them."""
    found: list[tuple[str, set[str]]] = []
    clause_labels: list[tuple[set[str], list]] = []

    def visit(expr):
        if isinstance(expr, promql.VectorSelector):
            names = {m.name for m in expr.matchers.matchers if m.name != "__name__"}
            metric = expr.name or next((m.value for m in expr.matchers.matchers if m.name == "__name__"), None)
            entry = (metric, names)
            found.append(entry)
            return [entry]
        if isinstance(expr, promql.MatrixSelector):
            return visit(expr.vector_selector)
        if isinstance(expr, promql.Call):
            return [entry for argument in expr.args for entry in visit(argument)]
        if isinstance(expr, promql.AggregateExpr):
            below = visit(expr.expr) + (visit(expr.param) if expr.param is not None else [])
            if expr.modifier is not None:
                clause_labels.append((set(expr.modifier.labels), below))
            return below
        if isinstance(expr, promql.BinaryExpr):
            below = visit(expr.lhs) + visit(expr.rhs)
            modifier = expr.modifier
            if modifier is not None:
                labels = set(modifier.matching.labels) if modifier.matching is not None else set()
                labels |= set(modifier.group_labels or [])
                if labels:
                    clause_labels.append((labels, below))
            return below
        if isinstance(expr, (promql.ParenExpr, promql.UnaryExpr, promql.SubqueryExpr)):
            return visit(expr.expr)
        return []

    visit(node)
    return found, clause_labels


def check(expressions: list[tuple[str, str]], scrape: dict[str, set[str]], known: set[str]) -> list[str]:
    """Problems: metric names absent from the scrape, labels absent from the metrics they are used on."""
    problems = []

    def labels_of(metric: str) -> set[str] | None:
        if metric in known:
            return None  # external or recorded: not ours to check
        if metric in scrape:
            return scrape[metric] | TARGET_LABELS
        return False

    for where, expr in expressions:
        try:
            tree = promql.parse(expr)
        except Exception as error:  # noqa: BLE001 - any parse failure is a finding
            problems.append(f"{where}: does not parse: {error}")
            continue
        selectors, clauses = usages(tree)
        for metric, labels in selectors:
            available = labels_of(metric)
            if available is False:
                problems.append(f"{where}: metric {metric} is not in the scrape")
            elif available is not None:
                for label in sorted(labels - available):
                    problems.append(f"{where}: label {label} is not on {metric}")
        for labels, below in clauses:
            pool = set(TARGET_LABELS)
            unknown = False
            for metric, _ in below:
                available = labels_of(metric)
                if available is None:
                    unknown = True
                elif available:
                    pool |= available
            if unknown:
                continue
            for label in sorted(labels - pool):
                problems.append(f"{where}: label {label} (by/on/group) is on none of {sorted({m for m, _ in below})}")
    return problems
