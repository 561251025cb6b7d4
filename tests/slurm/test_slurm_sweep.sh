#!/usr/bin/env bash
# Slurm sweeps end to end (see CMakeLists.txt here). Usage: test_slurm_sweep.sh SDEBENCH SOURCE_DIR WORK_DIR
#   1. a spec error is reported at submission and nothing is queued or written;
#   2. a 4-run sweep on Slurm completes, its report job runs, and every run's numbers equal those
#      of the same sweep run locally in-process (same seeds, one thread each);
#   3. one task of a second sweep is cancelled after its first checkpoint, `sweep --resume`
#      resubmits just that run, and its numbers equal an uninterrupted run's.
# Waits poll squeue/files with time limits; nothing relies on a sleep being long enough.
set -euo pipefail
SDEBENCH=$1
SRC=$2
WORK=$3
SPEC=$SRC/tests/slurm/tiny.toml

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $* ($SECONDS s)"; }

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_until() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${limit} s waiting for: $what"
    sleep 0.1
  done
}
# True when none of the given jobs (comma-separated ids) is in the queue any more.
jobs_done() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
# The value after "PREFIX" on the line of the output that starts with it.
field() { sed -n "s/^$1//p" <<<"$2" | head -n1; }
# Numbers of a run that must not depend on where it ran: every column of metrics.csv and eval.csv
# but the clock ones (time_s, step_s / eval_s), and summary.json's final metrics.
numbers() {
  cut -d, -f1,4- "$1/metrics.csv"
  cut -d, -f1,4- "$1/eval.csv"
  sed -n '/"final_metrics"/,/}/p' "$1/summary.json"
}
same_numbers() {  # same_numbers DIR_A DIR_B WHAT
  [ -s "$1/summary.json" ] && [ -s "$2/summary.json" ] || fail "$3: a run has no summary.json ($1, $2)"
  grep -q '"final_metrics"' "$1/summary.json" || fail "$3: no final metrics in $1/summary.json"
  if ! diff <(numbers "$1") <(numbers "$2") >/dev/null; then
    diff <(numbers "$1") <(numbers "$2") | head -n 20 >&2
    fail "$3: numbers differ between $1 and $2"
  fi
}
summary_status() { sed -n 's/^  "status": "\(.*\)",*$/\1/p' "$1/summary.json"; }
# Run directory of the run labelled LABEL in a sweep directory's runs.tsv.
run_dir_of() { awk -F'\t' -v l="$2" '$2 == l {print $3}' "$1/runs.tsv"; }

step "a local Slurm cluster (the running one, or a new one)"
up=$(bash "$SRC/scripts/slurm-local.sh" up) || fail "the local Slurm cluster did not start (scripts/slurm-local.sh up)"
echo "$up"
# Stopped at the end only if this test started it.
started_cluster=1
grep -q "using the running cluster" <<<"$up" && started_cluster=0
mkdir -p "$WORK"
T=$(mktemp -d "$WORK/run-XXXXXX")
cleanup() {
  local rc=$?
  # Our jobs only (by id), never the cluster's others.
  [ -z "${OURS:-}" ] || scancel ${OURS//,/ } 2>/dev/null || true
  [ $started_cluster -eq 0 ] || bash "$SRC/scripts/slurm-local.sh" down >/dev/null || true
  if [ $rc -eq 0 ]; then rm -rf "$T"; else echo "files kept in $T" >&2; fi
}
trap cleanup EXIT
OURS=""

step "1. a spec error is reported before anything is queued"
queued_before=$(squeue -h | wc -l)
if "$SDEBENCH" sweep "$SPEC" seed=0:4 training.iteratons=5 --launcher slurm --output-root "$T/bad" \
    >"$T/bad.out" 2>"$T/bad.err"; then
  fail "a sweep with a misspelt key was submitted"
fi
grep -q "spec error" "$T/bad.err" || fail "no spec error: $(cat "$T/bad.err")"
grep -q "did you mean 'iterations'" "$T/bad.err" || fail "the error does not suggest the right key: $(cat "$T/bad.err")"
[ ! -e "$T/bad" ] || fail "a rejected sweep wrote $T/bad"
[ "$(squeue -h | wc -l)" -eq "$queued_before" ] || fail "a rejected sweep queued jobs"

step "2. a 4-run sweep on Slurm and the same sweep locally"
out=$("$SDEBENCH" sweep "$SPEC" seed=0:4 --launcher slurm --cpus-per-task 1 --output-root "$T/slurm")
echo "$out"
SWEEP=$(field "sweep directory: " "$out")
ARRAY=$(field "array job " "$out" | cut -d: -f1)
REPORT=$(field "report job " "$out" | cut -d' ' -f1)
[ -n "$SWEEP" ] && [ -n "$ARRAY" ] && [ -n "$REPORT" ] || fail "sweep output lacks the directory or job ids"
OURS="$ARRAY,$REPORT"
[ -f "$SWEEP/array.sbatch" ] && [ -f "$SWEEP/report.sbatch" ] && [ -f "$SWEEP/sweep.json" ] || fail "sweep directory incomplete"
[ "$(tail -n +2 "$SWEEP/runs.tsv" | wc -l)" -eq 4 ] || fail "runs.tsv does not list 4 runs"
# Meanwhile, the reference: the same runs in this process, one after another.
"$SDEBENCH" sweep "$SPEC" seed=0:4 training.threads=1 --output-root "$T/local" --runs-file "$T/local.txt" \
  --no-table --no-progress >"$T/local.out" 2>&1 || { cat "$T/local.out" >&2; fail "the local sweep failed"; }
wait_until 300 "array job $ARRAY and report job $REPORT" jobs_done "$ARRAY,$REPORT"
"$SDEBENCH" status "$SWEEP" | tee "$T/status1.txt"
[ "$(grep -cE '^ *[0-9]+  completed ' "$T/status1.txt")" -eq 4 ] || fail "not every run completed (status above)"
while IFS= read -r local_dir; do
  label=$(sed -n 's/^  "sweep_label": "\(.*\)",*$/\1/p' "$local_dir/summary.json")
  slurm_dir=$(run_dir_of "$SWEEP" "$label")
  [ -n "$slurm_dir" ] || fail "no Slurm run labelled '$label'"
  same_numbers "$slurm_dir" "$local_dir" "run '$label' (Slurm vs local)"
  echo "run '$label': Slurm = local"
done <"$T/local.txt"
[ "$(wc -l <"$T/local.txt")" -eq 4 ] || fail "the local sweep did not make 4 runs"
[ -s "$SWEEP/report/README.md" ] || fail "the report job wrote no $SWEEP/report/README.md"
grep -q "report (4 runs)" "$SWEEP/logs/report_$REPORT.out" || fail "the report job's log does not show 4 runs"

step "3. cancel one task mid-training, resume the sweep"
out=$("$SDEBENCH" sweep "$SPEC" seed=5:7 training.iterations=400 --launcher slurm --output-root "$T/slurm2")
echo "$out"
SWEEP2=$(field "sweep directory: " "$out")
ARRAY2=$(field "array job " "$out" | cut -d: -f1)
REPORT2=$(field "report job " "$out" | cut -d' ' -f1)
OURS="$ARRAY2,$REPORT2"
VICTIM=$(run_dir_of "$SWEEP2" "seed=5")
[ -n "$VICTIM" ] || fail "no run labelled seed=5 in $SWEEP2/runs.tsv"
wait_until 120 "the first checkpoint of $VICTIM" test -f "$VICTIM/checkpoint.pt"
scancel "${ARRAY2}_0"
# The uninterrupted reference, while the other task finishes.
"$SDEBENCH" run "$SPEC" seed=5 training.iterations=400 training.threads=1 --output-root "$T/ref" \
  --run-dir-file "$T/ref.dir" --no-progress >"$T/ref.out" 2>&1 || { cat "$T/ref.out" >&2; fail "the reference run failed"; }
wait_until 60 "task ${ARRAY2}_0 to leave the queue" jobs_done "${ARRAY2}_0"
[ "$(summary_status "$VICTIM")" = terminated ] ||
  fail "run seed=5 is '$(summary_status "$VICTIM")' after scancel, not 'terminated' (finished before the cancel? raise its iterations)"
grep -q "SIGTERM: checkpoint written" "$SWEEP2/logs/${ARRAY2}_0.out" || fail "the cancelled task's log does not show the SIGTERM checkpoint"
wait_until 300 "the rest of the second sweep" jobs_done "$ARRAY2,$REPORT2"
"$SDEBENCH" status "$SWEEP2" | tee "$T/status2.txt"
grep -qE '^ *0  cancelled ' "$T/status2.txt" || fail "status does not show run 0 cancelled"
grep -qE '^ *1  completed ' "$T/status2.txt" || fail "status does not show run 1 completed"
out=$("$SDEBENCH" sweep --resume "$SWEEP2")
echo "$out"
grep -q -- "1 runs (--array=0)" <<<"$out" || fail "resume did not resubmit exactly run 0"
ARRAY3=$(field "array job " "$out" | cut -d: -f1)
REPORT3=$(field "report job " "$out" | cut -d' ' -f1)
OURS="$ARRAY3,$REPORT3"
wait_until 300 "the resumed run" jobs_done "$ARRAY3,$REPORT3"
grep -q "continuing from its checkpoint" "$SWEEP2/logs/${ARRAY3}_0.out" || fail "the resubmitted task did not resume"
"$SDEBENCH" status "$SWEEP2" | tee "$T/status3.txt"
[ "$(grep -cE '^ *[0-9]+  completed ' "$T/status3.txt")" -eq 2 ] || fail "not every run completed after the resume"
same_numbers "$VICTIM" "$(cat "$T/ref.dir")" "cancelled and resumed run seed=5 vs an uninterrupted one"
echo "cancelled + resumed = uninterrupted"
OURS=""
step "passed"
