"""Random draws the standard library lacks, each from a caller's seeded ``random.Random``."""

import math
from collections.abc import Sequence
from random import Random
from typing import TypeVar

T = TypeVar("T")


def poisson(rng: Random, mean: float) -> int:
    """A Poisson count; Knuth's product method for small means, a rounded normal for large ones."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def spread(rng: Random, median: float, sigma: float) -> float:
    """A lognormal draw with the given median: most values near it, a long tail above."""
    return median * math.exp(rng.gauss(0.0, sigma))


def pick_weighted(rng: Random, items: Sequence[T], weights: Sequence[float]) -> T:
    total = sum(weights)
    target = rng.random() * total
    running = 0.0
    for item, weight in zip(items, weights, strict=True):
        running += weight
        if target < running:
            return item
    return items[-1]


def round_to(value: float, step: float) -> float:
    return round(value / step) * step
