#!/usr/bin/env bash
# The DESIGN.md §6 comparison, end to end, on this machine: installs the PyTorch peer (Debian packages), then in
# each of several rounds measures the FMA peak and runs the peer and our quick mode with 1 thread and with all
# cores, side by side; writes docs/performance.md from the JSON files (kept in artifacts/peer-comparison/).
# Rounds matter on a shared host: its load moves a single run by several percent, and the report takes each ratio
# and fraction of peak within a round (figures a minute apart) and reports their medians.
#
#   bench/run-peer-comparison.sh                 # 3 rounds, about 7 minutes; rewrites docs/performance.md
#   bench/run-peer-comparison.sh --smoke         # 1 short round (about 2 minutes), report to artifacts/ only
#   options: --rounds N --windows N --window-s S --warmup-s S --output FILE --skip-install
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

rounds=3 windows=5 window_s=0.8 warmup_s=1.0 output=$repo/docs/performance.md install=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --smoke) rounds=1 windows=2 window_s=0.5 warmup_s=0.5 output=$raw/performance.md; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        --windows) windows=$2; shift 2 ;;
        --window-s) window_s=$2; shift 2 ;;
        --warmup-s) warmup_s=$2; shift 2 ;;
        --output) output=$(realpath -m "$2"); shift 2 ;;
        --skip-install) install=0; shift ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
timing=(--windows "$windows" --window-s "$window_s" --warmup-s "$warmup_s")

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

started=$(date +%s)
rm -f "$raw"/peak*.json "$raw"/peer-*.json "$raw"/ours-*.json
report_files=()
for round in $(seq 1 "$rounds"); do
    echo "== round $round of $rounds: FMA peak, 1 and $cores threads"
    "${bench[@]}" peak --threads "1,$cores" "${timing[@]}" --json "$raw/peak-$round.json"
    # Side by side per thread count, peer first, so both see the machine in the same state.
    echo "== round $round: peer, 1 thread"
    "$python" "$peer_script" --threads 1 "${timing[@]}" --json "$raw/peer-1-$round.json"
    echo "== round $round: ours, 1 thread"
    "${bench[@]}" quick --threads 1 "${timing[@]}" --json "$raw/ours-1-$round.json"
    echo "== round $round: peer, $cores threads"
    "$python" "$peer_script" --threads "$cores" "${timing[@]}" --json "$raw/peer-all-$round.json"
    echo "== round $round: ours, all threads"
    "${bench[@]}" quick --threads 0 "${timing[@]}" --json "$raw/ours-all-$round.json"
    report_files+=(--peak "$raw/peak-$round.json" --peer-1 "$raw/peer-1-$round.json" --ours-1 "$raw/ours-1-$round.json"
        --peer-all "$raw/peer-all-$round.json" --ours-all "$raw/ours-all-$round.json")
done

echo "== report"
"${bench[@]}" report "${report_files[@]}" \
    --machine "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p')" --output "$output"
echo "measured in $(( $(date +%s) - started )) s; raw JSON in $raw"
