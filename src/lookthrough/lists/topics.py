"""Complaint topics: Chinese text grouped into topics, offline.

Texts are cut into words with jieba (its dictionary ships inside the package; nothing is
downloaded), weighted by TF-IDF, and grouped with k-means. Words that appear in very few texts
(business names, addresses) or in most of them (the 12315 form's own phrases) carry no topic and
are dropped by the document-frequency limits. Each topic is named by its heaviest words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "在",
        "是",
        "我",
        "有",
        "和",
        "就",
        "不",
        "人",
        "都",
        "一",
        "一个",
        "上",
        "也",
        "很",
        "到",
        "说",
        "要",
        "去",
        "你",
        "会",
        "着",
        "没有",
        "看",
        "好",
        "自己",
        "这",
        "那",
        "希望",
        "请求",
        "请",
        "相关",
        "部门",
        "处理",
        "投诉",
        "反映",
        "要求",
        "商家",
        "已经",
        "不是",
        "第一次",
        "昨天",
        "附近",
        "消费",
        "市场监管",
        "调查",
        "尽快",
        "核实",
        "协商",
        "未果",
        "买",
        "东西",
        "找",
        "网友",
        "爆料",
        "大家",
        "注意",
        "避雷",
        "退一赔三",
        "拒不",
        "退款",
    ]
)
SAMPLE = 6000  # texts clustered; the rest are assigned to the nearest topic
MAX_TOPICS = 12
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[A-Za-z]{3,}$")


@dataclass(frozen=True, slots=True)
class Topic:
    terms: list[str]  # heaviest words first
    members: list[int]  # positions of the texts in this topic
    examples: list[str]  # a few of its texts, the most typical first


def _tokens(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(text) if _WORD.match(w) and w not in STOP_WORDS]


def _best_k(matrix: Any, seed: int) -> int:
    """How many topics: the k from 2 to 12 whose k-means grouping has the best silhouette
    (cosine distance, on up to 2,000 texts) — topics as far apart as the texts allow."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    rows = matrix.shape[0]
    best, best_score = 2, -1.0
    for k in range(2, min(MAX_TOPICS, rows // 5) + 1):
        labels = KMeans(n_clusters=k, n_init=2, random_state=seed).fit_predict(matrix)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(matrix, labels, metric="cosine",
                                       sample_size=min(rows, 2000), random_state=seed))  # fmt: skip
        if score > best_score:
            best, best_score = k, score
    return best


def topics(texts: Sequence[str], *, k: int | None = None, seed: int = 0) -> list[Topic]:
    """Group texts into topics; empty when there are too few texts to group."""
    if len(texts) < 10:
        return []
    import jieba
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    jieba.setLogLevel(logging.WARNING)
    rng = np.random.default_rng(seed)
    sample = (
        np.sort(rng.choice(len(texts), SAMPLE, replace=False))
        if len(texts) > SAMPLE
        else np.arange(len(texts))
    )
    vectoriser = TfidfVectorizer(
        tokenizer=_tokens, token_pattern=None, lowercase=False, min_df=3, max_df=0.5
    )
    try:
        matrix = vectoriser.fit_transform([texts[i] for i in sample])
    except ValueError:  # no word survived the frequency limits
        return []
    n_topics = min(k or _best_k(matrix, seed), matrix.shape[0])
    model = KMeans(n_clusters=n_topics, n_init=4, random_state=seed).fit(matrix)
    words = np.array(vectoriser.get_feature_names_out())
    labels = (
        model.predict(vectoriser.transform(texts)) if len(sample) < len(texts) else model.labels_
    )
    distances = model.transform(matrix)
    found: list[Topic] = []
    for topic in range(n_topics):
        members = np.flatnonzero(labels == topic)
        if not len(members):
            continue
        centre = model.cluster_centers_[topic]
        top = np.argsort(centre)[::-1][:5]
        terms = [str(words[i]) for i in top if centre[i] > 0]
        in_sample = np.flatnonzero(model.labels_ == topic)
        typical = in_sample[np.argsort(distances[in_sample, topic])][:3]
        found.append(
            Topic(
                terms=terms,
                members=[int(m) for m in members],
                examples=[texts[int(sample[i])] for i in typical],
            )
        )
    found.sort(key=lambda t: -len(t.members))
    return found
