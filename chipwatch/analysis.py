"""Helpers for analysts in notebooks: a connection made with the CLI's settings, and the few
reshapes and plots the notebooks show. The notebooks call these; they hold no logic."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from neo4j import Driver

from chipwatch.settings import Settings


def connect_from_env() -> tuple[Driver, str | None]:
    """The driver and database the CLI would use (NEO4J_URI or the local Neo4j)."""
    from graph.connection import connect, database

    settings = Settings.from_env()
    return connect(settings), database(settings)


def timeline_by_month(timeline: pd.DataFrame) -> pd.DataFrame:
    """Pressure events per month and pressed party (rows: months, columns: allies)."""
    if timeline.empty:
        return pd.DataFrame()
    frame = timeline.assign(target=timeline["target"].fillna("(allies)"))
    return frame.pivot_table(index="month", columns="target", values="reports",
                             aggfunc="count", fill_value=0).sort_index()  # fmt: skip


def top_measures(timeline: pd.DataFrame, n: int = 10) -> pd.Series:
    """The measures pressure was most often about, by number of events."""
    return timeline["measure"].dropna().value_counts().head(n)


def plot_network(network: pd.DataFrame, ax: Any = None) -> Any:
    """Who pressed whom, on a circle: arrows from actor to target, width by events."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8))
    names = sorted(set(network["actor"]).union(network["target"].dropna()))
    pos = {n: (math.cos(2 * math.pi * i / max(len(names), 1)),
               math.sin(2 * math.pi * i / max(len(names), 1))) for i, n in enumerate(names)}  # fmt: skip
    for row in network.dropna(subset=["target"]).itertuples():
        (x1, y1), (x2, y2) = pos[row.actor], pos[row.target]
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1),
                    arrowprops={"arrowstyle": "->", "lw": 0.5 + row.events, "alpha": 0.6})  # fmt: skip
    for name, (x, y) in pos.items():
        ax.plot(x, y, "o", color="#1f5fbf")
        ax.text(x * 1.08, y * 1.08, name, ha="left" if x >= 0 else "right", fontsize=8)
    ax.set_axis_off()
    return ax
