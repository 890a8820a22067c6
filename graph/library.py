"""The named query library: ``graph/cypher/*.cypher``, run from Python, the CLI or Neo4j Browser.

Each file is one parameterised query that analysts can paste into Neo4j Browser as it is. Its
header is the one description of the query and its parameters::

    // pressure-timeline
    // Who pressed whom about what, by month ...
    // @param ally   str = null    The pressed side, e.g. country/nl.
    // @param limit  int = 500     Most rows.

A parameter's default is a JSON value, or ``required``. This module reads the files (nothing
else holds a copy of the Cypher), fills in defaults, converts CLI strings to the declared types,
and runs everything in read transactions. ``run_cypher`` runs an analyst's own query the same
way and refuses anything that would write.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from neo4j import READ_ACCESS, Driver, ManagedTransaction
from neo4j.exceptions import Neo4jError

from chipwatch.errors import ChipwatchError

logger = logging.getLogger(__name__)

CYPHER_DIR = Path(__file__).resolve().parent / "cypher"
ParamType = Literal["str", "int", "float", "bool"]
_PARAM = re.compile(r"^//\s*@param\s+(\w+)\s+(str|int|float|bool)\s*=\s*(required|\S+)\s*(.*)$")
_REQUIRED = object()


class QueryError(ChipwatchError):
    """A named query or an ad-hoc query could not be run as asked."""


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    default: Any  # _REQUIRED when the caller must give it
    description: str

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def convert(self, raw: str) -> Any:
        """A CLI string as this parameter's type."""
        try:
            if self.type == "int":
                return int(raw)
            if self.type == "float":
                return float(raw)
            if self.type == "bool":
                if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(raw)
                return raw.lower() in ("true", "1", "yes")
        except ValueError as e:
            raise QueryError(f"parameter {self.name} must be {self.type}, got {raw!r}") from e
        return raw


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    cypher: str
    path: Path

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"{self.name} has no parameter {name!r} (parameters: {known})")

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Every declared parameter, from ``given`` or its default; unknown names are errors."""
        for name in given:
            self.param(name)
        bound = {}
        for p in self.params:
            if p.name in given and given[p.name] is not None:
                bound[p.name] = given[p.name]
            elif p.required:
                raise QueryError(f"{self.name} needs the parameter {p.name}: {p.description}")
            else:
                bound[p.name] = p.default
        return bound

    def browser_params(self) -> str:
        """A ``:params`` line to paste into Neo4j Browser before the query."""
        values = {p.name: None if p.required else p.default for p in self.params}
        return ":params " + json.dumps(values, ensure_ascii=False)


def parse(path: Path) -> NamedQuery:
    """Reads one ``.cypher`` file and its header."""
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: list[Param] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        match = _PARAM.match(stripped)
        if match:
            name, type_, default, desc = match.groups()
            value = _REQUIRED if default == "required" else json.loads(default)
            params.append(Param(name, type_, value, desc.strip()))  # type: ignore[arg-type]
        elif not params:
            description.append(stripped.lstrip("/").strip())
    if description and description[0] == path.stem:
        description = description[1:]
    used = set(re.findall(r"\$(\w+)", text))
    declared = {p.name for p in params}
    if used != declared:
        raise QueryError(
            f"{path.name}: parameters used {sorted(used)} but declared {sorted(declared)}"
        )
    return NamedQuery(path.stem, " ".join(description), tuple(params), text, path)


@cache
def queries() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    return {p.stem: parse(p) for p in sorted(CYPHER_DIR.glob("*.cypher"))}


def get(name: str) -> NamedQuery:
    try:
        return queries()[name]
    except KeyError:
        raise QueryError(
            f"no query named {name!r}; the queries are: {', '.join(queries())}"
        ) from None


# --- running -------------------------------------------------------------------------------

Rows = tuple[list[str], list[dict[str, Any]]]


def _fetch(
    tx: ManagedTransaction, cypher: str, params: dict[str, Any]
) -> tuple[list[str], list[dict[str, Any]], list[str]]:
    result = tx.run(cypher, params)
    keys = list(result.keys())
    rows = [record.data() for record in result]
    summary = result.consume()
    found = [s.status_description for s in summary.gql_status_objects if s.is_notification]
    return keys, rows, found


def fetch(
    driver: Driver,
    cypher: str,
    params: dict[str, Any],
    *,
    database: str | None = None,
    notices: list[str] | None = None,
) -> Rows:
    """Column names and rows (plain Python values) of a query run in a read transaction.
    ``notices`` collects the server's warnings (a misspelt property, a cartesian product);
    without it none are asked for, as for the named queries, where they are known noise
    (a property no record has used yet)."""
    severity: Literal["WARNING", "OFF"] = "WARNING" if notices is not None else "OFF"
    try:
        with driver.session(
            database=database, default_access_mode=READ_ACCESS,
            notifications_min_severity=severity,
        ) as session:  # fmt: skip
            keys, rows, found = session.execute_read(_fetch, cypher, params)
    except Neo4jError as e:
        raise QueryError(f"the query failed: {e.message or e}") from e
    if notices is not None:
        notices.extend(found)
    return keys, rows


def run_rows(
    driver: Driver, name: str, params: dict[str, Any] | None = None, *, database: str | None = None
) -> Rows:
    """A named query's column names and rows."""
    query = get(name)
    return fetch(driver, query.cypher, query.bind(params or {}), database=database)


def run(
    driver: Driver, name: str, params: dict[str, Any] | None = None, *, database: str | None = None
) -> pd.DataFrame:
    """A named query's rows as a DataFrame (columns in the query's order)."""
    keys, rows = run_rows(driver, name, params, database=database)
    return pd.DataFrame.from_records(rows, columns=keys)


def _query_type(tx: ManagedTransaction, cypher: str) -> str | None:
    return tx.run("EXPLAIN " + cypher).consume().query_type


def check_read_only(driver: Driver, cypher: str, *, database: str | None = None) -> None:
    """Raises ``QueryError`` unless Neo4j plans ``cypher`` as a read-only query. The read
    transaction it then runs in would refuse a write anyway; this says so before running."""
    try:
        with driver.session(
            database=database, default_access_mode=READ_ACCESS, notifications_min_severity="OFF"
        ) as session:
            query_type = session.execute_read(_query_type, cypher)
    except Neo4jError as e:
        raise QueryError(f"the query failed: {e.message or e}") from e
    if query_type != "r":
        kinds = {"rw": "reads and writes", "w": "writes", "s": "changes the schema"}
        kind = kinds.get(query_type or "", "is not read-only")
        raise QueryError(f"refused: the query {kind}; chipwatch cypher only runs read queries")


def run_cypher_rows(
    driver: Driver,
    cypher: str,
    params: dict[str, Any] | None = None,
    *,
    database: str | None = None,
    notices: list[str] | None = None,
) -> Rows:
    """An analyst's own query, read-only: refused before it runs when it would write."""
    check_read_only(driver, cypher, database=database)
    return fetch(driver, cypher, params or {}, database=database, notices=notices)


def run_cypher(
    driver: Driver,
    cypher: str,
    params: dict[str, Any] | None = None,
    *,
    database: str | None = None,
) -> pd.DataFrame:
    """An analyst's own query, read-only, as a DataFrame."""
    keys, rows = run_cypher_rows(driver, cypher, params, database=database)
    return pd.DataFrame.from_records(rows, columns=keys)


# --- one typed function per named query (None: the query's own default) --------------------


def _given(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def pressure_timeline(
    driver: Driver, *, ally: str | None = None, actor: str | None = None,
    measure: str | None = None, since: str | None = None, until: str | None = None,
    links: int | None = None, limit: int | None = None, database: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    params = _given(ally=ally, actor=actor, measure=measure, since=since, until=until,
                    links=links, limit=limit)  # fmt: skip
    return run(driver, "pressure-timeline", params, database=database)


def actor_profile(
    driver: Driver, entity: str, *, limit: int | None = None, database: str | None = None
) -> pd.DataFrame:
    return run(driver, "actor-profile", _given(entity=entity, limit=limit), database=database)


def measure_history(
    driver: Driver, measure: str, *, limit: int | None = None, database: str | None = None
) -> pd.DataFrame:
    return run(driver, "measure-history", _given(measure=measure, limit=limit), database=database)


def pressure_network(
    driver: Driver, *, since: str | None = None, until: str | None = None,
    min_events: int | None = None, limit: int | None = None, database: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    params = _given(since=since, until=until, min_events=min_events, limit=limit)
    return run(driver, "pressure-network", params, database=database)


def ally_responses(
    driver: Driver, *, ally: str | None = None, since: str | None = None,
    until: str | None = None, limit: int | None = None, database: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    params = _given(ally=ally, since=since, until=until, limit=limit)
    return run(driver, "ally-responses", params, database=database)


def company_exposure(
    driver: Driver, company: str, *, limit: int | None = None, database: str | None = None
) -> pd.DataFrame:
    return run(driver, "company-exposure", _given(company=company, limit=limit), database=database)


def co_mentions(
    driver: Driver, entity: str, *, since: str | None = None, until: str | None = None,
    min_articles: int | None = None, limit: int | None = None, database: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    params = _given(entity=entity, since=since, until=until, min_articles=min_articles,
                    limit=limit)  # fmt: skip
    return run(driver, "co-mentions", params, database=database)


def quotes_by(
    driver: Driver, speaker: str, *, since: str | None = None, until: str | None = None,
    limit: int | None = None, database: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    params = _given(speaker=speaker, since=since, until=until, limit=limit)
    return run(driver, "quotes-by", params, database=database)


def entity_search(
    driver: Driver, text: str, *, limit: int | None = None, database: str | None = None
) -> pd.DataFrame:
    return run(driver, "entity-search", _given(text=text, limit=limit), database=database)


FUNCTIONS = {
    "pressure-timeline": pressure_timeline, "actor-profile": actor_profile,
    "measure-history": measure_history, "pressure-network": pressure_network,
    "ally-responses": ally_responses, "company-exposure": company_exposure,
    "co-mentions": co_mentions, "quotes-by": quotes_by, "entity-search": entity_search,
}  # fmt: skip
