import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
type Conditions = { types: string; default: string };
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  type: string;
  main: string;
  types: string;
  exports: Record<string, { import: Conditions; require: Conditions } | string>;
  typesVersions: Record<string, Record<string, string[]>>;
  files: string[];
  sideEffects: boolean;
  engines: { node: string };
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

const libFiles = sourceFiles(join(root, 'lib'));
const inFolder = (folder: string) => (file: string) => relative(join(root, 'lib'), file).startsWith(`${folder}/`);

describe('package manifest', () => {
  it('is a dual package: ESM (dist) behind import, CommonJS (dist/cjs) behind require, for . and ./testing', () => {
    expect([manifest.name, manifest.type, manifest.sideEffects]).toEqual(['@rakomi/nestjs', 'module', false]);
    const entry = (esm: string) => ({
      import: { types: `./dist/${esm}.d.ts`, default: `./dist/${esm}.js` },
      require: { types: `./dist/cjs/${esm}.d.ts`, default: `./dist/cjs/${esm}.js` },
    });
    expect(manifest.exports).toEqual({
      '.': entry('index'),
      './testing': entry('testing/index'),
      './health': entry('nest/health/index'),
      './package.json': './package.json',
    });
    expect(manifest.files).toEqual(['dist', 'docs', 'CHANGELOG.md']);
  });

  it('resolves types for the old node10 resolution too: main/types are the CommonJS build, typesVersions maps ./testing', () => {
    expect([manifest.main, manifest.types]).toEqual(['./dist/cjs/index.js', './dist/cjs/index.d.ts']);
    expect(manifest.typesVersions).toEqual({
      '*': { testing: ['./dist/cjs/testing/index.d.ts'], health: ['./dist/cjs/nest/health/index.d.ts'] },
    });
  });

  it('accepts Nest 11 and 12 as peers and names the Node majors CI runs on', () => {
    expect([manifest.peerDependencies['@nestjs/common'], manifest.peerDependencies['@nestjs/core']]).toEqual([
      '^11.0.0 || ^12.0.0',
      '^11.0.0 || ^12.0.0',
    ]);
    expect(manifest.engines.node).toBe('^20.19.0 || ^22.12.0 || ^24.0.0');
  });

  it('depends at run time on jose and tslib only; Nest, rxjs and reflect-metadata are peers, ioredis and the transports optional ones', () => {
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['jose', 'tslib']);
    const optional = [
      '@nestjs/graphql',
      '@nestjs/microservices',
      '@nestjs/terminus',
      '@nestjs/websockets',
      '@opentelemetry/api',
      'graphql',
      'ioredis',
    ];
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(
      ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs', ...optional].sort(),
    );
    for (const name of optional) expect(manifest.peerDependenciesMeta[name]?.optional).toBe(true);
  });
});

describe('architecture', () => {
  it('keeps the core free of Nest: only lib/nest, lib/testing/nest and lib/index.ts import @nestjs/*', () => {
    const offenders = libFiles
      .filter((file) => !inFolder('nest')(file) && !inFolder('testing/nest')(file) && !file.endsWith('lib/index.ts'))
      .filter((file) => importsOf(file).some((specifier) => specifier.startsWith('@nestjs/')));
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('never loads the testing kit or the Nest layer from the core, nor tests from lib', () => {
    const offenders = libFiles.filter((file) => {
      const specifiers = importsOf(file);
      if (specifiers.some((specifier) => specifier.includes('/test/'))) return true;
      if (inFolder('testing/nest')(file)) return false;
      if (inFolder('testing')(file))
        return specifiers.some((specifier) => /(^|\/)nest\//.test(specifier) && !specifier.startsWith('./nest/'));
      if (inFolder('nest')(file)) return specifiers.some((specifier) => specifier.includes('/testing/'));
      return !file.endsWith('lib/index.ts') && specifiers.some((specifier) => /\/(nest|testing)\//.test(specifier));
    });
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('loads @nestjs/terminus only from the ./health entry point and @opentelemetry/api only by a lazy import()', () => {
    const terminus = libFiles.filter((file) => importsOf(file).includes('@nestjs/terminus'));
    expect(terminus.map((file) => relative(root, file))).toEqual(['lib/nest/health/rakomi.health-indicator.ts']);
    expect(libFiles.filter((file) => importsOf(file).includes('@opentelemetry/api'))).toEqual([]);
  });

  it('imports ioredis nowhere at run time (RedisReplayStore types its client structurally)', () => {
    expect(libFiles.filter((file) => importsOf(file).includes('ioredis')).map((file) => relative(root, file))).toEqual([]);
  });
});
