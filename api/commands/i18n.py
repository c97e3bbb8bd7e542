"""``patrol i18n``: find every message the API writes and keep the catalogues complete.

Messages are found in the code itself (Babel's extractors look for ``_()`` calls; ours are the
arguments of the domain's errors, marshmallow validators' ``error=`` and ``ValidationError``), and
in marshmallow's own default messages. An f-string becomes an id with ``{placeholders}`` named
after its expressions, which ``api.i18n`` matches against the rendered text.
"""
import ast
import inspect
import os
import re
from datetime import datetime, timezone

import click

from api import i18n

API_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ERROR_CALLS = {"DomainError", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
               "PayloadTooLarge", "Invalid", "TooManyRequests", "ValidationError", "error_body",
               "PhotoRejected", "Refused", "gettext", "_", "N_", "_refuse", "_fail"}
ERROR_DICTS = {"errors", "field_errors"}
SKIP_DIRS = {"migrations", "demo", "translations", "phone", "static", "__pycache__"}


def _name_of(expr, used):
    node = expr.value if isinstance(expr, ast.FormattedValue) else expr
    while isinstance(node, (ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Attribute):
        base = node.attr
    elif isinstance(node, ast.Name):
        base = node.id
    else:
        base = "value"
    base = re.sub(r"\W", "", base).strip("_") or "value"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name


def _text(node):
    """The message id of a string or f-string node, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts, used = [], set()
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            else:
                parts.append("{" + _name_of(v, used) + "}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _messages_in_node(node):
    if isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            yield from _messages_in_node(elt)
        return
    if isinstance(node, ast.Dict):
        for v in node.values:
            yield from _messages_in_node(v)
        return
    if isinstance(node, ast.IfExp):
        yield from _messages_in_node(node.body)
        yield from _messages_in_node(node.orelse)
        return
    text = _text(node)
    if text and re.search(r"[A-Za-z]{2}", text) and " " in text.strip() or text and re.fullmatch(r"[A-Z][A-Za-z]+\.", text):
        yield text


def _call_name(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def messages_in_source(source, filename="<src>"):
    """[(message id, line)] of one module."""
    out = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        # errors["field"] = "why" / ["why"]: a field error being collected
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in ERROR_DICTS
                for t in node.targets):
            out.extend((text, node.lineno) for text in _messages_in_node(node.value))
            continue
        if not isinstance(node, ast.Call):
            continue
        # errors.setdefault("field", []).append("why")
        f = node.func
        if (isinstance(f, ast.Attribute) and f.attr == "append" and isinstance(f.value, ast.Call)
                and isinstance(f.value.func, ast.Attribute) and f.value.func.attr == "setdefault"
                and isinstance(f.value.func.value, ast.Name) and f.value.func.value.id in ERROR_DICTS):
            out.extend((text, node.lineno) for a in node.args[:1] for text in _messages_in_node(a))
            continue
        name = _call_name(node)
        args = []
        if name in ERROR_CALLS:
            if name == "error_body":
                args = node.args[1:2]
            else:
                args = node.args[:1]
            args += [k.value for k in node.keywords if k.arg in ("message", "fields")]
        args += [k.value for k in node.keywords if k.arg == "error"]
        for a in args:
            for text in _messages_in_node(a):
                out.append((text, node.lineno))
    return out


def code_messages():
    """{message id: [file:line, ...]} for every message written in ``api/``."""
    found = {}
    for root, dirs, files in os.walk(API_DIR):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for fn in files:
            if not fn.endswith(".py"):
                continue
            path = os.path.join(root, fn)
            with open(path, encoding="utf-8") as f:
                src = f.read()
            for text, line in messages_in_source(src, path):
                found.setdefault(text, []).append(f"{os.path.relpath(path, os.path.dirname(API_DIR))}:{line}")
    return found


def library_messages():
    """marshmallow's and webargs' default messages as ids (Range's combinations spelled out)."""
    import marshmallow.fields as mf
    import marshmallow.validate as mv
    from marshmallow import Schema

    found = set(Schema._default_error_messages.values())
    for _, cls in inspect.getmembers(mf, inspect.isclass):
        found.update(v for v in getattr(cls, "default_error_messages", {}).values() if isinstance(v, str))
    for _, cls in inspect.getmembers(mv, inspect.isclass):
        for k, v in vars(cls).items():
            if isinstance(v, str) and (k.startswith("message") or k in ("default_message", "error")):
                found.add(v)
    rng = mv.Range
    ops = {"min": (rng.message_gte, rng.message_gt), "max": (rng.message_lte, rng.message_lt)}
    for lo in ops["min"]:
        found.add(rng.message_min.format(min_op=lo))
        for hi in ops["max"]:
            found.add(rng.message_all.format(min_op=lo, max_op=hi))
    for hi in ops["max"]:
        found.add(rng.message_max.format(max_op=hi))
    found = {m for m in found if "{min_op}" not in m and "{max_op}" not in m and m not in
             (rng.message_gte, rng.message_gt, rng.message_lte, rng.message_lt)}
    # what errors.py and webargs write themselves
    found.update({"Validation failed.", "Unprocessable Entity", "Invalid JSON body."})
    from werkzeug.http import HTTP_STATUS_CODES
    found.update(HTTP_STATUS_CODES[c] for c in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503, 507)
                 if c in HTTP_STATUS_CODES)
    found.add("The upload is larger than the server accepts.")
    return {m.replace("!r}", "}"): ["marshmallow/werkzeug"] for m in found}


def all_messages():
    found = library_messages()
    for k, v in code_messages().items():
        found.setdefault(k, []).extend(v)
    return found


def missing(lang="zh"):
    """Messages of the code with no translation in ``lang``'s catalogue."""
    have = i18n.read_catalogue_file(i18n.po_path(lang))
    return {m: where for m, where in all_messages().items() if not have.get(m)}


def placeholder_mismatches(lang="zh"):
    """Translations that use a {placeholder} their id does not have."""
    bad = []
    for msgid, msgstr in i18n.read_catalogue_file(i18n.po_path(lang)).items():
        if msgstr and not set(re.findall(r"\{(\w+)\}", msgstr)) <= set(re.findall(r"\{(\w+)\}", msgid)):
            bad.append((msgid, msgstr))
    return bad


def update_catalogue(lang="zh"):
    """Add every new message id to ``lang``'s .po (untranslated) and mark vanished ones obsolete."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    path = i18n.po_path(lang)
    template = Catalog(project="patrol", locale=None, charset="utf-8")
    for msgid, where in sorted(all_messages().items()):
        locations = []
        for w in where[:3]:
            f, _, line = w.rpartition(":")
            locations.append((f or w, int(line)) if line.isdigit() else (w, 0))
        template.add(msgid, locations=locations, flags=("python-brace-format",) if "{" in msgid else ())
    if os.path.exists(path):
        with open(path, "rb") as f:
            cat = read_po(f, locale=i18n.LOCALE_DIRS[lang])
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        cat = Catalog(project="patrol", locale=i18n.LOCALE_DIRS[lang], charset="utf-8")
    cat.update(template, no_fuzzy_matching=True)
    cat.revision_date = datetime.now(timezone.utc)
    with open(path, "wb") as f:
        write_po(f, cat, width=0, omit_header=False, sort_output=True, ignore_obsolete=True)
    return path


@click.group("i18n")
def i18n_cli():
    """The message catalogues (zh-CN; English is the source)."""


@i18n_cli.command("update")
def update_cmd():
    """Add new messages of the code to the catalogues (to translate), drop vanished ones."""
    for lang in i18n.LOCALE_DIRS:
        click.echo(update_catalogue(lang))


@i18n_cli.command("check")
def check_cmd():
    """Fail (exit 1) when a message of the code has no translation."""
    bad = 0
    for lang in i18n.LOCALE_DIRS:
        for msgid, where in sorted(missing(lang).items()):
            click.echo(f"{lang}: {where[0]}: untranslated: {msgid}")
            bad += 1
        for msgid, msgstr in placeholder_mismatches(lang):
            click.echo(f"{lang}: placeholders differ: {msgid!r} -> {msgstr!r}")
            bad += 1
    if bad:
        raise SystemExit(1)
    click.echo("every message is translated")
command = i18n_cli
commands = [i18n_cli]
