"""Merchandising: what stock we hold, what is on order, and what clients will need."""
