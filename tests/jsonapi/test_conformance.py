"""JSON:API 1.1 conformance: other projects' documents (../shared/jsonapi-conformance).

Its README: the numbered documents 01-52 are valid JSON:API 1.1; 53-80 each break a MUST
of the specification, and a conforming decoder rejects them with its decode error (here
DecodeError), never with another exception.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from booqable_async.errors import DecodeError
from booqable_async.jsonapi import Document, Registry, decode, to_dict
from tests.jsonapi.models import REGISTRY

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "jsonapi-conformance" / "docs"
FIRST_INVALID = 53


def _documents() -> list[Path]:
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{CORPUS} is missing (it is part of ../shared)")
        pytest.skip(f"{CORPUS} is not present")
    return sorted(CORPUS.glob("*.json"))


def _number(path: Path) -> int:
    return int(path.name.split("-", 1)[0])


def test_the_corpus_is_all_there() -> None:
    documents = _documents()
    assert len(documents) == 80
    assert sum(_number(p) < FIRST_INVALID for p in documents) == 52


@pytest.mark.parametrize("registry", [Registry(), REGISTRY], ids=["generic", "models"])
def test_every_valid_document_decodes(registry: Registry) -> None:
    for path in _documents():
        if _number(path) >= FIRST_INVALID:
            continue
        doc = decode(path.read_bytes(), registry)
        assert isinstance(doc, Document), path.name
        # What a decoded document exports decodes to the same graph again.
        assert to_dict(decode(to_dict(doc), registry)) == to_dict(doc), path.name


@pytest.mark.parametrize("registry", [Registry(), REGISTRY], ids=["generic", "models"])
def test_every_invalid_document_raises_decode_error(registry: Registry) -> None:
    refused = []
    for path in _documents():
        if _number(path) < FIRST_INVALID:
            continue
        with pytest.raises(DecodeError) as info:
            decode(path.read_bytes(), registry)
        assert info.value.reason, path.name
        refused.append(path.name)
    assert len(refused) == 28


@pytest.mark.parametrize(
    ("name", "pointer", "reason"),
    [
        ("54-schema-missing-id", "/data", "must have an id"),
        ("56-schema-id-number", "/data/id", "id must be a string"),
        ("59-schema-type-number", "/data/type", "type must be a string"),
        ("62-schema-included-without-data", "/included", "included without data"),
        ("64-schema-included-twice", "/included/1", "twice"),
        ("65-richmolj-data-and-included-duplicate", "/included/0", "twice"),
        ("69-schema-data-and-errors", "/errors", "both data and errors"),
        ("71-schema-no-top-level-member", "", "at least one of data, errors and meta"),
        ("73-swift-meta-null", "/meta", "meta must be an object"),
        ("80-schema-meta-array", "/meta", "meta must be an object"),
    ],
)
def test_violations_point_at_the_member(name: str, pointer: str, reason: str) -> None:
    paths = [p for p in _documents() if p.stem == name]
    assert paths, name
    with pytest.raises(DecodeError) as info:
        decode(paths[0].read_bytes(), REGISTRY)
    assert info.value.pointer == pointer
    assert reason in info.value.reason


def test_the_generic_layer_imports_nothing_of_booqable() -> None:
    # An import-linter contract cannot see imports by string (importlib); this proves the
    # JSON:API layer, used without a registry, never loads Booqable's models or facades.
    code = (
        "import sys\n"
        "from booqable_async.jsonapi import decode, to_dict\n"
        'doc = decode(b\'{"data": {"type": "orders", "id": "1", '
        '"attributes": {"number": 1}}}\')\n'
        "to_dict(doc)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('booqable_async.'))\n"
        "bad = [m for m in loaded if m.split('.')[1] in "
        "('models', 'resources', 'schema', '_client', 'testing', 'cli')]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
