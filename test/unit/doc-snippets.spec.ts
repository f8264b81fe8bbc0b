// Every ```ts block of README.md and docs/*.md type-checks as written, with the package as users import it.
import { dirname, relative } from 'node:path';
import ts from 'typescript';
import { documentationFiles, snippetFiles, type SnippetFile } from '../support/doc-snippets.js';

const root = new URL('../../', import.meta.url).pathname;

/** The test tsconfig (strict, isolatedModules, decorators, `@rakomi/nestjs` paths), for files that show values. */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    `${root}test/tsconfig.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  return { ...parsed!.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
}

/** A compiler host that also sees the virtual snippet files. */
function hostWith(files: SnippetFile[], options: ts.CompilerOptions): ts.CompilerHost {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const dirs = new Set(files.map((file) => dirname(file.path)));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (path) => byPath.has(path) || fileExists.call(host, path);
  host.readFile = (path) => byPath.get(path)?.text ?? readFile.call(host, path);
  host.directoryExists = (path) => dirs.has(path) || (directoryExists?.call(host, path) ?? ts.sys.directoryExists(path));
  host.getSourceFile = (path, language, ...rest) => {
    const file = byPath.get(path);
    return file ? ts.createSourceFile(path, file.text, language, true) : getSourceFile.call(host, path, language, ...rest);
  };
  return host;
}

/** `README.md:57: TS2304 Cannot find name 'x'.` for each problem, at the Markdown line. */
function problems(files: SnippetFile[]): string[] {
  const options = compilerOptions();
  const program = ts.createProgram(
    files.map((file) => file.path),
    options,
    hostWith(files, options),
  );
  const byPath = new Map(files.map((file) => [file.path, file]));
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const file = diagnostic.file && byPath.get(diagnostic.file.fileName);
    if (!file || diagnostic.start === undefined)
      return `${diagnostic.file ? relative(root, diagnostic.file.fileName) : '(global)'}: TS${diagnostic.code} ${message}`;
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    return `${file.doc.split(':')[0]}:${file.firstLine + line}: TS${diagnostic.code} ${message}`;
  });
}

describe('documentation snippets', () => {
  const docs = documentationFiles(root).map((doc) => ({ doc, ...snippetFiles(root, doc) }));
  const files = docs.flatMap((doc) => doc.files);

  it('finds the TypeScript blocks of README.md (and docs/*.md)', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('compiles every block: none is left out as a fragment', () => {
    expect(docs.filter((doc) => doc.fragments > 0).map((doc) => doc.doc)).toEqual([]);
  });

  it('names each file of a document once', () => {
    const paths = files.map((file) => relative(root, file.path));
    expect(paths.filter((path, index) => paths.indexOf(path) !== index)).toEqual([]);
  });

  it('type-checks every block as written: imports, types and all', () => {
    expect(problems(files)).toEqual([]);
  }, 120_000);

  it('catches what a user would hit (a missing import, a type imported as a value)', () => {
    const probe = (text: string): SnippetFile => ({ path: `${root}.snippets/probe/p.ts`, text, doc: 'probe.md:1', firstLine: 1 });
    expect(problems([probe("@Controller('x') class X {}\n")]).join('\n')).toContain('TS2304');
    const valueImport =
      "import { Controller, Get } from '@nestjs/common';\nimport { CurrentUser, RakomiClaims } from '@rakomi/nestjs';\n" +
      "@Controller('me') export class Me { @Get() me(@CurrentUser() user: RakomiClaims) { return user; } }\n";
    expect(problems([probe(valueImport)]).join('\n')).toContain('TS1272');
  }, 120_000);
});
