#!/usr/bin/env bash
# Soak of `hora serve` in its own process: 100 random LoRA adapters (all-MiniLM-L6-v2, r 8 on q, v) loaded on
# demand from --adapter-dir, wrk (Debian's package) posting one text per /predict from CONNECTIONS connections,
# adapter chosen uniformly per request, in 30-s slices; after each slice the server's RSS (/proc/PID/status).
#   bench/serve_soak.sh [SECONDS=600] [CONNECTIONS=32] [THREADS=2]
# Prints each slice's wrk summary (requests/s, latency, non-2xx and socket errors) and the RSS spread after the
# first slice. Needs wrk (apt-get install wrk). Measures; asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_TOTAL=${1:-600}
CONN=${2:-32}
THREADS=${3:-2}
PORT=${SOAK_PORT:-18080}
WORK=$(mktemp -d /tmp/hora-soak.XXXXXX)
command -v wrk >/dev/null || { echo "serve_soak: wrk not found (apt-get install wrk)" >&2; exit 1; }
. "$ROOT/bench/blas-best.sh"   # the CPU's best BLAS core unless BENCH_CORETYPE names one

cd "$ROOT"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(getconf _NPROCESSORS_ONLN) cores; server threads $THREADS;" \
    "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
mvn -o -q -pl hora-examples -am test-compile exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=dev.hora.serve.ServeLoadBench -Dbench.adapters.out="$WORK/adapters" 2>&1 | grep -v WARNING

bin/hora serve --model all-minilm-l6-v2 --adapter-dir "$WORK/adapters" --max-adapters 128 --port "$PORT" \
    --threads "$THREADS" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do
    curl -sf "localhost:$PORT/health" >/dev/null 2>&1 && break
    sleep 1
done
curl -sf "localhost:$PORT/health" >/dev/null || { echo "server did not start:"; cat "$WORK/server.log"; exit 1; }

cat >"$WORK/predict.lua" <<'EOF'
local texts = {"the battery lasts two days and the screen is bright", "terrible support, never again",
  "it arrived late but works fine", "absolutely love the sound quality of these headphones",
  "the plot was predictable and the acting flat", "great value for the price"}
math.randomseed(os.time())
request = function()
  local body = '{"inputs":["' .. texts[math.random(#texts)] .. '"],"adapter":"a' .. math.random(0, 99) .. '"}'
  return wrk.format("POST", "/predict", {["Content-Type"] = "application/json"}, body)
end
EOF

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
# warm-up: every adapter loaded once, the JIT warm
wrk -t 1 -c 8 -d 20s -s "$WORK/predict.lua" "http://localhost:$PORT" >/dev/null
echo "after warm-up: RSS $(( $(rss) / 1024 )) MB"
RSS=()
for ((t = 0; t < SECONDS_TOTAL; t += 30)); do
    OUT=$(wrk -t 1 -c "$CONN" -d 30s --timeout 10s --latency -s "$WORK/predict.lua" "http://localhost:$PORT")
    R=$(rss)
    RSS+=("$R")
    printf 'slice %4d-%4d s: %s req/s, p50 %s, p99 %s, non-2xx %s, socket errors %s, RSS %d MB\n' "$t" "$((t + 30))" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$OUT")" "$(awk '$1 == "50%" {print $2}' <<<"$OUT")" \
        "$(awk '$1 == "99%" {print $2}' <<<"$OUT")" \
        "$(awk '/Non-2xx/ {print $5} END {}' <<<"$OUT" | grep . || echo 0)" \
        "$(grep -o 'Socket errors.*' <<<"$OUT" || echo none)" "$((R / 1024))"
done
kill -0 $SERVER || { echo "server died"; cat "$WORK/server.log"; exit 1; }
printf '%s\n' "${RSS[@]:1}" | sort -n | awk 'NR == 1 {lo = $1} {hi = $1}
    END {printf "RSS after the first slice: %.0f-%.0f MB, spread %.1f %% of the lowest\n", lo / 1024, hi / 1024, 100 * (hi - lo) / lo}'
kill -TERM $SERVER
wait $SERVER && echo "server drained and exited 0 on SIGTERM"
