from mapback.exceptions import *
from mapback.produce import (
    Builder as Builder,
    add_debug_id_comment as add_debug_id_comment,
    compose as compose,
    concat as concat,
    text_end_position as text_end_position,
)
from mapback.symbolicate import (
    SymbolicatedFrame as SymbolicatedFrame,
    SymbolicatedTrace as SymbolicatedTrace,
    Symbolicator as Symbolicator,
)
from mapback.sourcemap import (
    GREATEST_LOWER_BOUND as GREATEST_LOWER_BOUND,
    LEAST_UPPER_BOUND as LEAST_UPPER_BOUND,
    Cache as Cache,
    Context as Context,
    DecodeLimits as DecodeLimits,
    open_cache as open_cache,
    Diagnostic as Diagnostic,
    LookupBatch as LookupBatch,
    Source as Source,
    SourceMap as SourceMap,
    Token as Token,
)

__version__: str
