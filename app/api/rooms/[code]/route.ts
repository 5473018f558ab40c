import { RoomCode } from '@/lib/protocol';
import { getHttpApi, invalidPayload, requestInfo, toResponse } from '@/lib/http-api';

export const dynamic = 'force-dynamic';

/** GET /api/rooms/:code — public facts only: exists, title, locked, participant count. */
export async function GET(request: Request, ctx: { params: Promise<{ code: string }> }): Promise<Response> {
  const code = RoomCode.safeParse((await ctx.params).code);
  if (!code.success) return invalidPayload('roomCode must look like abc-defg-hij');
  return toResponse(await getHttpApi().getRoom(requestInfo(request), code.data));
}
