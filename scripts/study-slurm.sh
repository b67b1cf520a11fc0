#!/usr/bin/env bash
# The claims x settings study as a Slurm job array: one array task per shard.
#   sbatch --array=1-12 scripts/study-slurm.sh        # the full grid, 12 groups, one per task
# Each task finds its shard in SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (any --array start works)
# and writes its own folder; when all are done, on any machine that sees the folders:
#   node dist/run.js study merge outputs/study-shard-* --out outputs/study
# STUDY_ARGS adds flags, e.g. STUDY_ARGS="--quick" or "--dry-run" (prints the plan and estimate only).
#SBATCH --job-name=cifar10-study
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=24:00:00
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/..}"
# shellcheck disable=SC2086
exec node dist/run.js study --progress lines --out "outputs/study-shard-${SLURM_ARRAY_TASK_ID}" ${STUDY_ARGS:-}
