"""Client insights: who our clients are and who is likely to leave."""
