import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RakomiModuleOptions } from '../options/rakomi-options.interface.js';
import { RAKOMI_ACCESS_OPTIONS } from './access/access.constants.js';
import { RAKOMI_MODULE_OPTIONS } from './rakomi.constants.js';

/** Options the module accepts on top of the core's: `isGlobal` registers it as a global module. */
export interface RakomiModuleExtras {
  /** Make `TokenService`, `WebhookService` and `RakomiClient` injectable everywhere. @default false */
  isGlobal?: boolean;
  /**
   * Binds every guarded route with this route param (e.g. `'tenantId'` for `/tenants/:tenantId/...`) to the
   * token's `tenant_id` (403 `access/tenant_mismatch` otherwise). See "Authorization" in the README.
   */
  tenantParam?: string;
}

export const {
  ConfigurableModuleClass: RakomiConfigurableModuleClass,
  OPTIONS_TYPE: RAKOMI_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RAKOMI_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RakomiModuleOptions>({ optionsInjectionToken: RAKOMI_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRakomiOptions')
  .setExtras<RakomiModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
    // Authorization (issue 13): the module-wide tenant binding, read by RakomiAccessPolicy.
    providers: [...(definition.providers ?? []), { provide: RAKOMI_ACCESS_OPTIONS, useValue: { tenantParam: extras.tenantParam } }],
  }))
  .build();

/** Argument of `RakomiModule.forRoot()`: the core options plus `isGlobal`. */
export type RakomiModuleForRootOptions = typeof RAKOMI_OPTIONS_TYPE;

/** Argument of `RakomiModule.forRootAsync()`: `imports`, `inject`, `useFactory` | `useClass` | `useExisting`, `isGlobal`. */
export type RakomiModuleAsyncOptions = typeof RAKOMI_ASYNC_OPTIONS_TYPE;
