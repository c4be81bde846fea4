"""Generate the typed models and facades from the catalog (used by ``tools/generate.py``).

Outputs (all ruff-formatted in one pass, so the freshness test compares exact text):

- ``booqable_async/models/_generated/<type>.py``: one attrs model per resource, following the
  JSON:API layer's convention (``attribute()``/``to_one()``/``to_many()`` with the catalog's flags),
  plus ``<Model>Create``/``<Model>Update`` TypedDicts of the writable attributes;
- ``booqable_async/models/_generated/items.py`` and ``payments.py``: the polymorphic unions;
- ``booqable_async/models/__init__.py``: the default ``REGISTRY`` (import strings, so a model
  module loads only when a document uses its type) and lazy access to every class;
- ``booqable_async/resources/_generated/<type>.py``: one facade per resource with exactly the
  catalog's operations;
- ``booqable_async/resources/__init__.py`` and ``_accessors.py``: the facade table and the
  typed, lazy ``client.<type>`` properties.
"""

from __future__ import annotations

import keyword
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "booqable_async"
#: The private packages the per-resource modules live in (the public names are re-exported
#: lazily by ``booqable_async.models`` and ``booqable_async.resources``).
MODELS = "booqable_async.models._generated"
FACADES = "booqable_async.resources._generated"
WIDTH = 100

#: Names ``jsonapi.Resource`` defines; a wire name that collides gets a trailing ``_``
#: (kept in step with ``booqable_async.jsonapi.RESERVED_NAMES``; a test checks it).
RESERVED_NAMES = frozenset(
    {
        "id",
        "lid",
        "type",
        "meta",
        "links",
        "is_stub",
        "extra_attributes",
        "extra_relationships",
        "relationship_links",
        "relationship_meta",
        "jsonapi_type",
    }
)
#: Names used inside generated modules; a field with one of these names would shadow it
#: in the class body (mypy resolves annotations there), so it gets a trailing ``_`` too.
MODULE_NAMES = frozenset(
    {"dt", "attrs", "attribute", "ToOne", "ToMany", "Timestamp", "Any", "ClassVar"}
)
#: Model class names the singular rule gets wrong or that would clash with library names.
CLASS_NAME_OVERRIDES = {
    # booqable_async.session.Session is the request pipeline; the resource is the current
    # employee's session facts (GET /sessions/current).
    "sessions": "SessionInfo",
}
#: Union resources: no record carries these types; each stands for its concrete types.
UNION_NAMES = {"items": "Item", "payments": "Payment"}
#: Keyword arguments every write method takes besides the attributes.
WRITE_OPTIONS = frozenset({"include", "fields", "target"})
#: Standard-library modules generated facades import from (isort's first group).
STDLIB_MODULES = frozenset({"datetime"})
#: Hand-written bases for facades with extra behaviour: type -> (module, class).
FACADE_BASES = {
    "orders": ("booqable_async.resources._booking", "OrderBooking"),
    "order_fulfillments": ("booqable_async.resources._fulfillments", "FulfillmentActions"),
    "order_status_transitions": ("booqable_async.resources._transitions", "TransitionActions"),
    "webhook_endpoints": ("booqable_async.resources._webhook_endpoints", "WebhookSubscriptions"),
}
#: Hand-written public names re-exported lazily by ``booqable_async.models``.
MODEL_HELPERS = {
    "_actions": [
        "BookBundle",
        "BookProduct",
        "BookStockItems",
        "BookingMode",
        "FulfillmentAction",
        "ProductVariation",
        "SpecifyStockItems",
        "StartProduct",
        "StartStockItems",
        "StatusTransition",
        "StopProduct",
        "StopStockItems",
    ],
    "_money": ["format_cents"],
    "_documents": ["decode", "decode_nested", "is_nested_document"],
    "_writes": ["create_document", "destroy", "update_document"],
}
#: Hand-written public names re-exported lazily by ``booqable_async.resources``.
RESOURCE_HELPERS = {"_booking": ["Booking"]}
#: Client members a facade property must not shadow.
CLIENT_MEMBERS = frozenset(
    {"request", "resource", "session", "aclose", "closed", "base_url", "currency", "format_cents"}
)

_SCALARS = {
    "string": "str",
    "uuid": "str",
    "enum": "str",
    "integer": "int",
    "float": "float",
    "boolean": "bool",
    "datetime": "dt.datetime",
    "date": "dt.date",
    "hash": "dict[str, Any]",
    # Read as a descriptor object ({"url": ...}); written as whatever the upload takes.
    "carrierwave_file": "Any",
}
#: Attribute names holding secret material: flagged ``secret`` so ``repr`` masks them
#: (employees' passwords, payment provider secrets, tenant and device tokens).
#: Attribute names holding secrets (masked in repr): credentials, and a person's captured
#: signature (``signatures.signature_base64``), which is as sensitive.
_SECRET_NAME = re.compile(r"password|secret|token|signature_base64")
_ITEM_TYPES = {"string": "str", "uuid": "str", "integer": "int", "float": "float"}


# -- names -----------------------------------------------------------------------------


def singular(word: str) -> str:
    """Return the singular of an English plural as the catalog's type names use them."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def camel(words: str) -> str:
    """``stock_items`` -> ``StockItems``."""
    return "".join(part[:1].upper() + part[1:] for part in words.split("_"))


def class_name(type_name: str) -> str:
    """Model class of a type: singular CamelCase (``stock_items`` -> ``StockItem``)."""
    if type_name in CLASS_NAME_OVERRIDES:
        return CLASS_NAME_OVERRIDES[type_name]
    if type_name in UNION_NAMES:
        return UNION_NAMES[type_name]
    parts = type_name.split("_")
    parts[-1] = singular(parts[-1])
    return camel("_".join(parts))


def facade_name(type_name: str) -> str:
    """Facade class of a type: plural CamelCase + ``Facade`` (``OrdersFacade``)."""
    return camel(type_name) + "Facade"


def attribute_py_name(name: str) -> str:
    """Python name of an attribute (``type`` -> ``type_``, ``from`` -> ``from_``)."""
    if keyword.iskeyword(name) or name in RESERVED_NAMES or name in MODULE_NAMES:
        return name + "_"
    return name


def relationship_py_name(name: str, attributes: Iterable[str]) -> str:
    """Python name of a relationship; ``_`` added when an attribute has the same name."""
    if keyword.iskeyword(name) or name in RESERVED_NAMES or name in MODULE_NAMES:
        return name + "_"
    if name in set(attributes):
        return name + "_"
    return name


# -- catalog facts -----------------------------------------------------------------------


class Resource:
    """The facts of one catalog resource the generators need."""

    def __init__(self, type_name: str, raw: dict[str, Any], catalog: dict[str, Any]) -> None:
        self.type = type_name
        self.raw = raw
        self.catalog = catalog
        self.cls = class_name(type_name)
        self.facade = facade_name(type_name)
        self.operations: list[str] = list(raw["operations"])
        self.union: list[str] = list(raw.get("polymorphic_types") or [])
        self.attributes = {
            name: spec for name, spec in sorted(raw["attributes"].items()) if name != "id"
        }
        self.relationships = dict(sorted(raw["relationships"].items()))

    @property
    def is_union(self) -> bool:
        return bool(self.union)

    def writable(self, operation: str) -> dict[str, dict[str, Any]]:
        """Attributes writable on ``operation`` by their flags (what the encoder enforces)."""
        out = {}
        for name, spec in self.attributes.items():
            if spec.get("readonly"):
                continue
            if operation != "create" and spec.get("readonly_after_create"):
                continue
            out[name] = spec
        return out

    def targets(self, rel: dict[str, Any]) -> list[str]:
        """Concrete target types of a relationship (unions expanded)."""
        raw = rel["type"] if isinstance(rel["type"], list) else [rel["type"]]
        out: list[str] = []
        for target in raw:
            union = self.catalog["resources"].get(target, {}).get("polymorphic_types")
            for concrete in union or [target]:
                if concrete not in out:
                    out.append(concrete)
        return out


def load_resources(catalog: dict[str, Any]) -> list[Resource]:
    """Every resource, sorted by type, with names checked for clashes."""
    resources = [
        Resource(t, catalog["resources"][t], catalog) for t in sorted(catalog["resources"])
    ]
    names = [r.cls for r in resources]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:  # pragma: no cover - guards future catalog changes
        raise SystemExit(f"model class names clash: {sorted(duplicates)}")
    clash = {r.type for r in resources} & CLIENT_MEMBERS
    if clash:  # pragma: no cover - guards future catalog changes
        raise SystemExit(f"resource types clash with client members: {sorted(clash)}")
    for r in resources:
        for op in ("create", "update", "update_current"):
            bad = set(r.writable(op if op != "update_current" else "update")) & WRITE_OPTIONS
            if bad and op in r.operations:  # pragma: no cover - guards future catalog changes
                raise SystemExit(f"{r.type} attributes clash with write options: {bad}")
    return resources


def python_type(spec: dict[str, Any]) -> str:
    """Annotation of an attribute's value (without ``| None``)."""
    kind = spec["type"]
    if kind == "array":
        return f"list[{_ITEM_TYPES.get(spec.get('items') or '', 'Any')}]"
    return _SCALARS.get(kind, "Any")


# -- text ------------------------------------------------------------------------------


def wrap(text: str, indent: int, hanging: int | None = None) -> list[str]:
    """Wrap ``text`` to the line width; first line at ``indent``, the rest at ``hanging``."""
    hanging = indent if hanging is None else hanging
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=" " * indent,
        subsequent_indent=" " * hanging,
        break_long_words=False,
        break_on_hyphens=False,
    )


def sentence(text: str) -> str:
    text = " ".join(str(text).split())
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:] if text else text


def code_list(values: Iterable[str]) -> str:
    return ", ".join(f"``{v}``" for v in values)


def attribute_doc(name: str, spec: dict[str, Any]) -> str:
    """One ``Attributes:`` entry text for a model attribute."""
    parts = [sentence(spec.get("description") or name.replace("_", " "))]
    if spec.get("const"):
        parts.append(f"Always ``{spec['const']}``.")
    elif spec.get("enum"):
        kind = "Each one of" if spec["type"] == "array" else "One of"
        parts.append(f"{kind}: {code_list(spec['enum'])} (other values may appear).")
    flags = []
    if spec.get("readonly"):
        flags.append("Read-only.")
    if spec.get("readonly_after_create"):
        flags.append("Writable on create only.")
    if spec.get("writeonly"):
        flags.append("Write-only: sent, never returned.")
    if spec.get("extra"):
        flags.append(f"Returned only when asked for (``extra_fields``: ``{name}``).")
    if spec.get("nullable"):
        flags.append("Nullable.")
    if spec.get("deprecated"):
        flags.append("Deprecated.")
    if is_secret(name, spec):
        flags.append("Secret: masked in ``repr``.")
    return " ".join(parts + flags)


def docstring(lines: list[str], indent: int) -> list[str]:
    """Wrap docstring body lines in triple quotes at ``indent``."""
    pad = " " * indent
    out = [f'{pad}"""{lines[0].strip()}']
    out.extend(line if line.strip() else "" for line in lines[1:])
    if len(lines) == 1:
        out[0] += '"""'
    else:
        out.append(f'{pad}"""')
    return out


def fit(indent: int, *candidates: str) -> str:
    """Return the first summary line that fits on one docstring line at ``indent``."""
    for text in candidates:
        if indent + 3 + len(text) + 3 <= WIDTH:
            return text
    return candidates[-1]


def note_header(catalog: dict[str, Any]) -> list[str]:
    """The "generated, do not edit" paragraph of every module docstring."""
    return wrap(
        f"GENERATED by tools/generate.py from {catalog.get('version', '')}; do not edit.", 0
    )


# -- models ----------------------------------------------------------------------------


def is_secret(name: str, spec: dict[str, Any]) -> bool:
    """True for attributes holding secrets (authentication_methods' ``key`` says so)."""
    described = name == "key" and "secret" in str(spec.get("description", "")).lower()
    return bool(_SECRET_NAME.search(name)) or described


def _flag_args(spec: dict[str, Any], wire: str, py: str) -> str:
    args = []
    if py != wire:
        args.append(f"name={wire!r}")
    for flag in ("readonly", "writeonly", "readonly_after_create", "nullable", "extra"):
        if spec.get(flag):
            args.append(f"{flag}=True")
    if is_secret(wire, spec):
        args.append("secret=True")
    return ", ".join(args)


def model_type(spec: dict[str, Any]) -> str:
    """Annotation of a model attribute (without ``| None``): timestamps are aware."""
    return python_type(spec).replace("dt.datetime", "Timestamp")


def render_model(r: Resource, by_type: dict[str, Resource]) -> str:
    """Source of ``booqable_async/models/_generated/<type>.py`` for a concrete resource."""
    uses_ts = any("Timestamp" in model_type(s) for s in r.attributes.values())
    uses_any = any("Any" in python_type(s) for s in r.attributes.values())
    writes = _write_ops(r)
    uses_dt = any("dt." in model_type(s) for s in r.attributes.values()) or any(
        python_type(s).startswith("dt.") for op in writes for s in r.writable(op).values()
    )
    attr_names = list(r.attributes)
    imports: dict[str, set[str]] = {}  # module -> class names needed for annotations
    rel_lines: list[str] = []
    rel_docs: list[tuple[str, str]] = []
    for name, rel in r.relationships.items():
        py = relationship_py_name(name, attr_names)
        targets = r.targets(rel)
        annotations = []
        for target in targets:
            known = by_type.get(target)
            if known is None or known.is_union:
                annotations.append("Resource")
                continue
            if target != r.type:
                imports.setdefault(f"{MODELS}.{target}", set()).add(known.cls)
            annotations.append(known.cls)
        unique = list(dict.fromkeys(annotations))
        kind = "ToMany" if rel["kind"] == "many" else "ToOne"
        args = ", ".join(repr(t) for t in targets)
        if py != name:
            args += f", name={name!r}"
        union = " | ".join(unique)
        rel_lines.append(f'    {py} = {kind}["{union}"]({args})')
        what = "To-many" if rel["kind"] == "many" else "To-one"
        doc = f"{what} relationship ``{name}`` to {code_list(targets)}."
        if len(targets) > 1:
            doc += " Polymorphic: each record has its own class."
        undocumented = [t for t in targets if t not in by_type]
        if undocumented:
            doc += " The target type is not documented; it decodes generically."
        if rel.get("required"):
            doc += " Marked required in the docs."
        rel_docs.append((py, doc))

    doc = [fit(4, f"One ``{r.type}`` record ({r.raw['title']}).", f"One ``{r.type}`` record."), ""]
    doc += wrap(
        "Every attribute may arrive as ``None``. Reading an attribute the document did not "
        "carry (sparse fieldsets, stubs) or a relationship it did not include raises "
        "``NotLoadedError``, naming what to ask for; ``is_loaded(record, name)`` asks "
        "without raising. A to-one relationship reads as the linked record or ``None`` "
        "(known empty), a to-many one as a list.",
        4,
    )
    notes = [sentence(n) for n in r.raw.get("notes") or []]
    if notes:
        doc += ["", "    Notes:"]
        for note in notes:
            doc += wrap(f"- {note}", 8, 10)
    entries = [(attribute_py_name(n), attribute_doc(n, s)) for n, s in r.attributes.items()]
    entries += rel_docs
    if entries:
        doc += ["", "    Attributes:"]
        for py, text in entries:
            doc += wrap(f"{py}: {text}", 8, 12)

    lines = [
        *docstring(
            [
                f"Model of ``{r.type}`` (Booqable API v4).",
                "",
                f"Defines :class:`{r.cls}`.",
                "",
                *note_header(r.catalog),
            ],
            0,
        ),
        "",
        "from __future__ import annotations",
        "",
    ]
    if uses_dt:
        lines.append("import datetime as dt")
    typing_names = sorted(
        {"ClassVar", "TYPE_CHECKING"} - (set() if imports else {"TYPE_CHECKING"})
        | ({"Any"} if uses_any else set())
        | ({"TypedDict"} if writes else set())
    )
    lines.append(f"from typing import {', '.join(typing_names)}")
    lines += ["", "import attrs", ""]
    jsonapi_names = ["Resource"]
    if uses_ts:
        jsonapi_names.append("Timestamp")
    if any(rel["kind"] == "many" for rel in r.relationships.values()):
        jsonapi_names.append("ToMany")
    if any(rel["kind"] == "one" for rel in r.relationships.values()):
        jsonapi_names.append("ToOne")
    if r.attributes:
        jsonapi_names.append("attribute")
    lines.append(f"from booqable_async.jsonapi import {', '.join(jsonapi_names)}")
    if imports:
        lines += ["", "if TYPE_CHECKING:"]
        # Named in the string type arguments of ToOne[...]/ToMany[...] (models import
        # each other, so not at run time), which linters do not read.
        lines.append("    # Relationship targets (see the ToOne/ToMany type arguments below).")
        for module in sorted(imports):
            names = ", ".join(sorted(imports[module]))
            lines.append(f"    from {module} import {names}  # noqa: F401")
    exports = [r.cls] + [f"{r.cls}{_suffix(op)}" for op in writes]
    lines += ["", f"__all__ = [{', '.join(repr(e) for e in sorted(exports))}]", "", ""]
    lines.append("@attrs.define(eq=False, repr=False)")
    lines.append(f"class {r.cls}(Resource):")
    lines += docstring(doc, 4)
    lines += ["", f"    jsonapi_type: ClassVar[str] = {r.type!r}", ""]
    for name, spec in r.attributes.items():
        py = attribute_py_name(name)
        annotation = model_type(spec)
        if annotation != "Any":
            annotation += " | None"
        lines.append(f"    {py}: {annotation} = attribute({_flag_args(spec, name, py)})")
    if rel_lines:
        lines.append("")
        lines += rel_lines
    for op in writes:
        lines += ["", ""]
        lines += _typed_dict(r, op)
    return "\n".join(lines) + "\n"


def _write_ops(r: Resource) -> list[str]:
    """Write operations of ``r`` that take attributes: create, update (update_current)."""
    out = []
    if "create" in r.operations:
        out.append("create")
    if "update" in r.operations or "update_current" in r.operations:
        out.append("update")
    return out


def _suffix(op: str) -> str:
    return "Create" if op == "create" else "Update"


def _typed_dict(r: Resource, op: str) -> list[str]:
    fields = r.writable(op)
    verb = "create" if op == "create" else "update"
    methods = [f"``client.{r.type}.{verb}()``"]
    if op == "update" and "update_current" in r.operations:
        methods = [f"``client.{r.type}.update_current()``"]
    text = (
        f"All keys are optional; ``None`` clears a value. Keys are the :class:`{r.cls}` field "
        "names. Read-only attributes are not here, so mypy rejects them, and misspelled names."
    )
    if op == "update":
        text += " Create-only attributes are not here either."
    lines = [f"class {r.cls}{_suffix(op)}(TypedDict, total=False):"]
    lines += docstring([f"Attributes {' and '.join(methods)} accepts.", "", *wrap(text, 4)], 4)
    if not fields:
        return lines
    lines.append("")
    for name, spec in fields.items():
        annotation = python_type(spec)
        if annotation != "Any":
            annotation += " | None"
        lines.append(f"    {attribute_py_name(name)}: {annotation}")
    return lines


def render_union(r: Resource, by_type: dict[str, Resource]) -> str:
    """Source of ``booqable_async/models/_generated/items.py`` / ``payments.py``: the union."""
    members = [by_type[t] for t in r.union]
    lines = docstring(
        [
            f"The ``{r.type}`` union: :data:`{r.cls}` (Booqable API v4).",
            "",
            *wrap(
                f"``/{r.type}`` returns records of several types, each carrying its own "
                f"JSON:API type ({code_list(r.union)}); each decodes into its own model.",
                0,
            ),
            "",
            *note_header(r.catalog),
        ],
        0,
    )
    lines += ["", "from __future__ import annotations", "", "from typing import TypeAlias", ""]
    for m in sorted(members, key=lambda m: m.type):
        lines.append(f"from {MODELS}.{m.type} import {m.cls}")
    lines += ["", f"__all__ = [{r.cls!r}]", ""]
    lines.append(f"#: Any record ``/{r.type}`` returns: {', '.join(m.cls for m in members)}.")
    lines.append(f"{r.cls}: TypeAlias = {' | '.join(m.cls for m in members)}")
    return "\n".join(lines) + "\n"


def render_models_init(resources: list[Resource]) -> str:
    """Source of ``booqable_async/models/__init__.py``: REGISTRY and lazy names."""
    lazy: dict[str, str] = {}
    for r in resources:
        module = f"_generated.{r.type}"
        lazy[r.cls] = module
        if not r.is_union:
            for op in _write_ops(r):
                lazy[f"{r.cls}{_suffix(op)}"] = module
    for helper, names in MODEL_HELPERS.items():
        for name in names:
            lazy[name] = helper
    lines = docstring(
        [
            "Typed models of every Booqable v4 resource, generated from the API catalog.",
            "",
            *wrap(
                "``REGISTRY`` maps every JSON:API type to its model as an import string, so "
                "``decode()`` (``booqable_async.decode``, which passes it to the generic "
                "``jsonapi.decode``) imports a model module only when a document contains "
                "that type; importing this package imports no model. Every class is also "
                "reachable here by name, lazily: ``from booqable_async.models import Order``.",
                0,
            ),
            "",
            *wrap(
                "Each model module also defines ``<Model>Create``/``<Model>Update`` TypedDicts "
                "of the attributes the write operations accept. Hand-written helpers: "
                "booking action payloads (``BookProduct``...), ``format_cents``, Booqable's "
                "document conventions (``decode``, ``decode_nested`` for the nested ``.json`` "
                "format) and write conventions (``create_document``, ``update_document``, "
                "``destroy``).",
                0,
            ),
            "",
            *note_header(resources[0].catalog),
        ],
        0,
    )
    lines += [
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "from typing import TYPE_CHECKING, Any",
        "",
        "from booqable_async.jsonapi import Registry as _Registry",
        "",
        "if TYPE_CHECKING:",
    ]
    by_module: dict[str, list[str]] = {}
    for name, module in lazy.items():
        by_module.setdefault(module, []).append(name)
    for module in sorted(by_module):
        names = ", ".join(f"{n} as {n}" for n in sorted(by_module[module]))
        lines.append(f"    from booqable_async.models.{module} import {names}")
    lines += ["", f"__all__ = [{', '.join(repr(n) for n in sorted([*lazy, 'REGISTRY']))}]", ""]
    lines.append("# Concrete type -> model class name (module ._generated.<type>).")
    lines.append('_GENERATED = f"{__name__}._generated"')
    lines.append("_MODELS = {")
    for r in resources:
        if not r.is_union:
            lines.append(f'    "{r.type}": "{r.cls}",')
    lines += ["}", ""]
    lines.append("#: Every concrete Booqable v4 type -> its model, imported on first lookup.")
    lines.append(
        'REGISTRY = _Registry({t: f"{_GENERATED}.{t}:{name}" for t, name in _MODELS.items()})'
    )
    lines.append("")
    lines.append("# Public name -> defining private submodule; imported on first attribute access.")
    lines.append("_LAZY = {")
    for name in sorted(lazy):
        lines.append(f'    "{name}": "{lazy[name]}",')
    lines += ["}", "", ""]
    lines += [
        "def __getattr__(name: str) -> Any:",
        "    module = _LAZY.get(name)",
        "    if module is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        '    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)',
        "    globals()[name] = value  # later lookups skip __getattr__",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted(set(globals()) | set(__all__))",
    ]
    return "\n".join(lines) + "\n"


# -- facades ---------------------------------------------------------------------------


_OP_ORDER = ("list", "search", "get", "new", "current", "create", "update", "update_current")


def _endpoint(r: Resource, op: str) -> tuple[str, str]:
    for e in r.raw["endpoints"]:
        if e["operation"] == op:
            return e["method"], e["path"].replace("/api/4", "", 1)
    raise KeyError(op)  # pragma: no cover


def _sections(r: Resource, op: str) -> list[str]:
    return [e["section"] for e in r.raw["endpoints"] if e["operation"] == op]


def _includes(r: Resource, op: str) -> str:
    paths = (r.raw.get("includes") or {}).get(op)
    if paths is None:
        return ""
    if not paths:
        return "It accepts no includes."
    shown = paths[:12]
    more = f" (and {len(paths) - len(shown)} more)" if len(paths) > len(shown) else ""
    return f"Include paths: {code_list(shown)}{more}."


def _model_type(r: Resource) -> str:
    return r.cls


def _method(
    signature: str, doc: list[str], body: str, *, is_async: bool = True, returns: str = ""
) -> list[str]:
    lines = [f"    {'async ' if is_async else ''}def {signature}{returns}:"]
    if 8 + 3 + len(doc[0]) > WIDTH:
        # Too long for one summary line: move the endpoint into its own paragraph.
        match = re.fullmatch(r"(.*?) \((``[^`]*``)\)(.*)", doc[0])
        assert match is not None, doc[0]
        doc = [match[1] + match[3], "", f"        Endpoint: {match[2]}.", *doc[1:]]
    lines += docstring(doc, 8)
    lines.append(f"        {body}")
    return lines


def _section_doc(r: Resource, op: str) -> list[str]:
    sections = _sections(r, op)
    if len(sections) <= 1:
        return []
    return ["", *wrap(f"Booqable documents these variants: {'; '.join(sections)}.", 8)]


def _has_changes(r: Resource) -> bool:
    """True when ``r`` lists and filters on ``updated_at`` with ``gte`` (changes_since)."""
    return "list" in r.operations and "gte" in (r.raw.get("filters") or {}).get("updated_at", [])


def _changes_method(r: Resource, record: str) -> list[str]:
    """``changes_since``: the typed incremental-sync method (keyset paging on updated_at)."""
    plural = r.raw["title"].lower()
    doc = [
        f"The {plural} changed since ``since``, oldest change first.",
        "",
        *wrap(
            "Keyset paging on ``updated_at`` (``filter[updated_at][gte]``, "
            "``sort=updated_at,id``): a record updated during the pull comes again later, "
            "none is skipped. Nothing is sent until you iterate. Persist "
            "``feed.high_water_mark`` afterwards and pass it as ``since`` next time.",
            8,
        ),
        "",
        "        Args:",
        *wrap("since: The high-water mark persisted last time (an aware datetime).", 12, 16),
        *wrap(
            "query: Extra filters, includes and fields (not its own sort, page number or "
            f"``updated_at`` filter); checked against the ``{r.type}`` schema before any "
            "request.",
            12,
            16,
        ),
        *wrap(
            "**options: ``overlap`` (look-back under ``since``, default 5 minutes), "
            "``resume_from``, ``on_page``.",
            12,
            16,
        ),
        "",
        "        Returns:",
        *wrap("A change feed: ``async for`` over it, then read ``high_water_mark``.", 12, 16),
        "",
        "        Raises:",
        *wrap(
            "UsageError: Before any request: a naive ``since``, a query that does not fit "
            "the schema or sets what the feed sets itself.",
            12,
            16,
        ),
    ]
    body = "return self._changes_since(since, query, options)"
    if record != r.cls:
        body = f'return cast("ChangeFeed[{record}]", self._changes_since(since, query, options))'
    return _method(
        "changes_since(self, since: datetime, query: Query | None = None, "
        "**options: Unpack[ChangeOptions])",
        doc,
        body,
        is_async=False,
        returns=f" -> ChangeFeed[{record}]",
    )


def _facade_methods(r: Resource) -> list[list[str]]:
    m = r.cls
    plural = r.raw["title"].lower()
    methods: list[list[str]] = []
    ops = [op for op in _OP_ORDER if op in r.operations]
    for op in ops:
        method, path = _endpoint(r, op)
        where = f"``{method} {path}``"
        include_doc = _includes(r, op)
        if op in ("list", "search"):
            query_arg = "query: Query | None = None" if op == "list" else "query: Query"
            doc = [
                f"{'List' if op == 'list' else 'Search'} {plural} ({where}), page by page.",
                "",
                *wrap(
                    (
                        "The query travels in the request body (filters, ``Q`` conditions, "
                        "include, fields, stats, page). "
                        if op == "search"
                        else ""
                    )
                    + "Nothing is sent until you await or iterate the result. "
                    + include_doc,
                    8,
                ),
                *_section_doc(r, op),
                "",
                "        Args:",
                *wrap(
                    f"query: Filters, sort, includes, fields, stats and paging; checked "
                    f"against the ``{r.type}`` schema before any request.",
                    12,
                    16,
                ),
                *wrap(
                    "**options: Paginator settings: ``concurrency``, ``prefetch``, "
                    "``dedupe``, ``on_total_mismatch``, ``resume_from``, ``on_page``.",
                    12,
                    16,
                ),
                "",
                "        Returns:",
                *wrap(
                    "A paginator: ``await`` it for the first page, ``async for`` over it for "
                    "every record, ``.pages()`` for pages.",
                    12,
                    16,
                ),
                "",
                "        Raises:",
                *wrap(
                    "UsageError: The query does not fit the schema (unknown filter, "
                    "operator, include, field, page size over 100...).",
                    12,
                    16,
                ),
            ]
            record = m
            body = f"return self._{op}(query, options)"
            if _foreign_types(r):
                # The docs' list example answers with records of another type
                # (order_delivery_rates lists "delivery_rates"): they decode generically.
                record = f"{m} | GenericResource"
                body = f'return cast("Paginator[{record}]", self._{op}(query, options))'
            methods.append(
                _method(
                    f"{op}(self, {query_arg}, **options: Unpack[ListOptions])",
                    doc,
                    body,
                    is_async=False,
                    returns=f" -> Paginator[{record}]",
                )
            )
            if op == "list" and _has_changes(r):
                methods.append(_changes_method(r, record))
        elif op in ("get", "new", "current"):
            first = {
                "get": f"Fetch one record by id ({where}).",
                "new": f"Fetch the pending new record ({where}).",
                "current": f"Fetch the current record ({where}).",
            }[op]
            args = ["self"]
            arg_docs = []
            if op == "get":
                args.append("id: str")
                arg_docs += wrap("id: The record id.", 12, 16)
            args += ["*", "include: Include = None", "fields: Fields = None"]
            args.append("extra_fields: Fields = None")
            arg_docs += wrap(
                'include: Relationship paths to include (``"customer"``, ``["lines.item"]``).',
                12,
                16,
            )
            arg_docs += wrap("fields: Sparse fieldsets, ``{type: [names]}``.", 12, 16)
            arg_docs += wrap(
                "extra_fields: Extra attributes to return, ``{type: [names]}``.", 12, 16
            )
            raises = wrap(
                "UsageError: Before any request, for an empty id or an include/field the "
                "operation does not accept.",
                12,
                16,
            )
            if op == "get":
                raises += wrap("NotFound: No such record.", 12, 16)
            doc = [
                first,
                *(["", *wrap(include_doc, 8)] if include_doc else []),
                *_section_doc(r, op),
                "",
                "        Args:",
                *arg_docs,
                "",
                "        Returns:",
                f"            The :class:`~booqable_async.models.{m}`, relationships linked.",
                "",
                "        Raises:",
                *raises,
            ]
            call_id = "id, " if op == "get" else ""
            methods.append(
                _method(
                    f"{op}({', '.join(args)})",
                    doc,
                    f"return await self._{op}({call_id}include, fields, extra_fields)",
                    returns=f" -> {m}",
                )
            )
        elif op in ("create", "update", "update_current"):
            td = f"{m}{'Create' if op == 'create' else 'Update'}"
            verb = {
                "create": f"Create a record ({where}).",
                "update": f"Update a record ({where}), sending only what changed.",
                "update_current": f"Update the current record ({where}), sending only changes.",
            }[op]
            args = ["self"]
            arg_docs: list[str] = []
            body_target = ""
            if op == "update":
                args.append(f"target: str | {m}")
                arg_docs += wrap(
                    f"target: The id, or a decoded :class:`~booqable_async.models.{m}` whose "
                    "changes since it was decoded are sent with ``changes`` (a model with "
                    "no changes is returned as is, without a request).",
                    12,
                    16,
                )
                body_target = "target, "
            elif op == "update_current":
                args.append(f"target: str | {m} | None = None")
                arg_docs += wrap(
                    "target: The current record's id or decoded model; ``None`` fetches "
                    "the current record first (the body must carry its id).",
                    12,
                    16,
                )
                body_target = "target, "
            args += [
                "*",
                "include: Include = None",
                "fields: Fields = None",
                "relationships: Related = None",
                "nested: Nested = None",
            ]
            arg_docs += wrap("include: Relationship paths to include in the answer.", 12, 16)
            arg_docs += wrap("fields: Sparse fieldsets of the answer.", 12, 16)
            arg_docs += wrap(
                "relationships: ``{name: record or id}`` (or a list for to-many), sent as "
                "``<name>_id``/``<name>_ids``.",
                12,
                16,
            )
            arg_docs += wrap(
                "nested: ``{name: [dict or record, destroy(id)]}``, sent as "
                "``<name>_attributes`` (Booqable's nested writes).",
                12,
                16,
            )
            kw = "attributes" if op == "create" else "changes"
            arg_docs += wrap(
                f"**{kw}: Attribute values by model field name (see "
                f":class:`~booqable_async.models.{td}`).",
                12,
                16,
            )
            args.append(f"**{kw}: Unpack[{td}]")
            extra = []
            if op == "create" and r.type in ("order_fulfillments", "order_status_transitions"):
                extra = [
                    "",
                    *wrap(
                        "The typed helpers on this facade build the payload for you.",
                        8,
                    ),
                ]
            doc = [
                verb,
                *(["", *wrap(include_doc, 8)] if include_doc else []),
                *_section_doc(r, op),
                *extra,
                "",
                "        Args:",
                *arg_docs,
                "",
                "        Returns:",
                "            The record as the server answered.",
                "",
                "        Raises:",
                *wrap(
                    "UsageError: Before any request, for an unknown or read-only attribute "
                    "or a bad value.",
                    12,
                    16,
                ),
                *wrap(
                    "UnprocessableEntity: Validation failed (``ShortageError`` for "
                    "availability problems).",
                    12,
                    16,
                ),
            ]
            methods.append(
                _method(
                    f"{op}({', '.join(args)})",
                    doc,
                    f"return await self._{op}({body_target}{kw}, include, fields, "
                    "relationships, nested)",
                    returns=f" -> {m}",
                )
            )
    if "delete" in r.operations:
        method, path = _endpoint(r, "delete")
        kind = r.raw.get("delete_kind") or "delete"
        if r.raw.get("delete_archives"):
            first = f"Archive a record ({method} {path}): Booqable archives, it does not destroy."
            more = wrap(
                "The record stays readable with ``archived=True`` (and ``archived_at``); the "
                "answer is the archived record.",
                8,
            )
        else:
            first = f"{kind.capitalize()} a record (``{method} {path}``)."
            more = wrap(f"Booqable calls this operation '{kind}'.", 8) if kind != "delete" else []
        doc = [
            first,
            *(["", *more] if more else []),
            *_section_doc(r, "delete"),
            "",
            "        Args:",
            "            id: The record id.",
            "",
            "        Returns:",
            *wrap(
                "The record from the answer (Booqable answers 200 with it), or ``None`` when "
                "the answer had no body.",
                12,
                16,
            ),
            "",
            "        Raises:",
            "            UsageError: An empty id (before any request).",
            "            NotFound: No such record.",
        ]
        methods.append(
            _method(
                "delete(self, id: str)",
                doc,
                "return await self._delete(id)",
                returns=f" -> {m} | None",
            )
        )
    return methods


def render_facade(r: Resource) -> str:
    """Source of ``booqable_async/resources/_generated/<type>.py``."""
    m = r.cls
    ops = set(r.operations)
    base_module, base_class = FACADE_BASES.get(r.type, ("", ""))
    lines = docstring(
        [
            fit(
                0, f"The ``client.{r.type}`` facade (Booqable API v4).", f"Facade of ``{r.type}``."
            ),
            "",
            *note_header(r.catalog),
        ],
        0,
    )
    lines += [
        "",
        "from __future__ import annotations",
        "",
        f"from typing import TYPE_CHECKING, ClassVar{', cast' if _foreign_types(r) else ''}",
        "",
    ]
    lines.append(f"from {MODELS}.{r.type} import {m}")
    if base_module:
        lines.append(f"from {base_module} import {base_class}")
    else:
        lines.append("from booqable_async.resources._base import Facade")
    type_only: dict[str, set[str]] = {}
    if ops & {"list", "search"}:
        type_only.setdefault("booqable_async.pagination", set()).add("Paginator")
        type_only.setdefault("booqable_async.query", set()).add("Query")
        type_only.setdefault("booqable_async.resources._base", set()).add("ListOptions")
        type_only.setdefault("typing_extensions", set()).add("Unpack")
    if ops & {"get", "new", "current", "create", "update", "update_current"}:
        type_only.setdefault("booqable_async.resources._base", set()).update({"Fields", "Include"})
    if _has_changes(r):
        type_only.setdefault("datetime", set()).add("datetime")
        type_only.setdefault("booqable_async.pagination", set()).add("ChangeFeed")
        type_only.setdefault("booqable_async.resources._base", set()).add("ChangeOptions")
    if _foreign_types(r):
        type_only.setdefault("booqable_async.jsonapi", set()).add("GenericResource")
    if ops & {"create", "update", "update_current"}:
        type_only.setdefault("booqable_async.resources._base", set()).update({"Nested", "Related"})
    writes = list(_write_ops(r))
    if writes:
        type_only.setdefault("typing_extensions", set()).add("Unpack")
        type_only.setdefault(f"{MODELS}.{r.type}", set()).update(
            f"{m}{_suffix(op)}" for op in writes
        )
    if type_only:
        lines += ["", "if TYPE_CHECKING:"]
        stdlib = sorted(k for k in type_only if k in STDLIB_MODULES)
        third = sorted(
            k for k in type_only if not k.startswith("booqable_async") and k not in stdlib
        )
        first = sorted(k for k in type_only if k.startswith("booqable_async"))
        groups = [group for group in (stdlib, third, first) if group]
        for index, group in enumerate(groups):
            if index:
                lines.append("")
            for module in group:
                lines.append(f"    from {module} import {', '.join(sorted(type_only[module]))}")
    lines += ["", f"__all__ = [{r.facade!r}]", "", ""]
    parent = base_class if base_module else f"Facade[{m}]"
    lines.append(f"class {r.facade}({parent}):")
    listed = ", ".join(op for op in (*_OP_ORDER, "delete") if op in ops)
    doc = [
        fit(
            4,
            f"``client.{r.type}``: {r.raw['title']} (``/{r.raw['path']}``).",
            f"``client.{r.type}``: {r.raw['title']}.",
            f"``client.{r.type}``.",
        ),
        "",
    ]
    text = f"Operations Booqable documents for this resource: {listed}."
    missing = [op for op in ("list", "get", "create", "update", "delete") if op not in ops]
    if missing and not r.is_union:
        text += f" It has no {', '.join(missing)}: Booqable documents none, so neither does this."
    doc += wrap(text, 4)
    if r.is_union:
        doc += [
            "",
            *wrap(
                "Records come back as "
                + ", ".join(f":class:`~booqable_async.models.{c}`" for c in _union_classes(r))
                + " according to each record's own type.",
                4,
            ),
        ]
    if r.raw.get("delete_archives"):
        doc += ["", *wrap("``delete()`` archives the record instead of destroying it.", 4)]
    lines += docstring(doc, 4)
    lines += ["", f"    jsonapi_type: ClassVar[str] = {r.type!r}"]
    if not r.is_union:
        lines.append(f"    model: ClassVar[type[{m}]] = {m}")
    for method in _facade_methods(r):
        lines.append("")
        lines += method
    return "\n".join(lines) + "\n"


def _foreign_types(r: Resource) -> list[str]:
    """Types the docs' examples return for ``r`` that are not catalog resources."""
    known = r.catalog["resources"]
    return [t for t in r.raw.get("response_types_in_examples") or [] if t not in known]


def _union_classes(r: Resource) -> list[str]:
    return [class_name(t) for t in r.union]


def render_resources_init(resources: list[Resource]) -> str:
    """Source of ``booqable_async/resources/__init__.py``: the facade table."""
    lines = docstring(
        [
            "Typed facades of every Booqable v4 resource, generated from the API catalog.",
            "",
            *wrap(
                "``client.orders`` is an :class:`OrdersFacade`: it offers exactly the "
                "operations Booqable documents for the resource. ``FACADES`` maps each type to "
                "its facade class as an import string; a facade module is imported the first "
                "time the client needs it.",
                0,
            ),
            "",
            *note_header(resources[0].catalog),
        ],
        0,
    )
    lines += [
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "from typing import TYPE_CHECKING, Any, Final",
        "",
        "from booqable_async.resources._base import ChangeOptions, Facade, ListOptions",
        "",
        "if TYPE_CHECKING:",
    ]
    for module, names in RESOURCE_HELPERS.items():
        for name in names:
            lines.append(f"    from booqable_async.resources.{module} import {name} as {name}")
    for r in resources:
        lines.append(f"    from {FACADES}.{r.type} import {r.facade} as {r.facade}")
    helpers = [name for names in RESOURCE_HELPERS.values() for name in names]
    names = sorted(
        [r.facade for r in resources]
        + ["FACADES", "ChangeOptions", "Facade", "ListOptions"]
        + helpers
    )
    lines += ["", f"__all__ = [{', '.join(repr(n) for n in names)}]", ""]
    lines.append("# Resource type -> facade class name (module ._generated.<type>).")
    lines.append('_GENERATED = f"{__name__}._generated"')
    lines.append("_FACADES = {")
    for r in resources:
        lines.append(f'    "{r.type}": "{r.facade}",')
    lines += ["}", ""]
    lines.append("#: Resource type -> ``module:FacadeClass`` for every catalog resource.")
    lines.append('FACADES: Final = {t: f"{_GENERATED}.{t}:{name}" for t, name in _FACADES.items()}')
    lines.append('_BY_NAME = {name: f"{_GENERATED}.{t}" for t, name in _FACADES.items()}')
    lines.append("# Hand-written public names, imported on first access too.")
    for module, helper_names in RESOURCE_HELPERS.items():
        for name in helper_names:
            lines.append(f'_BY_NAME["{name}"] = f"{{__name__}}.{module}"')
    lines += ["", ""]
    lines += [
        "def __getattr__(name: str) -> Any:",
        "    module = _BY_NAME.get(name)",
        "    if module is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "    value = getattr(importlib.import_module(module), name)",
        "    globals()[name] = value  # later lookups skip __getattr__",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted(set(globals()) | set(__all__))",
    ]
    return "\n".join(lines) + "\n"


def render_accessors(resources: list[Resource]) -> str:
    """Source of ``booqable_async/resources/_accessors.py``: typed ``client.<type>``."""
    lines = docstring(
        [
            "Typed, lazily created facades as client attributes (``client.orders``).",
            "",
            *note_header(resources[0].catalog),
        ],
        0,
    )
    lines += [
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, Literal, cast, overload",
        "",
        "if TYPE_CHECKING:",
        "    from booqable_async.jsonapi import Resource",
        "    from booqable_async.resources._base import Facade",
    ]
    for r in resources:
        lines.append(f"    from {FACADES}.{r.type} import {r.facade}")
    lines += ["", '__all__ = ["FacadeAccessors"]', "", ""]
    lines.append("class FacadeAccessors:")
    lines += docstring(
        [
            "One typed property per Booqable resource; each facade is created on first use.",
            "",
            *wrap(
                "Subclasses implement ``_facade(type_name)`` (the client caches one facade per "
                "type and imports its module only then).",
                4,
            ),
        ],
        4,
    )
    lines += [
        "",
        "    __slots__ = ()",
        "",
        "    def _facade(self, type_name: str) -> Facade[Any]:",
        "        raise NotImplementedError",
    ]
    for r in resources:
        listed = ", ".join(op for op in (*_OP_ORDER, "delete") if op in r.operations)
        title, path = r.raw["title"], r.raw["path"]
        summary = fit(8, f"{title} (``/{path}``): {listed}.", f"{title}: {listed}.", f"{title}.")
        lines += [
            "",
            "    @property",
            f"    def {r.type}(self) -> {r.facade}:",
            f'        """{summary}"""',
            f'        return cast("{r.facade}", self._facade("{r.type}"))',
        ]
    for r in resources:
        lines += [
            "",
            "    @overload",
            f'    def resource(self, type_name: Literal["{r.type}"]) -> {r.facade}: ...',
        ]
    lines += [
        "",
        "    @overload",
        "    def resource(self, type_name: str) -> Facade[Resource]: ...",
        "",
        "    def resource(self, type_name: str) -> Facade[Any]:",
    ]
    lines += docstring(
        [
            "Return the facade of any catalog resource by its JSON:API type name.",
            "",
            *wrap(
                "With a literal name the result is typed like the property "
                '(``client.resource("tax_rates")`` is ``client.tax_rates``).',
                8,
            ),
            "",
            "        Args:",
            '            type_name: The resource type, e.g. ``"tax_rates"``.',
            "",
            "        Returns:",
            "            The facade (the same object on every call).",
            "",
            "        Raises:",
            "            UsageError: Unknown type; the message suggests close names.",
        ],
        8,
    )
    lines.append("        return self._facade(type_name)")
    return "\n".join(lines) + "\n"


# -- entry point -------------------------------------------------------------------------


def render_python(catalog: dict[str, Any]) -> dict[Path, str]:
    """Render every generated Python module (ruff-formatted)."""
    resources = load_resources(catalog)
    by_type = {r.type: r for r in resources}
    out: dict[Path, str] = {}
    for r in resources:
        if r.is_union:
            out[PACKAGE / "models" / "_generated" / f"{r.type}.py"] = render_union(r, by_type)
        else:
            out[PACKAGE / "models" / "_generated" / f"{r.type}.py"] = render_model(r, by_type)
        out[PACKAGE / "resources" / "_generated" / f"{r.type}.py"] = render_facade(r)
    out[PACKAGE / "models" / "_generated" / "__init__.py"] = render_generated_init("models")
    out[PACKAGE / "resources" / "_generated" / "__init__.py"] = render_generated_init("facades")
    out[PACKAGE / "models" / "__init__.py"] = render_models_init(resources)
    out[PACKAGE / "resources" / "__init__.py"] = render_resources_init(resources)
    out[PACKAGE / "resources" / "_accessors.py"] = render_accessors(resources)
    return ruff_format(out)


def render_generated_init(kind: str) -> str:
    """Source of the ``_generated/__init__.py`` of ``models`` or ``resources``."""
    package = "booqable_async.models" if kind == "models" else "booqable_async.resources"
    lines = docstring(
        [
            f"The generated {kind}, one module per Booqable v4 resource type (private).",
            "",
            *wrap(
                f"Import them from ``{package}``, which re-exports every public name "
                "lazily. GENERATED by tools/generate.py (``make generate``); do not edit.",
                0,
            ),
        ],
        0,
    )
    return "\n".join(lines) + "\n"


def ruff_format(files: dict[Path, str]) -> dict[Path, str]:
    """Format ``files`` with ruff (the project's settings) in one subprocess call."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        paths = {}
        for path, text in files.items():
            target = base / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            paths[path] = target
        config = ["--config", str(ROOT / "pyproject.toml")]
        ruff = [sys.executable, "-m", "ruff"]
        # Import sorting first (ruff's "I" rules), then the formatter, as `make lint` checks.
        subprocess.run(
            [*ruff, "check", "--quiet", "--fix", "--select", "I,RUF022", *config, str(base)],
            check=True,
        )
        subprocess.run([*ruff, "format", "--quiet", *config, str(base)], check=True)
        return {path: target.read_text(encoding="utf-8") for path, target in paths.items()}
