"""A static look at the plugin's code for visible text that bypasses gettext.

:func:`problems` lists ``file:line: text`` for each place where a literal, an
f-string or ``str.format`` reaches what a user reads without gettext:

* Python, followed through the names it was assigned to and the returns of the
  module's functions: the text of Horizon/Django messages (``messages.error``
  ...), ``exceptions.handle``, ``SourceError``/``FeatureUnavailable``/
  ``InvalidFilter``/``ValidationError``/``NotAuthenticated``; keyword arguments
  such as ``verbose_name=``, ``help_text=``, ``label=``; class attributes such as
  ``verbose_name``, ``page_title``, ``submit_label`` and a panel's ``name``.
* Module-level labels (``LABEL = ...``, ``SOURCE_LABELS = {...}``): names a
  page shows, e.g. inside a source's error.
* Templates: text outside ``{% trans %}``/``{% blocktrans %}``, in the page or
  in the attributes a user reads (``title``, ``placeholder``, ``alt``).

Not the user's: the collector (a service: logs and stored data), log calls,
Guru Meditation Reports (files written by a process, read like its logs) and the
migrations.
"""

import ast
import os
import re

from tests.unit.pseudo_locale import PACKAGE_DIR

SKIPPED = ("collector", "migrations", "gmr.py", "locale")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# call name -> the index of the positional argument that is the user's text.
TEXT_ARGUMENT = {
    "error": 1,
    "info": 1,
    "warning": 1,
    "success": 1,
    "debug": None,  # messages.debug is not shown
    "handle": 1,  # horizon.exceptions.handle(request, message)
    "SourceError": 1,
    "FeatureUnavailable": 1,
    "InvalidFilter": 0,
    "ValidationError": 0,
    "NotAuthenticated": 0,
}
MESSAGE_MODULES = {"messages", "exceptions"}
TEXT_KEYWORDS = {"verbose_name", "verbose_name_plural", "help_text", "label", "message"}
TEXT_ATTRIBUTES = {"verbose_name", "verbose_name_plural", "page_title", "submit_label", "help_text"}
PANEL_BASES = {"Panel", "PanelGroup", "Dashboard"}
# A module's labels (a source's name in its errors, a menu's entries) are for display.
LABEL_NAME = re.compile(r"(^|_)LABELS?$")
# The export's column keys: CSV header and JSON keys are read by scripts, the
# same in every language (as the JSON keys of an API).
EXEMPT_CLASSES = {"ExportTable"}
WORDS = re.compile(r"[A-Za-z]{2,}")


def problems(package_dir=PACKAGE_DIR):
    found = []
    for root, dirs, files in os.walk(package_dir):
        dirs[:] = [d for d in dirs if d not in SKIPPED and not d.startswith("__")]
        for name in sorted(files):
            path = os.path.join(root, name)
            relative = os.path.relpath(path, os.path.dirname(package_dir))
            if name in SKIPPED:
                continue
            if name.endswith(".py"):
                found += [f"{relative}:{line}: {text}" for line, text in _python(path)]
            elif name.endswith(".html"):
                found += [f"{relative}:{line}: {text}" for line, text in _template(path)]
    return found


def _python(path):
    with open(path, encoding="utf-8") as source:
        tree = ast.parse(source.read(), path)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    reported = set()

    def report(node, scope):
        for leaf in _leaves(node, scope, functions, depth=0):
            text = _untranslated(leaf)
            if text and leaf.lineno not in reported:
                reported.add(leaf.lineno)
                yield leaf.lineno, text

    for scope in [tree, *[n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]]:
        for node in _own_nodes(scope):
            if isinstance(node, ast.Call):
                for argument in _text_arguments(node):
                    yield from report(argument, scope)
            elif isinstance(node, ast.ClassDef):
                panel = any(_name_of(b) in PANEL_BASES for b in node.bases)
                for statement in node.body:
                    if isinstance(statement, ast.Assign):
                        names = {_name_of(t) for t in statement.targets}
                        if names & TEXT_ATTRIBUTES or (panel and "name" in names):
                            yield from report(statement.value, scope)
            elif isinstance(node, ast.Assign) and any(
                _name_of(t) == "_no_data_message" for t in node.targets
            ):
                yield from report(node.value, scope)
            elif (
                scope is tree
                and isinstance(node, ast.Assign)
                and any(LABEL_NAME.search(_name_of(t) or "") for t in node.targets)
            ):
                for value in _elements(node.value):
                    yield from report(value, scope)


def _own_nodes(scope):
    """The nodes of ``scope`` that are not inside a nested function (those are scopes too)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef) and node.name in EXEMPT_CLASSES:
            continue
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _name_of(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _text_arguments(call):
    name = _name_of(call.func)
    if name in GETTEXT:
        return []
    found = [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
    index = TEXT_ARGUMENT.get(name)
    is_module_call = name in ("error", "info", "warning", "success", "handle")
    if is_module_call and _name_of(getattr(call.func, "value", None)) not in MESSAGE_MODULES:
        index = None
    if index is not None and len(call.args) > index:
        found.append(call.args[index])
    return found


def _elements(node):
    """A label's texts: the value itself, a dict's values, a tuple's or list's items."""
    if isinstance(node, ast.Dict):
        return [v for value in node.values for v in _elements(value)]
    if isinstance(node, ast.Tuple | ast.List):
        return [v for item in node.elts for v in _elements(item)]
    return [node]


def _leaves(node, scope, functions, depth):
    """The expressions ``node`` may evaluate to: through names, conditionals and local calls."""
    if depth > 4:
        return
    if isinstance(node, ast.IfExp):
        yield from _leaves(node.body, scope, functions, depth + 1)
        yield from _leaves(node.orelse, scope, functions, depth + 1)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _leaves(value, scope, functions, depth + 1)
    elif isinstance(node, ast.Name):
        for value in _assigned(scope, node.id):
            yield from _leaves(value, scope, functions, depth + 1)
    elif isinstance(node, ast.Call) and _name_of(node.func) in functions:
        function = functions[_name_of(node.func)]
        for returned in ast.walk(function):
            if isinstance(returned, ast.Return) and returned.value is not None:
                yield from _leaves(returned.value, function, functions, depth + 1)
    else:
        yield node


def _assigned(scope, name):
    """Every value assigned to ``name`` in ``scope`` (tuple assignments element by element)."""
    for node in _own_nodes(scope):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                yield node.value
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for element, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(element, ast.Name) and element.id == name:
                        yield value


def _untranslated(node):
    """The English text of an expression that is not gettext's, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return repr(node.value) if WORDS.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        literal = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        return "f" + repr(literal) if WORDS.search(literal) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _untranslated(node.left) or (
            _untranslated(node.right) if isinstance(node.op, ast.Add) else None
        )
    if isinstance(node, ast.Call) and _name_of(node.func) == "format":
        return _untranslated(node.func.value)
    return None


_TEMPLATE_TAGS = re.compile(
    r"\{%\s*(?:blocktrans|blocktranslate)\b.*?\{%\s*(?:endblocktrans|endblocktranslate)\s*%\}"
    r"|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<script\b.*?</script>|<style\b.*?</style>",
    re.S,
)
_READ_ATTRIBUTE = re.compile(
    r"""\b(?:title|placeholder|alt|aria-label)\s*=\s*(["'])(.*?)\1""", re.S
)


def _template(path):
    with open(path, encoding="utf-8") as source:
        text = source.read()
    stripped = _TEMPLATE_TAGS.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    for attribute in _READ_ATTRIBUTE.finditer(stripped):
        if WORDS.search(attribute[2]):
            yield stripped.count("\n", 0, attribute.start()) + 1, repr(attribute[2].strip())
    outside_tags = re.sub(r"<[^>]*>", lambda m: re.sub(r"[^\n]", " ", m.group()), stripped)
    for match in re.finditer(r"[^\s<>]+(?:[ \t]+[^\s<>]+)*", outside_tags):
        if WORDS.search(match.group()):
            yield outside_tags.count("\n", 0, match.start()) + 1, repr(match.group())
