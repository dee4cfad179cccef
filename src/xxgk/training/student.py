"""Training the student (the run-time half is ``xxgk.labels.student``): the whole classifier labels the label
strings of generated reports, the student (a character CNN, trained with torch) learns its sure answers and the
training split, and the probability at which it may settle a string is set on the calibration split."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import schema
from ..labels import model as transformer_stage, ngrams as ngram_stage, stages as label_stages, student as student_stage
from ..labels.files import MODEL_DIR
from ..labels.stages import LABEL_MAX_CHARS, model_form
from ..labels.student import FILE, PAD, WIDTH, encode, forget, padded
from ..labels.ngrams import prepared
from .calibration import fit_temperature
from .corpus import CORPUS_DIR, SEED, SHARED_DIR, SPLITS, all_families, key, load_split

EMBEDDING = 48
CHANNELS = 128

EPOCHS = 10
BATCH = 128
LEARNING_RATE = 2e-3


def _network(vocabulary_size: int, classes: int):
    import torch
    from torch import nn

    class CharCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocabulary_size, EMBEDDING, padding_idx=PAD)
            self.conv1 = nn.Conv1d(EMBEDDING, CHANNELS, WIDTH)
            self.conv2 = nn.Conv1d(CHANNELS, CHANNELS, WIDTH)
            self.dropout = nn.Dropout(0.2)
            self.out = nn.Linear(2 * CHANNELS, classes)

        def forward(self, padded, lengths):
            h = torch.relu(self.conv1(self.embedding(padded).transpose(1, 2)))
            h = torch.relu(self.conv2(h)).transpose(1, 2)
            seen = (torch.arange(h.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1)
            pooled = torch.cat([h.masked_fill(~seen, float("-inf")).max(dim=1).values,
                                (h * seen).sum(dim=1) / seen.sum(dim=1)], dim=1)
            return self.out(self.dropout(pooled))
    return CharCNN()


def _logits(net, ids: list[list[int]], batch: int = 512):
    import torch
    net.eval()
    with torch.no_grad():
        return torch.cat([net(torch.from_numpy(padded(ids[i:i + batch])),
                              torch.tensor([len(s) for s in ids[i:i + batch]])) for i in range(0, len(ids), batch)])


def fit(texts: list[str], targets: list[int], labels: list[str], calibration: tuple[list[str], list[int]],
        seed: int, epochs: int = EPOCHS) -> dict:
    """Train on (text, class index) pairs; the temperature is fitted on the calibration pairs. Returns the
    arrays ``save`` writes."""
    import random

    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    characters = sorted({ch for t in texts for ch in prepared(t)})
    vocabulary = {ch: i + 2 for i, ch in enumerate(characters)}
    ids = encode(texts, vocabulary)
    target = torch.tensor(targets)
    net = _network(len(characters) + 2, len(labels))
    optimizer = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=1e-4)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    chunks = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE, total_steps=epochs * len(chunks))
    for epoch in range(epochs):
        net.train()
        rng.shuffle(chunks)
        total = 0.0
        for chunk in chunks:
            rows = [ids[i] for i in chunk]
            loss = torch.nn.functional.cross_entropy(
                net(torch.from_numpy(padded(rows)), torch.tensor([len(r) for r in rows])), target[chunk])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(chunk)
        print(f"student epoch {epoch + 1}: loss {total / len(ids):.4f}", flush=True)
    calibration_logits = _logits(net, encode(calibration[0], vocabulary))
    temperature = fit_temperature(calibration_logits, torch.tensor(calibration[1]))
    state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    params = {"embedding": state["embedding.weight"], "out.weight": state["out.weight"].T, "out.bias": state["out.bias"]}
    for conv in ("conv1", "conv2"):
        weight = state[f"{conv}.weight"]                     # (out, in, width) -> (width * in, out)
        params[f"{conv}.weight"] = weight.transpose(2, 1, 0).reshape(-1, weight.shape[0])
        params[f"{conv}.bias"] = state[f"{conv}.bias"]
    return {"labels": np.array(labels), "vocabulary": np.array(characters), "temperature": np.float32(temperature),
            **params}


def save(arrays: dict, settles: float, out_dir: Path) -> Path:
    """Write ``student.npz`` (weights in float16) with the probability at which it settles a string."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE
    small = {k: (v.astype(np.float16) if isinstance(v, np.ndarray) and v.dtype == np.float32 and v.ndim > 1 else v)
             for k, v in arrays.items()}
    np.savez_compressed(path, settles=np.float32(settles), **small)
    forget(out_dir)
    return path


# The student learns the whole classifier's sure answers on the label strings of generated report batches
# (seeds apart from the evaluation's), as well as the training split.
STUDENT_POOL_BATCHES = ((1, 0.0), (2, 0.2))     # (seed offset, share of garbled labels), 1,000 reports each
STUDENT_POOL_REPORTS = 1000
STUDENT_TEACHER_SURE = 0.9
STUDENT_SETTLE_GRID = (0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def student_pool(seed: int = SEED, reports: int = STUDENT_POOL_REPORTS) -> list[str]:
    """Every distinct label-cell string (up to LABEL_MAX_CHARS characters) of generated text reports."""
    import tempfile

    from ..generate import FORMS, generate_set
    from ..readers import read_file
    from ..tables.tokens import LABEL, tokenize

    texts: dict[str, None] = {}
    with tempfile.TemporaryDirectory(prefix="xxgk-student-pool-") as tmp:
        for offset, garble in STUDENT_POOL_BATCHES:
            src = Path(tmp) / str(offset)
            generate_set(src, reports, seed=seed + offset, forms=[f for f in FORMS if f != "html"], noise=0.5,
                         garble=garble)
            for path in sorted((src / "raw").iterdir()):
                for token in tokenize(read_file(path).text):
                    if token.kind == LABEL and len(token.text) <= LABEL_MAX_CHARS:
                        texts.setdefault(token.text)
    return list(texts)


def train_student(out_dir: Path = MODEL_DIR, corpus: Path = CORPUS_DIR, seed: int = SEED) -> Path:
    """Label the pool with the whole classifier in ``out_dir`` (no student), keep its sure answers (none
    whose wording is a calibration or held-out string, or holds a held-out family's), fit the student on them
    and the training split, and set the probability at which it settles a string: one step of
    ``STUDENT_SETTLE_GRID`` above the lowest at which it was never wrong on the calibration split."""
    data = {split: load_split(split, corpus) for split in SPLITS}
    transformer_stage.use(transformer_stage.LabelModel(out_dir))
    ngram_stage.use(ngram_stage.load(out_dir))
    student_stage.use(None)
    label_stages.reset_caches()
    pool = student_pool(seed)
    taught = label_stages.classify_detailed(pool)
    blocked = {key(ex["text"]) for split in ("calibration", "heldout") for ex in data[split]}
    held_out = [k for f in all_families(SHARED_DIR) if f.split == "heldout" and len(k := key(f.text)) >= 4]
    kept = [(text, said.category) for text, said in zip(pool, taught) if said.confidence >= STUDENT_TEACHER_SURE
            and key(text) not in blocked and not any(k in key(text) for k in held_out)]
    labels = sorted(schema.categories())
    index = {name: i for i, name in enumerate(labels)}
    examples = [(ex["text"], ex["category"]) for ex in data["train"]] * 2 + kept
    calibration = data["calibration"]
    arrays = fit([t for t, _ in examples], [index[c] for _, c in examples], labels,
                               ([ex["text"] for ex in calibration], [index[ex["category"]] for ex in calibration]),
                               seed)
    student = student_stage.Student(save(arrays, 1.0, out_dir))   # float16 weights, as it runs
    forms = [model_form(ex["text"]) for ex in calibration]
    ngrams = ngram_stage.load(out_dir)
    grams = ngrams.probabilities(forms)
    left = [i for i, p in enumerate(grams) if p.max() < label_stages.NGRAMS_SETTLE]
    student_stage.use(student)

    def wrong_at(threshold: float) -> bool:    # the rule the classifier runs, at this threshold
        student.settles = threshold
        said = label_stages.student_answers([forms[i] for i in left], None, (ngrams.labels, grams[left]))
        return any(s is not None and s[0] != calibration[i]["category"] for i, s in zip(left, said))
    clean = [i for i, t in enumerate(STUDENT_SETTLE_GRID) if not wrong_at(t)]
    settles = STUDENT_SETTLE_GRID[min(clean[0] + 1, len(STUDENT_SETTLE_GRID) - 1)] if clean else 1.0
    print(f"student: {len(kept)} pool strings of {len(pool)} kept; settles at {settles}", flush=True)
    student_stage.use_committed()
    return save(arrays, settles, out_dir)
