"""llama.cpp's own C++ server (`llama-server`, built from the source in PyPI's llama-cpp-python sdist) as a
real process on the default model's 4-bit GGUF, spoken natively by token id. Its numbers are checked against
a float64 pass of the local model (the same weights, dequantised): the served tests' 0.5-nat tolerance
covers llama.cpp's 8-bit activations."""

from __future__ import annotations

import copy
import math
import signal
import threading

import pytest
import torch

import tokviz
from tokviz.errors import ServedContextError

from .llama_server import requires_llama_server, start_llama_server
from .served_server import stop_server

pytestmark = [requires_llama_server, pytest.mark.slow]

TOLERANCE = 0.5  # nats, as in the other served-model tests
PROMPTS = [
    "The capital of France is Paris. The capital of Germany is",
    "12 + 7 = 19. 30 + 12 = 42. 8 +",  # " " then a digit: where candidate texts collide on other servers
    "Once upon a time, there was a little girl who lived in a village near the forest.",
]


@pytest.fixture(scope="module")
def llama_url():
    process, url = start_llama_server()
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def engine(llama_url):
    return tokviz.connect(llama_url, timeout=120)


@pytest.fixture(scope="module")
def float64_model(default_lm):
    return copy.deepcopy(default_lm.model).double().eval()


def float64_logprobs(model, ids: list[int]) -> torch.Tensor:
    """[position, vocabulary] log-probabilities of the next token after each prefix, in float64."""
    with torch.no_grad():
        return torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0].double(), -1)


def test_connect_recognises_llama_server(engine, llama_url):
    assert engine.engine == "llama-server" and engine.engine_version
    assert engine.base_url == llama_url and engine.name.endswith(".gguf")
    assert engine.context_length == 1024  # from /v1/models' meta
    # two identical requests answer the same (one slot, its cache reused)
    assert engine.repeat_change is not None and engine.repeat_change < 1e-3


def test_every_prompt_token_has_the_models_own_log_probability(engine, float64_model):
    outside = 0
    for text in PROMPTS:
        result = tokviz.analyze(engine, text, alternatives=5)
        ids = result.token_ids
        assert "".join(t.text for t in result.tokens) == text
        local = float64_logprobs(float64_model, ids)
        assert result.tokens[0].prob is None and all(t.entropy is None for t in result.tokens)
        assert "entropy" in result.unavailable and "rank" in result.unavailable
        for p, token in enumerate(result.tokens[1:], start=1):
            expected = float(local[p - 1, ids[p]])
            assert token.logprob is not None, (text, p)  # known even outside the top-k: the token is forced
            assert abs(token.logprob - expected) < TOLERANCE, (text, p, token.text)
            local_rank = int((local[p - 1] > local[p - 1, ids[p]]).sum()) + 1
            outside += local_rank > engine.logprobs
            if token.rank is None:  # outside the server's top-k: its rank is not guessed
                assert local_rank > engine.logprobs // 2
            else:
                assert token.rank <= engine.logprobs and abs(token.rank - local_rank) <= 2
        assert abs(math.log(result.next[0].prob) - float(local[-1].max())) < TOLERANCE
    assert outside >= 3  # the check above covered tokens beyond the top-k too


def test_a_token_whose_text_other_tokens_share_keeps_its_own_number(engine, float64_model):
    """Servers that key candidates by text can show another token's number for " " here; by id it cannot."""
    result = tokviz.analyze(engine, PROMPTS[1], alternatives=5)
    local = float64_logprobs(float64_model, result.token_ids)
    # the spaces after " +" and " =", where the model is sure of " " (after "." it is not)
    spaces = [p for p, t in enumerate(result.tokens) if t.text == " " and result.tokens[p - 1].text in (" +", " =")]
    assert spaces
    for p in spaces:
        assert result.tokens[p].logprob > -1.0  # the model is sure of it
        assert abs(result.tokens[p].logprob - float(local[p - 1, result.token_ids[p]])) < TOLERANCE
        assert result.tokens[p].top[0].token_id == result.token_ids[p]


def test_greedy_generation_agrees_with_the_local_model(engine, float64_model):
    result = tokviz.generate(engine, PROMPTS[0], max_new_tokens=6, do_sample=False, alternatives=5)
    assert len(result.tokens) == 6 and result.stopped_by == "length"
    ids = result.prompt.token_ids + [t.token_id for t in result.tokens]
    local = float64_logprobs(float64_model, ids)
    start = len(result.prompt.token_ids)
    for i, token in enumerate(result.tokens):
        row = local[start + i - 1]
        assert abs(token.logprob - float(row[token.token_id])) < TOLERANCE
        assert token.rank == 1 and token.top[0].token_id == token.token_id  # greedy takes the top-1
        best, second = torch.topk(row, 2).values.tolist()
        if best - second > TOLERANCE:  # a clear choice: the local model's too
            assert token.token_id == int(row.argmax())
    assert "".join(t.text for t in result.tokens) == result.text
    assert result.next and abs(math.log(result.next[0].prob) - float(local[-1].max())) < TOLERANCE


def test_sampling_gives_the_raw_and_the_sampled_distribution(engine, float64_model):
    """Streamed after the sampler chain, read raw by id afterwards: both, each against float64 torch."""
    temperature = 0.7
    result = tokviz.generate(engine, PROMPTS[2], max_new_tokens=5, do_sample=True, temperature=temperature,
                             top_k=5, seed=3, alternatives=8)
    assert result.details["reported_logprobs"] == "raw and processed"
    assert "sampled_prob" not in result.unavailable and "prob" not in result.unavailable
    ids = result.prompt.token_ids + [t.token_id for t in result.tokens]
    local = float64_logprobs(float64_model, ids)
    start = len(result.prompt.token_ids)
    compared = 0
    for i, token in enumerate(result.tokens):
        raw = local[start + i - 1]
        assert abs(token.logprob - float(raw[token.token_id])) < TOLERANCE
        assert token.rank is not None and token.rank <= 5 and len(token.top) == 8
        # top-k 5 keeps the server's five most probable tokens (token.top is in its raw order): their sampled
        # probabilities sum to 1 and every other candidate's is 0
        kept = token.top[:5]
        assert all(c.sampled_prob > 0 for c in kept) and all(c.sampled_prob == 0.0 for c in token.top[5:])
        assert sum(c.sampled_prob for c in kept) == pytest.approx(1.0, abs=1e-3)
        # ... and, where float64 torch keeps the same five, equal its sharpened distribution over them
        best = torch.topk(raw, 5).indices
        if set(best.tolist()) == {c.token_id for c in kept}:
            processed = torch.log_softmax(raw[best] / temperature, -1)
            for token_id, logprob in zip(best.tolist(), processed.tolist()):
                shown = next(c for c in kept if c.token_id == token_id)
                assert abs(math.log(shown.sampled_prob) - logprob) < TOLERANCE / temperature
            assert abs(math.log(token.sampled_prob) - processed[best.tolist().index(token.token_id)]) < 1.0
            compared += 1
    assert compared >= 2


def test_the_loom_through_llama_server_knows_every_number_but_entropy(engine, float64_model):
    loom = tokviz.loom(engine, "The capital of France is", depth=2, max_children=3, max_nodes=12)
    assert len(loom.nodes) > 4
    for node in loom.nodes[1:]:
        ids = loom.context_ids + loom.prompt_ids + loom.token_ids(node.parent)
        expected = float(float64_logprobs(float64_model, ids)[-1, node.token_id])
        assert node.entropy is None and node.prob is not None and node.rank is not None
        assert abs(math.log(node.prob) - expected) < TOLERANCE


def test_a_prompt_past_the_context_is_refused_clearly(engine):
    with pytest.raises(ServedContextError, match="at most 1024 tokens"):
        tokviz.analyze(engine, "word " * 1100)
    with pytest.raises(ServedContextError, match="at most 1024 tokens"):
        tokviz.generate(engine, "word " * 1020, max_new_tokens=10)


# -- Stop and faults, against the real process ------------------------------------------------------------
def test_stop_keeps_the_tokens_so_far_and_the_server_stays_usable(engine):
    cancel = threading.Event()
    seen = []

    def on_token(token):
        seen.append(token)
        if len(seen) == 3:
            cancel.set()

    result = tokviz.generate(engine, PROMPTS[2], max_new_tokens=40, on_token=on_token, cancel=cancel)
    assert result.stopped_by == "cancelled" and 3 <= len(result.tokens) < 40
    assert all(t.logprob is not None for t in result.tokens)
    assert tokviz.generate(engine, PROMPTS[0], max_new_tokens=2).stopped_by == "length"


@pytest.fixture()
def own_server():
    """A server of the test's own, which the test may pause or kill."""
    process, url = start_llama_server()
    yield process, url
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        stop_server(process)


def test_a_paused_server_is_a_timeout_and_a_stopped_one_unreachable(own_server):
    process, url = own_server
    lm = tokviz.connect(url, timeout=60)
    before = tokviz.analyze(lm, PROMPTS[0], alternatives=3)
    lm.timeout = 2.0
    process.send_signal(signal.SIGSTOP)  # the process stays, and answers nothing
    try:
        with pytest.raises(tokviz.ServerTimeoutError, match="within 2 s"):
            tokviz.analyze(lm, PROMPTS[0], alternatives=3)
    finally:
        process.send_signal(signal.SIGCONT)
    stop_server(process)
    with pytest.raises(tokviz.ServerUnreachableError):
        tokviz.analyze(lm, PROMPTS[0], alternatives=3)
    assert before.tokens[1].logprob is not None  # a failure leaves earlier results as they were


def test_a_server_killed_mid_stream_keeps_the_tokens_received(own_server):
    process, url = own_server
    lm = tokviz.connect(url, timeout=30)
    seen = []

    def on_token(token):
        seen.append(token)
        if len(seen) == 3:
            process.kill()

    result = tokviz.generate(lm, PROMPTS[2], max_new_tokens=40, on_token=on_token)
    assert result.stopped_by == "cut_off" and len(result.tokens) >= 3
    assert "token(s) received before it are kept" in result.unavailable["cut_off"]
    assert all(t.logprob is not None for t in result.tokens[:3])
