import os
from typing import Union

from mapback.sourcemap import SourceMap

_Path = Union[str, bytes, "os.PathLike[str]"]

class Cache(SourceMap):
    @classmethod
    def open(cls, path: _Path) -> Cache: ...
    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview]) -> Cache: ...  # type: ignore[override]
    @classmethod
    def from_path(cls, path: _Path) -> Cache: ...  # type: ignore[override]

def open_cache(path: _Path) -> Cache: ...
