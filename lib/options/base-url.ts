import { RakomiError } from '../errors/rakomi.error.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks `baseUrl` and returns it without a trailing slash: `https`, or `http` on a loopback
 * host; no credentials, query or fragment; no surrounding whitespace.
 * @throws RakomiError `config/invalid_base_url` (never echoing the value)
 */
export function normaliseBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || value !== value.trim() || value === '') {
    throw new RakomiError('config/invalid_base_url');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RakomiError('config/invalid_base_url');
  }
  const secure = url.protocol === 'https:';
  const loopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  const hasExtras = url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';
  const literalExtras = /[?#@]/.test(value);
  if ((!secure && !loopback) || url.hostname === '' || hasExtras || literalExtras) {
    throw new RakomiError('config/invalid_base_url');
  }
  if (!/^https?:\/\/[^/]/.test(value)) throw new RakomiError('config/invalid_base_url');
  return url.href.replace(/\/+$/, '');
}
