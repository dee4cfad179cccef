"""Stage 3, labels: any label string of a report to its canonical category, cheapest stage first.

``dictionary`` (official wording, variants, near-spellings) → ``ngrams`` (a character n-gram classifier) →
``student`` (a small character CNN) → ``model`` (the fine-tuned transformer, ``encoder`` builds its encoder
offline); ``stages`` runs them in order and answers the extractor's questions. The trainers of the learned
stages are in ``xxgk.training``.
"""
from .dictionary import match_label, normalize_label, public_category
from .stages import Labelled, classify_detailed, classify_labels, model_form, reset_caches, stage_counts

__all__ = ["Labelled", "classify_detailed", "classify_labels", "match_label", "model_form", "normalize_label",
           "public_category", "reset_caches", "stage_counts"]
