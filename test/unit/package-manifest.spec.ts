import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  type: string;
  exports: Record<string, { types: string; default: string } | string>;
  files: string[];
  sideEffects: boolean;
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
  it('is the ESM package @rakomi/nestjs with a root and a ./testing entry point, shipping dist only', () => {
    expect([manifest.name, manifest.type, manifest.sideEffects]).toEqual(['@rakomi/nestjs', 'module', false]);
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(manifest.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
    expect(manifest.exports['./health']).toEqual({ types: './dist/nest/health/index.d.ts', default: './dist/nest/health/index.js' });
    expect(manifest.files).toEqual(['dist']);
  });

  it('depends at run time on jose and tslib only; Nest, rxjs and reflect-metadata are peers, ioredis an optional one', () => {
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['jose', 'tslib']);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(
      ['@nestjs/common', '@nestjs/core', '@nestjs/terminus', '@opentelemetry/api', 'ioredis', 'reflect-metadata', 'rxjs'].sort(),
    );
    for (const optional of ['ioredis', '@nestjs/terminus', '@opentelemetry/api']) {
      expect(manifest.peerDependenciesMeta[optional]?.optional).toBe(true);
    }
  });
});

describe('architecture', () => {
  it('keeps the core free of Nest: only lib/nest and lib/index.ts import @nestjs/*', () => {
    const offenders = libFiles
      .filter((file) => !inFolder('nest')(file) && !file.endsWith('lib/index.ts'))
      .filter((file) => importsOf(file).some((specifier) => specifier.startsWith('@nestjs/')));
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('never loads the testing kit or the Nest layer from the core, nor tests from lib', () => {
    const offenders = libFiles.filter((file) => {
      const specifiers = importsOf(file);
      if (specifiers.some((specifier) => specifier.includes('/test/'))) return true;
      if (inFolder('testing')(file)) return specifiers.some((specifier) => specifier.includes('/nest/'));
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
