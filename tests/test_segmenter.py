"""The segmenter whose words are read a first character at a time (``xxgk.checks.segmenter``) cuts as jieba
does with its whole dictionary and the cue words added: on the prose of real reports, made fresh, read back
from its cache file, and made where the cache cannot be written."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

jieba = pytest.importorskip("jieba")

from xxgk.checks import segmenter  # noqa: E402
from xxgk.checks.narrative import USER_WORDS, prose_of  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TEXTS = sorted((REPO / "tests" / "fixtures" / "forms").glob("*.txt")) + sorted((REPO / "corpus" / "seeds" / "raw").glob("*.txt"))[:10]


@pytest.fixture(scope="module")
def whole():
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with open(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME), "rb") as fh:
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(fh)
    tokenizer.initialized = True
    for word in USER_WORDS:
        tokenizer.add_word(word)
    return tokenizer


def _cuts(tokenizer, text):
    return (list(tokenizer.cut(text, HMM=False)), list(tokenizer.cut(text, cut_all=True, HMM=False)))


def test_cuts_as_jieba_with_its_whole_dictionary(whole, tmp_path):
    made = segmenter.load(jieba, USER_WORDS, tmp_path)
    written = list(tmp_path.glob("xxgk-words-*.marshal"))
    assert len(written) == 1
    read_back = segmenter.load(jieba, USER_WORDS, tmp_path)
    in_memory = segmenter.load(jieba, USER_WORDS, None)
    assert made.total == read_back.total == in_memory.total == whole.total
    assert len(TEXTS) > 10
    for path in TEXTS:
        prose = prose_of(path.read_text(encoding="utf-8"))
        expected = _cuts(whole, prose)
        assert _cuts(made, prose) == expected, path.name
        assert _cuts(read_back, prose) == expected, path.name
        assert _cuts(in_memory, prose) == expected, path.name


def test_other_cue_words_get_another_file(tmp_path):
    first = segmenter.words_file(jieba, USER_WORDS, tmp_path)
    assert segmenter.words_file(jieba, USER_WORDS + ("新词语",), tmp_path) != first
    assert segmenter.words_file(jieba, USER_WORDS, tmp_path) == first


def test_a_read_only_cache_is_left_alone(tmp_path):
    tmp_path.chmod(0o500)
    try:
        tokenizer = segmenter.load(jieba, USER_WORDS, tmp_path)
        assert list(tmp_path.iterdir()) == [] or os.geteuid() == 0
        assert list(tokenizer.cut("共收到政府信息公开申请12件", HMM=False))[:2] == ["共收到", "政府"]
    finally:
        tmp_path.chmod(0o700)


def test_a_damaged_file_is_made_again(tmp_path):
    path = segmenter.words_file(jieba, USER_WORDS, tmp_path)
    path.write_bytes(b"\x00not marshal")
    tokenizer = segmenter.load(jieba, USER_WORDS, tmp_path)
    assert list(tokenizer.cut("予以公开", HMM=False)) == ["予以公开"]
