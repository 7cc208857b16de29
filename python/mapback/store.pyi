import os
from typing import Any, Dict, List, Optional, Sequence, Union

from mapback._lowlevel import Bounds, RustObject
from mapback.cache import Cache

_Path = Union[str, bytes, "os.PathLike[str]"]

class IngestLimits(Bounds):
    max_file_bytes: Optional[int]
    max_total_bytes: Optional[int]
    max_files: Optional[int]
    max_archive_entries: Optional[int]
    max_manifest_bytes: Optional[int]
    max_compression_ratio: Optional[int]
    max_directory_depth: Optional[int]
    def __init__(
        self,
        max_file_bytes: Optional[int] = ...,
        max_total_bytes: Optional[int] = ...,
        max_files: Optional[int] = ...,
        max_archive_entries: Optional[int] = ...,
        max_manifest_bytes: Optional[int] = ...,
        max_compression_ratio: Optional[int] = ...,
        max_directory_depth: Optional[int] = ...,
    ) -> None: ...

class StoreEntry(Cache):
    debug_id: Optional[str]
    script_url: Optional[str]
    map_url: Optional[str]
    entry_id: str
    script_bytes: Optional[int]
    found_by: str  # "debug_id" or "url"
    found_key: str
    def as_dict(self) -> Dict[str, Any]: ...

class Store(RustObject):
    path: Optional[Union[str, bytes]]
    def __init__(
        self,
        path: _Path,
        max_bytes: Optional[int] = ...,
        touch_interval: Optional[float] = ...,
        limits: Optional[IngestLimits] = ...,
    ) -> None: ...
    def add(self, *paths: Union[_Path, Sequence[_Path]]) -> Dict[str, List[Dict[str, Any]]]: ...
    def find_by_debug_id(self, debug_id: Union[str, bytes]) -> Optional[StoreEntry]: ...
    def find_by_url(self, url: Union[str, bytes]) -> Optional[StoreEntry]: ...
    def entries(self) -> List[Dict[str, Any]]: ...
    def verify(self) -> Dict[str, Any]: ...
    def gc(self) -> Dict[str, int]: ...
