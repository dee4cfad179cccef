"""Training the character n-gram classifier (the run-time half is ``xxgk.labels.ngrams``): scikit-learn's
tf-idf vectorizer and logistic regression, saved as the small ``ngrams.npz`` plain numpy runs."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import schema
from ..labels.files import MODEL_DIR
from ..labels.ngrams import FILE, forget, ngrams, prepared
from .corpus import CORPUS_DIR, load_split

MIN_DOCUMENT_FREQUENCY = 2
REGULARISATION_C = 30.0


def fit(texts: list[str], categories: list[str], labels: list[str]):
    """scikit-learn's vectorizer and logistic regression fitted on (text, category) pairs; the classes are
    indices into ``labels``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=lambda text: ngrams(prepared(text)), min_df=MIN_DOCUMENT_FREQUENCY,
                                 sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    index = {name: i for i, name in enumerate(labels)}
    model = LogisticRegression(C=REGULARISATION_C, max_iter=3000).fit(matrix, [index[c] for c in categories])
    return vectorizer, model


def save(vectorizer, model, labels: list[str], out_dir: Path) -> Path:
    """Write what ``NgramClassifier`` needs as one ``ngrams.npz`` (weights in float16: 2 MB, not 6)."""
    weights = np.zeros((len(vectorizer.vocabulary_), len(labels)), dtype=np.float32)
    intercept = np.full(len(labels), -30.0, dtype=np.float32)   # a class training never saw is never picked
    weights[:, model.classes_] = model.coef_.T
    intercept[model.classes_] = model.intercept_
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE
    np.savez_compressed(path, labels=np.array(labels), vocabulary=np.array(vocabulary),
                        idf=vectorizer.idf_.astype(np.float32), weights=weights.astype(np.float16),
                        intercept=intercept)
    forget(out_dir)
    return path


def train(texts: list[str], categories: list[str], labels: list[str], out_dir: Path = MODEL_DIR) -> Path:
    """Fit on the training split and write ``ngrams.npz``; the class order is ``labels`` (the head's)."""
    vectorizer, model = fit(texts, categories, labels)
    return save(vectorizer, model, labels, out_dir)


def train_ngrams(out_dir: Path = MODEL_DIR, corpus: Path = CORPUS_DIR) -> Path:
    """Fit the character n-gram classifier on the training split (seconds; deterministic)."""
    examples = load_split("train", corpus)
    return train([ex["text"] for ex in examples], [ex["category"] for ex in examples],
                 sorted(schema.categories()), out_dir)
