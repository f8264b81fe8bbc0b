// Security cases T-01..T-56 (test/CASES.md): credential extraction, compact form,
// signature bytes, algorithm and header parameters. Real RSA keys, a real JWKS server on 127.0.0.1.
import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, sign as cryptoSign } from 'node:crypto';
import { RakomiTestIssuer, base64url, type TestSigningKey } from '../../lib/testing/index.js';
import type { TokenService } from '../../lib/token/token.service.js';
import { CLAIM_CANARIES, codeOf, expectNoLeak, failure, serviceFor, startIssuer } from '../support/token-harness.js';

let issuer: RakomiTestIssuer;
let attacker: RakomiTestIssuer;
/** Never warmed: every case that must cost 0 fetches runs here and the hit counter must stay 0. */
let cold: TokenService;
/** Warmed with GOOD: cases that reach the key lookup or the signature. */
let warm: TokenService;
let K1: TestSigningKey;
let KX: TestSigningKey;
let GOOD: string;
let H0: Record<string, unknown>;

beforeAll(async () => {
  issuer = await startIssuer();
  attacker = await startIssuer();
  K1 = issuer.currentKey;
  KX = issuer.createKey({ kid: 'ax-1' });
  attacker.publish(KX);
  H0 = { alg: 'RS256', typ: 'JWT', kid: K1.kid };
  GOOD = issuer.token({ jti: 'jti_abc' });
  cold = serviceFor(issuer, { tokenCache: false }).service;
  warm = serviceFor(issuer, { tokenCache: false }).service;
  await warm.verify(GOOD);
});

afterAll(async () => {
  cold.close();
  warm.close();
  await issuer.close();
  await attacker.close();
});

/** Runs on the cold service and checks that no JWKS request was made and nothing leaked. */
async function coldCode(token: string): Promise<string> {
  const before = issuer.hits;
  const code = await codeOf(cold.verify(token));
  expect(issuer.hits).toBe(before);
  if (code !== 'ok') expectNoLeak(await failure(cold.verify(token)), [token, ...CLAIM_CANARIES]);
  return code;
}

/** Header and payload of GOOD with another header, keeping GOOD's signature. */
function withSegments(token: string, parts: { header?: string; payload?: string; signature?: string }): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  return [parts.header ?? h, parts.payload ?? p, parts.signature ?? s].join('.');
}

/** A header object whose base64url contains '-' or '_' (so its standard-base64 form differs). */
function headerWithUrlChars(): string {
  for (let i = 0; ; i++) {
    const segment = base64url(JSON.stringify({ ...H0, pad: '?'.repeat(i) + '>' }));
    if (/[-_]/.test(segment)) return segment;
  }
}

describe('T-01..T-09 credential extraction', () => {
  it.each([
    ['T-01 no header', undefined],
    ['T-02 empty value', ''],
    ['T-03 scheme only', 'Bearer'],
    ['T-03 scheme and blanks', 'Bearer    '],
    ['T-04 Basic', 'Basic dXNlcjpwYXNz'],
    ['empty array', []],
  ])('%s → token/missing', async (_name, value) => {
    await expect(codeOf(cold.verifyAuthorizationHeader(value as string | string[] | undefined))).resolves.toBe('token/missing');
    expect(issuer.hits).toBe(1);
  });

  it.each([['Token '], ['JWT '], ['Bearer:'], ['']])('T-05 scheme %p + GOOD → token/missing', async (prefix) => {
    await expect(codeOf(cold.verifyAuthorizationHeader(prefix + GOOD))).resolves.toBe('token/missing');
  });

  it.each([
    ['T-06 lower case', (t: string) => `bearer ${t}`],
    ['T-06 upper case', (t: string) => `BEARER ${t}`],
    ['T-07 two spaces', (t: string) => `Bearer  ${t}`],
    ['T-07 tab', (t: string) => `Bearer\t${t}`],
    ['T-07 trailing blanks', (t: string) => `Bearer ${t} \t `],
    ['T-24 leading blanks', (t: string) => ` \tBearer ${t}`],
    ['single-entry array', (t: string) => [`Bearer ${t}`]],
  ])('%s → verified', async (_name, build) => {
    const claims = await warm.verifyAuthorizationHeader(build(GOOD) as string);
    expect(claims.sub).toBe('usr_123');
  });

  it('T-08 two Authorization headers → token/malformed with status 400, 0 fetch', async () => {
    const error = await failure(cold.verifyAuthorizationHeader([`Bearer ${GOOD}`, `Bearer ${GOOD}x`]));
    expect(error.code).toBe('token/malformed');
    expect(error.status).toBe(400);
    expect(issuer.hits).toBe(1);
  });

  it('T-24 verify() takes the bare token: surrounding blanks are not part of a compact JWS', async () => {
    await expect(coldCode(` ${GOOD}`)).resolves.toBe('token/malformed');
    await expect(codeOf(cold.verify(''))).resolves.toBe('token/missing');
  });
});

describe('T-10..T-24 compact structure and encoding (0 fetch)', () => {
  it('T-10 / T-77 a credential over 8192 characters is rejected by the cap before any decoding', async () => {
    // The header is an HS256 header: decoding it would answer token/invalid_algorithm.
    const hs = base64url(JSON.stringify({ alg: 'HS256', kid: 'rk-1' }));
    const huge = `${hs}.${'A'.repeat(9000)}.sig`;
    await expect(coldCode(huge)).resolves.toBe('token/malformed');
    await expect(codeOf(cold.verifyAuthorizationHeader(`Bearer ${huge}`))).resolves.toBe('token/malformed');
    // 8192 characters exactly is within the cap (it then fails on its content).
    let atCap = '';
    for (const signature of ['AA', 'AAA', 'AAAA']) {
      const payloadLength = 8192 - hs.length - 2 - signature.length;
      if (payloadLength % 4 !== 1) atCap = `${hs}.${'A'.repeat(payloadLength)}.${signature}`;
    }
    expect(atCap.length).toBe(8192);
    await expect(coldCode(atCap)).resolves.toBe('token/invalid_algorithm');
  });

  it('T-13 compact JWE with hostile headers → token/malformed quickly, no decompression/PBKDF2', async () => {
    const dir = base64url(JSON.stringify({ alg: 'dir', enc: 'A256GCM', zip: 'DEF', kid: 'rk-1' }));
    const pbes = base64url(JSON.stringify({ alg: 'PBES2-HS512+A256KW', p2c: 2147483647, p2s: 'AAAA', enc: 'A256GCM' }));
    for (const header of [dir, pbes]) {
      const started = performance.now();
      await expect(coldCode(`${header}.AAAA.AAAA.AAAA.AAAA`)).resolves.toBe('token/malformed');
      expect(performance.now() - started).toBeLessThan(50);
    }
  });

  it.each([
    ['T-12 two segments', () => GOOD.split('.').slice(0, 2).join('.')],
    ['T-14 four segments', () => `${GOOD}.x`],
    ['T-14 empty header', () => withSegments(GOOD, { header: '' })],
    ['T-14 empty payload', () => withSegments(GOOD, { payload: '' })],
    ['one segment', () => 'abc'],
    ['only dots', () => '..'],
    ['T-15 header in standard base64', () => withSegments(GOOD, { header: headerWithUrlChars().replace(/-/g, '+').replace(/_/g, '/') })],
    [
      'T-15 header with = padding',
      () => {
        let header = base64url(JSON.stringify(H0));
        while (header.length % 4 === 0) header = base64url(JSON.stringify({ ...H0, p: header.length }));
        return withSegments(GOOD, { header: header + '='.repeat(4 - (header.length % 4)) });
      },
    ],
    [
      'header length 1 (mod 4)',
      () => {
        let header = base64url(JSON.stringify(H0));
        while (header.length % 4 !== 0) header = base64url(JSON.stringify({ ...H0, p: header + 'x' }));
        return withSegments(GOOD, { header: `${header}A` });
      },
    ],
    [
      'header with non-zero trailing bits (re-encoding of the same bytes)',
      () => {
        let header = base64url(JSON.stringify(H0));
        while (header.length % 4 !== 2) header = base64url(JSON.stringify({ ...H0, p: header.length }));
        const last = header[header.length - 1] as string;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const altered = header.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
        expect(Buffer.from(altered, 'base64url')).toEqual(Buffer.from(header, 'base64url'));
        return withSegments(GOOD, { header: altered });
      },
    ],
    ['T-16 header not JSON', () => withSegments(GOOD, { header: base64url('not json') })],
    ['T-17 header []', () => withSegments(GOOD, { header: base64url('[]') })],
    ['T-17 header "RS256"', () => withSegments(GOOD, { header: base64url('"RS256"') })],
    ['T-17 header 1', () => withSegments(GOOD, { header: base64url('1') })],
    ['T-17 header null', () => withSegments(GOOD, { header: base64url('null') })],
    ['header invalid UTF-8', () => withSegments(GOOD, { header: base64url(Buffer.from([0x7b, 0xff, 0x7d])) })],
    ['header with a BOM', () => withSegments(GOOD, { header: base64url(`\ufeff${JSON.stringify(H0)}`) })],
    ['T-20 signature with == appended', () => `${GOOD}==`],
    [
      'T-21 signature with a space',
      () => {
        const [h, p, s] = GOOD.split('.') as [string, string, string];
        return `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`;
      },
    ],
    [
      'T-21 signature with a newline',
      () => {
        const [h, p, s] = GOOD.split('.') as [string, string, string];
        return `${h}.${p}.${s.slice(0, 10)}\n${s.slice(10)}`;
      },
    ],
    [
      'T-20 signature with non-zero trailing bits',
      () => {
        const s = GOOD.split('.')[2] as string;
        expect(s.length % 4).toBe(2);
        return `${GOOD.slice(0, -1)}${s.endsWith('B') ? 'C' : 'B'}`;
      },
    ],
    [
      'T-23 signature in standard base64',
      () => {
        let token = GOOD;
        while (!/[-_]/.test(token.split('.')[2] as string)) token = issuer.token();
        const [h, p, s] = token.split('.') as [string, string, string];
        return `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`;
      },
    ],
  ])('%s → token/malformed', async (_name, build) => {
    await expect(coldCode(build())).resolves.toBe('token/malformed');
  });

  it('T-19 a validly signed payload that is not a JSON object → token/malformed (not invalid_signature)', async () => {
    for (const payload of [Buffer.from('hello'), Buffer.from('[1]'), Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from('null')]) {
      const token = issuer.signJws(H0, payload);
      await expect(codeOf(warm.verify(token))).resolves.toBe('token/malformed');
    }
  });

  it('a payload segment with non-canonical trailing bits is rejected even when signed over that text', async () => {
    let payload = '';
    for (let i = 0; payload.length % 4 !== 2; i++) payload = base64url(JSON.stringify(issuer.claims({ pad: 'x'.repeat(i) })));
    const altered = payload.slice(0, -1) + (payload.endsWith('B') ? 'C' : 'B');
    const header = base64url(JSON.stringify(H0));
    const forged = `${header}.${altered}.${issuer.jwsSignature(`${header}.${altered}`)}`;
    await expect(coldCode(forged)).resolves.toBe('token/malformed');
  });
});

describe('T-25..T-29 signature', () => {
  const signatureCases: [string, () => string][] = [
    ['T-25 empty signature', () => withSegments(GOOD, { signature: '' })],
    [
      'T-26 truncated by 10 characters',
      () => {
        const s = GOOD.split('.')[2] as string;
        return withSegments(GOOD, { signature: s.slice(0, -10) });
      },
    ],
    ['T-26 512 random bytes', () => withSegments(GOOD, { signature: randomBytes(512).toString('base64url') })],
    ['T-26 256 zero bytes', () => withSegments(GOOD, { signature: Buffer.alloc(256).toString('base64url') })],
    ['T-26 255 bytes', () => withSegments(GOOD, { signature: randomBytes(255).toString('base64url') })],
    ['T-27 signed by KX with kid rk-1', () => issuer.token({}, { key: KX, kid: 'rk-1' })],
    ['T-28 payload replaced', () => withSegments(GOOD, { payload: base64url(JSON.stringify(issuer.claims({ sub: 'usr_admin' }))) })],
    ['T-29 header replaced', () => withSegments(GOOD, { header: base64url(JSON.stringify({ ...H0, x: 1 })) })],
  ];
  it.each(signatureCases)('%s → token/invalid_signature', async (_name, build) => {
    const token = build();
    const error = await failure(warm.verify(token));
    expect(error.code).toBe('token/invalid_signature');
    expectNoLeak(error, [token, ...CLAIM_CANARIES]);
  });
});

describe('T-30..T-40 algorithm (token/invalid_algorithm, 0 fetch)', () => {
  const pem = () => K1.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const hs = (alg: string, key: string | Buffer) =>
    issuer.signJws({ alg, typ: 'JWT', kid: 'rk-1' }, issuer.claims(), { alg: 'HS256', hmacKey: key });
  const hmacWith = (alg: string, hash: string, key: string | Buffer) => {
    const input = `${base64url(JSON.stringify({ alg, kid: 'rk-1' }))}.${base64url(JSON.stringify(issuer.claims()))}`;
    return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
  };

  const cases: [string, () => string][] = [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, () => string] => [
      `T-30 alg ${alg}`,
      () => issuer.signJws({ alg, kid: 'rk-1' }, issuer.claims(), { alg: 'none' }),
    ]),
    [
      'T-30 none with a signature',
      () => `${issuer.signJws({ alg: 'none', kid: 'rk-1' }, issuer.claims(), { alg: 'none' })}${randomBytes(256).toString('base64url')}`,
    ],
    ['T-31 HS256 keyed with the PEM', () => hs('HS256', pem())],
    ['T-31 HS256 keyed with the PEM without newline', () => hs('HS256', pem().trimEnd())],
    ['T-31 HS256 keyed with "\\n" + PEM', () => hs('HS256', `\n${pem()}`)],
    ['T-31 HS256 keyed with PKCS#1 PEM', () => hs('HS256', K1.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string)],
    ['T-31 HS256 keyed with the JWK text', () => hs('HS256', JSON.stringify(K1.jwk))],
    ['T-31 HS256 keyed with the JWKS text', () => hs('HS256', JSON.stringify(issuer.jwks))],
    ['T-31 HS256 keyed with DER', () => hs('HS256', K1.publicKey.export({ type: 'spki', format: 'der' }))],
    ['T-31 HS256 keyed with the modulus', () => hs('HS256', Buffer.from(K1.jwk.n as string, 'base64url'))],
    ['T-32 HS256 with an empty secret', () => hs('HS256', '')],
    ['T-32 HS256 with "secret"', () => hs('HS256', 'secret')],
    ['T-32 HS256 with "null"', () => hs('HS256', 'null')],
    ['T-33 HS384 keyed with the PEM', () => hmacWith('HS384', 'sha384', pem())],
    ['T-33 HS512 keyed with the PEM', () => hmacWith('HS512', 'sha512', pem())],
    [
      'T-35 ES256 psychic signature',
      () => `${issuer.signJws({ alg: 'ES256', kid: 'rk-1' }, issuer.claims(), { alg: 'none' })}${Buffer.alloc(64).toString('base64url')}`,
    ],
    [
      'T-35 ES256 validly signed by an EC key',
      () => {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const input = `${base64url(JSON.stringify({ alg: 'ES256', kid: 'rk-1' }))}.${base64url(JSON.stringify(issuer.claims()))}`;
        return `${input}.${cryptoSign('sha256', Buffer.from(input), { key: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })), dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
      },
    ],
    ...['EdDSA', 'Ed25519', 'ES256K', 'ML-DSA-65', 'RSA-OAEP', 'PS256', 'RS512', 'RS384'].map((alg): [string, () => string] => [
      `T-36 alg ${alg}`,
      () => issuer.token({}, { header: { alg } }),
    ]),
    ...['rs256', 'Rs256', 'RS256 ', ' RS256', 'RS256\u0000', 'R\u0405256', 'RS2560'].map((alg): [string, () => string] => [
      `T-37 alg ${JSON.stringify(alg)}`,
      () => issuer.token({}, { header: { alg } }),
    ]),
    ['T-40 duplicate alg, last is none (signed by K1)', () => issuer.signJws('{"alg":"RS256","alg":"none","kid":"rk-1"}', issuer.claims())],
    [
      'T-75 HS256 with an unknown kid',
      () => issuer.signJws({ alg: 'HS256', kid: 'rk-999' }, issuer.claims(), { alg: 'HS256', hmacKey: '' }),
    ],
    [
      'T-46 HS256 with a path-traversal kid',
      () => issuer.signJws({ alg: 'HS256', kid: '../../../../dev/null' }, issuer.claims(), { alg: 'HS256', hmacKey: '' }),
    ],
  ];

  it.each(cases)('%s → token/invalid_algorithm', async (_name, build) => {
    await expect(coldCode(build())).resolves.toBe('token/invalid_algorithm');
  });

  it.each([
    ['T-38 alg missing', { alg: undefined }],
    ['T-38 alg null', { alg: null }],
    ['T-38 alg ""', { alg: '' }],
    ['T-39 alg ["RS256"]', { alg: ['RS256'] }],
    ['T-39 alg {"RS256":1}', { alg: { RS256: 1 } }],
    ['T-39 alg 256', { alg: 256 }],
  ])('%s → token/malformed', async (_name, header) => {
    await expect(coldCode(issuer.token({}, { header }))).resolves.toBe('token/malformed');
  });

  it('T-40 duplicate alg, last is RS256 (signed by K1) → verified like JSON.parse reads it', async () => {
    const token = issuer.signJws('{"alg":"none","alg":"RS256","kid":"rk-1"}', issuer.claims());
    await expect(codeOf(warm.verify(token))).resolves.toBe('ok');
  });
});

describe('T-42..T-56 key-selection header parameters', () => {
  it('T-42 an embedded jwk is ignored', async () => {
    const header = { jwk: KX.jwk };
    await expect(codeOf(warm.verify(issuer.token({}, { key: KX, kid: 'rk-1', header })))).resolves.toBe('token/invalid_signature');
  });

  it.each(['jku', 'x5u'])('T-43/T-44 %s pointing at the attacker is never fetched', async (member) => {
    const before = issuer.hits;
    for (const target of [
      attacker.jwksUrl,
      'http://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
      `${issuer.url}.attacker.test/jwks.json`,
    ]) {
      const header = { [member]: target };
      await expect(codeOf(warm.verify(issuer.token({}, { key: KX, kid: 'rk-1', header })))).resolves.toBe('token/invalid_signature');
    }
    expect(attacker.hits).toBe(0);
    expect(issuer.hits).toBe(before);
  });

  it('T-45 x5c / x5t are ignored', async () => {
    const header = { x5c: [base64url('not a certificate')], x5t: 'abc', 'x5t#S256': 'def' };
    await expect(codeOf(warm.verify(issuer.token({}, { key: KX, kid: 'rk-1', header })))).resolves.toBe('token/invalid_signature');
    await expect(codeOf(warm.verify(issuer.token({}, { header })))).resolves.toBe('ok');
  });

  it('T-51 kid differing in case → jwks/no_matching_key (exact match)', async () => {
    await expect(codeOf(warm.verify(issuer.token({}, { kid: 'RK-1' })))).resolves.toBe('jwks/no_matching_key');
  });

  it.each([
    ['T-48 kid of 300 characters', 'k'.repeat(300)],
    ['T-48 kid of 10 000 characters', 'k'.repeat(10_000)],
    ['T-48 kid with CRLF', 'rk-1\r\n'],
    ['T-48 kid with NUL', 'rk\u00001'],
    ['T-48 kid with a control character', 'rk\u001b1'],
    ['T-48 kid with DEL', 'rk\u007f1'],
    ['T-48 kid with non-ASCII', 'rk-\u00e91'],
    ['T-48 empty kid', ''],
    ['T-48 kid 1', 1],
    ['T-48 kid {}', {}],
    ['T-48 kid []', []],
    ['T-48 kid null', null],
    ['T-48 kid true', true],
    ['T-49 kid absent', undefined],
  ])('%s → token/malformed, 0 fetch', async (_name, kid) => {
    await expect(coldCode(issuer.token({}, { header: { kid } }))).resolves.toBe('token/malformed');
  });

  it('T-48 a kid of 256 printable characters is accepted as a shape', async () => {
    await expect(codeOf(warm.verify(issuer.token({}, { kid: ' ~'.repeat(128) })))).resolves.toBe('jwks/no_matching_key');
  });

  it.each([
    ['T-52 crit ["foo"] with foo', { crit: ['foo'], foo: 1 }],
    ['T-52 crit []', { crit: [] }],
    ['T-52 crit "foo"', { crit: 'foo' }],
    ['T-52 crit ["exp"]', { crit: ['exp'] }],
    ['T-52 crit naming an absent member', { crit: ['bar'] }],
    ['T-52 crit ["b64"] with b64 false', { crit: ['b64'], b64: false }],
    ['T-52 crit null', { crit: null }],
    ['T-55 cty JWT', { cty: 'JWT' }],
    ['T-55 cty null', { cty: null }],
  ])('%s, validly signed → token/malformed', async (_name, header) => {
    await expect(coldCode(issuer.token({}, { header }))).resolves.toBe('token/malformed');
  });

  it('T-56 unknown non-critical header members are ignored', async () => {
    await expect(codeOf(warm.verify(issuer.token({}, { header: { foo: 'bar', typ: 'at+jwt' } })))).resolves.toBe('ok');
  });
});

describe('a protected header already accepted in another token', () => {
  it('is no shortcut for a token whose other segments are bad', async () => {
    const [header, payload, signature] = GOOD.split('.') as [string, string, string];
    await expect(coldCode(`${header}.${payload}x.${signature}`)).resolves.toBe('token/malformed');
    await expect(coldCode(`${header}.${payload}.${signature}=`)).resolves.toBe('token/malformed');
    await expect(coldCode(`${header}.${payload}`)).resolves.toBe('token/malformed');
    await expect(codeOf(warm.verify(`${header}.${payload}.${signature.slice(0, -4)}AAAA`))).resolves.toBe('token/invalid_signature');
  });

  it('a bad header fails the same way every time', async () => {
    const hs256 = issuer.token({}, { header: { alg: 'HS256' } });
    const badKid = issuer.token({}, { header: { kid: '' } });
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(coldCode(hs256)).resolves.toBe('token/invalid_algorithm');
      await expect(coldCode(badKid)).resolves.toBe('token/malformed');
    }
  });

  it('40 distinct headers are each checked and verified on their own', async () => {
    for (let i = 0; i < 40; i++) {
      const token = issuer.token({}, { header: { n: i } });
      await expect(codeOf(warm.verify(token))).resolves.toBe('ok');
      await expect(coldCode(issuer.token({}, { header: { n: i, alg: 'RS512' } }))).resolves.toBe('token/invalid_algorithm');
    }
    await expect(codeOf(warm.verify(GOOD))).resolves.toBe('ok');
  });
});
