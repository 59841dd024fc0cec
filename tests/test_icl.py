"""icl_curve and icl_in_prompt against independent teacher-forced computations."""

from __future__ import annotations

import json
import math
import statistics

import pytest
import torch

import tokviz
from tokviz.errors import InvalidInputError

from .test_scoring import span_tokens, teacher_forced

UPPER = [("cat", "CAT"), ("house", "HOUSE"), ("green", "GREEN"), ("river", "RIVER"),
         ("apple", "APPLE"), ("music", "MUSIC"), ("table", "TABLE"), ("cloud", "CLOUD")]


def reference_answer(lm, shots, query, answer):
    """Whole-answer probability, first-token probability / rank and entropy, computed by hand."""
    prefix = "".join(f"{x} -> {y}\n" for x, y in shots) + f"{query} ->"
    text = prefix + f" {answer}\n"
    encoding = lm.tokenizer(text, return_offsets_mapping=True)
    ids = encoding["input_ids"]
    start = len(prefix) + 1
    inside = span_tokens(encoding["offset_mapping"], start, start + len(answer))
    with torch.no_grad():
        logits = lm.model(torch.tensor([ids])).logits[0].double()
    logprobs = logits.log_softmax(-1)
    dist = logits[inside[0] - 1].softmax(-1)
    first = ids[inside[0]]
    return {
        "answer": math.exp(sum(logprobs[i - 1, ids[i]].item() for i in inside)),
        "first": dist[first].item(),
        "rank": int((dist > dist[first]).sum()) + 1,
        "entropy": -(dist * dist.clamp_min(1e-300).log()).sum().item(),
        "prompt": lm.tokenizer.decode(ids[: inside[0]]),
    }


def test_curve_matches_teacher_forcing_for_every_shot_and_order(tiny_lm):
    curve = tokviz.icl_curve(tiny_lm, UPPER[:4], "paper", "PAPER", orders=3, seed=1)
    assert curve.shots == [0, 1, 2, 3, 4]
    assert len(curve.orders) == 3 and all(sorted(o) == [0, 1, 2, 3] for o in curve.orders)
    for k in curve.shots:
        for o, order in enumerate(curve.orders):
            expected = reference_answer(tiny_lm, [UPPER[i] for i in order[:k]], "paper", "PAPER")
            assert curve.answer_probs_by_order[k][o] == pytest.approx(expected["answer"], rel=1e-4, abs=1e-12)
            assert curve.first_token_probs_by_order[k][o] == pytest.approx(expected["first"], rel=1e-4, abs=1e-12)
            assert curve.answer_ranks_by_order[k][o] == expected["rank"]
            assert curve.entropies_by_order[k][o] == pytest.approx(expected["entropy"], abs=1e-3)
            if o == 0:
                assert curve.prompts[k] == expected["prompt"]
    assert curve.prompts[0] == "paper ->"
    assert curve.answer_tokens[0] == [" P", "AP", "ER"]


def test_means_and_spread_summarise_the_orders(tiny_lm):
    curve = tokviz.icl_curve(tiny_lm, UPPER[:5], "paper", "PAPER", orders=4)
    for k in curve.shots:
        raw = curve.answer_probs_by_order[k]
        assert curve.answer_probs[k] == pytest.approx(statistics.fmean(raw))
        assert curve.answer_prob_min[k] == min(raw) and curve.answer_prob_max[k] == max(raw)
        assert curve.answer_prob_std[k] == pytest.approx(statistics.pstdev(raw))
        assert curve.first_token_probs[k] == pytest.approx(statistics.fmean(curve.first_token_probs_by_order[k]))
        assert curve.answer_ranks[k] == pytest.approx(statistics.fmean(curve.answer_ranks_by_order[k]))
        assert curve.entropies[k] == pytest.approx(statistics.fmean(curve.entropies_by_order[k]))
        assert curve.answer_probs[k] <= curve.first_token_probs[k] + 1e-12
    # Zero shots: the same prompt for every order.
    assert len(set(curve.answer_probs_by_order[0])) == 1 and curve.answer_prob_std[0] == 0


def test_prompts_are_deduplicated_and_batched(tiny_lm):
    batched = tokviz.icl_curve(tiny_lm, UPPER[:4], "paper", "PAPER", orders=3)
    single = tokviz.icl_curve(tiny_lm, UPPER[:4], "paper", "PAPER", orders=3, batch_size=1)
    distinct = {tuple(order[:k]) for k in range(5) for order in batched.orders}
    assert single.forward_passes == len(distinct) <= 1 + 4 * 3
    assert batched.forward_passes < len(distinct)
    for a, b in zip(batched.answer_probs_by_order, single.answer_probs_by_order, strict=True):
        assert a == pytest.approx(b, rel=1e-4)


def test_seed_and_max_shots(tiny_lm):
    a = tokviz.icl_curve(tiny_lm, UPPER, "paper", "PAPER", orders=3, seed=7, max_shots=2)
    b = tokviz.icl_curve(tiny_lm, UPPER, "paper", "PAPER", orders=3, seed=7, max_shots=2)
    c = tokviz.icl_curve(tiny_lm, UPPER, "paper", "PAPER", orders=3, seed=8, max_shots=2)
    assert a.shots == [0, 1, 2] and a.orders == b.orders and a.answer_probs == b.answer_probs
    assert a.orders != c.orders
    assert a.prompts[1] == f"{UPPER[a.orders[0][0]][0]} -> {UPPER[a.orders[0][0]][1]}\npaper ->"


def test_answer_boundary_follows_the_template(tiny_lm):
    # No space in the template: the answer's first token has no leading space.
    curve = tokviz.icl_curve(tiny_lm, [("a", "b")], "7+1=", "8", template="Q: {x}\nA:{y}\n", orders=1)
    assert curve.prompts[1] == "Q: a\nA:b\nQ: 7+1=\nA:"
    assert "".join(curve.answer_tokens[1]) == "8"


def test_to_dict_repr_table(tiny_lm):
    curve = tokviz.icl_curve(tiny_lm, UPPER[:2], "paper", "PAPER", orders=2)
    data = json.loads(json.dumps(curve.to_dict()))
    assert data["shots"] == [0, 1, 2] and data["examples"][0] == ["cat", "CAT"]
    assert "ICLCurve(answer='PAPER'" in repr(curve)
    assert len(curve.table().splitlines()) == 4


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((UPPER, "paper", "PAPER"), {"template": "{x} ->"}, r"\{y\} exactly once"),
        ((UPPER, "paper", "PAPER"), {"template": "-> {y}"}, r"\{x\}"),
        ((UPPER, "paper", ""), {}, "answer is empty"),
        ((UPPER, "paper", 3), {}, "answer must be a string"),
        ((UPPER, "paper", "PAPER"), {"orders": 0}, "orders must be a positive integer"),
        ((UPPER, "paper", "PAPER"), {"max_shots": 9}, "max_shots must be between 0 and 8"),
        (([("a", "b", "c")], "paper", "PAPER"), {}, r"examples\[0\] must be an \(x, y\) pair"),
        (([("a", 1)], "paper", "PAPER"), {}, r"examples\[0\] label must be a string"),
        (("cat CAT", "paper", "PAPER"), {}, "examples must be a list"),
        ((UPPER, None, "PAPER"), {}, "query must be a string"),
        ((UPPER, "paper", "PAPER"), {"template": "{y} <- {x}\n"}, "no prediction"),
    ],
)
def test_bad_input_is_rejected(tiny_lm, args, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.icl_curve(tiny_lm, *args, **kwargs)


def test_too_many_shots_says_how_many_fit(tiny_lm):
    examples = [(f"word number {i} in a rather long example", f"label {i}") for i in range(12)]
    curve_args = (tiny_lm, examples, "query", "answer")
    with pytest.raises(InvalidInputError) as error:
        tokviz.icl_curve(*curve_args, orders=2)
    # Independently: the largest k whose prompts fit in 128 tokens for both orders.
    orders = tokviz.icl_curve(*curve_args, orders=2, max_shots=0).orders

    def length(order, k):
        text = "".join(f"{x} -> {y}\n" for x, y in (examples[i] for i in order[:k])) + "query -> answer\n"
        return len(tiny_lm.tokenizer(text)["input_ids"])

    fit = max(k for k in range(13) if all(length(o, j) <= 128 for o in orders for j in range(k + 1)))
    assert f"at most {fit} fit" in str(error.value) and f"max_shots={fit}" in str(error.value)
    tokviz.icl_curve(*curve_args, orders=2, max_shots=fit)  # and that many do fit


def test_in_prompt_reads_each_label(tiny_lm):
    result = tokviz.icl_in_prompt(tiny_lm, UPPER[:5])
    prompt = "".join(f"{x} -> {y}\n" for x, y in UPPER[:5])
    assert result.prompt == prompt and "".join(result.tokens) == prompt
    _, offsets, logprobs = teacher_forced(tiny_lm, prompt)
    position = 0
    for i, (x, y) in enumerate(UPPER[:5]):
        start = position + len(x) + 4
        inside = span_tokens(offsets, start, start + len(y))
        assert result.label_token_indices[i] == inside
        assert result.label_logprobs[i] == pytest.approx(sum(logprobs[j] for j in inside), abs=1e-4)
        assert result.label_probs[i] == pytest.approx(math.exp(result.label_logprobs[i]))
        assert result.first_token_probs[i] == pytest.approx(math.exp(logprobs[inside[0]]), rel=1e-4)
        position += len(x) + len(y) + 5
    data = json.loads(json.dumps(result.to_dict()))
    assert len(data["label_probs"]) == 5 and "ICLInPrompt(5 examples" in repr(result)
    with pytest.raises(InvalidInputError, match="examples is empty"):
        tokviz.icl_in_prompt(tiny_lm, [])


@pytest.mark.slow
def test_default_model_learns_uppercase_in_context(default_lm):
    curve = tokviz.icl_curve(default_lm, UPPER, "paper", "PAPER", orders=3, seed=0)
    assert curve.forward_passes < 1 + 8 * 3
    assert curve.answer_probs[8] > curve.answer_probs[0] + 0.3
    assert curve.answer_ranks[8] < curve.answer_ranks[0]
    k, o = 4, 1
    order = curve.orders[o]
    expected = reference_answer(default_lm, [UPPER[i] for i in order[:k]], "paper", "PAPER")
    assert curve.answer_probs_by_order[k][o] == pytest.approx(expected["answer"], rel=1e-3)
    assert curve.first_token_probs_by_order[k][o] == pytest.approx(expected["first"], rel=1e-3)
    # In-prompt: each label checked for one example against plain teacher forcing.
    in_prompt = tokviz.icl_in_prompt(default_lm, UPPER)
    _, offsets, logprobs = teacher_forced(default_lm, in_prompt.prompt)
    start = in_prompt.prompt.index("MUSIC")
    inside = span_tokens(offsets, start, start + len("MUSIC"))
    assert in_prompt.label_probs[5] == pytest.approx(math.exp(sum(logprobs[j] for j in inside)), rel=1e-3)
    assert in_prompt.label_probs[-1] > in_prompt.label_probs[0]
