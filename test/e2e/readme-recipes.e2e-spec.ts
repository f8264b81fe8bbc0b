// The README's "Use it in your app" and "Test your own routes" recipes, run as written, so the docs cannot rot.
import { Controller, Get, HttpCode, Module, Post, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CurrentUser,
  Public,
  RakomiAuthGuard,
  RakomiModule,
  RakomiWebhook,
  WebhookEvent,
  type RakomiClaims,
  type RakomiWebhookEvent,
} from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import request from 'supertest';

const received: RakomiWebhookEvent[] = [];

@Controller('me')
@UseGuards(RakomiAuthGuard)
class MeController {
  @Get() me(@CurrentUser() user: RakomiClaims) { return user; }
  @Get('email') email(@CurrentUser('email') email: string) { return { email }; }
}

@Public()
@Controller('health')
class HealthController { @Get() health() { return { status: 'ok' }; } }

@Controller('webhooks')
class WebhooksController {
  @RakomiWebhook()
  @Post('rakomi')
  @HttpCode(204)
  receive(@WebhookEvent() event: RakomiWebhookEvent<{ type: string }>) {
    received.push(event);
  }
}

@Module({ controllers: [MeController, HealthController, WebhooksController] })
class UsersModule {}

describe('README recipe: test your own routes with the local issuer', () => {
  it('runs as written', async () => {
    const issuer = await RakomiTestIssuer.start();
    const moduleRef = await Test.createTestingModule({
      imports: [RakomiModule.forRoot({ ...issuer.moduleOptions(), isGlobal: true }), UsersModule],
    }).compile();
    const app = moduleRef.createNestApplication({ rawBody: true, logger: false });
    await app.init();

    await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${issuer.token({ sub: 'usr_1' })}`).expect(200);
    await request(app.getHttpServer()).get('/me/email').set('Authorization', `Bearer ${issuer.token()}`).expect(200, { email: 'alice@example.com' });
    await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${issuer.badToken('expired')}`).expect(401);
    await request(app.getHttpServer()).get('/health').expect(200);

    const { body, headers } = issuer.signWebhook({ type: 'user.created', data: { id: 'usr_1' } });
    await request(app.getHttpServer()).post('/webhooks/rakomi')
      .set(headers).set('Content-Type', 'application/json').send(body)
      .expect(204);
    expect(received.map((event) => event.payload)).toEqual([{ type: 'user.created', data: { id: 'usr_1' } }]);

    await app.close();
    await issuer.close();
  });
});
