"""The completion's bookkeeping without a model: text, EOS, stop strings, held-back streaming, partial UTF-8."""

from __future__ import annotations

import math

import pytest

from tokviz.core.completion import Completion, StepStats, StopScanner
from tokviz.core.tokens import Vocabulary

EOS = 2


@pytest.fixture(scope="module")
def vocabulary(tokenizer):
    return Vocabulary(tokenizer, len(tokenizer))


def ids_of(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def numbers(logprob=-0.5):
    return StepStats(logprob=logprob, rank=1, entropy=1.0, top=[], sampled_logprob=None)


def run(vocabulary, ids, *, stops=(), prompt=(), on_token=None):
    completion = Completion(vocabulary, list(prompt), len(prompt), [EOS], StopScanner(list(stops)) if stops else None,
                            on_token)
    for token_id in ids:
        if completion.push(token_id, numbers()):
            break
    completion.finish()
    return completion


def test_the_stop_scanner_finds_the_earliest_stop_and_holds_back_possible_starts():
    scanner = StopScanner(["\n\n", "END"])
    assert scanner.find("a END b\n\n") == (2, "END")
    assert scanner.find("nothing here") is None
    assert scanner.safe_end("text E") == 5  # "E" may become "END"
    assert scanner.safe_end("text\n") == 4
    assert scanner.safe_end("text.") == 5


def test_text_and_tokens_without_a_stop(vocabulary, tokenizer):
    ids = ids_of(tokenizer, " Hello world, again.")
    completion = run(vocabulary, ids)
    assert completion.text == " Hello world, again." and [t.token_id for t in completion.tokens] == ids
    assert completion.stopped_by(cancelled=False) == "length"
    assert all(t.prob == pytest.approx(math.exp(-0.5)) and t.generated for t in completion.tokens)


def test_a_stop_string_cuts_the_text_and_drops_later_tokens(vocabulary, tokenizer):
    ids = ids_of(tokenizer, " one two. three four")
    completion = run(vocabulary, ids, stops=[". three"])
    assert completion.text == " one two" and completion.stop_string == ". three"
    assert "".join(t.text for t in completion.tokens).startswith(" one two")
    assert all(" four" not in t.text for t in completion.tokens)
    assert completion.stopped_by(cancelled=True) == "stop"  # a stop string wins over a late cancel


def test_eos_is_kept_as_a_token_but_not_as_text(vocabulary, tokenizer):
    completion = run(vocabulary, [*ids_of(tokenizer, " done"), EOS, *ids_of(tokenizer, " never")])
    assert completion.text == " done" and completion.tokens[-1].token_id == EOS
    assert completion.stopped_by(cancelled=False) == "eos"


def test_streaming_holds_back_what_may_become_a_stop_and_ends_equal(vocabulary, tokenizer):
    streamed = []
    ids = ids_of(tokenizer, " alpha beta gamma delta")
    completion = Completion(vocabulary, [], 0, [EOS], StopScanner([" gamma delta"]), streamed.append)
    snapshots = []
    for token_id in ids:
        done = completion.push(token_id, numbers())
        snapshots.append([t.text for t in streamed])
        if done:
            break
    completion.finish()
    # " gamma" may start the stop string, so it is held back; it is then dropped, never having been streamed.
    assert snapshots == [[" alpha"], [" alpha", " beta"], [" alpha", " beta"], [" alpha", " beta"]]
    assert streamed == completion.tokens and [t.text for t in streamed] == [" alpha", " beta"]
    assert completion.text == " alpha beta" and completion.stop_string == " gamma delta"


def test_a_character_split_over_tokens_is_carried_by_the_token_that_completes_it(vocabulary, tokenizer):
    ids = ids_of(tokenizer, " 🎉 ok")
    completion = run(vocabulary, ids)
    assert completion.text == " 🎉 ok"
    assert "".join(t.text for t in completion.tokens) == " 🎉 ok"
    assert any(t.text == "" and t.bytes for t in completion.tokens)  # a byte-only piece of the emoji


def test_an_unfinished_character_at_the_end_decodes_to_the_replacement_character(vocabulary, tokenizer):
    ids = ids_of(tokenizer, " 🎉")
    first_partial = next(i for i, token_id in enumerate(ids) if vocabulary.is_partial(token_id))
    completion = run(vocabulary, ids[: first_partial + 1])
    assert completion.text.endswith("\ufffd")


def test_indices_continue_after_the_prompt(vocabulary, tokenizer):
    prompt = ids_of(tokenizer, "Count:")
    completion = run(vocabulary, ids_of(tokenizer, " one two"), prompt=prompt)
    assert [t.index for t in completion.tokens] == list(range(len(prompt), len(prompt) + len(completion.tokens)))
