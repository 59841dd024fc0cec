"""Served models (tokviz.connect) against a real server: llama-cpp-python's, serving the default model's
own GGUF file, started on a free local port by a fixture and stopped by its pid."""

from __future__ import annotations

import json
import math
import socket

import pytest

import tokviz

from .served_server import free_port, requires_server, start_server, stop_server

pytestmark = [requires_server, pytest.mark.slow]  # the real server, on the default model

API_KEY = "sk-tokviz-test-9f8e7d6c5b4a"
PROMPTS = [
    "The capital of France is Paris. The capital of Germany is",
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "Once upon a time, there was a little girl who lived in a village near the forest.",
    "1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
]


@pytest.fixture(scope="module")
def keyed_server_url():
    process, url = start_server("--api_key", API_KEY)
    yield url
    stop_server(process)


def test_connect_finds_the_default_model_and_its_shift(served, server_url):
    assert served.name.endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert served.base_url == server_url
    assert served.tokenizer is not None  # the default model's own tokenizer, loaded locally
    # llama-cpp-python 0.3.36 (no BOS for this model): entry i holds the distribution after token i.
    assert served.alignment == "shifted"
    assert served.probe["top1_is_next_token"] == served.probe["positions"] > 20
    assert served.probe["top1_is_token"] <= 2
    # a base URL ending in /v1 means the same server
    assert tokviz.connect(server_url + "/v1/", probe=False).base_url == server_url


def test_analyze_served_is_honest_about_what_it_lacks(served):
    text = PROMPTS[0]
    result = tokviz.analyze(served, text, alternatives=5)
    assert isinstance(result, tokviz.PromptAnalysis)
    assert "".join(t.text for t in result.tokens) == text
    assert result.tokens[0].prob is None
    assert all(t.entropy is None for t in result.tokens) and result.next_entropy is None
    assert "entropy" in result.unavailable and "rank" in result.unavailable
    for token in result.tokens[1:]:
        assert len(token.top) == 5
        ids = [c.token_id for c in token.top]
        if token.token_id in ids:
            assert token.rank == ids.index(token.token_id) + 1
        elif token.rank is not None:  # in the server's top-k (k=20), beyond the 5 shown
            assert 5 < token.rank <= 20
        if token.logprob is None:
            assert "logprob" in result.unavailable
    assert result.next[0].text == " Berlin"
    assert "sk-" not in json.dumps(result.to_dict())


def test_served_numbers_agree_with_the_local_model(served, default_lm):
    """The server computes with the 4-bit weights, the local model with them dequantised to float32."""
    agree = positions = 0
    largest = 0.0
    compared = unshared = 0
    for text in PROMPTS:
        remote = tokviz.analyze(served, text, alternatives=20)
        local = tokviz.analyze(default_lm, text, alternatives=20)
        assert remote.token_ids == local.token_ids
        for r, loc in zip(remote.tokens, local.tokens):
            if r.top:
                positions += 1
                agree += r.top[0].token_id == loc.top[0].token_id
            if r.logprob is not None and loc.logprob is not None:
                compared += 1
                largest = max(largest, abs(r.logprob - loc.logprob))
            shared = served.vocabulary.shared_text(r.text)
            unshared += r.top is not None and not shared
            # a text several tokens share cannot say whose number it is: never shown as known
            assert not (shared and r.logprob is not None), r.text
        r_next, l_next = remote.next[0].token_id, local.next[0].token_id
        positions += 1
        agree += r_next == l_next
    print(f"\nserved vs local: top-1 agreement {agree}/{positions}, largest |logprob difference| {largest:.4f} "
          f"nats over {compared} tokens")
    assert agree / positions >= 0.9
    assert largest < 0.5
    # tokens whose text several tokens share (runs of spaces in code, " " before a partial character) have
    # no number read by text; of the others, at least as many as before keep one
    assert compared >= 0.8 * unshared


def test_realignment_matches_local_numbers_token_by_token(served, default_lm):
    """Without realignment the server's numbers are those of the next position: check the realigned ones
    are the local model's, and the raw ones are not."""
    text = PROMPTS[3]
    remote = tokviz.analyze(served, text, alternatives=5)
    local = tokviz.analyze(default_lm, text, alternatives=5)
    raw = served.prompt_logprobs(text, 5)
    realigned = [abs(r.logprob - loc.logprob) for r, loc in zip(remote.tokens, local.tokens)
                 if r.logprob is not None]
    shifted = [abs(raw.token_logprobs[i] - local.tokens[i].logprob) for i in range(1, len(local.tokens))]
    assert max(realigned) < 0.5
    assert sum(shifted) / len(shifted) > 1.0


def test_server_not_running_is_a_clear_error():
    with pytest.raises(tokviz.ServerUnreachableError, match="is it running"):
        tokviz.connect(f"http://127.0.0.1:{free_port()}", timeout=5)


def test_wrong_url_path_is_a_clear_error(server_url):
    with pytest.raises(tokviz.ServerProtocolError, match="HTTP 404"):
        tokviz.connect(server_url + "/not/here", timeout=10)
    with pytest.raises(tokviz.InvalidInputError, match="http"):
        tokviz.connect("127.0.0.1:8000")


def test_unknown_model_name_is_a_clear_error(server_url):
    with pytest.raises(tokviz.UnknownServedModelError, match="does not serve 'gpt-nothing'"):
        tokviz.connect(server_url, "gpt-nothing", timeout=10)


def test_timeout_is_a_clear_error():
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        with pytest.raises(tokviz.ServerTimeoutError, match=r"within 0\.5 s"):
            tokviz.connect(f"http://127.0.0.1:{port}", timeout=0.5)


def test_prompt_over_the_context_is_a_clear_error(served):
    with pytest.raises(tokviz.ServedContextError, match="context"):
        tokviz.analyze(served, " hello" * 1100)


def test_api_key_is_used_and_never_shown(keyed_server_url):
    model = tokviz.connect(keyed_server_url, api_key=API_KEY, timeout=120)
    assert model.alignment == "shifted"
    assert API_KEY not in repr(model) and API_KEY not in str(vars(model))
    result = tokviz.analyze(model, "Hello, world", alternatives=3)
    assert API_KEY not in json.dumps(result.to_dict()) and API_KEY not in repr(result)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(model)
    for key in ("wrong-key", None):
        with pytest.raises(tokviz.ServerAuthError, match="HTTP 401") as caught:
            tokviz.connect(keyed_server_url, api_key=key, timeout=10)
        assert API_KEY not in str(caught.value)
        assert "wrong-key" not in str(caught.value)


def test_first_token_prediction_comes_from_a_completion(served, default_lm):
    text = "Paris is the capital of France"
    remote = tokviz.analyze(served, text, alternatives=20)
    local = tokviz.analyze(default_lm, text, alternatives=20)
    assert remote.tokens[1].top and remote.tokens[1].top[0].token_id == local.tokens[1].top[0].token_id
    assert math.isclose(remote.tokens[1].top[0].prob, local.tokens[1].top[0].prob, rel_tol=0.3)


# -- the proxy (served_server.Proxy) answers as other servers do ----------------------------------------
def test_an_aligned_server_is_used_as_it_is(proxy, served, default_lm):
    proxy.mode = "aligned"
    model = tokviz.connect(proxy.url, timeout=120)
    assert model.alignment == "aligned"
    assert model.probe["top1_is_token"] == model.probe["positions"]
    text = PROMPTS[0]
    aligned = tokviz.analyze(model, text, alternatives=5)
    shifted = tokviz.analyze(served, text, alternatives=5)
    assert [t.logprob for t in aligned.tokens] == [t.logprob for t in shifted.tokens]
    def tops(result):
        return [[c.token_id for c in t.top] for t in result.tokens]

    assert tops(aligned) == tops(shifted)
    assert [c.token_id for c in aligned.next] == [c.token_id for c in shifted.next]


def test_a_server_whose_alignment_is_unclear_is_refused(proxy):
    proxy.mode = "scrambled"
    with pytest.raises(tokviz.ServerProtocolError, match="refusing"):
        tokviz.connect(proxy.url, timeout=120)


def test_a_server_without_prompt_logprobs_is_refused(proxy):
    proxy.mode = "no-logprobs"
    with pytest.raises(tokviz.PromptLogprobsUnsupportedError, match="no log-probabilities for the prompt"):
        tokviz.connect(proxy.url, timeout=120)


def test_a_connection_dropped_mid_answer_is_a_clear_error(proxy, served):
    model = tokviz.connect(proxy.url, timeout=120)
    proxy.mode = "drop"
    with pytest.raises(tokviz.ServerUnreachableError, match="dropped"):
        tokviz.analyze(model, "Hello there")
    proxy.mode = "pass"  # the model stays usable
    assert tokviz.analyze(model, "Hello there").next


TRICKY = "I love 🍕 and <b>bold</b> & 日本語, naïve café"


def test_partial_utf8_html_and_cjk_come_out_exactly_as_a_local_models(served, default_lm):
    remote = tokviz.analyze(served, TRICKY, alternatives=5)
    local = tokviz.analyze(default_lm, TRICKY, alternatives=5)
    def shown(result):
        return [(t.token_id, t.text, t.bytes) for t in result.tokens]

    assert shown(remote) == shown(local)
    assert "".join(t.text for t in remote.tokens) == TRICKY
    assert any(t.text == "" and t.bytes for t in remote.tokens)  # the pizza's first bytes: a partial piece
    assert "token_ids" not in remote.unavailable


def test_without_a_local_tokenizer_the_servers_strings_are_shown_and_the_loss_is_said(server_url):
    model = tokviz.connect(server_url, timeout=120)
    model.tokenizer, model._vocabulary = None, None  # as for a model whose tokenizer cannot be loaded here
    result = tokviz.analyze(model, TRICKY, alternatives=5)
    assert "token_ids" in result.unavailable
    texts = [t.text for t in result.tokens]
    # The server drops every character split across tokens (the pizza, 日 and 語 here); the rest is the text.
    joined = "".join(texts)
    assert "" in texts and joined == "".join(c for c in TRICKY if c not in "🍕日語")
    partial = [t for t in result.tokens if t.text == ""]
    assert all(t.token_id < -1 and t.bytes == b"" for t in partial)  # an id of its own, no bytes known
    assert "<b>" in "".join(texts)  # HTML stays text
    with pytest.raises(tokviz.CapabilityError, match="tokenizer"):
        tokviz.perplexity(model, "Paris is the capital of France.")
