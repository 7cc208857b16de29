import os
from typing import Literal, Optional, Union

from mapback.sourcemap import SourceMap

_Path = Union[str, bytes, "os.PathLike[str]"]

class Cache(SourceMap):
    @classmethod
    def open(cls, path: _Path) -> Cache: ...
    # SourceMap's decode options are accepted, but only at their defaults: a cache is
    # not decoded from JSON, so anything else raises TypeError.
    @classmethod
    def from_bytes(  # type: ignore[override]
        cls,
        data: Union[bytes, bytearray, memoryview],
        base_url: None = ...,
        strict: Literal[False] = ...,
        limits: None = ...,
    ) -> Cache: ...
    @classmethod
    def from_path(  # type: ignore[override]
        cls, path: _Path, base_url: None = ..., strict: Literal[False] = ..., limits: None = ...
    ) -> Cache: ...

def open_cache(path: _Path) -> Cache: ...
