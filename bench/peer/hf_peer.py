"""The peer a Python user would actually pick: Hugging Face transformers BertModel + PEFT LoRA (q,v r 8 a 16),
mean pooling, Linear head, on the same all-MiniLM-L6-v2 weights (loaded from the ONNX file via minilm_torch).
  bench:    python hf_peer.py bench --batch 8 --seq 32 --threads 2 [--adapter lora|none]
  finetune: python hf_peer.py finetune --train T.tsv --test V.tsv --threads 2   (same job as finetune_torch.py)
Needs torch, transformers, peft, onnx (a venv). Run from a work folder whose cache/model holds the ONNX + tokenizer."""
import argparse, json, math, random, resource, statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
from transformers import BertConfig, BertModel
from peft import LoraConfig, get_peft_model
from minilm_torch import load_onnx_state, WordPiece, mean_pool

def model(adapter):
    cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
                     max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12, hidden_act="gelu",
                     hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, add_pooling_layer=False)
    m = BertModel(cfg, add_pooling_layer=False)
    sd = {}
    for k, v in load_onnx_state("cache/model/all-minilm-l6-v2.onnx").items():
        if k.endswith(".weight") and v.ndim == 2 and not k.startswith("embeddings."):
            v = v.t().contiguous()
        sd[k] = v
    missing, unexpected = m.load_state_dict(sd, strict=False)
    assert not unexpected and all("position_ids" in k for k in missing), (missing, unexpected)
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
    if adapter == "lora":
        m = get_peft_model(m, LoraConfig(r=8, lora_alpha=16, target_modules=["query", "value"], lora_dropout=0.0))
    return m

class Clf(nn.Module):
    def __init__(self, enc, n):
        super().__init__(); self.enc, self.head = enc, nn.Linear(384, n)
    def forward(self, ids, mask):
        return self.head(mean_pool(self.enc(input_ids=ids, attention_mask=mask).last_hidden_state, mask))

def bench(a):
    torch.manual_seed(0); torch.set_num_threads(a.threads)
    clf = Clf(model(a.adapter), 2)
    ids = torch.randint(1000, 30522, (a.batch, a.seq)); mask = torch.ones_like(ids); y = torch.randint(0, 2, (a.batch,))
    params = [p for p in clf.parameters() if p.requires_grad]; opt = torch.optim.AdamW(params, lr=1e-3)
    tt, ti = [], []
    for i in range(7):
        t0 = time.perf_counter(); opt.zero_grad(set_to_none=True); F.cross_entropy(clf(ids, mask), y).backward(); opt.step()
        tt.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with torch.no_grad(): clf(ids, mask)
        ti.append(time.perf_counter() - t0)
    print(f"hf-peft {a.adapter} b{a.batch} s{a.seq} threads {a.threads}: train step {statistics.median(tt[2:])*1e3:.0f} ms | "
          f"forward {statistics.median(ti[2:])*1e3:.0f} ms | peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024} MiB | "
          f"torch {torch.__version__}", flush=True)

def finetune(a):
    torch.manual_seed(42); torch.set_num_threads(a.threads); rng = random.Random(42); tok = WordPiece()
    read = lambda p: [l.rstrip("\n").split("\t", 1) for l in open(p, encoding="utf-8") if l.strip()]
    tr, te = read(a.train), read(a.test); labels = sorted({r[0] for r in tr}); lab = {l: i for i, l in enumerate(labels)}
    cut = lambda s: s if len(s) <= 64 else s[:63] + [tok.sep]
    etr = [cut(tok.encode(r[1])) for r in tr]; ete = [cut(tok.encode(r[1])) for r in te]
    clf = Clf(model(a.adapter), len(labels)); params = [p for p in clf.parameters() if p.requires_grad]
    steps = math.ceil(len(tr) / 8); warm = max(1, steps // 10)
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    sch = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    def pad(seqs):
        L = max(map(len, seqs))
        return (torch.tensor([s + [tok.pad] * (L - len(s)) for s in seqs]), torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in seqs]))
    idx = list(range(len(tr))); rng.shuffle(idx); batches = []
    for i in range(0, len(idx), 400):
        c = sorted(idx[i:i + 400], key=lambda j: len(etr[j])); batches += [c[k:k + 8] for k in range(0, len(c), 8)]
    rng.shuffle(batches); t0 = time.perf_counter()
    for b in batches:
        ids, m = pad([etr[j] for j in b]); y = torch.tensor([lab[tr[j][0]] for j in b])
        opt.zero_grad(set_to_none=True); F.cross_entropy(clf(ids, m), y).backward(); opt.step(); sch.step()
    train_s = time.perf_counter() - t0; pred = []
    with torch.no_grad():
        for i in range(0, len(te), 32):
            ids, m = pad(ete[i:i + 32]); pred += clf(ids, m).argmax(-1).tolist()
    acc = sum(p == lab.get(r[0], -1) for p, r in zip(pred, te)) / len(te)
    print(json.dumps({"peer": f"hf-transformers+peft torch {torch.__version__}", "adapter": a.adapter, "accuracy": round(acc, 4),
                      "train_s": round(train_s, 1), "train_ex_per_s": round(len(tr) / train_s, 1),
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}), flush=True)

if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("mode"); ap.add_argument("--adapter", default="lora")
    ap.add_argument("--batch", type=int, default=8); ap.add_argument("--seq", type=int, default=32); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train"); ap.add_argument("--test"); a = ap.parse_args()
    bench(a) if a.mode == "bench" else finetune(a)
