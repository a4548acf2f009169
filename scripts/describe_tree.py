"""Print the package tree with each module's one-line purpose (its docstring's first line).

README's "Development" section is this script's output; ``tests/unit/test_readme.py`` checks
that they agree, so the README cannot describe a tree that no longer exists.

Run: ``.venv/bin/python scripts/describe_tree.py`` (``--check README.md`` to compare).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- tree:begin -->", "<!-- tree:end -->"


def purpose(path: Path) -> str:
    """The first sentence-line of a module's docstring ('' when it has none)."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    line = doc.strip().splitlines()[0] if doc.strip() else ""
    return line.rstrip()


def tree(package: Path = ROOT / "bdt_xl") -> str:
    """The package as an indented listing: folders first, then modules, with purposes."""
    lines = ["```text"]

    def walk(folder: Path, depth: int) -> None:
        pad = "  " * depth
        init = folder / "__init__.py"
        head = f"{pad}{folder.name}/"
        text = purpose(init) if init.exists() else ""
        lines.append(f"{head:<28} {text}".rstrip())
        for module in sorted(p for p in folder.glob("*.py") if p.name != "__init__.py"):
            lines.append(f"{pad}  {module.name:<26} {purpose(module)}".rstrip())
        for sub in sorted(p for p in folder.iterdir()
                          if p.is_dir() and (p / "__init__.py").exists()):
            walk(sub, depth + 1)

    walk(package, 0)
    lines.append("```")
    return "\n".join(lines)


def section(readme: str) -> str:
    """The part of README between the tree markers."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[start:end].strip()


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        same = section(Path(argv[1]).read_text(encoding="utf-8")) == tree()
        print("README tree is up to date" if same else "README tree differs: regenerate it")
        return 0 if same else 1
    print(tree())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
