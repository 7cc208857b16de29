import os
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from mapback.store import Store
from mapback.symbolicate import Symbolicator

EVENT_NOT_SYMBOLICATED: str

_Event = Union[str, bytes, None]

class SymbolicatorConfig:
    store_path: Union[str, bytes]
    options: Dict[str, Any]
    def __init__(self, store: Union[str, bytes, "os.PathLike[str]", Store], **options: Any) -> None: ...
    def new_symbolicator(self) -> Symbolicator: ...
    def symbolicator(self) -> Symbolicator: ...
    def symbolicate_event_json(self, event: _Event) -> Tuple[Optional[bytes], List[Dict[str, Any]]]: ...

def added_errors(event: Union[str, bytes], symbolicated: bytes) -> List[Dict[str, Any]]: ...
def symbolicate_column(config: SymbolicatorConfig, events: Iterable[Any]) -> Tuple[List[Optional[str]], List[str]]: ...
