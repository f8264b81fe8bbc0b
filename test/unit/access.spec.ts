import {
  RakomiAccessPolicy,
  RequireClaims,
  TenantScoped,
  checkAccess,
  type AccessRequirements,
  type ClaimMatch,
  type RakomiClaims,
  type TenantBinding,
} from '@rakomi/nestjs';
import '../support/custom-claims.js'; // roles, permissions, email_verified, plan

const base: RakomiClaims = Object.freeze({
  sub: 'usr_1',
  tenant_id: 'ten_a',
  email: 'a@example.com',
  sid: 'ses_1',
  iss: 'https://rakomi.com',
  aud: 'api',
  exp: 2,
  iat: 1,
  jti: 'jti_1',
});
const claims = (extra: Record<string, unknown> = {}): RakomiClaims => Object.freeze({ ...base, ...extra });
const source =
  (values: Record<string, unknown>) =>
  (binding: TenantBinding): unknown =>
    values[Object.values(binding)[0] as string];
const none = source({});
const require = (...requirements: AccessRequirements['claims']): AccessRequirements => ({ tenant: [], claims: requirements });

describe('checkAccess', () => {
  const byParam: AccessRequirements = { tenant: [{ param: 'tenantId' }], claims: [] };

  it('grants a tenant binding only to the exact tenant_id string', () => {
    expect(checkAccess(base, byParam, source({ tenantId: 'ten_a' }))).toBeUndefined();
    for (const named of [
      'ten_b',
      'TEN_A',
      'ten_a ',
      ' ten_a',
      'ten_a\u0000',
      ['ten_a'],
      ['ten_a', 'ten_a'],
      { 0: 'ten_a' },
      undefined,
      null,
      '',
    ]) {
      expect(checkAccess(base, byParam, source({ tenantId: named }))).toBe('access/tenant_mismatch');
    }
  });

  it('requires every binding, and checks tenants before claims', () => {
    const both: AccessRequirements = { tenant: [{ param: 'tenantId' }, { header: 'x-tenant-id' }], claims: [{ roles: 'admin' }] };
    expect(checkAccess(base, both, source({ tenantId: 'ten_a', 'x-tenant-id': 'ten_b' }))).toBe('access/tenant_mismatch');
    expect(checkAccess(base, both, source({ tenantId: 'ten_a', 'x-tenant-id': 'ten_a' }))).toBe('access/insufficient_claims');
    expect(checkAccess(claims({ roles: ['admin'] }), both, source({ tenantId: 'ten_a', 'x-tenant-id': 'ten_a' }))).toBeUndefined();
  });

  it('matches scalar claims exactly, without coercion', () => {
    expect(checkAccess(claims({ email_verified: true }), require({ email_verified: true }), none)).toBeUndefined();
    for (const value of ['true', 1, false, null, [true]]) {
      const expected = Array.isArray(value) ? undefined : 'access/insufficient_claims';
      expect(checkAccess(claims({ email_verified: value }), require({ email_verified: true }), none)).toBe(expected);
    }
    expect(checkAccess(claims({ level: 1 }), require({ level: '1' }), none)).toBe('access/insufficient_claims');
  });

  it('matches array claims by inclusion; a list must be included entirely', () => {
    const writer = require({ permissions: ['read', 'write'] });
    expect(checkAccess(claims({ permissions: ['write', 'x', 'read'] }), writer, none)).toBeUndefined();
    expect(checkAccess(claims({ permissions: ['read'] }), writer, none)).toBe('access/insufficient_claims');
    expect(checkAccess(claims({ permissions: 'read write' }), writer, none)).toBe('access/insufficient_claims');
    expect(checkAccess(claims({ roles: [['admin']] }), require({ roles: 'admin' }), none)).toBe('access/insufficient_claims');
  });

  it('never reads a claim from the prototype chain', () => {
    expect(checkAccess(base, require({ toString: 'x' }), none)).toBe('access/insufficient_claims');
    expect(checkAccess(base, require({ constructor: 'Object' }), none)).toBe('access/insufficient_claims');
  });

  it('combines requirements with AND; a predicate must return exactly true', () => {
    expect(
      checkAccess(
        claims({ roles: ['a'] }),
        require({ roles: 'a' }, () => true),
        none,
      ),
    ).toBeUndefined();
    expect(
      checkAccess(
        claims({ roles: ['a'] }),
        require({ roles: 'a' }, () => false),
        none,
      ),
    ).toBe('access/insufficient_claims');
    const truthy = (() => 'yes') as unknown as () => boolean;
    expect(checkAccess(base, require(truthy), none)).toBe('access/insufficient_claims');
  });

  it("lets a predicate's own error through (a bug in the app, not a refusal)", () => {
    const broken = (c: RakomiClaims): boolean => (c.org as { id: string }).id === 'x';
    expect(() => checkAccess(base, require(broken), none)).toThrow(TypeError);
  });
});

describe('decorators', () => {
  it.each([
    [{}],
    [null],
    [{ param: 'tenantId', header: 'x-tenant-id' }],
    [{ param: 'tenant-id' }],
    [{ param: '' }],
    [{ header: 'x tenant' }],
    [{ query: '' }],
    [{ cookie: 'tenant' }],
    [{ param: 42 }],
  ])('@TenantScoped(%j) is refused when the class is defined', (binding) => {
    expect(() => TenantScoped(binding as TenantBinding)).toThrow(TypeError);
  });

  it.each([[{}], [{ roles: [] }], [{ roles: { admin: true } }], [{ level: Number.NaN }], [{ roles: [null] }], [null]])(
    '@RequireClaims(%j) is refused when the class is defined',
    (requirement) => {
      expect(() => RequireClaims(requirement as ClaimMatch)).toThrow(TypeError);
    },
  );

  it('@RequireClaims() with no requirement is refused', () => {
    expect(() => RequireClaims()).toThrow(TypeError);
  });

  it('stacked, controller, handler and inherited requirements all apply, controller first', () => {
    const isOwner = (c: RakomiClaims): boolean => c.roles?.includes('owner') === true;

    @RequireClaims({ email_verified: true })
    @TenantScoped({ param: 'tenantId' })
    class Parent {
      @RequireClaims({ roles: 'admin' })
      @RequireClaims(isOwner)
      @TenantScoped({ header: 'X-Tenant-Id' })
      handle(): void {}
    }
    @RequireClaims({ plan: 'pro' })
    class Child extends Parent {}

    const policy = new RakomiAccessPolicy();
    const requirements = policy.requirementsOf(Child, Parent.prototype.handle);
    expect(requirements.tenant).toStrictEqual([{ param: 'tenantId' }, { header: 'x-tenant-id' }]);
    expect(requirements.claims).toStrictEqual([{ email_verified: true }, { plan: 'pro' }, isOwner, { roles: 'admin' }]);
    expect(policy.requirementsOf(Parent, Parent.prototype.handle).claims).toHaveLength(3);
  });

  it('type-checks requirements against RakomiClaims and its merged custom claims', () => {
    RequireClaims({ email_verified: true }, { roles: 'admin' }, { roles: ['admin', 'owner'] }, { plan: 'pro' });
    RequireClaims({ sub: 'usr_1', custom_unknown_claim: 3 }, (c) => c.permissions?.includes('x') === true);
    // @ts-expect-error email_verified is a boolean claim
    RequireClaims({ email_verified: 'true' });
    // @ts-expect-error plan is 'free' | 'pro'
    RequireClaims({ plan: 'gold' });
    // @ts-expect-error roles holds strings
    RequireClaims({ roles: 1 });
    // @ts-expect-error a predicate returns a boolean
    RequireClaims((c) => c.roles);
    // @ts-expect-error one source per binding (refused at run time too)
    expect(() => TenantScoped({ param: 'tenantId', header: 'x-tenant-id' })).toThrow(TypeError);
    // A custom claims type without declaration merging:
    RequireClaims<{ scope: string; groups: string[] }>({ scope: 'read', groups: 'staff' });
    // @ts-expect-error groups holds strings
    RequireClaims<{ scope: string; groups: string[] }>({ groups: true });
  });
});
