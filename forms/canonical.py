"""The canonical JSON form of a question set: what is stored and what its content hash covers."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from forms.model import QuestionSet


def to_json(qs: QuestionSet) -> bytes:
    """Canonical JSON: keys sorted, defaults left out, so equal content gives equal bytes."""
    return msgspec.json.encode(_plain(qs), order="sorted")


def from_json(data: bytes) -> QuestionSet:
    """Decode a set stored with `to_json`."""
    return msgspec.json.decode(data, type=QuestionSet)


def content_hash(qs: QuestionSet) -> str:
    """SHA-256 (hex) of the canonical JSON; independent of key order and of spelled-out defaults."""
    return hashlib.sha256(to_json(qs)).hexdigest()


def _plain(value: Any) -> Any:
    """Builtins with string keys, leaving out every field equal to its default.

    msgspec's `omit_defaults` compares floats by identity, so an explicit `points: 1`
    would otherwise survive and change the hash.
    """
    if isinstance(value, msgspec.Struct):
        out: dict[str, Any] = {}
        for field in msgspec.structs.fields(value):
            item = getattr(value, field.name)
            if field.default is not msgspec.NODEFAULT and item == field.default:
                continue
            if field.default_factory is not msgspec.NODEFAULT and item == field.default_factory():
                continue
            out[field.encode_name] = _plain(item)
        return out
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
