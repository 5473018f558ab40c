import { RoomCode } from '@/lib/protocol';
import { getHttpApi, invalidPayload, requestInfo, toResponse } from '@/lib/http-api';

export const dynamic = 'force-dynamic';

/** POST /api/rooms/:code/token — a short-lived join token for non-browser clients (`auth.token`). */
export async function POST(request: Request, ctx: { params: Promise<{ code: string }> }): Promise<Response> {
  const code = RoomCode.safeParse((await ctx.params).code);
  if (!code.success) return invalidPayload('roomCode must look like abc-defg-hij');
  return toResponse(await getHttpApi().createJoinToken(requestInfo(request), code.data));
}
