import os
from typing import Any, Optional, Union

from mapback.store import Store
from mapback.worker import SymbolicatorConfig

def symbolicate_events(
    collection: Any,  # dask.bag.Bag or dask.dataframe.DataFrame
    store: Union[str, bytes, "os.PathLike[str]", Store, SymbolicatorConfig],
    event_column: str = ...,
    output_column: str = ...,
    errors_column: Optional[str] = ...,
    **options: Any,
) -> Any: ...  # the same kind of collection
