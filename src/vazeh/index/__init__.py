"""Search: the engine behind a small interface, the query language, near-duplicate grouping."""

from vazeh.index.query import QueryError
from vazeh.index.search import SearchHit, SearchIndex, SearchResults, Story

__all__ = ["QueryError", "SearchHit", "SearchIndex", "SearchResults", "Story"]
