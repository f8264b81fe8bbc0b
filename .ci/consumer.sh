# consumer FIXTURE NODE_BIN: a fixture app of test/consumers, copied to a scratch folder and checked as a
# user would: npm ci (other deps from its lockfile, the packed tarball unpinned), a plain npm install (peer
# check, no --legacy-peer-deps), tsc on TypeScript 5.7 and latest 5.x (+ node16/node10 module settings),
# its default jest unit and e2e specs, `npm run build` and `node dist/main.js` answering 200/401.
consumer() {
  local fixture=$1 bin=$2 repo=$PWD dir="$CI_OUT/$1"
  export PATH="$bin:$PATH"
  echo "node $(node -v), npm $(npm -v)"
  mkdir -p "$dir"
  (cd "test/consumers/$fixture" && tar --exclude=node_modules --exclude=dist -cf - .) | tar -xf - -C "$dir"
  cp test/consumers/rakomi-nestjs.tgz "$CI_OUT/"
  cd "$dir" || return 1
  node "$repo/test/consumers/unpin-tarball.cjs" || return 1
  consumer_check npm ci --prefer-offline --no-audit --no-fund || return 1
  consumer_check npm install --prefer-offline --no-audit --no-fund
  consumer_check npm ls @rakomi/nestjs @nestjs/core
  consumer_check npm run -s typecheck
  consumer_jest test
  consumer_jest test:e2e
  consumer_check npm run -s build
  consumer_check node "$repo/test/consumers/smoke.mjs" .
  awk '{ f += $2 } END { exit f > 0 }' "$CI_OUT/$JOB_NAME.count"
}

# One step of the fixture check, counted as one passed or failed check.
consumer_check() {
  echo "-- $*"
  if "$@"; then record "$JOB_NAME" 1 0; else record "$JOB_NAME" 0 1; return 1; fi
}

# An npm script running jest: its tests are counted (a run that reports nothing counts as one failure).
consumer_jest() {
  echo "-- npm run $1"
  rm -f jest.json
  npm run -s "$1" -- --json --outputFile=jest.json
  node -p 'const r = require("./jest.json"); `${r.numPassedTests} ${r.numFailedTests + r.numRuntimeErrorTestSuites}`' \
    >>"$CI_OUT/$JOB_NAME.count" 2>/dev/null || record "$JOB_NAME" 0 1
}
