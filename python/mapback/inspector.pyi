import os
from typing import Optional, Union

def inspect_html(
    map_bytes_or_path: Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"],
    script: Optional[Union[str, bytes]] = ...,
    map_name: Optional[str] = ...,
    script_name: Optional[str] = ...,
) -> bytes: ...
