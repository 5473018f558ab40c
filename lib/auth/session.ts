/** The signed-in user for server components and route handlers. Server only. */
import { getServerSession } from 'next-auth';
import { authOptions } from './options';

export interface SessionUser {
  id: string;
  name: string | null;
  email: string | null;
  image: string | null;
}

export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const user = session?.user;
  if (!user?.id) return null;
  return { id: user.id, name: user.name ?? null, email: user.email ?? null, image: user.image ?? null };
}
