#!/usr/bin/env python3
"""An independent, dependency-free reference for Hugging Face Llama and PEFT LoRA/DoRA semantics.

Reads a Hugging Face model directory (config.json + fp32 model.safetensors) and, optionally, a PEFT adapter
directory, and prints the logits for the given token ids as JSON. Written from the transformers and PEFT source
formulas, sharing no code with the C# implementation, so the C# tests can cross-check against it.

usage: llama_reference.py MODEL_DIR [--adapter ADAPTER_DIR] --ids 1,2,3
"""
import argparse
import json
import math
import struct


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{name}: reference reads F32 only"
        begin, end = entry["data_offsets"]
        flat = list(struct.unpack(f"<{(end - begin) // 4}f", data[begin:end]))
        shape = entry["shape"]
        tensors[name] = [flat[i * shape[1]:(i + 1) * shape[1]] for i in range(shape[0])] if len(shape) == 2 else flat
    return tensors


def matvec(w, x):  # w: (out, in) rows, x: (in,)
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def rms_norm(x, weight, eps):
    scale = 1.0 / math.sqrt(sum(v * v for v in x) / len(x) + eps)
    return [w * v * scale for w, v in zip(weight, x)]


def rope(x, position, theta):  # one head, rotate_half convention
    half = len(x) // 2
    out = [0.0] * len(x)
    for i in range(half):
        angle = position * (1.0 / theta ** (2 * i / len(x)))
        c, s = math.cos(angle), math.sin(angle)
        out[i] = x[i] * c - x[i + half] * s
        out[i + half] = x[i + half] * c + x[i] * s
    return out


def merge_adapter(weights, adapter_dir):
    config = json.load(open(f"{adapter_dir}/adapter_config.json"))
    r, alpha = config["r"], config["lora_alpha"]
    scaling = alpha / math.sqrt(r) if config.get("use_rslora") else alpha / r
    tensors = load_safetensors(f"{adapter_dir}/adapter_model.safetensors")
    prefix = "base_model.model."
    for key in [k for k in tensors if k.endswith(".lora_A.weight")]:
        module = key[len(prefix):-len(".lora_A.weight")]
        a, b = tensors[key], tensors[f"{prefix}{module}.lora_B.weight"]
        w = weights[f"{module}.weight"]
        merged = [[w[o][i] + scaling * sum(b[o][k] * a[k][i] for k in range(r)) for i in range(len(w[0]))] for o in range(len(w))]
        magnitude = tensors.get(f"{prefix}{module}.lora_magnitude_vector")
        if magnitude is not None:  # DoRA: m * (W + sBA) / ||W + sBA|| per output row
            merged = [[m * v / math.sqrt(sum(u * u for u in row)) for v in row] for m, row in zip(magnitude, merged)]
        weights[f"{module}.weight"] = merged


def forward(model_dir, ids, adapter_dir=None):
    c = json.load(open(f"{model_dir}/config.json"))
    w = load_safetensors(f"{model_dir}/model.safetensors")
    if adapter_dir:
        merge_adapter(w, adapter_dir)
    heads, kv_heads, eps, theta = c["num_attention_heads"], c["num_key_value_heads"], c["rms_norm_eps"], c["rope_theta"]
    hd = c.get("head_dim") or c["hidden_size"] // heads
    h = [list(w["model.embed_tokens.weight"][t]) for t in ids]
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        normed = [rms_norm(x, w[p + "input_layernorm.weight"], eps) for x in h]
        q = [matvec(w[p + "self_attn.q_proj.weight"], x) for x in normed]
        k = [matvec(w[p + "self_attn.k_proj.weight"], x) for x in normed]
        v = [matvec(w[p + "self_attn.v_proj.weight"], x) for x in normed]
        attn = [[0.0] * (heads * hd) for _ in ids]
        for head in range(heads):
            kv = head // (heads // kv_heads)  # repeat_kv: consecutive query heads share a KV head
            qs = [rope(q[t][head * hd:(head + 1) * hd], t, theta) for t in range(len(ids))]
            ks = [rope(k[t][kv * hd:(kv + 1) * hd], t, theta) for t in range(len(ids))]
            vs = [v[t][kv * hd:(kv + 1) * hd] for t in range(len(ids))]
            for t in range(len(ids)):
                scores = [sum(a * b for a, b in zip(qs[t], ks[s])) / math.sqrt(hd) for s in range(t + 1)]
                top = max(scores)
                probs = [math.exp(x - top) for x in scores]
                total = sum(probs)
                for s, pr in enumerate(probs):
                    for i in range(hd):
                        attn[t][head * hd + i] += pr / total * vs[s][i]
        h = [[a + b for a, b in zip(x, matvec(w[p + "self_attn.o_proj.weight"], y))] for x, y in zip(h, attn)]
        normed = [rms_norm(x, w[p + "post_attention_layernorm.weight"], eps) for x in h]
        mlp = []
        for x in normed:
            gate, up = matvec(w[p + "mlp.gate_proj.weight"], x), matvec(w[p + "mlp.up_proj.weight"], x)
            mlp.append(matvec(w[p + "mlp.down_proj.weight"], [g / (1 + math.exp(-g)) * u for g, u in zip(gate, up)]))
        h = [[a + b for a, b in zip(x, y)] for x, y in zip(h, mlp)]
    head_weight = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else w["lm_head.weight"]
    return [matvec(head_weight, rms_norm(x, w["model.norm.weight"], eps)) for x in h]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("--adapter")
    parser.add_argument("--ids", required=True)
    args = parser.parse_args()
    print(json.dumps(forward(args.model_dir, [int(t) for t in args.ids.split(",")], args.adapter)))
