"""What client insights' tables promise their readers, one pandera model per asset."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

REGIONS = ["northeast", "southeast", "midwest", "southwest", "west"]
SIZES = ["XS", "S", "M", "L", "XL"]
CATEGORIES = [
    "dresses",
    "tops",
    "jeans",
    "outerwear",
    "shoes",
    "accessories",
    "knitwear",
    "activewear",
]


class RawClients(pa.DataFrameModel):
    """Client records from the CRM."""

    client_id: Series[int] = pa.Field(unique=True, ge=1, description="Client id")
    signup_date: Series[pd.Timestamp] = pa.Field(description="Day the client signed up")
    region: Series[str] = pa.Field(isin=REGIONS, description="Shipping region")
    size: Series[str] = pa.Field(isin=SIZES, description="Usual size")
    style_preference: Series[str] = pa.Field(isin=CATEGORIES, description="Favourite category")
    budget_per_item: Series[int] = pa.Field(
        in_range={"min_value": 1, "max_value": 1000}, description="Typical spend per item, USD"
    )


class RawOrders(pa.DataFrameModel):
    """Boxes shipped to clients."""

    order_id: Series[int] = pa.Field(unique=True, ge=1, description="Order (box) id")
    client_id: Series[int] = pa.Field(ge=1, description="Client id")
    order_date: Series[pd.Timestamp] = pa.Field(description="Day the box shipped")
    stylist_id: Series[int] = pa.Field(ge=1, description="Stylist who styled the box")
    items_sent: Series[int] = pa.Field(in_range={"min_value": 1, "max_value": 10})
    items_kept: Series[int] = pa.Field(ge=0, description="Items the client kept")
    revenue: Series[float] = pa.Field(ge=0, description="Revenue of the kept items, USD")


ORDERS_SQL_CHECKS = {"kept_at_most_sent": "items_kept <= items_sent"}


class ClientProfiles(RawClients):
    """One row per client: the CRM record (as in RawClients) plus order history."""

    n_orders: Series[int] = pa.Field(ge=0, description="Boxes received")
    items_sent: Series[int] = pa.Field(ge=0, description="Items received")
    items_kept: Series[int] = pa.Field(ge=0, description="Items kept")
    total_revenue: Series[float] = pa.Field(ge=0, description="Revenue, USD")
    last_order_date: Series[pd.Timestamp] = pa.Field(nullable=True, description="Latest box")
    keep_rate: Series[float] = pa.Field(
        in_range={"min_value": 0, "max_value": 1}, nullable=True, description="Kept / sent"
    )
    days_since_last_order: Series[float] = pa.Field(ge=0, nullable=True, description="Recency")
    primary_stylist_id: Series[pd.Int64Dtype] = pa.Field(
        ge=1, nullable=True, description="Stylist of most of the client's boxes"
    )
    tenure_days: Series[int] = pa.Field(ge=0, description="Days since signup")


class ChurnRisk(pa.DataFrameModel):
    """Churn probability per client who has ordered."""

    client_id: Series[int] = pa.Field(unique=True, ge=1, description="Client id")
    churn_probability: Series[float] = pa.Field(
        in_range={"min_value": 0, "max_value": 1}, description="P(no order in the next 90 days)"
    )
    risk_band: Series[str] = pa.Field(isin=["low", "medium", "high"], description="Banded risk")
