// Installs bench/'s own dependencies (`npm ci` from bench/package-lock.json) unless the installed
// tree already matches the lockfile, so repeated `npm run bench` runs skip a reinstall.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const read = (p) => {
  try {
    return JSON.parse(readFileSync(new URL(p, here), 'utf8'));
  } catch {
    return undefined;
  }
};
const packages = (lock) =>
  Object.entries(lock?.packages ?? {})
    .filter(([k]) => k)
    .map(([k, v]) => `${k}@${v.version}`)
    .sort()
    .join('\n');
const wanted = read('package-lock.json');
const installed = read('node_modules/.package-lock.json');
const present = (lock) =>
  Object.keys(lock?.packages ?? {})
    .filter((k) => k)
    .every((k) => existsSync(new URL(k + '/package.json', here)));
if (installed && packages(installed) === packages(wanted) && present(wanted)) {
  console.error('[bench] bench/node_modules matches bench/package-lock.json');
} else {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
}
