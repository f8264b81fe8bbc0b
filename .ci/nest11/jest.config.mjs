// The library's own jest suite against Nest 11: the root config plus a resolver that takes the
// packages listed in .ci/nest11/package.json from .ci/nest11/node_modules. Run: npm test -- --config .ci/nest11/jest.config.mjs
import { readFileSync } from 'node:fs';

const rootDir = new URL('../../', import.meta.url).pathname;
const { jest } = JSON.parse(readFileSync(new URL('package.json', new URL(rootDir, 'file:')), 'utf8'));

export default { ...jest, rootDir, resolver: '<rootDir>/.ci/nest11/resolver.cjs' };
