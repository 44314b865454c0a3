#!/usr/bin/env bash
# The DESIGN.md §6 comparison, end to end, on this machine: installs the PyTorch peer (Debian packages), then in
# each of several rounds measures the FMA peak and runs the peer and our quick mode with 1 thread and with all
# cores, side by side; writes docs/performance.md from the JSON files (kept in artifacts/peer-comparison/).
# Rounds matter on a shared host: its load moves a single run by several percent, and the report takes each ratio
# and fraction of peak within a round (figures a minute apart) and reports their medians.
#
#   bench/run-peer-comparison.sh                 # 3 rounds, 7–10 minutes; rewrites docs/performance.md
#   bench/run-peer-comparison.sh --smoke         # 1 short round (about 2 minutes), report to artifacts/ only
#   bench/run-peer-comparison.sh --avx2          # both sides without AVX-512, as on an AVX2 machine;
#                                                # writes docs/performance-avx2.md
#   options: --rounds N --windows N --window-s S --warmup-s S --output FILE --skip-install
#
# On an AVX-512 CPU that the installed OpenBLAS does not recognize (it then runs its AVX2 "Haswell" kernels), each
# round also runs the peer with OpenBLAS's AVX-512 kernels forced, and the report shows ours against that too.
#
# Run it on a quiet machine: other processes steal cycles from both sides unevenly.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shared/ sits beside the repository; from a git worktree elsewhere, beside the main checkout.
main_checkout=$(dirname "$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$repo/.git")")
shared=${HOMOGENOUSDSL_SHARED:-$([[ -d $repo/../shared ]] && echo "$repo/../shared" || echo "$main_checkout/../shared")}
peer_script=$shared/bench/peer_torch.py
python=/usr/bin/python3            # Debian's python: the one python3-torch installs into
raw=$repo/artifacts/peer-comparison
project=$repo/samples/HomogenousDsl.Benchmarks/HomogenousDsl.Benchmarks.csproj
packages=(python3-torch python3-numpy dataset-fashion-mnist libopenblas0-openmp)

rounds=3 windows=5 window_s=0.8 warmup_s=1.0 output=$repo/docs/performance.md install=1 avx2=0 note=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --avx2) avx2=1 output=$repo/docs/performance-avx2.md; shift ;;
        --smoke) rounds=1 windows=2 window_s=0.5 warmup_s=0.5 output=$raw/performance.md; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        --windows) windows=$2; shift 2 ;;
        --window-s) window_s=$2; shift 2 ;;
        --warmup-s) warmup_s=$2; shift 2 ;;
        --output) output=$(realpath -m "$2"); shift 2 ;;
        --skip-install) install=0; shift ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
timing=(--windows "$windows" --window-s "$window_s" --warmup-s "$warmup_s")
if [[ $avx2 -eq 1 ]]; then
    # .NET then reports Vector512 as not accelerated (our kernels take their 256-bit paths); OpenBLAS takes its
    # Haswell kernels and oneDNN (PyTorch's convolutions) its AVX2 ones.
    export DOTNET_EnableAVX512=0 OPENBLAS_CORETYPE=Haswell ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2
    note="Both sides without AVX-512, as on an AVX2 machine: \`DOTNET_EnableAVX512=0\` for ours, \`OPENBLAS_CORETYPE=Haswell\` and \`ONEDNN_MAX_CPU_ISA=AVX2\` for PyTorch; the FMA peak is that of 256-bit registers."
fi

missing_packages() {
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
    done
}

install_peer() {
    local missing
    missing=$(missing_packages)
    [[ -z $missing ]] && { echo "peer: packages already installed"; return; }
    local sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    echo "peer: installing $missing"
    # libopenblas0-openmp matters: without it Debian's torch uses reference BLAS, ~20x slower.
    # shellcheck disable=SC2086
    "${sudo[@]}" apt-get install -y --no-install-recommends $missing ||
        { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends $missing; }
}

[[ -f $peer_script ]] || { echo "peer script not found at $peer_script (set HOMOGENOUSDSL_SHARED)" >&2; exit 1; }
[[ $install -eq 1 ]] && install_peer
mkdir -p "$raw"
cores=$(nproc)

echo "== build (Release)"
dotnet build "$project" -c Release --nologo -v quiet
bench=("$repo/samples/HomogenousDsl.Benchmarks/bin/Release/net10.0/HomogenousDsl.Benchmarks")

# OpenBLAS 0.3.21 (Debian 12) knows no AVX-512 CPU newer than Sapphire Rapids and runs its AVX2 kernels on one.
tuned=0
if [[ $avx2 -eq 0 ]] && grep -qw avx512f /proc/cpuinfo; then
    core=$(OPENBLAS_VERBOSE=2 "$python" -c 'import torch; torch.ones(8, 8) @ torch.ones(8, 8)' 2>&1 | sed -n 's/^Core: //p' | head -n 1 || true)
    case $core in
        SkylakeX|CooperLake|SapphireRapids) ;;
        "") echo "peer: OpenBLAS did not report its core; not running the tuned peer" ;;
        *) tuned=1; echo "peer: OpenBLAS runs its $core kernels on this AVX-512 CPU; each round also runs the peer with OPENBLAS_CORETYPE=SkylakeX" ;;
    esac
fi

# A probe during which another process (or the hypervisor) held a core measures that, not the machine: an all-core
# peak under 0.75 × cores × the one-thread peak of the same probe is measured again, twice at most.
measure_peak() {
    local file=$1 attempt
    for attempt in 1 2 3; do
        "${bench[@]}" peak --threads "1,$cores" "${timing[@]}" --json "$file"
        [[ $cores -lt 2 ]] && return
        "$python" - "$file" "$cores" <<'PY' && return
import json, sys
peaks = {r["threads"]: r["gflops"] for r in json.load(open(sys.argv[1]))["results"]}
cores = int(sys.argv[2])
sys.exit(0 if peaks[cores] >= 0.75 * cores * peaks[1] else 1)
PY
        echo "peak: the $cores-thread probe fell short of 0.75 × $cores × the one-thread one (a core was taken); measuring again"
    done
}

started=$(date +%s)
rm -f "$raw"/peak*.json "$raw"/peer-*.json "$raw"/ours-*.json
report_files=()
for round in $(seq 1 "$rounds"); do
    echo "== round $round of $rounds: FMA peak, 1 and $cores threads"
    measure_peak "$raw/peak-$round.json"
    # Side by side per thread count, peer first, so both see the machine in the same state.
    echo "== round $round: peer, 1 thread"
    "$python" "$peer_script" --threads 1 "${timing[@]}" --json "$raw/peer-1-$round.json"
    if [[ $tuned -eq 1 ]]; then
        echo "== round $round: peer with AVX-512 BLAS, 1 thread"
        OPENBLAS_CORETYPE=SkylakeX "$python" "$peer_script" --threads 1 "${timing[@]}" --json "$raw/peer-tuned-1-$round.json"
        report_files+=(--peer-tuned-1 "$raw/peer-tuned-1-$round.json")
    fi
    echo "== round $round: ours, 1 thread"
    "${bench[@]}" quick --threads 1 "${timing[@]}" --json "$raw/ours-1-$round.json"
    echo "== round $round: peer, $cores threads"
    "$python" "$peer_script" --threads "$cores" "${timing[@]}" --json "$raw/peer-all-$round.json"
    if [[ $tuned -eq 1 ]]; then
        echo "== round $round: peer with AVX-512 BLAS, $cores threads"
        OPENBLAS_CORETYPE=SkylakeX "$python" "$peer_script" --threads "$cores" "${timing[@]}" --json "$raw/peer-tuned-all-$round.json"
        report_files+=(--peer-tuned-all "$raw/peer-tuned-all-$round.json")
    fi
    echo "== round $round: ours, all threads"
    "${bench[@]}" quick --threads 0 "${timing[@]}" --json "$raw/ours-all-$round.json"
    report_files+=(--peak "$raw/peak-$round.json" --peer-1 "$raw/peer-1-$round.json" --ours-1 "$raw/ours-1-$round.json"
        --peer-all "$raw/peer-all-$round.json" --ours-all "$raw/ours-all-$round.json")
done

echo "== report"
"${bench[@]}" report "${report_files[@]}" ${note:+--note "$note"} \
    --machine "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p')" --output "$output"
echo "measured in $(( $(date +%s) - started )) s; raw JSON in $raw"
