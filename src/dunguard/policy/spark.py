"""The Spark engine: the same policy queries on Spark SQL (``pip install 'dunguard[spark]'``,
Java 17). The prepared ``events`` table is handed to Spark as Parquet; in local mode that is a
temporary file, on a cluster point ``SparkEngine(stage_dir=...)`` at shared storage."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dunguard.errors import ConfigError
from dunguard.policy.engine import HIT_SCHEMA, Progress
from dunguard.policy.loader import EventLog
from dunguard.policy.packs import PolicySpec
from dunguard.policy.queries import HIT_COLUMNS, hits_sql, policy_keys_sql, policy_sql

__all__ = ["SparkEngine", "spark_session"]


def spark_session(master: str = "local[2]") -> Any:
    """A Spark session for dunguard (reused if one is active)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "the Spark engine needs pyspark: pip install 'dunguard[spark]' (and Java 17)"
        ) from None
    return (
        SparkSession.builder.master(master)
        .appName("dunguard-audit")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


class SparkEngine:
    name = "spark"

    def __init__(
        self, session: Any = None, *, master: str = "local[2]", stage_dir: str | Path | None = None
    ) -> None:
        self._session = session
        self._master = master
        self._stage_root = Path(stage_dir) if stage_dir else None
        self._staged: tuple[EventLog, Path] | None = None

    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = spark_session(self._master)
        return self._session

    def _stage(self, log: EventLog) -> None:
        if self._staged is not None and self._staged[0] is log:
            return
        self.close()
        root = self._stage_root or Path(tempfile.mkdtemp(prefix="dunguard-spark-"))
        path = root / f"events-{uuid.uuid4().hex}.parquet"
        log.con.execute(f"COPY events TO '{path}' (FORMAT parquet)")
        self.session.read.parquet(str(path)).createOrReplaceTempView("events")
        self._staged = (log, path)

    def run(self, log: EventLog, spec: PolicySpec) -> pa.Table:
        self._stage(log)
        rows = self.session.sql(policy_sql(spec)).collect()
        return pa.Table.from_pylist([r.asDict() for r in rows], schema=HIT_SCHEMA).select(
            list(HIT_COLUMNS)
        )

    def run_all(
        self, log: EventLog, specs: list[PolicySpec], progress: Progress | None = None
    ) -> pa.Table:
        """Every policy's narrow query in one Spark SQL statement: their keys as one
        ``UNION ALL``, then the text columns joined back once (one job instead of one per
        policy, each with its own join). Unsorted; ``audit`` sorts. ``progress`` is called for
        every policy after the statement has run."""
        if not specs:
            return HIT_SCHEMA.empty_table()
        self._stage(log)
        keys = " UNION ALL ".join(
            f"SELECT * FROM ({policy_keys_sql(s)}) k{i}" for i, s in enumerate(specs)
        )
        table = self.session.sql(hits_sql(keys)).toArrow()
        table = table.select(list(HIT_COLUMNS)).cast(HIT_SCHEMA)
        if progress is not None:
            vc = pc.value_counts(table.column("rule"))
            counts = dict(
                zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True)
            )
            for i, spec in enumerate(specs, start=1):
                progress(i, len(specs), spec, int(counts.get(spec.id, 0)))
        return table

    def close(self) -> None:
        """Remove the staged copy of the last log (the session stays up for reuse)."""
        if self._staged is not None:
            path = self._staged[1]
            if self._stage_root is None:
                shutil.rmtree(path.parent, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            self._staged = None
