import { fileURLToPath } from 'node:url';

/** Screenshots for people to look at: /artifacts/screenshots at the repository root, git-ignored. */
export const SCREENSHOT_DIR = fileURLToPath(
  new URL('../../artifacts/screenshots/', import.meta.url),
);

export function screenshotPath(name: string): string {
  return `${SCREENSHOT_DIR}${name}`;
}
