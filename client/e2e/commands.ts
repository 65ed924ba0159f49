/**
 * The shell commands the fault specs are given through the environment (E2E_RESTART_CMD,
 * E2E_REDIS_RESTART_CMD: scripts/test.sh sets both).
 */
import { spawn } from 'node:child_process';

/** Runs `command` in a shell; resolves with its exit code and output, rejects after `timeoutMs`. */
export function runCommand(
  name: string,
  command: string,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      reject(new Error(`${name} still running after ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
