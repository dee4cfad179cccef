"""jieba's dictionary with the cue words, read a first character at a time (issue 25: a second to start).

jieba holds its dictionary as one dict of some 500,000 words and prefixes; even from jieba's own cache
(``marshal``) making it costs 0.2 s of CPU (0.7 s on a loaded machine) in every process, most of
``xxgk extract ONE_FILE``, although one report's prose meets a few hundred characters. Every lookup jieba makes
without its HMM — ``get_DAG`` (which prefixes starting at a position are words) and ``calc`` (the best route) —
asks only for fragments that start at one position of the sentence, so the dictionary can be kept in buckets
by first character, each unpacked (``marshal``) the first time a character is met.

The buckets are made once from jieba's dictionary file with the cue words added exactly as before (jieba's
``add_word``, in order, each frequency suggested from the words before it), and kept in one file under the xxgk
cache, named by what it is made of (jieba's version, its dictionary file's size and time, the cue words, this
layout): a change to any makes a new one. Where the cache cannot be written (a read-only install) the buckets
are made in memory and the file is left alone: slower to start, same words. Only ``get_DAG`` and ``calc`` are
replaced, with jieba's own code reading a bucket instead of the whole dict, so every cut is jieba's
(tests/test_segmenter.py compares the two on the prose of real reports).
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from math import log
from pathlib import Path

# Bump when the file's layout changes (its name changes with it).
LAYOUT = 1


def words_file(jieba, user_words: tuple[str, ...], folder: Path) -> Path:
    """The buckets' file for this jieba, its dictionary and these cue words."""
    dictionary = os.stat(_dictionary_path(jieba))
    key = repr((LAYOUT, jieba.__version__, dictionary.st_size, dictionary.st_mtime_ns, user_words))
    return folder / f"xxgk-words-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}.marshal"


def _dictionary_path(jieba) -> str:
    return os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)


def pack(jieba, user_words: tuple[str, ...]) -> tuple[int, dict[str, bytes]]:
    """jieba's dictionary with ``user_words`` added as jieba adds them: (total, first character -> the marshalled
    dict of its words and prefixes)."""
    full = jieba.Tokenizer()
    with open(_dictionary_path(jieba), "rb") as fh:
        full.FREQ, full.total = full.gen_pfdict(fh)
    full.initialized = True
    for word in user_words:
        full.add_word(word)
    buckets: dict[str, dict[str, int]] = {}
    for word, freq in full.FREQ.items():
        buckets.setdefault(word[0], {})[word] = freq
    return full.total, {first: marshal.dumps(words) for first, words in buckets.items()}


def load(jieba, user_words: tuple[str, ...], folder: Path | None):
    """The tokenizer: its buckets from the cache file, made (and written, where it can be) when missing."""
    path = words_file(jieba, user_words, folder) if folder is not None else None
    if path is not None:
        try:
            with open(path, "rb") as fh:
                total, packed = marshal.load(fh)
            return make_tokenizer(jieba, total, packed)
        except (OSError, EOFError, ValueError, TypeError):
            pass
    total, packed = pack(jieba, user_words)
    if path is not None:
        _write(path, marshal.dumps((total, packed)))
    return make_tokenizer(jieba, total, packed)


def _write(path: Path, data: bytes) -> None:
    """Through a temporary file renamed into place (two processes may make it at once); a failure to write
    leaves the cache as it was."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def make_tokenizer(jieba, total: int, packed: dict[str, bytes]):
    """A jieba tokenizer reading its words from ``packed`` a first character at a time."""

    class BucketTokenizer(jieba.Tokenizer):
        def __init__(self):
            super().__init__()
            self.total = total
            self.initialized = True
            self.FREQ = None        # no whole dict: what else would read it (the HMM, add_word) fails loudly
            self.packed = packed
            self.buckets: dict[str, dict[str, int]] = {}

        def bucket(self, first: str) -> dict[str, int]:
            words = self.buckets.get(first)
            if words is None:
                data = self.packed.get(first)
                words = self.buckets[first] = marshal.loads(data) if data is not None else {}
            return words

        # jieba's own get_DAG and calc (jieba/__init__.py, 0.42), each lookup in the bucket of the fragment's
        # first character.
        def get_DAG(self, sentence):
            DAG = {}
            N = len(sentence)
            buckets = self.buckets
            for k in range(N):
                FREQ = buckets.get(sentence[k])
                if FREQ is None:
                    FREQ = self.bucket(sentence[k])
                tmplist = []
                i = k
                frag = sentence[k]
                while i < N and frag in FREQ:
                    if FREQ[frag]:
                        tmplist.append(i)
                    i += 1
                    frag = sentence[k:i + 1]
                if not tmplist:
                    tmplist.append(k)
                DAG[k] = tmplist
            return DAG

        def calc(self, sentence, DAG, route):
            N = len(sentence)
            route[N] = (0, 0)
            logtotal = log(self.total)
            for idx in range(N - 1, -1, -1):
                FREQ = self.bucket(sentence[idx])
                route[idx] = max((log(FREQ.get(sentence[idx:x + 1]) or 1) -
                                  logtotal + route[x + 1][0], x) for x in DAG[idx])

    return BucketTokenizer()
