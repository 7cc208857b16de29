"""Symbolicate a Spark DataFrame of Sentry events on the executors.

>>> from mapback.spark import symbolicate_events
>>> out = symbolicate_events(df, "/shared/artifacts", event_column="event")
>>> out.select("symbolicated", "symbolicated_errors").write.parquet(...)

Needs ``pyspark`` (3.4 or later) and pyarrow on the driver and the executors
(``pip install mapback[spark]``); importing :mod:`mapback` never imports them. Each
executor's Python worker makes one symbolicator from a picklable
:class:`mapback.worker.SymbolicatorConfig` on its first batch and keeps it for every
later partition and task (Spark reuses its Python workers). docs/scale.md has the
deployment side: where the store lives, shipping it with the job, retries.
"""

from __future__ import absolute_import

import os

from mapback.worker import SymbolicatorConfig, symbolicate_column

__all__ = ["symbolicate_events", "SparkStoreConfig"]


def symbolicate_events(
    df, store, event_column="event", output_column="symbolicated", errors_column=None, **options
):
    """``df`` with two more columns: ``output_column``, each row's event symbolicated
    (the JSON text :meth:`mapback.Symbolicator.symbolicate_event` would give; null when
    the event could not be symbolicated at all), and ``errors_column`` (default
    ``<output_column>_errors``), the row's processing errors as a JSON list: the entries
    symbolication added to the event's ``errors`` (``[]`` when every frame mapped), or
    one ``{"type": "event_not_symbolicated", "error", "message"}`` for an event that is
    null, not JSON, not an object or over a limit. A bad row never fails the job.

    ``event_column`` holds Sentry event JSON, as strings or binary. ``store`` is the
    artifact store's path as every executor sees it: absolute (a shared file system,
    or a copy at the same path on every machine), or relative to where Spark unpacks
    an archive shipped with the job (see :class:`SparkStoreConfig`). It may also be a
    :class:`mapback.Store`, or a :class:`mapback.worker.SymbolicatorConfig`; ``options`` are those of
    :meth:`mapback.Symbolicator.from_store`. Columns of the same names are replaced.
    Lazy, as every DataFrame transformation: nothing runs until an action.

    Runs as one ``mapInArrow`` step (Spark 3.3 and later): rows reach Python in Arrow
    batches (``spark.sql.execution.arrow.maxRecordsPerBatch``, 10,000), each event goes
    from the batch's buffer as bytes through
    :meth:`mapback.Symbolicator.symbolicate_event_json` (JSON to JSON, no Python
    objects), and the results go back as one Arrow array per batch. No pandas.
    """
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    config = _config(store, options)
    if errors_column is None:
        errors_column = output_column + "_errors"
    if output_column == errors_column:
        raise ValueError("output_column and errors_column must differ")
    if event_column not in df.columns:
        raise ValueError("no column %r in the DataFrame (columns: %s)" % (event_column, ", ".join(df.columns)))
    event_type = df.schema[event_column].dataType
    if not isinstance(event_type, (StringType, BinaryType)):
        raise TypeError("column %r must hold strings or binary, not %s" % (event_column, event_type.simpleString()))
    kept = [field for field in df.schema.fields if field.name not in (output_column, errors_column)]
    schema = StructType(kept + [
        StructField(output_column, StringType(), True),
        StructField(errors_column, StringType(), False),
    ])
    kept_names = [field.name for field in kept]
    return df.mapInArrow(_arrow_batches(config, event_column, output_column, errors_column, kept_names), schema)


def _arrow_batches(config, event_column, output_column, errors_column, kept_names):
    """The function ``mapInArrow`` runs on the executors: events as bytes straight from
    the Arrow buffers (no str objects), the results back as one Arrow array per batch."""

    def symbolicate_batches(batches):
        import pyarrow

        binary, text = pyarrow.binary(), pyarrow.string()
        for batch in batches:
            events = batch.column(batch.schema.get_field_index(event_column))
            if events.type != binary:
                # string: a view (UTF-8 text is bytes already); large_string or
                # large_binary (spark.sql.execution.arrow.useLargeVarTypes): a copy.
                events = events.cast(binary)
            outputs, errors = symbolicate_column(config, events.to_pylist(), as_bytes=True)
            columns = [batch.column(batch.schema.get_field_index(name)) for name in kept_names]
            columns.append(pyarrow.array(outputs, type=binary).cast(text))
            columns.append(pyarrow.array(errors, type=text))
            yield pyarrow.RecordBatch.from_arrays(columns, names=kept_names + [output_column, errors_column])

    return symbolicate_batches


def _config(store, options):
    if isinstance(store, SymbolicatorConfig):
        if options:
            raise TypeError("give the options in the SymbolicatorConfig, not beside it")
        return store
    return SparkStoreConfig(store, **options)


class SparkStoreConfig(SymbolicatorConfig):
    """A :class:`mapback.worker.SymbolicatorConfig` whose relative store path is found
    on each executor where Spark puts what is shipped with the job: the working
    directory (``spark-submit --archives store.tar.gz#artifacts`` on YARN and
    Kubernetes), else the SparkFiles directory (``SparkContext.addArchive``, and
    ``--archives`` in local mode). An absolute path is opened as it is."""

    __slots__ = ()

    def worker_store_path(self):
        path = self.store_path
        if os.path.isabs(path) or os.path.isdir(path):
            return path
        from pyspark import SparkFiles

        try:
            root = SparkFiles.getRootDirectory()
        except Exception:  # not on an executor, nor on a driver with a SparkContext
            return path
        if isinstance(path, bytes):
            root = root.encode("utf-8")
        shipped = os.path.join(root, path)
        return shipped if os.path.isdir(shipped) else path
