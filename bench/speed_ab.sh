#!/bin/bash
# Idle-machine speed A/B of two checkouts (interleaved hora bench runs), then the torch peer side by side.
# Usage: OLD=/path/to/old/checkout [NEW=.] [PEER_DIR=peer work folder] bench/speed_ab.sh   (prints, asserts nothing)
OLD=${OLD:?set OLD to the checkout before the change}; NEW=${NEW:-$(cd "$(dirname "$0")/.." && pwd)}
export OMP_OB=${OMP_OB:-}   # the peer's OpenMP OpenBLAS (bench/peer/README.md); the peer runs are skipped without it
echo "CPU: $(lscpu | grep 'Model name' | cut -d: -f2 | xargs), $(nproc) cores; $(date -u); load $(cut -d' ' -f1-3 /proc/loadavg)"
B() { # dir adapter batch seq threads iterations
  (cd "$1" && env -u OPENBLAS_L2_SIZE bin/hora bench --adapter "$2" --batch-size "$3" --seq "$4" --threads "$5" \
     --iterations "$6" 2>&1 | grep '^import' | sed "s|^|$(basename "$1") $2 b$3x$4 t$5: |")
}
echo "== A/B (old = $(git -C $OLD log --oneline -1 | cut -c1-7), new = $(git -C $NEW log --oneline -1 | cut -c1-7))"
for rep in 1; do
  for d in $OLD $NEW; do
    B $d hora 8 32 1 60; B $d lora 8 32 1 60
    B $d hora 8 32 2 60; B $d lora 8 32 2 60
    B $d lora 1 12 1 200; B $d lora 1 12 2 200
  done
done
echo "== spin (new, lora 8x32 2 threads)"
for s in 200 50 0; do HORA_JAVA_OPTS=-Dhora.spin.micros=$s B $NEW lora 8 32 2 60 | sed "s/^/spin ${s}us /"; done
echo "== 32x64 (new)"
for t in 1 2; do B $NEW lora 32 64 $t 15; B $NEW hora 32 64 $t 15; done
echo "== peer side by side (torch 1.13 + OpenMP OpenBLAS 0.3.21), 2 then 1 threads"
cd "${PEER_DIR:-.}" && bash $NEW/bench/peer/side_by_side.sh $NEW 2 1 && bash $NEW/bench/peer/side_by_side.sh $NEW 1 1
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
