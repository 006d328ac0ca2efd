/** Reading server-sent events in tests: a parser, and a reader over a live HTTP stream. */

export interface SseMessage {
  readonly id?: string;
  readonly event: string;
  /** The data, parsed as JSON. */
  readonly data: Record<string, unknown>;
}

/** The complete messages in `text`, and what is left of an incomplete last one. */
export function parseSse(text: string): { messages: SseMessage[]; rest: string } {
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  const messages: SseMessage[] = [];
  for (const block of blocks) {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const [field, ...value] = line.split(': ');
      if (field === 'id') id = value.join(': ');
      else if (field === 'event') event = value.join(': ');
      else if (field === 'data') data.push(value.join(': '));
    }
    if (data.length > 0) messages.push({ id, event, data: JSON.parse(data.join('\n')) });
  }
  return { messages, rest };
}

/**
 * Reads `url` as an event stream until `done(messages)` holds, the server closes it, or the
 * timeout passes (which throws, with what arrived).
 */
export async function readSse(
  url: string,
  options: {
    headers?: Record<string, string>;
    done?: (messages: readonly SseMessage[]) => boolean;
    timeoutMs?: number;
  } = {},
): Promise<SseMessage[]> {
  const { done = () => false, timeoutMs = 60_000 } = options;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const messages: SseMessage[] = [];
  try {
    const response = await fetch(url, { headers: options.headers, signal: abort.signal });
    if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      const parsed = parseSse(buffer + decoder.decode(chunk as Uint8Array, { stream: true }));
      buffer = parsed.rest;
      messages.push(...parsed.messages);
      if (done(messages)) break;
    }
    return messages;
  } catch (error) {
    if (abort.signal.aborted) {
      const seen = messages.map((m) => m.event).join(', ');
      throw new Error(`no end to ${url} within ${timeoutMs} ms; got: ${seen}`, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
