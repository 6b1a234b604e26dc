"""The docs (README.md and docs/*.md) against what the tests run: every block a user would run is run by a
test or says why not; links lead somewhere; README stays a first page.

A block a user would run or apply (a shell, HOCON or Python block, or one without a language whose lines
look like commands) is one of:

- a recipe block: in a section of docs/contributing.md that a script of ``./lakepipe test`` follows with
  ``infra/test/recipe-test.sh "<title>"``, and one of the steps infra/test/recipes.py cuts from it;
- ``<!-- run by: <file>, ... -->`` on the line before its fence: each file is part of ``./lakepipe test``
  and has each of the block's commands as one of its own lines; with ``; not run here: <reason>`` added,
  the commands no file runs are named in the reason, in backticks;
- ``<!-- not run here: <reason> -->`` on the line before its fence.

Only the standard library and pytest (and infra/test/recipes.py, which needs no more).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[2] / "infra" / "test"))
import recipes  # (infra/test is no package)

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DOCS = [README, *sorted((REPO_ROOT / "docs").glob("*.md"))]

# Blocks a user runs in a shell, and blocks a user writes into a file of the checkout.
SHELL = {"bash", "sh", "shell", "console", "zsh"}
APPLIED = {"hocon", "conf", "properties", "python", "py"}
# Blocks that are no command: pictures, examples of output or of a format.
SHOWN = {"text", "mermaid", "json", "yaml", "xml", "csv", "diff", "sql", "java"}
# The first word of a line in a block without a language that makes it a command.
_COMMAND = re.compile(
    r"^(\$ )?(\./|\.lakepipe/|infra/|bench/|source |export |set -|cd |java |curl |kubectl |docker |airflow |"
    r"mvn |spark-submit|python3? |pip |psql |git |grafana-server|hadoop |hdfs |[A-Z][A-Z0-9_]*=\S*\s)"
)
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<language>[\w+-]*)\s*$")
_ANNOTATION = re.compile(r"^\s*<!--\s*(?P<text>(?:run by|not run here):.*?)\s*-->\s*$")
_HEADING = re.compile(r"^(#{1,6}) +(.+?)\s*#*\s*$")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)\)")

# The scripts that ./lakepipe test runs start from these two (.ci/run calls ./lakepipe test, which execs run.sh).
SUITE_ROOTS = [".ci/run", "infra/test/run.sh"]
_SCRIPT_PATH = re.compile(r"(?<![\w.-])((?:infra|bench)/[\w./-]+?\.(?:sh|py)|\.ci/run)(?![\w/.-])")
_RECIPE_CALL = re.compile(r'recipe-test\.sh"?\s+"(?P<title>[^"$]+)"')


@dataclass(frozen=True)
class Block:
    doc: str  # the doc's path, relative to the repository
    line: int  # the line of its opening fence
    language: str
    body: str  # the lines between the fences, without the fence's indentation, each ending in \n
    annotation: str | None  # "run by: ..." or "not run here: ..." from the line before the fence
    section: str  # the title of the ## section it is in

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"


def blocks(doc: str, text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, with the annotation on the line before each."""
    found, lines, section, i = [], text.split("\n"), "", 0
    while i < len(lines):
        if heading := re.match(r"^## +(.+?)\s*$", lines[i]):
            section = heading.group(1)
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        end = i + 1
        while end < len(lines) and not re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[end]):
            end += 1
        body = "".join(line[indent:] + "\n" if line[:indent].isspace() else line + "\n" for line in lines[i + 1 : end])
        note = _ANNOTATION.match(lines[i - 1]) if i > 0 else None
        found.append(Block(doc, i + 1, opening["language"].lower(), body, note and note["text"], section))
        i = end + 1
    return found


def commands(body: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments and repeated blanks dropped."""
    result = []
    for line in body.replace("\\\n", " ").split("\n"):
        command = " ".join(_without_comment(line).split())
        if command:
            result.append(command)
    return result


def _without_comment(line: str) -> str:
    """The line up to a ``#`` that starts a shell comment (outside quotes, at a word's start)."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def looks_like_commands(body: str) -> bool:
    return any(_COMMAND.match(line.strip()) for line in body.splitlines())


def _script_lines(path: Path) -> list[str]:
    """The commands of a script (its comments left out), as commands() reads a block's."""
    return commands(path.read_text())


def suite_scripts(root: Path = REPO_ROOT) -> set[str]:
    """The scripts ./lakepipe test runs: the roots, and every script that a command of one names, followed down."""
    found, todo = set(), list(SUITE_ROOTS)
    while todo:
        script = todo.pop()
        if script in found or not (root / script).is_file():
            continue
        found.add(script)
        todo.extend(_SCRIPT_PATH.findall("\n".join(_script_lines(root / script))))
    return found


def followed_recipes(root: Path = REPO_ROOT) -> dict[str, str]:
    """Recipe title -> the script of ./lakepipe test that follows it with infra/test/recipe-test.sh."""
    return {
        call["title"]: script
        for script in sorted(suite_scripts(root))
        for call in _RECIPE_CALL.finditer("\n".join(_script_lines(root / script)))
    }


def in_scope(block: Block) -> bool:
    return block.language in SHELL | APPLIED or (block.language == "" and looks_like_commands(block.body))


def problems(docs: dict[str, str], root: Path = REPO_ROOT) -> list[str]:
    """What is wrong with the blocks of the docs (path relative to root -> text); empty when nothing is."""
    found: list[str] = []
    scripts = suite_scripts(root)
    followed = followed_recipes(root)
    recipe_doc = recipes.RECIPES.relative_to(REPO_ROOT).as_posix()
    for doc, text in docs.items():
        lines = text.split("\n")
        for number, line in enumerate(lines):
            next_is_fence = number + 1 < len(lines) and _FENCE.match(lines[number + 1])
            if _ANNOTATION.match(line) and not next_is_fence:
                found.append(f"{doc}:{number + 1}: an annotation that stands before no fence: {line.strip()}")
        recipe_steps = {}
        if doc == recipe_doc:
            for title in followed:
                try:
                    recipe_steps[title] = {step.text for step in recipes.steps(text, title)}
                except recipes.RecipeError as e:
                    found.append(f"{doc}: {followed[title]} follows the recipe '{title}', but {e}")
        for block in blocks(doc, text):
            found.extend(_block_problems(block, recipe_steps, scripts, root))
    return found


def _block_problems(block: Block, recipe_steps: dict[str, set[str]], scripts: set[str], root: Path) -> list[str]:
    if block.language and block.language not in SHELL | APPLIED | SHOWN:
        return [
            f"{block.where}: a ```{block.language} block, a language the docs check does not know: add it to "
            "SHELL, APPLIED or SHOWN in dags/tests/test_docs.py"
        ]
    if not in_scope(block) or block.body in recipe_steps.get(block.section, set()):
        return []
    note = block.annotation
    if note is None:
        return [
            f"{block.where}: a {block.language or 'command'} block that no test is said to run: put "
            "<!-- run by: <test file> --> or <!-- not run here: <reason> --> on the line before its fence"
        ]
    run_by, _, reason = note.partition("not run here:")
    run_by, reason = run_by.strip().rstrip(";").strip(), reason.strip()
    if not run_by:
        return [] if re.search(r"\w", reason) else [f"{block.where}: 'not run here' without a reason"]
    if block.language not in SHELL and block.language != "":
        return [f"{block.where}: a ```{block.language} block is applied by a recipe, or not run here; no test runs it"]
    files = [name.strip() for name in run_by.removeprefix("run by:").split(",") if name.strip()]
    found = []
    for name in files:
        if not (root / name).is_file():
            found.append(f"{block.where}: run by {name}, which does not exist")
        elif name not in scripts:
            found.append(f"{block.where}: run by {name}, which ./lakepipe test does not run (.ci/run, run.sh, ...)")
    if found or not files:
        return found or [f"{block.where}: 'run by:' names no file"]
    run = {command for name in files for command in _script_lines(root / name)}
    for command in commands(block.body):
        if command not in run and f"`{command}`" not in reason:
            found.append(
                f"{block.where}: `{command}` is no line of {', '.join(files)}: run it there as written, or say "
                "why not with '; not run here: ...' naming it in backticks"
            )
    return found


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def headings(text: str) -> list[tuple[int, str]]:
    """(level, title) of every heading outside fenced blocks."""
    found, fence = [], None
    for line in text.split("\n"):
        if opening := _FENCE.match(line):
            marker = opening["fence"][0]
            fence = None if fence == marker else (fence or marker)
            continue
        if fence is None and (heading := _HEADING.match(line)):
            found.append((len(heading.group(1)), heading.group(2)))
    return found


def anchors(text: str) -> set[str]:
    seen: Counter[str] = Counter()
    result = set()
    for _, title in headings(text):
        slug = _slug(title)
        result.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return result


def _outside_fences(text: str) -> str:
    """The text without its fenced blocks."""
    kept, fence = [], None
    for line in text.split("\n"):
        if opening := _FENCE.match(line):
            marker = opening["fence"][0]
            fence = None if fence == marker else (fence or marker)
        elif fence is None:
            kept.append(line)
    return "\n".join(kept)


def _texts() -> dict[str, str]:
    return {doc.relative_to(REPO_ROOT).as_posix(): doc.read_text() for doc in DOCS}


# --- the docs themselves --------------------------------------------------------------------------


def test_every_block_a_user_would_run_is_run_by_a_test_or_says_why_not() -> None:
    assert problems(_texts()) == []


def test_the_recipes_that_the_suites_follow_are_sections_of_the_contributing_docs() -> None:
    followed = followed_recipes()
    text = recipes.RECIPES.read_text()

    assert recipes.RECIPES == REPO_ROOT / "docs" / "contributing.md"
    assert set(followed) == {
        "Adding a source",
        "Adding a feature",
        "Adding a DAG step",
        "A second data set: bird strikes",
    }
    for title in followed:
        assert recipes.steps(text, title)


def test_every_relative_link_leads_to_a_file_and_a_heading_of_it() -> None:
    broken = []
    for doc in DOCS:
        text = doc.read_text()
        for match in _LINK.finditer(_outside_fences(text)):
            target = match["target"]
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            where = f"{doc.relative_to(REPO_ROOT)}: ({target})"
            if not file.exists():
                broken.append(f"{where}: no file {path}")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text()):
                broken.append(f"{where}: {file.name} has no heading #{anchor}")
    assert broken == []


def test_readme_is_a_first_page_with_the_two_commands_first_and_a_link_to_each_docs_page() -> None:
    text = README.read_text()
    first = blocks("README.md", text)[0]

    assert len(text.splitlines()) <= 200
    assert first.section == "Two commands"
    assert first.body == (
        "# set everything up, start the local stack, run the whole pipeline for one date through Airflow\n"
        "./lakepipe demo\n"
        "# set everything up, start the local stack, run every test (the command .ci/run calls)\n"
        "./lakepipe test\n"
    )
    assert [doc.name for doc in DOCS[1:] if f"](docs/{doc.name})" not in text] == []


@pytest.mark.parametrize("doc", DOCS[1:], ids=lambda doc: doc.name)
def test_a_long_docs_page_lists_its_sections_before_the_first(doc: Path) -> None:
    text = doc.read_text()
    if len(text.splitlines()) <= 150:
        return
    contents = text[: text.index("\n## ")]
    sections = [title for level, title in headings(text) if level == 2]

    assert [title for title in sections if f"(#{_slug(title)})" not in contents] == []


# --- the check itself, on docs and scripts written here -----------------------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout whose ./lakepipe test runs one suite script, and has one script it never runs."""
    for path, lines in {
        ".ci/run": ["./lakepipe test"],
        "infra/test/run.sh": ["# infra/test/commented.sh is only named here", '"$LAKEPIPE_HOME/infra/test/suite.sh"'],
        "infra/test/suite.sh": ["infra/spark/cluster.sh start", "infra/spark/cluster-test.sh \\", "  2001-01-15"],
        "infra/test/commented.sh": ["./lakepipe demo"],
    }.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("\n".join(["#!/usr/bin/env bash", *lines, ""]))
    return tmp_path


def _doc(*lines: str) -> dict[str, str]:
    return {"docs/example.md": "\n".join(["# Example", "", "## A section", "", *lines, ""])}


def test_the_suite_scripts_are_followed_down_from_ci_through_commands_not_comments(checkout: Path) -> None:
    assert suite_scripts(checkout) == {".ci/run", "infra/test/run.sh", "infra/test/suite.sh"}
    assert {"infra/airflow/e2e.sh", "infra/test/recipe-test.sh", "infra/test/onboarding-test.sh"} <= suite_scripts()


def test_an_unannotated_shell_block_is_reported(checkout: Path) -> None:
    (problem,) = problems(_doc("```bash", "./lakepipe run report 2001-01-15", "```"), checkout)

    assert problem.startswith("docs/example.md:5: a bash block that no test is said to run")


def test_a_block_without_a_language_is_reported_when_it_holds_commands_and_not_when_it_is_a_picture(
    checkout: Path,
) -> None:
    assert len(problems(_doc("```", "infra/spark/cluster.sh start", "```"), checkout)) == 1
    assert problems(_doc("```", "files ─> bronze ─> features", "```"), checkout) == []
    assert problems(_doc("```mermaid", "flowchart LR", "  a --> b", "```"), checkout) == []


def test_a_language_the_check_does_not_know_is_reported(checkout: Path) -> None:
    (problem,) = problems(_doc("```fish", "echo hello", "```"), checkout)

    assert "a language the docs check does not know" in problem


def test_not_run_here_needs_a_reason(checkout: Path) -> None:
    block = ["```bash", "kubectl get pods", "```"]
    assert problems(_doc("<!-- not run here: needs a Kubernetes cluster, none here -->", *block), checkout) == []
    (problem,) = problems(_doc("<!-- not run here: -->", *block), checkout)

    assert "without a reason" in problem


def test_run_by_holds_when_the_named_suite_script_has_each_command_as_a_line(checkout: Path) -> None:
    note = "<!-- run by: infra/test/suite.sh -->"
    block = ["```bash", "infra/spark/cluster.sh start   # the cluster", "infra/spark/cluster-test.sh 2001-01-15", "```"]

    assert problems(_doc(note, *block), checkout) == []
    assert problems(_doc("<!-- run by: .ci/run, infra/test/suite.sh -->", *block), checkout) == []


def test_run_by_fails_for_a_command_the_script_runs_otherwise_or_not_at_all(checkout: Path) -> None:
    note = "<!-- run by: infra/test/suite.sh -->"
    (other_args,) = problems(_doc(note, "```bash", "infra/spark/cluster-test.sh", "```"), checkout)
    (not_at_all,) = problems(_doc(note, "```bash", "./lakepipe demo", "```"), checkout)

    assert "`infra/spark/cluster-test.sh` is no line of infra/test/suite.sh" in other_args
    assert "`./lakepipe demo` is no line of infra/test/suite.sh" in not_at_all


def test_run_by_fails_for_a_file_that_is_missing_or_no_suite_runs(checkout: Path) -> None:
    block = ["```bash", "./lakepipe demo", "```"]
    (missing,) = problems(_doc("<!-- run by: infra/test/nothing.sh -->", *block), checkout)
    (not_a_suite,) = problems(_doc("<!-- run by: infra/test/commented.sh -->", *block), checkout)

    assert "run by infra/test/nothing.sh, which does not exist" in missing
    assert "run by infra/test/commented.sh, which ./lakepipe test does not run" in not_a_suite


def test_a_command_no_test_runs_may_be_named_in_the_reason(checkout: Path) -> None:
    block = ["```bash", "./lakepipe demo", "./lakepipe test", "```"]
    named = "<!-- run by: .ci/run; not run here: `./lakepipe demo`, which no test runs as such -->"
    unnamed = "<!-- run by: .ci/run; not run here: the demo, which no test runs as such -->"

    assert problems(_doc(named, *block), checkout) == []
    assert len(problems(_doc(unnamed, *block), checkout)) == 1


def test_an_annotation_before_no_fence_is_reported(checkout: Path) -> None:
    (problem,) = problems(_doc("<!-- not run here: the block moved away -->", "", "Text."), checkout)

    assert "an annotation that stands before no fence" in problem


def test_a_recipe_block_needs_no_annotation_and_a_block_beside_the_recipes_does() -> None:
    doc = recipes.RECIPES.relative_to(REPO_ROOT).as_posix()
    text = recipes.RECIPES.read_text()
    assert problems({doc: text}) == []

    (problem,) = problems({doc: text + "\n## Another section\n\n```bash\n./lakepipe validate\n```\n"})

    assert "no test is said to run" in problem


def test_commands_join_continuations_and_drop_comments_but_not_quoted_hashes() -> None:
    body = "a --x 1 \\\n  --y 2   # why\n# only a comment\necho 'a # b'\n"

    assert commands(body) == ["a --x 1 --y 2", "echo 'a # b'"]
