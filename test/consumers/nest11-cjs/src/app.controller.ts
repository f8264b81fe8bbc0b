import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Public } from '@rakomi/nestjs';
import type { RakomiClaims } from '@rakomi/nestjs';
import { AppService } from './app.service';

@Controller()
export class AppController {
  constructor(private readonly appService: AppService) {}

  @Public()
  @Get()
  getHello(): string {
    return this.appService.getHello();
  }

  @Get('me')
  me(@CurrentUser() user: RakomiClaims): { greeting: string; sub: string } {
    return { greeting: this.appService.greet(user), sub: user.sub };
  }
}
