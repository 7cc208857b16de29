from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from mapback._lowlevel import RustObject
from mapback.store import Store
from mapback.values import DecodeLimits

_Loader = Callable[[str], Optional[Union[bytes, str]]]

class SymbolicatedFrame:
    filename: Optional[str]
    abs_path: Optional[str]
    lineno: Optional[int]
    colno: Optional[int]
    function: Optional[str]
    context_line: Optional[str]
    pre_context: List[str]
    post_context: List[str]
    in_app: bool
    unmapped_reason: Optional[Dict[str, str]]
    inlined: bool
    column_refined: bool  # colno found by walking tokens from the segment before it
    function_origin: Optional[str]  # "scopes", "function_map", "original_source", "minified_script"
    found_by: Optional[str]  # "debug_id" or "url"
    map_url: Optional[str]
    minified: Dict[str, Any]
    @property
    def mapped(self) -> bool: ...
    def as_dict(self) -> Dict[str, Any]: ...

class SymbolicatedTrace:
    error_type: Optional[str]
    message: Optional[str]
    frames: List[SymbolicatedFrame]
    truncated: bool
    def __iter__(self) -> Iterator[SymbolicatedFrame]: ...
    def __len__(self) -> int: ...
    def as_dict(self) -> Dict[str, Any]: ...

ENGINES: Dict[Optional[str], int]

class Symbolicator(RustObject):
    loader_errors: List[str]
    @classmethod
    def from_store(
        cls,
        store: Store,
        context_lines: int = ...,
        max_line_chars: int = ...,
        max_cached_scripts: int = ...,
        *,
        inlined_frames: bool = ...,
        map_limits: Optional[DecodeLimits] = ...,
        max_parse_bytes: Optional[int] = ...,
        max_data_url_bytes: Optional[int] = ...,
        max_trace_bytes: Optional[int] = ...,
        max_trace_line_bytes: Optional[int] = ...,
        max_trace_frames: Optional[int] = ...,
        max_event_bytes: Optional[int] = ...,
        max_event_frames: Optional[int] = ...,
        max_event_values: Optional[int] = ...,
    ) -> Symbolicator: ...
    @classmethod
    def from_loader(
        cls,
        loader: _Loader,
        context_lines: int = ...,
        max_line_chars: int = ...,
        max_cached_scripts: int = ...,
        *,
        inlined_frames: bool = ...,
        map_limits: Optional[DecodeLimits] = ...,
        max_parse_bytes: Optional[int] = ...,
        max_data_url_bytes: Optional[int] = ...,
        max_trace_bytes: Optional[int] = ...,
        max_trace_line_bytes: Optional[int] = ...,
        max_trace_frames: Optional[int] = ...,
        max_event_bytes: Optional[int] = ...,
        max_event_frames: Optional[int] = ...,
        max_event_values: Optional[int] = ...,
    ) -> Symbolicator: ...
    @classmethod
    def from_directories(
        cls,
        url_prefixes: Optional[Union[Mapping[str, str], Sequence[Tuple[str, str]]]] = ...,
        maps_dirs: Optional[Iterable[str]] = ...,
        context_lines: int = ...,
        max_line_chars: int = ...,
        max_cached_scripts: int = ...,
        *,
        inlined_frames: bool = ...,
        map_limits: Optional[DecodeLimits] = ...,
        max_parse_bytes: Optional[int] = ...,
        max_data_url_bytes: Optional[int] = ...,
        max_trace_bytes: Optional[int] = ...,
        max_trace_line_bytes: Optional[int] = ...,
        max_trace_frames: Optional[int] = ...,
        max_event_bytes: Optional[int] = ...,
        max_event_frames: Optional[int] = ...,
        max_event_values: Optional[int] = ...,
    ) -> Symbolicator: ...
    def symbolicate(self, trace: Union[str, bytes]) -> SymbolicatedTrace: ...
    def symbolicate_event(self, event: Union[Mapping[str, Any], str, bytes]) -> Dict[str, Any]: ...
    def symbolicate_event_json(self, event: Union[str, bytes]) -> bytes: ...
    def symbolicate_frames(
        self,
        frames: Union[Sequence[Mapping[str, Any]], str, bytes],
        images: Optional[Union[Sequence[Mapping[str, Any]], str, bytes]] = ...,
        engine: Optional[str] = ...,
    ) -> List[Dict[str, Any]]: ...

def check_options(options: Mapping[str, Any]) -> None: ...
