"""What merchandising's tables promise their readers, one pandera model per asset."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

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
SKU_PATTERN = r"SKU-\d{7}$"


class RawInventory(pa.DataFrameModel):
    """The WMS export as landed: one row per SKU, warehouse and day (re-sent rows allowed)."""

    snapshot_date: Series[pd.Timestamp] = pa.Field(description="Day of the stock snapshot")
    sku: Series[str] = pa.Field(str_matches=SKU_PATTERN, description="Stock-keeping unit")
    category: Series[str] = pa.Field(description="Category as the WMS spells it (untidy)")
    warehouse: Series[str] = pa.Field(isin=["reno", "dallas"], description="Fulfilment centre")
    on_hand: Series[int] = pa.Field(ge=0, description="Units on the shelf at end of day")
    units_shipped: Series[int] = pa.Field(ge=0, description="Units shipped to clients that day")
    unit_cost: Series[float] = pa.Field(gt=0, description="Cost of one unit, USD")


class RawPurchaseOrders(pa.DataFrameModel):
    """Purchase order lines placed with vendors."""

    po_id: Series[str] = pa.Field(unique=True, str_matches=r"PO-\d{8}$", description="PO line")
    sku: Series[str] = pa.Field(str_matches=SKU_PATTERN, description="Stock-keeping unit")
    order_date: Series[pd.Timestamp] = pa.Field(description="Day the PO was placed")
    expected_date: Series[pd.Timestamp] = pa.Field(description="Day the vendor promised")
    quantity: Series[int] = pa.Field(gt=0, description="Units ordered")
    status: Series[str] = pa.Field(isin=["open", "received", "cancelled"], description="PO state")


class Inventory(pa.DataFrameModel):
    """Stock per SKU and day, across warehouses."""

    sku: Series[str] = pa.Field(str_matches=SKU_PATTERN, description="Stock-keeping unit")
    snapshot_date: Series[pd.Timestamp] = pa.Field(description="Day of the stock snapshot")
    category: Series[str] = pa.Field(isin=CATEGORIES, description="Category, lower case")
    on_hand: Series[int] = pa.Field(ge=0, description="Units on hand, all warehouses")
    units_shipped: Series[int] = pa.Field(ge=0, description="Units shipped, all warehouses")
    unit_cost: Series[float] = pa.Field(gt=0, description="Cost of one unit, USD")

    class Config:
        unique = ["sku", "snapshot_date"]


class DemandForecast(pa.DataFrameModel):
    """Next 14 days of demand per category, against stock and open orders."""

    category: Series[str] = pa.Field(unique=True, isin=CATEGORIES, description="Category")
    as_of_date: Series[pd.Timestamp] = pa.Field(description="Last day of data used")
    daily_demand_mean: Series[float] = pa.Field(ge=0, description="Trailing 28-day mean units/day")
    daily_demand_std: Series[float] = pa.Field(ge=0, nullable=True, description="Its std. dev.")
    forecast_units: Series[float] = pa.Field(ge=0, description="Units expected in 14 days")
    on_hand: Series[int] = pa.Field(ge=0, description="Units on hand on the as-of day")
    incoming_units: Series[int] = pa.Field(ge=0, description="Open PO units due in 14 days")
    days_of_cover: Series[float] = pa.Field(
        ge=0, nullable=True, description="Days stock and incoming last at mean demand"
    )
    needs_reorder: Series[bool] = pa.Field(description="Under 21 days of cover")
