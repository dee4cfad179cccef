"""Fixtures shared by several test modules."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def model():
    """The committed label classifier, loaded once; scripts/setup.sh builds what it needs, so its absence
    is a failure, not a skip."""
    from xxgk.labels import model as label_model
    try:
        return label_model.load()
    except label_model.LabelModelUnavailable as exc:
        pytest.fail(f"label model unavailable (run scripts/setup.sh): {exc}")
