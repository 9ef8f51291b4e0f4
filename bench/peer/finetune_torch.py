"""End-to-end CPU peer for `hora finetune`: the same job in plain PyTorch 1.13 (what a user would pick instead).

MiniLM (minilm_torch.py, weights from the same ONNX file) + mean pooling + Linear(384, n) head; LoRA (PEFT-style)
or HoRA (hora_torch.py) r 8, alpha 16 on query and value of every layer, or a frozen-encoder probe ("none").
Same settings as the project's default: batch 8, max length 64, padding per batch, length-bucketed batches,
AdamW lr 1e-3 (weight decay 0), 10 % linear warmup then linear decay, 1 epoch, seed 42.
Prints one JSON line: accuracy, macro-F1, train wall s, train examples/s, eval s, peak RSS MiB.
Usage: python3 finetune_torch.py --train T.tsv --test V.tsv [--adapter lora|hora|none] [--threads 2]
TSV: label<TAB>text. Run from a work folder with cache/model holding the ONNX file and tokenizer json.
"""
import argparse, json, math, os, random, resource, time
import torch, torch.nn as nn, torch.nn.functional as F
from minilm_torch import D, WordPiece, load_minilm, mean_pool
from hora_torch import TARGETS, HoraHyper, HoraLinear
from bench_train import LoRALinear


def read(path):
    rows = [l.rstrip("\n").split("\t", 1) for l in open(path, encoding="utf-8") if l.strip()]
    return [r[1] for r in rows], [r[0] for r in rows]


def batches(n_rows, lengths, bs, rng):
    idx = list(range(n_rows)); rng.shuffle(idx)
    out = []
    for i in range(0, len(idx), bs * 50):
        chunk = sorted(idx[i:i + bs * 50], key=lambda j: lengths[j])
        out += [chunk[k:k + bs] for k in range(0, len(chunk), bs)]
    rng.shuffle(out)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True); ap.add_argument("--test", required=True)
    ap.add_argument("--adapter", default="lora"); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8); ap.add_argument("--max-length", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3); ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    torch.manual_seed(a.seed); torch.set_num_threads(a.threads); rng = random.Random(a.seed)
    tok = WordPiece()
    xtr, ytr = read(a.train); xte, yte = read(a.test)
    labels = sorted(set(ytr)); lab = {l: i for i, l in enumerate(labels)}
    cut = lambda s: s if len(s) <= a.max_length else s[:a.max_length - 1] + [tok.sep]   # keep [SEP], as BERT does
    enc_tr = [cut(tok.encode(t)) for t in xtr]; enc_te = [cut(tok.encode(t)) for t in xte]
    enc = load_minilm(); enc.requires_grad_(False)
    if a.adapter in ("lora", "hora"):
        for layer in enc.encoder.layer:
            sa = layer.attention.self
            if a.adapter == "lora":
                sa.query, sa.value = LoRALinear(sa.query), LoRALinear(sa.value)
            else:
                layer.hora = HoraHyper()
                sa.query, sa.value = [HoraLinear(getattr(sa, t), layer.hora, t) for t in TARGETS]
    head = nn.Linear(D, len(labels))
    params = [p for p in list(enc.parameters()) + list(head.parameters()) if p.requires_grad]
    steps = a.epochs * math.ceil(len(xtr) / a.batch); warm = max(1, steps // 10)
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))

    def pad(seqs):
        L = max(map(len, seqs))
        ids = torch.tensor([s + [tok.pad] * (L - len(s)) for s in seqs])
        return ids, torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in seqs])

    t0 = time.perf_counter()
    for ep in range(a.epochs):
        for b in batches(len(xtr), [len(s) for s in enc_tr], a.batch, rng):
            ids, m = pad([enc_tr[j] for j in b]); y = torch.tensor([lab[ytr[j]] for j in b])
            loss = F.cross_entropy(head(mean_pool(enc(ids, m), m)), y)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step()
    train_s = time.perf_counter() - t0
    t1 = time.perf_counter(); pred = []
    with torch.no_grad():
        for i in range(0, len(xte), 32):
            ids, m = pad(enc_te[i:i + 32]); pred += head(mean_pool(enc(ids, m), m)).argmax(-1).tolist()
    eval_s = time.perf_counter() - t1
    gold = [lab.get(y, -1) for y in yte]
    acc = sum(p == g for p, g in zip(pred, gold)) / len(gold)
    f1s = []
    for c in range(len(labels)):
        tp = sum(p == c and g == c for p, g in zip(pred, gold)); fp = sum(p == c and g != c for p, g in zip(pred, gold))
        fn = sum(p != c and g == c for p, g in zip(pred, gold))
        f1s.append(0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    print(json.dumps({"peer": "pytorch-" + torch.__version__, "adapter": a.adapter, "threads": a.threads,
                      "accuracy": round(acc, 4), "macro_f1": round(sum(f1s) / len(f1s), 4),
                      "train_s": round(train_s, 1), "train_ex_per_s": round(len(xtr) * a.epochs / train_s, 2),
                      "eval_s": round(eval_s, 1), "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "trainable": sum(p.numel() for p in params)}), flush=True)


if __name__ == "__main__":
    main()
