"""YAML files that remember where everything was: the one loader of checklists/ (checklists,
schedules.yaml, policy.yaml), so every problem is reported as ``"file:line: message"``."""
import re

import yaml


class LineDict(dict):
    """A mapping from YAML with the line of the mapping (``line``) and of each key (``lines``)."""

    line = 1

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines = {}


class LineList(list):
    """A sequence from YAML with the line of the sequence (``line``) and of each entry (``lines``)."""

    line = 1

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines = []


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers, reports duplicate keys instead of silently keeping
    the last one, and reads ``22:00`` as the text "22:00" (YAML 1.1 would make it 1320)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.problems = []  # (line, message)


# YAML 1.1's int and float resolvers without base-60 numbers, which would turn 22:00 into 1320
_INT = re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""")
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, {"tag:yaml.org,2002:int": _INT, "tag:yaml.org,2002:float": _FLOAT}.get(tag, rx))
            for tag, rx in resolvers]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader, node):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            loader.problems.append((line, "a key must be plain text"))
            continue
        if key in data:
            loader.problems.append((line, f"duplicate key {key!r} (first on line {data.lines[key]})"))
            continue
        data[key] = loader.construct_object(value_node)
        data.lines[key] = line


def _construct_seq(loader, node):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    data.extend(loader.construct_object(child) for child in node.value)
    data.lines = [child.start_mark.line + 1 for child in node.value]


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def read_yaml(text):
    """(data, [(line, message)]): data keeps line numbers; a syntax error gives data None."""
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [((mark.line + 1) if mark else 1, f"not valid YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [(1, f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    return data, list(loader.problems)


def line_of(data, path):
    """The line of the deepest part of ``path`` found in ``data`` (a missing field: its parent)."""
    line = getattr(data, "line", 1)
    for part in path:
        if isinstance(data, LineDict) and part in data:
            line, data = data.lines.get(part, line), data[part]
        elif isinstance(data, LineList) and isinstance(part, int) and 0 <= part < len(data):
            line, data = data.lines[part], data[part]
        else:
            break
    return line


def flatten_errors(messages, path=()):
    """marshmallow's nested error dict as (path, message) pairs (a list index is an int)."""
    if isinstance(messages, dict):
        for k, v in messages.items():
            if k == "_schema":
                yield from flatten_errors(v, path)
            else:
                yield from flatten_errors(v, path + (int(k) if isinstance(k, str) and k.isdigit() else k,))
    elif isinstance(messages, (list, tuple)):
        for m in messages:
            yield from flatten_errors(m, path)
    else:
        yield path, str(messages)


def path_text(path):
    """("items", 2, "key") -> "items[2].key"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (("." if text else "") + str(part))
    return text


def schema_problems(name, raw, messages):
    """A file's marshmallow errors as "file:line: path: message" strings, lines found in ``raw``."""
    return [f"{name}:{line_of(raw, path)}: {path_text(path) + ': ' if path else ''}{msg}"
            for path, msg in flatten_errors(messages)]
