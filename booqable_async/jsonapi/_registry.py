"""Registry: JSON:API type name -> model class, with lazily imported entries."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, TypeAlias

from booqable_async.errors import UsageError
from booqable_async.jsonapi._resource import Resource

__all__ = ["EMPTY_REGISTRY", "ModelRef", "Registry", "load_registry"]

#: A model class, or ``"package.module:ClassName"`` imported on first use.
ModelRef: TypeAlias = "type[Resource] | str"


class Registry(Mapping[str, type[Resource]]):
    """An immutable mapping of JSON:API type name -> model class.

    Entries may be classes or import strings ``"myapp.models.orders:Order"``, imported
    the first time the type is looked up (so a registry of 113 models costs nothing until
    a document uses them). Types the registry does not know decode into
    :class:`~booqable_async.jsonapi.GenericResource`. The JSON:API layer has no registry
    of its own: the caller passes one (Booqable's is ``booqable_async.models.REGISTRY``).

    Args:
        models: ``{type: class or import string}``, or an iterable of model classes
            (each keyed by its ``jsonapi_type``).

    Raises:
        UsageError: an entry is neither a class nor an import string.
    """

    __slots__ = ("_entries", "_resolved")

    def __init__(self, models: Mapping[str, ModelRef] | Iterable[type[Resource]] = ()) -> None:
        entries: dict[str, ModelRef] = {}
        if isinstance(models, Mapping):
            items = list(models.items())
        else:
            items = [(getattr(m, "jsonapi_type", None), m) for m in models]
        for type_name, model in items:
            if not isinstance(type_name, str) or not type_name:
                raise UsageError(f"registry key {type_name!r} is not a JSON:API type name")
            if isinstance(model, str):
                if ":" not in model:
                    raise UsageError(
                        f"registry entry {model!r} for {type_name!r} must be 'module:ClassName'"
                    )
            elif not (isinstance(model, type) and issubclass(model, Resource)):
                raise UsageError(
                    f"registry entry for {type_name!r} must be a Resource subclass or an "
                    f"import string, not {model!r}"
                )
            entries[type_name] = model
        self._entries = entries
        # Memo of resolved imports: logically immutable (same answer every time).
        self._resolved: dict[str, type[Resource]] = {}

    def __getitem__(self, type_name: str) -> type[Resource]:
        cls = self._resolved.get(type_name)
        if cls is not None:
            return cls
        entry = self._entries[type_name]
        cls = _import(entry, type_name) if isinstance(entry, str) else entry
        if cls.jsonapi_type != type_name:
            raise UsageError(
                f"registry maps {type_name!r} to {cls.__qualname__}, whose jsonapi_type is "
                f"{cls.jsonapi_type!r}"
            )
        self._resolved[type_name] = cls
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._entries

    def __repr__(self) -> str:
        return f"Registry({len(self._entries)} types)"

    def merged(self, models: Mapping[str, ModelRef] | Iterable[type[Resource]]) -> Registry:
        """Return a new registry with ``models`` added (replacing same-named types)."""
        other = Registry(models)
        return Registry({**self._entries, **other._entries})

    @classmethod
    def coerce(cls, registry: Registry | Mapping[str, ModelRef] | None) -> Registry:
        """Return ``registry`` as a :class:`Registry` (``None``: the empty registry)."""
        if registry is None:
            return EMPTY_REGISTRY
        if isinstance(registry, Registry):
            return registry
        if isinstance(registry, Mapping):
            return Registry(registry)
        raise UsageError(f"registry must be a Registry or a mapping, not {type(registry)!r}")


def _import(entry: str, type_name: str) -> type[Resource]:
    module_name, _, attr = entry.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"cannot import the model {entry!r} for {type_name!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Resource)):
        raise UsageError(f"{entry!r} (for {type_name!r}) is not a Resource subclass")
    return cls


def load_registry(module_name: str) -> Registry:
    """Import ``module_name`` and return the ``REGISTRY`` it exposes.

    Args:
        module_name: A module exposing ``REGISTRY: Registry``.

    Returns:
        Its registry, or an empty one when the module does not exist.

    Raises:
        UsageError: the module exists but exposes no ``REGISTRY`` of type Registry.
    """
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return Registry()
    registry = getattr(module, "REGISTRY", None)
    if not isinstance(registry, Registry):
        raise UsageError(f"{module_name}.REGISTRY must be a jsonapi.Registry")
    return registry


#: No models at all: every type decodes into a generic resource.
EMPTY_REGISTRY: Final = Registry()
