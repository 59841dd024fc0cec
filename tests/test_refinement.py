"""Refinement across layers: the shipped QA set, its prompts, the first / stays-first layers
against a logit lens written here in plain torch, and layer importance against a hand-written forward
without the skipped layer."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
import torch

import tokviz
from tokviz import InvalidInputError
from tokviz.backends.local.model import LanguageModel
from tokviz.data.multidoc import QAItem, multidoc_items
from tokviz.studies.layer_importance import layer_importance, skipped_layer
from tokviz.studies.layer_law import LayerLaw, paper_comparison
from tokviz.studies.qa_prompts import QAPrompt, answer_request, multidoc_prompts
from tokviz.studies.refinement import Refinement, RefinementRecord, refinement

from .conftest import make_tiny_llama

# ------------------------------------------------------------------------------------------------
# The shipped set


def test_items_are_well_formed():
    items = multidoc_items()
    assert len(items) >= 50
    assert len({i.id for i in items}) == len(items)
    for item in items:
        assert item.answer.startswith(" ") and item.document.count(item.answer) == 1
        assert item.document.startswith(item.prefix + item.answer)
        assert item.question.endswith("?")


def test_each_answer_belongs_to_one_item_only():
    items = multidoc_items()
    for item in items:
        word = re.compile(r"\b" + re.escape(item.answer.strip().lower()) + r"\b")
        for other in items:
            if other is not item:
                assert not word.search(f"{other.document} {other.question}".lower()), (item.id, other.id)


def test_answers_are_single_distinct_tokens(tokenizer):
    """For the default model's tokenizer: every answer is one token, no two answers share it, and no other
    item's document or question contains it (a distractor never holds the answer's token)."""
    items = multidoc_items()
    ids = [tokenizer(item.answer, add_special_tokens=False)["input_ids"] for item in items]
    assert all(len(i) == 1 for i in ids), [item.answer for item, i in zip(items, ids) if len(i) != 1]
    assert len({i[0] for i in ids}) == len(items)
    for item, (answer_id,) in zip(items, ids):
        for other in items:
            if other is not item:
                text = f" {other.document}\nQuestion: {other.question}"
                assert answer_id not in tokenizer(text, add_special_tokens=False)["input_ids"]


def test_answer_first_token_in_context_is_the_answer_token(tiny_lm):
    """In every prompt (here 3 documents, each position) the answer's first token, as scored, is the token
    the answer is on its own: the tokenizer does not merge it with the prompt's end."""
    for prompt in multidoc_prompts(3):
        request = answer_request(tiny_lm, prompt.text, prompt.answer)
        alone = tiny_lm.tokenizer(prompt.answer, add_special_tokens=False)["input_ids"]
        assert request.targets == [alone[0]]
        assert request.ids[: request.rows[0] + 1] == tiny_lm.tokenizer(prompt.text)["input_ids"]


# ------------------------------------------------------------------------------------------------
# Prompts


@pytest.mark.parametrize("n", [1, 3, 5, 10])
def test_prompts_put_the_relevant_document_at_each_position(n):
    items = {i.id: i for i in multidoc_items()}
    prompts = multidoc_prompts(n, limit=4)
    assert len(prompts) == 4 * n
    for k, p in enumerate(prompts):
        item = items[p.item_id]
        assert p.num_docs == n and p.position == k % n + 1 and len(p.document_ids) == n
        assert p.document_ids[p.position - 1] == item.id
        assert len(set(p.document_ids)) == n
        lines = p.text.split("\n")
        assert lines[: n] == [f"Document {j + 1}: {items[d].document}" for j, d in enumerate(p.document_ids)]
        assert lines[n:] == [f"Question: {item.question}", f"Answer: {item.prefix}"]
        assert p.answer == item.answer
    # Only the relevant document moves: the distractors keep their order at every position.
    for start in range(0, len(prompts), n):
        group = prompts[start : start + n]
        rest = [tuple(d for d in p.document_ids if d != p.item_id) for p in group]
        assert len(set(rest)) == 1


def test_prompts_are_deterministic_and_seeded():
    a = multidoc_prompts(5, limit=10, seed=3)
    assert a == multidoc_prompts(5, limit=10, seed=3)
    b = multidoc_prompts(5, limit=10, seed=4)
    assert [p.document_ids for p in a] != [p.document_ids for p in b]
    assert [p.item_id for p in a] == [p.item_id for p in b]


def test_prompt_options():
    prompts = multidoc_prompts(10, positions=[1, 10], limit=2)
    assert [(p.item_id, p.position) for p in prompts] == [("q01", 1), ("q01", 10), ("q02", 1), ("q02", 10)]
    own = [QAItem(f"x{i}", f"The thing {i} is made of wood{i}.", f"What is thing {i} made of?", f" wood{i}")
           for i in range(4)]
    prompts = multidoc_prompts(4, items=own)
    assert {d for p in prompts for d in p.document_ids} == {"x0", "x1", "x2", "x3"}


@pytest.mark.parametrize("kwargs", [
    {"num_docs": 0}, {"num_docs": 1000}, {"num_docs": 3, "positions": [0]}, {"num_docs": 3, "positions": [4]},
    {"num_docs": 3, "positions": []}, {"num_docs": 3, "positions": "12"}, {"num_docs": 3, "limit": 0},
    {"num_docs": 3, "items": []}, {"num_docs": 3, "items": ["not an item"]}, {"num_docs": 2.5},
    {"num_docs": 3, "seed": "a"},
])
def test_prompt_bad_inputs(kwargs):
    with pytest.raises(InvalidInputError):
        multidoc_prompts(**kwargs)


# ------------------------------------------------------------------------------------------------
# Refinement against an independent logit lens


def reference_lens(model, ids):
    """Per lens layer 0..L the float64 next-token distribution after the last token of ids, computed
    directly: the model's own final norm and lm_head on hidden states 0..L-1, the model's logits for L."""
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_hidden_states=True)
        rows = [model.lm_head(model.model.norm(h[0, -1])).double().softmax(-1) for h in out.hidden_states[:-1]]
        rows.append(out.logits[0, -1].double().softmax(-1))
    return torch.stack(rows)  # [L + 1, V]


def expected_layers(top1, answer):
    first = next((l for l, t in enumerate(top1) if t == answer), None)
    if top1[-1] != answer:
        return first, None, None
    stays = min(l for l in range(len(top1)) if all(t == answer for t in top1[l:]))
    return first, stays, stays - first


@pytest.fixture(scope="module")
def deep_lm(tokenizer):
    """A 6-layer random Llama with a non-trivial final-norm gain (a skipped or doubled norm shows) and
    layers whose updates are large enough to change the lens's top-1 from layer to layer."""
    model = make_tiny_llama(len(tokenizer), layers=6, seed=3)
    with torch.no_grad():
        model.model.norm.weight.uniform_(0.3, 3.0)
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.mul_(10.0)
            layer.mlp.down_proj.weight.mul_(10.0)
    return LanguageModel(model=model, tokenizer=tokenizer, name="tiny-llama-6")


def test_refinement_matches_an_independent_logit_lens(deep_lm):
    """Prompts of different lengths in one padded batch; for each, three answers: the final top-1 (correct),
    a token some earlier layer ranks first but the output does not (first layer only), and the least
    probable token at the output (never first). Every layer's rank and probability is checked too."""
    prompts = [p.text for p in multidoc_prompts(3, limit=2)] + [p.text for p in multidoc_prompts(2, limit=1)]
    texts, answers, expected = [], [], []
    for text in prompts:
        ids = deep_lm.tokenizer(text)["input_ids"]
        probs = reference_lens(deep_lm.model, ids)
        top1 = probs.argmax(-1).tolist()
        earlier = next(t for t in top1 if t != top1[-1])
        for answer in (top1[-1], earlier, int(probs[-1].argmin())):
            texts.append(text)
            answers.append(answer)
            # A rank is exact except among tokens tied with the answer within float32 rounding (1e-5
            # relative): the padded batch and this single pass may order those either way.
            ranks = [(int((p > p[answer] * (1 + 1e-5)).sum()) + 1, int((p >= p[answer] * (1 - 1e-5)).sum()))
                     for p in probs]
            expected.append((expected_layers(top1, answer), ranks, probs[:, answer].tolist(), top1[-1]))
    result = refinement(deep_lm, texts, answers)
    assert result.layers == deep_lm.num_layers + 1 == 7
    kinds = set()
    for record, answer, ((first, stays, gap), ranks, probs, final) in zip(result.records, answers, expected):
        assert (record.first_correct, record.stays_first, record.gap) == (first, stays, gap)
        assert record.correct == (final == answer) and record.final_top1 == final and record.answer_id == answer
        assert all(low <= rank <= high for rank, (low, high) in zip(record.answer_ranks, ranks, strict=True))
        assert sum(high > low for low, high in ranks) <= 1  # a near-tie is rare: the check stays exact elsewhere
        assert record.answer_probs == pytest.approx(probs, abs=1e-5)
        assert record.answer_prob == pytest.approx(probs[-1], abs=1e-5)
        kinds.add((record.correct, first is None))
    # every branch was exercised: correct, first at some layer but not final, never first
    assert kinds == {(True, False), (False, False), (False, True)}


def test_refinement_with_a_nonzero_gap(deep_lm):
    """Answers that are the output's top-1 after being first at an earlier layer, losing the top and
    regaining it: the gap is the distance to the layer from which the answer stays first."""
    prompts = multidoc_prompts(2, limit=8) + multidoc_prompts(3, limit=8)
    finals, expected = [], []
    for p in prompts:
        top1 = reference_lens(deep_lm.model, deep_lm.tokenizer(p.text)["input_ids"]).argmax(-1).tolist()
        finals.append(top1[-1])
        expected.append(expected_layers(top1, top1[-1]))
    result = refinement(deep_lm, [p.text for p in prompts], finals)
    assert [(r.first_correct, r.stays_first, r.gap) for r in result.records] == expected
    assert all(r.correct for r in result.records)
    assert sum(gap > 0 for _, _, gap in expected) >= 3  # the case this test is for does occur here


def test_refinement_on_qa_prompts_keeps_their_metadata(tiny_lm):
    prompts = multidoc_prompts(3, limit=2)
    result = refinement(tiny_lm, prompts)
    assert [(r.item_id, r.num_docs, r.position) for r in result.records] == [
        (p.item_id, p.num_docs, p.position) for p in prompts]
    ids = [tiny_lm.tokenizer(p.answer, add_special_tokens=False)["input_ids"][0] for p in prompts]
    assert [r.answer_id for r in result.records] == ids
    rows = result.summary()
    assert [(s.num_docs, s.position, s.count) for s in rows] == [(3, 1, 2), (3, 2, 2), (3, 3, 2)]
    assert "records" in result.to_dict() and "Refinement(6 prompts" in repr(result)


def test_refinement_bad_inputs(tiny_lm):
    prompts = multidoc_prompts(3, limit=1)
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, [])
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, "a prompt", [" x"])
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, ["a prompt"], None)
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, ["a prompt", "another"], [" x"])
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, prompts, [" x"] * len(prompts))
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, [prompts[0], "a prompt"], None)
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, ["a prompt"], [""])
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, ["a prompt"], [tiny_lm.vocab_size])
    with pytest.raises(InvalidInputError):
        refinement(tiny_lm, ["a prompt"], [1.5])
    # " cat" + "s" tokenizes as " cats": the answer does not start a token of its own
    with pytest.raises(InvalidInputError, match="merges"):
        refinement(tiny_lm, ["I have a cat"], ["s"])


# ------------------------------------------------------------------------------------------------
# The gap's shape and the per-position summary (synthetic records)


def synthetic(gaps_by_position: dict[int, list[int]], num_docs: int, wrong: int = 0) -> Refinement:
    records = []
    for position, gaps in gaps_by_position.items():
        for k, gap in enumerate(gaps):
            records.append(RefinementRecord(
                item_id=f"i{k}", num_docs=num_docs, position=position, answer_id=1, final_top1=1, correct=True,
                first_correct=10 - gap, stays_first=10, gap=gap, answer_prob=0.5, answer_ranks=[], answer_probs=[]))
        for k in range(wrong):
            records.append(RefinementRecord(
                item_id=f"w{k}", num_docs=num_docs, position=position, answer_id=1, final_top1=2, correct=False,
                first_correct=None, stays_first=None, gap=None, answer_prob=0.1, answer_ranks=[],
                answer_probs=[]))
    return Refinement(model_name="synthetic", layers=11, records=records)


def test_shape_finds_an_inverted_u():
    result = synthetic({1: [1, 2, 1, 2], 2: [5, 6, 5, 6], 3: [6, 7, 6, 7], 4: [5, 6, 5, 6], 5: [1, 2, 1, 2]}, 5)
    shape = result.shape(5)
    assert shape.verdict == "inverted U"
    assert shape.curvature < 0 and shape.curvature_ci[1] < 0
    assert shape.mean_gaps == [1.5, 5.5, 6.5, 5.5, 1.5] and shape.counts == [4] * 5
    assert shape.first == shape.last == 1.5 and shape.middle_mean == pytest.approx(35 / 6)


def test_shape_finds_a_u_and_a_flat_line():
    u = synthetic({1: [6, 7], 2: [1, 2], 3: [6, 7]}, 3).shape(3)
    assert u.verdict == "U" and u.curvature > 0
    flat = synthetic({1: [0, 0, 0], 2: [0, 0, 0], 3: [0, 0, 0]}, 3).shape(3)
    assert flat.verdict == "no clear curvature" and flat.curvature == 0 and flat.mean_gaps == [0, 0, 0]
    noisy = synthetic({1: [0, 9, 1], 2: [5, 0, 1], 3: [1, 8, 0]}, 3).shape(3)
    assert noisy.verdict == "no clear curvature"
    # bent down but rising throughout (a saturating curve): not an inverted U, whatever the curvature says
    rising = synthetic({1: [0, 1, 0], 2: [3, 4, 3], 3: [5, 6, 5], 4: [6, 7, 6], 5: [7, 7, 7]}, 5).shape(5)
    assert rising.curvature_ci[1] < 0 and rising.middle_mean < rising.last
    assert rising.verdict == "no clear curvature"
    two = synthetic({1: [1], 2: [2]}, 2).shape(2)
    assert two.verdict == "no clear curvature" and two.curvature is None
    with pytest.raises(InvalidInputError):
        synthetic({1: [1]}, 3).shape(4)


def test_summary_counts_only_correct_records_in_the_gap():
    result = synthetic({1: [2, 4], 2: [0, 0]}, 2, wrong=2)
    rows = result.summary()
    assert [(s.position, s.count, s.correct, s.accuracy) for s in rows] == [(1, 4, 2, 0.5), (2, 4, 2, 0.5)]
    assert rows[0].mean_gap == 3 and rows[0].mean_first == 7 and rows[0].mean_stays == 10
    assert rows[0].mean_prob == pytest.approx(0.3)


# ------------------------------------------------------------------------------------------------
# Layer importance against a forward written out here


def rms(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotary(x, theta):
    """Llama's rotary embedding (rotate-half form) of x [heads, T, d] at positions 0..T-1."""
    d = x.shape[-1]
    inv = 1.0 / theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = torch.arange(x.shape[1], dtype=torch.float64)[:, None] * inv[None]
    cos, sin = torch.cat([angles, angles], -1).cos(), torch.cat([angles, angles], -1).sin()
    rotated = torch.cat([-x[..., d // 2 :], x[..., : d // 2]], -1)
    return x * cos + rotated * sin


@torch.no_grad()
def llama_by_hand(model, ids, skip=None):
    """Llama's forward in float64 from its weights, without decoder layer `skip` (1-based): its input goes
    straight to the next layer. Returns logits [T, V]."""
    cfg = model.config
    heads, kv = cfg.num_attention_heads, cfg.num_key_value_heads
    dim = cfg.hidden_size // heads
    theta = getattr(cfg, "rope_theta", None) or cfg.rope_parameters["rope_theta"]
    eps = cfg.rms_norm_eps
    T = len(ids)

    def w(linear):
        return linear.weight.double()

    h = model.model.embed_tokens.weight.double()[torch.tensor(ids)]
    causal = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)
    for number, layer in enumerate(model.model.layers, start=1):
        if number == skip:
            continue
        a = layer.self_attn
        x = rms(h, layer.input_layernorm.weight.double(), eps)
        q = rotary((x @ w(a.q_proj).T).view(T, heads, dim).transpose(0, 1), theta)
        k = rotary((x @ w(a.k_proj).T).view(T, kv, dim).transpose(0, 1), theta).repeat_interleave(heads // kv, 0)
        v = (x @ w(a.v_proj).T).view(T, kv, dim).transpose(0, 1).repeat_interleave(heads // kv, 0)
        attention = ((q @ k.transpose(1, 2)) / math.sqrt(dim) + causal).softmax(-1)
        h = h + (attention @ v).transpose(0, 1).reshape(T, heads * dim) @ w(a.o_proj).T
        m = layer.mlp
        x = rms(h, layer.post_attention_layernorm.weight.double(), eps)
        h = h + (torch.nn.functional.silu(x @ w(m.gate_proj).T) * (x @ w(m.up_proj).T)) @ w(m.down_proj).T
    return rms(h, model.model.norm.weight.double(), eps) @ w(model.lm_head).T


def test_the_hand_written_forward_is_the_model(deep_lm):
    ids = deep_lm.tokenizer(multidoc_prompts(2, limit=1)[0].text)["input_ids"]
    with torch.no_grad():
        ours = deep_lm.model(torch.tensor([ids])).logits[0].double()
    assert torch.allclose(llama_by_hand(deep_lm.model, ids), ours, atol=1e-3, rtol=1e-4)


def test_layer_importance_matches_a_forward_without_the_layer(deep_lm):
    prompts = multidoc_prompts(3, limit=2) + multidoc_prompts(2, limit=1)
    result = layer_importance(deep_lm, prompts)
    assert result.layers == [1, 2, 3, 4, 5, 6]
    base_expected, skipped_expected = [], []
    for p in prompts:
        ids = deep_lm.tokenizer(p.text)["input_ids"]
        answer = deep_lm.tokenizer(p.answer, add_special_tokens=False)["input_ids"][0]
        base_expected.append(float(llama_by_hand(deep_lm.model, ids)[-1].log_softmax(-1)[answer]))
        skipped_expected.append([float(llama_by_hand(deep_lm.model, ids, skip=l)[-1].log_softmax(-1)[answer])
                                 for l in result.layers])
    assert result.baseline_logprobs == pytest.approx(base_expected, rel=1e-4, abs=1e-3)
    skipped = np.array(skipped_expected).T  # [layer][prompt]
    assert np.allclose(result.skipped_logprobs, skipped, rtol=1e-4, atol=1e-3)
    drops = (np.array(base_expected)[None] - skipped).mean(1)
    assert np.allclose(result.drops, drops, rtol=1e-4, atol=1e-3)
    # skipping really changes the answer's log-probability (the hook is not a no-op)
    assert np.abs(drops).max() > 0.1
    assert result.essential(threshold=-np.inf) == [l for _, l in sorted(zip(result.drops, result.layers),
                                                                        reverse=True)]
    assert result.essential(threshold=np.inf) == []
    assert 0 <= result.baseline_accuracy <= 1 and len(result.accuracy) == 6


def test_skipping_in_gpt2_equals_the_model_without_the_block(tokenizer):
    """GPT-2 blocks, with the block taken out of a copy of the model as the reference."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(n_layer=3, n_embd=32, n_head=2, vocab_size=len(tokenizer),
                                       n_positions=128)).eval()
    lm = LanguageModel(model=model, tokenizer=tokenizer, name="tiny-gpt2")
    prompts = multidoc_prompts(2, limit=2)
    result = layer_importance(lm, prompts, layers=[1, 3])
    for row, layer in zip(result.skipped_logprobs, [1, 3]):
        without = copy.deepcopy(model)
        del without.transformer.h[layer - 1]
        for value, p in zip(row, prompts):
            ids = tokenizer(p.text)["input_ids"]
            answer = tokenizer(p.answer, add_special_tokens=False)["input_ids"][0]
            with torch.no_grad():
                expected = without(torch.tensor([ids])).logits[0, -1].double().log_softmax(-1)[answer]
            assert value == pytest.approx(float(expected), abs=1e-4)


def test_skipped_layer_is_restored_even_after_an_error(deep_lm):
    model = deep_lm.model
    ids = torch.tensor([deep_lm.tokenizer("The flag of Marbenia is")["input_ids"]])
    hooks = [list(layer._forward_hooks) for layer in model.model.layers]
    with torch.no_grad():
        before = model(ids).logits
        with pytest.raises(RuntimeError, match="boom"), skipped_layer(model, 2):
            assert len(model.model.layers[1]._forward_hooks) == len(hooks[1]) + 1
            skipped = model(ids).logits
            assert not torch.allclose(skipped, before)
            raise RuntimeError("boom")
        assert [list(layer._forward_hooks) for layer in model.model.layers] == hooks
        assert torch.equal(model(ids).logits, before)
        layer_importance(deep_lm, ["The flag of Marbenia is"], [" green"], layers=[1, 3])
        assert torch.equal(model(ids).logits, before)


def test_layer_importance_bad_inputs(deep_lm):
    with pytest.raises(InvalidInputError):
        layer_importance(deep_lm, ["a prompt"], [" x"], layers=[0])
    with pytest.raises(InvalidInputError):
        layer_importance(deep_lm, ["a prompt"], [" x"], layers=[7])
    with pytest.raises(InvalidInputError):
        layer_importance(deep_lm, ["a prompt"], [" x"], layers=[])
    with pytest.raises(InvalidInputError):
        layer_importance(deep_lm, [], [])
    with pytest.raises(InvalidInputError), skipped_layer(deep_lm.model, 0):
        pass


# ------------------------------------------------------------------------------------------------
# The layer law beside the paper


def law_with(pr, heldout):
    steps = np.arange(len(pr))
    logs = np.log10(pr)
    slope, intercept = np.polyfit(steps, logs, 1)
    held = None if heldout is None else float(np.polyfit(steps, np.log10(heldout), 1)[0])
    return LayerLaw(model_name="m", method="id", layers=list(range(1, len(pr) + 1)), pr=list(pr),
                    heldout_pr=list(heldout) if heldout is not None else [None] * len(pr), slope=float(slope),
                    intercept=float(intercept), rho=10**float(slope), pearson_r=float(np.corrcoef(steps, logs)[0, 1]),
                    pr_ratio=pr[-1] / pr[0], reduction_shares=[0.0] * (len(pr) - 1), heldout_slope=held,
                    heldout_pearson_r=None if heldout is None else 0.1, num_examples=1, num_sequences=1,
                    hidden_size=1)


def test_paper_comparison_of_an_exact_law():
    pr = 0.9 * 0.95 ** np.arange(11)  # every layer multiplies PR by 0.95: equal contributions
    rows = {r["measure"].split(" (")[0]: r for r in paper_comparison(law_with(pr, pr[::-1].copy()))}
    assert rows["Pearson r"]["paper"] == "-0.997 to -0.98"
    assert rows["Pearson r"]["tokviz in-sample"] == "-1.000"
    assert rows["per-layer factor rho = 10^slope"]["tokviz in-sample"] == "0.9500"
    assert rows["largest share of the fall in one step"]["tokviz in-sample"] == "10.0%"
    assert rows["smallest share of the fall in one step"]["tokviz in-sample"] == "10.0%"
    assert rows["steps where PR rises"]["tokviz in-sample"] == "0"
    assert rows["share of the fall in the first 5 of 10 steps"]["tokviz in-sample"] == "50.0%"
    # held-out PR that rises from layer 1 to L: no fall to share
    assert rows["largest share of the fall in one step"]["tokviz held-out"].startswith("n/a")
    assert rows["PR_L / PR_1"]["tokviz held-out"] == f"{pr[0] / pr[-1]:.3f}"


def test_paper_comparison_of_an_uneven_law():
    pr = np.array([1.0, 0.5, 0.45, 0.47, 0.44])  # most of the fall in the first step, one rise
    rows = {r["measure"].split(" (")[0]: r for r in paper_comparison(law_with(pr, None))}
    logs = np.log10(pr)
    shares = (logs[:-1] - logs[1:]) / (logs[0] - logs[-1])
    assert rows["largest share of the fall in one step"]["tokviz in-sample"] == f"{100 * shares.max():.1f}%"
    assert rows["smallest share of the fall in one step"]["tokviz in-sample"] == f"{100 * shares.min():.1f}%"
    assert rows["steps where PR rises"]["tokviz in-sample"] == "1"
    assert rows["share of the fall in the first 2 of 4 steps"]["tokviz in-sample"] == \
        f"{100 * shares[:2].sum():.1f}%"
    assert rows["Pearson r"]["tokviz held-out"] == "n/a"


# ------------------------------------------------------------------------------------------------
# The real default model


@pytest.mark.slow
def test_default_model_agrees_with_logit_lens(default_lm):
    """On SmolLM2: refinement's layers equal logit_lens's first_correct / settled at the prompt's last
    position, the model answers these prompts, and skipping the first layer costs far more than a middle one."""
    prompts = multidoc_prompts(3, limit=1, positions=[1, 3])
    result = refinement(default_lm, prompts)
    for p, r in zip(prompts, result.records):
        lens = tokviz.logit_lens(default_lm, p.text + p.answer, alternatives=1)
        i = len(lens.token_ids) - 2  # the position whose next token is the answer's first token
        assert lens.token_ids[i + 1] == r.answer_id
        assert r.first_correct == lens.first_correct_layer[i]
        assert r.correct and r.stays_first == lens.settled_layer[i]
        assert r.answer_prob == pytest.approx(lens.target_probs[-1][i], abs=1e-4)
    importance = layer_importance(default_lm, prompts, layers=[1, 15])
    assert importance.baseline_accuracy == 1.0
    assert importance.drops[0] > 1.0 > importance.drops[1]


def test_public_names():
    assert tokviz.refinement is refinement and tokviz.layer_importance is layer_importance
    assert tokviz.multidoc_prompts is multidoc_prompts and tokviz.QAPrompt is QAPrompt
