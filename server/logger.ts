/** pino, with redaction as a second line of defence: chat text and tokens are never logged on purpose either. */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Logs to stdout unless given another destination (the bench discards lines but keeps their cost). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { svc: 'convene' },
    redact: {
      paths: ['*.token', '*.text', '*.cookie', 'req.headers.cookie', 'req.headers.authorization', '*.resumeToken'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
