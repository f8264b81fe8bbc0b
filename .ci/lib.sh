# Helpers for .ci/run: timed stages, a small parallel job runner and the summed "N passed, N failed".
# Every job writes "<passed> <failed>" to $CI_OUT/<name>.count and its output to $CI_OUT/<name>.log.

CI_OUT="${CI_OUT:-$(mktemp -d /tmp/rakomi-ci.XXXXXX)}"
CI_JOBS="${CI_JOBS:-2}"
CI_TIMINGS=()

stage() { printf '\n== %s\n' "$*"; STAGE_NAME="$*"; STAGE_START=$SECONDS; }
stage_done() { CI_TIMINGS+=("$(printf '%4ss  %s' $((SECONDS - STAGE_START)) "$STAGE_NAME")"); }

# A step that is not a test run: counts as one failed check when it fails, and stops CI.
must() { "$@" || { echo "CI: failed: $*" >&2; record setup 0 1; finish; }; }

record() { echo "$2 $3" >>"$CI_OUT/$1.count"; }

# job NAME COMMAND...: runs COMMAND in the background (at most $CI_JOBS at once), output in $CI_OUT/NAME.log;
# COMMAND records its checks under $JOB_NAME.
job() {
  local name=$1
  shift
  while [ "$(jobs -rp | wc -l)" -ge "$CI_JOBS" ]; do wait -n; done
  echo "-- start $name"
  (
    start=$SECONDS
    JOB_NAME=$name
    "$@" >"$CI_OUT/$name.log" 2>&1
    status=$?
    # a job that failed without a failed check (crash, timeout) still counts as one failure
    if [ "$status" -ne 0 ] && ! awk '{ f += $2 } END { exit !(f > 0) }' "$CI_OUT/$name.count" 2>/dev/null; then
      record "$name" 0 1
    fi
    read -r p f < <(awk '{ p += $1; f += $2 } END { print p, f }' "$CI_OUT/$name.count")
    printf -- '-- done  %-24s %4ss  %s passed, %s failed (exit %s)\n' "$name" $((SECONDS - start)) "$p" "$f" "$status" | tee -a "$CI_OUT/timings"
  ) &
}

wait_jobs() { wait; }

# Prints the failing jobs' logs, the timings and the summed closing line; exits non-zero on any failure.
finish() {
  local passed failed
  read -r passed failed < <(cat "$CI_OUT"/*.count 2>/dev/null | awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
  for count in "$CI_OUT"/*.count; do
    [ -e "$count" ] || continue
    if awk '{ f += $2 } END { exit !(f > 0) }' "$count"; then
      printf '\n== log of %s (tail)\n' "$(basename "$count" .count)"
      tail -n 60 "${count%.count}.log" 2>/dev/null
    fi
  done
  printf '\n== timings\n'
  printf '%s\n' "${CI_TIMINGS[@]}"
  [ -f "$CI_OUT/timings" ] && sed 's/^-- done  /  job  /' "$CI_OUT/timings"
  echo
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
