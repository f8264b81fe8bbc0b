import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_CATALOG, type RakomiErrorCode } from '../../lib/errors/index.js';
import { NUMERIC_OPTION_RULES } from '../../lib/options/option-limits.js';

// The README's error table is generated from ERROR_CATALOG. To regenerate it after a catalog change:
//   UPDATE_README=1 npm test -- test/unit/readme
const README_URL = new URL('../../README.md', import.meta.url);
const START = '<!-- error-table:start -->';
const END = '<!-- error-table:end -->';

function cell(text: string | undefined): string {
  return text === undefined ? '' : text.replaceAll('|', '\\|');
}

function renderErrorTable(): string {
  const rows = (Object.keys(ERROR_CATALOG) as RakomiErrorCode[]).map((code) => {
    const entry: { message: string; suggestion: string; fixCommand?: string; status: number; extension?: true } =
      ERROR_CATALOG[code];
    const name = entry.extension ? `\`${code}\` (extension)` : `\`${code}\``;
    const fix = entry.fixCommand === undefined ? '' : `\`${cell(entry.fixCommand)}\``;
    return `| ${name} | ${entry.status} | ${cell(entry.message)} | ${cell(entry.suggestion)} | ${fix} |`;
  });
  return ['| code | HTTP | message | suggestion | fix command |', '|---|---|---|---|---|', ...rows].join('\n');
}

describe('README', () => {
  const readme = readFileSync(README_URL, 'utf8');

  it('shows the error table generated from ERROR_CATALOG', () => {
    const expected = `${START}\n${renderErrorTable()}\n${END}`;
    const current = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    if (process.env.UPDATE_README === '1' && current !== expected) {
      writeFileSync(README_URL, readme.replace(current, expected));
      return;
    }
    expect(current).toBe(expected);
  });

  it.each(Object.entries(NUMERIC_OPTION_RULES))('documents option %s with its default', (path, rule) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${path}\``));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${rule.default} `);
  });

  it('tells users the test command that CI runs', () => {
    expect(readme).toContain('npm test');
  });
});
