# suite NODE_BIN [jest args...]: the library's jest suite under the node in NODE_BIN.
# Each run starts its own throw-away redis-server (test/setup/redis.global-setup.mjs), so runs can overlap.
suite() {
  local bin=$1
  shift
  (
    unset REDIS_URL
    export PATH="$bin:$PATH"
    echo "node $(node -v), jest $*"
    node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js -w 1 "$@"
  )
  local status=$?
  grep -E '^[0-9]+ passed, [0-9]+ failed$' "$CI_OUT/$JOB_NAME.log" | tail -n 1 | awk '{ print $1, $3 }' >>"$CI_OUT/$JOB_NAME.count"
  # jest's own exit status is not enough here: it has been seen to exit 0 after failed tests
  [ "$status" -eq 0 ] && awk '{ f += $2 } END { exit f > 0 }' "$CI_OUT/$JOB_NAME.count"
}

# lint_check: ESLint (type-aware) and prettier --check, as one check.
lint_check() {
  if npm run lint; then record "$JOB_NAME" 1 0; else record "$JOB_NAME" 0 1; return 1; fi
}
