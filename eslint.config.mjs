import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * Folder boundaries of libs/messaging (docs/architecture.md): each folder lists the folders it must not
 * import, so dependencies point one way along the message flow. ESLint's own no-restricted-imports with
 * regex patterns is enough here (the lib's internal imports are relative, one folder deep).
 */
const LIB = 'libs/messaging/src';
const ARCH = 'see docs/architecture.md';
const folder = (name) => `^(\\.\\./)+${name}(/|$)`;
const forbid = (from, names, extra = []) => ({
  files: [`${LIB}/${from}/**/*.ts`],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...names.map((name) => ({
            regex: folder(name),
            message: `${from}/ must not import ${name}/ (${ARCH}).`,
          })),
          ...extra,
          ...LIB_WIDE,
        ],
      },
    ],
  },
});
const LIB_WIDE = [
  {
    regex: '^@app/messaging',
    message: `Inside the library import relatively, not through its public entry (${ARCH}).`,
  },
  { regex: '(^|/)testing$', message: `testing.ts is for tests and benchmarks only (${ARCH}).` },
];
const EDGES = ['admin', 'transport', 'bootstrap', 'migrations'];
const boundaries = [
  {
    files: [`${LIB}/**/*.ts`],
    ignores: ['**/*.spec.ts', `${LIB}/testing.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: LIB_WIDE }] },
  },
  forbid('topology', [
    'outbox',
    'publishing',
    'consuming',
    'dead-letters',
    'alerting',
    'observability',
    'broker',
    ...EDGES,
  ]),
  forbid('broker', [
    'outbox',
    'publishing',
    'consuming',
    'dead-letters',
    'alerting',
    'observability',
    'topology',
    ...EDGES,
  ]),
  forbid('observability', ['publishing', 'consuming', 'dead-letters', 'alerting', ...EDGES]),
  forbid('outbox', ['publishing', 'consuming', 'dead-letters', 'alerting', ...EDGES]),
  forbid(
    'alerting',
    ['publishing', 'consuming', 'outbox', ...EDGES],
    [
      {
        regex: 'dead-letters/dead-letter\\.entity$',
        message: `alerting/ reads dead letters through dead-letters/dead-letter-alert-queries.ts (${ARCH}).`,
      },
    ],
  ),
  {
    // The same for SQL: no statement of alerting/ names the dead_letter table.
    files: [`${LIB}/alerting/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[value=/\\bdead_letter\\b/], TemplateElement[value.raw=/\\bdead_letter\\b/]',
          message: `alerting/ reads dead letters through dead-letters/dead-letter-alert-queries.ts (${ARCH}).`,
        },
      ],
    },
  },
  forbid('dead-letters', ['publishing', ...EDGES]),
  forbid('consuming', ['publishing', 'outbox', 'alerting', ...EDGES]),
  forbid('publishing', ['consuming', ...EDGES]),
  forbid('transport', ['publishing', 'alerting', 'admin', 'bootstrap', 'migrations']),
  // HTTP only: the operator actions are dead-letters/ services (scheduled messages: outbox/).
  forbid('admin', [
    'publishing',
    'consuming',
    'topology',
    'broker',
    'observability',
    'transport',
    'bootstrap',
    'migrations',
  ]),
  forbid('migrations', ['publishing', 'alerting', 'observability', 'admin', 'transport', 'bootstrap']),
  {
    files: ['apps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@app/messaging/',
              message: `Apps use the public API: import from '@app/messaging' (${ARCH}).`,
            },
            {
              regex: 'libs/messaging',
              message: `Apps use the public API: import from '@app/messaging' (${ARCH}).`,
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'libs/messaging/test/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'chaos/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)libs/messaging/src(/|$)|^(\\.\\./)+src(/|$)',
              message: `Tests and benchmarks import '@app/messaging' or '@app/messaging/testing', not library files (${ARCH}).`,
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test-results/**',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.fault-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...boundaries,
);
