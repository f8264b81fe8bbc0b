import { Controller, Get } from '@nestjs/common';
import { Public } from '@rakomi/nestjs';

@Controller('health')
export class HealthController {
  /** Public: answers without a token. */
  @Public()
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
