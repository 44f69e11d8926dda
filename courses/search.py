"""Chinese text for the search index. Neither SQLite's FTS5 tokenizer nor PostgreSQL's parser
splits Chinese into words, so Chinese runs of text are cut into words with jieba (in search mode,
which also yields the shorter words inside long ones) and joined with spaces, in the index and in
queries alike: “跨境物流与海外仓” is found by “物流”."""

import logging
import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NOT_WORD = re.compile(r"[^\w\s]+")


def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def segmented(text):
    """The Chinese words in `text`, separated by spaces ("" when it has none)."""
    jieba = _jieba()

    words = []
    for run in _HAN.findall(text or ""):
        words.extend(word for word in jieba.cut_for_search(run) if word.strip())
    return " ".join(words)


def query_segmented(query):
    """A search query with its Chinese runs cut into words and the rest left as typed, less
    punctuation: the search backends pass the words to a full-text MATCH whose syntax a stray
    quote or bracket breaks (SQLite answers `"` with "unterminated string")."""
    jieba = _jieba()

    def cut(match):
        return " ".join(word for word in jieba.cut(match.group(0)) if word.strip())

    words = _NOT_WORD.sub(" ", query or "")
    return " ".join(_HAN.sub(lambda m: f" {cut(m)} ", words).split())
