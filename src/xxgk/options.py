"""How one run of the pipeline goes: an ``Options`` object, passed explicitly to every stage that needs it.

Nothing below the command line reads the environment: ``xxgk`` commands turn ``XXGK_LABEL_STAGES`` into
``Options(label_stages=...)`` at their edge, and a library caller passes what it wants.
"""
from __future__ import annotations

from dataclasses import dataclass

# The label stages the extractor may ask about a row label the dictionary could not settle: every stage, the
# cheap learned ones without the transformer, or the dictionary alone (to measure what the others add).
LABEL_STAGES = ("all", "ngrams", "dictionary")


@dataclass(frozen=True)
class Options:
    """``label_stages``: all | ngrams (no transformer) | dictionary (no learned stage).

    The limits bound the work the table recovery spends on one row or one table; past them it stops listing
    readings and says it could not place the cells, never guesses.
    """
    label_stages: str = "all"
    # Ways to cut the digit runs of one row into cells (a one-line page prints 0000130 for seven cells).
    max_digit_splits: int = 20000
    # Combinations of the readings of a table's unsettled rows tried against the column sums.
    max_row_combinations: int = 4096

    def __post_init__(self):
        if self.label_stages not in LABEL_STAGES:
            raise ValueError(f"label stages must be all, ngrams or dictionary, not {self.label_stages!r}")

    @property
    def learned_labels(self) -> bool:
        """Whether the extractor may ask the learned label stages at all."""
        return self.label_stages != "dictionary"

    @property
    def transformer(self) -> bool:
        """Whether the extractor may ask the transformer (the costliest label stage)."""
        return self.label_stages == "all"


DEFAULT_OPTIONS = Options()
