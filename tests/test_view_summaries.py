"""The numbers behind the view's charts: the rank-band counts (GLTR-style bar) and the distribution after
the last token with the probability of everything not shown, checked against plain torch in float64."""

from __future__ import annotations

import pytest
import torch

from tokviz.core.token_info import RANK_EDGES, rank_counts
from tokviz.widgets.widget import TokenViz

TEXT = "The quick brown fox jumps over the lazy dog, and then it runs far away into the woods."


def float64_distributions(lm, ids: list[int]) -> torch.Tensor:
    with torch.no_grad():
        return torch.softmax(lm.model(torch.tensor([ids])).logits[0].double(), -1)


def bands(ranks: list[int]) -> list[int]:
    """Counts per band, by bisecting the edges: a second way of bucketing."""
    import bisect

    counts = [0] * (len(RANK_EDGES) + 1)
    for r in ranks:
        counts[bisect.bisect_left(RANK_EDGES, r)] += 1
    return counts


def test_rank_bands_count_each_token_once_by_its_float64_rank(tiny_lm):
    w = TokenViz(tiny_lm, prompt=TEXT)
    ids = w.analysis.token_ids
    probs = float64_distributions(tiny_lm, ids)
    ranks = [int((probs[i - 1] > probs[i - 1, ids[i]]).sum()) + 1 for i in range(1, len(ids))]
    sent = w.analysis_data["ranks"]
    assert sent["edges"] == [1, 10, 100, 1000]
    assert sent["counts"] == bands(ranks)
    assert sum(sent["counts"]) == len(ids) - 1  # the first token has no prediction and is not counted
    assert max(ranks) > 10  # a random model: the bands beyond the first are exercised


def test_rank_counts_band_edges_are_inclusive():
    class Tok:
        def __init__(self, rank):
            self.rank = rank

    ranks = [None, 1, 2, 10, 11, 100, 101, 1000, 1001, 50_000]
    assert rank_counts([Tok(r) for r in ranks]) == [1, 2, 2, 2, 2]


def test_next_distribution_adds_up_to_one_with_the_rest(tiny_lm):
    w = TokenViz(tiny_lm, prompt=TEXT, alternatives=6)
    probs = float64_distributions(tiny_lm, w.analysis.token_ids)[-1]
    top = torch.topk(probs, 6)
    data = w.analysis_data
    assert [c[0] for c in data["next"]] == top.indices.tolist()
    assert data["next_rest"] == pytest.approx(1 - float(top.values.sum()), rel=1e-3, abs=1e-6)
    # entropy travels to 3 significant digits, like each token's "h"
    assert data["next_h"] == pytest.approx(float(-(probs * probs.log()).sum()), rel=5e-3)


def test_after_generating_the_view_gets_the_distribution_after_the_last_generated_token(tiny_lm):
    w = TokenViz(tiny_lm, prompt=TEXT, max_new_tokens=4, alternatives=5)
    w.generate()
    ids = w.analysis.token_ids + w.generation.token_ids
    probs = float64_distributions(tiny_lm, ids)[-1]
    data = w.generation_data
    assert [c[0] for c in data["next"]] == torch.topk(probs, 5).indices.tolist()
    assert data["next_rest"] == pytest.approx(1 - float(torch.topk(probs, 5).values.sum()), rel=1e-3, abs=1e-6)
    gen_probs = float64_distributions(tiny_lm, ids)
    n = len(w.analysis.token_ids)
    ranks = [int((gen_probs[i - 1] > gen_probs[i - 1, ids[i]]).sum()) + 1 for i in range(n, len(ids))]
    assert data["ranks"]["counts"] == bands(ranks)
