"""Exceptions: one class per code, strict vs lenient, positions."""

from __future__ import absolute_import

import os
import re

import pytest

import mapback
from mapback import exceptions
from mapback._lowlevel import ffi, lib


def test_every_code_has_a_class():
    constants = [name for name in dir(lib) if name.startswith("MAPBACK_ERROR_")]
    assert len(constants) >= 31
    for name in constants:
        code = getattr(lib, name)
        cls = exceptions.exception_class(code)
        assert cls is not mapback.MapbackError, name
        assert cls.code == code
        expected = "".join(part.capitalize() for part in name[len("MAPBACK_ERROR_"):].split("_"))
        assert cls.__name__.lower() == (expected + "Error").lower(), name
        assert getattr(mapback, cls.__name__) is cls


def test_classes_come_from_the_constants():
    constants = sorted(name for name in dir(lib) if name.startswith("MAPBACK_ERROR_"))
    for name in constants:
        cls = exceptions.exception_class(getattr(lib, name))
        description = ffi.string(lib.mapback_error_code_description(cls.code)).decode("utf-8")
        assert cls.__doc__ == description, name
        assert cls.__module__ == "mapback.exceptions"
        assert cls.__name__ in exceptions.__all__
    # Bases by band, with two exceptions.
    assert issubclass(mapback.InvalidJsonError, mapback.DecodeError)
    assert issubclass(mapback.SectionUrlUnsupportedError, mapback.DecodeError)
    assert mapback.IoError.__bases__ == (mapback.MapbackError,)
    assert mapback.InvalidBaseUrlError.__bases__ == (mapback.ArgumentError,)
    assert mapback.CorruptCacheError.__bases__ == (mapback.CacheError,)
    assert mapback.TraceTooLargeError.__bases__ == (mapback.TraceError,)
    assert mapback.PanicError.__bases__ == (mapback.InternalError,)
    assert mapback.ClosedError.__bases__ == (mapback.ArgumentError,)
    assert mapback.ConcurrentUseError.code == mapback.InvalidArgumentError.code == 501
    assert lib.mapback_error_code_description(0) == ffi.NULL
    assert exceptions.exception_class(12345) is mapback.MapbackError


def test_the_stub_lists_every_generated_class():
    stub_path = os.path.join(os.path.dirname(exceptions.__file__), "exceptions.pyi")
    with open(stub_path) as stub:
        declared = dict(re.findall(r"^class (\w+)\((\w+)(?:, \w+)?\): \.\.\.$", stub.read(), re.M))
    for code, cls in exceptions._BY_CODE.items():
        assert declared.get(cls.__name__) == cls.__bases__[0].__name__, cls.__name__


def test_offsets_count_the_skipped_prefix():
    for prefix in (b"\xef\xbb\xbf", b")]}'\n"):
        with pytest.raises(mapback.InvalidJsonError) as raised:
            mapback.SourceMap.from_bytes(prefix + b"{not json")
        offset = raised.value.offset
        assert offset == len(prefix) + 1
        assert "byte %d" % offset in str(raised.value)


def test_invalid_json_has_offset():
    with pytest.raises(mapback.InvalidJsonError) as raised:
        mapback.SourceMap.from_bytes(b'{"version": 3,\n "sources": [}')
    error = raised.value
    assert error.code == 101 and error.offset == 28
    assert isinstance(error, mapback.DecodeError) and isinstance(error, ValueError)
    assert "byte 28" in str(error)


@pytest.mark.parametrize(
    "data, error",
    [
        (b"[]", mapback.NotAnObjectError),
        (b'{"version":3,"sources":[]}', mapback.MissingFieldError),
        (b'{"version":3,"sources":{},"mappings":""}', mapback.WrongTypeError),
        (b'{"version":3,"sources":["a"],"mappings":"+/+/+/+/+/+/+"}', mapback.VlqOverflowError),
    ],
)
def test_fatal_errors_in_both_modes(data, error):
    for strict in (False, True):
        with pytest.raises(error):
            mapback.SourceMap.from_bytes(data, strict=strict)


@pytest.mark.parametrize(
    "data, error",
    [
        (b'{"version":2,"sources":[],"mappings":""}', mapback.UnsupportedVersionError),
        (b'{"version":3,"sources":["a"],"mappings":"AA!A"}', mapback.InvalidBase64Error),
        (b'{"version":3,"sources":["a"],"mappings":"AAAA,AA"}', mapback.InvalidSegmentLengthError),
        (b'{"version":3,"sources":["a"],"mappings":"AAAg"}', mapback.VlqTruncatedError),
        (b'{"version":3,"sources":["a"],"mappings":"ACAA"}', mapback.SourceIndexOutOfBoundsError),
        (b'{"version":3,"sources":["a"],"names":[],"mappings":"AAAAA"}', mapback.NameIndexOutOfBoundsError),
        (b'{"version":3,"sources":["a"],"mappings":"D"}', mapback.NegativeValueError),
        (b'{"version":3,"sources":[],"mappings":"","debugId":"nope"}', mapback.InvalidDebugIdError),
        (b'{"version":3,"sources":["a"],"mappings":"","ignoreList":[3]}', mapback.InvalidIgnoreListError),
        (b'{"version":3,"sources":[],"mappings":"",}', mapback.TrailingCommaError),
    ],
)
def test_optional_errors_strict_vs_lenient(data, error):
    with pytest.raises(error) as raised:
        mapback.SourceMap.from_bytes(data, strict=True)
    assert raised.value.offset >= -1
    source_map = mapback.SourceMap.from_bytes(data)
    kinds = [d.kind for d in source_map.diagnostics]
    assert error in kinds, "lenient decoding must say what it recovered from"


def test_bad_base64_offset_points_at_the_character():
    data = b'{"version":3,"sources":["a"],"mappings":"AAAA,AA!A"}'
    with pytest.raises(mapback.InvalidBase64Error) as raised:
        mapback.SourceMap.from_bytes(data, strict=True)
    assert data[raised.value.offset:raised.value.offset + 1] == b"!"


def test_lenient_grammar_error_drops_all_mappings():
    source_map = mapback.SourceMap.from_bytes(b'{"version":3,"sources":["a"],"mappings":"AAAA;AA!A"}')
    assert len(source_map) == 0
    assert source_map.diagnostics[0].code == lib.MAPBACK_ERROR_INVALID_BASE64


def test_wrong_argument_types():
    with pytest.raises(TypeError):
        mapback.SourceMap.from_bytes(12)


MAP = b'{"version":3,"sources":["a.js","b.js"],"names":["x","y"],"mappings":"AAAA,CAAC,CAAC"}'


def test_decode_limits_admit_their_bound_and_refuse_one_more():
    exact = dict(max_input_bytes=len(MAP), max_mappings=3, max_sources=2, max_names=2)
    assert len(mapback.SourceMap.from_bytes(MAP, limits=mapback.DecodeLimits(**exact))) == 3
    for field in sorted(exact):
        tighter = dict(exact)
        tighter[field] -= 1
        with pytest.raises(mapback.InputTooLargeError) as raised:
            mapback.SourceMap.from_bytes(MAP, limits=mapback.DecodeLimits(**tighter))
        assert "DecodeLimits::" + field in str(raised.value)
    unlimited = mapback.SourceMap.from_bytes(MAP, limits=mapback.DecodeLimits.UNLIMITED)
    assert len(unlimited) == 3


def test_decode_limits_refuse_what_is_not_a_positive_integer():
    for bad in (0, -1, 1.5, "10", True):
        with pytest.raises(TypeError):
            mapback.DecodeLimits(max_mappings=bad)
    with pytest.raises(TypeError):
        mapback.SourceMap.from_bytes(MAP, limits={"max_mappings": 1})
    assert repr(mapback.DecodeLimits(max_names=7)) == "DecodeLimits(max_names=7)"
