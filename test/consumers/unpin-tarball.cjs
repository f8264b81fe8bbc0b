// Drops the lockfile's integrity hash of the local @rakomi/nestjs tarball: the tarball is rebuilt by
// every CI run, so its hash changes while every other pinned dependency stays as locked.
// Usage (in a fixture folder): node ../unpin-tarball.cjs
const { readFileSync, writeFileSync } = require('node:fs');

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
delete lock.packages['node_modules/@rakomi/nestjs'].integrity;
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
