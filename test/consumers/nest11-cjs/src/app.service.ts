import { Injectable } from '@nestjs/common';
import type { RakomiClaims } from '@rakomi/nestjs';

@Injectable()
export class AppService {
  getHello(): string {
    return 'Hello World!';
  }

  greet(user: RakomiClaims): string {
    return `Hello ${user.sub}!`;
  }
}
