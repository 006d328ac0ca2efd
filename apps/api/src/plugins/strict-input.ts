/**
 * Input read more strictly than Fastify and Ajv do by default.
 *
 * JSON request bodies: bytes that are not UTF-8
 * are refused instead of being replaced by U+FFFD (JSON text is UTF-8, RFC 8259 §8.1, and a
 * replaced name would be stored as something the client never sent), and nesting is bounded,
 * since a 1 MB body can nest half a million levels and JSON.stringify, on the way to the
 * store or into an error's details, overflows the stack long before that. No spec nests past
 * ten levels. Fastify's own parser still does the parsing and its prototype-poisoning checks.
 *
 * Query strings: Ajv coerces "Infinity" (or "1e400") to a number that passes an integer's
 * `maximum`, so `?limit=Infinity` would be taken; a value that reads as an infinite number is
 * refused before validation.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

export const MAX_JSON_DEPTH = 64;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function installStrictInput(app: FastifyInstance): void {
  installJsonBody(app);
  app.addHook('preValidation', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(query ?? {})) {
      if (typeof value === 'string' && Math.abs(Number(value)) === Infinity) {
        throw new ApiError(
          'REQUEST_INVALID',
          `Invalid querystring parameter ${name}: ${JSON.stringify(value.slice(0, 40))} is ` +
            'not a finite number.',
        );
      }
    }
  });
}

function installJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(new ApiError('BODY_NOT_JSON', 'The body is not valid UTF-8, so it is not JSON.'));
      return;
    }
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        new ApiError(
          'REQUEST_INVALID',
          `The body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; ` +
            'no spec needs more than ten.',
          { limit: { name: 'maxJsonDepth', max: MAX_JSON_DEPTH } },
        ),
      );
      return;
    }
    parse(request, text, done);
  });
}

/** One pass over the text, counting brackets outside strings; malformed JSON is JSON.parse's. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
