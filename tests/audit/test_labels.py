"""Every audit action the code writes has a readable, translatable label.

The actions are found in the source, not in a list kept by hand: every call of
``audit_record(action=…)``, and of each function that passes one of its parameters on as
the action (``_audit(case, "case.create", …)``, ``auth_record_password_event(action=…)``,
found by following the calls until no new one appears). An action the scan cannot read
(a variable, an f-string not in DYNAMIC_ACTIONS) fails the test too, with its place.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import translation

from audit.labels import ACTION_LABELS, action_label
from cases.models import Note

ROOT = Path(settings.BASE_DIR)
# Not product code: tests and benchmarks write actions of their own ("test.*", "bench.*").
SKIPPED_DIRS = {"tests", "bench", "node_modules", "migrations", "locale", "static", "templates"}

# Actions built at run time, by the template the scan reads (f-string as written).
DYNAMIC_ACTIONS = {
    "note.{kind}": [f"note.{kind}" for kind in Note.Kind.values],
}


@dataclass(frozen=True)
class Use:
    where: str
    action: str | None  # None: the scan could not read it
    source: str = ""


def _source_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        files.append(path)
    return sorted(files)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def _actions_of(node: ast.expr) -> list[str] | None:
    """The action strings an argument can be, or None if it cannot be read from the source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _actions_of(node.body), _actions_of(node.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.JoinedStr):
        template = "".join(part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
                           for part in node.values)
        return DYNAMIC_ACTIONS.get(template)
    return None


def _parameter_position(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> tuple[int | None, bool]:
    """(position if it can be passed positionally, whether it is a parameter at all)."""
    positional = [*function.args.posonlyargs, *function.args.args]
    for index, argument in enumerate(positional):
        if argument.arg == name:
            return index, True
    return None, any(argument.arg == name for argument in function.args.kwonlyargs)


def _action_uses() -> list[Use]:
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for path in _source_files()}
    # Writers: a name -> (position, keyword) of its action argument. Start with the writer
    # itself; add every function that hands one of its parameters on as a writer's action.
    writers: dict[str, tuple[int | None, str]] = {"audit_record": (None, "action")}
    found_new = True
    while found_new:
        found_new = False
        for tree in trees.values():
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name in writers:
                    continue
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call) or _called_name(call) not in writers:
                        continue
                    passed = _argument(call, *writers[_called_name(call)])
                    if isinstance(passed, ast.Name):
                        position, is_parameter = _parameter_position(function, passed.id)
                        if is_parameter:
                            writers[function.name] = (position, passed.id)
                            found_new = True
                            break

    uses = []
    for path, tree in trees.items():
        scopes = [tree, *(node for node in ast.walk(tree) if isinstance(node, SCOPES))]
        for scope in scopes:
            for call in _calls_directly_in(scope):
                name = _called_name(call)
                if name not in writers:
                    continue
                passed = _argument(call, *writers[name])
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                if (isinstance(passed, ast.Name) and isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
                        and scope.name in writers and _parameter_position(scope, passed.id)[1]):
                    continue  # a writer handing its own parameter on: its callers are checked
                actions = None if passed is None else _actions_of(passed)
                if actions is None:
                    uses.append(Use(where, None, ast.unparse(call if passed is None else passed)))
                else:
                    uses.extend(Use(where, action) for action in actions)
    return uses


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _calls_directly_in(scope: ast.AST):
    """The calls in a module, class or function body, not those in a nested one (visited on its own)."""
    pending = list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        if isinstance(node, SCOPES):
            continue
        if isinstance(node, ast.Call):
            yield node
        pending.extend(ast.iter_child_nodes(node))


def test_the_scan_finds_the_actions_it_should():
    """Guards the scan itself: literal, through a helper, conditional, f-string, and a view's call."""
    actions = {use.action for use in _action_uses()}
    assert {"case.create",  # _audit(case, "case.create", …) in cases.services.cases
            "conflict.check",  # audit_record(action="conflict.check", …)
            "registry_closure.record", "registry_closure.update",  # "…" if created else "…"
            "note.note", "note.message",  # f"note.{kind}"
            "auth.password_reset",  # firms.views -> auth_record_password_event -> _audit_sign_in_event
            "document.version_add",  # _store_version(…, action="document.version_add")
            } <= actions
    assert not any(action.startswith(("test.", "bench.")) for action in actions if action)


def test_every_action_written_has_a_label():
    uses = _action_uses()
    unreadable = [f"{use.where}: {use.source}" for use in uses if use.action is None]
    assert not unreadable, (
        "the action of these audit writes cannot be read from the source; pass a literal, or add the "
        "f-string to DYNAMIC_ACTIONS in tests/audit/test_labels.py: " + "; ".join(unreadable))
    missing = sorted({f"{use.action} ({use.where})" for use in uses if use.action not in ACTION_LABELS})
    assert not missing, "add a label to audit/labels.py ACTION_LABELS for: " + ", ".join(missing)


def test_labels_are_translatable_and_unknown_actions_show_their_code():
    assert all(type(label).__name__ == "__proxy__" for label in ACTION_LABELS.values())
    with translation.override("en"):
        assert action_label("deadline.create") == "Deadline added"
        assert action_label("something.new") == "something.new"
