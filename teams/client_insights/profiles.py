"""Client profiles: each client's history summarised into one row, in polars: the logic is a
lazy query that polars optimises and streams into the table."""

import polars as pl

from platform_lib import TableChecks, warehouse_asset
from teams.client_insights.contracts import ClientProfiles


def order_history(orders: pl.LazyFrame, as_of: pl.Expr) -> pl.LazyFrame:
    """Per client, from orders placed before ``as_of`` (an expression: a date, or one
    computed from the orders): count, items, keep rate, revenue, last order date and the
    stylist who styled most of their boxes."""
    past = orders.with_columns(as_of=as_of).filter(pl.col("order_date") < pl.col("as_of"))
    primary_stylist = (
        past.group_by("client_id", "stylist_id")
        .agg(boxes=pl.len())
        .sort(["client_id", "boxes", "stylist_id"], descending=[False, True, False])
        .group_by("client_id", maintain_order=True)
        .agg(primary_stylist_id=pl.col("stylist_id").first())
    )
    return (
        past.group_by("client_id")
        .agg(
            n_orders=pl.col("order_id").count().cast(pl.Int64),
            items_sent=pl.col("items_sent").sum(),
            items_kept=pl.col("items_kept").sum(),
            total_revenue=pl.col("revenue").sum(),
            last_order_date=pl.col("order_date").max(),
            as_of=pl.col("as_of").first(),
        )
        .with_columns(
            keep_rate=pl.col("items_kept") / pl.col("items_sent"),
            days_since_last_order=(pl.col("as_of") - pl.col("last_order_date")).dt.total_days(),
        )
        .drop("as_of")
        .join(primary_stylist, on="client_id", how="left")
        .sort("client_id")
    )


def build_profiles(clients: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """One row per client: CRM attributes plus order history as of the latest order day.
    Clients who never ordered have zero orders and no keep rate."""
    as_of = pl.col("order_date").max() + pl.duration(days=1)
    counts = ["n_orders", "items_sent", "items_kept"]
    return (
        clients.join(orders.select(as_of=as_of), how="cross")
        .join(order_history(orders, as_of), on="client_id", how="left")
        .with_columns(
            pl.col(counts).fill_null(0),
            pl.col("total_revenue").fill_null(0.0),
            pl.col("days_since_last_order").cast(pl.Float64),
            tenure_days=(pl.col("as_of") - pl.col("signup_date")).dt.total_days(),
        )
        .drop("as_of")
        .sort("client_id")
    )


@warehouse_asset(
    contract=ClientProfiles, table_checks=TableChecks(not_empty=True), sample_by="client_id"
)
def client_profiles(raw_clients: pl.DataFrame, raw_orders: pl.DataFrame) -> pl.LazyFrame:
    """One row per client: region, size, style preference, budget, tenure, and order
    history (orders, items sent and kept, keep rate, revenue, recency, primary stylist)."""
    # read eagerly: a polars plan that scans lazy DuckDB inputs more than once at a time (a
    # join of two, or one twice) fails in DuckDB's polars source (one pending query a
    # connection), and this one scans the orders three times
    return build_profiles(raw_clients.lazy(), raw_orders.lazy())
