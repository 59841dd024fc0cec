"""generate(): token ids checked against transformers' own generate, every probability against a
teacher-forced forward pass and softmaxes computed here with plain torch."""

from __future__ import annotations

import json
import logging
import math
import threading
import warnings

import pytest
import torch
from transformers import LlamaForCausalLM

import tokviz
from tokviz import InvalidInputError
from tokviz.backends.local.compat import cache_argument
from tokviz.backends.local.model import LanguageModel

from .conftest import BERLIN_PROMPT, make_tiny_llama

PROMPT = "Once upon a time, in a small village"


def prompt_ids(lm, text):
    return lm.tokenizer(text, add_special_tokens=False)["input_ids"]


def hf_generate(lm, text, **kwargs):
    """transformers' generate on the same prompt: the reference token ids."""
    ids = torch.tensor([prompt_ids(lm, text)])
    with torch.no_grad():
        out = lm.model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=2, **kwargs)
    return out, ids.shape[1]


def teacher_forced_logits(lm, ids: list[int], completion: list[int]) -> torch.Tensor:
    """Logits predicting each completion token, from one forward pass over prompt + completion."""
    with torch.no_grad():
        logits = lm.model(torch.tensor([ids + completion])).logits[0].double()
    return logits[len(ids) - 1 : len(ids) + len(completion) - 1]


class ScriptedLlama(LlamaForCausalLM):
    """A tiny Llama that strongly prefers a scripted continuation (the script's n-th token after the
    prompt gets +50 on its logit), so tests control exactly which tokens are generated."""

    script: tuple[int, ...] = ()
    prompt_len = 0

    def forward(self, input_ids=None, **kwargs):
        cache = kwargs.get(cache_argument(LlamaForCausalLM))  # the name this transformers release uses
        seen = cache.get_seq_length() if cache is not None else 0
        out = super().forward(input_ids=input_ids, **kwargs)
        n = seen + input_ids.shape[1] - self.prompt_len
        if 0 <= n < len(self.script):
            out.logits[:, -1, self.script[n]] += 50.0
        return out


@pytest.fixture(scope="module")
def scripted_lm(tokenizer):
    model = make_tiny_llama(len(tokenizer), seed=1)
    model.__class__ = ScriptedLlama
    return LanguageModel(model=model, tokenizer=tokenizer, name="scripted-tiny-llama")


def script(lm, prompt, continuation_ids):
    lm.model.prompt_len = len(prompt_ids(lm, prompt))
    lm.model.script = tuple(continuation_ids)


# --- decoding equals transformers' ---------------------------------------------------------------------

def test_greedy_matches_transformers_generate(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=12)
    out, n = hf_generate(tiny_lm, PROMPT, max_new_tokens=12, do_sample=False)
    assert result.token_ids == out[0, n:].tolist()
    assert result.stopped_by == "length" and len(result.tokens) == 12
    assert [t.index for t in result.tokens] == list(range(n, n + 12))
    assert all(t.generated for t in result.tokens)
    assert result.full_text == PROMPT + result.text
    assert result.text == tiny_lm.tokenizer.decode(result.token_ids)
    assert "".join(t.text for t in result.tokens) == result.text
    assert result.beams == [] and result.beam_tree == []


def test_raw_probabilities_match_a_teacher_forced_pass(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=10, do_sample=True, temperature=1.5, seed=3,
                             alternatives=6)
    ids = prompt_ids(tiny_lm, PROMPT)
    probs = teacher_forced_logits(tiny_lm, ids, result.token_ids).softmax(-1)
    for token, dist in zip(result.tokens, probs):
        p = dist[token.token_id].item()
        assert token.prob == pytest.approx(p, abs=1e-4)
        assert token.logprob == pytest.approx(math.log(p), abs=1e-3)
        assert token.rank == int((dist > dist[token.token_id]).sum()) + 1
        entropy = -(dist * dist.clamp_min(1e-300).log()).sum().item()
        assert token.entropy == pytest.approx(entropy, abs=1e-3)
        top = dist.topk(6)
        assert [c.token_id for c in token.top] == top.indices.tolist()
        assert [c.prob for c in token.top] == pytest.approx(top.values.tolist(), abs=1e-4)


def test_prompt_analysis_comes_with_the_generation(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=2, alternatives=4)
    ids = prompt_ids(tiny_lm, PROMPT)
    with torch.no_grad():
        probs = tiny_lm.model(torch.tensor([ids])).logits[0].double().softmax(-1)
    prompt = result.prompt
    assert prompt.token_ids == ids and prompt.text == PROMPT and prompt.tokens[0].prob is None
    for i in range(1, len(ids)):
        assert prompt.tokens[i].prob == pytest.approx(probs[i - 1][ids[i]].item(), abs=1e-5)
        assert [c.token_id for c in prompt.tokens[i].top] == probs[i - 1].topk(4).indices.tolist()
    assert [c.token_id for c in prompt.next] == probs[-1].topk(4).indices.tolist()
    assert [c.prob for c in prompt.next] == pytest.approx(probs[-1].topk(4).values.tolist(), abs=1e-5)
    logprobs = [math.log(probs[i - 1][ids[i]].item()) for i in range(1, len(ids))]
    assert prompt.perplexity == pytest.approx(math.exp(-sum(logprobs) / len(logprobs)), rel=1e-4)


def test_single_token_prompt(tiny_lm):
    result = tokviz.generate(tiny_lm, "Hi", max_new_tokens=3)
    out, n = hf_generate(tiny_lm, "Hi", max_new_tokens=3, do_sample=False)
    assert n == 1 and result.token_ids == out[0, 1:].tolist()
    assert len(result.prompt.tokens) == 1 and result.tokens[0].index == 1


def test_greedy_sampled_prob_equals_prob(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=6)
    assert all(t.sampled_prob == t.prob for t in result.tokens)
    assert all(t.rank == 1 for t in result.tokens)


def test_sampled_prob_is_the_tempered_top_k_distribution(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=10, do_sample=True, temperature=0.5, top_k=5,
                             seed=7)
    logits = teacher_forced_logits(tiny_lm, prompt_ids(tiny_lm, PROMPT), result.token_ids)
    differs = 0
    for token, row in zip(result.tokens, logits):
        top = (row / 0.5).topk(5)
        assert token.token_id in top.indices.tolist(), "a token outside the top 5 was sampled"
        restricted = top.values.softmax(-1)
        expected = restricted[top.indices.tolist().index(token.token_id)].item()
        assert token.sampled_prob == pytest.approx(expected, abs=1e-4)
        assert token.sampled_prob > 0
        assert token.prob == pytest.approx(row.softmax(-1)[token.token_id].item(), abs=1e-4)
        differs += abs(token.sampled_prob - token.prob) > 1e-3
    assert differs >= 5


def test_sampled_prob_under_top_p(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=8, do_sample=True, top_p=0.6, seed=11)
    logits = teacher_forced_logits(tiny_lm, prompt_ids(tiny_lm, PROMPT), result.token_ids)
    for token, row in zip(result.tokens, logits):
        probs, order = row.softmax(-1).sort(descending=True)
        # The nucleus: the fewest most-probable tokens whose mass reaches 0.6.
        size = int((probs.cumsum(0) < 0.6).sum()) + 1
        nucleus = order[:size].tolist()
        assert token.token_id in nucleus
        expected = probs[nucleus.index(token.token_id)].item() / probs[:size].sum().item()
        assert token.sampled_prob == pytest.approx(expected, abs=1e-4)


def test_seed_makes_sampling_reproducible_and_leaves_global_rng_alone(tiny_lm):
    kwargs = dict(max_new_tokens=12, do_sample=True, temperature=1.3, top_k=50)
    state = torch.get_rng_state()
    first = tokviz.generate(tiny_lm, PROMPT, seed=5, **kwargs)
    assert torch.equal(torch.get_rng_state(), state)
    again = tokviz.generate(tiny_lm, PROMPT, seed=5, **kwargs)
    other = tokviz.generate(tiny_lm, PROMPT, seed=6, **kwargs)
    assert first.token_ids == again.token_ids
    assert first.token_ids != other.token_ids
    # The same draws as transformers' own sampling with the same settings and seed.
    torch.manual_seed(5)
    out, n = hf_generate(tiny_lm, PROMPT, **kwargs)
    assert first.token_ids == out[0, n:].tolist()
    assert first.params["seed"] == 5 and first.params["temperature"] == 1.3


# --- beam search ---------------------------------------------------------------------------------------

def test_beam_search_matches_transformers(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=8, num_beams=4)
    out, n = hf_generate(tiny_lm, PROMPT, max_new_tokens=8, num_beams=4, num_return_sequences=4,
                         output_scores=True, return_dict_in_generate=True)
    assert len(result.beams) == 4
    assert result.beams[0].token_ids == out.sequences[0, n:].tolist()
    assert result.token_ids == result.beams[0].token_ids
    assert [b.score for b in result.beams] == pytest.approx(out.sequences_scores.tolist(), abs=1e-5)
    assert [b.token_ids for b in result.beams] == out.sequences[:, n:].tolist()
    assert result.beams[0].text == result.text == tiny_lm.tokenizer.decode(result.token_ids)
    # Raw probabilities of the best beam's tokens: the teacher-forced pass again.
    probs = teacher_forced_logits(tiny_lm, prompt_ids(tiny_lm, PROMPT), result.token_ids).softmax(-1)
    for token, dist in zip(result.tokens, probs):
        assert token.prob == pytest.approx(dist[token.token_id].item(), abs=1e-4)
        assert token.sampled_prob == pytest.approx(token.prob, abs=1e-5)  # no warpers in beam search


def test_beam_tree_is_consistent(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=6, num_beams=3)
    tree = result.beam_tree
    assert len(tree) == 6
    assert all(node.parent == -1 for node in tree[0])
    for step in range(1, len(tree)):
        assert len(tree[step]) >= 3
        for node in tree[step]:
            assert 0 <= node.parent < len(tree[step - 1])
            parent = tree[step - 1][node.parent]
            assert node.score <= parent.score + 1e-6  # log-probabilities only add up downwards
            if node.kept:
                assert parent.kept
        scores = [n.score for n in tree[step]]
        assert scores == sorted(scores, reverse=True)
    # Walk the best beam back from its last node: its tokens, all kept.
    best = result.beams[0]
    last = next(i for i, n in enumerate(tree[len(best.token_ids) - 1]) if n.kept and n.token_id == best.token_ids[-1])
    path, index = [], last
    for step in range(len(best.token_ids) - 1, -1, -1):
        node = tree[step][index]
        assert node.kept
        path.append(node.token_id)
        index = node.parent
    assert path[::-1] == best.token_ids
    # Cumulative log-prob / length ** length_penalty is transformers' sequence score.
    assert tree[len(best.token_ids) - 1][last].score / len(best.token_ids) == pytest.approx(best.score, abs=1e-4)
    assert any(not n.kept for step in tree for n in step), "pruned branches are part of the tree"
    # Every node's score: its parent's plus the log-prob of its token (teacher-forced, plain softmax).
    ids = prompt_ids(tiny_lm, PROMPT)
    for step in range(2):
        for node in tree[step]:
            prefix = []
            parent, back = node.parent, step - 1
            while back >= 0:
                prefix.insert(0, tree[back][parent].token_id)
                parent, back = tree[back][parent].parent, back - 1
            logits = teacher_forced_logits(tiny_lm, ids, [*prefix, node.token_id])
            expected = sum(logits[j].log_softmax(-1)[t].item() for j, t in enumerate([*prefix, node.token_id]))
            assert node.score == pytest.approx(expected, abs=1e-3)


def test_beam_tree_marks_the_best_beam_and_beams_explain_their_score(tiny_lm):

    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=6, num_beams=3)
    tree, best = result.beam_tree, result.beams[0]
    # the best beam's path: exactly one node per step, each the parent of the next, spelling its tokens
    path = [[i for i, n in enumerate(step) if n.best] for step in tree[: len(best.token_ids)]]
    assert all(len(p) == 1 for p in path)
    assert [tree[s][p[0]].token_id for s, p in enumerate(path)] == best.token_ids
    assert all(tree[s][p[0]].parent == path[s - 1][0] for s, p in enumerate(path) if s)
    assert not any(n.best for step in tree[len(best.token_ids):] for n in step)
    # score = sum of the token log-probabilities / length ** length_penalty, as transformers reports it
    for beam in result.beams:
        assert beam.length == len(beam.token_ids)
        assert beam.logprob_sum == pytest.approx(beam.score * beam.length ** beam.length_penalty)
    assert best.logprob_sum == pytest.approx(tree[len(best.token_ids) - 1][path[-1][0]].score, abs=1e-4)


def test_beam_sampling_is_reproducible(tiny_lm):
    kwargs = dict(max_new_tokens=5, num_beams=2, do_sample=True, temperature=0.8, seed=2)
    first = tokviz.generate(tiny_lm, PROMPT, **kwargs)
    assert first.token_ids == tokviz.generate(tiny_lm, PROMPT, **kwargs).token_ids
    torch.manual_seed(2)
    out, n = hf_generate(tiny_lm, PROMPT, max_new_tokens=5, num_beams=2, do_sample=True, temperature=0.8)
    assert first.token_ids == out[0, n:].tolist()


def test_beams_call_on_token_at_the_end(tiny_lm):
    seen = []
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=4, num_beams=2, on_token=seen.append)
    assert seen == result.tokens


def test_distribution_after_the_last_generated_token(tiny_lm):
    """Generation.next: the top tokens after prompt + completion, against a float64 softmax of one plain
    forward pass; its entropy against the closed form."""
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=5, alternatives=7)
    ids = prompt_ids(tiny_lm, PROMPT) + result.token_ids
    with torch.no_grad():
        logits = tiny_lm.model(torch.tensor([ids])).logits[0, -1].double()
    probs = torch.softmax(logits, -1)
    expected = torch.topk(probs, 7)
    assert [c.token_id for c in result.next] == expected.indices.tolist()
    assert [c.prob for c in result.next] == pytest.approx(expected.values.tolist(), abs=1e-6)
    entropy = float(-(probs * torch.log(probs)).sum())
    assert result.next_entropy == pytest.approx(entropy, abs=1e-5)


def test_nothing_follows_an_eos(scripted_lm):
    script(scripted_lm, PROMPT, [*prompt_ids(scripted_lm, " the end"), 2])
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=10)
    assert result.stopped_by == "eos"
    assert result.next == [] and result.next_entropy is None


# --- stopping ------------------------------------------------------------------------------------------

def test_eos_stops_generation_and_is_not_completion_text(scripted_lm):
    words = prompt_ids(scripted_lm, " the end")
    script(scripted_lm, PROMPT, [*words, 2, *words])
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=10)
    out, n = hf_generate(scripted_lm, PROMPT, max_new_tokens=10, do_sample=False)
    assert result.token_ids == out[0, n:].tolist() == [*words, 2]
    assert result.stopped_by == "eos"
    assert result.text == " the end"
    assert result.tokens[-1].text == "<|im_end|>" and result.tokens[-1].prob > 0.99


def test_multibyte_characters_split_across_tokens(scripted_lm):
    continuation = prompt_ids(scripted_lm, " 😀 café 日本")
    script(scripted_lm, PROMPT, continuation)
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=len(continuation))
    assert result.token_ids == continuation
    assert result.text == " 😀 café 日本"
    assert "".join(t.text for t in result.tokens) == result.text
    assert b"".join(t.bytes for t in result.tokens) == result.text.encode()
    assert any(t.text == "" for t in result.tokens), "the emoji should span partial-byte tokens"


def test_unfinished_character_at_the_length_limit(scripted_lm):
    continuation = prompt_ids(scripted_lm, " 😀")
    script(scripted_lm, PROMPT, continuation)
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=len(continuation) - 1)
    decoded = scripted_lm.tokenizer.decode(result.token_ids)
    assert "".join(t.text for t in result.tokens) == result.text == decoded


def test_stop_string_cuts_the_completion(scripted_lm):
    continuation = prompt_ids(scripted_lm, " red, green. blue, black. white")
    script(scripted_lm, PROMPT, continuation)
    streamed = []
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=len(continuation), stop=[". b", "white"],
                             on_token=streamed.append)
    assert result.stopped_by == "stop" and result.stop_string == ". b"
    assert result.text == " red, green"
    assert "".join(t.text for t in result.tokens) == " red, green"
    assert result.token_ids == continuation[: len(result.tokens)]
    assert streamed == result.tokens, "tokens inside the stop string are never streamed"


def test_stop_string_inside_a_token(scripted_lm):
    continuation = prompt_ids(scripted_lm, " hello world again")
    script(scripted_lm, PROMPT, continuation)
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=len(continuation), stop="llo wor")
    # " hello" straddles the stop string: it is kept whole, the text ends right before the stop.
    assert result.text == " he"
    assert result.tokens[-1].text == " hello" and len(result.tokens) == 1
    assert result.stopped_by == "stop"


def test_stop_string_from_the_real_generation(tiny_lm):
    full = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=16)
    stop = full.tokens[6].text + full.tokens[7].text
    if stop.strip() == "" or full.text.find(stop) != sum(len(t.text) for t in full.tokens[:6]):
        pytest.skip("the random model's text repeats the chosen stop string earlier")
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=16, stop=stop)
    assert result.text == full.text[: full.text.index(stop)]
    assert result.token_ids == full.token_ids[:6]
    assert result.stopped_by == "stop"


def test_stop_strings_in_beam_search(scripted_lm):
    continuation = prompt_ids(scripted_lm, " one two three four")
    script(scripted_lm, PROMPT, continuation)
    result = tokviz.generate(scripted_lm, PROMPT, max_new_tokens=len(continuation), num_beams=2, stop=" three")
    assert result.text == " one two" and result.stopped_by == "stop"
    assert result.beams[0].text == " one two"


def test_cancel_from_on_token_stops_within_one_step(tiny_lm):
    cancel = threading.Event()
    streamed = []

    def on_token(token):
        streamed.append(token)
        if len(streamed) == 3:
            cancel.set()

    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=30, on_token=on_token, cancel=cancel)
    assert result.stopped_by == "cancelled"
    assert len(result.tokens) in (3, 4)
    assert streamed == result.tokens


def test_cancel_beam_search(tiny_lm):
    cancel = threading.Event()
    cancel.set()
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=30, num_beams=2, cancel=cancel)
    assert result.stopped_by == "cancelled" and len(result.tokens) == 1


def test_on_token_streams_in_order_while_generating(tiny_lm):
    streamed = []
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=8, on_token=lambda t: streamed.append(t))
    assert [t.index for t in streamed] == [t.index for t in result.tokens]
    assert streamed == result.tokens and all(t.prob is not None for t in streamed)


# --- results -------------------------------------------------------------------------------------------

def test_to_dict_table_and_repr(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=4, num_beams=2, alternatives=3)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["text"] == result.text and data["stopped_by"] == "length"
    assert len(data["tokens"]) == 4 and len(data["tokens"][0]["top"]) == 3
    assert data["beam_tree"][0][0]["parent"] == -1 and len(data["beams"]) == 2
    assert data["params"]["num_beams"] == 2 and data["prompt"]["text"] == PROMPT
    table = result.table()
    assert repr(result.tokens[0].text) in table and "stopped by: length" in table
    assert "4 tokens" in repr(result)


def test_no_warnings_from_transformers(tiny_lm):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3)
            tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3, do_sample=True, top_k=4, top_p=0.9, seed=1)
            tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3, num_beams=2)
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_new_tokens": 0}, "max_new_tokens must be a positive integer"),
        ({"max_new_tokens": 2.5}, "max_new_tokens must be a positive integer"),
        ({"do_sample": True, "temperature": 0}, "temperature must be > 0 when sampling"),
        ({"do_sample": True, "temperature": -1.0}, "temperature must be > 0 when sampling"),
        ({"temperature": float("nan")}, "temperature must be a finite number"),
        ({"do_sample": True, "top_p": 0}, r"top_p must be in \(0, 1\]"),
        ({"do_sample": True, "top_p": 1.5}, r"top_p must be in \(0, 1\]"),
        ({"do_sample": True, "top_k": 0}, "top_k must be a positive integer"),
        ({"top_k": 2.5}, "top_k must be a positive integer"),
        ({"num_beams": 0}, "num_beams must be a positive integer"),
        ({"alternatives": 0}, "alternatives must be between 1"),
        ({"alternatives": 10**9}, "alternatives must be between 1"),
        ({"stop": 5}, "stop must be a string or a list of strings"),
        ({"stop": ["ok", 3]}, "stop must be a string or a list of strings"),
        ({"stop": ""}, "stop strings must not be empty"),
        ({"seed": "x"}, "seed must be an integer"),
        ({"on_token": 3}, "on_token must be a function"),
        ({"cancel": True}, "cancel must be a threading.Event"),
        ({"do_sample": "yes"}, "do_sample must be True or False"),
        ({"chat": 1}, "chat must be True or False"),
    ],
)
def test_bad_settings_are_rejected(tiny_lm, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.generate(tiny_lm, PROMPT, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"temperature": -1.0}, {"top_p": 2.0}, {"top_p": 0}, {"top_k": 0}, {"top_k": 2.5}, {"seed": "x"},
     {"temperature": float("inf")}],
)
def test_sampling_settings_are_checked_the_same_way_when_not_sampling(tiny_lm, kwargs):
    """One rule: a setting out of its range is an error whatever the mode (greedy here)."""
    with pytest.raises(InvalidInputError) as greedy:
        tokviz.generate(tiny_lm, PROMPT, max_new_tokens=1, **kwargs)
    with pytest.raises(InvalidInputError) as sampling:
        tokviz.generate(tiny_lm, PROMPT, max_new_tokens=1, do_sample=True, **kwargs)
    assert str(greedy.value) == str(sampling.value)
    assert next(iter(kwargs)) in str(greedy.value)


def test_in_range_sampling_settings_have_no_effect_without_sampling(tiny_lm):
    plain = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=6)
    ignored = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=6, temperature=0.0, top_k=3, top_p=0.5, seed=4)
    assert ignored.token_ids == plain.token_ids
    assert ignored.params["temperature"] is None and ignored.params["top_k"] is None
    assert ignored.params["top_p"] is None


def test_beam_sampling_gives_no_per_token_sampling_probability(tiny_lm):
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3, num_beams=2, do_sample=True, seed=1)
    assert result.tokens and all(t.sampled_prob is None and t.prob is not None for t in result.tokens)
    assert "jointly across all beams" in result.unavailable["sampled_prob"]
    assert result.to_dict()["unavailable"] == result.unavailable
    plain = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3, num_beams=2)
    assert plain.unavailable == {} and all(t.sampled_prob is not None for t in plain.tokens)


@pytest.mark.parametrize(("prompt", "message"), [("", "empty"), (None, "must be a string")])
def test_bad_prompt_is_rejected(tiny_lm, prompt, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.generate(tiny_lm, prompt)


def test_prompt_plus_new_tokens_beyond_the_context_window(tiny_lm):
    text = "word " * 100
    length = len(prompt_ids(tiny_lm, text))
    with pytest.raises(InvalidInputError) as error:
        tokviz.generate(tiny_lm, text, max_new_tokens=50)
    message = str(error.value)
    assert f"{length} tokens" in message and "50 new tokens" in message and "128" in message


# --- the real default model ----------------------------------------------------------------------------

@pytest.mark.slow
def test_default_model_continues_with_berlin(default_lm):
    result = tokviz.generate(default_lm, BERLIN_PROMPT, max_new_tokens=5)
    assert result.text.startswith(" Berlin")
    assert result.tokens[0].prob > 0.9
    out, n = hf_generate(default_lm, BERLIN_PROMPT, max_new_tokens=5, do_sample=False)
    assert result.token_ids == out[0, n:].tolist()
    probs = teacher_forced_logits(default_lm, prompt_ids(default_lm, BERLIN_PROMPT), result.token_ids).softmax(-1)
    for token, dist in zip(result.tokens, probs):
        assert token.prob == pytest.approx(dist[token.token_id].item(), abs=1e-4)


@pytest.mark.slow
def test_default_model_chat_ends_with_eos(default_lm):
    result = tokviz.generate(default_lm, "What is the capital of France?", max_new_tokens=40, chat=True)
    assert result.prompt.text.startswith("<|im_start|>") and result.prompt.text.endswith("assistant\n")
    assert result.stopped_by == "eos"
    assert result.tokens[-1].token_id == default_lm.tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert "Paris" in result.text and "<|im_end|>" not in result.text


@pytest.mark.slow
def test_default_model_beam_search_matches_transformers(default_lm):
    result = tokviz.generate(default_lm, BERLIN_PROMPT, max_new_tokens=3, num_beams=4)
    out, n = hf_generate(default_lm, BERLIN_PROMPT, max_new_tokens=3, num_beams=4)
    assert result.beams[0].token_ids == out[0, n:].tolist()
