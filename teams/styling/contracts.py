"""What styling's tables promise their readers, one pandera model per asset."""

import pandera.pandas as pa
from pandera.typing import Series


class StyleRecommendations(pa.DataFrameModel):
    """Up to five in-stock picks per active client."""

    client_id: Series[int] = pa.Field(ge=1, description="Client id")
    rank: Series[int] = pa.Field(in_range={"min_value": 1, "max_value": 5}, description="Pick 1-5")
    sku: Series[str] = pa.Field(str_matches=r"SKU-\d{7}$", description="Picked SKU")
    category: Series[str] = pa.Field(description="The SKU's category")
    on_hand: Series[int] = pa.Field(gt=0, description="Units on hand when picked")

    class Config:
        unique = ["client_id", "rank"]


class StylistWorkload(pa.DataFrameModel):
    """This cycle's work per stylist."""

    stylist_id: Series[int] = pa.Field(unique=True, ge=1, description="Stylist id")
    clients_to_style: Series[int] = pa.Field(ge=1, description="Clients with a box to style")
    items_to_review: Series[int] = pa.Field(ge=1, description="Picks to review")
    at_risk_clients: Series[int] = pa.Field(ge=0, description="Clients at high churn risk")
    at_risk_share: Series[float] = pa.Field(
        in_range={"min_value": 0, "max_value": 1}, description="Share of clients at high risk"
    )
