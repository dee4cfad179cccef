"""Calibration: the temperature that makes a classifier's confidence mean what it says (fitted on the
calibration split), for the transformer, the student, and the average of the transformer and the n-grams."""
from __future__ import annotations

from ..labels.stages import NGRAMS_SETTLE


def fit_temperature(logits, targets) -> float:
    import torch
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), targets)
        loss.backward()
        return loss
    optimizer.step(closure)
    return float(log_t.detach().exp())


def fit_ensemble_temperature(transformer_probs, gram_probs, examples: list[dict], labels: list[str]) -> float:
    """The power that makes the averaged transformer + n-gram probabilities calibrated, fitted on the
    calibration strings the n-gram classifier alone would not settle (the only ones averaged)."""
    import torch

    unsure = gram_probs.max(axis=1) < NGRAMS_SETTLE
    averaged = (transformer_probs[unsure] + gram_probs[unsure]) / 2
    index = {name: i for i, name in enumerate(labels)}
    targets = torch.tensor([index[ex["category"]] for ex, u in zip(examples, unsure) if u])
    return fit_temperature(torch.log(torch.tensor(averaged).clamp_min(1e-12)), targets)
