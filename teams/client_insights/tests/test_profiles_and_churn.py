"""Client insights' business logic on small frames."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from teams.client_insights.churn import auc, fit_logistic, predict_logistic, score_churn
from teams.client_insights.profiles import build_profiles


def orders_frame(rows):
    frame = pd.DataFrame(rows, columns=["client_id", "order_date", "stylist_id", "items_kept"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["order_id"] = range(1, len(frame) + 1)
    frame["items_sent"] = 5
    frame["revenue"] = frame["items_kept"] * 50.0
    return frame


def test_profiles_summarise_history_and_keep_clients_who_never_ordered():
    clients = pd.DataFrame(
        {
            "client_id": [1, 2],
            "signup_date": pd.to_datetime(["2026-01-01", "2026-06-01"]),
            "region": ["west", "west"],
            "size": ["M", "S"],
            "style_preference": ["tops", "jeans"],
            "budget_per_item": [40, 75],
        }
    )
    orders = orders_frame(
        [(1, "2026-03-01", 7, 2), (1, "2026-04-01", 7, 4), (1, "2026-05-01", 8, 0)]
    )
    profiles = build_profiles(pl.from_pandas(clients).lazy(), pl.from_pandas(orders).lazy())
    profiles = profiles.collect().to_pandas().set_index("client_id")
    assert profiles.loc[1, "n_orders"] == 3
    assert profiles.loc[1, "keep_rate"] == pytest.approx(6 / 15)
    assert profiles.loc[1, "primary_stylist_id"] == 7
    assert profiles.loc[1, "days_since_last_order"] == 1
    assert profiles.loc[2, "n_orders"] == 0
    assert np.isnan(profiles.loc[2, "keep_rate"])


def test_logistic_regression_recovers_a_known_separation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 1))
    y = (rng.random(2000) < 1 / (1 + np.exp(-(0.5 + 2.0 * x[:, 0])))).astype(float)
    weights = fit_logistic(x, y)
    assert weights == pytest.approx([0.5, 2.0], abs=0.25)
    assert auc(y, predict_logistic(weights, x)) > 0.8


def test_auc_is_one_for_perfect_ranking_and_half_for_ties():
    assert auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert auc(np.array([0, 1]), np.array([0.5, 0.5])) == 0.5


def test_clients_who_stopped_ordering_score_higher_than_regulars():
    rows = []
    for client in range(1, 41):
        stopped = client % 2 == 0
        last_month = 4 if stopped else 12
        rows += [
            (client, f"2026-{month:02d}-15", 1, 1 if stopped else 4)
            for month in range(1, last_month + 1)
        ]
    scores, model = score_churn(orders_frame(rows))
    by_client = scores.set_index("client_id")["churn_probability"]
    stopped = by_client[by_client.index % 2 == 0]
    regular = by_client[by_client.index % 2 == 1]
    assert stopped.min() > regular.max()
    assert model["train_auc"] > 0.9
    assert set(scores["risk_band"]) <= {"low", "medium", "high"}
