"""How many time windows overlap at most: runs or steps in progress at the same moment."""


def most_at_once(windows: list[tuple[float, float]]) -> int:
    """The most windows open at one instant (one that ends as another starts counts once)."""
    edges = sorted([(start, 1) for start, _ in windows] + [(end, -1) for _, end in windows])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak
