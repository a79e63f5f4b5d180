/**
 * Runs a TypeScript file in a child Node process (`node [--flags] --import tsx file args…`) and
 * collects its exit code and output: for specs that must see what happens to a whole process (an
 * uncaught exception ends it with code 1; a parent test process would have caught it instead).
 */
import { spawn } from 'node:child_process';

export interface ChildResult { exitCode: number | null; stdout: string; stderr: string }

export function runTsChild(file: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    proc.on('error', reject);
    proc.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

/** The last line of a child's stdout, parsed as JSON (children print their result last). */
export function lastJsonLine(result: ChildResult): unknown {
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null');
}
