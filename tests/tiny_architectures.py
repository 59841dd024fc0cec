"""Tiny random models of many transformers architectures, built from configs at test time (no download).

Every model has a few layers and hidden size 64, peaked output weights (so ranks and top-k mean
something) and noised norm gains and biases (so a skipped, doubled or wrong final norm or head bias
shows in the numbers). `build(name, vocab_size)` returns the model in float64 and eval mode.
"""

from __future__ import annotations

import torch
import transformers as tf

HIDDEN = 64
LAYERS = 3


def _attention(**extra) -> dict:
    return dict(hidden_size=HIDDEN, intermediate_size=128, num_hidden_layers=LAYERS, num_attention_heads=4,
                max_position_embeddings=256, tie_word_embeddings=False, **extra)


# name -> (config class, model class, config keyword arguments without vocab_size)
SPECS: dict[str, tuple] = {
    "llama": (tf.LlamaConfig, tf.LlamaForCausalLM, _attention(num_key_value_heads=2)),
    "mistral": (tf.MistralConfig, tf.MistralForCausalLM, _attention(num_key_value_heads=2, sliding_window=8)),
    "qwen2": (tf.Qwen2Config, tf.Qwen2ForCausalLM, _attention(num_key_value_heads=2)),
    "qwen3": (tf.Qwen3Config, tf.Qwen3ForCausalLM, _attention(num_key_value_heads=2, head_dim=16)),
    "gemma": (tf.GemmaConfig, tf.GemmaForCausalLM, _attention(num_key_value_heads=1, head_dim=16)),
    "gemma2": (tf.Gemma2Config, tf.Gemma2ForCausalLM,
               _attention(num_key_value_heads=2, head_dim=16, sliding_window=8, final_logit_softcapping=5.0)),
    "gemma3": (tf.Gemma3TextConfig, tf.Gemma3ForCausalLM,
               _attention(num_key_value_heads=2, head_dim=16, sliding_window=8, final_logit_softcapping=5.0)),
    "phi3": (tf.Phi3Config, tf.Phi3ForCausalLM, _attention(num_key_value_heads=4, pad_token_id=0)),
    "phi": (tf.PhiConfig, tf.PhiForCausalLM, _attention()),
    "gpt2": (tf.GPT2Config, tf.GPT2LMHeadModel, dict(n_embd=HIDDEN, n_layer=LAYERS, n_head=4, n_positions=256)),
    "gpt_neox": (tf.GPTNeoXConfig, tf.GPTNeoXForCausalLM, _attention()),
    "falcon": (tf.FalconConfig, tf.FalconForCausalLM,
               dict(hidden_size=HIDDEN, num_hidden_layers=LAYERS, num_attention_heads=4, new_decoder_architecture=True,
                    num_kv_heads=2, tie_word_embeddings=False)),
    "opt": (tf.OPTConfig, tf.OPTForCausalLM,
            dict(hidden_size=HIDDEN, ffn_dim=128, num_hidden_layers=LAYERS, num_attention_heads=4,
                 max_position_embeddings=256, word_embed_proj_dim=HIDDEN)),
    # OPT-350m's layout: post-LN (no final norm) and a project_in / project_out around the decoder
    "opt_350m": (tf.OPTConfig, tf.OPTForCausalLM,
                 dict(hidden_size=HIDDEN, ffn_dim=128, num_hidden_layers=LAYERS, num_attention_heads=4,
                      max_position_embeddings=256, word_embed_proj_dim=32, do_layer_norm_before=False)),
    "bloom": (tf.BloomConfig, tf.BloomForCausalLM, dict(hidden_size=HIDDEN, n_layer=LAYERS, n_head=4)),
    "gptj": (tf.GPTJConfig, tf.GPTJForCausalLM, dict(n_embd=HIDDEN, n_layer=LAYERS, n_head=4, rotary_dim=8,
                                                      n_positions=256, tie_word_embeddings=False)),
    "stablelm": (tf.StableLmConfig, tf.StableLmForCausalLM, _attention(num_key_value_heads=4)),
    "olmo2": (tf.Olmo2Config, tf.Olmo2ForCausalLM, _attention(num_key_value_heads=2)),
    "cohere": (tf.CohereConfig, tf.CohereForCausalLM, _attention(num_key_value_heads=2, logit_scale=0.5)),
    "granite": (tf.GraniteConfig, tf.GraniteForCausalLM, _attention(num_key_value_heads=2, logits_scaling=2.0)),
    "mamba": (tf.MambaConfig, tf.MambaForCausalLM,
              dict(hidden_size=HIDDEN, num_hidden_layers=LAYERS, state_size=8, expand=2, conv_kernel=4,
                   tie_word_embeddings=False)),
    "rwkv": (tf.RwkvConfig, tf.RwkvForCausalLM,
             dict(hidden_size=HIDDEN, num_hidden_layers=LAYERS, attention_hidden_size=HIDDEN,
                  intermediate_size=128, context_length=256, tie_word_embeddings=False)),
}
# Architectures whose generation state is recurrent (no KV cache that can report its length).
RECURRENT = ("mamba", "rwkv")


def build(name: str, vocab_size: int, *, seed: int = 0) -> torch.nn.Module:
    config_class, model_class, kwargs = SPECS[name]
    config = config_class(vocab_size=vocab_size, bos_token_id=None, eos_token_id=2, **kwargs)
    torch.manual_seed(seed)
    model = model_class(config).eval()
    with torch.no_grad():
        for param in model.parameters():
            if param.ndim == 1 and param.shape[0] > 1:  # norm gains and biases: noised, so a wrong one shows
                param.add_(0.3 * torch.randn_like(param))
        head = model.get_output_embeddings()
        head.weight.mul_(8.0 / max(float(head.weight.std()), 1e-6) / HIDDEN ** 0.5)
        if getattr(head, "bias", None) is not None:
            head.bias.copy_(torch.randn_like(head.bias))
    return model.double()
