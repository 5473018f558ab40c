import type { z } from 'zod';

/** One readable line from a zod error, for `{ code: 'INVALID_PAYLOAD', message }`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid payload';
  const path = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${path}${issue.message}`.slice(0, 200);
}
