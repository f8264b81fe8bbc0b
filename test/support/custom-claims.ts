// Custom claims typed by declaration merging, the way an app does it: `@RequireClaims()` on them is
// type-checked (`npm run typecheck`; test/unit/access.spec.ts holds the @ts-expect-error cases).
declare module '@rakomi/nestjs' {
  interface RakomiClaims {
    roles?: readonly string[];
    permissions?: readonly string[];
    email_verified?: boolean;
    plan?: 'free' | 'pro';
  }
}

export {};
