// Lint rules for the whole workspace. Module boundaries are enforced on real tags:
// apps depend on libs and never on each other; the domain depends on nothing with I/O.
const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');
const prettier = require('eslint-config-prettier');

const depConstraints = (allowTest) => {
  const t = allowTest ? ['type:test'] : [];
  return [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data', 'type:util', ...t] },
    { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', ...t], bannedExternalImports: ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', 'bullmq', 'ioredis', 'express'] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', ...t], bannedExternalImports: ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', 'bullmq', 'ioredis'] },
    { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:data', 'type:util', 'type:contracts', 'type:domain', ...t] },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', ...t] },
    { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:data', 'type:domain', 'type:test'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:intake', onlyDependOnLibsWithTags: ['scope:intake', 'scope:shared'] },
    { sourceTag: 'scope:sla', onlyDependOnLibsWithTags: ['scope:sla', 'scope:shared'] },
    { sourceTag: 'scope:notifier', onlyDependOnLibsWithTags: ['scope:notifier', 'scope:shared'] },
  ];
};

module.exports = [
  { ignores: ['**/node_modules/**', '**/dist/**', '.stack/**', '.nx/**', 'tmp/**', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    // NestJS injects by decorator metadata: constructor parameter types must stay value
    // imports, and the type-import rule knows that only with these two options.
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Error'] > Identifier.arguments", message: 'wrap the cause: new Error(message, { cause })' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints(false),
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'bench/**/*.ts', 'libs/test-support/**/*.ts', 'test/**/*.ts', 'demo/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests may use the test-support lib; production code may not.
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: depConstraints(true) }],
    },
  },
];
