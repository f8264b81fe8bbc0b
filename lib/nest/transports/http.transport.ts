import type { ArgumentsHost } from '@nestjs/common';
import { authorizationHeaders } from '../utils/http-request.util.js';
import type { AuthTransport } from './auth-transport.interface.js';

function request(host: ArgumentsHost): object {
  return host.switchToHttp().getRequest<object>();
}

/** HTTP (Express, Fastify): every `Authorization` header; claims on the request; the filter answers. */
export const httpTransport: AuthTransport = {
  credentials: (context) => authorizationHeaders(request(context)),
  claimsHolder: request,
  refuse(error) {
    throw error;
  },
};
