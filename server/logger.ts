/** pino, with redaction as a second line of defence: chat text and tokens are never logged on purpose either. */
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'convene' },
    redact: { paths: ['*.token', '*.text', '*.cookie', 'req.headers.cookie', 'req.headers.authorization', '*.resumeToken'], censor: '[redacted]' },
  });
}
