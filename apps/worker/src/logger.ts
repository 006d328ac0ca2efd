import { pino, type Logger } from 'pino';

export function createLogger(level: string, bindings: Record<string, unknown>): Logger {
  return pino({
    level,
    base: { service: 'worker', pid: process.pid, ...bindings },
    // Connection strings may carry passwords; they never belong in a log line.
    redact: ['databaseUrl', 'redisUrl', '*.databaseUrl', '*.redisUrl'],
  });
}
