import array
from typing import ClassVar, List, NamedTuple, Optional, Sequence, Type

from mapback._lowlevel import Bounds
from mapback.exceptions import MapbackError

class Context(NamedTuple):
    pre_context: List[str]
    context_line: str
    post_context: List[str]

class Token:
    index: int
    generated_line: int
    generated_column: int
    source_index: Optional[int]
    original_line: Optional[int]
    original_column: Optional[int]
    name_index: Optional[int]
    @property
    def has_original(self) -> bool: ...
    @property
    def is_range(self) -> bool: ...
    @property
    def source(self) -> Optional[Source]: ...
    @property
    def name(self) -> Optional[str]: ...
    def as_dict(self) -> dict: ...

class LookupBatch:
    NONE: int
    found: int
    def __len__(self) -> int: ...
    def column(self, name: str) -> array.array: ...
    @property
    def token_index(self) -> array.array: ...
    @property
    def generated_line(self) -> array.array: ...
    @property
    def generated_column(self) -> array.array: ...
    @property
    def source_index(self) -> array.array: ...
    @property
    def original_line(self) -> array.array: ...
    @property
    def original_column(self) -> array.array: ...
    @property
    def name_index(self) -> array.array: ...
    def token(self, position: int) -> Optional[Token]: ...

class Source:
    index: int
    name: Optional[str]
    url: Optional[str]
    path: Optional[str]
    ignored: bool
    @property
    def content(self) -> Optional[str]: ...
    @property
    def line_count(self) -> int: ...
    def line(self, line: int) -> Optional[str]: ...
    def context(self, line: int, before: int = ..., after: int = ...) -> Optional[Context]: ...

class Diagnostic:
    code: int
    message: str
    offset: int
    @property
    def kind(self) -> Type[MapbackError]: ...

class DecodeLimits(Bounds):
    UNLIMITED: ClassVar[DecodeLimits]
    max_input_bytes: Optional[int]
    max_mappings: Optional[int]
    max_sources: Optional[int]
    max_names: Optional[int]
    def __init__(
        self,
        max_input_bytes: Optional[int] = ...,
        max_mappings: Optional[int] = ...,
        max_sources: Optional[int] = ...,
        max_names: Optional[int] = ...,
    ) -> None: ...

def token_from_fields(source_map: object, fields: Sequence[int]) -> Token: ...
