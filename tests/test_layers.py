"""The layers hold: the import contract in pyproject.toml ([tool.importlinter]),
checked by import-linter, says which layer each module is in and that none
imports a layer above its own or takes part in an import circle; and imports
inside functions are for the command line only (they keep start-up fast),
never a way round the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parent.parent

#: Modules that may import inside functions: the command line (start-up stays fast by
#: loading each command's library only when it runs) and the package's lazy `tlm.load`.
BOUNDARY = ("tlm/cli/", "tlm/wp.py", "tlm/console.py", "tlm/__init__.py", "tlm/__main__.py")

#: The only imports inside functions below the command line, each for a reason:
#: (file, module imported) -> why.
EXCEPTIONS = {
    # optional dependencies: imported where used, so tlm works without them
    ("tlm/atlas.py", "umap"): "umap-learn is optional (the categories map falls back to PCA)",
    ("tlm/interact.py", "IPython.terminal.ipapp"): "IPython is optional (else the plain console)",
    ("tlm/interact.py", "readline"): "readline is not on every platform",
    ("tlm/interact.py", "rlcompleter"): "with readline",
    ("tlm/pretrained/hf.py", "safetensors"): "tlm[llm]: hf: token tables",
    ("tlm/pretrained/hf.py", "tokenizers"): "tlm[llm]: hf: token tables",
    ("tlm/pretrained/hf.py", "huggingface_hub"): "tlm[llm]: the Hugging Face cache",
    ("tlm/pretrained/hf.py", "huggingface_hub.errors"): "tlm[llm]: the Hugging Face cache",
    ("tlm/pretrained/encoder.py", "safetensors"): "tlm[llm]: the sentence encoder's weights",
    # loading a model (`tlm generate`) needs neither gensim (a second) nor scipy
    ("tlm/models/base.py", "gensim.models"): "model.vectors, built when first asked for",
    ("tlm/models/sparse.py", "scipy.sparse._sparsetools"): "the training scatter's kernel",
    ("tlm/models/sparse.py", "scipy.sparse"): "the training scatter's fallback",
    ("tlm/schema.py", "scipy.sparse"): "only a count model's sparse counts are read with it",
    ("tlm/models/__init__.py", "tlm.models.base"): "the registry loads a model's module when "
                                                   "its type is asked for",
}


def test_the_import_contract_holds(monkeypatch, capsys) -> None:
    monkeypatch.chdir(REPO)
    code = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True,
                        no_logo=True)
    assert code == 0, capsys.readouterr().out


def _function_imports(path: Path) -> list[str]:
    """`file:line module` for each import inside a function body, leaving out the
    ones under `if TYPE_CHECKING:` (never run) and the `EXCEPTIONS`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)) and in_function:
            names = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            where = str(path.relative_to(REPO))
            if (where, names) not in EXCEPTIONS:
                found.append(f"{where}:{node.lineno} {names}")
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return found


def test_imports_inside_functions_only_at_the_command_line() -> None:
    found = []
    for path in sorted((REPO / "tlm").rglob("*.py")):
        if not str(path.relative_to(REPO)).startswith(BOUNDARY):
            found += _function_imports(path)
    assert found == [], "\n".join(found)
