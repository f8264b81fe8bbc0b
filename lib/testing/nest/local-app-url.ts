import type { AddressInfo } from 'node:net';

/** The URL to reach a server listening on `address`: `localhost` for a wildcard address, brackets for IPv6. */
export function localAppUrl(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
