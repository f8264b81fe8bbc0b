// Finishes the CommonJS build that `tsc -p tsconfig.cjs.json` wrote to dist/cjs:
// 1. marks dist/cjs as CommonJS ({"type":"commonjs"}), so Node and TypeScript read its .js/.d.ts as CJS;
// 2. bundles the jose exports the CJS build uses into dist/cjs/vendor/jose.js (jose 6 ships ESM only,
//    and jest's CommonJS runtime cannot load an ES module), and points those require() calls at it.
// Nest, rxjs, reflect-metadata, tslib and ioredis stay external: one copy of each, the consumer's.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const cjsDir = new URL('../dist/cjs/', import.meta.url).pathname;
const vendorFile = join(cjsDir, 'vendor', 'jose.js');
const joseRequire = /require\("jose"\)/g;
const requiresJose = (file) => readFileSync(file, 'utf8').includes('require("jose")');

const jsFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? jsFiles(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : [],
  );

writeFileSync(join(cjsDir, 'package.json'), '{\n  "type": "commonjs"\n}\n');

const users = jsFiles(cjsDir).filter(requiresJose);
const used = new Set(users.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bjose_\d+\.(\w+)/g)].map((m) => m[1])));
if (used.size === 0) throw new Error('build-cjs: no jose import found in dist/cjs; nothing to vendor');

mkdirSync(dirname(vendorFile), { recursive: true });
await build({
  stdin: { contents: `export { ${[...used].sort().join(', ')} } from 'jose';`, resolveDir: process.cwd(), loader: 'js' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
  outfile: vendorFile,
});
writeFileSync(
  vendorFile,
  `// jose ${JSON.parse(readFileSync('node_modules/jose/package.json', 'utf8')).version} (MIT, github.com/panva/jose), bundled for the CommonJS build: ${[...used].sort().join(', ')}\n` +
    readFileSync(vendorFile, 'utf8'),
);

for (const file of users) {
  const target = relative(dirname(file), vendorFile).replace(/^(?!\.)/, './');
  writeFileSync(file, readFileSync(file, 'utf8').replace(joseRequire, `require(${JSON.stringify(target)})`));
}
console.log(`build-cjs: vendored jose {${[...used].join(', ')}} for ${users.map((f) => relative(cjsDir, f)).join(', ')}`);
