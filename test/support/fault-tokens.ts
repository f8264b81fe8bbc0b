// Token and memory helpers of the fault and fuzz suites.
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { base64url, type RakomiTestIssuer } from '@rakomi/nestjs/testing';

/** A 256-byte (RSA-2048 sized) random signature, base64url. */
export function randomSignature(): string {
  return randomBytes(256).toString('base64url');
}

/**
 * A well-formed RS256 token naming a random, unpublished `kid` (printable, `kidLength` characters)
 * with a random signature: it fails at key lookup, and costs no RSA signing to make.
 */
export function unknownKidToken(issuer: RakomiTestIssuer, kidLength = 16): string {
  const kid = `ux-${randomBytes(kidLength).toString('base64url')}`.slice(0, Math.max(4, kidLength));
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(issuer.claims()));
  return `${header}.${payload}.${randomSignature()}`;
}

/**
 * `count` well-formed RS256 tokens with distinct random `kid`s of exactly `kidLength` characters
 * (≤ 256), sharing one payload and one random signature: cheap to make in bulk.
 */
export function unknownKidTokens(issuer: RakomiTestIssuer, count: number, kidLength = 250): string[] {
  const tail = `.${base64url(JSON.stringify(issuer.claims()))}.${randomSignature()}`;
  return Array.from({ length: count }, () => {
    const kid = randomBytes(Math.ceil(kidLength / 2))
      .toString('hex')
      .slice(0, kidLength);
    return base64url(`{"alg":"RS256","kid":"${kid}"}`) + tail;
  });
}

/** `token` (signed for a published `kid`) with its signature replaced by random bytes of the right length. */
export function bogusSignatureToken(token: string): string {
  const [header, payload] = token.split('.') as [string, string, string];
  return `${header}.${payload}.${randomSignature()}`;
}

/**
 * Tokens that fail before any key is needed (steps 1–3 of the verification order): no crypto,
 * no JWKS fetch. Each call returns fresh random variants.
 */
export function garbageTokens(issuer: RakomiTestIssuer): string[] {
  const good = issuer.token();
  const [h, p, s] = good.split('.') as [string, string, string];
  const rand = (n: number): string => randomBytes(n).toString('base64url');
  const claims = issuer.claims();
  return [
    rand(40),
    `${rand(30)}.${rand(60)}`,
    `${rand(30)}.${rand(60)}.${rand(256)}`,
    `${h}.${p}.${s}.${rand(8)}`,
    `${h}.${p}`,
    `${h}..${s}`,
    `.${p}.${s}`,
    `${h}=.${p}.${s}`,
    `${h}.${p}.${s}=`,
    `${h}.${p}+.${s}`,
    'a'.repeat(9_000),
    `${rand(20)}.${rand(20)}.${rand(20)}.${rand(20)}.${rand(20)}`,
    issuer.badToken('none'),
    issuer.badToken('hs256'),
    issuer.signJws({ alg: 'RS512', kid: issuer.currentKey.kid }, claims, { alg: 'none' }) + randomSignature(),
    issuer.signJws({ alg: 'RS256' }, claims, { alg: 'none' }) + randomSignature(),
    issuer.signJws({ alg: 'RS256', kid: 42 }, claims, { alg: 'none' }) + randomSignature(),
    issuer.signJws('not json', claims, { alg: 'none' }) + randomSignature(),
    issuer.signJws('[1,2]', claims, { alg: 'none' }) + randomSignature(),
    `${base64url(randomBytes(24))}.${p}.${s}`,
  ];
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection (exposes V8's `gc` at run time; no `--expose-gc` flag needed). */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
  gcFunction();
}

/** `heapUsed` after a full collection, bytes. */
export function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
