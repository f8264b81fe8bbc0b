// JWKS key selection J-21..J-24, J-28, J-29, J-35, T-46, T-50 (test/CASES.md):
// which published keys may verify an RS256 token.
import { generateKeyPairSync } from 'node:crypto';
import type { RakomiTestIssuer, TestSigningKey } from '../../lib/testing/index.js';
import type { TokenService } from '../../lib/token/token.service.js';
import { codeOf, serviceFor, startIssuer } from '../support/token-harness.js';

let issuer: RakomiTestIssuer;
let attacker: RakomiTestIssuer;
let K1: TestSigningKey;
let K2: TestSigningKey;
let KX: TestSigningKey;
const services: TokenService[] = [];

beforeAll(async () => {
  issuer = await startIssuer();
  attacker = await startIssuer();
  K1 = issuer.currentKey;
  K2 = issuer.createKey({ kid: 'rk-2' });
  KX = issuer.createKey({ kid: 'ax-1' });
  attacker.publish(KX);
});

afterEach(() => {
  issuer.fault();
  for (const service of services.splice(0)) service.close();
});

afterAll(async () => {
  await issuer.close();
  await attacker.close();
});

/** A cold service reading `keys` as the JWK Set. */
function withKeys(keys: unknown[]): TokenService {
  issuer.fault({ status: 200, body: JSON.stringify({ keys }) });
  const { service } = serviceFor(issuer, { tokenCache: false });
  services.push(service);
  return service;
}

const ec = () => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'rk-1', alg: 'ES256' });
const okp = () => ({ ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid: 'rk-1' });

describe('J-21..J-24 only RSA keys usable for RS256 signatures are selected', () => {
  it('J-21 same kid with RS256 and RS512 entries → the RS256 entry verifies', async () => {
    const service = withKeys([{ ...K2.jwk, kid: 'rk-1', alg: 'RS512' }, K1.jwk]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
  });

  it.each([
    ['EC P-256', () => ec()],
    ['oct', () => ({ kty: 'oct', k: 'c2VjcmV0', kid: 'rk-1' })],
    ['OKP', () => okp()],
    ['an unknown kty', () => ({ kty: 'DSA', kid: 'rk-1', y: 'AQAB' })],
    ['AKP (post-quantum)', () => ({ kty: 'AKP', kid: 'rk-1', alg: 'ML-DSA-65', pub: 'AQAB' })],
  ])('J-22 the only rk-1 key is %s → jwks/no_matching_key', async (_name, jwk) => {
    const service = withKeys([jwk(), K2.jwk]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/no_matching_key');
    await expect(codeOf(service.verify(issuer.token({}, { key: K2 })))).resolves.toBe('ok');
  });

  it('J-22 unknown key types elsewhere in the set do not break rk-1', async () => {
    const service = withKeys([
      { kty: 'AKP', kid: 'pq-1', alg: 'ML-DSA-65', pub: 'AQAB' },
      { kty: 'XYZ', kid: 'x' },
      { ...ec(), kid: 'ec-1' },
      K1.jwk,
    ]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
  });

  it('J-23 a symmetric key is never used; next to K1, K1 verifies; HS256 tokens fail before lookup', async () => {
    const oct = { kty: 'oct', k: 'c2VjcmV0', kid: 'rk-1', alg: 'HS256' };
    const service = withKeys([oct, K1.jwk]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
    const hs = issuer.signJws({ alg: 'HS256', kid: 'rk-1' }, issuer.claims(), { alg: 'HS256', hmacKey: 'secret' });
    await expect(codeOf(service.verify(hs))).resolves.toBe('token/invalid_algorithm');
    const onlyOct = withKeys([oct, K2.jwk]);
    await expect(codeOf(onlyOct.verify(issuer.token()))).resolves.toBe('jwks/no_matching_key');
  });

  it.each([
    ['use "enc"', { use: 'enc' }],
    ['key_ops ["encrypt"]', { key_ops: ['encrypt'] }],
    ['alg RS512', { alg: 'RS512' }],
    ['alg none', { alg: 'none' }],
    ['alg PS256', { alg: 'PS256' }],
  ])('J-24 K1 with %s → jwks/no_matching_key', async (_name, members) => {
    const service = withKeys([{ ...K1.jwk, ...members }, K2.jwk]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/no_matching_key');
  });

  it.each([
    ['key_ops ["verify"]', { key_ops: ['verify'] }],
    ['use "sig"', { use: 'sig' }],
    ['ext false', { ext: false }],
    ['no alg and no use', { alg: undefined, use: undefined }],
    ['J-28 garbage x5c / x5t', { x5c: ['bm90IGEgY2VydA'], x5t: 'garbage', 'x5t#S256': 'garbage' }],
  ])('J-24 K1 with %s → verified', async (_name, members) => {
    const service = withKeys([{ ...K1.jwk, ...members }]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('ok');
  });

  it('two RS256 keys published under the same kid → jwks/invalid_response for that kid only', async () => {
    const service = withKeys([K1.jwk, { ...K2.jwk, kid: 'rk-1' }, { ...K2.jwk, kid: 'rk-2' }]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/invalid_response');
    await expect(codeOf(service.verify(issuer.token({}, { key: K2 })))).resolves.toBe('ok');
  });

  it('a JWK without kid cannot be selected (tokens always name their key)', async () => {
    const service = withKeys([{ ...K1.jwk, kid: undefined }, K2.jwk]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/no_matching_key');
  });

  it('an RSA JWK missing "e" is unusable for its kid, not an internal error', async () => {
    const service = withKeys([{ ...K1.jwk, e: undefined }, K2.jwk]);
    await expect(codeOf(service.verify(issuer.token()))).resolves.toBe('jwks/invalid_response');
    await expect(codeOf(service.verify(issuer.token({}, { key: K2 })))).resolves.toBe('ok');
  });
});

describe('keys come only from the configured URL', () => {
  it('J-29 / J-35 a token naming the attacker as issuer, or a foreign key set: no_matching_key, attacker never contacted', async () => {
    const { service } = serviceFor(issuer, { tokenCache: false });
    services.push(service);
    const token = issuer.token({ iss: attacker.url }, { key: KX });
    await expect(codeOf(service.verify(token))).resolves.toBe('jwks/no_matching_key');
    const foreign = withKeys([KX.jwk]);
    await expect(codeOf(foreign.verify(issuer.token()))).resolves.toBe('jwks/no_matching_key');
    expect(attacker.hits).toBe(0);
  });

  it('T-46 path-traversal kids are plain strings: jwks/no_matching_key', async () => {
    const { service } = serviceFor(issuer, { tokenCache: false });
    services.push(service);
    for (const kid of ['../../../../dev/null', '/dev/null', '..%2f..%2fetc%2fpasswd', '/proc/sys/kernel/randomize_va_space']) {
      await expect(codeOf(service.verify(issuer.token({}, { key: KX, kid })))).resolves.toBe('jwks/no_matching_key');
    }
  });

  it('T-42 an embedded jwk with an attacker kid → jwks/no_matching_key', async () => {
    const { service } = serviceFor(issuer, { tokenCache: false });
    services.push(service);
    const token = issuer.token({}, { key: KX, header: { jwk: KX.jwk } });
    await expect(codeOf(service.verify(token))).resolves.toBe('jwks/no_matching_key');
  });
});
