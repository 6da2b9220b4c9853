// Lint rules keep the layers honest: insights/, analysis/ and report/ do no I/O,
// and only cli/ talks to the terminal (house-style.md, "The shape of the house").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
];

export default tseslint.config(
  {
    ignores: ['dist/**', '.tmp/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'bench/.cache/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/insights/**/*.ts', 'src/analysis/**/*.ts', 'src/report/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'This layer does no I/O.' })),
          patterns: [{ group: ['@aws-sdk/*'], message: 'This layer does no I/O.' }],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'This layer does no I/O: take what you need as an argument.' },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
