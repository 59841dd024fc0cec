"""Candidate texts several tokens share, without a server: each position's {text: logprob} entry built the
way llama-cpp-python 0.3.36 builds it (Llama._create_completion: the k best tokens, each detokenized alone
with invalid UTF-8 dropped, written in order from the most probable, then the token's own text), from the
default model's float64 log-probabilities and its tokenizer's byte-level pieces decoded here. Every number
read_entry keeps must be the own number of the one token that wrote it."""

from __future__ import annotations

from collections import defaultdict

import pytest
import torch

from tokviz.backends.served.realign import read_entry
from tokviz.backends.served.vocabulary import ServedVocabulary

pytestmark = pytest.mark.slow  # the real default model

PROMPTS = ["12 + 7 = 19. 30 + 12 = 42. 8 +", "Le chat dort. 東京は日本の首都です。 🙂🎉 Fin.",
           "Party 🎉🎉 with 👩‍👩‍👧 and café au lait."]
K = 20


def server_texts(tokenizer) -> list[str]:
    """Each token's bytes (GPT-2's byte-to-character table undone) decoded with invalid UTF-8 dropped."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars = {}
    extra = 0
    for b in range(256):
        if b in printable:
            chars[chr(b)] = b
        else:
            chars[chr(256 + extra)] = b
            extra += 1
    texts = []
    for piece in tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))):
        raw = bytes(chars[c] for c in piece) if all(c in chars for c in piece) else piece.encode()
        texts.append(raw.decode("utf-8", errors="ignore"))
    return texts


def test_kept_numbers_are_the_writers_own_and_the_collision_is_caught(default_lm):
    tokenizer = default_lm.tokenizer
    texts = server_texts(tokenizer)
    by_text = defaultdict(list)
    for i, t in enumerate(texts):
        by_text[t].append(i)
    vocabulary = ServedVocabulary(tokenizer)
    kept = caught = 0
    for prompt in PROMPTS:
        ids = tokenizer(prompt)["input_ids"]
        with torch.no_grad():
            rows = default_lm.model(torch.tensor([ids])).logits[0].double().log_softmax(-1)
        for p, own in enumerate(ids):
            row = rows[p]
            writers = defaultdict(list)  # text -> the tokens that wrote its key, in writing order
            entry = {}
            for i in [*row.topk(K).indices.tolist(), own]:  # own token p: what a shifted server adds
                entry[texts[i]] = row[i].item()
                writers[texts[i]].append(i)
            top, ambiguous = read_entry(vocabulary, entry, K, own_text=texts[own])
            for text, value in top:
                assert len(set(writers[text])) == 1, f"{text!r} kept at position {p} though written by " \
                                                     f"{writers[text]}"
                assert value == row[writers[text][0]].item()
                kept += 1
            for text in ambiguous:
                assert len(by_text[text]) > 1  # only texts that several tokens share are left out
            caught += any(len(set(w)) > 1 for w in writers.values())
            assert all(len(set(writers[t])) == 1 for t in entry if t not in ambiguous)
    assert kept > 300 and caught >= 1  # the " " after "8 +" is one
