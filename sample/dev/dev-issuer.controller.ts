import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Public } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';

/** Development only (mounted with the embedded local issuer): mints tokens and signed webhooks. */
@Controller('dev')
export class DevIssuerController {
  constructor(@Inject(RakomiTestIssuer) private readonly issuer: RakomiTestIssuer) {}

  /** A fresh access token, valid for an hour, as plain text. */
  @Public()
  @Get('token')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  token(): string {
    return mintSampleToken(this.issuer);
  }

  /** A freshly signed webhook delivery: the exact body and the `X-Rakomi-*` headers. */
  @Public()
  @Get('webhook')
  webhook(): { body: string; headers: Record<string, string> } {
    return signSampleWebhook(this.issuer);
  }
}

/** A token for the sample user, valid for an hour. */
export function mintSampleToken(issuer: RakomiTestIssuer): string {
  const exp = Math.floor(issuer.now() / 1000) + 3_600;
  return issuer.token({ exp, email: 'ada@example.com', sub: 'usr_sample' });
}

/** A `user.created` webhook signed like Rakomi signs it (valid for five minutes). */
export function signSampleWebhook(issuer: RakomiTestIssuer): { body: string; headers: Record<string, string> } {
  return issuer.signWebhook({ type: 'user.created', data: { id: 'usr_sample', email: 'ada@example.com' } });
}
