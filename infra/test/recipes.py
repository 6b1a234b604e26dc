"""Cut a recipe out of docs/contributing.md and apply it to a checkout, exactly as written.

A recipe is a section of docs/contributing.md (``## Adding a DAG step``). Its fenced blocks say what
to do by their first line:

- ``# <path>`` (any language): create the file at that path with the block's text;
- ``# appended to <path>``: append the block's text to that file;
- a ``bash`` block without such a line: commands a user runs in the checkout, in order.

    python3 infra/test/recipes.py apply "Adding a DAG step" <checkout>     # creates and appends the files
    python3 infra/test/recipes.py commands "Adding a DAG step"             # prints the commands to run

Only the standard library: it runs before any virtualenv exists.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

# The file the recipes are cut from, and its name in messages.
RECIPES = Path(__file__).resolve().parents[2] / "docs" / "contributing.md"
RECIPES_NAME = "docs/contributing.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_CREATE = re.compile(r"# ([\w./-]+\.\w+)")
_APPEND = re.compile(r"# appended to ([\w./-]+\.\w+)")


class RecipeError(ValueError):
    pass


@dataclass(frozen=True)
class Step:
    action: str  # "create", "append" or "run"
    target: str  # the file, or "" for commands
    text: str


def section(text: str, title: str) -> str:
    """The text of ``## <title>`` up to the next heading of the same level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.DOTALL | re.MULTILINE)
    if not match:
        raise RecipeError(f"{RECIPES_NAME} has no section '## {title}'")
    return match.group(1)


def steps(text: str, title: str) -> list[Step]:
    """The steps of the recipe ``## <title>`` of ``text`` (the contents of docs/contributing.md)."""
    found = []
    for language, body in _BLOCK.findall(section(text, title)):
        first = body.splitlines()[0] if body else ""
        if appended := _APPEND.fullmatch(first):
            found.append(Step("append", appended.group(1), body))
        elif created := _CREATE.fullmatch(first):
            found.append(Step("create", created.group(1), body))
        elif language == "bash":
            found.append(Step("run", "", body))
    if not found:
        raise RecipeError(f"{RECIPES_NAME}'s '## {title}' has no block naming a file or bash commands")
    return found


def apply(text: str, title: str, checkout: Path) -> list[Step]:
    """Writes the recipe's files into the checkout; returns its steps."""
    recipe = steps(text, title)
    for step in recipe:
        target = checkout / step.target
        if step.action == "create":
            if target.exists():
                raise RecipeError(f"the recipe creates {step.target}, which the checkout already has")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.text)
        elif step.action == "append":
            if not target.is_file():
                raise RecipeError(f"the recipe appends to {step.target}, which the checkout lacks")
            with target.open("a") as out:
                out.write("\n" + step.text)
    return recipe


def main(argv: list[str]) -> int:
    text = RECIPES.read_text()
    if len(argv) == 3 and argv[0] == "apply":
        for step in apply(text, argv[1], Path(argv[2])):
            if step.action != "run":
                print(f"recipe: {step.action} {step.target}")
        return 0
    if len(argv) == 2 and argv[0] == "commands":
        print("\n".join(step.text for step in steps(text, argv[1]) if step.action == "run"))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RecipeError as e:
        print(f"recipes: {e}", file=sys.stderr)
        sys.exit(1)
