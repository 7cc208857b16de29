import os
from typing import Any, Optional, Union

from mapback.store import Store
from mapback.worker import SymbolicatorConfig

class SparkStoreConfig(SymbolicatorConfig):
    def worker_store_path(self) -> Union[str, bytes]: ...

def symbolicate_events(
    df: Any,  # pyspark.sql.DataFrame
    store: Union[str, bytes, "os.PathLike[str]", Store, SymbolicatorConfig],
    event_column: str = ...,
    output_column: str = ...,
    errors_column: Optional[str] = ...,
    **options: Any,
) -> Any: ...  # pyspark.sql.DataFrame
