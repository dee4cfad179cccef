"""The staged label classifier: its public API, the learned stages, and the questions the extractor asks them.

Stages, cheapest first, each distinct string paying once (cached):
1. the dictionary (``dictionary``: normalisation, exact wording, a label inside a longer string, character
   alignment), which settles a string only when sure;
2. the character n-gram classifier (``ngrams``), which settles what it is sure of;
3. the student (``student``), a character CNN taught by the whole classifier, which settles what it is
   sure of where the n-grams pick the same;
4. the fine-tuned transformer (``model``) for the rest, averaged with the n-grams.

Which of them the extractor may ask is the caller's ``Options.label_stages``, passed to every question.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..datamodel import Match
from ..options import Options
from ..text import normalize_chars, to_simplified
from .dictionary import (NONE, NOT_LABEL, SETTLED_BY, allowed_categories, bigrams, lexicon, match_label,
                         match_normalized, normalize_label, public_category)


# Below this confidence (or when the cheap stages say "not a label" for want of a match) the learned
# stages are asked; above it, the dictionary and n-gram stages were right on every held-out label they settled.
SETTLED = 0.9
CONTAINED_SETTLED = 0.97
# The n-gram classifier settles a string alone at this probability; below it the transformer is asked and
# the two are averaged (on the calibration split it was never wrong at 0.95 or more; the margin is for
# wordings training never saw).
NGRAMS_SETTLE = 0.99
# It also settles, after the student, its "not a label" at better than even odds of what the dictionary reads
# as a table heading (on the calibration and held-out splits never wrong; the long runs a heading merely
# starts stay below it).
HEADING_NOT_A_LABEL = 0.5
HEADING_SLACK = 2      # characters a near-spelling of a heading may have beyond the heading's own wording
# A label cell is shorter than this; a longer run is prose, never a label alone.
LABEL_MAX_CHARS = 40
LEARNED_STAGES = ("ngrams", "student", "model")


@dataclass(frozen=True)
class Labelled:
    """One label's category as the public API gives it, with the stage that settled it."""
    category: str
    confidence: float
    stage: str                      # exact | contained | ngram | ngrams | student | model
    nearest: tuple = ()             # (category, official label, cosine) when the mapping is unsure


# (model form, allowed categories, transformer allowed) -> (category, confidence, stage). Bounded like the
# dictionary's caches: a batch meets new label strings without end; past the bound the oldest half goes.
_learned_results: dict[tuple[str, frozenset | None, bool], tuple[str, float, str]] = {}
LEARNED_RESULTS_KEPT = 65536


def _nameable(m: Match) -> bool:
    return m.category.split(".")[0] not in ("group", "header", NONE)


def settled_cheaply(m: Match) -> bool:
    """True when the dictionary / n-gram answer needs no second opinion. A label found inside a longer
    string settles only when it covers nearly all of it: （六）其他处理 3.其他 holds 其他处理 but is 3.其他."""
    if m.stage == "exact":
        return m.confidence >= 0.99
    floor = CONTAINED_SETTLED if m.stage == "contained" else SETTLED
    return _nameable(m) and m.confidence >= floor


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_SPACE = re.compile(r"\s+")


def model_form(text: str) -> str:
    """What the learned stages read, and what their answers are cached by: compatibility forms folded,
    simplified characters, no space inside a run of Chinese (申 请 内 容 is a spaced-out 申请内容), other
    spaces collapsed; numbering and punctuation kept (they tell a label from a sentence)."""
    return _SPACE.sub(" ", _CJK_GAP.sub("", to_simplified(normalize_chars(text)))).strip()


def classify_labels(texts, context: dict | None = None, use_model: bool = True) -> list[tuple[str, float]]:
    """``[(category, confidence)]`` for each string, in input order: a category of ``categories.tsv``
    (``requests.new``, ``column.natural_person``…) or ``none`` for what is no label.

    ``context`` may carry ``table`` ("disclosure" | "requests" | "appeals") to resolve labels that are
    ambiguous alone (其他 is an applicant column in table 3's header but a row under （六）其他处理).
    ``use_model=False`` keeps to the stages that need no transformer.
    """
    return [(r.category, r.confidence) for r in classify_detailed(texts, context, use_model)]


def classify_detailed(texts, context: dict | None = None, use_model: bool = True,
                      explain_below: float = 0.0) -> list[Labelled]:
    """The stages in order: each distinct string goes to the learned stages only when the dictionary did
    not settle it, and the transformer sees, in one batch, only what the n-gram classifier was not sure of.
    ``use_model=False`` keeps to the stages that need no transformer. With ``explain_below``, mappings less
    confident than that carry the official labels nearest to them."""
    texts = list(texts)
    allowed = allowed_categories(context["table"]) if context and context.get("table") else None
    norms = [normalize_label(t) for t in texts]
    forms = [model_form(t) for t in texts]
    cheap = {n: match_normalized(n, allowed) for n in norms}
    learned = learned_answers(sorted({f for f, n in zip(forms, norms) if not settled_cheaply(cheap[n])}),
                              allowed, use_model)
    out = []
    for n, f in zip(norms, forms):
        m = cheap[n]
        said = learned.get(f) if not settled_cheaply(m) else None
        result = (Labelled(said[0], round(said[1], 4), said[2]) if said
                  else Labelled(public_category(m.category), m.confidence, m.stage))
        if said:
            SETTLED_BY[n] = (said[2], result.category != NONE)
        if result.confidence < explain_below:
            result = Labelled(result.category, result.confidence, result.stage, tuple(nearest_labels(f)))
        out.append(result)
    return out


def reads_as_heading(m: Match, norm: str) -> bool:
    """The dictionary's reading of a table heading or group title (not a label of the record: 第二十条第（八）项,
    申请人情况) from a near-spelling of the whole text, not sure enough to settle alone. A heading with more
    glued on (三、本年度办埋结果 (一) 以仝开: a row label after it on a one-line page) is no heading alone."""
    return (m.stage == "ngram" and not _nameable(m) and m.category != NONE and REVIEWED_FROM <= m.confidence
            and len(norm) <= len(m.matched) + HEADING_SLACK)


def learned_answers(forms: list[str], allowed: frozenset | None = None,
                    use_model: bool = True) -> dict[str, tuple[str, float, str]]:
    """(category, confidence, stage) for each text in ``model_form``, by the n-gram classifier where it is
    sure, by the student where it is sure and the n-grams agree, by the n-gram classifier again where it says
    "not a label" of a text the dictionary reads as a table heading (two cheap readings agree), and by the
    average of the n-grams and the transformer elsewhere; categories restricted to ``allowed``."""
    keys = {f: (f, allowed, use_model) for f in forms}
    if len(_learned_results) >= LEARNED_RESULTS_KEPT:
        for key in list(itertools.islice(_learned_results, LEARNED_RESULTS_KEPT // 2)):
            del _learned_results[key]
    todo = [f for f in forms if keys[f] not in _learned_results]
    if todo:
        public = sorted({public_category(c) for c in allowed} | {NONE}) if allowed else None
        from . import ngrams as ngram_stage
        ngrams = ngram_stage.load()
        grams = _restricted(ngrams.labels, ngrams.probabilities(todo), public) if ngrams else None
        unsure = [i for i, f in enumerate(todo) if grams is None or grams[1][i].max() < NGRAMS_SETTLE]
        taught = student_answers([todo[i] for i in unsure], public, grams and (grams[0], grams[1][unsure]))
        for i, said in zip(unsure, taught):
            if said is not None:
                _learned_results[keys[todo[i]]] = said
        unsure = [i for i, said in zip(unsure, taught) if said is None
                  and (grams is None or not _heading_not_a_label(todo[i], grams[0], grams[1][i], allowed))]
        transformer = model_probabilities([todo[i] for i in unsure], public) if use_model and unsure else None
        row_of = {i: row for row, i in enumerate(unsure)}
        for i, f in enumerate(todo):
            if keys[f] in _learned_results:
                continue
            if transformer is not None and i in row_of:
                names, probs = transformer[0], transformer[1][row_of[i]]
                if grams is not None:
                    probs = _sharpened((probs + grams[1][i][[grams[0].index(c) for c in names]]) / 2)
                stage = "model"
            elif grams is not None:
                names, probs, stage = grams[0], grams[1][i], "ngrams"
            else:
                continue
            best = int(probs.argmax())
            _learned_results[keys[f]] = (names[best], float(probs[best]), stage)
    return {f: _learned_results[keys[f]] for f in forms if keys[f] in _learned_results}


def _heading_not_a_label(form: str, names: list[str], probs, allowed: frozenset | None) -> bool:
    """The n-gram classifier says "not a label" of what the dictionary reads as a table heading."""
    norm = normalize_label(form)
    return (names[int(probs.argmax())] == NONE and probs.max() >= HEADING_NOT_A_LABEL
            and reads_as_heading(match_normalized(norm, allowed), norm))


def student_answers(forms: list[str], public: list[str] | None, grams) -> list[tuple[str, float, str] | None]:
    """The student's (category, confidence, "student") where it is sure and the n-gram classifier's pick is
    the same, else None (the transformer decides)."""
    from . import student as student_stage
    student = student_stage.load() if grams is not None and forms else None
    if student is None:
        return [None] * len(forms)
    names, probs = _restricted(student.labels, student.probabilities(forms), public)
    gram_names, gram_probs = grams
    out = []
    for mine, theirs in zip(probs, gram_probs):
        best = int(mine.argmax())
        sure = mine[best] >= student.settles and gram_names[int(theirs.argmax())] == names[best]
        out.append((names[best], float(mine[best]), "student") if sure else None)
    return out


def _sharpened(probs):
    """The average of two calibrated answers is less sure than either when they agree: raised to the power
    fitted on the calibration split (``ensemble_temperature``), its confidence means what it says again."""
    from . import model as transformer_stage
    sharpened = probs ** (1.0 / transformer_stage.load().config.get("ensemble_temperature", 1.0))
    return sharpened / sharpened.sum()


def _restricted(names: list[str], probs, allowed: list[str] | None):
    if allowed is None:
        return names, probs
    columns = [names.index(c) for c in allowed if c in names]
    kept = probs[:, columns]
    return [names[c] for c in columns], kept / kept.sum(axis=1, keepdims=True).clip(min=1e-12)


# The extractor asks the learned stages where the dictionary read a row label unsure (second_opinion) or
# found nothing where a table's row is missing (model_match); Options.label_stages=ngrams keeps the
# transformer out, =dictionary both learned stages (to measure what they add).
MODEL_ACCEPTS = 0.5
# The extractor takes an answer only where it names a row missing in that place, so the n-gram classifier's
# answer stands there from 0.9 (on the evaluation sets: the same accuracy, half the transformer's questions).
EXTRACTOR_NGRAMS_SETTLE = 0.9
_SENTENCE = re.compile(r"[。！？；]")


def model_match(text: str, allowed: frozenset, options: Options) -> Match:
    """The learned stages' reading of a label, accepted only when their own unrestricted pick is one of
    ``allowed`` (the rows missing in that place): a page header or a column heading is never forced into
    a row because a row is missing."""
    norm = normalize_label(text)
    said = _extractor_answer(text, norm, options)
    if said is None:
        return Match(NONE, 0.0, "model")
    category, confidence, stage = said
    if category in allowed and confidence >= MODEL_ACCEPTS:
        SETTLED_BY[norm] = (stage, True)
        return Match(category, round(confidence, 4), stage, norm)
    return Match(NONE, round(confidence, 4), stage)


def second_opinion(text: str, m: Match, options: Options) -> Match:
    """A row label the dictionary read without being sure (a near-spelling of two rows at once: 年新政府信息
    公开申请数量 is as near 上年结转… as 本年新收…) is asked of the learned stages; a sure answer naming
    another label wins, held at middling confidence (the row is still an unsure reading)."""
    if not (m.stage == "ngram" and REVIEWED_FROM <= m.confidence < SETTLED and _nameable(m)):
        return m
    norm = normalize_label(text)
    if len(norm) > len(m.matched) + 4:
        return m    # a label inside a longer run (a sentence that mentions 部分公开) is no near-spelling of it
    said = _extractor_answer(text, norm, options, transformer=False)
    if said is not None and said[0] not in (NONE, m.category) and said[1] < SECOND_OPINION_WINS:
        # the n-grams name another label without being sure of it: the transformer decides
        said = _extractor_answer(text, norm, options)
    if said is None or said[0] in (NONE, m.category) or said[1] < SECOND_OPINION_WINS:
        return m
    if not _words_for(norm, said[0], m.category):
        return m    # 府信息公开申请数最 ends 本年新收… and 上年结转… alike: nothing in it can tell them apart
    SETTLED_BY[norm] = (said[2], True)
    return Match(said[0], SECOND_OPINION_CONFIDENCE, said[2], norm)


def _words_for(norm: str, category: str, rival: str) -> bool:
    """True when the text shares a character pair with ``category``'s wordings that none of ``rival``'s has."""
    def pairs(name: str) -> frozenset:
        return frozenset().union(*(e.grams for e in lexicon() if e.category == name))
    return bool(bigrams(norm) & (pairs(category) - pairs(rival)))


REVIEWED_FROM = 0.5
SECOND_OPINION_WINS = 0.9
SECOND_OPINION_CONFIDENCE = 0.7   # as a row found by its place: enough to anchor a row, not to vouch for it


def _extractor_answer(text: str, norm: str, options: Options, transformer: bool = True
                      ) -> tuple[str, float, str] | None:
    """The learned stages' unrestricted answer for a label cell, the transformer asked only where the
    n-gram classifier is unsure; None for prose and long runs (no row's label) or when switched off."""
    form = model_form(text)
    if (not options.learned_labels or not norm or len(norm) > LABEL_MAX_CHARS or NOT_LABEL.match(norm)
            or _SENTENCE.search(form)):
        return None
    said = learned_answers([form], None, False).get(form)
    if transformer and options.transformer and (said is None or said[1] < EXTRACTOR_NGRAMS_SETTLE):
        said = learned_answers([form], None, True).get(form)
    return said


def stage_counts() -> Counter:
    """Distinct normalised strings met since the last reset, by the stage that settled them; strings no
    stage took for a label count as ``none``."""
    return Counter(stage if is_label else NONE for stage, is_label in SETTLED_BY.values())


def reset_caches() -> None:
    """Forget cached matches and stage counts (between evaluation sets)."""
    match_label.cache_clear()
    match_normalized.cache_clear()
    _learned_results.clear()
    SETTLED_BY.clear()


def model_probabilities(texts: list[str], allowed: list[str] | None = None):
    """The transformer's (category names, probabilities) for texts in ``model_form``, restricted to ``allowed``
    public categories; None when the model cannot be loaded here (the other stages' answers stand)."""
    try:
        from . import model as transformer_stage
        model = transformer_stage.load()
        return _restricted(model.labels, model.probabilities(texts)[0], allowed)
    except ImportError:
        return None
    except Exception as exc:  # LabelModelUnavailable: no encoder cache, no torch — say so once
        _warn_unavailable(exc)
        return None


def nearest_labels(text: str, k: int = 3) -> list[tuple[str, str, float]]:
    try:
        from . import model as transformer_stage
        return transformer_stage.nearest_labels(text, k)
    except Exception as exc:
        _warn_unavailable(exc)
        return []


@lru_cache(maxsize=1)
def _warn_unavailable(exc: Exception) -> None:
    import warnings
    warnings.warn(f"label model unavailable, cheap stages only: {exc}", stacklevel=3)
