import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ERROR_CATALOG, type RakomiErrorCode } from '../../lib/errors/index.js';
import { NUMERIC_OPTION_RULES } from '../../lib/options/option-limits.js';
import { documentationFiles } from '../support/doc-snippets.js';

// docs/errors.md's error table is generated from ERROR_CATALOG. To regenerate it after a catalog change:
//   UPDATE_README=1 npm test -- test/unit/readme
const ROOT = new URL('../../', import.meta.url).pathname;
const README_URL = new URL('../../README.md', import.meta.url);
const ERRORS_URL = new URL('../../docs/errors.md', import.meta.url);
const CONFIGURATION_URL = new URL('../../docs/configuration.md', import.meta.url);
const START = '<!-- error-table:start -->';
const END = '<!-- error-table:end -->';

function cell(text: string | undefined): string {
  return text === undefined ? '' : text.replaceAll('|', '\\|');
}

function renderErrorTable(): string {
  const rows = (Object.keys(ERROR_CATALOG) as RakomiErrorCode[]).map((code) => {
    const entry: { message: string; suggestion: string; fixCommand?: string; status: number; extension?: true } = ERROR_CATALOG[code];
    const name = entry.extension ? `\`${code}\` (extension)` : `\`${code}\``;
    const fix = entry.fixCommand === undefined ? '' : `\`${cell(entry.fixCommand)}\``;
    return `| ${name} | ${entry.status} | ${cell(entry.message)} | ${cell(entry.suggestion)} | ${fix} |`;
  });
  return ['| code | HTTP | message | suggestion | fix command |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Relative link targets (`[text](docs/x.md#anchor)`, `[text](#anchor)`) of a Markdown file. */
function relativeLinks(markdown: string): { file: string; anchor: string | undefined }[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target))
    .map((target) => {
      const [file, anchor] = target.split('#');
      return { file: file!, anchor };
    });
}

/** GitHub's heading anchors of a Markdown file: lower case, punctuation dropped, spaces as `-`. */
function headingAnchors(markdown: string): Set<string> {
  const headings = markdown.split('\n').filter((line) => /^#{1,6} /.test(line));
  return new Set(
    headings.map((line) =>
      line
        .replace(/^#+ /, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replaceAll(' ', '-'),
    ),
  );
}

describe('README and docs/', () => {
  const readme = readFileSync(README_URL, 'utf8');
  const errors = readFileSync(ERRORS_URL, 'utf8');
  const configuration = readFileSync(CONFIGURATION_URL, 'utf8');

  it('shows the error table generated from ERROR_CATALOG (docs/errors.md)', () => {
    expect(errors).toContain(START);
    expect(errors).toContain(END);
    const expected = `${START}\n${renderErrorTable()}\n${END}`;
    const current = errors.slice(errors.indexOf(START), errors.indexOf(END) + END.length);
    if (process.env.UPDATE_README === '1' && current !== expected) {
      writeFileSync(ERRORS_URL, errors.replace(current, expected));
      return;
    }
    expect(current).toBe(expected);
  });

  it.each(Object.entries(NUMERIC_OPTION_RULES))('documents option %s with its default (docs/configuration.md)', (path, rule) => {
    const row = configuration.split('\n').find((line) => line.startsWith(`| \`${path}\``));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${rule.default} `);
  });

  it('tells users the test command that CI runs, and the sample command', () => {
    expect(readme).toContain('npm test');
    expect(readme).toContain('npm install && npm start');
  });

  it('keeps the README a quick start (at most ~400 lines)', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(420);
  });

  it.each(documentationFiles(ROOT))('%s links only to files and headings that exist', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const broken = relativeLinks(text).filter(({ file, anchor }) => {
      const path = file === '' ? join(ROOT, doc) : join(ROOT, dirname(doc), file);
      if (!existsSync(path)) return true;
      return anchor !== undefined && path.endsWith('.md') && !headingAnchors(readFileSync(path, 'utf8')).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});
