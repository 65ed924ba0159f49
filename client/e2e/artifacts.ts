import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Files for people to look at: /artifacts at the repository root, git-ignored. */
export const ARTIFACT_DIR = fileURLToPath(new URL('../../artifacts/', import.meta.url));
export const SCREENSHOT_DIR = `${ARTIFACT_DIR}screenshots/`;
export const PERF_FILE = `${ARTIFACT_DIR}perf.json`;

export function screenshotPath(name: string): string {
  return `${SCREENSHOT_DIR}${name}`;
}

/**
 * Merges `figures` into artifacts/perf.json under `key`, keeping what other suites wrote there.
 */
export function recordPerf(key: string, figures: unknown): void {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(PERF_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // Missing or unreadable: start afresh.
  }
  all[key] = figures;
  writeFileSync(PERF_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
