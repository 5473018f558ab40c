import type { DefaultSession } from 'next-auth';

declare module 'next-auth' {
  interface Session {
    /** `id` is the token's `sub`: `<provider>:<account id>`, the id Convene's identities use. */
    user: { id: string } & DefaultSession['user'];
  }
}
