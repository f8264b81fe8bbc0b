export { RakomiLocalModule, type RakomiLocalModuleOptions } from './rakomi-local.module.js';
export { useRakomiTestIssuer, type ProviderOverridingBuilder } from './use-rakomi-test-issuer.js';
