"""The example query ``make demo`` runs on a synced DuckDB file.

``python -m booqable_async.sync.example PATH [DATASET]`` prints the latest orders with
their customer's name and their number of lines: a join Booqable's list endpoints cannot
give (an orders list cannot include lines), and one query once the tables are synced.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["ORDERS_WITH_CUSTOMERS", "main", "orders_with_customers"]

#: Orders with their customer's name and line count, newest start first.
ORDERS_WITH_CUSTOMERS = """
SELECT o.number, o.status, c.name AS customer, count(l.id) AS lines,
       o.grand_total_in_cents AS total_in_cents, o.starts_at
FROM {dataset}.orders AS o
LEFT JOIN {dataset}.customers AS c ON c.id = o.customer_id
LEFT JOIN {dataset}.lines AS l ON l.order_id = o.id AND NOT coalesce(l.archived, FALSE)
WHERE o.number IS NOT NULL
GROUP BY o.id, o.number, o.status, c.name, o.grand_total_in_cents, o.starts_at
ORDER BY o.starts_at DESC, o.number DESC
LIMIT {limit}
"""


def orders_with_customers(
    path: str, dataset: str = "booqable_demo", limit: int = 10
) -> list[tuple[object, ...]]:
    """Run :data:`ORDERS_WITH_CUSTOMERS` on a DuckDB file (read only) and return the rows.

    Args:
        path: The DuckDB file a sync wrote.
        dataset: The dataset (schema) holding the tables.
        limit: Most rows to return.
    """
    import duckdb

    if not dataset.replace("_", "").isalnum():
        raise ValueError(f"not a dataset name: {dataset!r}")
    with duckdb.connect(path, read_only=True) as connection:
        sql = ORDERS_WITH_CUSTOMERS.format(dataset=dataset, limit=int(limit))
        return connection.execute(sql).fetchall()


def main(argv: Sequence[str] | None = None) -> int:
    """Print the example query's result as a table; returns the exit code."""
    from rich.console import Console
    from rich.table import Table

    args = list(sys.argv[1:] if argv is None else argv)
    if not 1 <= len(args) <= 2:
        print("usage: python -m booqable_async.sync.example PATH [DATASET]", file=sys.stderr)
        return 2
    rows = orders_with_customers(args[0], args[1] if len(args) > 1 else "booqable_demo")
    table = Table(title="Latest orders, with customer and line count (one SQL join)")
    for name, justify in (
        ("number", "right"),
        ("status", "left"),
        ("customer", "left"),
        ("lines", "right"),
        ("total", "right"),
        ("starts", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for number, status, customer, lines, cents, starts in rows:
        table.add_row(
            str(number),
            str(status),
            str(customer or "-"),
            str(lines),
            f"{int(cents or 0) / 100:,.2f}",  # type: ignore[call-overload]
            f"{starts:%Y-%m-%d}" if starts is not None else "-",
        )
    Console(width=80).print(table)
    return 0


if __name__ == "__main__":  # pragma: no cover - run by make demo
    sys.exit(main())
