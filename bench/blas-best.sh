# Sourced (bash) by the bench scripts: the CPU's best OpenBLAS core (bin/blas-env.sh) unless BENCH_CORETYPE names
# one. An inherited OPENBLAS_CORETYPE is not used: some machines preset an older core for other programs (Haswell
# on a Zen 5 halved hora serve's throughput at 32 clients).
unset OPENBLAS_CORETYPE
if [ -n "${BENCH_CORETYPE:-}" ]; then
    export OPENBLAS_CORETYPE=$BENCH_CORETYPE
fi
. "$(dirname "${BASH_SOURCE[0]}")/../bin/blas-env.sh"
