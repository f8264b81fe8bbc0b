// @nestjs/graphql, @nestjs/websockets, @nestjs/microservices (and graphql) are optional peers: an
// HTTP-only app installs and loads none of them. Proved on the sources and on a fresh build run
// by a real Node process that refuses to resolve them from the package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../../', import.meta.url).pathname;
const OPTIONAL =
  /^(graphql|graphql-ws|ws|socket\.io|@nestjs\/(graphql|apollo|mercurius|websockets|microservices|platform-socket\.io|platform-ws))(\/|$)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Specifiers of value imports/re-exports (`import type` / `export type` erase at build time). */
function valueImports(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

describe('optional transport peers', () => {
  it('no lib file imports them statically; only the transport units load them, lazily, with import()', () => {
    const files = sourceFiles(join(root, 'lib'));
    const staticImports = files.filter((file) => valueImports(readFileSync(file, 'utf8')).some((specifier) => OPTIONAL.test(specifier)));
    expect(staticImports.map((file) => relative(root, file))).toEqual([]);
    const lazy = files.filter((file) => /\bimport\(\s*['"]/.test(readFileSync(file, 'utf8')));
    expect(lazy.map((file) => relative(root, file)).sort()).toEqual([
      'lib/nest/transports/graphql.transport.ts',
      'lib/nest/transports/rpc.transport.ts',
      'lib/nest/transports/ws.transport.ts',
    ]);
  });

  it('a built package serves an HTTP app (valid token → 200, none → 401) without resolving any of them', () => {
    const out = mkdtempSync(join(root, '.optional-peers-'));
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', out]);
      // Refuses any optional peer that a file of the build asks for; Nest itself may probe for them.
      const hook = `data:text/javascript,${encodeURIComponent(`
        const OPTIONAL = ${OPTIONAL.toString()};
        export async function resolve(specifier, context, next) {
          if (OPTIONAL.test(specifier) && context.parentURL?.startsWith(${JSON.stringify(pathToFileURL(out).href)})) {
            throw new Error('the build loaded the optional peer ' + specifier + ' from ' + context.parentURL);
          }
          return next(specifier, context);
        }`)}`;
      const app = `
        import { register } from 'node:module';
        register(${JSON.stringify(hook)});
        const { Controller, Get, Module } = await import('@nestjs/common');
        const { APP_GUARD, NestFactory } = await import('@nestjs/core');
        const { CurrentUser, RakomiAuthGuard, RakomiModule } = await import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)});
        const { RakomiTestIssuer } = await import(${JSON.stringify(pathToFileURL(join(out, 'testing/index.js')).href)});
        const issuer = await RakomiTestIssuer.start();
        class MeController { me(sub) { return { sub }; } }
        Reflect.decorate([Get('me')], MeController.prototype, 'me', Object.getOwnPropertyDescriptor(MeController.prototype, 'me'));
        CurrentUser('sub')(MeController.prototype, 'me', 0);
        Controller()(MeController);
        class AppModule {}
        Module({ imports: [RakomiModule.forRoot(issuer.moduleOptions())], controllers: [MeController],
                 providers: [{ provide: APP_GUARD, useClass: RakomiAuthGuard }] })(AppModule);
        const nest = await NestFactory.create(AppModule, { logger: false });
        await nest.listen(0, '127.0.0.1');
        const url = 'http://127.0.0.1:' + nest.getHttpServer().address().port + '/me';
        const ok = await fetch(url, { headers: { authorization: 'Bearer ' + issuer.token({ sub: 'usr_http' }) } });
        const missing = await fetch(url);
        console.log(JSON.stringify([ok.status, await ok.json(), missing.status, (await missing.json()).code]));
        await nest.close();
        await issuer.close();`;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', app], { cwd: root, encoding: 'utf8' });
      expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual([200, { sub: 'usr_http' }, 401, 'token/missing']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
