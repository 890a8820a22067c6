"""chipwatch: a policy-news tracker and knowledge graph for semiconductor export controls."""

from __future__ import annotations

__version__ = "0.1.0"
