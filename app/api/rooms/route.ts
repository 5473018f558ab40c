import { CreateRoomBody } from '@/lib/protocol';
import { getHttpApi, invalidPayload, readJsonBody, requestInfo, toResponse } from '@/lib/http-api';
import { describeIssue } from '@/lib/protocol/describe';

export const dynamic = 'force-dynamic';

/** POST /api/rooms — create a meeting; the caller becomes its host. */
export async function POST(request: Request): Promise<Response> {
  const body = await readJsonBody(request);
  if (!body.ok) return invalidPayload(body.message, body.status);
  const parsed = CreateRoomBody.safeParse(body.value);
  if (!parsed.success) return invalidPayload(describeIssue(parsed.error));
  return toResponse(await getHttpApi().createRoom(requestInfo(request), parsed.data));
}
