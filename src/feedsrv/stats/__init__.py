"""Subscriber statistics: who reads each feed and what serving it cost, per day.

``report`` holds the figures as the API, the CLI and the ``/stats`` page show them;
``agents`` reads the subscriber counts aggregators put in their User-Agent;
``collect`` counts in the request path, in memory; ``store`` keeps the figures (a
SQLite file, or the shared database) and reads them back; ``views`` writes them
as JSON and as terminal tables.
"""

from .agents import AggregatorReport, parse_user_agent
from .collect import Batch, StatsCollector, Traffic
from .report import FeedDay, FeedStats, StatsReport, StatsSource
from .store import StatsReader, StatsStore, client_digest, open_stats_store
from .views import format_report, report_json, totals

__all__ = [
    "AggregatorReport", "Batch", "FeedDay", "FeedStats", "StatsCollector", "StatsReader", "StatsReport",
    "StatsSource", "StatsStore", "Traffic", "client_digest", "format_report", "open_stats_store",
    "parse_user_agent", "report_json", "totals",
]
