"""Everything offline: the label classifier's corpus and training, split by concern.

``corpus`` builds ``corpus/labels`` (families, mined variants, prose, noise, splits); ``ngrams``, ``student``
and ``transformer`` train the learned stages whose run-time halves are in ``xxgk.labels``; ``calibration``
fits their temperatures; ``measure`` scores them on the held-out split (``metrics.json``). ``python -m
xxgk.training`` (or ``xxgk train-labels``) rebuilds the corpus when missing and trains everything.
"""
