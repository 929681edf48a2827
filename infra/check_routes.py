#!/usr/bin/env python3
"""The HTTP API in infra/template.yaml must route exactly what the code serves.

Reads every axum `.route("<path>", get(..).post(..))` and every route of the
roles' builder (`Routes::new().get("<path>", need, handler)`) in the crates'
sources (tests excluded) and every `Type: HttpApi` event in the SAM template, then
fails when:

- the code serves a method and path the API does not route (it would answer
  the API's own 404 on AWS while working locally), or
- the API routes a method and path no code serves, or
- a route goes to another function than the one that owns its path (the
  function's IAM role is sized for its own routes only).

Run from the repository root: `.venv/bin/python infra/check_routes.py`
(needs PyYAML, which cfn-lint brings). Exits 0 when they agree, 1 otherwise.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.yaml"
# Crates whose sources may declare HTTP routes (missing ones are skipped).
SOURCES = ["functions/src", "lambda/src", "aws/src", "backoffice/src"]

# Paths owned by a function other than their prefix's: one invoice's
# document (the PDF writer lives in its own function).
EXACT = {
    "/api/invoices/{number}": "InvoicesFunction",
    "/api/panel/invoices/{number}": "InvoicesFunction",
}

# Which function owns which paths: the first matching prefix wins.
OWNERS = [
    ("/api/accounts/", "AccountsFunction"),
    ("/api/wallet", "WalletFunction"),
    ("/api/panel/", "PanelFunction"),
    ("/panel/", "BackofficeFunction"),
    ("/api/orders", "OrdersFunction"),
    ("/api/documents/", "OrdersFunction"),
    ("/api/domains", "OrdersFunction"),
    ("/api/invoices", "OrdersFunction"),
    ("/api/search", "SearchFunction"),
    ("/api/edge/", "SearchFunction"),
    ("/api/openapi.json", "SearchFunction"),
]

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


def owner(path: str) -> str | None:
    if path in EXACT:
        return EXACT[path]
    for prefix, fn in OWNERS:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            return fn
    return None


def call_args(text: str, start: int) -> str:
    """The text between the parenthesis at `start` and its match."""
    depth = 0
    in_str = False
    i = start
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
        i += 1
    raise ValueError("unbalanced parentheses")


def top_level_commas(args: str) -> int:
    """How many commas separate a call's arguments (none inside nested
    calls, brackets or strings)."""
    depth, in_str, n, i = 0, False, 0, 0
    while i < len(args):
        c = args[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            n += 1
        i += 1
    # A trailing comma (rustfmt's, on a call split over lines) separates nothing.
    return n - (1 if args.rstrip().endswith(",") else 0)


def code_routes(problems: list[str]) -> dict[tuple[str, str], str]:
    routes: dict[tuple[str, str], str] = {}
    for rel in SOURCES:
        base = ROOT / rel
        if not base.is_dir():
            continue
        for file in sorted(base.rglob("*.rs")):
            text = file.read_text(encoding="utf-8")
            # Test modules sit at the end of a file: routers built there are
            # not the API.
            cut = text.find("#[cfg(test)]")
            if cut >= 0:
                text = text[:cut]
            where = file.relative_to(ROOT)
            for bad in (".nest(", ".nest_service(", ".route_service("):
                if bad in text:
                    problems.append(
                        f"{where}: uses {bad.strip('.(')}; extend infra/check_routes.py to read it"
                    )
            # The roles' route builder (`Routes::new().get(path, need,
            # handler)`): each call with a literal path is one route.
            for m in re.finditer(r"\.(" + "|".join(METHODS) + r")\s*\(", text):
                args = call_args(text, m.end() - 1)
                path = re.match(r'\s*"(/[^"]*)"\s*,', args)
                if not path or top_level_commas(args) != 2:
                    continue
                line = text.count("\n", 0, m.start()) + 1
                routes[(m.group(1).upper(), path.group(1))] = f"{where}:{line}"
            for m in re.finditer(r"\.route\s*\(", text):
                # The builder itself hands its routes on to axum's router.
                if text[: m.start()].endswith("self.router"):
                    continue
                args = call_args(text, m.end() - 1)
                line = text.count("\n", 0, m.start()) + 1
                path = re.match(r'\s*"([^"]+)"\s*,', args)
                if not path:
                    problems.append(f"{where}:{line}: a route whose path is not a literal")
                    continue
                rest = args[path.end() :]
                methods = re.findall(r"(?:^|[^A-Za-z0-9_])(" + "|".join(METHODS) + r")\s*\(", rest)
                if not methods or re.search(r"(?:^|[^A-Za-z0-9_])(any|on)\s*\(", rest):
                    problems.append(f"{where}:{line}: cannot tell the methods of {path.group(1)}")
                    continue
                for meth in methods:
                    routes[(meth.upper(), path.group(1))] = f"{where}:{line}"
    return routes


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation's short tags (!Ref, !Sub...)."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template_routes(problems: list[str]) -> dict[tuple[str, str], str]:
    doc = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_Loader)
    routes: dict[tuple[str, str], str] = {}
    for name, res in (doc.get("Resources") or {}).items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        for event, ev in ((res.get("Properties") or {}).get("Events") or {}).items():
            if ev.get("Type") != "HttpApi":
                continue
            props = ev.get("Properties") or {}
            path, method = props.get("Path"), props.get("Method")
            if path is None and method is None:
                continue  # the $default route: anything unmatched
            key = (str(method).upper(), str(path))
            if key in routes:
                problems.append(f"template: {key[0]} {key[1]} is routed twice ({routes[key]}, {name}.{event})")
            routes[key] = name
            expected = owner(key[1])
            if expected is None:
                problems.append(f"template: {key[0]} {key[1]} ({name}.{event}) has no owner in infra/check_routes.py")
            elif expected != name:
                problems.append(f"template: {key[0]} {key[1]} goes to {name}, but {expected} owns it")
    return routes


def covered(key: tuple[str, str], api: dict[tuple[str, str], str]) -> tuple[str, str] | None:
    """The template route that serves `key`: the same method and path, or
    a greedy `{proxy+}` route of that method above it."""
    if key in api:
        return key
    method, path = key
    for m, p in api:
        if m == method and p.endswith("/{proxy+}"):
            prefix = p[: -len("{proxy+}")]
            if path.startswith(prefix):
                return (m, p)
    return None


def main() -> int:
    problems: list[str] = []
    code = code_routes(problems)
    api = template_routes(problems)
    used = {covered(k, api) for k in code} - {None}
    for key in sorted(k for k in code if covered(k, api) is None):
        problems.append(
            f"{key[0]} {key[1]} ({code[key]}) is not routed by infra/template.yaml: "
            f"add an HttpApi event to {owner(key[1]) or 'the function that owns it'}"
        )
    for key in sorted(set(api) - used):
        problems.append(f"infra/template.yaml routes {key[0]} {key[1]} ({api[key]}), which no code serves")
    if problems:
        print("API routes and infra/template.yaml disagree:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"ok: the {len(api)} routes of infra/template.yaml match the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
