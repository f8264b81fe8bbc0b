import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Major version of the `@nestjs/core` this run resolves: 12, or 11 under `.ci/nest11/jest.config.mjs`. */
export function nestMajor(): number {
  let dir = dirname(createRequire(import.meta.url).resolve('@nestjs/core'));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (manifest.name === '@nestjs/core') return Number(manifest.version.split('.')[0]);
    } catch {
      // no package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error('@nestjs/core/package.json not found');
    dir = dirname(dir);
  }
}
