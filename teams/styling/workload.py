"""Stylist workload: the boxes each stylist has to style, and how many clients are at risk."""

import pandas as pd
from dagster import AssetIn

from platform_lib import warehouse_asset
from teams.styling.contracts import StylistWorkload


def workload(
    recommendations: pd.DataFrame, profiles: pd.DataFrame, churn: pd.DataFrame
) -> pd.DataFrame:
    """Per primary stylist: clients with a box to style, items to review, and how many of
    those clients are at high churn risk (who should be styled first)."""
    clients = (
        recommendations.groupby("client_id")
        .size()
        .rename("items")
        .reset_index()
        .merge(profiles[["client_id", "primary_stylist_id"]], on="client_id")
        .merge(churn[["client_id", "risk_band"]], on="client_id", how="left")
    )
    clients["at_risk"] = clients["risk_band"].eq("high")
    result = (
        clients.groupby("primary_stylist_id")
        .agg(
            clients_to_style=("client_id", "count"),
            items_to_review=("items", "sum"),
            at_risk_clients=("at_risk", "sum"),
        )
        .reset_index()
        .rename(columns={"primary_stylist_id": "stylist_id"})
    )
    result["at_risk_share"] = result["at_risk_clients"] / result["clients_to_style"]
    return result.astype({"stylist_id": "int64", "at_risk_clients": "int64"}).sort_values(
        "stylist_id", ignore_index=True
    )


@warehouse_asset(
    contract=StylistWorkload,
    ins={
        "client_profiles": AssetIn(
            key=["client_insights", "client_profiles"],
            metadata={"columns": {"client_id": "int64", "primary_stylist_id": "Int64"}},
        ),
        "churn_risk": AssetIn(
            key=["client_insights", "churn_risk"],
            metadata={"columns": {"client_id": "int64", "risk_band": "str"}},
        ),
    },
)
def stylist_workload(
    style_recommendations: pd.DataFrame, client_profiles: pd.DataFrame, churn_risk: pd.DataFrame
) -> pd.DataFrame:
    """This cycle's work per stylist: clients with a box to style, items to review, and the
    number and share of those clients at high churn risk. One row per stylist."""
    return workload(style_recommendations, client_profiles, churn_risk)
