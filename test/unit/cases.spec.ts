// test/CASES.md lists the case ids (T-, J-, W-, C-, R-) that test names start with, and where each is
// tested: every id a test names has a row, and every file a row links exists and names that id.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));
const CASES = readFileSync(join(TEST_DIR, 'CASES.md'), 'utf8');
const ID = /\b([TJWCR])-(\d+[a-z]?)\b/g;
const RANGE = /\b([TJWCR])-(\d+)\.\.[TJWCR]-(\d+)\b/g;

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'consumers' ? [] : specFiles(path);
    return /\.(spec|e2e-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Ids a text names, ranges such as `J-02..J-06` expanded. */
function idsIn(text: string): Set<string> {
  const ids = new Set([...text.matchAll(ID)].map(([id]) => id));
  for (const [, letter, from, to] of text.matchAll(RANGE)) {
    for (let n = Number(from); n <= Number(to); n++) ids.add(`${letter}-${String(n).padStart(2, '0')}`);
  }
  return ids;
}

/** The first argument of every `describe(…)` / `it(…)` / `test(…)` (`.each` included). */
function testNames(source: string): string[] {
  return [...source.matchAll(/\b(?:describe|it|test)(?:\.each\([^)]*\))?\(\s*(['"`])(.*?)\1/gs)].map((match) => match[2] ?? '');
}

/** id → the files its row links to. */
const rows = new Map(
  [...CASES.matchAll(/^\| <a id="[^"]+"><\/a>([TJWCR]-\d+[a-z]?) \|.*\| (.*) \|$/gm)].map(([, id, links]) => [
    id!,
    [...(links ?? '').matchAll(/\]\(([^)]+)\)/g)].map(([, path]) => path!),
  ]),
);

describe('test/CASES.md', () => {
  const files = specFiles(TEST_DIR);

  it('has a row for every case id a test name starts with', () => {
    expect(rows.size).toBeGreaterThan(100);
    const unlisted = files.flatMap((file) =>
      testNames(readFileSync(file, 'utf8'))
        .flatMap((name) => [...name.matchAll(ID)].map(([id]) => id)) // a range may span numbers absent on purpose
        .filter((id) => !rows.has(id))
        .map((id) => `${id} in ${relative(TEST_DIR, file)}`),
    );
    expect(unlisted).toEqual([]);
  });

  it('links each case to files that exist and name it', () => {
    const wrong: string[] = [];
    for (const [id, links] of rows) {
      for (const link of links) {
        const file = files.find((path) => relative(TEST_DIR, path) === link);
        if (file === undefined || !idsIn(readFileSync(file, 'utf8')).has(id)) wrong.push(`${id} → ${link}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
