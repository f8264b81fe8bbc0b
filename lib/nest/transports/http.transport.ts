import type { ArgumentsHost } from '@nestjs/common';
import { authorizationHeaders } from '../utils/http-request.util.js';
import type { AuthTransport } from './auth-transport.interface.js';

/** `switchToHttp().getRequest()` without the intermediate object (the guard's hot path). */
function request(host: ArgumentsHost): object {
  return host.getArgByIndex<object>(0);
}

/** HTTP (Express, Fastify): every `Authorization` header; claims on the request; the filter answers. */
export const httpTransport: AuthTransport = {
  claimsHolder: request,
  credentials: (_context, request) => authorizationHeaders(request),
  refuse(error) {
    throw error;
  },
};
