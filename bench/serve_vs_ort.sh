#!/usr/bin/env bash
# `hora serve` against what a team would otherwise deploy: ONNX Runtime (Java) with one merged model per adapter,
# one session each, behind the same HTTP stack, JSON and tokenizer (dev.hora.serve.OrtServer, test sources).
# Both serve random LoRA adapters (all-MiniLM-L6-v2, r 8 on q, v, 2 classes); wrk (Debian's package) posts one
# text per /predict. One server runs at a time (2 rounds, alternating, so drift hits both); per concurrency: one
# adapter, then ADAPTERS adapters chosen uniformly per request. Then RSS, and one request's answers side by side.
#   bench/serve_vs_ort.sh [SECONDS=10] [CONCURRENCIES=1,8,32,128] [ADAPTERS=32] [THREADS=2]
# The BLAS core is the CPU's best (bin/blas-env.sh) unless BENCH_CORETYPE names one: an inherited
# OPENBLAS_CORETYPE is not used (some machines preset an older core for other programs). Measures; asserts nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-10}
CONCS=${2:-1,8,32,128}
MIXED=${3:-32}
THREADS=${4:-2}
PORT=${BENCH_PORT:-18180}
WORK=$(mktemp -d /tmp/hora-vs-ort.XXXXXX)
command -v wrk >/dev/null || { echo "serve_vs_ort: wrk not found (apt-get install wrk)" >&2; exit 1; }
. "$ROOT/bench/blas-best.sh"   # the CPU's best BLAS core unless BENCH_CORETYPE names one
cd "$ROOT"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(getconf _NPROCESSORS_ONLN) cores; load $(cut -d' ' -f1-3 /proc/loadavg);" \
    "threads $THREADS; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; $SECS s per cell"
mvn -o -q -pl hora-examples -am test-compile exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=dev.hora.serve.ServeLoadBench -Dbench.adapters.out="$WORK/adapters" 2>&1 | grep -v WARNING

cat >"$WORK/predict.lua" <<'EOF'
local texts = {"the battery lasts two days and the screen is bright", "terrible support, never again",
  "it arrived late but works fine", "absolutely love the sound quality of these headphones",
  "the plot was predictable and the acting flat", "great value for the price"}
local n = tonumber(os.getenv("ADAPTERS"))
request = function()
  local a = n == 1 and 1 or math.random(0, n - 1)
  local body = '{"inputs":["' .. texts[math.random(#texts)] .. '"],"adapter":"a' .. a .. '"}'
  return wrk.format("POST", "/predict", {["Content-Type"] = "application/json"}, body)
end
EOF
PROBE='{"inputs":["it arrived late but works fine"],"adapter":"a3"}'
ready() { curl -sf -H 'Content-Type: application/json' -d "$PROBE" "localhost:$PORT/predict" >/dev/null 2>&1; }
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

start() {   # $1 = hora | ort
    if [ "$1" = hora ]; then
        bin/hora serve --model all-minilm-l6-v2 --adapter-dir "$WORK/adapters" --max-adapters 128 --port "$PORT" \
            --threads "$THREADS" >"$WORK/$1.log" 2>&1 &
    else
        mvn -o -q -pl hora-examples -am test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.hora.serve.OrtServer \
            -Dexec.args="$WORK/adapters $MIXED $PORT $THREADS" >"$WORK/$1.log" 2>&1 &
    fi
    SERVER=$!
    for _ in $(seq 1 300); do ready && break; sleep 1; done
    ready || { echo "$1 server did not start:"; cat "$WORK/$1.log"; exit 1; }
}
stop() { pkill -TERM -P "$SERVER" 2>/dev/null || true; kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; }
rss() {   # resident memory in MB of the process listening on the port (the server's JVM)
    local pid
    pid=$(ss -ltnpH "sport = :$PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"
}
cell() {   # $1 server, $2 concurrency, $3 adapters
    local out
    out=$(ADAPTERS=$3 wrk -t 1 -c "$2" -d "${SECS}s" --timeout 10s --latency -s "$WORK/predict.lua" "http://localhost:$PORT")
    printf '%-5s c=%-4s adapters %-3s %9s req/s  p50 %9s  p99 %9s  non-2xx %s\n' "$1" "$2" "$3" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
        "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$(awk '/Non-2xx/ {print $5}' <<<"$out" | grep . || echo 0)"
}
for round in ${BENCH_ROUNDS:-1 2}; do
    for s in ${BENCH_SERVERS:-hora ort}; do
        start "$s"
        # warm-up, the same for both: mixed batches, then single requests (the JIT compiles the one-request
        # shapes only when they run; without this hora's first c=1 cell measured 155-182 against 217 req/s warm)
        ADAPTERS=$MIXED wrk -t 1 -c 8 -d 15s -s "$WORK/predict.lua" "http://localhost:$PORT" >/dev/null
        ADAPTERS=1 wrk -t 1 -c 1 -d 10s -s "$WORK/predict.lua" "http://localhost:$PORT" >/dev/null
        for c in ${CONCS//,/ }; do
            cell "$s" "$c" 1
            cell "$s" "$c" "$MIXED"
        done
        if [ "$round" = 2 ]; then
            echo "$s: answer to $PROBE: $(curl -s -H 'Content-Type: application/json' -d "$PROBE" "localhost:$PORT/predict")"
            echo "$s: RSS with $MIXED adapters: $(rss) MB"
        fi
        stop
    done
done
