import os
from typing import Any, Dict, Optional, Union

def validate(
    map_bytes_or_path: Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"],
    script: Optional[Union[str, bytes]] = ...,
) -> Dict[str, Any]: ...
