"""Every import of the product code points left in the declared app order (dangvu.layers):
lazy imports inside functions and relative imports count as well. Tests may import anything
(they are not the product); migrations are product code."""

import ast
from pathlib import Path

import pytest

from dangvu import layers

PACKAGE = Path(__file__).resolve().parents[2]


def _level(app: str) -> int | None:
    for i, layer in enumerate(layers.LAYERS):
        if app in layer:
            return i
    return None


def _imported(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in the file, relative ones resolved."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from dangvu import members` imports the app itself.
            if name == "dangvu":
                found += [(node.lineno, f"dangvu.{alias.name}") for alias in node.names]
    return found


def _product_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or parts[0] in ("testing", "e2e"):
            continue
        yield path, parts


def violations(files=None) -> list[str]:
    problems = []
    for path, parts in files if files is not None else _product_files():
        module = ".".join(("dangvu", *parts))[: -len(".py")].removesuffix(".__init__")
        own = parts[0].removesuffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, name in _imported(tree, module):
            if not name.startswith("dangvu.") or name == "dangvu":
                continue
            target = name.split(".")[1]
            where = f"{'/'.join(parts)}:{line} imports {name}"
            if target == own:
                continue
            if target in layers.BESIDE or target in layers.PROJECT:
                if own not in layers.PROJECT and own not in layers.BESIDE:
                    problems.append(f"{where}: no app imports {target}")
                continue
            if own in layers.BESIDE or own in layers.PROJECT:
                continue  # they compose the apps
            mine, theirs = _level(own), _level(target)
            if mine is None or theirs is None:
                problems.append(f"{where}: {own if mine is None else target} is not in LAYERS")
            elif theirs >= mine:
                problems.append(f"{where}: {target} is not before {own} in dangvu.layers")
    return problems


def test_every_import_of_the_product_points_left_in_the_app_order():
    assert violations() == []


def test_every_app_is_placed_in_the_order():
    apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
    placed = {app for layer in layers.LAYERS for app in layer} | set(layers.BESIDE)
    assert apps - placed == set()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from dangvu.members.models import Member\n", "members is not before organisations"),
        ("def f():\n    from dangvu.stats import counters\n", "stats is not before organisations"),
        ("from ..dataset import national\n", "no app imports dataset"),
        ("from dangvu.audit.services import audit_record\n", None),
    ],
)
def test_the_check_catches_an_import_against_the_order(tmp_path, source, expected):
    """The check itself: an upward import, a lazy one, a relative one into `dataset`."""
    path = tmp_path / "services.py"
    path.write_text(source, encoding="utf-8")
    found = violations([(path, ("organisations", "services.py"))])
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0], found
