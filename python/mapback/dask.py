"""Symbolicate a Dask bag or DataFrame of Sentry events on the workers.

>>> from mapback.dask import symbolicate_events
>>> pairs = symbolicate_events(bag_of_event_json, "/shared/artifacts")
>>> frame = symbolicate_events(ddf, "/shared/artifacts", event_column="event")

Needs ``dask[distributed]`` (``pip install mapback[dask]``); importing :mod:`mapback`
never imports it. Each worker process makes one symbolicator from a picklable
:class:`mapback.worker.SymbolicatorConfig` on its first partition and keeps it for
every later one. docs/scale.md has the deployment side.
"""

from __future__ import absolute_import

from mapback.worker import SymbolicatorConfig, symbolicate_column

__all__ = ["symbolicate_events"]


def symbolicate_events(
    collection, store, event_column="event", output_column="symbolicated", errors_column=None, **options
):
    """Symbolicate every event of a Dask collection, partition by partition, on the
    workers; lazy, as every Dask collection (``.compute()`` runs it).

    - A ``dask.bag.Bag`` of event JSON (text or bytes) gives a bag of
      ``(symbolicated, errors)`` pairs, in the same order: the symbolicated event's
      JSON text (None when the event could not be symbolicated at all) and the row's
      processing errors as a JSON list (see :func:`mapback.spark.symbolicate_events`).
    - A ``dask.dataframe.DataFrame`` whose ``event_column`` holds event JSON gives the
      DataFrame with ``output_column`` and ``errors_column`` (default
      ``<output_column>_errors``) added, as the Spark function does.

    ``store`` is the artifact store's path as every worker sees it (or a
    :class:`mapback.Store`, or a :class:`mapback.worker.SymbolicatorConfig`);
    ``options`` are those of :meth:`mapback.Symbolicator.from_store`.
    """
    import dask.bag

    try:
        import dask.dataframe as dataframe
    except ImportError:  # dask without pandas: bags only
        dataframe = None
    if isinstance(store, SymbolicatorConfig):
        if options:
            raise TypeError("give the options in the SymbolicatorConfig, not beside it")
        config = store
    else:
        config = SymbolicatorConfig(store, **options)
    if isinstance(collection, dask.bag.Bag):
        return collection.map_partitions(_bag_partition, config)
    if dataframe is not None and isinstance(collection, dataframe.DataFrame):
        if errors_column is None:
            errors_column = output_column + "_errors"
        if output_column == errors_column:
            raise ValueError("output_column and errors_column must differ")
        if event_column not in collection.columns:
            raise ValueError("no column %r in the DataFrame (columns: %s)"
                             % (event_column, ", ".join(map(str, collection.columns))))
        meta = collection._meta.drop(columns=[c for c in (output_column, errors_column) if c in collection.columns])
        meta = meta.assign(**{output_column: meta[event_column].astype(object),
                              errors_column: meta[event_column].astype(object)})
        return collection.map_partitions(
            _frame_partition, config, event_column, output_column, errors_column, meta=meta
        )
    raise TypeError("expected a dask.bag.Bag or a dask.dataframe.DataFrame, not %s" % type(collection).__name__)


def _bag_partition(events, config):
    outputs, errors = symbolicate_column(config, events)
    return list(zip(outputs, errors))


def _frame_partition(frame, config, event_column, output_column, errors_column):
    outputs, errors = symbolicate_column(config, frame[event_column])
    frame = frame.drop(columns=[c for c in (output_column, errors_column) if c in frame.columns])
    return frame.assign(**{output_column: outputs, errors_column: errors})
