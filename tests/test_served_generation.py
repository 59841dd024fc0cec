"""generate() on a served model against the real llama-cpp-python server (tests/served_server.py), checked
against the local default model through plain transformers; faults through the proxy in front of it."""

from __future__ import annotations

import threading

import pytest
import torch

import tokviz

from .served_server import requires_server

pytestmark = [requires_server, pytest.mark.slow]  # the real server, on the default model

PROMPT = "The capital of France is Paris. The capital of Germany is"


def local_logprobs(lm, ids: list[int]) -> list[float]:
    """log P(ids[i] | ids[:i]) for i >= 1, from the local model's own forward pass (plain transformers)."""
    with torch.inference_mode():
        logits = lm.model(input_ids=torch.tensor([ids])).logits[0].double()
    logprobs = logits.log_softmax(-1)
    return [float(logprobs[i - 1, ids[i]]) for i in range(1, len(ids))]


def test_greedy_tokens_are_the_local_models_with_its_numbers(served, default_lm):
    result = tokviz.generate(served, PROMPT, max_new_tokens=8, alternatives=5)
    assert isinstance(result, tokviz.Generation)
    assert result.stopped_by == "length" and len(result.tokens) == 8
    assert result.text == "".join(t.text for t in result.tokens)
    # The ids are the local tokenizer's, so the local model can score exactly these tokens.
    prompt_ids = default_lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    assert result.prompt.token_ids == prompt_ids
    ids = prompt_ids + result.token_ids
    reference = local_logprobs(default_lm, ids)[len(prompt_ids) - 1:]
    assert result.tokens[0].text == " Berlin"
    for token, expected in zip(result.tokens, reference):
        assert token.generated and token.entropy is None
        assert abs(token.logprob - expected) < 0.5  # the server runs the 4-bit weights, the local model float32
        assert token.rank == 1 and token.top[0].token_id == token.token_id  # greedy: the top-1 each time
        assert token.sampled_prob == token.prob  # greedy changes nothing
        assert len(token.top) == 5
    assert "entropy" in result.unavailable
    assert result.params["reported_logprobs"] == "raw"
    # the distribution after the completion comes from one more (greedy) request
    assert result.next and 0 < result.next[0].prob <= 1


def test_streaming_sends_every_token_in_order(served):
    streamed = []
    result = tokviz.generate(served, PROMPT, max_new_tokens=6, on_token=streamed.append)
    assert [t.token_id for t in streamed] == result.token_ids
    assert [t.index for t in streamed] == list(range(len(result.prompt.tokens), len(result.prompt.tokens) + 6))


def test_stop_strings_end_the_completion_before_them(served):
    result = tokviz.generate(served, "Count: 1, 2, 3,", max_new_tokens=20, stop=", 6")
    assert result.stopped_by == "stop" and result.stop_string == ", 6"
    assert result.text == " 4, 5"
    assert ", 6" not in result.text


def test_cancel_stops_after_the_current_token_and_the_server_stays_usable(served):
    cancel = threading.Event()

    def on_token(token):
        if token.index >= 0:
            cancel.set()

    result = tokviz.generate(served, PROMPT, max_new_tokens=30, on_token=on_token, cancel=cancel)
    assert result.stopped_by == "cancelled"
    assert 1 <= len(result.tokens) <= 3
    assert tokviz.generate(served, PROMPT, max_new_tokens=2).stopped_by == "length"


def test_sampling_sends_the_settings_and_is_honest_about_sampled_prob(proxy):
    model = tokviz.connect(proxy.url, timeout=120)
    first = tokviz.generate(model, PROMPT, max_new_tokens=12, do_sample=True, temperature=0.7, top_k=3, seed=11)
    sent = proxy.requests[-2]  # the last one asks for the distribution after the completion
    assert sent["stream"] and sent["temperature"] == 0.7 and sent["top_k"] == 3 and sent["seed"] == 11
    # the samplers transformers does not have are off
    assert sent["min_p"] == 0.0 and sent["repeat_penalty"] == 1.0 and sent["top_p"] == 1.0
    assert all(t.rank is not None and t.rank <= 3 for t in first.tokens)  # top-k=3 reached the server
    assert first.params["reported_logprobs"] == "raw"
    assert all(t.prob is not None and t.sampled_prob is None for t in first.tokens)
    assert "sampled_prob" in first.unavailable
    again = tokviz.generate(model, PROMPT, max_new_tokens=12, do_sample=True, temperature=0.7, top_k=3, seed=11)
    assert again.token_ids == first.token_ids  # the server's seed makes it reproducible
    plain = tokviz.generate(model, PROMPT, max_new_tokens=4, do_sample=True, seed=3)  # T=1, no filter
    assert all(t.sampled_prob == t.prob for t in plain.tokens) and "sampled_prob" not in plain.unavailable


def test_a_server_that_spells_no_top_k_as_minus_one_is_asked_again(proxy):
    model = tokviz.connect(proxy.url, timeout=120)
    proxy.mode = "sglang-top-k"
    result = tokviz.generate(model, PROMPT, max_new_tokens=3, do_sample=True, seed=5)
    assert len(result.tokens) == 3
    streamed = [r["top_k"] for r in proxy.requests if r.get("stream") and "top_k" in r]
    assert streamed == [0, -1]


def test_a_server_reporting_processed_numbers_is_recognised(proxy):
    model = tokviz.connect(proxy.url, timeout=120)
    proxy.mode = "processed-stream"
    result = tokviz.generate(model, PROMPT, max_new_tokens=5, do_sample=True, temperature=0.5, seed=2)
    assert result.params["reported_logprobs"] == "processed"
    assert "prob" in result.unavailable
    assert all(t.prob is None and t.rank is None and t.sampled_prob is not None for t in result.tokens)


def test_a_stream_cut_off_keeps_the_tokens_received(proxy):
    model = tokviz.connect(proxy.url, timeout=120)
    proxy.mode, proxy.after = "drop-stream", 3
    result = tokviz.generate(model, PROMPT, max_new_tokens=10)
    assert result.stopped_by == "cut_off"
    assert len(result.tokens) == 3 and result.tokens[0].text == " Berlin"
    assert "dropped" in result.unavailable["cut_off"] and "3 token(s)" in result.unavailable["cut_off"]
    assert result.next == []


def test_a_stream_that_stalls_past_the_timeout_is_cut_off(proxy):
    model = tokviz.connect(proxy.url, timeout=120)
    model.timeout = 6.0  # the prompt's own requests answer well within it
    proxy.mode, proxy.after, proxy.stall = "stall-stream", 2, 12.0
    result = tokviz.generate(model, PROMPT, max_new_tokens=10)
    assert result.stopped_by == "cut_off" and len(result.tokens) == 2
    assert "within 6 s" in result.unavailable["cut_off"]


def test_a_stream_that_breaks_before_any_token_is_an_error(proxy):
    model = tokviz.connect(proxy.url, timeout=120)
    proxy.mode, proxy.after = "drop-stream", 0
    with pytest.raises(tokviz.ServerUnreachableError, match="dropped"):
        tokviz.generate(model, PROMPT, max_new_tokens=5)
    proxy.close()  # the server goes away between two calls
    with pytest.raises(tokviz.ServerUnreachableError, match="is it running"):
        tokviz.generate(model, PROMPT, max_new_tokens=5)


def test_what_a_server_cannot_do_is_refused_clearly(served):
    with pytest.raises(tokviz.CapabilityError, match="beam search"):
        tokviz.generate(served, PROMPT, num_beams=2)
    with pytest.raises(tokviz.CapabilityError, match="prefix_ids"):
        tokviz.generate(served, PROMPT, prefix_ids=[42])
    with pytest.raises(tokviz.InvalidInputError, match="alternatives"):
        tokviz.generate(served, PROMPT, alternatives=21)
    with pytest.raises(tokviz.InvalidInputError, match="temperature"):
        tokviz.generate(served, PROMPT, do_sample=True, temperature=0)
    with pytest.raises(tokviz.InvalidInputError, match="prompt"):
        tokviz.generate(served, "")


def test_chat_templates_are_refused_and_a_leading_special_token_is_named(served, default_lm):
    with pytest.raises(tokviz.CapabilityError, match="chat template"):
        tokviz.generate(served, "Say hi.", chat=True)
    templated = default_lm.tokenizer.apply_chat_template([{"role": "user", "content": "Say hi."}], tokenize=False)
    with pytest.raises(tokviz.ServerProtocolError, match="special token"):
        tokviz.analyze(served, templated)
