"""Only ``indexer/whoosh_internals.py`` reaches into Whoosh's private attributes.

The rule is checked on the source (AST), without importing anything: in every module of
``indexer/`` and ``webui/``, an attribute whose name starts with one underscore (``obj._ids``,
``getattr(obj, "_perdoc")``) may only be read on ``self`` or ``cls`` — the module's own objects.
Types are not known to an AST walk, so the rule is stricter than "Whoosh objects": any other
object's private attribute counts, and the few that are not Whoosh's are listed below with the
reason they may stay.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("indexer", "webui")
INTERNALS = "indexer/whoosh_internals.py"

# (module, attribute): why it is not a reach into Whoosh.
ALLOWED = {
    ("indexer/extract.py", "_p"): "python-docx paragraph element; extract.py is the one module "
    "that reads python-docx's XML, the same one-module rule for another library",
    ("indexer/extract.py", "_tc"): "python-docx table cell element, as above",
    ("indexer/click_sv.py", "_"): "Click's gettext alias in its own modules; click_sv.py is the one "
    "module that swaps Click's messages for Swedish ones",
    ("indexer/generations.py", "_exit"): "os._exit is the standard library's public API",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_reaches(source: str) -> list[tuple[int, str]]:
    """(line, attribute) of each private attribute read on something other than self/cls."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            found.append((node.lineno, node.attr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append((node.lineno, node.args[1].value))
    return found


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_no_module_but_one_reads_private_attributes() -> None:
    offenders = []
    for path in _modules():
        module = path.relative_to(ROOT).as_posix()
        if module == INTERNALS:
            continue
        for line, attr in private_reaches(path.read_text(encoding="utf-8")):
            if (module, attr) not in ALLOWED:
                offenders.append(f"{module}:{line} .{attr}")
    assert not offenders, "private attributes read outside " + INTERNALS + ": " + ", ".join(offenders)


def test_the_allow_list_has_no_stale_entries() -> None:
    """Each allowed reach still exists, so the list cannot silently grow stale."""
    seen = {
        (path.relative_to(ROOT).as_posix(), attr)
        for path in _modules()
        for _, attr in private_reaches(path.read_text(encoding="utf-8"))
    }
    assert set(ALLOWED) <= seen


def test_the_internals_module_is_where_the_reaches_are() -> None:
    """The scan finds what it is meant to find: the internals module reads Whoosh privates, and
    the usual forms of a reach are caught."""
    assert private_reaches((ROOT / INTERNALS).read_text(encoding="utf-8"))
    caught = private_reaches(
        "m._ids\nreader.leaf_readers()[0]._perdoc\ngetattr(sub, '_perdoc', None)\nself._x\ncls._y\nx.__len__\n"
    )
    assert [a for _, a in caught] == ["_ids", "_perdoc", "_perdoc"]
