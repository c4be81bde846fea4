"""Output writers for ``booqable pull``: JSON Lines, CSV and a JSON array, streamed.

Every writer takes records as JSON-ready dicts (the JSON:API resource shape that
:func:`booqable_async.jsonapi.to_dict` exports) one at a time and holds none of them, so
memory stays flat however many records a pull brings. Each record is written with one
``write`` call between two awaits, so an interrupted pull never leaves half a record:
:meth:`Writer.close` then completes the document (a JSON array gets its ``]``).

:meth:`Writer.checkpoint` flushes and returns the byte offset where complete records
end; a resumed pull truncates the file there and continues, so a crash between two
checkpoints cannot leave duplicates.
"""

from __future__ import annotations

import csv
import io
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

import attrs
import msgspec

from booqable_async.errors import UsageError
from booqable_async.schema import ResourceSchema, get_schema, has_schema

__all__ = [
    "FORMATS",
    "Column",
    "CsvWriter",
    "JsonArrayWriter",
    "JsonLinesWriter",
    "Writer",
    "csv_columns",
    "make_writer",
]

_encode = msgspec.json.Encoder().encode

#: Output formats ``--format`` accepts.
FORMATS = ("jsonl", "csv", "json")


class Writer(ABC):
    """Streams records into a binary stream as one document of one format.

    Args:
        stream: Where bytes go (a file opened in binary mode, or stdout's buffer).
        fresh: True to start a new document (header, ``[``); False to continue one a
            resumed pull already started (the stream is positioned at its content end).
        records_before: Records the continued document already holds.
        base_offset: Byte offset of the stream's position when the writer starts.
    """

    format: ClassVar[str]

    def __init__(
        self, stream: BinaryIO, *, fresh: bool = True, records_before: int = 0, base_offset: int = 0
    ) -> None:
        self._stream = stream
        self._records = records_before
        self._offset = base_offset
        self._closed = False
        if fresh:
            self._emit(self._opening())

    def _emit(self, data: bytes) -> None:
        if data:
            self._stream.write(data)
            self._offset += len(data)

    def _opening(self) -> bytes:
        return b""

    def _closing(self) -> bytes:
        return b""

    @abstractmethod
    def _encode(self, record: Mapping[str, Any]) -> bytes:
        """Return the bytes of one record, separators included."""

    @property
    def records(self) -> int:
        """Records in the document (including those of earlier runs when continued)."""
        return self._records

    def write(self, record: Mapping[str, Any]) -> None:
        """Append one record (a single ``write`` call: never half a record)."""
        self._emit(self._encode(record))
        self._records += 1

    def checkpoint(self) -> int:
        """Flush and return the byte offset where the complete records end."""
        self._stream.flush()
        return self._offset

    def close(self) -> None:
        """Complete the document (closing bracket) and flush; idempotent."""
        if self._closed:
            return
        self._closed = True
        closing = self._closing()
        if closing:
            self._stream.write(closing)
        self._stream.flush()


class JsonLinesWriter(Writer):
    """One JSON object per line (JSON Lines): append-friendly and streamable."""

    format = "jsonl"

    def _encode(self, record: Mapping[str, Any]) -> bytes:
        return _encode(record) + b"\n"


class JsonArrayWriter(Writer):
    """One JSON array, written record by record; always closed, even when interrupted.

    Complete records end before the closing newline and ``]``: the checkpoint offset, so
    a resumed pull truncates the closing bracket and appends ``,`` + the next records.
    """

    format = "json"

    def _opening(self) -> bytes:
        return b"["

    def _closing(self) -> bytes:
        return b"\n]\n"

    def _encode(self, record: Mapping[str, Any]) -> bytes:
        return (b",\n" if self._records else b"\n") + _encode(record)


@attrs.frozen
class Column:
    """One CSV column: where its value sits in an exported record.

    Attributes:
        name: The header text (``number``, ``customer.name``).
        path: Relationship names to follow from the record (``("customer",)``).
        field: ``id``, ``type``, an attribute name, or ``None`` for a to-many relation
            written as a JSON array.
        flat: The field is a member of the record itself, as in API v1's plain objects
            (lists and objects are written as JSON), not one of its ``attributes``.
    """

    name: str
    path: tuple[str, ...] = ()
    field: str | None = "id"
    flat: bool = False


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list)):
        return _encode(value).decode()
    return str(value)


def _follow(record: Mapping[str, Any] | None, path: Sequence[str]) -> Any:
    node: Any = record
    for name in path:
        if not isinstance(node, Mapping):
            return None
        node = ((node.get("relationships") or {}).get(name) or {}).get("data")
    return node


def _flat(resource: Any) -> Any:
    if not isinstance(resource, Mapping):
        return resource
    return {"id": resource.get("id"), **(resource.get("attributes") or {})}


def _value(record: Mapping[str, Any], column: Column) -> Any:
    target = _follow(record, column.path)
    if column.field is None:
        return [_flat(r) for r in target] if isinstance(target, list) else _flat(target)
    if not isinstance(target, Mapping):
        return None
    if column.flat or column.field in ("id", "type"):
        return target.get(column.field)
    return (target.get("attributes") or {}).get(column.field)


class CsvWriter(Writer):
    """CSV with a stable header computed before the first record (see :func:`csv_columns`).

    Attributes are flattened into one column each; included to-one records add
    ``relation.attribute`` columns; included to-many records are one column holding a
    JSON array. Attributes the header does not name (undocumented ones the server
    added) are left out: use JSON Lines to keep everything.
    """

    format = "csv"

    def __init__(
        self,
        stream: BinaryIO,
        columns: Sequence[Column],
        *,
        fresh: bool = True,
        records_before: int = 0,
        base_offset: int = 0,
    ) -> None:
        if not columns:
            raise UsageError("a CSV needs at least one column")
        self._columns = tuple(columns)
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\r\n")
        super().__init__(
            stream, fresh=fresh, records_before=records_before, base_offset=base_offset
        )

    @property
    def columns(self) -> tuple[Column, ...]:
        """The header, in order."""
        return self._columns

    def _row(self, cells: Sequence[str]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._csv.writerow(cells)
        return self._buffer.getvalue().encode()

    def _opening(self) -> bytes:
        return self._row([c.name for c in self._columns])

    def _encode(self, record: Mapping[str, Any]) -> bytes:
        return self._row([_cell(_value(record, c)) for c in self._columns])


def _attribute_names(
    schema: ResourceSchema, type_name: str, fields: Mapping[str, Sequence[str]], extra: set[str]
) -> list[str]:
    wanted = fields.get(type_name)
    # A union resource (items: product groups, products, bundles) has no attributes of its
    # own: its columns are the union of its members', sorted.
    specs = [schema.attributes]
    if not schema.attributes and schema.polymorphic_types:
        specs = [get_schema(t).attributes for t in schema.polymorphic_types if has_schema(t)]
    names: dict[str, None] = {}
    for attributes in specs:
        for name, spec in attributes.items():
            if name == "id" or spec.writeonly or (spec.extra and name not in extra):
                continue
            if wanted is not None and name not in wanted:
                continue
            names[name] = None
    return sorted(names) if len(specs) > 1 else list(names)


def csv_columns(
    resource: str,
    includes: Sequence[str] = (),
    fields: Mapping[str, Sequence[str]] | None = None,
    extra_fields: Mapping[str, Sequence[str]] | None = None,
) -> list[Column]:
    """Return the CSV header of a pull, from the catalog (stable across runs and pages).

    Args:
        resource: The resource pulled (``orders``).
        includes: Include paths (``customer``, ``customer.properties``).
        fields: Sparse fieldsets by type: only those attributes get a column.
        extra_fields: Extra fields by type: those get a column too.

    Returns:
        ``id`` (and ``type`` for a polymorphic resource), the attributes, then per include
        path ``path.id`` and ``path.<attribute>`` (to-one) or ``path`` (to-many, JSON).
    """
    fields = fields or {}
    extra = extra_fields or {}
    schema = get_schema(resource)
    columns = [Column("id")]
    if schema.polymorphic_types:
        columns.append(Column("type", field="type"))
    columns.extend(
        Column(name, field=name)
        for name in _attribute_names(schema, resource, fields, set(extra.get(resource, ())))
    )
    for include in includes:
        path: tuple[str, ...] = ()
        current: ResourceSchema | None = schema
        for name in include.split("."):
            path += (name,)
            spec = current.relationships.get(name) if current is not None else None
            prefix = ".".join(path)
            if any(c.name in (prefix, f"{prefix}.id") for c in columns):
                current = _single_target(spec)
                continue
            if spec is not None and spec.many:
                columns.append(Column(prefix, path, None))
                current = None  # nested under a to-many: kept whole in that column
                continue
            columns.append(Column(f"{prefix}.id", path, "id"))
            current = _single_target(spec)
            if current is None:
                columns.append(Column(f"{prefix}.type", path, "type"))
                continue
            columns.extend(
                Column(f"{prefix}.{attr}", path, attr)
                for attr in _attribute_names(
                    current, current.type, fields, set(extra.get(current.type, ()))
                )
            )
    return columns


def _single_target(spec: Any) -> ResourceSchema | None:
    if spec is None or spec.many or len(spec.types) != 1 or not has_schema(spec.types[0]):
        return None
    return get_schema(spec.types[0])


def make_writer(
    format: str,
    stream: BinaryIO,
    *,
    columns: Sequence[Column] = (),
    fresh: bool = True,
    records_before: int = 0,
    base_offset: int = 0,
) -> Writer:
    """Return the writer for ``format`` (``jsonl``, ``csv`` or ``json``).

    Args:
        format: One of :data:`FORMATS`.
        stream: The binary output.
        columns: The CSV header (``csv`` only).
        fresh: Start a new document rather than continue one.
        records_before: Records the continued document holds.
        base_offset: The stream's byte offset at the start.

    Raises:
        UsageError: An unknown format.
    """
    options: dict[str, Any] = {
        "fresh": fresh,
        "records_before": records_before,
        "base_offset": base_offset,
    }
    if format == "jsonl":
        return JsonLinesWriter(stream, **options)
    if format == "json":
        return JsonArrayWriter(stream, **options)
    if format == "csv":
        return CsvWriter(stream, columns, **options)
    raise UsageError(f"unknown output format {format!r}; formats: {', '.join(FORMATS)}")
