/** Passwords: change (signed in), reset by email (ask for a link, then set it with the link). */
import { useMutation } from '@tanstack/react-query';

import { api, decodeTokenPair, noContent } from '@/lib/api';
import { storeTokens } from '@/lib/session';

export const PASSWORD_CHANGE_PATH = '/api/auth/password/change/';
export const PASSWORD_RESET_PATH = '/api/auth/password/reset/';
export const PASSWORD_RESET_CONFIRM_PATH = '/api/auth/password/reset/confirm/';

export interface PasswordChange {
  old_password: string;
  new_password: string;
}

/** Every other session of the user ends; this one continues with the new pair. */
export async function changePassword(change: PasswordChange): Promise<void> {
  storeTokens(await api.post(PASSWORD_CHANGE_PATH, decodeTokenPair, { body: change }));
}

/** Answers the same whether an account has this email or not. */
export async function requestPasswordReset(email: string): Promise<void> {
  await api.post(PASSWORD_RESET_PATH, noContent, { body: { email }, anonymous: true });
}

export interface PasswordResetConfirm {
  uid: string;
  token: string;
  new_password: string;
}

export async function confirmPasswordReset(confirm: PasswordResetConfirm): Promise<void> {
  await api.post(PASSWORD_RESET_CONFIRM_PATH, noContent, { body: confirm, anonymous: true });
}

export function useChangePassword() {
  return useMutation({ mutationFn: changePassword });
}

export function useRequestPasswordReset() {
  return useMutation({ mutationFn: requestPasswordReset });
}

export function useConfirmPasswordReset() {
  return useMutation({ mutationFn: confirmPasswordReset });
}
