import type { RakomiModuleOptions } from '../../options/rakomi-options.interface.js';

/**
 * A class that builds the options, for `RakomiModule.forRootAsync({ useClass })` or `useExisting`.
 *
 * @example
 * @Injectable()
 * class RakomiConfig implements RakomiOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createRakomiOptions(): RakomiModuleOptions {
 *     return { apiKey: this.config.getOrThrow('RAKOMI_API_KEY') };
 *   }
 * }
 */
export interface RakomiOptionsFactory {
  createRakomiOptions(): RakomiModuleOptions | Promise<RakomiModuleOptions>;
}
