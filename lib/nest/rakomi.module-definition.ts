import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RakomiModuleOptions } from '../options/rakomi-options.interface.js';
import { RAKOMI_MODULE_OPTIONS } from './rakomi.constants.js';

/** Options the module accepts on top of the core's: `isGlobal` registers it as a global module. */
export interface RakomiModuleExtras {
  /** Make `TokenService`, `WebhookService` and `RakomiClient` injectable everywhere. @default false */
  isGlobal?: boolean;
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
  }))
  .build();

/** Argument of `RakomiModule.forRoot()`: the core options plus `isGlobal`. */
export type RakomiModuleForRootOptions = typeof RAKOMI_OPTIONS_TYPE;

/** Argument of `RakomiModule.forRootAsync()`: `imports`, `inject`, `useFactory` | `useClass` | `useExisting`, `isGlobal`. */
export type RakomiModuleAsyncOptions = typeof RAKOMI_ASYNC_OPTIONS_TYPE;
