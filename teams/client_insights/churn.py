"""Churn risk: a logistic regression on order history, trained on the client base itself.

Training: features as of ``LABEL_WINDOW_DAYS`` before the last order day; a client churned
if they ordered before that cutoff and not after it. Scoring: the same features as of the
last order day. The model is plain Newton-Raphson logistic regression on standardised
features, so every coefficient can be read and explained.
"""

import numpy as np
import pandas as pd
import polars as pl
from dagster import Output

from platform_lib import TableChecks, warehouse_asset
from teams.client_insights.contracts import ChurnRisk
from teams.client_insights.profiles import order_history

LABEL_WINDOW_DAYS = 90
FEATURES = ["n_orders", "keep_rate", "days_since_last_order", "total_revenue"]
HIGH_RISK = 0.6
MEDIUM_RISK = 0.3


def churn_features(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Model features per client with at least one order before ``as_of``."""
    history = order_history(pl.from_pandas(orders).lazy(), pl.lit(as_of)).collect()
    return history.to_pandas().set_index("client_id")[FEATURES].astype("float64")


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 25) -> np.ndarray:
    """Weights (intercept first) of an L2-regularised logistic regression, by Newton steps."""
    design = np.column_stack([np.ones(len(x)), x])
    weights = np.zeros(design.shape[1])
    penalty = l2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        weights -= np.linalg.solve(hessian, gradient)
    return weights


def predict_logistic(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Probability of the positive class for each row of ``x``."""
    return 1.0 / (1.0 + np.exp(-(weights[0] + x @ weights[1:])))


def score_churn(orders: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    """Churn probability and risk band per client who has ordered, and the model's
    coefficients and training AUC."""
    today = orders["order_date"].max() + pd.Timedelta(days=1)
    cutoff = today - pd.Timedelta(days=LABEL_WINDOW_DAYS)
    train = churn_features(orders, cutoff)
    ordered_after = set(orders.loc[orders["order_date"] >= cutoff, "client_id"])
    label = (~train.index.isin(ordered_after)).astype("float64")
    mean, std = train.mean(), train.std().replace(0, 1)
    weights = fit_logistic(((train - mean) / std).to_numpy(), label)
    current = churn_features(orders, today)
    probability = predict_logistic(weights, ((current - mean) / std).to_numpy())
    scores = pd.DataFrame({"client_id": current.index, "churn_probability": probability})
    scores["risk_band"] = np.select(
        [probability >= HIGH_RISK, probability >= MEDIUM_RISK], ["high", "medium"], "low"
    )
    train_probability = predict_logistic(weights, ((train - mean) / std).to_numpy())
    model = {f"coef_{name}": float(w) for name, w in zip(FEATURES, weights[1:], strict=True)}
    model["train_auc"] = auc(label, train_probability)
    return scores.sort_values("client_id", ignore_index=True), model


def auc(label: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney), ties counted half."""
    ranks = pd.Series(score).rank().to_numpy()
    positives = label == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@warehouse_asset(
    contract=ChurnRisk, table_checks=TableChecks(not_empty=True), sample_by="client_id"
)
def churn_risk(raw_orders: pd.DataFrame) -> Output:
    """Probability that a client who has ordered will not order again in the next 90 days,
    from a logistic regression on order count, keep rate, recency and revenue, with a
    risk band (low < 0.3 <= medium < 0.6 <= high). One row per client with an order.
    The coefficients and training AUC are recorded on each materialization."""
    scores, model = score_churn(raw_orders)
    return Output(scores, metadata=model)
