import { RAKOMI_MODULE_OPTIONS } from '../../nest/rakomi.constants.js';
import type { RakomiModuleOptions } from '../../options/rakomi-options.interface.js';
import type { RakomiTestIssuer } from '../rakomi-test-issuer.js';

/** What `Test.createTestingModule()` returns, as far as {@link useRakomiTestIssuer} needs it. */
export interface ProviderOverridingBuilder<B> {
  overrideProvider(token: unknown): { useValue(value: unknown): B };
}

/**
 * Points your real `AppModule` at a local issuer in tests: replaces the options of every
 * `RakomiModule.forRoot()` / `forRootAsync()` of the app by `issuer.moduleOptions(overrides)`, so
 * no API key, no environment and no network are needed (an async options factory is not called).
 *
 * @example
 * const moduleRef = await useRakomiTestIssuer(Test.createTestingModule({ imports: [AppModule] }), issuer).compile();
 */
export function useRakomiTestIssuer<B extends ProviderOverridingBuilder<B>>(
  builder: B,
  issuer: RakomiTestIssuer,
  overrides: Partial<RakomiModuleOptions> = {},
): B {
  return builder.overrideProvider(RAKOMI_MODULE_OPTIONS).useValue(issuer.moduleOptions(overrides));
}
