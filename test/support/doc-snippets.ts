// TypeScript blocks of README.md and docs/*.md, as the virtual files of small projects.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A virtual file made of contiguous lines of one ```ts block. */
export interface SnippetFile {
  /** Absolute path under `<root>/.snippets/<doc>/`. */
  path: string;
  text: string;
  /** Where it comes from: `README.md:42` (the line of its first line). */
  doc: string;
  firstLine: number;
}

/** A file name marker: a line that is only `// name.ts` (optionally followed by a comment). */
const FILE_MARKER = /^\/\/ ([\w./-]+\.ts)\b/;
/** The blocks the suite compiles: ```ts and ```typescript; ```ts fragment is shown, not compiled. */
const BLOCK_START = /^```(ts|typescript)(?:\s+(\S+))?\s*$/;

/** README.md and docs/*.md, relative to the repository root. */
export function documentationFiles(root: string): string[] {
  const docs = join(root, 'docs');
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...pages.sort()];
}

/**
 * The compiled blocks of one Markdown file, as one project: a line `// name.ts` starts a file of
 * that name (which other blocks may import as `./name.js`); a block without one is a file of its
 * own. Returns also the number of fragments skipped.
 */
export function snippetFiles(root: string, doc: string): { files: SnippetFile[]; fragments: number } {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const files: SnippetFile[] = [];
  let fragments = 0;
  let blockIndex = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const start = BLOCK_START.exec(line);
    if (!start) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${doc}:${i + 1}: unterminated code block`);
    if (start[2] === 'fragment') {
      fragments++;
    } else {
      const dir = join(root, '.snippets', doc.replace(/\W+/g, '-'));
      let current: SnippetFile | undefined;
      for (let j = i + 1; j < end; j++) {
        const name = FILE_MARKER.exec(lines[j]!)?.[1];
        if (current === undefined || name !== undefined) {
          current = { path: join(dir, name ?? `block-${++blockIndex}.ts`), text: '', doc: `${doc}:${j + 1}`, firstLine: j + 1 };
          files.push(current);
        }
        current.text += `${lines[j]}\n`;
      }
    }
    i = end;
  }
  return { files, fragments };
}
