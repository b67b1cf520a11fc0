#!/usr/bin/env bash
# One stage of the search for the author's setting (docs/search.md) as a Slurm job array: one array
# task per shard. A stage needs every run of the stage before, so the search goes stage by stage:
#   sbatch --array=1-8 scripts/search-slurm.sh                                  # stage A
#   node dist/run.js search merge outputs/search-shard-* --out outputs/search   # merges A, plans B
#   SEARCH_AFTER=outputs/search sbatch --array=1-8 scripts/search-slurm.sh      # stage B (and so on)
#   node dist/run.js search merge outputs/search-shard-* --out outputs/search   # ... until it writes matrix.csv
# Each task finds its shard in SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (any --array start works) and
# writes its share of the stage into its own folder. SEARCH_ARGS adds flags, e.g. "--quick" or "--dry-run"
# (plans the stage and prints this shard's share, runs nothing).
#SBATCH --job-name=cifar10-search
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=24:00:00
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/..}"
after=()
if [ -n "${SEARCH_AFTER:-}" ]; then after=(--after "$SEARCH_AFTER"); fi
# shellcheck disable=SC2086
exec node dist/run.js search --progress lines --out "outputs/search-shard-${SLURM_ARRAY_TASK_ID}" "${after[@]}" ${SEARCH_ARGS:-}
