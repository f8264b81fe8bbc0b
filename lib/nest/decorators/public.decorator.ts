import { SetMetadata, type CustomDecorator } from '@nestjs/common';
import { RAKOMI_PUBLIC_METADATA } from '../rakomi.constants.js';

/**
 * Opts a route, or every route of a controller, out of `RakomiAuthGuard` (no bearer token asked).
 *
 * @example
 * @Public()
 * @Get('health')
 * health() { return 'ok' }
 */
export function Public(): CustomDecorator<string> {
  return SetMetadata(RAKOMI_PUBLIC_METADATA, true);
}
