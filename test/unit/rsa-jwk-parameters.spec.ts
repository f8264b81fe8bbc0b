// Issue 10 item 1: which RSA public parameters a JWK may carry before it is even imported.
import { rsaParameterProblem } from '../../lib/jwks/rsa-jwk-parameters.js';
import { randomModulus } from '../support/forged-rsa.js';

const n = randomModulus(2048).toString('base64url');
const b64 = (bytes: number[]): string => Buffer.from(bytes).toString('base64url');

describe('rsaParameterProblem', () => {
  it.each([
    ['65537', 'AQAB'],
    ['65539', b64([1, 0, 3])],
    ['2^255 + 1', b64([0x80, ...Array(30).fill(0), 1])],
    ['2^256 − 1', b64(Array(32).fill(0xff))],
  ])('accepts e = %s', (_name, e) => {
    expect(rsaParameterProblem({ kty: 'RSA', n, e })).toBeUndefined();
  });

  it.each([
    ['1', 'AQ', 'bad_exponent'],
    ['3', 'Aw', 'bad_exponent'],
    ['65535', b64([0xff, 0xff]), 'bad_exponent'],
    ['65536 (even)', b64([1, 0, 0]), 'bad_exponent'],
    ['2^256 + 1', b64([1, ...Array(31).fill(0), 1]), 'bad_exponent'],
    ['65537 with a leading zero', 'AAEAAQ', 'non_canonical'],
    ['1 with a leading zero', 'AAAB', 'non_canonical'],
    ['padding', 'AQAB=', 'non_canonical'],
    ['standard base64 alphabet', 'AQ+B', 'non_canonical'],
    ['non-zero trailing bits', 'AR', 'non_canonical'],
    ['empty', '', 'non_canonical'],
    ['a number, not a string', 65537, 'non_canonical'],
    ['missing', undefined, 'non_canonical'],
  ])('refuses e = %s → %s', (_name, e, problem) => {
    expect(rsaParameterProblem({ kty: 'RSA', n, e })).toBe(problem);
  });

  it.each([
    [
      'an even modulus',
      () => {
        const m = randomModulus(2048);
        m[m.length - 1]! &= 0xfe;
        return m.toString('base64url');
      },
      'bad_modulus',
    ],
    ['a modulus over 8192 bits', () => randomModulus(8200).toString('base64url'), 'bad_modulus'],
    [
      'a modulus with a leading zero octet',
      () => Buffer.concat([Buffer.alloc(1), randomModulus(2048)]).toString('base64url'),
      'non_canonical',
    ],
    ['a modulus with whitespace', () => `${n.slice(0, 10)} ${n.slice(10)}`, 'non_canonical'],
  ])('refuses %s → %s', (_name, modulus, problem) => {
    expect(rsaParameterProblem({ kty: 'RSA', n: modulus(), e: 'AQAB' })).toBe(problem);
  });
});
