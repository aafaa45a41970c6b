"""Styling: what to send each client, and how much work that is for each stylist."""
