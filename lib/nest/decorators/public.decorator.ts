import { SetMetadata, type CustomDecorator } from '@nestjs/common';
import { RAKOMI_PUBLIC_METADATA } from '../rakomi.constants.js';

/**
 * Opts a route, or every route of a controller, out of `RakomiAuthGuard` (no bearer token asked).
 * `@Public(false)` on a handler re-protects it inside a `@Public()` controller.
 *
 * Precedence, first match wins: the handler's own `@Public(…)`; then a `@UseGuards(RakomiAuthGuard)`
 * on the handler (protected: an explicit guard is never silently disabled); then the controller's
 * `@Public(…)`; otherwise protected.
 *
 * @example
 * @Public()
 * @Controller('docs')
 * class DocsController {
 *   @Get() index() { return 'open' }
 *   @Public(false) @Get('drafts') drafts() { return 'needs a token' }
 * }
 */
export function Public(isPublic = true): CustomDecorator<string> {
  return SetMetadata(RAKOMI_PUBLIC_METADATA, isPublic);
}
