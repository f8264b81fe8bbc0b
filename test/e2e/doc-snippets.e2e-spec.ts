// The test blocks of README.md and docs/*.md (`// name.e2e-spec.ts`) run as written, with the files they import.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { documentationFiles, snippetFiles } from '../support/doc-snippets.js';

const root = new URL('../../', import.meta.url).pathname;
const files = documentationFiles(root).flatMap((doc) => snippetFiles(root, doc).files);
for (const file of files) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.text);
}
afterAll(() => rmSync(join(root, '.snippets'), { recursive: true, force: true }));

const specs = files.filter((file) => file.path.endsWith('.e2e-spec.ts'));

it('finds the test blocks of the docs', () => {
  expect(specs.map((spec) => spec.doc)).toEqual([expect.stringMatching(/^README\.md:\d+$/)]);
});

// Importing a block registers its tests here, under their own names.
for (const spec of specs) await import(spec.path);
