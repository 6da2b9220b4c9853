/**
 * Builds dist/ once for the CLI end-to-end tests. Vitest runs each test file in its own process, so
 * "once" is arranged on disk: a build happens only when some source file is newer than the last build,
 * and a lock directory keeps two test files from running tsc at the same time. Type errors do not fail
 * the build (tsc still emits), only a missing entry point does.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the directory holding package.json). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI entry point. */
export const cliEntryPoint = path.join(projectRoot, 'dist/src/cli/main.js');

const LOCK_DIR = path.join(projectRoot, '.tmp/build.lock');
const STAMP_FILE = path.join(projectRoot, '.tmp/build-stamp');
const STALE_LOCK_MS = 5 * 60_000;
const SOURCE_DIRS = ['src', 'bench'];

function newestSourceMtimeMs(): number {
  let newest = statSync(path.join(projectRoot, 'tsconfig.json')).mtimeMs;
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(full);
      } else if (entry.name.endsWith('.ts')) {
        try {
          newest = Math.max(newest, statSync(full).mtimeMs);
        } catch {
          // deleted while we walked: another engineer is editing
        }
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(projectRoot, dir));
  return newest;
}

function builtAtMs(): number {
  if (!existsSync(cliEntryPoint)) return -1;
  let stamp = -1;
  try {
    stamp = statSync(STAMP_FILE).mtimeMs;
  } catch {
    // no stamp yet: fall back to the entry point's own time
  }
  return Math.max(stamp, statSync(cliEntryPoint).mtimeMs);
}

function isFresh(): boolean {
  return builtAtMs() >= newestSourceMtimeMs();
}

function tryLock(): boolean {
  mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  try {
    mkdirSync(LOCK_DIR);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS)
        rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      // the holder just released it
    }
    return false;
  }
}

function runTsc(): Promise<void> {
  const tsc = path.join(projectRoot, 'node_modules/typescript/bin/tsc');
  return new Promise((resolve) => {
    // Exit status is ignored on purpose: other engineers' in-progress files may not typecheck, and tsc
    // emits anyway. The entry point's existence is checked afterwards.
    execFile(
      process.execPath,
      [tsc, '-p', 'tsconfig.json'],
      { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 },
      () => resolve(),
    );
  });
}

let pending: Promise<void> | undefined;

/** Makes sure dist/ is built from the current sources; concurrent callers (also across processes) share one build. */
export function ensureBuilt(): Promise<void> {
  pending ??= (async () => {
    for (;;) {
      if (isFresh()) return;
      if (tryLock()) {
        try {
          if (!isFresh()) {
            const startedAt = Date.now();
            await runTsc();
            if (!existsSync(cliEntryPoint)) throw new Error(`build did not produce ${cliEntryPoint}`);
            writeFileSync(STAMP_FILE, '');
            // Sources saved while tsc ran may not be in this build: record its start time instead.
            const started = new Date(startedAt);
            utimesSync(STAMP_FILE, started, started);
          }
          return;
        } finally {
          rmSync(LOCK_DIR, { recursive: true, force: true });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return pending;
}
