"""The docs stay honest: commands, settings, endpoints, examples and links match the code."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import click
import msgspec
import pytest
from litestar import Litestar

from forms.loaders import load_bytes
from server.cli import main
from server.settings import Settings
from sync.wire import AGE_BANDS, Submission, SyncBatch, SyncResponse, UnsentFile

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROTOCOL = (ROOT / "sync" / "PROTOCOL.md").read_text(encoding="utf-8")
#: Every Markdown file a reader of the repository follows links in.
DOCS = [
    ROOT / "README.md",
    ROOT / "sync" / "PROTOCOL.md",
    ROOT / "pwa" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
CODE = ("server", "forms", "sync")
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", "data"}


def commands(group: click.Group, prefix: str = "") -> list[str]:
    found: list[str] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix}{name} ")
        else:
            found.append(f"{prefix}{name}")
    return found


def source_files(*suffixes: str) -> list[Path]:
    """The project's own files with these suffixes (no virtualenv, no node_modules)."""
    return [
        p
        for p in ROOT.rglob("*")
        if p.suffix in suffixes and p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)
    ]


def test_readme_starts_with_the_two_commands() -> None:
    head = "\n".join(README.splitlines()[:8])
    assert "make run" in head and "make test" in head


def test_every_cli_command_is_documented() -> None:
    for command in commands(main):
        assert f"tadrib {command}" in README, command


def test_settings_are_read_in_settings_and_documented_in_the_readme() -> None:
    read: dict[str, set[str]] = {}
    for path in source_files(".py"):
        if path.relative_to(ROOT).parts[0] in CODE:
            for name in re.findall(r"TADRIB_[A-Z_]+", path.read_text(encoding="utf-8")):
                read.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    in_settings = {name for name, where in read.items() if "server/settings.py" in where}
    assert set(read) == in_settings, "read a TADRIB_* variable in server/settings.py only"
    assert len(in_settings) == len(Settings.__struct_fields__), "one variable per setting"
    documented = set(re.findall(r"^\| `(TADRIB_[A-Z_]+)` \|", README, re.M))
    assert documented == in_settings, "README's settings table lists exactly the variables read"


def json_examples(markdown: str) -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", markdown, re.S)]


def test_protocol_json_examples_decode_with_the_wire_types() -> None:
    examples = json_examples(PROTOCOL)
    kinds = []
    for example in examples:
        raw = json.dumps(example).encode()
        if "results" in example:
            msgspec.json.decode(raw, type=SyncResponse)
            kinds.append("response")
            continue
        envelope: SyncBatch | UnsentFile
        if example.get("format") == "tadrib-unsent":
            envelope = msgspec.json.decode(raw, type=UnsentFile)
            kinds.append("unsent file")
        else:
            envelope = msgspec.json.decode(raw, type=SyncBatch)
            kinds.append("batch")
        assert envelope.submissions, "an example shows at least one submission"
        for item in envelope.submissions:
            msgspec.json.decode(item, type=Submission)
    assert sorted(kinds) == ["batch", "response", "unsent file"]


def test_protocol_lists_the_age_bands_the_wire_and_the_app_accept() -> None:
    assert ", ".join(f"`{band}`" for band in AGE_BANDS[:-1]) in PROTOCOL
    app = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "pwa" / "js").glob("*.js"))
    listed = re.search(r"const AGES = \[([^\]]*)\]", app)
    assert listed, "pwa/js lists the age bands as `const AGES = [...]`"
    assert tuple(re.findall(r"'([^']+)'", listed.group(1))) == AGE_BANDS


def test_protocol_doc_names_every_status() -> None:
    for status in ("accepted", "duplicate", "conflict", "rejected", "400", "413", "429", "503"):
        assert f"`{status}`" in PROTOCOL, status


def anchors(markdown: str) -> set[str]:
    """GitHub's ids of the headings: lowercase, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue  # http:, https:, mailto:
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        assert path.exists(), f"{doc.name}: {link} does not exist"
        if anchor:
            assert anchor in anchors(path.read_text(encoding="utf-8")), f"{doc.name}: {link}"


def test_docs_exist_and_are_linked_from_the_readme() -> None:
    for doc in (ROOT / "docs").glob("*.md"):
        assert f"(docs/{doc.name})" in README, doc.name
    assert len(list((ROOT / "docs").glob("*.md"))) >= 4


def api_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for method in route.methods - {"OPTIONS", "HEAD"}:
            found.add((method, re.sub(r"\{[^}]+\}", "{}", route.path)))
    return found


def test_every_api_endpoint_is_in_docs_api(app: Litestar) -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for method, path in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/api/[^`\s?]*)", text)
    }
    served = api_routes(app)
    assert served - documented == set(), "endpoints missing from docs/api.md"
    assert documented - served == set(), "docs/api.md names endpoints the app does not serve"


def test_question_set_example_loads_and_validates() -> None:
    text = (ROOT / "docs" / "question-sets.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert example
    qs = load_bytes(example.group(1).encode(), "question-sets-example.yaml")
    assert {q.type for q in qs.questions} >= {"single", "truefalse", "number", "likert"}


def test_the_project_refers_to_no_document_outside_itself() -> None:
    outside = re.compile(r"\bDESIGN(\.md|'s)|\.\./shared/")
    here = Path(__file__).resolve()
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in source_files(".py", ".md", ".js", ".html", ".yaml", ".toml")
        if p != here and outside.search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def imports_of(package: str) -> dict[str, set[str]]:
    """Module -> the Tadrib modules it imports, for every module under `package`."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[module] = {n for n in names if n.split(".")[0] in CODE}
    return found


def test_dependencies_point_the_way_docs_architecture_says() -> None:
    """server -> sync -> forms; the API's routes and the console never import each other."""
    rules = {
        "forms": ("server", "sync"),
        "sync": ("server",),
        "server.routes": ("server.console",),
        "server.console": ("server.routes",),
    }
    wrong = [
        f"{module} imports {name}"
        for package, banned in rules.items()
        for module, names in imports_of(package.split(".")[0]).items()
        if module.startswith(package)
        for name in names
        if name.startswith(banned)
    ]
    assert wrong == []
