# Sourced (POSIX sh) by bin/hora and bin/java-blas: exports OPENBLAS_CORETYPE for the OpenBLAS that ND4J
# loads, chosen from the CPU's flags, unless it is already set (a user's own setting wins).
# OpenBLAS 0.3.19 (ND4J 1.0.0-M2.1) reads it once, when the library loads, and otherwise detects the core
# from the CPU model, which it does not know on newer CPUs: an AVX-512 Xeon ran the SSE3 "Prescott"
# kernel, 5x slower. Same mapping as dev.hora.util.Blas.recommendedCore (BlasTest checks both agree):
#   AVX-512 F/BW/DQ/VL/CD (Intel, and AMD Zen 4) -> SkylakeX
#   AVX2 + FMA: AMD/Hygon -> Zen, others -> Haswell
#   no AVX2 -> unset (OpenBLAS's own detection)
# HORA_CPUINFO: read this file instead of /proc/cpuinfo (tests).
# It also exports OPENBLAS_NUM_THREADS=1 unless set: the kernel engine splits its GEMMs over Java threads
# (dev.hora.kernels.Parallel) and calls the BLAS single-threaded from each. OpenBLAS 0.3.19 started with
# more threads and set to one at run time kept running these GEMMs at ~190 GFLOP/s per core on a Zen 5,
# against ~300 when it loads single-threaded.
hora_blas_core() {
    _hb_info=${HORA_CPUINFO:-/proc/cpuinfo}
    [ -r "$_hb_info" ] || return 0
    _hb_flags=" $(grep -m 1 '^flags' "$_hb_info" | sed 's/^[^:]*://' | tr 'A-Z\t' 'a-z ') "
    _hb_vendor=$(grep -m 1 '^vendor_id' "$_hb_info" | sed 's/^[^:]*:[[:space:]]*//; s/[[:space:]]*$//')
    _hb_has() {
        for _hb_f in "$@"; do
            case "$_hb_flags" in *" $_hb_f "*) ;; *) return 1 ;; esac
        done
        return 0
    }
    if _hb_has avx2 fma; then
        if _hb_has avx512f avx512bw avx512dq avx512vl avx512cd; then
            echo SkylakeX
        else
            case "$_hb_vendor" in
                AuthenticAMD|HygonGenuine) echo Zen ;;
                *) echo Haswell ;;
            esac
        fi
    fi
}
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    _hb_core=$(hora_blas_core)
    if [ -n "$_hb_core" ]; then
        OPENBLAS_CORETYPE=$_hb_core
        export OPENBLAS_CORETYPE
    fi
fi
# And OMP_NUM_THREADS=1 unless set: libnd4j's OpenMP team, used by the few ND4J ops around the kernels, then
# never waits on a core the kernels' threads hold (Nd4j.getEnvironment().setMaxThreads(1) alone left a small
# norm2 at ~0.5 ms a call on a busy machine, ~60 us with this).
if [ -z "${OMP_NUM_THREADS:-}" ]; then
    OMP_NUM_THREADS=1
    export OMP_NUM_THREADS
fi
if [ -z "${OPENBLAS_NUM_THREADS:-}" ]; then
    OPENBLAS_NUM_THREADS=1
    export OPENBLAS_NUM_THREADS
fi
