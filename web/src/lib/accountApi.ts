// Writes of the profile and account settings pages: a merge patch of the
// accounts API or of the preferences API, answered with the message to show
// next to the field when the server refuses it.
import { ApiError, errorMessage, request } from '../api/http';
import { fieldErrors, parseAccount } from './account';
import type { Account } from './account';

const MERGE_PATCH = 'application/merge-patch+json';

export interface SaveMessages {
  failed: string;
  network: string;
}

function refusal(e: unknown, field: string, m: SaveMessages): string {
  if (!(e instanceof ApiError)) return m.network;
  const errors = fieldErrors(e.body);
  return errors[field] ?? Object.values(errors)[0] ?? errorMessage(e.body) ?? m.failed;
}

/** PATCH /api/user/v1/accounts/{username}: the saved account, or the message for `field`. */
export async function saveAccount(
  username: string,
  patch: Record<string, unknown>,
  field: string,
  m: SaveMessages,
): Promise<Account | string> {
  try {
    const body = await request(`/api/user/v1/accounts/${encodeURIComponent(username)}`, {
      method: 'PATCH',
      json: patch,
      contentType: MERGE_PATCH,
    });
    return parseAccount(body);
  } catch (e) {
    return refusal(e, field, m);
  }
}

/** PATCH /api/user/v1/preferences/{username} (null deletes a preference): null when saved, else the message. */
export async function savePreferences(
  username: string,
  patch: Record<string, string | null>,
  field: string,
  m: SaveMessages,
): Promise<string | null> {
  try {
    await request(`/api/user/v1/preferences/${encodeURIComponent(username)}`, {
      method: 'PATCH',
      json: patch,
      contentType: MERGE_PATCH,
    });
    return null;
  } catch (e) {
    return refusal(e, field, m);
  }
}
