/**
 * The habits npm test enforces (issue 8, item 10), not style: budgets on file and function size in
 * lib/, no raw clock outside the thin I/O adapters, no floating promises. Run by scripts/lint.mjs.
 *
 * Sizes count code lines only: blank lines and comments are skipped, so a doc comment or a marble
 * diagram never pushes a file or function over its budget.
 */
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The files of lib/ allowed to read the wall clock or arm a Node timer: the edges where real time is
 * the point. Everything else takes a `SchedulerLike` (STYLE: "Pure Rx core, I/O at the edges").
 */
const clockAdapters = [
  // JWT `iat`/`exp` are wall-clock seconds by definition, checked by jose against the real clock.
  'lib/emulator/jwt.ts',
];

const rawClock = {
  'no-restricted-globals': ['error',
    { name: 'setTimeout', message: 'Take a SchedulerLike (timer(ms, scheduler)); raw timers belong in the I/O adapters listed in tools/lint/eslint.config.mjs.' },
    { name: 'setInterval', message: 'Take a SchedulerLike (interval(ms, scheduler)); raw timers belong in the I/O adapters listed in tools/lint/eslint.config.mjs.' },
  ],
  'no-restricted-properties': ['error',
    { object: 'Date', property: 'now', message: 'Read scheduler.now(); the wall clock belongs in the I/O adapters listed in tools/lint/eslint.config.mjs.' },
    { object: 'globalThis', property: 'setTimeout', message: 'Take a SchedulerLike.' },
    { object: 'globalThis', property: 'setInterval', message: 'Take a SchedulerLike.' },
  ],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', 'lib/protocol/generated/**', 'tools/**', 'scripts/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
      ...rawClock,
    },
  },
  { files: clockAdapters, rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off' } },
);
