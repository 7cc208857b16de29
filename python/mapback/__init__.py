"""mapback: a conformant ECMA-426 source map engine.

>>> import mapback
>>> sm = mapback.SourceMap.from_bytes(
...     b'{"version":3,"sources":["a.js"],"names":["run"],"mappings":"AAAA,IAAIA"}')
>>> token = sm.lookup(0, 6)
>>> (token.source.name, token.original_line, token.original_column, token.name)
('a.js', 0, 4, 'run')
"""

from __future__ import absolute_import

from mapback._lowlevel import ffi as _ffi
from mapback._lowlevel import lib as _lib
from mapback.exceptions import *  # noqa: F401,F403
from mapback.exceptions import __all__ as _exception_names
from mapback.cache import Cache, open_cache
from mapback.inspector import inspect_html
from mapback.produce import Builder, add_debug_id_comment, compose, concat, text_end_position
from mapback.sourcemap import GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, SourceMap
from mapback.store import IngestLimits, Store, StoreEntry
from mapback.symbolicate import SymbolicatedFrame, SymbolicatedTrace, Symbolicator
from mapback.validation import validate
from mapback.values import Context, DecodeLimits, Diagnostic, LookupBatch, Source, Token

#: Version of the native library.
__version__ = _ffi.string(_lib.mapback_version()).decode("ascii")

__all__ = [
    "Symbolicator",
    "Store",
    "StoreEntry",
    "IngestLimits",
    "SymbolicatedTrace",
    "SymbolicatedFrame",
    "SourceMap",
    "DecodeLimits",
    "Cache",
    "open_cache",
    "Context",
    "Token",
    "LookupBatch",
    "Source",
    "Diagnostic",
    "Builder",
    "concat",
    "compose",
    "add_debug_id_comment",
    "text_end_position",
    "validate",
    "inspect_html",
    "GREATEST_LOWER_BOUND",
    "LEAST_UPPER_BOUND",
    "__version__",
] + list(_exception_names)
