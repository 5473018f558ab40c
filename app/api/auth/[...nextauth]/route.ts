import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/options';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ nextauth: string[] }> };

/** /api/auth/* — next-auth's sign-in, callback, session, csrf and sign-out endpoints. */
function handler(request: Request, context: Context): Promise<Response> {
  // next-auth v4 types its App Router entry as `any`; it answers with a Response.
  return NextAuth(request as never, context as never, authOptions()) as Promise<Response>;
}

export { handler as GET, handler as POST };
