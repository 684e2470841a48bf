"""Drift statistics (libmlops drift.h): tests and distances between a
reference and a current sample, reference profiles and dataset reports."""
from __future__ import annotations

__all__: list = []
