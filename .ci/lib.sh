# Helpers for .ci/run: timed stages, a job runner with lanes and the summed "N passed, N failed".
# Every job writes "<passed> <failed>" to $CI_OUT/<name>.count and its output to $CI_OUT/<name>.log.

CI_OUT="${CI_OUT:-$(mktemp -d /tmp/rakomi-ci.XXXXXX)}"
CI_TIMINGS=()

stage() { printf '\n== %s\n' "$*"; STAGE_NAME="$*"; STAGE_START=$SECONDS; }
stage_done() { CI_TIMINGS+=("$(printf '%4ss  %s' $((SECONDS - STAGE_START)) "$STAGE_NAME")"); }

# A step that is not a test run: counts as one failed check when it fails, and stops CI.
must() { "$@" || { echo "CI: failed: $*" >&2; record setup 0 1; finish; }; }

record() { echo "$2 $3" >>"$CI_OUT/$1.count"; }

# job LANE NAME COMMAND...: runs COMMAND in the background, one job per LANE at a time (lanes run side by
# side), output in $CI_OUT/NAME.log; COMMAND records its checks under $JOB_NAME.
job() {
  local lane=$1 name=$2
  shift 2
  (
    exec {lock}>"$CI_OUT/$lane.lane"
    flock "$lock"
    echo "-- start $name ($lane lane)"
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
