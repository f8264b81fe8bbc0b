// One minimal NestJS 12 app on Express, `GET /me` returning the user, in one of the auth variants.
// Started by run.mjs as a child process (pinned to one core); config in BENCH_SERVER (JSON);
// it reports { ready, port } and answers { mem } requests over IPC.
import 'reflect-metadata';
import { Catch, Controller, Get, Injectable, Module, Req } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';

const cfg = JSON.parse(process.env.BENCH_SERVER);
const { variant } = cfg;

// Decorators applied by hand (plain ESM JavaScript, no compiler step).
function decorateMethod(target, key, ...decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(target, key);
  for (const d of decorators.reverse()) descriptor = d(target, key, descriptor) ?? descriptor;
  Object.defineProperty(target, key, descriptor);
}

/**
 * BENCH_PROBE=1: in-situ stage timing. Wraps the guard, the token service and the cache digest
 * with hrtime accumulators; the totals (µs per call) are printed to stderr when the server closes.
 */
const probes = new Map();
function probe(target, key, name) {
  const original = target[key];
  const stat = { n: 0, ns: 0n };
  probes.set(name, stat);
  target[key] = function (...args) {
    const t0 = process.hrtime.bigint();
    const out = original.apply(this, args);
    stat.ns += process.hrtime.bigint() - t0; // synchronous part only
    stat.n++;
    return out;
  };
}
async function installProbes(Guard) {
  const dist = new URL('.', cfg.distUrl).href;
  const { VerifiedTokenCache } = await import(dist + 'token/verified-token.cache.js');
  const { TokenService } = await import(dist + 'token/token.service.js');
  const { Reflector: R } = await import('@nestjs/core');
  probe(R.prototype, 'getAllAndOverride', 'Reflector.getAllAndOverride');
  probe(VerifiedTokenCache.prototype, 'keyOf', 'VerifiedTokenCache.keyOf');
  probe(VerifiedTokenCache.prototype, 'get', 'VerifiedTokenCache.get');
  probe(TokenService.prototype, 'verify', 'TokenService.verify (sync part)');
  probe(TokenService.prototype, 'checkAuthorizationHeader', 'TokenService.checkAuthorizationHeader');
  probe(Guard.prototype, 'canActivate', 'RakomiAuthGuard.canActivate (sync part, incl. the above)');
}
process.on('exit', () => {
  for (const [name, { n, ns }] of probes)
    if (n) console.error(`[probe ${variant}] ${name}: ${n} calls, ${(Number(ns) / n / 1000).toFixed(2)} µs/call`);
});

class MeController {
  me(req) {
    // passport and Rakomi put the claims on req.user, express-oauth2-jwt-bearer on req.auth.payload;
    // the no-auth ceiling answers a claims object of the same size.
    return req.user ?? req.auth?.payload ?? cfg.sampleClaims;
  }
}
Req()(MeController.prototype, 'me', 0);
decorateMethod(MeController.prototype, 'me', Get('me'));
Controller()(MeController);

const providers = [];
const imports = [];
let middleware;

if (variant === 'passport') {
  const { PassportModule, PassportStrategy, AuthGuard } = await import('@nestjs/passport');
  const { Strategy, ExtractJwt } = await import('passport-jwt');
  const { passportJwtSecret } = await import('jwks-rsa');
  // The recipe of the @nestjs/passport + jwks-rsa docs: cache and rate limit on.
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        secretOrKeyProvider: passportJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: cfg.jwksUrl }),
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        issuer: cfg.issuer,
        audience: cfg.audience,
        algorithms: ['RS256'],
      });
    }
    validate(payload) {
      return payload;
    }
  }
  Injectable()(JwtStrategy);
  imports.push(PassportModule);
  providers.push(JwtStrategy, { provide: APP_GUARD, useClass: AuthGuard('jwt') });
} else if (variant === 'auth0') {
  const { auth } = await import('express-oauth2-jwt-bearer');
  middleware = auth({ jwksUri: cfg.jwksUrl, issuer: cfg.issuer, audience: cfg.audience, tokenSigningAlg: 'RS256' });
} else if (variant === 'rakomi' || variant === 'rakomi-nocache') {
  const { RakomiModule, RakomiAuthGuard } = await import(cfg.distUrl);
  const options = { ...cfg.moduleOptions, logger: false };
  if (variant === 'rakomi-nocache') options.tokenCache = false;
  imports.push(RakomiModule.forRoot(options));
  providers.push({ provide: APP_GUARD, useClass: RakomiAuthGuard });
  if (process.env.BENCH_PROBE === '1') await installProbes(RakomiAuthGuard);
} else if (variant === 'noop-guard') {
  // Reference: what Nest's guard machinery alone costs (an APP_GUARD that allows everything).
  class NoopGuard {
    canActivate() {
      return true;
    }
  }
  Injectable()(NoopGuard);
  providers.push({ provide: APP_GUARD, useClass: NoopGuard });
} else if (variant === 'user-guard') {
  // Reference: the least any guard that "puts the claims on request.user" does per request (the
  // claims are a constant here: no header is read, nothing is verified).
  class UserGuard {
    canActivate(context) {
      context.switchToHttp().getRequest().user = cfg.sampleClaims;
      return true;
    }
  }
  Injectable()(UserGuard);
  providers.push({ provide: APP_GUARD, useClass: UserGuard });
} else if (variant === 'crypto-guard') {
  // Reference point of issue 5 ("a minimal guard on node:crypto.verify with a cached KeyObject"):
  // the least a guard can do per request and still check RS256 + iss/aud/exp. Not a safe verifier
  // (no strict parsing, no JWKS refresh); it shows how close to the RSA floor a real one gets.
  const { createPublicKey, verify } = await import('node:crypto');
  const { UnauthorizedException } = await import('@nestjs/common');
  const jwks = await (await fetch(cfg.jwksUrl)).json();
  const keys = new Map(jwks.keys.map((k) => [k.kid, createPublicKey({ key: k, format: 'jwk' })]));
  class CryptoGuard {
    canActivate(context) {
      const req = context.switchToHttp().getRequest();
      const [scheme, token] = (req.headers.authorization ?? '').split(' ');
      if (scheme !== 'Bearer' || !token) throw new UnauthorizedException();
      const [h, p, sig] = token.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString());
      const key = keys.get(header.kid);
      if (header.alg !== 'RS256' || !key) throw new UnauthorizedException();
      if (!verify('sha256', Buffer.from(h + '.' + p), key, Buffer.from(sig, 'base64url'))) throw new UnauthorizedException();
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      if (claims.iss !== cfg.issuer || claims.aud !== cfg.audience || claims.exp * 1000 <= Date.now()) throw new UnauthorizedException();
      req.user = claims;
      return true;
    }
  }
  Injectable()(CryptoGuard);
  providers.push({ provide: APP_GUARD, useClass: CryptoGuard });
} else if (variant !== 'none') {
  throw new Error('unknown variant ' + variant);
}

class AppModule {}
Module({ imports, controllers: [MeController], providers })(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error'] });
if (middleware) {
  app.use(middleware);
  // What an app using this middleware adds: its errors carry `status` and `headers` (401 + challenge).
  class AuthErrorFilter {
    catch(error, host) {
      const res = host.switchToHttp().getResponse();
      res
        .status(error.status ?? 500)
        .set(error.headers ?? {})
        .json({ statusCode: error.status ?? 500, message: error.message });
    }
  }
  Catch()(AuthErrorFilter);
  app.useGlobalFilters(new AuthErrorFilter());
}
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();

process.on('message', (msg) => {
  if (msg?.type === 'mem') {
    if (msg.gc && globalThis.gc) globalThis.gc();
    process.send({ type: 'mem', id: msg.id, mem: process.memoryUsage() });
  } else if (msg?.type === 'cpu') {
    process.send({ type: 'cpu', id: msg.id, cpu: process.cpuUsage() });
  } else if (msg?.type === 'close') {
    app.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', port, variant });
