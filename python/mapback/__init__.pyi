from mapback.cache import Cache as Cache, open_cache as open_cache
from mapback.exceptions import *
from mapback.produce import (
    Builder as Builder,
    add_debug_id_comment as add_debug_id_comment,
    compose as compose,
    concat as concat,
    text_end_position as text_end_position,
)
from mapback.store import (
    IngestLimits as IngestLimits,
    Store as Store,
    StoreEntry as StoreEntry,
)
from mapback.symbolicate import (
    SymbolicatedFrame as SymbolicatedFrame,
    SymbolicatedTrace as SymbolicatedTrace,
    Symbolicator as Symbolicator,
)
from mapback.sourcemap import (
    GREATEST_LOWER_BOUND as GREATEST_LOWER_BOUND,
    LEAST_UPPER_BOUND as LEAST_UPPER_BOUND,
    SourceMap as SourceMap,
)
from mapback.validation import validate as validate
from mapback.inspector import inspect_html as inspect_html
from mapback.values import (
    Context as Context,
    DecodeLimits as DecodeLimits,
    Diagnostic as Diagnostic,
    LookupBatch as LookupBatch,
    Source as Source,
    Token as Token,
)

__version__: str
