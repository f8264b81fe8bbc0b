import { Controller, Get } from '@nestjs/common';
import { CurrentUser, type RakomiClaims } from '@rakomi/nestjs';

/** Guarded by the global RakomiAuthGuard: a valid Rakomi access token is required. */
@Controller('me')
export class MeController {
  @Get()
  me(@CurrentUser() user: RakomiClaims): RakomiClaims {
    return user;
  }

  @Get('email')
  email(@CurrentUser('email') email: string): { email: string } {
    return { email };
  }
}
