"""Subscriber statistics: who reads each feed and what serving it cost, per day.

``report`` holds the figures as the API, the CLI and the ``/stats`` page show them.
"""

from .report import FeedDay, FeedStats, StatsReport, StatsSource

__all__ = ["FeedDay", "FeedStats", "StatsReport", "StatsSource"]
