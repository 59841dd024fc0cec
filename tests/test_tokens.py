"""Token text and bytes: the join invariant for byte-level BPE, SentencePiece byte fallback, specials."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokviz.core.tokens import TextAssembler, Vocabulary

# Emoji, CJK, combining marks, control characters and HTML all appear with good probability.
TRICKY = st.sampled_from(["😀", "👩‍👩‍👧", "日本語", "e\u0301", "\x00", "\x1b", "\t", "\n", "  ", "<script>", "&amp;",
                          "\ufeff", "𝔘", "ß", "\u200b"])
TEXTS = st.lists(st.one_of(st.text(min_size=1, max_size=8), TRICKY), min_size=1, max_size=8).map("".join)


def decoded(tokenizer, ids):
    return tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


@pytest.fixture(scope="module")
def byte_level(tokenizer):
    return Vocabulary(tokenizer)


@pytest.fixture(scope="module")
def sentencepiece():
    """A SentencePiece-style tokenizer (Metaspace + byte fallback), trained here, offline."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<unk>", "<s>", "</s>", *byte_tokens])
    tok = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first")
    tok.train_from_iterator(["the quick brown fox jumps over the lazy dog", "hello world, tokens"] * 10, trainer)
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    # Byte tokens belong to the base vocabulary in real SentencePiece models, not to the added tokens.
    spec = json.loads(tok.to_str())
    spec["added_tokens"] = [t for t in spec["added_tokens"] if t["content"] not in byte_tokens]
    tok = Tokenizer.from_str(json.dumps(spec))
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_byte_level_texts_join_to_decoded_text(tokenizer, byte_level, text):
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    texts = byte_level.texts(ids)
    raw = b"".join(byte_level.bytes_of(i) for i in ids)
    assert "".join(texts) == decoded(tokenizer, ids) == raw.decode("utf-8", errors="replace")
    # The tokenizer is lossless for all but a few unassigned code points.
    if decoded(tokenizer, ids) == text:
        assert raw == text.encode("utf-8")
    for i, piece in zip(ids, texts):
        if byte_level.is_partial(i) and piece == "":
            assert byte_level.piece_text(i) == ""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_sentencepiece_texts_join_to_decoded_text(sentencepiece, text):
    vocabulary = Vocabulary(sentencepiece)
    ids = sentencepiece(text, add_special_tokens=False)["input_ids"]
    if not ids:
        return
    assert "".join(vocabulary.texts(ids)) == decoded(sentencepiece, ids)


def test_sentencepiece_byte_fallback_gives_raw_bytes(sentencepiece):
    vocabulary = Vocabulary(sentencepiece)
    ids = sentencepiece("fox 😀", add_special_tokens=False)["input_ids"]
    pieces = sentencepiece.convert_ids_to_tokens(ids)
    emoji = [i for i, p in zip(ids, pieces) if p.startswith("<0x")]
    assert [vocabulary.bytes_of(i) for i in emoji] == [bytes([b]) for b in "😀".encode()]
    texts = vocabulary.texts(ids)
    assert texts[-4:] == ["", "", "", "😀"]


def test_emoji_split_into_partial_tokens(tokenizer, byte_level):
    ids = tokenizer("I ❤️ 🦜", add_special_tokens=False)["input_ids"]
    texts = byte_level.texts(ids)
    partial = [i for i, t in zip(ids, texts) if t == ""]
    assert partial and all(byte_level.is_partial(i) for i in partial)
    assert "".join(texts) == "I ❤️ 🦜"


def test_special_tokens_keep_their_text(tokenizer, byte_level):
    text = "<|im_start|>user\nHi<|im_end|>"
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert byte_level.is_special(ids[0]) and byte_level.is_special(ids[-1])
    assert byte_level.texts(ids)[0] == "<|im_start|>"
    assert "".join(byte_level.texts(ids)) == text


def test_leading_whitespace_is_kept(tokenizer, byte_level):
    ids = tokenizer("  \tindented\n\nline", add_special_tokens=False)["input_ids"]
    assert "".join(byte_level.texts(ids)) == "  \tindented\n\nline"


def test_streaming_assembler_holds_back_partial_characters(tokenizer, byte_level):
    ids = tokenizer("🦜!", add_special_tokens=False)["input_ids"]
    assembler = TextAssembler(byte_level)
    streamed = [assembler.push(i) for i in ids]
    assert streamed[-1] == "!" and "🦜" in streamed and streamed[0] == ""


def test_unfinished_character_decodes_like_the_tokenizer(tokenizer, byte_level):
    ids = tokenizer("🦜", add_special_tokens=False)["input_ids"][:-1]
    assert "".join(byte_level.texts(ids)) == decoded(tokenizer, ids)
